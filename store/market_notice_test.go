package store_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
	"github.com/xiezuo/xiezuo/word"
)

// docxText is what a .docx's word/document.xml says: its paragraphs
// outside tables, and each table's rows of cell texts. Every XML part of
// the package must be well-formed.
type docxText struct {
	paras  []string
	tables [][][]string
}

func readDocx(t *testing.T, b []byte) docxText {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var doc []byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(data))
			for {
				if _, err := dec.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
				}
			}
		}
		if f.Name == "word/document.xml" {
			doc = data
		}
	}
	if doc == nil {
		t.Fatal("no word/document.xml")
	}
	var out docxText
	dec := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0 // of tables
	var para, cellText strings.Builder
	var row []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "tbl":
				depth++
				out.tables = append(out.tables, nil)
			case "tr":
				row = nil
			case "tc":
				cellText.Reset()
			case "p":
				para.Reset()
			case "t":
				inText = true
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "tbl":
				depth--
			case "tr":
				out.tables[len(out.tables)-1] = append(out.tables[len(out.tables)-1], row)
			case "tc":
				row = append(row, cellText.String())
			case "p":
				if depth == 0 {
					out.paras = append(out.paras, para.String())
				} else {
					cellText.WriteString(para.String())
				}
			case "t":
				inText = false
			}
		case xml.CharData:
			if inText {
				para.Write(e)
			}
		}
	}
	return out
}

// table is the table whose header's first cell is head.
func (d docxText) table(t *testing.T, head string) [][]string {
	t.Helper()
	for _, tb := range d.tables {
		if len(tb) > 0 && len(tb[0]) > 0 && tb[0][0] == head {
			return tb
		}
	}
	t.Fatalf("no table headed %q", head)
	return nil
}

func (d docxText) says(s string) bool {
	for _, p := range d.paras {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

// TestSupervisionNotice: the monthly 通报 as Word, written from the
// month's supervision report over real orders (placed, shipped and
// accepted in the shop; one returned): every figure in the document —
// totals, per channel and county of origin for the month and the year to
// date, each unit's share, rank and progress, the units not filed, the
// month's flags — is the report's, and the report's month figures are
// the orders'. The report of the month before counts none of them. On
// SQLite, LibreOffice (when installed) prints the document to PDF.
func TestSupervisionNotice(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		today := db.Today()
		year, _ := strconv.Atoi(today[:4])
		month, _ := strconv.Atoi(today[5:7])
		caizheng, guanli := user(t, db, "caizheng"), user(t, db, "cjq-guanli")
		if err := db.FileShare(ctx, guanli, &market.ShareFiling{UnitID: s.buyerUnit, Year: year, BudgetFen: 1_000_000}); err != nil {
			t.Fatal(err)
		}
		opt := store.SupervisionOptions{Month: month}
		before, err := db.Supervision(ctx, caizheng, year, opt)
		if err != nil {
			t.Fatal(err)
		}

		supplierOf := func(o market.Order) *xiezuo.User {
			if o.SupplierID == s.supplier {
				return s.supplierUser
			}
			return s.otherSupplierU
		}
		accept := func(o market.Order) {
			s.step(t, supplierOf(o), o.ID, market.OrderConfirm, market.OrderInput{})
			s.step(t, supplierOf(o), o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF1"})
			s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
			s.step(t, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:1"})
		}
		var orders []market.Order
		for i := 0; i < 3; i++ {
			orders = append(orders, s.checkout(t, s.purchaser, "", s.rice, 2+i)...)
		}
		orders = append(orders, s.checkout(t, s.purchaser, "", s.tea, 2)...)
		var sum int64
		for _, o := range orders {
			accept(o)
			sum += o.TotalFen
		}
		s.step(t, s.buyerAdmin, orders[0].ID, market.OrderReturn, market.OrderInput{Reason: "霉变"})
		sum -= orders[0].TotalFen

		rep, err := db.Supervision(ctx, caizheng, year, opt)
		if err != nil {
			t.Fatal(err)
		}
		// The month's figures are the orders'.
		if rep.Month != month || rep.MonthFen-before.MonthFen != sum || rep.MonthN-before.MonthN != 3 || rep.PurchasedFen-before.PurchasedFen != sum {
			t.Fatalf("month %d: %d fen (%d orders), year to date %d; before %d (%d), %d; want +%d fen, +3",
				rep.Month, rep.MonthFen, rep.MonthN, rep.PurchasedFen, before.MonthFen, before.MonthN, before.PurchasedFen, sum)
		}
		find := func(ss []store.PurchaseSum, code string) int64 {
			for _, x := range ss {
				if x.Code == code {
					return x.Fen
				}
			}
			return 0
		}
		if find(rep.MonthCounties, lvchun)-find(before.MonthCounties, lvchun) != sum || find(rep.MonthChannels, "shop")-find(before.MonthChannels, "shop") != sum {
			t.Fatalf("month by county %+v, by channel %+v", rep.MonthCounties, rep.MonthChannels)
		}
		var byCounty, byChannel int64
		for _, x := range rep.MonthCounties {
			byCounty += x.Fen
		}
		for _, x := range rep.MonthChannels {
			byChannel += x.Fen
		}
		if byCounty != rep.MonthFen || byChannel != rep.MonthFen {
			t.Fatalf("the month's sums by county %d and by channel %d differ from its total %d", byCounty, byChannel, rep.MonthFen)
		}
		if rep.Burst.ReportDate != rep.Through() || !strings.HasPrefix(rep.Through(), today[:7]) {
			t.Fatalf("report date %s, through %s", rep.Burst.ReportDate, rep.Through())
		}
		monthFlags := rep.MonthFlags()
		kinds := map[string]bool{}
		for _, f := range monthFlags {
			kinds[f.Kind] = true
			if !strings.HasPrefix(f.On, today[:8]) {
				t.Fatalf("a flag of another month among the month's: %+v", f)
			}
		}
		if !kinds["price"] || !kinds["reversed"] {
			t.Fatalf("the month's flags lack the dear tea or the return: %+v", monthFlags)
		}
		// The month before counts none of today's orders.
		if month > 1 {
			prev, err := db.Supervision(ctx, caizheng, year, store.SupervisionOptions{Month: month - 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range prev.Units {
				if l.UnitID == s.buyerUnit && l.PurchasedFen != 0 {
					t.Fatalf("%d月 counts today's orders: %+v", month-1, l)
				}
			}
			if len(prev.MonthFlags()) != 0 && prev.MonthFlags()[0].On >= today[:8] {
				t.Fatalf("the month before has today's flags: %+v", prev.MonthFlags())
			}
		}
		// Bad months.
		if _, err := db.Supervision(ctx, caizheng, year, store.SupervisionOptions{Month: 13}); xiezuo.ErrorCode(err) != xiezuo.EINVALID ||
			!strings.Contains(xiezuo.ErrorMessage(err), "月份") {
			t.Fatalf("month 13: %v", err)
		}
		ny, nm := year, month+1
		if nm == 13 {
			ny, nm = year+1, 1
		}
		if _, err := db.Supervision(ctx, caizheng, ny, store.SupervisionOptions{Month: nm}); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("a month to come: %v", err)
		}

		// The document.
		var buf bytes.Buffer
		n := &word.Notice{Report: rep, Issued: today}
		if err := word.SupervisionNotice(&buf, n); err != nil {
			t.Fatal(err)
		}
		d := readDocx(t, buf.Bytes())
		ml := strconv.Itoa(month) + "月"
		for _, want := range []string{
			"消费帮扶工作通报", fmt.Sprintf("%d年第%d期", year, month), n.Title(), xiezuo.FormatDateCN(today),
			fmt.Sprintf("经验收计入消费帮扶%s万元（%d笔订单），其中%s%s万元（%d笔）", xiezuo.FormatWan(rep.PurchasedFen), rep.OrderCount, ml, xiezuo.FormatWan(rep.MonthFen), rep.MonthN),
			"预留份额合计" + xiezuo.FormatWan(rep.ReservedFen) + "万元，累计完成比例" + market.ProgressText(rep.ReservedFen, rep.PurchasedFen),
			"一、总体情况", "二、分渠道采购情况", "三、分产地县采购情况", "四、各预算单位预留份额执行情况",
			fmt.Sprintf("%s系统提示异常%d条，%s累计%d条", ml, len(monthFlags), n.Period(), len(rep.Flags)),
			"长宁区财政局",
		} {
			if !d.says(want) {
				t.Errorf("the 通报 lacks %q", want)
			}
		}
		for i, f := range monthFlags {
			if !d.says(fmt.Sprintf("%d．【%s】%s", i+1, ledger.LabelOf(market.FlagKinds, f.Kind), f.Message)) {
				t.Errorf("flag %d not worded: %s", i+1, f.Message)
			}
		}
		// Channels and counties: the month's and the year's amounts of every line, and the totals.
		for _, g := range []struct {
			head          string
			month, period []store.PurchaseSum
		}{{"采购渠道", rep.MonthChannels, rep.Channels}, {"产地县", rep.MonthCounties, rep.Counties}} {
			tb := d.table(t, g.head)
			if len(tb) != len(g.period)+2 {
				t.Fatalf("%s table: %d rows for %d sums", g.head, len(tb), len(g.period))
			}
			for i, x := range g.period {
				want := []string{x.Label, xiezuo.FormatYuan(find(g.month, x.Code)), xiezuo.FormatYuan(x.Fen), strconv.FormatInt(x.N, 10)}
				if got := tb[i+1][:4]; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s row %d = %q, want %q", g.head, i+1, got, want)
				}
			}
			total := tb[len(tb)-1]
			if total[0] != "合计" || total[1] != xiezuo.FormatYuan(rep.MonthFen) || total[2] != xiezuo.FormatYuan(rep.PurchasedFen) || total[3] != strconv.FormatInt(rep.OrderCount, 10) {
				t.Errorf("%s totals %q", g.head, total)
			}
		}
		// Every unit's line, in rank order, and the totals.
		tb := d.table(t, "排名")
		if len(tb) != len(rep.Units)+2 {
			t.Fatalf("units table: %d rows for %d units", len(tb), len(rep.Units))
		}
		ownSeen := false
		for i, l := range rep.Units {
			row := tb[i+1]
			rank := "—"
			if l.Rank > 0 {
				rank = strconv.Itoa(l.Rank)
			}
			want := []string{rank, l.UnitName, row[2], xiezuo.FormatYuan(l.ReservedFen), xiezuo.FormatYuan(l.PurchasedFen), market.ProgressText(l.ReservedFen, l.PurchasedFen)}
			if strings.Join(row, "|") != strings.Join(want, "|") {
				t.Errorf("unit row %d = %q, want %q", i+1, row, want)
			}
			if l.UnitID == s.buyerUnit {
				ownSeen = l.PurchasedFen == sum && l.Rank == 1 && row[2] == "已填报"
			}
		}
		if !ownSeen {
			t.Errorf("程家桥街道's line is not its purchases, rank 1, filed: %+v", tb)
		}
		if total := tb[len(tb)-1]; total[1] != "合计" || total[3] != xiezuo.FormatYuan(rep.ReservedFen) || total[4] != xiezuo.FormatYuan(rep.PurchasedFen) {
			t.Errorf("units totals %q", total)
		}
		// The top unit named with its progress; the units not filed named.
		top, _ := n.TopBottom()
		if len(top) == 0 || !d.says(top[0].UnitName+"（"+market.ProgressText(top[0].ReservedFen, top[0].PurchasedFen)+"）") {
			t.Errorf("the first unit is not named: %+v", top)
		}
		unfiled := n.Unfiled()
		if len(unfiled) == 0 {
			t.Fatal("the demo has buyer units that have not filed")
		}
		names := make([]string, len(unfiled))
		for i, l := range unfiled {
			names[i] = l.UnitName
		}
		if !d.says(fmt.Sprintf("尚未填报%d年预留份额的单位%d个：%s。", year, len(unfiled), strings.Join(names, "、"))) {
			t.Errorf("the units not filed are not named: %v", names)
		}

		if db.Dialect != store.SQLite {
			return
		}
		// A real reader: LibreOffice prints it, and the PDF says the figures.
		soffice := testdb.Soffice(t)
		pdftotext := testdb.Tool(t, "pdftotext (poppler-utils)", "/usr/bin/pdftotext")
		dir := t.TempDir()
		in := filepath.Join(dir, "notice.docx")
		if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		out, err := exec.Command(pdftotext, filepath.Join(dir, "notice.pdf"), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"消费帮扶工作通报", "一、总体情况", xiezuo.FormatYuan(rep.PurchasedFen), "-1-"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	})
}
