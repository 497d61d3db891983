package market

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
)

// Buyer units and accounts (issue 12, item 2: the 832 work of the seed).
// The office or 区财政局 opens a budget unit's accounts in bulk — one
// management account (采购单位管理账号) and its purchasers (采购人) — each
// with a one-time activation code; the first sign-in with the code sets
// the account's password. The dashboard counts 已开通 (opened) and 已激活
// (activated) per unit and in total.

// CanOpenAccounts reports whether u may import buyer units and accounts,
// issue activation codes again and read the activation dashboard: the
// office and 监管 (区财政局), who opened the 832 accounts in the seed.
func CanOpenAccounts(u *xiezuo.User) bool { return CanSupervise(u) }

// AccountKinds maps what an import's 账号类型 column may say to the role.
var AccountKinds = map[string]xiezuo.Role{
	"管理账号": RoleBuyerAdmin, "单位管理账号": RoleBuyerAdmin, "采购单位管理账号": RoleBuyerAdmin, "管理员": RoleBuyerAdmin, "buyer_admin": RoleBuyerAdmin,
	"采购人": RolePurchaser, "交易账号": RolePurchaser, "采购人账号": RolePurchaser, "purchaser": RolePurchaser,
}

// AccountKindWords are the 账号类型 choices a template offers.
var AccountKindWords = []string{"管理账号", "采购人"}

// IsBuyerRole reports whether r is a buyer unit's account role.
func IsBuyerRole(r xiezuo.Role) bool { return r == RoleBuyerAdmin || r == RolePurchaser }

// BuyerUnitKinds are the organisation kinds a buyer unit may have.
var BuyerUnitKinds = []string{"委办局", "街道", "乡镇", "学校", "医院", "国企", "企业", "工会", "社会组织", "区县", "其他"}

// PhoneProblem says what is wrong with a contact number (a mobile number
// of 11 digits starting with 1, or a landline such as 021-62345678), or
// "" when it is fine or empty.
func PhoneProblem(phone string) string {
	if phone == "" {
		return ""
	}
	digits := 0
	for _, r := range phone {
		switch {
		case unicode.IsDigit(r) && r < utf8.RuneSelf:
			digits++
		case r == '-' || r == ' ' || r == '+':
		default:
			return "“" + phone + "”不是电话号码：只能含数字和“-”"
		}
	}
	d := strings.NewReplacer("-", "", " ", "", "+", "").Replace(phone)
	switch {
	case strings.HasPrefix(d, "86") && len(d) == 13:
		d = d[2:]
	}
	if (len(d) == 11 && d[0] == '1') || (d[0] == '0' && digits >= 10 && digits <= 12) || (digits >= 7 && digits <= 8) {
		return ""
	}
	return "“" + phone + "”不是手机号（11位）或带区号的固定电话"
}
