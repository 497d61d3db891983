package iati_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/iati"
	"github.com/xiezuo/xiezuo/internal/testdb"
)

// TestDemoValidatesAgainstTheSchema exports the demo ledger and has
// xmllint validate it against the official IATI 2.03 schema; every
// approved contribution with a value is a transaction, once.
func TestDemoValidatesAgainstTheSchema(t *testing.T) {
	t.Parallel()
	xmllint := testdb.Tool(t, "xmllint (libxml2-utils)", "/usr/bin/xmllint")
	schema := filepath.Join(testdb.SharedData(t), "iati", "iati-activities-schema.xsd")
	db := testdb.OpenDemo(t, "sqlite")
	d, err := db.LoadOpenData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := iati.Write(&buf, d, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "xiezuo-iati.xml")
	os.WriteFile(file, buf.Bytes(), 0o644)
	if out, err := exec.Command(xmllint, "--noout", "--schema", schema, file).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	var doc struct {
		Activities []struct {
			ID           string `xml:"iati-identifier"`
			Transactions []struct {
				Ref  string `xml:"ref,attr"`
				Type struct {
					Code string `xml:"code,attr"`
				} `xml:"transaction-type"`
				Value string `xml:"value"`
			} `xml:"transaction"`
			Locations []struct {
				Ref string `xml:"ref,attr"`
			} `xml:"location"`
		} `xml:"iati-activity"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var want, got int64
	n := 0
	for _, c := range d.Contributions {
		if c.AmountFen > 0 {
			want += c.AmountFen
			n++
		}
	}
	seen := map[string]bool{}
	for _, a := range doc.Activities {
		for _, tr := range a.Transactions {
			if !strings.Contains(tr.Ref, "-contribution-") {
				continue
			}
			if seen[tr.Ref] {
				t.Errorf("%s published twice", tr.Ref)
			}
			seen[tr.Ref] = true
			yuan, _ := strconv.ParseFloat(tr.Value, 64)
			got += int64(yuan*100 + 0.5)
		}
		for _, l := range a.Locations {
			if len(l.Ref) != 12 {
				t.Errorf("%s: location %q is not a 12-digit NBS code", a.ID, l.Ref)
			}
		}
	}
	if len(seen) != n || got != want {
		t.Errorf("%d contribution transactions worth %d fen, want %d worth %d", len(seen), got, n, want)
	}
	if len(doc.Activities) < len(d.Activities)+len(d.Projects) {
		t.Errorf("%d IATI activities for %d activities and %d projects", len(doc.Activities), len(d.Activities), len(d.Projects))
	}
}
