package store_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// lastAudit is the action of the last audit entry of entity id.
func lastAudit(t *testing.T, db *store.DB, entity string, id int64) string {
	t.Helper()
	var action string
	if err := db.SQL().QueryRow(`SELECT action FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT 1`, entity, id).Scan(&action); err != nil {
		t.Fatalf("audit of %s %d: %v", entity, id, err)
	}
	return action
}

// A unit's management account manages its own purchasers (issue 12,
// item 2): it lists them, adds one checked as the import checks a row,
// disables and re-enables it, and issues it a new code; it cannot reach
// another unit's accounts, nor its own management account. On both engines.
func TestUnitPurchasers(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		jyj, yzx, buyer := user(t, db, "jyj-guanli"), user(t, db, "yzx-guanli"), user(t, db, "jyj-caigou")
		accs, err := db.UnitAccounts(ctx, jyj, jyj.OrgID)
		if err != nil || len(accs) != 2 || accs[0].Username != "jyj-guanli" || accs[1].Username != "jyj-caigou" {
			t.Fatalf("the unit's accounts: %+v, %v", accs, err)
		}
		if accs[1].ActivatedAt == "" || accs[1].LastSignIn == "" || accs[1].Phone != "13801620002" {
			t.Errorf("an activated purchaser: %+v", accs[1])
		}
		// Nobody else lists them: another unit's (or the subordinate's)
		// management account, the unit's purchaser, the office.
		for _, u := range []*xiezuo.User{yzx, buyer, user(t, db, "admin"), user(t, db, "caizheng")} {
			_, err := db.UnitAccounts(ctx, u, jyj.OrgID)
			wantCode(t, err, xiezuo.EFORBIDDEN)
		}

		// Adding: the import's rule names the field.
		add := func(u *xiezuo.User, name, username, phone string) (int64, string, error) {
			return db.AddPurchaser(ctx, u, &store.NewBuyerAccount{DisplayName: name, Username: username, Phone: phone})
		}
		_, _, err = add(jyj, "", "jyj-caigou2", "")
		wantField(t, err, "display_name")
		_, _, err = add(jyj, "孙悦", "jyj caigou2", "")
		wantField(t, err, store.FieldUsername)
		_, _, err = add(jyj, "孙悦", "jyj-caigou2", "12345")
		wantField(t, err, "phone")
		_, _, err = add(jyj, "孙悦", "YZX-Caigou", "13801620030")
		wantCode(t, err, xiezuo.ECONFLICT)
		if xiezuo.ErrorFields(err)[store.FieldUsername] == "" {
			t.Errorf("a taken name names no field: %v", err)
		}
		_, _, err = add(buyer, "孙悦", "jyj-caigou2", "13801620030")
		wantCode(t, err, xiezuo.EFORBIDDEN)
		id, code, err := add(jyj, " 孙悦 ", "jyj-caigou2", "13801620030")
		if err != nil || id == 0 || len(code) != 17 {
			t.Fatalf("add: %d %q %v", id, code, err)
		}
		nu := user(t, db, "jyj-caigou2")
		if nu.Role != xiezuo.RolePurchaser || nu.OrgID != jyj.OrgID || !nu.MustChange || nu.DisplayName != "孙悦" {
			t.Fatalf("the new purchaser: %+v", nu)
		}
		if a := lastAudit(t, db, "user", id); a != "create" {
			t.Errorf("audit: %q", a)
		}
		accs, _ = db.UnitAccounts(ctx, jyj, jyj.OrgID)
		if len(accs) != 3 || accs[2].ActivatedAt != "" || accs[2].CodeExpires == "" || accs[2].LastSignIn != "" {
			t.Fatalf("after adding: %+v", accs)
		}

		// A new code: the old one stops working, the new one activates.
		code2, err := db.IssueActivationCode(ctx, jyj, id)
		if err != nil || code2 == code {
			t.Fatalf("new code: %q %v", code2, err)
		}
		_, err = db.Activate(ctx, "jyj-caigou2", code, "Lv-chun#Tea-2026", "10.2.0.1")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		// Not for another unit's account (not there for it), nor for its
		// own management account.
		_, err = db.IssueActivationCode(ctx, jyj, user(t, db, "syy-caigou").ID)
		wantCode(t, err, xiezuo.ENOTFOUND)
		_, err = db.IssueActivationCode(ctx, yzx, id)
		wantCode(t, err, xiezuo.ENOTFOUND)
		_, err = db.IssueActivationCode(ctx, jyj, jyj.ID)
		wantCode(t, err, xiezuo.EFORBIDDEN)

		// Disabling: the account cannot sign in until enabled again.
		if _, err := db.Activate(ctx, "jyj-caigou2", code2, "Lv-chun#Tea-2026", "10.2.0.1"); err != nil {
			t.Fatal(err)
		}
		if name, err := db.SetPurchaserDisabled(ctx, jyj, id, true); err != nil || name != "孙悦" {
			t.Fatalf("disable: %q %v", name, err)
		}
		if a := lastAudit(t, db, "user", id); a != "disable" {
			t.Errorf("audit: %q", a)
		}
		if _, err := db.SignIn(ctx, "jyj-caigou2", "Lv-chun#Tea-2026", "10.2.0.1"); err == nil {
			t.Fatal("a disabled purchaser signed in")
		}
		if _, err := db.SetPurchaserDisabled(ctx, jyj, id, false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignIn(ctx, "jyj-caigou2", "Lv-chun#Tea-2026", "10.2.0.1"); err != nil {
			t.Fatalf("enabled again: %v", err)
		}
		_, err = db.SetPurchaserDisabled(ctx, jyj, user(t, db, "yzx-caigou").ID, true)
		wantCode(t, err, xiezuo.ENOTFOUND)
		_, err = db.SetPurchaserDisabled(ctx, jyj, jyj.ID, true)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		_, err = db.SetPurchaserDisabled(ctx, buyer, id, true)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		_, err = db.SetPurchaserDisabled(ctx, user(t, db, "admin"), id, true) // the office has 用户管理 for this
		wantCode(t, err, xiezuo.EFORBIDDEN)
		if u := user(t, db, "yzx-caigou"); u.Disabled {
			t.Fatal("another unit's purchaser was disabled")
		}
	})
}

// The 主管预算单位 checks its subordinate units' filings: it sees each
// with its check; approves or returns one with a reason the unit sees; a
// filing made again goes back to 待审核; nobody else checks. On both
// engines, from the demo (教育局 approved 第一中心小学's, 卫健委 returned
// 中心医院's).
func TestShareChecks(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		year, _ := strconv.Atoi(db.Today()[:4])
		jyj, yzx, syy := user(t, db, "jyj-guanli"), user(t, db, "yzx-guanli"), user(t, db, "syy-guanli")
		wjw, zxyy := user(t, db, "wjw-guanli"), user(t, db, "zxyy-guanli")
		line := func(u *xiezuo.User, unit int64) store.ShareLine {
			t.Helper()
			rep, err := db.Supervision(ctx, u, year, store.SupervisionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range rep.Units {
				if l.UnitID == unit {
					return l
				}
			}
			t.Fatalf("unit %d not in %s's report", unit, u.Username)
			return store.ShareLine{}
		}
		// The parent sees its subordinates with their checks.
		rep, err := db.Supervision(ctx, jyj, year, store.SupervisionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]market.CheckStatus{}
		for _, l := range rep.Units {
			seen[l.UnitID] = l.Check
		}
		if len(seen) != 3 || seen[yzx.OrgID] != market.CheckApproved || seen[syy.OrgID] != market.CheckNone || seen[jyj.OrgID] != market.CheckNone {
			t.Fatalf("教育局's units: %v", seen)
		}
		// 监管 sees the return and its reason; so does the unit.
		for _, u := range []*xiezuo.User{user(t, db, "caizheng"), zxyy} {
			if l := line(u, zxyy.OrgID); l.Check != market.CheckReturned || l.CheckReason == "" || l.CheckedAt == "" {
				t.Fatalf("the returned filing as %s: %+v", u.Username, l)
			}
		}

		check := func(u *xiezuo.User, unit int64, st market.CheckStatus, reason, filedAt string) error {
			return db.CheckShare(ctx, u, &market.ShareCheck{UnitID: unit, Year: year, Status: st, Reason: reason, FiledAt: filedAt})
		}
		// Nobody but the parent's management account checks.
		wantCode(t, check(jyj, zxyy.OrgID, market.CheckApproved, "", ""), xiezuo.ENOTFOUND) // another parent's unit
		wantCode(t, check(jyj, jyj.OrgID, market.CheckApproved, "", ""), xiezuo.ENOTFOUND)  // its own
		wantCode(t, check(yzx, yzx.OrgID, market.CheckApproved, "", ""), xiezuo.ENOTFOUND)
		wantCode(t, check(user(t, db, "jyj-caigou"), yzx.OrgID, market.CheckApproved, "", ""), xiezuo.EFORBIDDEN)
		wantCode(t, check(user(t, db, "admin"), yzx.OrgID, market.CheckApproved, "", ""), xiezuo.EFORBIDDEN)
		wantCode(t, check(user(t, db, "caizheng"), yzx.OrgID, market.CheckApproved, "", ""), xiezuo.EFORBIDDEN)
		// Nothing to check before a filing; a return needs its reason.
		wantCode(t, check(jyj, syy.OrgID, market.CheckApproved, "", ""), xiezuo.EINVALID)
		wantField(t, check(wjw, zxyy.OrgID, market.CheckReturned, " ", ""), "reason")

		// The unit files again: back to 待审核, the reason gone.
		f := &market.ShareFiling{UnitID: zxyy.OrgID, Year: year, BudgetFen: 120_000_000, RatioBP: 1200}
		if err := db.FileShare(ctx, zxyy, f); err != nil {
			t.Fatal(err)
		}
		l := line(wjw, zxyy.OrgID)
		if l.Check != market.CheckPending || l.CheckReason != "" || l.FiledAt == "" {
			t.Fatalf("filed again: %+v", l)
		}
		// A check of the filing seen before is refused once it is filed
		// again; of the filing as it stands, recorded and audited.
		wantCode(t, check(wjw, zxyy.OrgID, market.CheckApproved, "", "2000-01-01T00:00:00Z"), xiezuo.ECONFLICT)
		if err := check(wjw, zxyy.OrgID, market.CheckApproved, "", l.FiledAt); err != nil {
			t.Fatal(err)
		}
		if l := line(zxyy, zxyy.OrgID); l.Check != market.CheckApproved || l.ReservedFen != 14_400_000 {
			t.Fatalf("approved: %+v", l)
		}
		if a := lastAudit(t, db, "share", zxyy.OrgID); a != "approve" {
			t.Errorf("audit: %q", a)
		}
		if err := check(jyj, yzx.OrgID, market.CheckReturned, "请按2026年决算填报", ""); err != nil {
			t.Fatal(err)
		}
		if l := line(yzx, yzx.OrgID); l.Check != market.CheckReturned || l.CheckReason != "请按2026年决算填报" {
			t.Fatalf("returned: %+v", l)
		}
		if a := lastAudit(t, db, "share", yzx.OrgID); a != "return" {
			t.Errorf("audit: %q", a)
		}
	})
}

// The office keeps the 832 list: a county by name or code, resolved in
// the region registry, county level only, each change audited; its
// counties then count in supervision like the paired ones. On both engines.
func Test832Counties(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		luxi := registry.Region{Code: "532527000000", Name: "泸西县", ShortName: "泸西", Level: registry.LevelCounty, ParentCode: "532500000000"}
		shiping := registry.Region{Code: "532525000000", Name: "石屏县", ShortName: "石屏", Level: registry.LevelCounty, ParentCode: "532500000000"}
		if _, err := db.UpsertRegions(ctx, admin, []registry.Region{luxi, shiping}); err != nil {
			t.Fatal(err)
		}
		before, err := db.Counties832(ctx)
		if err != nil || len(before) != 4 {
			t.Fatalf("the demo's 832 counties: %+v, %v", before, err)
		}
		for _, u := range []*xiezuo.User{user(t, db, "caizheng"), user(t, db, "chengjiaqiao"), user(t, db, "lvchun"), user(t, db, "jyj-guanli")} {
			_, err := db.Add832County(ctx, u, "泸西县")
			wantCode(t, err, xiezuo.EFORBIDDEN)
		}
		for text, msg := range map[string]string{
			"":             "请填写县名",
			"红河哈尼族彝族自治州":   "是市州一级",
			"530000000000": "是省一级",
			"532531101000": "“大兴镇”（532531101000）是乡镇一级",
			"532531999000": "不在地区名录中",
			"不存在县":         "找不到",
		} {
			_, err := db.Add832County(ctx, admin, text)
			wantField(t, err, "county")
			if m := xiezuo.ErrorFields(err)["county"]; !strings.Contains(m, msg) {
				t.Errorf("%q: %q, want it to say %q", text, m, msg)
			}
		}
		r, err := db.Add832County(ctx, admin, "红河州泸西县")
		if err != nil || r.Code != luxi.Code {
			t.Fatalf("by path: %+v, %v", r, err)
		}
		if r, err := db.Add832County(ctx, admin, "532525000000"); err != nil || r.Name != "石屏县" || r.Path == "" {
			t.Fatalf("by code: %+v, %v", r, err)
		}
		_, err = db.Add832County(ctx, admin, "泸西")
		wantCode(t, err, xiezuo.ECONFLICT)
		if a := lastAudit(t, db, "county_832", 532527000000); a != "add" {
			t.Errorf("audit: %q", a)
		}
		set, codes, err := db.CountedCounties(ctx)
		if err != nil || !set[luxi.Code] || !set["532531000000"] || set["310105000000"] || len(codes) != len(set) || !sort.StringsAreSorted(codes) {
			t.Fatalf("counted: %v %v %v", set, codes, err)
		}
		if name, err := db.Remove832County(ctx, admin, shiping.Code); err != nil || name != "石屏县" {
			t.Fatalf("remove: %q %v", name, err)
		}
		if a := lastAudit(t, db, "county_832", 532525000000); a != "remove" {
			t.Errorf("audit: %q", a)
		}
		_, err = db.Remove832County(ctx, admin, shiping.Code)
		wantCode(t, err, xiezuo.ENOTFOUND)
		// A list pasted at once: all or nothing, each bad name told; the
		// listed ones (or one named twice) are skipped, not refused.
		_, _, err = db.Add832Counties(ctx, admin, []string{"石屏县", "大兴镇", "不存在县"})
		if m := xiezuo.ErrorFields(err)["county"]; !strings.Contains(m, "乡镇一级") || !strings.Contains(m, "找不到") {
			t.Errorf("a list with two bad names: %v", err)
		}
		if set, _, _ := db.CountedCounties(ctx); set[shiping.Code] {
			t.Error("a refused list added 石屏县")
		}
		added, listed, err := db.Add832Counties(ctx, admin, []string{"石屏县", " 泸西县 ", "532525000000"})
		if err != nil || len(added) != 1 || added[0].Code != shiping.Code || len(listed) != 2 {
			t.Fatalf("a list: added %+v, listed %+v, %v", added, listed, err)
		}
		if _, err := db.Remove832County(ctx, admin, shiping.Code); err != nil {
			t.Fatal(err)
		}
		_, err = db.Remove832County(ctx, user(t, db, "caizheng"), luxi.Code)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		after, _ := db.Counties832(ctx)
		if len(after) != 5 {
			t.Fatalf("after: %+v", after)
		}
	})
}

// /activate takes the same path whatever the user name: how it is
// ensured. Activate hashes the new password first, for every attempt,
// before any account is read, and checks the code with
// password.CheckCode, which compares once at the password cost and once
// at the activation-code cost whatever the stored hash is (a real hash
// where it fits, dummies elsewhere: password's TestCheckCode counts the
// work), and signIn runs the same queries for an unknown name. So an
// unknown name, an account waiting on a code (given a wrong one) and an
// activated account all cost one password hash and the same two
// comparisons, and get the same answer. Here the answers are compared,
// and the medians of the times, within 1.5× (with password.Check in
// place of CheckCode an unknown name takes twice a pending account's
// time; before the new password was hashed first, twenty times).
func TestActivateSamePath(t *testing.T) {
	// The same path whatever the user name: the same answer, and the same
	// SQL statements (counted by the store). The hash work is the same by
	// construction — Activate hashes the new password first, then
	// password.CheckCode compares once at each cost whatever is stored
	// (TestCheckCode counts it) — so it is not timed here: a timed test
	// fails on a loaded machine.
	eachEngine(t, func(t *testing.T, db *store.DB) {
		const next = "Lv-chun#Tea-2026"
		names := []string{"nobody-here", "yzx-caigou", "jyj-caigou"} // unknown, pending, activated
		statements := map[string]int64{}
		for i, n := range names {
			if _, err := db.SQL().Exec(`DELETE FROM login_attempts`); err != nil { // no throttling in the way
				t.Fatal(err)
			}
			before := db.Statements()
			_, err := db.Activate(ctx, n, "WRONG-CODE0-00000", next, "10.9.0."+strconv.Itoa(i))
			statements[n] = db.Statements() - before
			if xiezuo.ErrorCode(err) != xiezuo.EUNAUTHORIZED || xiezuo.ErrorMessage(err) != "用户名或激活码不正确" {
				t.Fatalf("%s: %v", n, err)
			}
		}
		if statements[names[0]] != statements[names[1]] || statements[names[1]] != statements[names[2]] {
			t.Errorf("activation attempts send different SQL by user name: %v", statements)
		}
		// The pending account is still pending: nothing was written.
		if u := user(t, db, "yzx-caigou"); !u.MustChange {
			t.Fatal("a wrong code activated the account")
		}
	})
}
