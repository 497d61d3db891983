package imports_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
)

// TestExportOpensInLibreOffice: a real reader opens the exported workbook
// and prints it to PDF.
func TestExportOpensInLibreOffice(t *testing.T) {
	t.Parallel()
	soffice := testdb.Soffice(t)
	db := testdb.OpenDemo(t, "sqlite")
	dir := t.TempDir()
	var buf bytes.Buffer
	meta := imports.ExportMeta{Filter: "受援县：绿春县", User: "admin", At: time.Now()}
	if err := imports.ExportContributions(ctx, db, user(t, db, "viewer"), ledger.ContributionFilter{CountyCode: "532531000000"}, meta, &buf); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "绿春县帮扶投入.xlsx")
	os.WriteFile(in, buf.Bytes(), 0o644)
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "绿春县帮扶投入.pdf"))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 2000 {
		t.Fatalf("no PDF from LibreOffice: %d bytes, %v", len(pdf), err)
	}
}
