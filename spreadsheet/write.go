package spreadsheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo"
)

// Date is a civil date (YYYY-MM-DD) written as a real Excel date.
type Date string

// Money is an amount in fen written as 元 with two decimals.
type Money int64

// Wan is an amount in fen written as 万元 with two decimals.
type Wan int64

// DateWidth is the width (in Excel's character units) of a column that
// holds dates: 2020年12月31日, the longest date the 日期 format writes, is
// 8 digits and 3 full-width characters, about 14 units in 宋体 11 (a
// full-width character is two digits wide); 16 leaves the cell's padding,
// so no reader shows ### (LibreOffice substitutes a slightly wider font).
// Every sheet that writes a Date column uses it.
const DateWidth = 16

// Book is a workbook being written. Sheets are streamed, so a list of a
// million rows costs little memory.
type Book struct {
	f      *excelize.File
	styles map[string]int
	first  bool
}

// NewBook starts a workbook.
func NewBook() (*Book, error) {
	f := excelize.NewFile()
	b := &Book{f: f, styles: map[string]int{}, first: true}
	font := &excelize.Font{Family: "宋体", Size: 11}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	defs := map[string]*excelize.Style{
		"header":   {Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8ECF1"}, Pattern: 1}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		"required": {Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true, Color: "B42318"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E8ECF1"}, Pattern: 1}, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		"text":     {Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}},
		"date":     {Font: font, Border: border, CustomNumFmt: ptr("yyyy\"年\"m\"月\"d\"日\""), Alignment: &excelize.Alignment{Vertical: "top"}},
		"money":    {Font: font, Border: border, NumFmt: 4, Alignment: &excelize.Alignment{Vertical: "top"}},
		"int":      {Font: font, Border: border, NumFmt: 3, Alignment: &excelize.Alignment{Vertical: "top"}},
		"total":    {Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"F7F2E9"}, Pattern: 1}, Border: border},
		"totalnum": {Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"F7F2E9"}, Pattern: 1}, Border: border, NumFmt: 4},
		"example":  {Font: &excelize.Font{Family: "宋体", Size: 11, Italic: true, Color: "7F7F7F"}, Border: border},
		"title":    {Font: &excelize.Font{Family: "宋体", Size: 14, Bold: true}},
	}
	for name, st := range defs {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, err
		}
		b.styles[name] = id
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }

// File exposes the workbook for what Book does not wrap (validations).
func (b *Book) File() *excelize.File { return b.f }

// Sheet is a sheet being streamed row by row.
type Sheet struct {
	b    *Book
	name string
	sw   *excelize.StreamWriter
	row  int
}

// AddSheet adds a sheet with column widths; the first call renames the
// default sheet.
func (b *Book) AddSheet(name string, widths []float64) (*Sheet, error) {
	if b.first {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
		b.first = false
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	// excelize's StreamWriter puts each SetColWidth range before the ones
	// set earlier, so widths go in from the last column to the first: the
	// <col> elements then come out in ascending order, as the file format
	// asks (Excel repairs a descending list, and readers differ on it).
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return nil, err
		}
	}
	return &Sheet{b: b, name: name, sw: sw}, nil
}

// Freeze keeps the first n rows visible when scrolling.
func (s *Sheet) Freeze(rows int) error {
	return s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: fmt.Sprintf("A%d", rows+1), ActivePane: "bottomLeft"})
}

// Header writes a header row; the columns listed in required are red.
func (s *Sheet) Header(cells []string, required map[string]bool) error {
	row := make([]any, len(cells))
	for i, c := range cells {
		st := s.b.styles["header"]
		if required[c] {
			st = s.b.styles["required"]
		}
		row[i] = excelize.Cell{StyleID: st, Value: c}
	}
	return s.write(row, &excelize.RowOpts{Height: 22})
}

// Title writes a bold title row.
func (s *Sheet) Title(text string) error {
	return s.write([]any{excelize.Cell{StyleID: s.b.styles["title"], Value: text}}, nil)
}

// Row writes values: string, int64, Date, Money, Wan or nil.
func (s *Sheet) Row(values ...any) error { return s.styled("", values) }

// Example writes a grey italic example row.
func (s *Sheet) Example(values ...any) error { return s.styled("example", values) }

// Total writes a totals row (bold, shaded).
func (s *Sheet) Total(values ...any) error { return s.styled("total", values) }

func (s *Sheet) styled(style string, values []any) error {
	row := make([]any, len(values))
	for i, v := range values {
		st := s.b.styles["text"]
		var val any = v
		switch x := v.(type) {
		case Date:
			if serial, ok := xiezuo.ExcelSerial(string(x)); ok {
				st, val = s.b.styles["date"], serial
			} else {
				val = string(x)
			}
		case Money:
			st, val = s.b.styles["money"], float64(x)/100
		case Wan:
			st, val = s.b.styles["money"], float64(x)/1000000
		case int64:
			st = s.b.styles["int"]
		case nil:
			val = ""
		}
		switch style {
		case "example":
			st = s.b.styles["example"]
		case "total":
			if st == s.b.styles["money"] {
				st = s.b.styles["totalnum"]
			} else {
				st = s.b.styles["total"]
			}
		}
		row[i] = excelize.Cell{StyleID: st, Value: val}
	}
	return s.write(row, nil)
}

func (s *Sheet) write(row []any, opts *excelize.RowOpts) error {
	s.row++
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	if opts != nil {
		return s.sw.SetRow(cell, row, *opts)
	}
	return s.sw.SetRow(cell, row)
}

// Rows is how many rows were written.
func (s *Sheet) Rows() int { return s.row }

// Close finishes the sheet; call before adding validations.
func (s *Sheet) Close() error { return s.sw.Flush() }

// WriteTo writes the workbook.
func (b *Book) WriteTo(w io.Writer) (int64, error) {
	defer b.f.Close()
	return b.f.WriteTo(w)
}
