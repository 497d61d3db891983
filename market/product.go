package market

import (
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// Categories of products (百县百品). The codes are the API's.
var Categories = []ledger.Choice{
	{Code: "grain_oil", Label: "粮油"},
	{Code: "tea", Label: "茶叶"},
	{Code: "meat_egg", Label: "肉禽蛋"},
	{Code: "dried", Label: "干货调味"},
	{Code: "fruit_veg", Label: "果蔬"},
	{Code: "herbal", Label: "中药材"},
	{Code: "craft", Label: "手工艺品/非遗文创"},
	{Code: "other", Label: "其他"},
}

// CategoryLabel is the Chinese name of a category code, or the code itself.
func CategoryLabel(code string) string { return ledger.LabelOf(Categories, code) }

// ValidCategory reports whether code is a known category.
func ValidCategory(code string) bool { return ledger.ValidChoice(Categories, code) }

// Units are the units of sale offered in forms; others up to 10 characters
// are accepted.
var Units = []string{"袋", "斤", "公斤", "盒", "箱", "瓶", "罐", "包", "件", "个", "亩"}

// ProductStatus is where a product is in listing.
type ProductStatus string

const (
	ProductDraft     ProductStatus = "draft"     // 待认定
	ProductListed    ProductStatus = "listed"    // 在售
	ProductDelisted  ProductStatus = "delisted"  // 已下架 (by the supplier)
	ProductSuspended ProductStatus = "suspended" // 已暂停 (by the county or the office)
)

// ProductStatuses in display order.
var ProductStatuses = []ProductStatus{ProductDraft, ProductListed, ProductDelisted, ProductSuspended}

// Label is the status in Chinese.
func (s ProductStatus) Label() string {
	switch s {
	case ProductDraft:
		return "待认定"
	case ProductListed:
		return "在售"
	case ProductDelisted:
		return "已下架"
	case ProductSuspended:
		return "已暂停"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s ProductStatus) Valid() bool {
	for _, x := range ProductStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Certification is a product's 扶贫产品认定 (or 百县百品 certificate): its
// number, the county that issued it, and the last day it is valid.
type Certification struct {
	No         string `json:"no"`
	CountyCode string `json:"county_code"`
	ValidUntil string `json:"valid_until"` // YYYY-MM-DD, inclusive
}

// Empty reports whether no field of c is filled.
func (c Certification) Empty() bool {
	return strings.TrimSpace(c.No) == "" && c.CountyCode == "" && c.ValidUntil == ""
}

// Product is a supplier's product. OriginCode is where it comes from: the
// supplier's county, or a township or village in it.
type Product struct {
	ID           int64         `json:"id"`
	SupplierID   int64         `json:"supplier_id"`
	SupplierName string        `json:"supplier_name,omitempty"`
	Name         string        `json:"name"`
	Category     string        `json:"category"`
	OriginCode   string        `json:"origin_code"`
	OriginName   string        `json:"origin_name,omitempty"`
	Spec         string        `json:"spec,omitempty"` // 规格, e.g. 5斤/袋
	Unit         string        `json:"unit"`           // unit of sale, e.g. 袋
	PriceFen     int64         `json:"price_fen"`      // per unit of sale
	Stock        int64         `json:"stock"`
	MinOrder     int64         `json:"min_order"`
	Cert         Certification `json:"cert"`
	Status       ProductStatus `json:"status"`
	Reason       string        `json:"reason,omitempty"` // why it was last suspended
}

// Validate checks every field that needs no database; supplierCounty is
// the county of the product's supplier, which its origin must lie in. An
// empty status is taken as 待认定. A product past 待认定 must carry its
// certification.
func (p *Product) Validate(supplierCounty string) error {
	pr := xiezuo.Problems{}
	if p.SupplierID <= 0 || supplierCounty == "" {
		pr.Add("supplier_id", "请选择供应商")
	}
	pr.Text("name", "商品名称", &p.Name, 60, true)
	if !ValidCategory(p.Category) {
		pr.Add("category", "请选择品类（粮油、茶叶、肉禽蛋、干货调味、果蔬、中药材、手工艺品/非遗文创、其他）")
	}
	checkOrigin(pr, p.OriginCode, supplierCounty)
	pr.Text("spec", "规格", &p.Spec, 50, false)
	pr.Text("unit", "计量单位", &p.Unit, 10, true)
	switch {
	case p.PriceFen <= 0:
		pr.Add("price_fen", "单价须大于0元")
	case p.PriceFen > xiezuo.MaxFen:
		pr.Add("price_fen", "单价超过100亿元，请核对单位是否为元")
	}
	switch {
	case p.Stock < 0:
		pr.Add("stock", "库存不能为负数")
	case p.Stock > MaxQuantity:
		pr.Add("stock", "库存数值过大，请核对")
	}
	switch {
	case p.MinOrder < 1:
		pr.Add("min_order", "起订量不能少于1")
	case p.MinOrder > MaxQuantity:
		pr.Add("min_order", "起订量数值过大，请核对")
	}
	if p.Status == "" {
		p.Status = ProductDraft
	} else if !p.Status.Valid() {
		pr.Add("status", "商品状态无效")
	}
	if p.Status != ProductDraft || !p.Cert.Empty() {
		checkCert(pr, &p.Cert, supplierCounty)
	}
	pr.Text("reason", "暂停原因", &p.Reason, 200, false)
	return pr.Err()
}

// checkOrigin adds a problem unless origin is a county, township or
// village code inside county (the code prefix rule: registry.CountyOf).
func checkOrigin(p xiezuo.Problems, origin, county string) {
	switch {
	case origin == "":
		p.Add("origin_code", "产地不能为空")
	case !registry.ValidCode(origin) || registry.LevelOf(origin) < registry.LevelCounty:
		p.Add("origin_code", "产地须为县、乡镇或村的12位区划代码")
	case county != "" && registry.CountyOf(origin) != county:
		p.Add("origin_code", "产地须在供应商所在县内")
	}
}

// checkCert checks a certification issued for a product of county.
func checkCert(p xiezuo.Problems, c *Certification, county string) {
	p.Text("cert_no", "认定编号", &c.No, 50, true)
	if checkCounty(p, "cert_county_code", "认定县", c.CountyCode) && county != "" && c.CountyCode != county {
		p.Add("cert_county_code", "认定县须为供应商所在县")
	}
	checkDate(p, "cert_valid_until", "认定有效期", c.ValidUntil, true)
}

// Certified returns nil when p's certification is valid on date (a sale's
// or an order's date), else an ECONFLICT error naming the product. A
// purchase counts in 消费帮扶 only if its product was certified on the day
// it was ordered.
func Certified(p *Product, date string) error {
	if p.Cert.No == "" || p.Cert.ValidUntil == "" {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”尚未认定", p.Name)
	}
	if p.Cert.ValidUntil < date {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”的认定已于%s到期", p.Name, xiezuo.FormatDateCN(p.Cert.ValidUntil))
	}
	return nil
}

// Sellable returns nil when p of supplier s may be sold today, else an
// ECONFLICT error naming what stands in the way: the supplier not admitted
// or suspended, the product not certified, delisted or suspended, its
// certificate expired, or no stock.
func Sellable(p *Product, s *Supplier, today string) error {
	if err := s.Admitted(); err != nil {
		return err
	}
	switch p.Status {
	case ProductListed:
	case ProductSuspended:
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”已暂停销售", p.Name)
	case ProductDelisted:
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”已下架", p.Name)
	default:
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”尚未认定，暂不能销售", p.Name)
	}
	if err := Certified(p, today); err != nil {
		return err
	}
	if p.Stock <= 0 {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”已售罄", p.Name)
	}
	return nil
}

// ProductAction is a step of listing.
type ProductAction string

const (
	ProductCertify ProductAction = "certify" // 认定 (or renew the certificate)
	ProductDelist  ProductAction = "delist"  // 下架
	ProductRelist  ProductAction = "relist"  // 重新上架
	ProductSuspend ProductAction = "suspend" // 暂停销售
	ProductRestore ProductAction = "restore" // 解除暂停 (to 已下架; the supplier relists)
)

// Label is the action in Chinese.
func (a ProductAction) Label() string {
	switch a {
	case ProductCertify:
		return "认定"
	case ProductDelist:
		return "下架"
	case ProductRelist:
		return "重新上架"
	case ProductSuspend:
		return "暂停销售"
	case ProductRestore:
		return "解除暂停"
	}
	return string(a)
}

// ProductInput is what a listing step carries: the certificate for
// 认定, the reason for 暂停销售, and today.
type ProductInput struct {
	Cert   Certification
	Reason string
	Today  string
}

// ProductTransition checks whether u may apply a to product p of a supplier
// in supplierCounty and returns the new status.
//   - 认定: the county user of supplierCounty or the office; a valid,
//     unexpired certificate of that county (in.Cert) is required. 待认定 →
//     在售; on a listed or delisted product it renews the certificate and
//     keeps the status.
//   - 下架 (在售 → 已下架) and 重新上架 (已下架 → 在售, certificate still
//     valid): the supplier's own users, or the office.
//   - 暂停销售 (在售/已下架 → 已暂停, reason required) and 解除暂停 (已暂停 →
//     已下架): the county user of supplierCounty, or the office.
//
// Errors: EFORBIDDEN, ECONFLICT (wrong status, expired certificate),
// EINVALID (certificate fields, reason).
func ProductTransition(u *xiezuo.User, p *Product, supplierCounty string, a ProductAction, in ProductInput) (ProductStatus, error) {
	from := p.Status
	if from == "" {
		from = ProductDraft
	}
	wrong := func() error {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”状态为“%s”，不能%s", p.Name, from.Label(), a.Label())
	}
	county := u.IsOffice() || isCountyOf(u, supplierCounty)
	switch a {
	case ProductCertify:
		if !county {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有产品所在县的用户或协作办可以认定")
		}
		if from == ProductSuspended {
			return "", wrong()
		}
		pr := xiezuo.Problems{}
		checkCert(pr, &in.Cert, supplierCounty)
		if err := pr.Err(); err != nil {
			return "", err
		}
		if in.Cert.ValidUntil < in.Today {
			return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "认定有效期已过",
				Fields: map[string]string{"cert_valid_until": "认定有效期不能早于今天"}}
		}
		if from == ProductDraft {
			return ProductListed, nil
		}
		return from, nil
	case ProductDelist, ProductRelist:
		if !u.IsOffice() && !isSupplier(u, p.SupplierID) {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商本身可以%s商品", a.Label())
		}
		if a == ProductDelist && from == ProductListed {
			return ProductDelisted, nil
		}
		if a == ProductRelist && from == ProductDelisted {
			if err := Certified(p, in.Today); err != nil {
				return "", err
			}
			return ProductListed, nil
		}
		return "", wrong()
	case ProductSuspend, ProductRestore:
		if !county {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有产品所在县的用户或协作办可以%s", a.Label())
		}
		if a == ProductSuspend && (from == ProductListed || from == ProductDelisted) {
			if strings.TrimSpace(in.Reason) == "" {
				return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "暂停销售须填写原因", Fields: map[string]string{"reason": "请填写暂停原因"}}
			}
			return ProductSuspended, nil
		}
		if a == ProductRestore && from == ProductSuspended {
			return ProductDelisted, nil
		}
		return "", wrong()
	}
	return "", xiezuo.Errorf(xiezuo.EINVALID, "未知的商品操作")
}

// CanEditProduct reports whether u may change p's description, price and
// stock (not its status or certificate, see ProductTransition): the
// supplier's own users, or the office.
func CanEditProduct(u *xiezuo.User, p *Product) bool {
	return u.IsOffice() || isSupplier(u, p.SupplierID)
}
