package people_test

import (
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/people"
)

// fakeID makes a check-digit-valid number from 17 digits.
func fakeID(first17 string) string { return first17 + string(people.CheckChar(first17)) }

func TestIDNumber(t *testing.T) {
	t.Parallel()
	// The standard's own example: 11010519491231002X.
	if c := people.CheckChar("11010519491231002"); c != 'X' {
		t.Errorf("check char of the GB 11643 example = %c, want X", c)
	}
	good := fakeID("53253120120101901")
	for _, tc := range []struct {
		id, want string
	}{
		{"11010519491231002X", ""},
		{good, ""},
		{"11010519491231002", "身份证号码应为18位"},
		{"1101051949123100AX", "身份证号码前17位应为数字"},
		{"110105194913310021", "身份证号码中的出生日期（第7至14位）无效"},
		{fakeID("53253130000101901"), "身份证号码中的出生日期（第7至14位）无效"}, // after today
		{"110105194912310021", "身份证号码校验位不符（GB 11643），请核对"},
	} {
		if got := people.IDProblem(tc.id, "2020-10-22"); got != tc.want {
			t.Errorf("IDProblem(%s) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := people.MaskID("532531201201019013"); got != "5325**********9013" {
		t.Errorf("MaskID = %s", got)
	}
	if people.MaskBirth("2012-01-01") != "2012" || !people.IsMaskedBirth("2012") || people.IsMaskedBirth("2012-01-01") || people.IsMaskedBirth("20x2") {
		t.Errorf("birth date masking")
	}
	if people.MaskID("") != "" || !people.IsMasked(people.MaskID(good)) || people.IsMasked(good) {
		t.Error("mask of empty or IsMasked wrong")
	}
	if people.BirthFromID(good) != "2012-01-01" {
		t.Errorf("birth %s", people.BirthFromID(good))
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	id := fakeID("53253120120101901")
	base := func() *people.Beneficiary {
		return &people.Beneficiary{Kind: people.KindPatient, Name: "演示-李某某", IDNumber: id, CountyCode: "532531000000", BatchID: 1, Stage: "referred"}
	}
	b := base()
	if err := b.Validate("2020-10-22"); err != nil {
		t.Fatal(err)
	}
	if b.BirthDate != "2012-01-01" {
		t.Errorf("birth date from the ID: %q", b.BirthDate)
	}
	for name, tc := range map[string]struct {
		change func(*people.Beneficiary)
		field  string
	}{
		"no name":              {func(b *people.Beneficiary) { b.Name = " " }, "name"},
		"bad check":            {func(b *people.Beneficiary) { b.IDNumber = id[:17] + "0" }, "id_number"},
		"birth mismatch":       {func(b *people.Beneficiary) { b.BirthDate = "2012-01-02" }, "birth_date"},
		"no link":              {func(b *people.Beneficiary) { b.BatchID = 0 }, "batch_id"},
		"no stage":             {func(b *people.Beneficiary) { b.Stage = "" }, "stage"},
		"bad kind":             {func(b *people.Beneficiary) { b.Kind = "x" }, "kind"},
		"township":             {func(b *people.Beneficiary) { b.CountyCode = "532531100000" }, "county_code"},
		"village elsewhere":    {func(b *people.Beneficiary) { b.VillageCode = "532530100201" }, "village_code"},
		"household no village": {func(b *people.Beneficiary) { b.Kind, b.HouseholdStatus = people.KindHousehold, "poor" }, "village_code"},
		"student no school":    {func(b *people.Beneficiary) { b.Kind = people.KindStudent }, "school"},
		"trainee employer unplaced": {func(b *people.Beneficiary) {
			b.Kind, b.Course, b.Employer = people.KindTrainee, "空乘", "春秋航空"
		}, "placed"},
	} {
		b := base()
		tc.change(b)
		if f := xiezuo.ErrorFields(b.Validate("2020-10-22")); f[tc.field] == "" {
			t.Errorf("%s: problems %v lack %s", name, f, tc.field)
		}
	}
	// A masked number passes: the store puts the stored one back.
	b = base()
	b.IDNumber = people.MaskID(id)
	if err := b.Validate("2020-10-22"); err != nil {
		t.Errorf("masked: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	admin := &xiezuo.User{Role: xiezuo.RoleAdmin, OrgID: 1}
	reviewer := &xiezuo.User{Role: xiezuo.RoleReviewer, OrgID: 1}
	unit := &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 5}
	county := &xiezuo.User{Role: xiezuo.RoleCounty, OrgID: 7, CountyCode: "532531000000"}
	viewer := &xiezuo.User{Role: xiezuo.RoleViewer}
	supervisor := &xiezuo.User{Role: xiezuo.RoleSupervisor, OrgID: 9}
	purchaser := &xiezuo.User{Role: xiezuo.RolePurchaser, OrgID: 5}
	const lc, jp = "532531000000", "532530000000"
	for _, tc := range []struct {
		name                                      string
		u                                         *xiezuo.User
		register, full, export, erase             bool
		viewOwn, viewOtherInCounty, viewElsewhere bool
		saveOwn, saveOwnElsewhere, teams          bool
	}{
		{"admin", admin, true, true, true, true, true, true, true, true, true, true},
		{"reviewer", reviewer, true, false, true, true, true, true, true, true, true, false},
		{"unit", unit, true, false, false, false, true, false, false, true, true, false},
		{"county", county, true, false, false, false, true, true, false, true, false, false},
		{"viewer", viewer, false, false, false, false, false, false, false, false, false, false},
		{"supervisor", supervisor, false, false, false, false, false, false, false, false, false, false},
		{"purchaser", purchaser, false, false, false, false, false, false, false, false, false, false},
		{"nobody", nil, false, false, false, false, false, false, false, false, false, false},
	} {
		own := int64(0)
		if tc.u != nil {
			own = tc.u.OrgID
		}
		got := []bool{people.CanSeeRegister(tc.u), people.CanSeeFullID(tc.u), people.CanExport(tc.u), people.CanErase(tc.u),
			people.CanView(tc.u, own, lc), people.CanView(tc.u, 99, lc), people.CanView(tc.u, 99, jp),
			people.CanSave(tc.u, own, lc), people.CanSave(tc.u, own, jp), people.CanManageTeams(tc.u)}
		want := []bool{tc.register, tc.full, tc.export, tc.erase, tc.viewOwn, tc.viewOtherInCounty, tc.viewElsewhere, tc.saveOwn, tc.saveOwnElsewhere, tc.teams}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: rule %d = %v, want %v", tc.name, i, got[i], want[i])
			}
		}
	}
	// Redact: the admin sees the number, the others its mask.
	id := fakeID("53253120120101901")
	for _, tc := range []struct {
		u    *xiezuo.User
		want string
	}{{admin, id}, {reviewer, "5325**********" + id[14:]}, {unit, "5325**********" + id[14:]}, {county, "5325**********" + id[14:]}} {
		if got := people.Redact(tc.u, &people.Beneficiary{IDNumber: id}).IDNumber; got != tc.want {
			t.Errorf("%s sees %s, want %s", tc.u.Role, got, tc.want)
		}
	}
}

func TestTeamValidate(t *testing.T) {
	t.Parallel()
	tm := &people.Team{Name: "援滇医疗队", Kind: "医疗队", OrgID: 1, DestCode: "532531000000", TermFrom: "2020-01-01", MemberIDs: []int64{3, 3, 0, 4}, OtherCount: 5}
	if err := tm.Validate(); err != nil {
		t.Fatal(err)
	}
	if tm.Size() != 7 {
		t.Errorf("size %d: members deduplicated and counted with the others", tm.Size())
	}
}
