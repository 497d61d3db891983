package word_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/word"
)

// squeeze drops white space, so text wrapped across lines still matches.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestBulletinInLibreOffice makes the demo's 2020年第9、10期 as Word, has
// LibreOffice print it to PDF, and finds the masthead, every section,
// every item's headline, the figures box and the page numbers in the text.
func TestBulletinInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := testdb.Soffice(t)
	pdftotext := testdb.Tool(t, "pdftotext (poppler-utils)", "/usr/bin/pdftotext")
	ctx := context.Background()
	db := testdb.OpenDemo(t, "sqlite")
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	b := &report.Bulletin{Issuer: report.DefaultIssuer, Year: 2020, Numbers: "9、10", From: "2020-08-01", To: "2020-10-31"}
	if b.Items, err = db.ProposeItems(ctx, admin, b.From, b.To); err != nil {
		t.Fatal(err)
	}
	if b.Figures, err = db.BulletinFigures(ctx, b.From, b.To); err != nil {
		t.Fatal(err)
	}
	if len(b.Items) < 30 {
		t.Fatalf("only %d items proposed", len(b.Items))
	}
	var buf bytes.Buffer
	if err := word.Bulletin(&buf, b); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "bulletin.docx")
	os.WriteFile(in, buf.Bytes(), 0o644)
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-layout", filepath.Join(dir, "bulletin.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := squeeze(string(out))
	want := []string{report.DefaultIssuer, "2020年第9、10期", "【本期数据】", "帮扶投入合计", "各受援县帮扶投入", "-1-", "-2-"}
	for _, s := range b.Sections() {
		want = append(want, "【"+s.Name+"】")
	}
	for _, it := range b.Items {
		want = append(want, it.Headline)
	}
	for _, w := range want {
		if !strings.Contains(text, squeeze(w)) {
			t.Errorf("the PDF lacks %q", w)
		}
	}
	if len(b.Sections()) != 4 {
		t.Errorf("sections: %d", len(b.Sections()))
	}
}

// BenchmarkBulletinDocx writes a 200-item bulletin (the target:
// under a second).
func BenchmarkBulletinDocx(b *testing.B) {
	bl := &report.Bulletin{Issuer: report.DefaultIssuer, Year: 2020, Numbers: "9、10", From: "2020-09-01", To: "2020-10-31"}
	body := strings.Repeat("9月1日至4日，长宁区科委科协、程家桥街道办事处组团赴红河州绿春县考察东西部扶贫协作工作。", 6)
	for i := range 200 {
		bl.Items = append(bl.Items, report.BulletinItem{Seq: i + 1, Section: []string{"扶贫协作", "对口支援", "前方工作", "工作动态"}[i%4],
			Headline: "长宁区某街道赴绿春县开展对口帮扶工作（第" + strings.Repeat("一", i%5+1) + "次）", Body: body + "\n" + body})
	}
	bl.Figures = []report.Figure{{Code: "total", Label: "帮扶投入合计", Unit: "万元", Money: true, Value: 311208800}, {Code: "county:532531000000", Label: "绿春县", Unit: "万元", Money: true, Value: 311208800}}
	for b.Loop() {
		var buf bytes.Buffer
		if err := word.Bulletin(&buf, bl); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KB")
	}
}
