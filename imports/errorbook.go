package imports

import (
	"io"
	"slices"
	"strconv"

	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// ErrorWorkbook writes the rows of a batch that were not imported, as they
// stood in the file, with 行号 and 错误说明 columns first, so a unit fixes
// them in place and uploads this workbook again (the importer finds the
// header by name and ignores the two added columns).
func ErrorWorkbook(w io.Writer, b *store.ImportBatch, problems []store.ImportProblem) error {
	book, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	header := append([]string{"原行号", "错误说明"}, b.Header...)
	widths := []float64{8, 50}
	for _, h := range b.Header {
		widths = append(widths, headerWidth(h))
	}
	sh, err := book.AddSheet("待修改", widths)
	if err != nil {
		return err
	}
	sh.Freeze(1)
	sh.Header(header, map[string]bool{"错误说明": true})
	for _, p := range problems {
		if p.Resolution != "" {
			continue
		}
		row := []any{strconv.FormatInt(p.Line, 10), p.Message}
		for _, c := range p.Cells {
			row = append(row, c)
		}
		sh.Row(row...)
	}
	if err := sh.Close(); err != nil {
		return err
	}
	_, err = book.WriteTo(w)
	return err
}

// headerWidth is the width the templates give a column named h (so a date
// column the unit typed keeps its date width), or 14 for a header no
// template has.
func headerWidth(h string) float64 {
	for _, name := range SpecOrder {
		for _, c := range Specs[name].Columns {
			if c.Header == h || slices.Contains(c.Aliases, h) {
				return c.Width
			}
		}
	}
	return 14
}
