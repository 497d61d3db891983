package store_test

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// The invoice of an acceptance is stored with the step or not at all: a
// file that is no image or PDF, or an upload by someone whose step it is
// not, leaves neither a file nor a changed order; the stored invoice is
// the order's, read by its parties only.
func TestOrderFiles(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		o := s.checkout(t, s.purchaser, "", s.rice, 2)[0]
		s.step(t, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{})
		s.step(t, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF1"})
		s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
		files := func() int {
			var n int
			db.SQL().QueryRow(`SELECT COUNT(*) FROM order_files`).Scan(&n)
			return n
		}
		png := testdb.PNG(t)
		wantField(t, db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{},
			store.OrderFile{Field: "invoice_ref", Name: "发票.exe", Data: []byte("MZ\x90\x00 not an invoice")}), "invoice_ref")
		wantCode(t, db.OrderTransition(ctx, s.supplierUser, o.ID, market.OrderAccept, market.OrderInput{},
			store.OrderFile{Field: "invoice_ref", Name: "发票.png", Data: png}), xiezuo.EFORBIDDEN)
		if n := files(); n != 0 {
			t.Fatalf("%d files stored by refused steps", n)
		}
		if err := db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{},
			store.OrderFile{Field: "invoice_ref", Name: "发票.png", Data: png}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Order(ctx, s.purchaser, o.ID)
		if err != nil || got.Status != market.OrderAccepted || !strings.HasPrefix(got.InvoiceRef, "file:") {
			t.Fatalf("accepted = %+v, %v", got, err)
		}
		var id int64
		db.SQL().QueryRow(`SELECT id FROM order_files WHERE order_id = $1`, o.ID).Scan(&id)
		if f, err := db.OrderFileData(ctx, s.supplierUser, o.ID, id); err != nil || f.ContentType != "image/png" || len(f.Data) != len(png) || store.OrderFileRef(id) != got.InvoiceRef {
			t.Fatalf("the supplier reads the invoice: %+v, %v", f, err)
		}
		_, err = db.OrderFileData(ctx, user(t, db, "chengjiaqiao"), o.ID, id)
		wantCode(t, err, xiezuo.ENOTFOUND)
	})
}
