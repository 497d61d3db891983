package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/report"
)

// TestAuditCheckpointPrinted: a published bulletin's print view, the
// .xlsx exports' note sheet and the CSV exports' header carry the audit
// log's head (issue 9, fault 7), and the audit page shows it.
func TestAuditCheckpointPrinted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := &report.Bulletin{Year: 2020, Numbers: "9", From: "2020-09-01", To: "2020-09-30"}
	if err := e.db.CreateBulletin(ctx, e.user("admin"), b); err != nil {
		t.Fatal(err)
	}
	admin := e.client("admin")
	if _, body := do(t, admin, "GET", fmt.Sprintf("%s/bulletins/%d/print", e.srv.URL, b.ID), "", ""); strings.Contains(body, "审计检查点") {
		t.Fatal("a draft's print view has a checkpoint")
	}
	if err := e.db.PublishBulletin(ctx, e.user("admin"), b.ID); err != nil {
		t.Fatal(err)
	}
	cp, err := e.db.AuditCheckpoint(ctx)
	if err != nil || cp.Seq == 0 {
		t.Fatal(cp, err)
	}
	_, body := do(t, e.client(""), "GET", fmt.Sprintf("%s/bulletins/%d/print", e.srv.URL, b.ID), "", "")
	if !strings.Contains(body, "审计检查点："+cp.Short()) {
		t.Fatalf("print view without the checkpoint %s", cp.Short())
	}
	if _, body := do(t, admin, "GET", e.srv.URL+"/audit", "", ""); !strings.Contains(body, cp.Short()) || !strings.Contains(body, "没有审计密钥") {
		t.Fatal("audit page without the checkpoint, or claims a key")
	}
	for _, f := range []string{"contributions", "activities"} {
		resp, body := do(t, admin, "GET", e.srv.URL+"/export/"+f+".xlsx", "", "")
		if resp.StatusCode != 200 || !xlsxContains(t, body, "审计检查点", cp.Short()) {
			t.Fatalf("%s.xlsx: status %d, no checkpoint", f, resp.StatusCode)
		}
		resp, body = do(t, admin, "GET", e.srv.URL+"/export/"+f+".csv", "", "")
		if h := resp.Header.Get("X-Xiezuo-Audit-Checkpoint"); !strings.Contains(h, fmt.Sprintf("seq=%d; hash=%s", cp.Seq, cp.Hash)) || strings.Contains(body, "审计检查点") {
			t.Fatalf("%s.csv: header %q", f, h)
		}
	}
}

// xlsxContains reports whether the workbook's XML has all of texts.
func xlsxContains(t *testing.T, book string, texts ...string) bool {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader([]byte(book)), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		all.Write(b)
	}
	for _, s := range texts {
		if !strings.Contains(all.String(), s) {
			return false
		}
	}
	return true
}
