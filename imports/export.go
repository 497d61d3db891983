package imports

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// exportExtra are the columns an export adds after the template's: the
// importer ignores them, so an exported list imports again.
var exportExtra = []string{"金额(万元)", "审核状态", "编号"}

// ExportMeta describes an export for its note sheet.
type ExportMeta struct {
	Filter string // the filter in words
	User   string
	At     time.Time
	// Checkpoint is the audit log's head at the export, short form
	// (store.Checkpoint.Short); the note sheet shows it.
	Checkpoint string
}

// contributionCells returns a contribution's cells in template order plus
// the extra columns. Dates and amounts are typed for the workbook.
func contributionCells(c *ledger.Contribution) []any {
	givers := ""
	for i, g := range c.Givers {
		if i > 0 {
			givers += "、"
		}
		givers += g.Name
	}
	to := any(nil)
	if c.DateTo != "" && c.DateTo != c.DateFrom {
		to = spreadsheet.Date(c.DateTo)
	}
	num := func(n int64) any {
		if n == 0 {
			return nil
		}
		return n
	}
	activity := any(nil)
	if c.ActivityID != 0 {
		activity = c.ActivityTitle
	}
	return []any{spreadsheet.Date(c.DateFrom), to, givers, c.CountyName, c.TownshipName, c.VillageName, c.Institution,
		ledger.LabelOf(ledger.Forms, c.Form), ledger.LabelOf(ledger.Sectors, c.Sector), spreadsheet.Money(c.AmountFen),
		num(c.Quantity), c.QuantityUnit, c.Item, num(c.Beneficiaries), ledger.LabelOf(ledger.Deliveries, c.Delivery), activity, c.Note,
		c.UnitName, spreadsheet.Wan(c.AmountFen), c.Status.Label(), c.ID}
}

// ExportContributions writes every contribution f matches that u may see
// as .xlsx: styled header, real dates, amounts in 元 and 万元, a totals row,
// and a 说明 sheet with the filter, time and user.
func ExportContributions(ctx context.Context, db *store.DB, u *xiezuo.User, f ledger.ContributionFilter, meta ExportMeta, w io.Writer) error {
	b, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	headers := append(ContributionSpec.Headers(), exportExtra...)
	widths := make([]float64, 0, len(headers))
	for _, c := range ContributionSpec.Columns {
		widths = append(widths, c.Width)
	}
	widths = append(widths, 12, 10, 8)
	sh, err := b.AddSheet(ContributionSpec.Title, widths)
	if err != nil {
		return err
	}
	sh.Freeze(1)
	sh.Header(headers, nil)
	var tot ledger.Totals
	err = db.EachContribution(ctx, u, f, func(c *ledger.Contribution) error {
		tot.Count++
		tot.AmountFen += c.AmountFen
		return sh.Row(contributionCells(c)...)
	})
	if err != nil {
		return err
	}
	total := make([]any, len(headers))
	total[0] = "合计（" + strconv.FormatInt(tot.Count, 10) + " 笔）"
	total[9] = spreadsheet.Money(tot.AmountFen)
	total[len(ContributionSpec.Columns)] = spreadsheet.Wan(tot.AmountFen)
	sh.Total(total...)
	if err := sh.Close(); err != nil {
		return err
	}
	if err := writeNote(b, "帮扶投入清单", meta, tot.Count,
		[]any{"金额合计（元）", spreadsheet.Money(tot.AmountFen)}, []any{"金额合计（万元）", spreadsheet.Wan(tot.AmountFen)},
		[]any{"说明", "金额以元计（精确到分）；本表前17列与导入模板一致，可修改后重新导入。"}); err != nil {
		return err
	}
	_, err = b.WriteTo(w)
	return err
}

// ExportContributionsCSV writes the same columns as CSV, UTF-8 with a BOM
// so that Excel opens it in Chinese; amounts in 元 with two decimals; text
// that starts like a formula is neutralised (spreadsheet.SafeCSV).
func ExportContributionsCSV(ctx context.Context, db *store.DB, u *xiezuo.User, f ledger.ContributionFilter, w io.Writer) error {
	var buf bytes.Buffer
	cw := spreadsheet.NewCSVWriter(&buf)
	cw.Write(append(ContributionSpec.Headers(), exportExtra...))
	err := db.EachContribution(ctx, u, f, func(c *ledger.Contribution) error {
		cells := contributionCells(c)
		rec := make([]string, len(cells))
		for i, v := range cells {
			rec[i] = csvCell(v)
		}
		cw.Write(rec)
		if buf.Len() > 1<<20 {
			cw.Flush()
			if _, err := w.Write(buf.Bytes()); err != nil {
				return err
			}
			buf.Reset()
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	_, err = w.Write(buf.Bytes())
	return err
}
