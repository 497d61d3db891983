package store_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// Product photos (issue 12, item 1) on both engines: the supplier adds
// JPEG/PNG/WebP photos read by their bytes; a file over 2 MB, one that is
// no image whatever its name, or a sixth photo is refused naming the file
// with nothing stored; only the product's supplier and the office add or
// delete; whoever may see the product reads them, nobody else.
func TestProductPhotos(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		png := testdb.PNG(t)
		stored := func() (n int) {
			db.SQL().QueryRow(`SELECT COUNT(*) FROM product_photos`).Scan(&n)
			return n
		}
		// Wrong type (a name does not make an image), too big, empty: all refused, naming the files.
		big := append(bytes.Clone(png), bytes.Repeat([]byte{0}, market.MaxProductPhotoBytes)...)
		_, err := db.AddProductPhotos(ctx, s.supplierUser, s.rice.ID, []store.PhotoUpload{{Name: "好看.png", Data: png}, {Name: "病毒.jpg", Data: []byte("MZ\x90\x00 not an image")}, {Name: "大图.png", Data: big}})
		wantField(t, err, "photos")
		msg := xiezuo.ErrorMessage(err)
		for _, want := range []string{"“病毒.jpg”：只接受 JPEG、PNG 或 WebP 图片", "“大图.png”：图片不能超过2MB"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		if strings.Contains(msg, "好看.png") || stored() != 0 {
			t.Fatalf("a refused upload stored %d photos (%s)", stored(), msg)
		}
		// Not the product's supplier: forbidden; not even seen: not found.
		_, err = db.AddProductPhotos(ctx, s.otherSupplierU, s.rice.ID, []store.PhotoUpload{{Name: "a.png", Data: png}})
		wantCode(t, err, xiezuo.EFORBIDDEN)
		_, err = db.AddProductPhotos(ctx, s.purchaser, s.rice.ID, []store.PhotoUpload{{Name: "a.png", Data: png}})
		wantCode(t, err, xiezuo.EFORBIDDEN)
		// Five are fine; a sixth is not.
		var five []store.PhotoUpload
		for i := range 5 {
			five = append(five, store.PhotoUpload{Name: "图" + string(rune('1'+i)) + ".png", Data: png})
		}
		added, err := db.AddProductPhotos(ctx, s.supplierUser, s.rice.ID, five[:3])
		if err != nil || len(added) != 3 || added[0].ContentType != "image/png" || len(added[0].SHA256) != 64 {
			t.Fatalf("added %+v, %v", added, err)
		}
		_, err = db.AddProductPhotos(ctx, s.supplierUser, s.rice.ID, five[:3])
		wantField(t, err, "photos")
		if !strings.Contains(xiezuo.ErrorMessage(err), "最多5张") || stored() != 3 {
			t.Fatalf("a sixth photo: %v, %d stored", err, stored())
		}
		if _, err := db.AddProductPhotos(ctx, s.admin, s.rice.ID, five[3:]); err != nil {
			t.Fatal(err)
		}
		// Everyone who sees the listed product reads its photos.
		for _, u := range []*xiezuo.User{s.purchaser, s.otherSupplierU, s.supervisor, user(t, db, "chengjiaqiao")} {
			ph, err := db.ProductPhotoData(ctx, u, s.rice.ID, added[0].ID)
			if err != nil || !bytes.Equal(ph.Data, png) {
				t.Fatalf("%s reads the photo: %v", u.Username, err)
			}
		}
		list, err := db.ProductPhotos(ctx, s.purchaser, s.rice.ID)
		if err != nil || len(list) != 5 || list[0].ID != added[0].ID {
			t.Fatalf("photos: %+v, %v", list, err)
		}
		first, err := db.FirstPhotos(ctx, []int64{s.rice.ID, s.tea.ID})
		if err != nil || first[s.rice.ID] != added[0].ID || first[s.tea.ID] != 0 {
			t.Fatalf("first photos: %v, %v", first, err)
		}
		// A photo of another product's id is not this product's.
		_, err = db.ProductPhotoData(ctx, s.purchaser, s.tea.ID, added[0].ID)
		wantCode(t, err, xiezuo.ENOTFOUND)
		// Delisted: buyers no longer see the product, nor its photos.
		if err := db.ProductTransition(ctx, s.supplierUser, s.rice.ID, market.ProductDelist, market.ProductInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = db.ProductPhotoData(ctx, s.purchaser, s.rice.ID, added[0].ID)
		wantCode(t, err, xiezuo.ENOTFOUND)
		if _, err := db.ProductPhotoData(ctx, s.supplierUser, s.rice.ID, added[0].ID); err != nil {
			t.Fatalf("the supplier reads its delisted product's photo: %v", err)
		}
		// Deleting: the supplier or the office only.
		wantCode(t, db.DeleteProductPhoto(ctx, s.otherSupplierU, s.rice.ID, added[0].ID), xiezuo.ENOTFOUND)
		if err := db.DeleteProductPhoto(ctx, s.supplierUser, s.rice.ID, added[0].ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteProductPhoto(ctx, s.supplierUser, s.rice.ID, added[0].ID), xiezuo.ENOTFOUND)
		if stored() != 4 {
			t.Fatalf("%d photos after deleting one of 5", stored())
		}
		if n, err := db.VerifyAudit(ctx, s.admin); err != nil || n == 0 {
			t.Fatalf("audit: %d, %v", n, err)
		}
	})
}

// Ratings (issue 12, item 4) on both engines: the buyer unit rates an
// accepted order once; a pending order, another unit, the supplier and
// bad stars are refused; the averages count on the supplier and the
// product; the supplier sees its ratings, another supplier does not.
func TestOrderRatings(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		o := s.checkout(t, s.purchaser, "", s.rice, 2)[0]
		good := func(id int64) *market.Rating {
			return &market.Rating{OrderID: id, Quality: 5, Delivery: 4, Service: 4, Comment: "  米很香，包装结实  "}
		}
		// Pending: refused.
		wantCode(t, db.RateOrder(ctx, s.purchaser, good(o.ID)), xiezuo.ECONFLICT)
		s.step(t, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{})
		s.step(t, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF1"})
		s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
		wantCode(t, db.RateOrder(ctx, s.purchaser, good(o.ID)), xiezuo.ECONFLICT) // 待验收
		if err := db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{},
			store.OrderFile{Field: "invoice_ref", Name: "发票.png", Data: testdb.PNG(t)}); err != nil {
			t.Fatal(err)
		}
		// Not the buyer unit: the supplier is forbidden, another unit does not see the order.
		wantCode(t, db.RateOrder(ctx, s.supplierUser, good(o.ID)), xiezuo.EFORBIDDEN)
		wantCode(t, db.RateOrder(ctx, s.otherPurchaser, good(o.ID)), xiezuo.ENOTFOUND)
		wantCode(t, db.RateOrder(ctx, s.admin, good(o.ID)), xiezuo.EFORBIDDEN)
		// Bad stars and an over-long comment: named fields.
		bad := &market.Rating{OrderID: o.ID, Quality: 6, Delivery: 0, Service: 3, Comment: strings.Repeat("好", 301)}
		err := db.RateOrder(ctx, s.purchaser, bad)
		wantField(t, err, "quality")
		for _, f := range []string{"delivery", "comment"} {
			if xiezuo.ErrorFields(err)[f] == "" {
				t.Errorf("no problem on %s: %v", f, err)
			}
		}
		// The management account rates it; a second rating is refused.
		r := good(o.ID)
		if err := db.RateOrder(ctx, s.buyerAdmin, r); err != nil {
			t.Fatal(err)
		}
		if r.Comment != "米很香，包装结实" || r.SupplierID != s.supplier {
			t.Fatalf("rating as stored: %+v", r)
		}
		err = db.RateOrder(ctx, s.purchaser, good(o.ID))
		wantCode(t, err, xiezuo.ECONFLICT)
		if !strings.Contains(xiezuo.ErrorMessage(err), "已经评价过") {
			t.Fatalf("second rating: %v", err)
		}
		got, err := db.OrderRating(ctx, s.supplierUser, o.ID)
		if err != nil || got == nil || got.Quality != 5 || got.BuyerUnitName != "程家桥街道" {
			t.Fatalf("the supplier reads the rating: %+v, %v", got, err)
		}
		// Averages: the supplier's and the product's; the other product has none.
		sum, err := db.SupplierRatingSummary(ctx, s.purchaser, s.supplier)
		if err != nil || sum.Count != 1 || sum.Avg() != "4.3" || sum.AvgQuality() != "5.0" {
			t.Fatalf("supplier summary: %+v (%s), %v", sum, sum.Avg(), err)
		}
		if ps, err := db.ProductRatingSummary(ctx, s.otherPurchaser, s.rice.ID); err != nil || ps.Count != 1 {
			t.Fatalf("product summary: %+v, %v", ps, err)
		}
		if ps, err := db.ProductRatingSummary(ctx, s.purchaser, s.tea.ID); err != nil || ps.Count != 0 || ps.Avg() != "" {
			t.Fatalf("unrated product: %+v, %v", ps, err)
		}
		// The list: the supplier its own, the office all, nobody else.
		if list, n, err := db.Ratings(ctx, s.supplierUser, s.supplier, 0, 0); err != nil || n != 1 || list[0].OrderNo != o.No {
			t.Fatalf("supplier's ratings: %+v %d, %v", list, n, err)
		}
		_, _, err = db.Ratings(ctx, s.otherSupplierU, s.supplier, 0, 0)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		_, _, err = db.Ratings(ctx, s.purchaser, 0, 0, 0)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		if _, n, err := db.Ratings(ctx, s.supervisor, 0, 0, 0); err != nil || n != 1 {
			t.Fatalf("监管 reads all: %d, %v", n, err)
		}
		if n, err := db.VerifyAudit(ctx, s.admin); err != nil || n == 0 {
			t.Fatalf("audit: %d, %v", n, err)
		}
	})
}
