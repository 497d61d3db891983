package market

import (
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// SupplierStatus is where a supplier is in admission.
type SupplierStatus string

const (
	SupplierApplied     SupplierStatus = "applied"     // 申请中
	SupplierRecommended SupplierStatus = "recommended" // 县级推荐
	SupplierAdmitted    SupplierStatus = "admitted"    // 已准入
	SupplierSuspended   SupplierStatus = "suspended"   // 已暂停
)

// SupplierStatuses in display order.
var SupplierStatuses = []SupplierStatus{SupplierApplied, SupplierRecommended, SupplierAdmitted, SupplierSuspended}

// Label is the status in Chinese.
func (s SupplierStatus) Label() string {
	switch s {
	case SupplierApplied:
		return "申请中"
	case SupplierRecommended:
		return "县级推荐"
	case SupplierAdmitted:
		return "已准入"
	case SupplierSuspended:
		return "已暂停"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s SupplierStatus) Valid() bool {
	for _, x := range SupplierStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Supplier is the market profile of a west-side organisation of kind 供应商:
// ID is that organisation's id, and the supplier's users have it as their
// OrgID. Only an admitted supplier's products may be sold.
type Supplier struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	USCC       string         `json:"uscc"`
	CountyCode string         `json:"county_code"` // 12-digit county-level code
	CountyName string         `json:"county_name,omitempty"`
	FarmerLink string         `json:"farmer_link"` // 联农带农 description
	Contact    string         `json:"contact"`
	Phone      string         `json:"phone"`
	Status     SupplierStatus `json:"status"`
	Reason     string         `json:"reason,omitempty"` // why it was last suspended
}

// Validate checks every field that needs no database. An empty status is
// taken as 申请中 (a new application).
func (s *Supplier) Validate() error {
	p := xiezuo.Problems{}
	p.Text("name", "供应商名称", &s.Name, 100, true)
	s.USCC = strings.ToUpper(strings.TrimSpace(s.USCC))
	if s.USCC == "" {
		p.Add("uscc", "统一社会信用代码不能为空")
	} else if !registry.ValidUSCC(s.USCC) {
		p.Add("uscc", "统一社会信用代码校验位不正确（应为18位，按GB 32100校验）")
	}
	checkCounty(p, "county_code", "所在县", s.CountyCode)
	p.Text("farmer_link", "联农带农情况", &s.FarmerLink, 1000, true)
	p.Text("contact", "联系人", &s.Contact, 50, true)
	s.Phone = strings.TrimSpace(s.Phone)
	if s.Phone == "" {
		p.Add("phone", "联系电话不能为空")
	} else if !validPhone(s.Phone) {
		p.Add("phone", "联系电话应为手机号或带区号的固定电话，如 0873-4221234")
	}
	if s.Status == "" {
		s.Status = SupplierApplied
	} else if !s.Status.Valid() {
		p.Add("status", "供应商状态无效")
	}
	p.Text("reason", "暂停原因", &s.Reason, 200, false)
	return p.Err()
}

// checkCounty adds a problem unless code is a 12-digit county-level code.
func checkCounty(p xiezuo.Problems, field, label, code string) bool {
	if code == "" {
		p.Add(field, label+"不能为空")
		return false
	}
	if !registry.ValidCode(code) || registry.LevelOf(code) != registry.LevelCounty {
		p.Add(field, label+"须为县级12位区划代码")
		return false
	}
	return true
}

// validPhone accepts 7 to 20 digits, with '-', spaces or a leading '+'.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || (r == '+' && i == 0):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}

// SupplierAction is a step of admission.
type SupplierAction string

const (
	SupplierRecommend SupplierAction = "recommend" // 县级推荐
	SupplierAdmit     SupplierAction = "admit"     // 准入
	SupplierSuspend   SupplierAction = "suspend"   // 暂停
	SupplierReadmit   SupplierAction = "readmit"   // 恢复准入
)

// Label is the action in Chinese.
func (a SupplierAction) Label() string {
	switch a {
	case SupplierRecommend:
		return "县级推荐"
	case SupplierAdmit:
		return "准入"
	case SupplierSuspend:
		return "暂停"
	case SupplierReadmit:
		return "恢复准入"
	}
	return string(a)
}

// SupplierTransition checks whether u may apply a to supplier s and returns
// the new status. The county user of s's county recommends an application
// (申请中 → 县级推荐); the office admits a recommended supplier (→ 已准入),
// suspends an admitted one (→ 已暂停, reason required) and re-admits a
// suspended one (→ 已准入). Errors: EFORBIDDEN (role or county), ECONFLICT
// (wrong status), EINVALID (missing reason).
func SupplierTransition(u *xiezuo.User, s *Supplier, a SupplierAction, reason string) (SupplierStatus, error) {
	from := s.Status
	if from == "" {
		from = SupplierApplied
	}
	wrong := func() error {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "供应商“%s”状态为“%s”，不能%s", s.Name, from.Label(), a.Label())
	}
	switch a {
	case SupplierRecommend:
		if !isCountyOf(u, s.CountyCode) {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商所在县的用户可以推荐")
		}
		if from != SupplierApplied {
			return "", wrong()
		}
		return SupplierRecommended, nil
	case SupplierAdmit, SupplierSuspend, SupplierReadmit:
		if !u.IsOffice() {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以%s供应商", a.Label())
		}
		switch {
		case a == SupplierAdmit && from == SupplierRecommended:
			return SupplierAdmitted, nil
		case a == SupplierReadmit && from == SupplierSuspended:
			return SupplierAdmitted, nil
		case a == SupplierSuspend && from == SupplierAdmitted:
			if strings.TrimSpace(reason) == "" {
				return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "暂停供应商须填写原因", Fields: map[string]string{"reason": "请填写暂停原因"}}
			}
			return SupplierSuspended, nil
		}
		return "", wrong()
	}
	return "", xiezuo.Errorf(xiezuo.EINVALID, "未知的供应商操作")
}

// CanEditSupplier reports whether u may change s's profile (name, contact,
// 联农带农…; not its status, see SupplierTransition): the supplier's own
// users, or the office.
func CanEditSupplier(u *xiezuo.User, s *Supplier) bool {
	return u.IsOffice() || isSupplier(u, s.ID)
}

// Admitted returns nil when s may sell, else an ECONFLICT error saying why.
func (s *Supplier) Admitted() error {
	switch s.Status {
	case SupplierAdmitted:
		return nil
	case SupplierSuspended:
		return xiezuo.Errorf(xiezuo.ECONFLICT, "供应商“%s”已暂停，暂不能销售", s.Name)
	}
	return xiezuo.Errorf(xiezuo.ECONFLICT, "供应商“%s”尚未准入，暂不能销售", s.Name)
}
