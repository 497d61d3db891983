package xiezuo

import "context"

// Role is what a user may do. See DESIGN.md "Who uses it".
type Role string

const (
	RoleAdmin    Role = "admin"    // 协作办管理员: registry, users, review, everything
	RoleReviewer Role = "reviewer" // 协作办审核员: review queue, reopen approved records
	RoleUnit     Role = "unit"     // 报送单位: records and submits its own unit's records
	RoleCounty   Role = "county"   // 受援县用户: records on-site projects, confirms receipt
	RoleViewer   Role = "viewer"   // 只读: approved records only
	// The market's roles (消费帮扶, package market). A supplier's, buyer
	// admin's and purchaser's account belongs to its organisation and sees
	// the market only (MarketOnly); 监管 reads like a viewer and supervises
	// every buyer's purchases.
	RoleSupplier   Role = "supplier"    // 供应商: lists products, confirms and ships orders
	RoleBuyerAdmin Role = "buyer_admin" // 采购单位管理账号: reserved share, purchasers, settlement
	RolePurchaser  Role = "purchaser"   // 采购人: buys, accepts deliveries
	RoleSupervisor Role = "supervisor"  // 监管（区财政局）: read-only supervision
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleReviewer, RoleUnit, RoleCounty, RoleViewer, RoleSupplier, RoleBuyerAdmin, RolePurchaser, RoleSupervisor}

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "协作办管理员"
	case RoleReviewer:
		return "协作办审核员"
	case RoleUnit:
		return "报送单位"
	case RoleCounty:
		return "受援县"
	case RoleViewer:
		return "只读用户"
	case RoleSupplier:
		return "供应商"
	case RoleBuyerAdmin:
		return "采购单位管理账号"
	case RolePurchaser:
		return "采购人"
	case RoleSupervisor:
		return "监管单位"
	}
	return string(r)
}

// MarketOnly reports whether r works in the market alone (supplier, buyer
// admin, purchaser): the ledger, registry and reports are not theirs.
func (r Role) MarketOnly() bool {
	return r == RoleSupplier || r == RoleBuyerAdmin || r == RolePurchaser
}

// NeedsOrg reports whether a user of role r must belong to an organisation.
func (r Role) NeedsOrg() bool {
	return r == RoleUnit || r == RoleCounty || r.MarketOnly()
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a person who signs in. Unit and county users belong to an
// organisation (OrgID); county users also to a county (CountyCode).
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	OrgID       int64  `json:"org_id,omitempty"`
	OrgName     string `json:"org_name,omitempty"`
	CountyCode  string `json:"county_code,omitempty"`
	Disabled    bool   `json:"disabled"`
	// MustChange: the password is a one-time code the office issued; the
	// user must choose a new one before doing anything else.
	MustChange bool `json:"must_change,omitempty"`
}

// IsOffice reports whether u works in the 协作办 (admin or reviewer).
func (u *User) IsOffice() bool {
	return u != nil && (u.Role == RoleAdmin || u.Role == RoleReviewer)
}

// CanRecord reports whether u may create ledger records at all.
func (u *User) CanRecord() bool {
	return u != nil && (u.IsOffice() || u.Role == RoleUnit || u.Role == RoleCounty)
}

type userKey struct{}

// NewContextWithUser returns ctx carrying the signed-in user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the signed-in user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
