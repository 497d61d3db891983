package spreadsheet

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// formulaStart are the first characters that make Excel, WPS or LibreOffice
// read a CSV cell as a formula (OWASP “CSV Injection”): = + - @, and tab
// and carriage return, which some of them skip before looking.
const formulaStart = "=+-@\t\r"

// plainNumber is a cell read as a number, never as a formula: -12.50,
// +3, 1,234.00.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9][0-9,]*(\.[0-9]+)?$`)

// SafeCSV returns s as a CSV cell a spreadsheet will not run: text that
// starts like a formula gets a leading ' (as OWASP advises), so
// =HYPERLINK(…) shows as text. Numbers, negative ones included, stay
// numbers. Every CSV the product writes passes each cell through here.
func SafeCSV(s string) string {
	if formulaLike(s) || guarded(s) { // '=… typed so gets a second ': it reads back as typed
		return "'" + s
	}
	return s
}

func formulaLike(s string) bool {
	return s != "" && strings.ContainsRune(formulaStart, rune(s[0])) && !plainNumber.MatchString(s)
}

// unguard takes back the ' that SafeCSV put before a formula-like text, so
// an exported list imports again as it was, from the CSV or from a workbook
// saved from it (Excel shows and keeps the ' of a CSV cell).
func unguard(s string) string {
	if guarded(s) {
		return s[1:]
	}
	return s
}

// guarded reports whether s is a formula-like text behind one or more '.
func guarded(s string) bool {
	t := strings.TrimLeft(s, "'")
	return len(t) < len(s) && formulaLike(t)
}

// CSVWriter writes CSV for Excel and WPS: UTF-8 with a byte-order mark
// (else Chinese Excel reads it as GBK) and every cell through SafeCSV.
type CSVWriter struct {
	w   *csv.Writer
	rec []string
}

// NewCSVWriter writes the byte-order mark to w and returns the writer.
func NewCSVWriter(w io.Writer) *CSVWriter {
	io.WriteString(w, "\ufeff") // a failing w fails the writes too: Error reports it
	return &CSVWriter{w: csv.NewWriter(w)}
}

// Write writes one record, each cell made safe.
func (c *CSVWriter) Write(record []string) error {
	c.rec = c.rec[:0]
	for _, s := range record {
		c.rec = append(c.rec, SafeCSV(s))
	}
	return c.w.Write(c.rec)
}

// Flush writes any buffered data to the underlying writer.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
