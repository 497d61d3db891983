package word

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
	"github.com/gomutex/godocx/wml/ctypes"
	"github.com/gomutex/godocx/wml/stypes"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// The monthly 消费帮扶 通报 (issue 12 item 5): the supervision report of a
// month (store.Supervision with Month set: the year to the end of the
// month, the month's own sums beside) written as the office and 区财政局
// send it to the budget units — a red masthead, 期号 and date, a title,
// numbered sections 一、二、三 in plain official Chinese, the sums as
// tables, the issuers at the foot. Every figure is the report's; the
// document only words them (and the shares of a total and the 序时进度,
// worked out from the report's own figures).

// NoticeIssuers are the bodies that send the 通报: 监管 (区财政局) and the
// office.
var NoticeIssuers = []string{"长宁区财政局", "长宁区对口支援与合作交流工作领导小组办公室"}

// Notice is one 通报: the report and the day it is issued (YYYY-MM-DD).
type Notice struct {
	Report *store.SupervisionReport
	Issued string
}

// Period is the span the report covers in words: 2020年1—9月, 2020年1月,
// or 2020年 for a whole year.
func (n *Notice) Period() string {
	r := n.Report
	switch r.Month {
	case 0:
		return strconv.Itoa(r.Year) + "年"
	case 1:
		return strconv.Itoa(r.Year) + "年1月"
	}
	return fmt.Sprintf("%d年1—%d月", r.Year, r.Month)
}

// MonthLabel is the report's month in words (9月), or 全年.
func (n *Notice) MonthLabel() string {
	if n.Report.Month == 0 {
		return "全年"
	}
	return strconv.Itoa(n.Report.Month) + "月"
}

// Title is the 通报's title.
func (n *Notice) Title() string {
	return "关于" + n.Period() + "预算单位消费帮扶预留份额执行情况的通报"
}

// Filename is the .docx's name: 2020年9月消费帮扶通报.docx.
func (n *Notice) Filename() string {
	if n.Report.Month == 0 {
		return fmt.Sprintf("%d年消费帮扶通报.docx", n.Report.Year)
	}
	return fmt.Sprintf("%d年%d月消费帮扶通报.docx", n.Report.Year, n.Report.Month)
}

// ExpectedBP is the 序时进度: the share of the year elapsed by the end of
// the report's month (basis points; 10000 for a whole year).
func (n *Notice) ExpectedBP() int64 {
	if n.Report.Month == 0 {
		return 10000
	}
	return int64(n.Report.Month) * 10000 / 12
}

// Ranked are the units with a reserved share, in rank order.
func (n *Notice) Ranked() []store.ShareLine {
	var out []store.ShareLine
	for _, l := range n.Report.Units {
		if l.HasShare {
			out = append(out, l)
		}
	}
	return out
}

// TopBottom are the ranked units the text names: all of them when there
// are six or fewer (bottom empty), else the first three and the last
// three.
func (n *Notice) TopBottom() (top, bottom []store.ShareLine) {
	ranked := n.Ranked()
	if len(ranked) <= 6 {
		return ranked, nil
	}
	return ranked[:3], ranked[len(ranked)-3:]
}

// Unfiled are the units that have not filed the year's share.
func (n *Notice) Unfiled() []store.ShareLine {
	var out []store.ShareLine
	for _, l := range n.Report.Units {
		if !l.Filed {
			out = append(out, l)
		}
	}
	return out
}

// Behind are the ranked units below the 序时进度.
func (n *Notice) Behind() []store.ShareLine {
	var out []store.ShareLine
	for _, l := range n.Ranked() {
		if l.ProgressBP < n.ExpectedBP() {
			out = append(out, l)
		}
	}
	return out
}

// shareOf is part of whole as 12.34% ("—" when whole is 0).
func shareOf(part, whole int64) string {
	if whole <= 0 {
		return "—"
	}
	return market.FormatPercent(part * 10000 / whole)
}

// wan is an amount in 万元 with its unit.
func wan(fen int64) string { return xiezuo.FormatWan(fen) + "万元" }

// chineseNumbers are the section numbers 一 to 十.
var chineseNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// SupervisionNotice writes n as a .docx to w.
func SupervisionNotice(w io.Writer, n *Notice) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return err
	}
	d := &writer{doc: doc}
	d.page()
	d.noticeHead(n)
	r := n.Report
	section := 0
	heading := func(s string) {
		d.para(fontHei, 16, true, stypes.JustificationLeft, 640, 120, 60).text(chineseNumbers[section]+"、"+s, fontHei, 16, false, "")
		section++
	}
	body := func(s string) {
		d.para(fontFang, 16, false, stypes.JustificationBoth, 640, 0, 0).text(s, fontFang, 16, false, "")
	}
	d.para(fontFang, 16, false, stypes.JustificationLeft, 0, 240, 0).text("各预算单位：", fontFang, 16, false, "")
	body("为推进预算单位采购脱贫地区农副产品工作，现将" + n.Period() + "（截至" + xiezuo.FormatDateCN(r.Through()) +
		"）全区预算单位消费帮扶采购及预留份额执行情况通报如下：")

	// 一、总体情况
	heading("总体情况")
	buying := 0
	for _, l := range r.Units {
		if l.PurchasedFen > 0 {
			buying++
		}
	}
	filed, noCanteen := 0, 0
	for _, l := range r.Units {
		if l.Filed {
			filed++
		}
		if l.NoCanteen {
			noCanteen++
		}
	}
	s := fmt.Sprintf("%s，全区%d个预算单位中有%d个单位通过各渠道采购结对县和832平台脱贫县认定产品，经验收计入消费帮扶%s（%d笔订单）",
		n.Period(), len(r.Units), buying, wan(r.PurchasedFen), r.OrderCount)
	if r.Month > 0 {
		s += fmt.Sprintf("，其中%s%s（%d笔）", n.MonthLabel(), wan(r.MonthFen), r.MonthN)
	}
	s += "。"
	s += fmt.Sprintf("已填报%d年预留份额的单位%d个", r.Year, filed)
	if noCanteen > 0 {
		s += fmt.Sprintf("（其中无食堂%d个）", noCanteen)
	}
	s += fmt.Sprintf("，预留份额合计%s，累计完成比例%s，序时进度%s", wan(r.ReservedFen), market.ProgressText(r.ReservedFen, r.PurchasedFen),
		market.FormatPercent(n.ExpectedBP()))
	if u := n.Unfiled(); len(u) > 0 {
		s += fmt.Sprintf("；尚有%d个单位未填报", len(u))
	}
	s += "。本年协作办规定的最低预留比例为" + market.FormatPercent(r.RatioBP) + "。"
	body(s)

	// 二、分渠道
	heading("分渠道采购情况")
	body(sumsText("按采购渠道分", r.Channels, r.PurchasedFen))
	d.sumsTable(n, "采购渠道", r.MonthChannels, r.Channels)

	// 三、分产地县
	heading("分产地县采购情况")
	body(sumsText("按产品产地县分", r.Counties, r.PurchasedFen))
	d.sumsTable(n, "产地县", r.MonthCounties, r.Counties)

	// 四、各预算单位
	heading("各预算单位预留份额执行情况")
	body(unitsText(n))
	d.unitsTable(r)

	// 五、主管预算单位
	if len(r.Parents) > 0 {
		heading("主管预算单位执行情况")
		var parts []string
		for _, p := range r.Parents {
			parts = append(parts, fmt.Sprintf("%s（下属单位%d个，完成比例%s）", p.UnitName, p.Units, market.ProgressText(p.ReservedFen, p.PurchasedFen)))
		}
		body("按主管预算单位汇总（含本单位及下属单位），" + strings.Join(parts, "、") + "。")
		d.parentsTable(r)
	}

	// 六、异常提示
	heading("异常提示情况")
	monthFlags := r.MonthFlags()
	if r.Month == 0 {
		monthFlags = r.Flags
	}
	var kinds []string
	for _, k := range market.FlagKinds {
		if c := r.FlagCounts[k.Code]; c > 0 {
			kinds = append(kinds, fmt.Sprintf("%s%d条", k.Label, c))
		}
	}
	s = fmt.Sprintf("%s系统提示异常%d条", n.MonthLabel(), len(monthFlags))
	if r.Month > 0 {
		s += fmt.Sprintf("，%s累计%d条", n.Period(), len(r.Flags))
	}
	if len(kinds) > 0 {
		s += "（" + strings.Join(kinds, "、") + "）"
	}
	if r.FlagsCut {
		s += fmt.Sprintf("，每类最多列出%d条", store.MaxFlagsPerKind)
	}
	if len(monthFlags) == 0 {
		s += "。" + n.MonthLabel() + "未发现新的异常。"
		body(s)
	} else {
		body(s + "。" + n.MonthLabel() + "提示如下：")
		for i, f := range monthFlags {
			body(fmt.Sprintf("%d．【%s】%s。", i+1, ledger.LabelOf(market.FlagKinds, f.Kind), f.Message))
		}
	}

	// 七、工作要求
	heading("工作要求")
	var asks []string
	if len(n.Unfiled()) > 0 {
		asks = append(asks, "请尚未填报预留份额的单位尽快在系统中填报本年度食堂农副产品预算和预留比例")
	}
	asks = append(asks, "完成比例低于序时进度的单位请结合食堂采购计划加快采购进度，优先采购结对县认定产品")
	if len(monthFlags) > 0 {
		asks = append(asks, "对上述异常提示，请相关单位核实情况，并向区财政局说明")
	}
	body(strings.Join(asks, "；") + "。")

	// 落款
	for i, who := range NoticeIssuers {
		before := uint64(0)
		if i == 0 {
			before = 480
		}
		d.para(fontFang, 16, false, stypes.JustificationRight, 0, before, 0).text(who, fontFang, 16, false, "")
	}
	d.para(fontFang, 16, false, stypes.JustificationRight, 0, 0, 240).text(xiezuo.FormatDateCN(n.Issued), fontFang, 16, false, "")
	d.para(fontFang, 12, false, stypes.JustificationBoth, 0, 240, 0).text("说明：已采购指预算单位在本平台商城、832平台等渠道的订单经验收后计入消费帮扶的金额，按验收日期计入月份；退货的订单不再计入。完成比例为已采购占预留份额的比例；序时进度为截至本月末的时间进度。",
		fontFang, 12, false, "595959")
	return doc.Write(w)
}

// noticeHead is the red masthead: 消费帮扶工作通报, the 期号 (the month),
// the issuers and date over a red rule, and the title.
func (d *writer) noticeHead(n *Notice) {
	d.para(fontSong, 26, false, stypes.JustificationCenter, 0, 0, 240).text("消费帮扶工作通报", fontSong, 26, true, red)
	issue := strconv.Itoa(n.Report.Year) + "年"
	if n.Report.Month > 0 {
		issue += "第" + strconv.Itoa(n.Report.Month) + "期"
	} else {
		issue += "年度"
	}
	d.para(fontFang, 16, false, stypes.JustificationCenter, 0, 0, 120).text(issue, fontFang, 16, false, "")
	d.para(fontFang, 14, false, stypes.JustificationCenter, 0, 0, 0).text(strings.Join(NoticeIssuers, "\u3000"), fontFang, 14, false, "")
	p := d.para(fontFang, 14, false, stypes.JustificationRight, 0, 0, 240)
	p.text(xiezuo.FormatDateCN(n.Issued), fontFang, 14, false, "")
	size := 18
	p.p.GetCT().Property.Border = &ctypes.ParaBorder{Bottom: &ctypes.Border{Val: stypes.BorderStyleSingle, Color: strPtr(red), Size: &size, Space: strPtr("6")}}
	d.para(fontHei, 18, true, stypes.JustificationCenter, 0, 240, 120).text(n.Title(), fontHei, 18, false, "")
}

// sumsText words the sums of one grouping: the largest five by name with
// their share, the rest together.
func sumsText(lead string, sums []store.PurchaseSum, total int64) string {
	if len(sums) == 0 || total <= 0 {
		return lead + "，本期暂无计入消费帮扶的采购。"
	}
	var parts []string
	var rest, restN int64
	for i, x := range sums {
		if i < 5 {
			parts = append(parts, fmt.Sprintf("%s%s，占%s", x.Label, wan(x.Fen), shareOf(x.Fen, total)))
			continue
		}
		rest += x.Fen
		restN++
	}
	if restN > 0 {
		parts = append(parts, fmt.Sprintf("其余%d项合计%s，占%s", restN, wan(rest), shareOf(rest, total)))
	}
	return lead + "：" + strings.Join(parts, "；") + "。"
}

// unitsText words the units' progress: the first and last units ranked,
// those behind the 序时进度, those not filed.
func unitsText(n *Notice) string {
	r := n.Report
	named := func(ls []store.ShareLine) string {
		parts := make([]string, len(ls))
		for i, l := range ls {
			parts[i] = fmt.Sprintf("%s（%s）", l.UnitName, market.ProgressText(l.ReservedFen, l.PurchasedFen))
		}
		return strings.Join(parts, "、")
	}
	ranked := n.Ranked()
	var s string
	top, bottom := n.TopBottom()
	switch {
	case len(ranked) == 0:
		s = "本年度尚无单位填报预留份额，暂不排名。"
	case bottom == nil:
		s = fmt.Sprintf("已填报预留份额的%d个单位按完成比例排序依次为：%s。", len(ranked), named(top))
	default:
		s = fmt.Sprintf("已填报预留份额的%d个单位按完成比例排序，排名前列的是：%s；排名靠后的是：%s。", len(ranked), named(top), named(bottom))
	}
	if len(ranked) > 0 {
		if b := n.Behind(); len(b) > 0 {
			s += fmt.Sprintf("完成比例低于序时进度（%s）的单位%d个。", market.FormatPercent(n.ExpectedBP()), len(b))
		} else {
			s += "各单位完成比例均已达到序时进度（" + market.FormatPercent(n.ExpectedBP()) + "）。"
		}
	}
	if u := n.Unfiled(); len(u) > 0 {
		names := make([]string, len(u))
		for i, l := range u {
			names[i] = l.UnitName
		}
		s += fmt.Sprintf("尚未填报%d年预留份额的单位%d个：%s。", r.Year, len(u), strings.Join(names, "、"))
	} else if len(r.Units) > 0 {
		s += "各单位均已填报预留份额。"
	}
	return s
}

// textWidth is the width between the margins (twips).
const textWidth = 8844

// table starts a full-width grid table with a shaded header row; widths
// are the columns' shares of the width in percent.
func (d *writer) table(widths []int, head ...string) *tableW {
	t := d.doc.AddTable()
	t.Style("TableGrid")
	t.Width(5000, stypes.TableWidthPct)
	tw := &tableW{t: t, widths: widths}
	grid := make([]uint64, len(widths))
	for i, w := range widths {
		grid[i] = uint64(textWidth * w / 100)
	}
	t.Grid(grid...)
	hr := t.AddRow()
	for i, h := range head {
		tw.width(cell(hr.AddCell(), h, true, stypes.JustificationCenter).BackgroundColor("E7EDF5"), i)
	}
	return tw
}

type tableW struct {
	t      *docx.Table
	widths []int
}

func (t *tableW) width(c *docx.Cell, i int) {
	if i < len(t.widths) {
		c.Width(textWidth*t.widths[i]/100, stypes.TableWidthDxa)
	}
}

// row adds a row: the first cells left-aligned up to left, the others
// right-aligned (figures); bold for the total row.
func (t *tableW) row(left int, bold bool, cells ...string) {
	r := t.t.AddRow()
	for i, c := range cells {
		jc := stypes.JustificationRight
		if i < left {
			jc = stypes.JustificationLeft
		}
		t.width(cell(r.AddCell(), c, bold, jc), i)
	}
}

// sumsTable is one grouping's table: the month's and the period's
// amounts and the share of the period's total, with the totals.
func (d *writer) sumsTable(n *Notice, col string, month, period []store.PurchaseSum) {
	r := n.Report
	if r.Month == 0 {
		t := d.table([]int{40, 20, 20, 20}, col, "订单（笔）", "金额（元）", "占比")
		for _, x := range period {
			t.row(1, false, x.Label, strconv.FormatInt(x.N, 10), xiezuo.FormatYuan(x.Fen), shareOf(x.Fen, r.PurchasedFen))
		}
		t.row(1, true, "合计", strconv.FormatInt(r.OrderCount, 10), xiezuo.FormatYuan(r.PurchasedFen), shareOf(r.PurchasedFen, r.PurchasedFen))
		return
	}
	m := map[string]int64{}
	for _, x := range month {
		m[x.Code] = x.Fen
	}
	t := d.table([]int{28, 18, 22, 16, 16}, col, n.MonthLabel()+"（元）", "累计（元）", "累计订单（笔）", "占累计比例")
	for _, x := range period {
		t.row(1, false, x.Label, xiezuo.FormatYuan(m[x.Code]), xiezuo.FormatYuan(x.Fen), strconv.FormatInt(x.N, 10), shareOf(x.Fen, r.PurchasedFen))
	}
	t.row(1, true, "合计", xiezuo.FormatYuan(r.MonthFen), xiezuo.FormatYuan(r.PurchasedFen), strconv.FormatInt(r.OrderCount, 10), shareOf(r.PurchasedFen, r.PurchasedFen))
}

// unitsTable is every unit's line, ranked units first, with the totals.
func (d *writer) unitsTable(r *store.SupervisionReport) {
	t := d.table([]int{8, 25, 12, 19, 19, 17}, "排名", "预算单位", "填报", "预留份额（元）", "已采购（元）", "完成比例")
	for _, l := range r.Units {
		rank, filed := "—", l.Filing()
		if l.Rank > 0 {
			rank = strconv.Itoa(l.Rank)
		}
		t.row(3, false, rank, l.UnitName, filed, xiezuo.FormatYuan(l.ReservedFen), xiezuo.FormatYuan(l.PurchasedFen), market.ProgressText(l.ReservedFen, l.PurchasedFen))
	}
	t.row(3, true, "", "合计", "", xiezuo.FormatYuan(r.ReservedFen), xiezuo.FormatYuan(r.PurchasedFen), market.ProgressText(r.ReservedFen, r.PurchasedFen))
}

// parentsTable is the supervising units' lines.
func (d *writer) parentsTable(r *store.SupervisionReport) {
	t := d.table([]int{36, 14, 18, 16, 16}, "主管预算单位", "下属单位（个）", "预留份额（元）", "已采购（元）", "完成比例")
	for _, p := range r.Parents {
		t.row(1, false, p.UnitName, strconv.Itoa(p.Units), xiezuo.FormatYuan(p.ReservedFen), xiezuo.FormatYuan(p.PurchasedFen), market.ProgressText(p.ReservedFen, p.PurchasedFen))
	}
}
