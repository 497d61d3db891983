package spreadsheet

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestSafeCSV(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","点击")`: `'=HYPERLINK("http://evil.example","点击")`,
		"+1+cmd|' /C calc'!A0":                   "'+1+cmd|' /C calc'!A0",
		"-2+3":                                   "'-2+3",
		"@SUM(A1)":                               "'@SUM(A1)",
		"\t=1+1":                                 "'\t=1+1",
		"\r=1+1":                                 "'\r=1+1",
		"-":                                      "'-",
		"-12.50":                                 "-12.50", // numbers stay numbers
		"+3":                                     "+3",
		"-1,234.00":                              "-1,234.00",
		"12.50":                                  "12.50",
		"0":                                      "0",
		"":                                       "",
		"体育用品":                                   "体育用品",
		"a=1":                                    "a=1",
		"'=1":                                    "''=1", // reads back as typed
		"'1":                                     "'1",
		"2020-09-01":                             "2020-09-01",
	} {
		if got := SafeCSV(in); got != want {
			t.Errorf("SafeCSV(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCSVRoundTrip: what CSVWriter neutralised reads back as it was typed.
func TestCSVRoundTrip(t *testing.T) {
	rows := [][]string{{"日期", "物资/内容", "金额(元)", "备注"},
		{"2020-09-01", `=HYPERLINK("http://evil.example","点击")`, "-12.50", "@A1"},
		{"2020-09-02", "'-'是破折号", "1,234.00", "'=一个'=号"}}
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeff日期,") || !strings.Contains(out, `"'=HYPERLINK(""http://evil.example"",""点击"")",-12.50,'@A1`) {
		t.Fatalf("written: %q", out)
	}
	r, err := Open("x.csv", bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; ; i++ {
		row, err := r.Next()
		if err == io.EOF {
			if i != len(rows) {
				t.Fatalf("read %d rows, want %d", i, len(rows))
			}
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(row, rows[i]) {
			t.Errorf("row %d: %q, want %q", i, row, rows[i])
		}
	}
}
