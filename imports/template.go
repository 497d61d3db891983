package imports

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// exampleMark starts the 备注 of the template's example row; rows whose
// 备注 starts with it are not imported.
const exampleMark = "示例行"

// Template writes the downloadable workbook of spec: the data sheet with
// its header (required columns in red), a grey example row, frozen header
// and widths; drop-down lists of forms, sectors, pledged/delivered, the
// paired counties and their townships; and an instructions sheet.
func Template(ctx context.Context, db *store.DB, w io.Writer, spec Spec) error {
	lists, err := templateLists(ctx, db)
	if err != nil {
		return err
	}
	b, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	widths := make([]float64, len(spec.Columns))
	required := map[string]bool{}
	example := make([]any, len(spec.Columns))
	marked := false
	for i, c := range spec.Columns {
		widths[i] = c.Width
		required[c.Header] = c.Required
		example[i] = c.Example
		if c.Header == "备注" {
			example[i], marked = exampleMark+"（导入时忽略，可删除）", true
		}
	}
	if !marked { // a spec without 备注 carries the mark in the cell after its last column
		example = append(example, exampleMark+"（导入时忽略，可删除）")
	}
	data, err := b.AddSheet(spec.Title, widths)
	if err != nil {
		return err
	}
	if err := data.Freeze(1); err != nil {
		return err
	}
	if err := data.Header(spec.Headers(), required); err != nil {
		return err
	}
	if err := data.Example(example...); err != nil {
		return err
	}
	if err := data.Close(); err != nil {
		return err
	}
	help, err := b.AddSheet("填写说明", []float64{14, 8, 70, 20})
	if err != nil {
		return err
	}
	help.Title(spec.Title + "导入模板 · 填写说明")
	help.Row("第一个工作表第1行为表头，请勿修改表头文字；红色表头为必填列。从第3行起每行一条记录；灰色示例行导入时自动忽略。")
	help.Row("可直接从其他表格粘贴。金额以元为单位，可写“3万”“3.75万元”；日期可写“2020年9月1日”“2020/9/1”或区间“9月1日至4日”。")
	help.Header([]string{"列名", "必填", "填写说明", "示例"}, nil)
	for _, c := range spec.Columns {
		req := ""
		if c.Required {
			req = "是"
		}
		help.Row(c.Header, req, c.Help, c.Example)
	}
	if err := help.Close(); err != nil {
		return err
	}
	optWidths := make([]float64, len(listNames))
	for i := range optWidths {
		optWidths[i] = 16
	}
	opts, err := b.AddSheet("选项", optWidths)
	if err != nil {
		return err
	}
	names := make([]string, len(listNames))
	titles := make([]string, len(listNames))
	for i, l := range listNames {
		names[i], titles[i] = l[0], l[1]
	}
	opts.Header(titles, nil)
	longest := 0
	for _, n := range names {
		longest = max(longest, len(lists[n]))
	}
	for i := 0; i < longest; i++ {
		row := make([]any, len(names))
		for j, n := range names {
			if i < len(lists[n]) {
				row[j] = lists[n][i]
			}
		}
		opts.Row(row...)
	}
	if err := opts.Close(); err != nil {
		return err
	}
	f := b.File()
	for i, c := range spec.Columns {
		j := indexOf(names, c.List)
		if j < 0 || len(lists[c.List]) == 0 {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		src, _ := excelize.ColumnNumberToName(j + 1)
		dv := excelize.NewDataValidation(c.List != "township") // townships: a hint list, other names allowed
		dv.Sqref = fmt.Sprintf("%s2:%s100000", col, col)
		dv.SetSqrefDropList(fmt.Sprintf("选项!$%s$2:$%s$%d", src, src, len(lists[c.List])+1))
		if c.List == "township" {
			dv.ShowErrorMessage = false
		} else {
			dv.SetError(excelize.DataValidationErrorStyleStop, "无效的"+c.Header, "请从下拉列表中选择")
		}
		if err := f.AddDataValidation(spec.Title, dv); err != nil {
			return err
		}
	}
	f.SetSheetVisible("选项", false)
	f.SetActiveSheet(0)
	_, err = b.WriteTo(w)
	return err
}

// listNames are the drop-down lists of the 选项 sheet: key and title.
var listNames = [][2]string{{"form", "形式"}, {"sector", "领域"}, {"delivery", "状态"}, {"county", "受援县"}, {"township", "受援乡镇"},
	{"orgkind", "单位类型"}, {"side", "东西部"}, {"actkind", "活动类型"}, {"section", "简报栏目"}, {"funding", "资金来源"},
	{"state", "项目状态"}, {"labourkind", "劳务协作类型"}, {"batchkind", "受益类型"}, {"pairkind", "结对类型"}, {"personkind", "人员类别"}, {"category", "商品品类"}}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// templateLists are the drop-down values: coded choices and the paired
// counties (short names) with their townships.
func templateLists(ctx context.Context, db *store.DB) (map[string][]string, error) {
	l := map[string][]string{}
	for _, c := range ledger.Forms {
		l["form"] = append(l["form"], c.Label)
	}
	for _, c := range ledger.Sectors {
		l["sector"] = append(l["sector"], c.Label)
	}
	for _, c := range ledger.Deliveries {
		l["delivery"] = append(l["delivery"], c.Label)
	}
	l["orgkind"] = registry.OrgKinds
	l["side"] = []string{"东部", "西部"}
	l["buyerkind"], l["accountkind"] = market.BuyerUnitKinds, market.AccountKindWords
	l["actkind"], l["section"], l["funding"] = ledger.ActivityKinds, ledger.Sections, ledger.FundingSources
	l["labourkind"], l["batchkind"] = ledger.LabourKinds, ledger.BatchKinds
	l["pairkind"], l["personkind"] = registry.PairingKinds, registry.PersonKinds
	for _, c := range market.Categories {
		l["category"] = append(l["category"], c.Label)
	}
	for _, c := range ledger.ProjectStates {
		l["state"] = append(l["state"], c.Label)
	}
	counties, err := db.PairedCounties(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range counties {
		l["county"] = append(l["county"], c.ShortName)
		ts, err := db.SearchRegions(ctx, store.RegionFilter{Parent: c.Code, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			l["township"] = append(l["township"], t.Name)
		}
	}
	return l, nil
}
