package imports_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// generatedBooks writes every kind of workbook xiezuo generates: the
// contributions export, every list export, every import template (the
// targets sheet's too) and a workbook of rows to fix. Each list holds a
// record dated 2020年12月31日, the widest date.
func generatedBooks(t *testing.T) map[string][]byte {
	t.Helper()
	db := testdb.OpenDemo(t, "sqlite")
	books := map[string][]byte{}
	write := func(name string, fn func(io.Writer) error) {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		books[name] = buf.Bytes()
	}
	meta := imports.ExportMeta{Filter: "受援县：绿春县", User: "admin", At: time.Now()}
	write("帮扶投入导出", func(w io.Writer) error {
		return imports.ExportContributions(ctx, db, user(t, db, "viewer"), ledger.ContributionFilter{CountyCode: "532531000000"}, meta, w)
	})
	const d = "2020-12-31"
	tables := []imports.Table{
		imports.ActivityTable([]*ledger.Activity{{DateFrom: d, DateTo: d, Title: "程家桥街道赴绿春县开展东西部扶贫协作工作"}}),
		imports.AgreementTable([]*ledger.Agreement{{SignedOn: d, Title: "新华路街道与甲寅镇2020年对口帮扶协议", PledgedFen: 50000000}}),
		imports.ProjectTable([]*ledger.Project{{Title: "白马河村姬松茸种植项目", StartOn: d, Deadline: d}}, "2021-01-01"),
		imports.LabourTable([]*ledger.LabourRecord{{DateFrom: d, DateTo: d}}),
		imports.BatchTable([]*ledger.Batch{{Date: d, Count: 27}}),
	}
	for _, tb := range tables {
		write(tb.Title+"导出", func(w io.Writer) error { return imports.WriteTable(w, tb, meta) })
	}
	for _, name := range imports.SpecOrder {
		write(name+"模板", func(w io.Writer) error { return imports.Template(ctx, db, w, imports.Specs[name]) })
	}
	write("考核目标模板", func(w io.Writer) error { return imports.Template(ctx, db, w, imports.TargetSpec) })
	unit := user(t, db, "chengjiaqiao")
	csv := "日期,截止日期,帮扶单位,受援县,形式,金额(元),物资/内容\n2020年12月30日,2020年12月31日,上海龙舜投资管理有限公司,绿春县,资金,-5,助学金\n"
	b, err := run(t, db, unit, "十二月.csv", []byte(csv), imports.Options{Mode: "all"})
	if b == nil || b.Errors != 1 {
		t.Fatalf("import: %+v, %v", b, err)
	}
	probs, err := db.ImportProblems(ctx, unit, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	write("待修改", func(w io.Writer) error { return imports.ErrorWorkbook(w, b, probs) })
	return books
}

// colsOf reads the <col> elements of every worksheet straight from the
// file's XML, as written (excelize's own getters would tidy them).
func colsOf(t *testing.T, data []byte) map[string][][2]int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][2]int{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var ws struct {
			Cols []struct {
				Min int `xml:"min,attr"`
				Max int `xml:"max,attr"`
			} `xml:"cols>col"`
		}
		err = xml.NewDecoder(rc).Decode(&ws)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, c := range ws.Cols {
			out[f.Name] = append(out[f.Name], [2]int{c.Min, c.Max})
		}
	}
	return out
}

var dateText = regexp.MustCompile(`^\d{4}(年\d{1,2}月\d{1,2}日|-\d{2}-\d{2}|/\d{1,2}/\d{1,2})$`)

// TestColumnWidths (issue 10, fault 7): in every generated sheet the
// column widths are written in ascending order, each range with min ≤ max
// and after the one before; and every column holding a date (a cell with
// the 年月日 format, or a date typed as text) is at least
// spreadsheet.DateWidth wide, so 2020年12月31日 never shows as ###.
func TestColumnWidths(t *testing.T) {
	t.Parallel()
	for name, data := range generatedBooks(t) {
		sheets := colsOf(t, data)
		if len(sheets) == 0 {
			t.Errorf("%s: no worksheets", name)
		}
		for sheet, cols := range sheets {
			if len(cols) == 0 {
				t.Errorf("%s %s: no column widths", name, sheet)
			}
			last := 0
			for _, c := range cols {
				if c[0] > c[1] || c[0] <= last {
					t.Errorf("%s %s: <col> ranges out of order: %v", name, sheet, cols)
					break
				}
				last = c[1]
			}
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dates := 0
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			checked := map[int]bool{}
			for r, row := range rows {
				for c, v := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if checked[c] || v == "" || !isDateCell(f, sheet, cell, v) {
						continue
					}
					checked[c] = true
					dates++
					col, _ := excelize.ColumnNumberToName(c + 1)
					if w, _ := f.GetColWidth(sheet, col); w < spreadsheet.DateWidth {
						t.Errorf("%s %s: column %s (%s) holds dates but is %.1f wide, want ≥ %d", name, sheet, col, rows[0][c], w, spreadsheet.DateWidth)
					}
				}
			}
		}
		if strings.HasSuffix(name, "导出") && dates == 0 || name == "待修改" && dates == 0 {
			t.Errorf("%s: no date column found", name)
		}
		f.Close()
	}
}

// isDateCell: a cell whose number format writes 年月日, or text that is a
// date (an example row, a cell of the rows to fix).
func isDateCell(f *excelize.File, sheet, cell, v string) bool {
	if dateText.MatchString(v) {
		return true
	}
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil || id == 0 {
		return false
	}
	st, err := f.GetStyle(id)
	return err == nil && st.CustomNumFmt != nil && strings.Contains(*st.CustomNumFmt, "年")
}

// TestDatesReadInLibreOffice: LibreOffice lays the list exports out and
// prints them; every date reads whole, none as ###.
func TestDatesReadInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := testdb.Soffice(t)
	pdftotext := testdb.Tool(t, "pdftotext (poppler-utils)", "/usr/bin/pdftotext")
	books := generatedBooks(t)
	dir := t.TempDir()
	var in []string
	for name, data := range books {
		if !strings.HasSuffix(name, "导出") && name != "待修改" {
			continue
		}
		p := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, p)
	}
	args := append([]string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir}, in...)
	if out, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, p := range in {
		pdf := strings.TrimSuffix(p, ".xlsx") + ".pdf"
		out, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", filepath.Base(pdf), err)
		}
		text := string(out)
		if strings.Contains(text, "###") {
			t.Errorf("%s: a column too narrow for its figures (###):\n%s", filepath.Base(p), text)
		}
		want := "2020年12月31日"
		if strings.Contains(p, "帮扶投入导出") {
			want = "2020年9月" // the demo's 绿春县 list
		}
		if !strings.Contains(text, want) {
			t.Errorf("%s: %q not in the printed sheet:\n%s", filepath.Base(p), want, text)
		}
	}
}
