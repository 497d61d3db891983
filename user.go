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
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleReviewer, RoleUnit, RoleCounty, RoleViewer}

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
	}
	return string(r)
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
