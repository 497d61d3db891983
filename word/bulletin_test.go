package word_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
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
	sums, err := db.DashboardSums(ctx, b.Scope())
	if err != nil {
		t.Fatal(err)
	}
	b.Figures = report.BoxFigures(sums)
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

// BenchmarkBulletinDocx makes a bulletin of 200 approved activities as
// the office does: propose the period's items, compute the figures box,
// write the Word file (the target: under a second).
func BenchmarkBulletinDocx(b *testing.B) {
	ctx := context.Background()
	db := testdb.OpenDemo(b, "sqlite")
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	unit, _ := db.OrgByName(ctx, "程家桥街道")
	body := strings.Repeat("长宁区程家桥街道组团赴红河州绿春县考察东西部扶贫协作工作，召开座谈会并签署携手奔小康行动协议。", 5)
	existing, _, _ := db.ListActivities(ctx, admin, store.RecordFilter{Status: ledger.StatusApproved, From: "2021-03-01", To: "2021-10-31", Limit: 500})
	for i := len(existing); i < 200; i++ {
		a := &ledger.Activity{Header: ledger.Header{UnitID: unit.ID}, Kind: "考察调研", Title: "程家桥街道赴绿春县开展对口帮扶工作（第" + strconv.Itoa(i+1) + "批）",
			DateFrom: fmt.Sprintf("2021-%02d-%02d", 3+i/28, 1+i%28), Section: ledger.Sections[i%4], CountyCode: "532531000000", Narrative: body}
		if err := db.SaveActivity(ctx, admin, a); err != nil {
			b.Fatal(err)
		}
		for _, step := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, admin, ledger.KindActivity, a.ID, step, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		bl := &report.Bulletin{Issuer: report.DefaultIssuer, Year: 2021, Numbers: "3—10", From: "2021-03-01", To: "2021-10-31"}
		if bl.Items, err = db.ProposeItems(ctx, admin, bl.From, bl.To); err != nil || len(bl.Items) != 200 {
			b.Fatalf("%d items, %v", len(bl.Items), err)
		}
		sums, err := db.DashboardSums(ctx, bl.Scope())
		if err != nil {
			b.Fatal(err)
		}
		bl.Figures = report.BoxFigures(sums)
		var buf bytes.Buffer
		if err := word.Bulletin(&buf, bl); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KB")
	}
}
