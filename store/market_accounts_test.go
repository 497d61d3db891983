package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// Buyer units and accounts (issue 12, item 2) on both engines: opening an
// account registers its unit and 主管预算单位, the code is a one-time
// password that activation replaces once, throttled like a sign-in, and
// the dashboard counts 已开通 / 已激活.
func TestBuyerAccountsAndActivation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 20, 9, 0, 0, 0, xiezuo.China)
		var mu sync.Mutex
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		admin, sup, unit := user(t, db, "admin"), user(t, db, "caizheng"), user(t, db, "chengjiaqiao")
		buyer := user(t, db, "cjq-caigou")

		acc := func(unitName, parent string, role xiezuo.Role, name, username string) *store.NewBuyerAccount {
			a := &store.NewBuyerAccount{Unit: registry.Organisation{Name: unitName, Kind: "委办局"}, Role: role, DisplayName: name, Username: username, Phone: "13812345678"}
			if parent != "" {
				a.Parent, a.ParentInFile = &registry.Organisation{Name: parent, Kind: "委办局"}, true
			}
			return a
		}
		// Only the office and 监管 open accounts.
		for _, u := range []*xiezuo.User{unit, buyer, user(t, db, "viewer")} {
			_, _, err := db.ImportBuyerAccount(ctx, u, acc("长宁区测试局", "", xiezuo.RoleBuyerAdmin, "张三", "tj-admin"))
			wantCode(t, err, xiezuo.EFORBIDDEN)
		}
		// The 主管 named in the file is registered with its first subordinate.
		id, code, err := db.ImportBuyerAccount(ctx, sup, acc("长宁区测试中心", "长宁区测试局", xiezuo.RolePurchaser, "李四", "tj-buyer"))
		if err != nil || id == 0 || len(code) != 17 {
			t.Fatalf("import: %d %q %v", id, code, err)
		}
		if _, _, err := db.ImportBuyerAccount(ctx, admin, acc("长宁区测试局", "", xiezuo.RoleBuyerAdmin, "张三", "tj-admin")); err != nil {
			t.Fatal(err)
		}
		// The same account again is skipped; its name for another is refused.
		_, _, err = db.ImportBuyerAccount(ctx, admin, acc("长宁区测试中心", "长宁区测试局", xiezuo.RolePurchaser, "李四", "TJ-Buyer"))
		if !errors.Is(err, store.ErrSkipRow) {
			t.Fatalf("same account again: %v", err)
		}
		_, _, err = db.ImportBuyerAccount(ctx, admin, acc("长宁区测试局", "", xiezuo.RolePurchaser, "李四", "tj-buyer"))
		wantCode(t, err, xiezuo.ECONFLICT)
		if xiezuo.ErrorFields(err)[store.FieldUsername] == "" {
			t.Errorf("conflict names no column: %v", xiezuo.ErrorFields(err))
		}
		// A west-side unit cannot buy; an unknown 主管 not in the file is refused.
		_, _, err = db.ImportBuyerAccount(ctx, admin, acc("绿春县人民政府", "", xiezuo.RolePurchaser, "王五", "tj-west"))
		wantField(t, err, store.FieldUnit)
		a := acc("长宁区测试所", "长宁区不存在局", xiezuo.RolePurchaser, "王五", "tj-x")
		a.ParentInFile = false
		_, _, err = db.ImportBuyerAccount(ctx, admin, a)
		wantField(t, err, store.FieldParent)
		a = acc("长宁区测试所", "", xiezuo.RolePurchaser, "王五", "tj-x")
		a.Phone = "12345"
		_, _, err = db.ImportBuyerAccount(ctx, admin, a)
		wantField(t, err, "phone")

		// The dashboard, filtered by the 主管: two units, nothing activated.
		parent := orgID(t, db, "长宁区测试局")
		bd, err := db.BuyerAccountBoard(ctx, sup, store.AccountFilter{ParentID: parent})
		if err != nil || bd.Units != 2 || bd.Total.AdminOpened != 1 || bd.Total.BuyerOpened != 1 || bd.Total.AdminActive+bd.Total.BuyerActive != 0 {
			t.Fatalf("board: %+v, %v", bd, err)
		}
		if len(bd.Parents) == 0 || bd.Rows[1].ParentName != "长宁区测试局" {
			t.Errorf("parents: %+v rows %+v", bd.Parents, bd.Rows)
		}
		_, err = db.BuyerAccountBoard(ctx, buyer, store.AccountFilter{})
		wantCode(t, err, xiezuo.EFORBIDDEN)

		// Activation: a weak password or a wrong code changes nothing.
		_, err = db.Activate(ctx, "tj-buyer", code, "12345678", "10.1.1.1")
		wantField(t, err, "password")
		_, err = db.Activate(ctx, "tj-buyer", "AAAAA-BBBBB-CCCCC", "Lv-chun#Tea-2026", "10.1.1.1")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		u, err := db.Activate(ctx, "TJ-BUYER", " "+code+" ", "Lv-chun#Tea-2026", "10.1.1.1")
		if err != nil || u.MustChange || u.Username != "tj-buyer" {
			t.Fatalf("activate: %+v, %v", u, err)
		}
		// The code works once; the new password signs in.
		_, err = db.Activate(ctx, "tj-buyer", code, "Another#Pass-2026", "10.1.1.1")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		if _, err := db.SignIn(ctx, "tj-buyer", "Lv-chun#Tea-2026", "10.1.1.1"); err != nil {
			t.Fatalf("sign in after activation: %v", err)
		}
		// Codes are read in capitals, so a password is no code here.
		_, err = db.Activate(ctx, "tj-buyer", "Lv-chun#Tea-2026", "Another#Pass-2026", "10.1.1.1")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		bd, _ = db.BuyerAccountBoard(ctx, admin, store.AccountFilter{ParentID: parent})
		if bd.Total.BuyerActive != 1 || bd.Total.AdminActive != 0 || bd.Total.Pending != 1 {
			t.Fatalf("after activation: %+v", bd.Total)
		}
		var action string
		if err := db.SQL().QueryRow(`SELECT action FROM audit_log WHERE entity = 'user' AND entity_id = $1 ORDER BY seq DESC LIMIT 1`, u.ID).Scan(&action); err != nil || action != "activate" {
			t.Errorf("audit: %q, %v", action, err)
		}

		// A new code for an account not activated; none for one activated.
		_, err = db.IssueActivationCode(ctx, sup, u.ID)
		wantCode(t, err, xiezuo.ECONFLICT)
		_, err = db.IssueActivationCode(ctx, sup, user(t, db, "chengjiaqiao").ID)
		wantCode(t, err, xiezuo.ENOTFOUND)
		tjAdmin := user(t, db, "tj-admin")
		_, err = db.IssueActivationCode(ctx, buyer, tjAdmin.ID)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		code2, err := db.IssueActivationCode(ctx, sup, tjAdmin.ID)
		if err != nil {
			t.Fatal(err)
		}
		accs, err := db.BuyerAccounts(ctx, admin, parent)
		if err != nil || len(accs) != 1 || accs[0].ActivatedAt != "" || accs[0].CodeExpires == "" || accs[0].Phone != "13812345678" {
			t.Fatalf("accounts: %+v, %v", accs, err)
		}
		// The code expires after ActivationCodeLife.
		advance(store.ActivationCodeLife + time.Hour)
		_, err = db.Activate(ctx, "tj-admin", code2, "Lv-chun#Tea-2026", "10.1.1.2")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		if m := xiezuo.ErrorMessage(err); m != "激活码已过期，请联系协作办或区财政局重新发放" {
			t.Errorf("expired: %q", m)
		}
		bd, _ = db.BuyerAccountBoard(ctx, admin, store.AccountFilter{ParentID: parent, Pending: true})
		if bd.Units != 1 || bd.Total.Expired != 1 {
			t.Errorf("pending filter: %+v", bd)
		}
		// Guessing codes is throttled as guessing passwords is.
		code3, err := db.IssueActivationCode(ctx, admin, tjAdmin.ID)
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for i := 0; i < ledger.SignInFree+1; i++ {
			_, last = db.Activate(ctx, "tj-admin", "WRONG-CODE0-00000", "Lv-chun#Tea-2026", "203.0.113.50")
		}
		wantCode(t, last, xiezuo.ETOOMANY)
		_, err = db.Activate(ctx, "tj-admin", code3, "Lv-chun#Tea-2026", "203.0.113.50")
		wantCode(t, err, xiezuo.ETOOMANY)
		// From elsewhere the right code still works.
		if _, err := db.Activate(ctx, "tj-admin", code3, "Lv-chun#Tea-2026", "10.1.1.3"); err != nil {
			t.Fatalf("activate from another address: %v", err)
		}
	})
}
