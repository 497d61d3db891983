package imports

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// Table is a list ready to export: typed cells (string, int64,
// spreadsheet.Date, spreadsheet.Money, spreadsheet.Wan) and a totals row.
type Table struct {
	Title   string
	Headers []string
	Widths  []float64
	Rows    [][]any
	Total   []any
	// Notes are rows added to the 说明 sheet (label, text).
	Notes [][]any
}

// WriteTable writes t as .xlsx with a 说明 sheet.
func WriteTable(w io.Writer, t Table, meta ExportMeta) error {
	b, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	sh, err := b.AddSheet(t.Title, t.Widths)
	if err != nil {
		return err
	}
	sh.Freeze(1)
	sh.Header(t.Headers, nil)
	for _, r := range t.Rows {
		if err := sh.Row(r...); err != nil {
			return err
		}
	}
	if t.Total != nil {
		sh.Total(t.Total...)
	}
	if err := sh.Close(); err != nil {
		return err
	}
	if err := writeNote(b, t.Title+"清单", meta, int64(len(t.Rows)), t.Notes...); err != nil {
		return err
	}
	_, err = b.WriteTo(w)
	return err
}

// writeNote adds the 说明 sheet every export has, with extra rows after
// the filter, time, user and row count.
func writeNote(b *spreadsheet.Book, title string, meta ExportMeta, rows int64, extra ...[]any) error {
	note, err := b.AddSheet("说明", []float64{16, 60})
	if err != nil {
		return err
	}
	note.Title(title)
	note.Row("筛选条件", meta.Filter)
	note.Row("导出时间", meta.At.In(xiezuo.China).Format("2006-01-02 15:04"))
	note.Row("导出人", meta.User)
	note.Row("记录数", rows)
	for _, e := range extra {
		note.Row(e...)
	}
	if meta.Checkpoint != "" {
		// On the note sheet, not the data sheet: an export imported back
		// reads the data sheet only.
		note.Row("审计检查点", meta.Checkpoint)
	}
	return note.Close()
}

// csvCell writes a typed cell as CSV text.
func csvCell(v any) string {
	switch x := v.(type) {
	case spreadsheet.Date:
		return string(x)
	case spreadsheet.Money:
		return strconv.FormatFloat(float64(x)/100, 'f', 2, 64)
	case spreadsheet.Wan:
		return strconv.FormatFloat(float64(x)/1000000, 'f', 2, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	}
	return ""
}

// WriteTableCSV writes t as CSV, UTF-8 with a BOM for Excel; text that
// starts like a formula is neutralised (spreadsheet.SafeCSV).
func WriteTableCSV(w io.Writer, t Table) error {
	var buf bytes.Buffer
	cw := spreadsheet.NewCSVWriter(&buf)
	cw.Write(t.Headers)
	for _, r := range append(t.Rows, t.Total) {
		if r == nil {
			continue
		}
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = csvCell(v)
		}
		cw.Write(rec)
	}
	cw.Flush()
	_, err := w.Write(buf.Bytes())
	return err
}

func orgNames(orgs []ledger.Org) string {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name
	}
	return strings.Join(names, "、")
}

func dateOrNil(d string) any {
	if d == "" {
		return nil
	}
	return spreadsheet.Date(d)
}

// ActivityTable is the activities list for export.
func ActivityTable(items []*ledger.Activity) Table {
	t := Table{Title: "活动", Headers: []string{"编号", "开始日期", "截止日期", "活动", "类型", "简报栏目", "填报单位", "受援县", "地点", "带队领导", "参加单位", "人数", "审核状态"},
		Widths: []float64{6, spreadsheet.DateWidth, spreadsheet.DateWidth, 40, 10, 10, 20, 12, 30, 20, 30, 6, 8}}
	for _, a := range items {
		t.Rows = append(t.Rows, []any{a.ID, spreadsheet.Date(a.DateFrom), dateOrNil(a.DateTo), a.Title, a.Kind, a.Section, a.UnitName, a.CountyName,
			a.Places, a.Leader, orgNames(a.Participants), a.Headcount, a.Status.Label()})
	}
	return t
}

// AgreementTable is the agreements list for export.
func AgreementTable(items []*ledger.Agreement) Table {
	t := Table{Title: "协议", Headers: []string{"编号", "签订日期", "年度", "协议", "结对关系", "填报单位", "协议金额(元)", "审核状态"},
		Widths: []float64{6, spreadsheet.DateWidth, 6, 40, 50, 20, 14, 8}}
	var sum int64
	for _, a := range items {
		sum += a.PledgedFen
		t.Rows = append(t.Rows, []any{a.ID, spreadsheet.Date(a.SignedOn), int64(a.Year), a.Title, strings.Join(a.Pairings, "；"), a.UnitName,
			spreadsheet.Money(a.PledgedFen), a.Status.Label()})
	}
	t.Total = []any{"合计", nil, nil, nil, nil, nil, spreadsheet.Money(sum), nil}
	return t
}

// ProjectTable is the projects list for export, with the overdue flag of today.
func ProjectTable(items []*ledger.Project, today string) Table {
	t := Table{Title: "项目", Headers: []string{"编号", "项目", "受援县", "乡镇", "村", "领域", "资金来源", "预算(元)", "开工日期", "完成时限", "进度(%)", "项目状态", "是否逾期", "审核状态"},
		Widths: []float64{6, 36, 12, 12, 14, 10, 18, 14, spreadsheet.DateWidth, spreadsheet.DateWidth, 8, 8, 8, 8}}
	var sum int64
	for _, p := range items {
		sum += p.BudgetFen
		overdue := ""
		if p.Overdue(today) {
			overdue = "逾期"
		}
		t.Rows = append(t.Rows, []any{p.ID, p.Title, p.CountyName, p.TownshipName, p.VillageName, ledger.LabelOf(ledger.Sectors, p.Sector), p.FundingSource,
			spreadsheet.Money(p.BudgetFen), dateOrNil(p.StartOn), spreadsheet.Date(p.Deadline), int64(p.Progress), ledger.LabelOf(ledger.ProjectStates, p.WorkState), overdue, p.Status.Label()})
	}
	t.Total = []any{"合计", nil, nil, nil, nil, nil, nil, spreadsheet.Money(sum), nil, nil, nil, nil, nil, nil}
	return t
}

// LabourTable is the labour records list for export.
func LabourTable(items []*ledger.LabourRecord) Table {
	t := Table{Title: "劳务协作", Headers: []string{"编号", "开始日期", "截止日期", "县", "类型", "培训人数", "就业人数", "其中建档立卡", "就业去向", "填报单位", "审核状态"},
		Widths: []float64{6, spreadsheet.DateWidth, spreadsheet.DateWidth, 12, 16, 10, 10, 12, 20, 20, 8}}
	var tr, pl, po int64
	for _, l := range items {
		tr, pl, po = tr+l.Trained, pl+l.Placed, po+l.PoorCount
		t.Rows = append(t.Rows, []any{l.ID, spreadsheet.Date(l.DateFrom), dateOrNil(l.DateTo), l.CountyName, l.Kind, l.Trained, l.Placed, l.PoorCount, l.Destination, l.UnitName, l.Status.Label()})
	}
	t.Total = []any{"合计", nil, nil, nil, nil, tr, pl, po, nil, nil, nil}
	return t
}

// BatchTable is the beneficiary batches list for export.
func BatchTable(items []*ledger.Batch) Table {
	t := Table{Title: "受益批次", Headers: []string{"编号", "日期", "县", "类型", "批次", "人数", "计量单位", "填报单位", "审核状态", "手填人数", "名册人数"},
		Widths: []float64{6, spreadsheet.DateWidth, 12, 18, 12, 8, 10, 20, 8, 8, 8}}
	for _, b := range items {
		t.Rows = append(t.Rows, []any{b.ID, spreadsheet.Date(b.Date), b.CountyName, b.Kind, b.Label, b.Total(), b.CountUnit, b.UnitName, b.Status.Label(),
			b.Count, b.RegisterCount})
	}
	return t
}
