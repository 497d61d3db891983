package spreadsheet

import (
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readAll opens data as name and reads every row and the header; it must
// return errors, never panic.
func readAll(name string, data []byte) {
	r, err := Open(name, bytes.NewReader(data), int64(len(data)), Options{MaxBytes: 1 << 20, UnzipLimit: 4 << 20})
	if err != nil {
		return
	}
	defer r.Close()
	r.FindHeader([]string{"日期"}, []string{"日期", "金额(元)"}, nil)
	for i := 0; i < 10000; i++ {
		if _, err := r.Next(); err != nil {
			if err != io.EOF {
				return
			}
			return
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"日期,金额(元)\n2020-09-01,100\n", "\ufeff日期,金额（元）\n\"a\"\"b\",1\n", "\"unterminated", "\xc8\xd5\xc6\xda,x\n", ",,,\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { readAll("f.csv", data) })
}

func FuzzReadXLSX(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"日期", "金额(元)"})
	x.SetSheetRow("Sheet1", "A2", &[]any{44075, "3万"})
	var buf bytes.Buffer
	x.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) { readAll("f.xlsx", data) })
}
