package store_test

import (
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/store"
)

// The market's roles (migration 00025): accounts of each can be made, the
// ones that work in the market alone only with their organisation, and
// the database itself refuses a role it does not know — on both engines
// (SQLite rebuilds the users table, keeping its rows, indexes and keys).
func TestMarketRoles(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		org := orgID(t, db, "携程集团")
		for i, r := range []xiezuo.Role{xiezuo.RoleSupplier, xiezuo.RoleBuyerAdmin, xiezuo.RolePurchaser, xiezuo.RoleSupervisor} {
			nu := store.NewUser{Username: "market" + string(rune('a'+i)), Password: "Changning-2020-x", Role: r}
			if r != xiezuo.RoleSupervisor {
				_, err := db.CreateUser(ctx, admin, nu)
				wantCode(t, err, "invalid")
				nu.OrgID = org
			}
			u, err := db.CreateUser(ctx, admin, nu)
			if err != nil || u.Role != r {
				t.Fatalf("%s: %+v, %v", r, u, err)
			}
		}
		if _, err := db.SQL().Exec(`UPDATE users SET role = 'bogus' WHERE username = 'marketa'`); err == nil {
			t.Error("the database took an unknown role")
		}
		if _, err := db.SQL().Exec(`UPDATE users SET org_id = NULL WHERE username = 'marketa'`); err == nil {
			t.Error("the database took a supplier without its organisation")
		}
		// The demo's users are all still there, signed in as before.
		if u := user(t, db, "chengjiaqiao"); u.OrgID == 0 {
			t.Errorf("unit user lost its organisation: %+v", u)
		}
		var bad int
		if db.Dialect == store.SQLite {
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&bad); err != nil || bad != 0 {
				t.Errorf("foreign key check: %d, %v", bad, err)
			}
		}
	})
}
