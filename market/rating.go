package market

import (
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
)

// Ratings after acceptance (issue 12, item 4): the buyer unit rates an
// accepted or settled order once, 1–5 stars for quality, delivery and
// service, with an optional comment; the product and supplier pages show
// the averages and counts.

// MaxRatingComment bounds a rating's comment, in characters.
const MaxRatingComment = 300

// Rating is a buyer unit's rating of one order.
type Rating struct {
	OrderID       int64  `json:"order_id"`
	OrderNo       string `json:"order_no,omitempty"`
	SupplierID    int64  `json:"supplier_id"`
	SupplierName  string `json:"supplier_name,omitempty"`
	BuyerUnitID   int64  `json:"buyer_unit_id"`
	BuyerUnitName string `json:"buyer_unit_name,omitempty"`
	Quality       int    `json:"quality"`  // 商品质量, 1–5
	Delivery      int    `json:"delivery"` // 物流时效, 1–5
	Service       int    `json:"service"`  // 服务态度, 1–5
	Comment       string `json:"comment,omitempty"`
	RatedBy       int64  `json:"rated_by"`
	CreatedAt     string `json:"created_at,omitempty"`
}

// RatingAspects are the three things rated, by field and label.
var RatingAspects = [][2]string{{"quality", "商品质量"}, {"delivery", "物流时效"}, {"service", "服务态度"}}

// Validate checks the stars (whole numbers 1–5, each required) and the
// comment (at most MaxRatingComment characters, trimmed).
func (r *Rating) Validate() error {
	p := xiezuo.Problems{}
	for _, a := range []struct {
		field, label string
		v            int
	}{{"quality", "商品质量", r.Quality}, {"delivery", "物流时效", r.Delivery}, {"service", "服务态度", r.Service}} {
		if a.v < 1 || a.v > 5 {
			p.Add(a.field, "请为"+a.label+"打1至5星")
		}
	}
	p.Text("comment", "评价内容", &r.Comment, MaxRatingComment, false)
	return p.Err()
}

// CanRate returns nil when u may rate order o now: an account (management
// or purchaser) of o's buyer unit, once o is accepted or settled. Whether
// it was rated already is the store's to say (ECONFLICT). Errors:
// EFORBIDDEN (not the buyer unit's), ECONFLICT (not accepted yet, or
// cancelled or returned).
func CanRate(u *xiezuo.User, o *Order) error {
	if !isBuyerOf(u, o.BuyerUnitID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位本身（管理账号或采购人）可以评价订单")
	}
	if !Counts(o.Status) {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "订单 %s 状态为“%s”，验收后才能评价", o.No, o.Status.Label())
	}
	return nil
}

// CanSeeRatings reports whether u sees the ratings of supplier
// supplierID one by one, with their comments and buyers: the supplier's
// own users, the office and 监管. Everyone who sees a product or supplier
// sees the averages and the count.
func CanSeeRatings(u *xiezuo.User, supplierID int64) bool {
	return CanSupervise(u) || isSupplier(u, supplierID)
}

// RatingSummary is the average and count of some ratings. The sums are
// of stars; Avg* give one decimal.
type RatingSummary struct {
	Count                            int64
	Quality, Delivery, Service, Star int64 // sums; Star = the three together
}

// Add counts one rating in s.
func (s *RatingSummary) Add(r Rating) {
	s.Count++
	s.Quality += int64(r.Quality)
	s.Delivery += int64(r.Delivery)
	s.Service += int64(r.Service)
	s.Star += int64(r.Quality + r.Delivery + r.Service)
}

// avg is sum/n with one decimal, rounded half up ("4.3"); "" when n is 0.
func avg(sum, n int64) string {
	if n <= 0 {
		return ""
	}
	tenths := (sum*10*2 + n) / (2 * n) // round half up
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10)
}

// Avg is the mean of all three aspects, e.g. "4.7"; "" when none.
func (s RatingSummary) Avg() string { return avg(s.Star, 3*s.Count) }

// AvgQuality, AvgDelivery and AvgService are each aspect's mean.
func (s RatingSummary) AvgQuality() string  { return avg(s.Quality, s.Count) }
func (s RatingSummary) AvgDelivery() string { return avg(s.Delivery, s.Count) }
func (s RatingSummary) AvgService() string  { return avg(s.Service, s.Count) }

// StarTenths is the overall mean in tenths of a star (47 for 4.7), for
// drawing stars; 0 when none.
func (s RatingSummary) StarTenths() int64 {
	if s.Count == 0 {
		return 0
	}
	n := 3 * s.Count
	return (s.Star*10*2 + n) / (2 * n)
}

// Stars is the overall mean as five stars, rounded to whole stars
// ("★★★★☆"); "" when none.
func (s RatingSummary) Stars() string {
	if s.Count == 0 {
		return ""
	}
	return StarsOf(int((s.StarTenths() + 5) / 10))
}

// StarsOf is n of five stars ("★★★☆☆").
func StarsOf(n int) string {
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// Stars shows one aspect of r (quality, delivery, service) as stars.
func (r Rating) Stars(aspect string) string {
	switch aspect {
	case "quality":
		return StarsOf(r.Quality)
	case "delivery":
		return StarsOf(r.Delivery)
	}
	return StarsOf(r.Service)
}
