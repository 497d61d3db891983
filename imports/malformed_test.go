package imports_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

const head = "日期,截止日期,帮扶单位,受援县,受援乡镇,受援村,形式,领域,金额(元),数量,计量单位,物资/内容,受益人数,状态,所属活动,填报单位\n"

// good is a valid row; each case below breaks one thing in it.
const good = "2020-09-02,,上海龙舜投资管理有限公司,绿春县,大兴镇,,资金,教育,30000,,,助学金,,到位,,"

func gbk(s string) []byte {
	b, _ := simplifiedchinese.GB18030.NewEncoder().String(s)
	return []byte(b)
}

// zipBomb is an .xlsx whose sheet unpacks far beyond the limit used below.
func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	chunk := bytes.Repeat([]byte("<row></row>"), 1<<16)
	for i := 0; i < 40; i++ { // ~28 MB unpacked, a few KB packed
		w.Write(chunk)
	}
	for _, n := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := zw.Create(n)
		w.Write([]byte(`<?xml version="1.0"?><x/>`))
	}
	zw.Close()
	return buf.Bytes()
}

// TestMalformedFiles: files the importer must refuse with a clear message.
func TestMalformedFiles(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	u := user(t, db, "chengjiaqiao")
	var valid bytes.Buffer
	imports.Template(ctx, db, &valid, imports.ContributionSpec)
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"empty file", "a.csv", nil, "文件是空的"},
		{"only a BOM", "a.csv", []byte("\ufeff"), "找不到表头"},
		{"old .xls", "a.xls", []byte("\xd0\xcf\x11\xe0 legacy"), "另存为” .xlsx"},
		{"OpenDocument", "a.ods", []byte("PK..."), "不支持该格式"},
		{"PDF", "a.pdf", []byte("%PDF-1.7"), "无法识别的文件类型"},
		{"text named .xlsx", "a.xlsx", []byte("日期,帮扶单位\n"), "无法读取 .xlsx 文件"},
		{"truncated xlsx", "a.xlsx", valid.Bytes()[:valid.Len()/2], "无法读取 .xlsx 文件"},
		{"zip bomb", "bomb.xlsx", zipBomb(t), "解压后过大"},
		{"English headers", "a.csv", []byte("date,giver,county,form,amount\n2020-09-02,x,y,cash,1\n"), "找不到表头"},
		{"header lacks 受援县 and 形式", "a.csv", []byte("日期,帮扶单位,金额(元),物资/内容\n2020-09-02,x,1,y\n"), "缺少必填列：受援县、形式"},
		{"only the header", "a.csv", []byte(head), "表头下面没有数据行"},
		{"only the header and blank rows", "a.csv", []byte(head + ",,,\n\n,,\n"), "表头下面没有数据行"},
		{"header below row 20", "a.csv", []byte(strings.Repeat("标题\n", 21) + head + good + "\n"), "找不到表头"},
		{"UTF-8 header, GBK rows (mixed encodings)", "a.csv", append([]byte(head), gbk(good+"\n")...), "找不到表头"},
	}
	for _, c := range cases {
		b, err := run(t, db, u, c.file, c.data, imports.Options{Mode: "all", UnzipLimit: 8 << 20})
		if err == nil || b != nil || !strings.Contains(xiezuo.ErrorMessage(err), c.want) {
			t.Errorf("%s: batch %v, error %v; want message containing %q", c.name, b, err, c.want)
		}
	}
	// A 100 MB file is refused by its size, before a byte is read.
	_, err := imports.Contributions(ctx, db, u, "big.xlsx", panicReader{}, 100<<20, imports.Options{})
	if err == nil || !strings.Contains(xiezuo.ErrorMessage(err), "超过上限 64 MB") {
		t.Errorf("100 MB file: %v", err)
	}
	if _, err := spreadsheet.Open("big.csv", panicReader{}, 100<<20, spreadsheet.Options{}); !errors.Is(err, spreadsheet.ErrTooLarge) {
		t.Errorf("spreadsheet.Open 100 MB: %v", err)
	}
}

type panicReader struct{}

func (panicReader) ReadAt([]byte, int64) (int, error) {
	panic("read a file that should have been refused by its size")
}

// TestMalformedRows: each row breaks one rule; each gets a message naming
// its column, and with --mode all nothing is written.
func TestMalformedRows(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	u := user(t, db, "chengjiaqiao")
	county := user(t, db, "lvchun")
	set := func(col int, v string) string {
		cells := strings.Split(good, ",")
		cells[col] = v
		return strings.Join(cells, ",")
	}
	// Columns: 0 日期 1 截止日期 2 帮扶单位 3 受援县 4 受援乡镇 5 受援村 6 形式 7 领域 8 金额 9 数量 10 计量单位 11 物资 12 受益人数 13 状态 14 所属活动 15 填报单位
	cases := []struct {
		name, row, want string
	}{
		{"text in amount", set(8, "三万"), "【金额(元)】“三万”不是金额"},
		{"negative amount", set(8, "-500"), "【金额(元)】不能为负数"},
		{"three decimals", set(8, "1.005"), "【金额(元)】“1.005”不是金额"},
		{"over 100亿", set(8, "20000000000"), "【金额(元)】“20000000000”不是金额"},
		{"formula text", set(8, "=SUM(A1:A3)"), "【金额(元)】是公式"},
		{"future date", set(0, "2099-01-01"), "【日期】不能晚于今天"},
		{"no such day", set(0, "2020-02-30"), "【日期】“2020-02-30”不是有效日期"},
		{"no year", set(0, "9月2日"), "【日期】“9月2日”没有年份"},
		{"empty date", set(0, ""), "【日期】不能为空"},
		{"reversed range", set(0, "2020年9月4日至1日"), "【日期】"},
		{"截止日期 before 日期", set(1, "2020-09-01"), "【截止日期】截止日期不能早于开始日期"},
		{"bad 截止日期", set(1, "下周"), "【截止日期】“下周”不是日期，请写成 2020-09-01 或 2020年9月1日"},
		{"unknown county", set(3, "火星县"), "【受援县】结对受援县中找不到“火星县”"},
		{"county outside the pairing", set(3, "长宁区"), "【受援县】结对受援县中找不到“长宁区”"},
		{"township of another county", set(4, "者米乡"), "【受援乡镇】所填受援县中找不到“者米乡”"},
		{"village outside the township", set(5, "曼洛村"), "【受援村】所填乡镇中找不到“曼洛村”"},
		{"township code of another county", set(4, "532530205000"), "【受援乡镇】代码 532530205000 不属于所填上级地区"},
		{"unknown giver", set(2, "某某公司"), "【帮扶单位】“某某公司”不在单位名录中"},
		{"giver left empty", set(2, ""), "【帮扶单位】请至少选择一个帮扶单位"},
		{"one of two givers unknown", set(2, "上海龙舜投资管理有限公司、不存在公司"), "“不存在公司”不在单位名录中"},
		{"same giver twice", set(2, "上海龙舜投资管理有限公司、上海龙舜投资管理有限公司"), "【帮扶单位】帮扶单位重复"},
		{"bad form", set(6, "黄金"), "【形式】“黄金”无效"},
		{"empty form", set(6, ""), "【形式】不能为空"},
		{"bad sector", set(7, "航天"), "【领域】“航天”无效"},
		{"bad 状态", set(13, "已付"), "【状态】“已付”无效"},
		{"fractional quantity", set(9, "2.5"), "【数量】“2.5”应为非负整数"},
		{"negative quantity", set(9, "-3"), "【数量】“-3”应为非负整数"},
		{"text beneficiaries", set(12, "很多"), "【受益人数】“很多”应为非负整数"},
		{"quantity without unit", set(9, "10"), "【计量单位】计量单位不能为空"},
		{"cash without amount", set(8, ""), "【金额(元)】资金和财政帮扶资金须填写金额"},
		{"goods with neither value nor quantity", strings.Replace(set(8, ""), "资金", "物资", 1), "【数量】物资和消费帮扶须填写金额或数量"},
		{"goods without item", strings.Replace(set(11, ""), "资金", "物资", 1), "【物资/内容】物资/内容不能为空"},
		{"unknown activity", set(14, "不存在的活动"), "【所属活动】找不到标题为“不存在的活动”的活动"},
		{"another unit's record", set(15, "新华路街道"), "【填报单位】只能导入本单位（程家桥街道）的记录"},
		{"item too long", set(11, strings.Repeat("长", 201)), "【物资/内容】物资/内容不能超过200个字"},
	}
	var csv strings.Builder
	csv.WriteString(head)
	for _, c := range cases {
		csv.WriteString(c.row + "\n")
	}
	csv.WriteString(good + "\n" + good + "\n") // a row and its duplicate
	b, err := run(t, db, u, "bad.csv", []byte(csv.String()), imports.Options{Mode: "all"})
	if !errors.Is(err, imports.ErrRefused) || b.Imported != 0 {
		t.Fatalf("mode all with errors: %+v, %v", b, err)
	}
	probs, _ := db.ImportProblems(ctx, u, b.ID)
	byLine := map[int64]string{}
	for _, p := range probs {
		byLine[p.Line] = p.Message
	}
	for i, c := range cases {
		if msg := byLine[int64(i+2)]; !strings.Contains(msg, c.want) {
			t.Errorf("%s (line %d): %q, want %q", c.name, i+2, msg, c.want)
		}
	}
	if msg := byLine[int64(len(cases)+3)]; !strings.Contains(msg, "完全相同（同一文件内重复）") {
		t.Errorf("duplicate row: %q", msg)
	}
	if int(b.Errors) != len(cases)+1 {
		t.Errorf("errors = %d, want %d", b.Errors, len(cases)+1)
	}
	// A county user may import only the county's own rows.
	other := strings.Replace(good, "绿春县,大兴镇", "金平县,", 1)
	b, _ = run(t, db, county, "c.csv", []byte(head+strings.Replace(other, "上海龙舜", "上海龙舜", 1)+"\n"), imports.Options{Mode: "valid"})
	probs, _ = db.ImportProblems(ctx, county, b.ID)
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "受援县用户只能导入本县的记录") {
		t.Errorf("county user: %+v", probs)
	}
}
