package market

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
)

// Who may rate which order, and what a rating may hold.
func TestCanRate(t *testing.T) {
	buyer := &xiezuo.User{ID: 1, Role: RolePurchaser, OrgID: 10}
	admin := &xiezuo.User{ID: 2, Role: RoleBuyerAdmin, OrgID: 10}
	other := &xiezuo.User{ID: 3, Role: RolePurchaser, OrgID: 11}
	supplier := &xiezuo.User{ID: 4, Role: RoleSupplier, OrgID: 20}
	office := &xiezuo.User{ID: 5, Role: xiezuo.RoleAdmin}
	for _, c := range []struct {
		u      *xiezuo.User
		status OrderStatus
		want   string
	}{
		{buyer, OrderAccepted, ""}, {admin, OrderSettled, ""},
		{buyer, OrderPending, xiezuo.ECONFLICT}, {buyer, OrderToAccept, xiezuo.ECONFLICT}, {buyer, OrderCancelled, xiezuo.ECONFLICT},
		{buyer, OrderReturned, xiezuo.ECONFLICT},
		{other, OrderAccepted, xiezuo.EFORBIDDEN}, {supplier, OrderAccepted, xiezuo.EFORBIDDEN}, {office, OrderAccepted, xiezuo.EFORBIDDEN},
		{nil, OrderAccepted, xiezuo.EFORBIDDEN},
	} {
		o := &Order{No: "XZ1", BuyerUnitID: 10, SupplierID: 20, Status: c.status}
		if got := xiezuo.ErrorCode(CanRate(c.u, o)); got != c.want {
			t.Errorf("CanRate(%v, %s) = %q, want %q", c.u, c.status, got, c.want)
		}
	}
	if !CanSeeRatings(supplier, 20) || CanSeeRatings(supplier, 21) || !CanSeeRatings(office, 21) || CanSeeRatings(buyer, 20) {
		t.Error("CanSeeRatings: the supplier its own, the office all, buyers none")
	}
}

func TestRatingValidate(t *testing.T) {
	r := Rating{Quality: 5, Delivery: 1, Service: 3, Comment: "  好  "}
	if err := r.Validate(); err != nil || r.Comment != "好" {
		t.Fatalf("%+v: %v", r, err)
	}
	r = Rating{Quality: 0, Delivery: 6, Service: 3, Comment: strings.Repeat("字", MaxRatingComment+1)}
	f := xiezuo.ErrorFields(r.Validate())
	if f["quality"] == "" || f["delivery"] == "" || f["comment"] == "" || f["service"] != "" {
		t.Fatalf("problems %v", f)
	}
	if r := (Rating{Quality: 5, Delivery: 5, Service: 5, Comment: strings.Repeat("字", MaxRatingComment)}); r.Validate() != nil {
		t.Fatal("a 300-character comment is allowed")
	}
}

func TestRatingSummary(t *testing.T) {
	var s RatingSummary
	if s.Avg() != "" || s.StarTenths() != 0 {
		t.Fatal("no ratings: no average")
	}
	s.Add(Rating{Quality: 5, Delivery: 4, Service: 4})
	s.Add(Rating{Quality: 4, Delivery: 4, Service: 5})
	if s.Count != 2 || s.Avg() != "4.3" || s.AvgQuality() != "4.5" || s.AvgDelivery() != "4.0" || s.StarTenths() != 43 {
		t.Fatalf("%+v: %s %s %s", s, s.Avg(), s.AvgQuality(), s.AvgDelivery())
	}
}

func TestPhotoProblem(t *testing.T) {
	for _, c := range []struct {
		name  string
		size  int
		ctype string
		want  string
	}{
		{"a.jpg", 100, "image/jpeg", ""}, {"a.webp", MaxProductPhotoBytes, "image/webp", ""},
		{"大.png", MaxProductPhotoBytes + 1, "image/png", "“大.png”：图片不能超过2MB"},
		{"x.png", 10, "application/octet-stream", "“x.png”：只接受 JPEG、PNG 或 WebP 图片"},
		{"x.gif", 10, "image/gif", "只接受"}, {"", 0, "", "文件是空的"},
	} {
		got := PhotoProblem(c.name, c.size, c.ctype)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("PhotoProblem(%q, %d, %q) = %q, want %q", c.name, c.size, c.ctype, got, c.want)
		}
	}
}

func TestCanImportProducts(t *testing.T) {
	s := &Supplier{ID: 20, CountyCode: "532531000000"}
	for _, c := range []struct {
		u    *xiezuo.User
		want bool
	}{
		{&xiezuo.User{Role: RoleSupplier, OrgID: 20}, true}, {&xiezuo.User{Role: RoleSupplier, OrgID: 21}, false},
		{&xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: "532531000000"}, true}, {&xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: "532530000000"}, false},
		{&xiezuo.User{Role: xiezuo.RoleAdmin}, true}, {&xiezuo.User{Role: RolePurchaser, OrgID: 20}, false}, {nil, false},
	} {
		if got := CanImportProducts(c.u, s); got != c.want {
			t.Errorf("CanImportProducts(%+v) = %v", c.u, got)
		}
	}
}
