package store_test

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// heartBatch is the demo's third batch of children with heart disease.
func heartBatch(t *testing.T, db *store.DB) *ledger.Batch {
	t.Helper()
	bs, err := db.ListBatches(ctx, user(t, db, "admin"), store.RecordFilter{CountyCode: lvchun})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Kind == "先心病患儿赴沪治疗" {
			return b
		}
	}
	t.Fatal("no heart batch in the demo")
	return nil
}

func patients(t *testing.T, db *store.DB, u *xiezuo.User, batch int64) []*people.Beneficiary {
	t.Helper()
	pg, err := db.ListBeneficiaries(ctx, u, store.BeneficiaryFilter{Kind: people.KindPatient, BatchID: batch})
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

// auditRows counts the audit entries of an action on an entity by a user.
func auditRows(t *testing.T, db *store.DB, actor, action, entity string, id int64) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE actor_name = $1 AND action = $2 AND entity = $3 AND entity_id = $4`,
		actor, action, entity, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterCounts: the demo's third batch keeps 27 with 12 named (a
// partial register leaves the hand count), the students' batch 734 with 3;
// a batch whose register outgrows its hand count shows the register.
func TestRegisterCounts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		b := heartBatch(t, db)
		if b.Count != 27 || b.RegisterCount != 12 || b.Total() != 27 {
			t.Errorf("third batch: count %d, register %d, total %d", b.Count, b.RegisterCount, b.Total())
		}
		// A new batch of 2 by hand, 3 registered: 3.
		nb := &ledger.Batch{Header: ledger.Header{UnitID: b.UnitID}, Date: "2020-11-20", CountyCode: lvchun, Kind: "先心病患儿赴沪治疗", Label: "第四批", Count: 2, CountUnit: "名患儿"}
		if err := db.SaveBatch(ctx, admin, nb); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			p := &people.Beneficiary{Kind: people.KindPatient, UnitID: b.UnitID, Name: "演示-测试" + string(rune('甲'+i)), BatchID: nb.ID, Stage: "screening"}
			if err := db.SaveBeneficiary(ctx, admin, p); err != nil {
				t.Fatal(err)
			}
			if p.CountyCode != lvchun {
				t.Errorf("county from the batch: %q", p.CountyCode)
			}
		}
		got, err := db.Batch(ctx, admin, nb.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total() != 3 {
			t.Errorf("hand 2, register 3: total %d", got.Total())
		}
	})
}

// TestRegisterPrivacy: the ID number is full for the office admin and
// masked for everyone else who may see the entry; a unit sees only its
// own entries, a county its county's, viewers and 监管 nothing; every view
// and export is audited; an export is the office's.
func TestRegisterPrivacy(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		b := heartBatch(t, db)
		ps := patients(t, db, user(t, db, "admin"), b.ID)
		if len(ps) != 12 {
			t.Fatalf("%d patients", len(ps))
		}
		id := ps[0].ID
		full := ps[0].IDNumber
		if !people.ValidID(full, "2020-12-31") || !strings.HasPrefix(ps[0].Name, "演示-") {
			t.Fatalf("demo entry %+v", ps[0])
		}
		for _, tc := range []struct {
			user, want string
			code       string
		}{
			{"admin", full, ""},
			{"reviewer", people.MaskID(full), ""},
			{"lvchun", people.MaskID(full), ""},    // the county's office keeps the batch
			{"chengjiaqiao", "", xiezuo.ENOTFOUND}, // another unit, not its county
			{"viewer", "", xiezuo.EFORBIDDEN},      // read-only: no personal data
			{"caizheng", "", xiezuo.EFORBIDDEN},    // 监管
			{"cjq-caigou", "", xiezuo.EFORBIDDEN},  // the market
		} {
			u := user(t, db, tc.user)
			got, err := db.Beneficiary(ctx, u, id)
			if xiezuo.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.user, err, tc.code)
				continue
			}
			if err != nil {
				continue
			}
			if got.IDNumber != tc.want {
				t.Errorf("%s sees %s, want %s", tc.user, got.IDNumber, tc.want)
			}
			if n := auditRows(t, db, tc.user, "view", "beneficiary", id); n != 1 {
				t.Errorf("%s: %d view entries", tc.user, n)
			}
			// The list masks the same way.
			if l := patients(t, db, u, b.ID); len(l) == 0 || l[0].IDNumber != tc.want {
				t.Errorf("%s: list shows %v", tc.user, l)
			}
		}
		// Exports: the office's, audited with the entries it held.
		if _, err := db.ExportBeneficiaries(ctx, user(t, db, "lvchun"), store.BeneficiaryFilter{Kind: people.KindPatient}); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Errorf("county export: %v", err)
		}
		rows, err := db.ExportBeneficiaries(ctx, user(t, db, "reviewer"), store.BeneficiaryFilter{Kind: people.KindPatient, BatchID: b.ID})
		if err != nil || len(rows) != 12 || rows[0].IDNumber != people.MaskID(full) {
			t.Fatalf("reviewer export: %d rows, %v", len(rows), err)
		}
		var after string
		if err := db.SQL().QueryRow(`SELECT after FROM audit_log WHERE actor_name = 'reviewer' AND action = 'export' AND entity = 'register'`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(after, `"batch_id":`) || !strings.Contains(after, `"ids":[`) {
			t.Errorf("export entry %s", after)
		}
	})
}

// TestRegisterErase: erasing a person on request clears the personal
// fields, keeps the batch's count, is audited, and leaves no name or ID
// number in the audit log (which never held them).
func TestRegisterErase(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		b := heartBatch(t, db)
		p := patients(t, db, admin, b.ID)[3]
		// Edit through the county with the masked number: the stored one stays.
		lc := user(t, db, "lvchun")
		edit, err := db.Beneficiary(ctx, lc, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		edit.Stage = "treated"
		if err := db.SaveBeneficiary(ctx, lc, edit); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.Beneficiary(ctx, admin, p.ID); again.IDNumber != p.IDNumber || again.Stage != "treated" {
			t.Errorf("after a masked save: %s %s", again.IDNumber, again.Stage)
		}
		edit.IDNumber = "1234**********5678"
		if err := db.SaveBeneficiary(ctx, lc, edit); xiezuo.ErrorFields(err)["id_number"] == "" {
			t.Errorf("another mask: %v", err)
		}
		// A unit may not erase; the office may.
		if err := db.EraseBeneficiary(ctx, lc, p.ID); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Errorf("county erase: %v", err)
		}
		if err := db.EraseBeneficiary(ctx, user(t, db, "reviewer"), p.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.Beneficiary(ctx, admin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Erased() || got.Name != "" || got.IDNumber != "" || got.BirthDate != "" || got.Stage != "" || got.Note != "" {
			t.Errorf("erased entry %+v", got)
		}
		if nb, _ := db.Batch(ctx, admin, b.ID); nb.Total() != 27 || nb.RegisterCount != 12 {
			t.Errorf("after erasure: total %d, register %d", nb.Total(), nb.RegisterCount)
		}
		if auditRows(t, db, "reviewer", "erase", "beneficiary", p.ID) != 1 {
			t.Error("erasure not audited")
		}
		if err := db.EraseBeneficiary(ctx, admin, p.ID); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Errorf("second erasure: %v", err)
		}
		if err := db.SaveBeneficiary(ctx, admin, got); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Errorf("editing an erased entry: %v", err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE before LIKE $1 OR after LIKE $1 OR before LIKE $2 OR after LIKE $2`,
			"%"+p.Name+"%", "%"+p.IDNumber[6:14]+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d audit entries hold the person's name or birth date", n)
		}
	})
}

// TestTalentHeadcount: the dashboard's 援派干部人才 counts a person once,
// alone or in a team, and a team's unnamed members.
func TestTalentHeadcount(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		f := store.PeopleFilter{From: "2020-01-01", To: "2020-12-31"}
		base, err := db.TalentHeadcount(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		fig := func() int64 {
			for _, a := range dashboard(t, db, report.ForYear(2020, "")).Areas {
				for _, fg := range a.Figures {
					if fg.Code == "people" {
						return fg.Value
					}
				}
			}
			t.Fatal("no 援派干部人才 figure")
			return 0
		}
		if fig() != base {
			t.Errorf("dashboard %d, headcount %d", fig(), base)
		}
		ps, err := db.People(ctx, store.PeopleFilter{})
		if err != nil || len(ps) == 0 {
			t.Fatal(err)
		}
		alone := ps[0] // 江轶群, listed alone
		doctor := &registry.Person{Name: "演示-医生甲", Kind: "专业技术人才（医生）", OrgID: alone.OrgID, DestCode: lvchun, TermFrom: "2020-03-01"}
		if err := db.SavePerson(ctx, admin, doctor); err != nil {
			t.Fatal(err)
		}
		// The doctor alone: +1.
		if fig() != base+1 {
			t.Errorf("with the doctor: %d, want %d", fig(), base+1)
		}
		team := &people.Team{Name: "测试医疗队", Kind: "医疗队", OrgID: alone.OrgID, DestCode: lvchun, TermFrom: "2020-02-01",
			MemberIDs: []int64{doctor.ID, alone.ID}, OtherCount: 4}
		if err := db.SaveTeam(ctx, admin, team); err != nil {
			t.Fatal(err)
		}
		// The doctor and 江轶群 each once more? No: each once in all, plus 4 unnamed.
		if fig() != base+1+4 {
			t.Errorf("with the team: %d, want %d", fig(), base+5)
		}
		if err := db.SaveTeam(ctx, user(t, db, "reviewer"), team); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Errorf("reviewer saves a team: %v", err)
		}
		got, err := db.Team(ctx, user(t, db, "viewer"), team.ID)
		if err != nil || got.Size() != 6 || len(got.Members) != 2 {
			t.Errorf("team as read: %+v %v", got, err)
		}
	})
}
