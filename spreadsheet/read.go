// Package spreadsheet reads and writes the tables people exchange: .xlsx
// (Excel, WPS, LibreOffice) and .csv (UTF-8 with or without BOM, or
// GB18030/GBK as Chinese Excel saves it). Reading streams rows, finds the
// header row by name below any title rows, and refuses files that are too
// large, compressed too far (zip bombs) or in the old .xls format, with a
// Chinese message.
package spreadsheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
	"golang.org/x/text/width"
)

// DefaultMaxBytes is the largest file Open accepts unless told otherwise.
const DefaultMaxBytes = 64 << 20

// Options limit what Open accepts.
type Options struct {
	MaxBytes   int64 // file size; 0 means DefaultMaxBytes
	UnzipLimit int64 // unpacked size of an .xlsx; 0 means 1 GiB
}

// Reader yields the rows of the first sheet (or the CSV) one at a time.
type Reader struct {
	next  func() ([]string, error)
	close func() error
	line  int
	Sheet string
}

// ErrTooLarge is returned (wrapped) for files over the size limit.
var ErrTooLarge = errors.New("file too large")

// Open reads a table from r of the given size; name's extension chooses the
// format. The size is checked before anything is read.
func Open(name string, r io.ReaderAt, size int64, opt Options) (*Reader, error) {
	max := opt.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	if size > max {
		return nil, fmt.Errorf("%w: 文件 %.1f MB，超过上限 %d MB，请拆分后分批导入", ErrTooLarge, float64(size)/(1<<20), max>>20)
	}
	if size == 0 {
		return nil, errors.New("文件是空的")
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return openXLSX(r, size, opt.UnzipLimit)
	case ".csv", ".txt":
		return openCSV(io.NewSectionReader(r, 0, size))
	case ".xls":
		return nil, errors.New("不支持旧版 .xls 格式：请在 Excel 或 WPS 中“另存为” .xlsx 后再上传")
	case ".et", ".ods", ".numbers":
		return nil, errors.New("不支持该格式：请另存为 .xlsx 或 .csv 后再上传")
	}
	return nil, fmt.Errorf("无法识别的文件类型 %q：请上传 .xlsx 或 .csv 文件", filepath.Ext(name))
}

func openXLSX(r io.ReaderAt, size, unzipLimit int64) (*Reader, error) {
	if unzipLimit <= 0 {
		// A workbook may unpack to at most 1 GiB; beyond that it is a zip
		// bomb, or not a table people type.
		unzipLimit = 1 << 30
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: min(16<<20, unzipLimit),
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, errors.New("文件解压后过大（可能是异常文件），已拒绝")
		}
		return nil, fmt.Errorf("无法读取 .xlsx 文件（文件可能已损坏，或不是 Excel 文件）：%v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("工作簿中没有工作表")
	}
	// The data sheet is the first sheet that is not an instructions sheet.
	sheet := sheets[0]
	for _, s := range sheets {
		if s != "填写说明" && s != "选项" && s != "说明" {
			sheet = s
			break
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("无法读取工作表“%s”：%v", sheet, err)
	}
	rd := &Reader{Sheet: sheet}
	rd.next = func() ([]string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		return rows.Columns(excelize.Options{RawCellValue: true})
	}
	rd.close = func() error { rows.Close(); return f.Close() }
	return rd, nil
}

func openCSV(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	var src io.Reader = br
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	} else if !validUTF8Prefix(head) {
		// Chinese Excel saves CSV in GB18030 (a superset of GBK and GB2312).
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	c := csv.NewReader(src)
	c.FieldsPerRecord = -1
	c.LazyQuotes = true
	c.ReuseRecord = false
	rd := &Reader{Sheet: "CSV"}
	rd.next = func() ([]string, error) {
		rec, err := c.Read()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("CSV 格式错误：%v", err)
		}
		return rec, err
	}
	rd.close = func() error { return nil }
	return rd, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// Next returns the next row, io.EOF at the end. Line gives its number.
func (r *Reader) Next() ([]string, error) {
	row, err := r.next()
	if err == nil {
		r.line++
		for i, c := range row {
			row[i] = unguard(c)
		}
	}
	return row, err
}

// Line is the 1-based sheet row number of the row Next returned last.
func (r *Reader) Line() int { return r.line }

// Close releases the file.
func (r *Reader) Close() error { return r.close() }

// Normalize makes a cell comparable: full-width letters, digits, brackets
// and spaces become ASCII ones, and surrounding space is trimmed.
func Normalize(s string) string {
	return strings.TrimSpace(width.Narrow.String(s))
}

// headerKey folds a header for matching: normalized, no spaces, no brackets.
func headerKey(s string) string {
	s = Normalize(s)
	return strings.NewReplacer(" ", "", "(", "", ")", "", "*", "", "\n", "", "（", "", "）", "").Replace(s)
}

// Header maps a header name to its column index.
type Header map[string]int

// FindHeader reads up to 20 rows looking for the header row: the first row
// that contains every name in required (or one of its aliases). Title rows
// above it are skipped. aliases maps a header to other names people use.
// It returns the column index of each known header found, and the header
// row as it stands in the file.
func (r *Reader) FindHeader(required []string, known []string, aliases map[string][]string) (Header, []string, error) {
	want := map[string]string{} // folded name → canonical header
	for _, h := range known {
		want[headerKey(h)] = h
		for _, a := range aliases[h] {
			want[headerKey(a)] = h
		}
	}
	for i := 0; i < 20; i++ {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, err
		}
		h := Header{}
		for col, cell := range row {
			if name, ok := want[headerKey(cell)]; ok {
				if _, dup := h[name]; !dup {
					h[name] = col
				}
			}
		}
		missing := []string{}
		for _, req := range required {
			if _, ok := h[req]; !ok {
				missing = append(missing, req)
			}
		}
		if len(missing) == 0 {
			return h, row, nil
		}
		if len(h) >= 3 { // clearly the header row, but incomplete
			return nil, nil, fmt.Errorf("第%d行的表头缺少必填列：%s", r.Line(), strings.Join(missing, "、"))
		}
	}
	return nil, nil, fmt.Errorf("前20行中找不到表头：表头须包含 %s；请使用平台提供的模板", strings.Join(required, "、"))
}

// Cell returns row's value in column name with surrounding space (also the
// ideographic space) trimmed; "" when absent. Text keeps its full-width
// punctuation; parsers of numbers and dates normalize further.
func (h Header) Cell(row []string, name string) string {
	i, ok := h[name]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(row[i], "\u3000", " "))
}

// Blank reports whether every cell of row is empty.
func Blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
