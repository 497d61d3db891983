package web_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/store"
)

// demoPatients are the demo's registered children of the third batch as
// the admin sees them (full ID numbers).
func demoPatients(t *testing.T, e *env) []*people.Beneficiary {
	t.Helper()
	pg, err := e.db.ListBeneficiaries(ctx, e.user("admin"), store.BeneficiaryFilter{Kind: people.KindPatient})
	if err != nil || len(pg.Items) != 12 {
		t.Fatalf("demo patients: %v %v", pg, err)
	}
	return pg.Items
}

func viewsBy(t *testing.T, e *env, actor, action, entity string, id int64) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE actor_name = $1 AND action = $2 AND entity = $3 AND entity_id = $4`,
		actor, action, entity, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterMasking: the person page and the register list show the
// full ID number to the office admin only and the mask to the reviewer and
// the county; each page view is audited.
func TestRegisterMasking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := demoPatients(t, e)[0]
	full, masked := p.IDNumber, people.MaskID(p.IDNumber)
	for _, tc := range []struct {
		user string
		full bool
	}{{"admin", true}, {"reviewer", false}, {"lvchun", false}} {
		c := e.client(tc.user)
		for _, path := range []string{fmt.Sprintf("/people/%d", p.ID), "/people?kind=patient", fmt.Sprintf("/people/%d/edit", p.ID)} {
			resp, body := do(t, c, "GET", e.srv.URL+path, "", "")
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d", tc.user, path, resp.StatusCode)
			}
			if strings.Contains(body, full) != tc.full || strings.Contains(body, masked) == tc.full {
				t.Errorf("%s %s: full shown %v, want %v", tc.user, path, strings.Contains(body, full), tc.full)
			}
			if !strings.Contains(body, p.Name) {
				t.Errorf("%s %s: no name", tc.user, path)
			}
			// With the county and the last four digits shown, the birth
			// date would give the masked digits back: the year only.
			if path != "/people?kind=patient" && (strings.Contains(body, "2012年1月1日") || strings.Contains(body, "2012-01-01")) == !tc.full {
				t.Errorf("%s %s: full birth date shown %v, want %v", tc.user, path, !tc.full, tc.full)
			}
		}
		// The page and the form are views of the record; the list is a list.
		if n := viewsBy(t, e, tc.user, "view", "beneficiary", p.ID); n != 2 {
			t.Errorf("%s: %d views audited, want 2", tc.user, n)
		}
		want := 1
		if tc.user == "admin" {
			want = 2 // demoPatients read the list as the admin too
		}
		if n := viewsBy(t, e, tc.user, "list", "register", 0); n != want {
			t.Errorf("%s: %d list views audited, want %d", tc.user, n, want)
		}
	}
	// A county user saving the form with the masked number keeps the number.
	resp, _ := do(t, e.client("lvchun"), "POST", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), form,
		fmt.Sprintf("name=%s&id_number=%s&birth_date=2012&batch_id=%d&stage=treated&county_code=532531000000", p.Name, masked, p.BatchID))
	if resp.StatusCode != 303 {
		t.Fatalf("masked save: %d", resp.StatusCode)
	}
	got, err := e.db.Beneficiary(ctx, e.user("admin"), p.ID)
	if err != nil || got.IDNumber != full || got.BirthDate != "2012-01-01" || got.Stage != "treated" {
		t.Errorf("after the county's save: %+v %v", got, err)
	}
	// With the number masked, a typed birth date is not checked against
	// the hidden digits: right or wrong, the answer is the same and the
	// stored date stays (else each guess would tell a digit away).
	for _, birth := range []string{"2012-01-01", "2012-01-02", "2009-07-19"} {
		resp, _ := do(t, e.client("lvchun"), "POST", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), form,
			fmt.Sprintf("name=%s&id_number=%s&birth_date=%s&batch_id=%d&stage=treated&county_code=532531000000", p.Name, masked, birth, p.BatchID))
		if resp.StatusCode != 303 {
			t.Errorf("masked number, birth date %s: %d", birth, resp.StatusCode)
		}
		if got, _ := e.db.Beneficiary(ctx, e.user("admin"), p.ID); got.IDNumber != full || got.BirthDate != "2012-01-01" {
			t.Errorf("masked number, birth date %s: stored %s %s", birth, got.IDNumber, got.BirthDate)
		}
	}
}

// TestRegisterExport: the office's .xlsx says it holds personal data,
// masks below the admin and is audited.
func TestRegisterExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ps := demoPatients(t, e)
	resp, body := do(t, e.client("reviewer"), "GET", e.srv.URL+"/people/export.xlsx?kind=patient", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 2 || !strings.Contains(sheets[0], "含个人信息") {
		t.Errorf("sheets %v", sheets)
	}
	note, _ := f.GetRows("说明")
	var said bool
	for _, r := range note {
		if len(r) > 1 && r[1] == imports.PersonalDataNote {
			said = true
		}
	}
	if !said {
		t.Errorf("the note sheet does not say it holds personal data: %v", note)
	}
	rows, _ := f.GetRows(sheets[0])
	if len(rows) != 13 || rows[1][3] != people.MaskID(ps[0].IDNumber) {
		t.Errorf("%d rows; first ID %v", len(rows), rows[1])
	}
	var after string
	if err := e.db.SQL().QueryRow(`SELECT after FROM audit_log WHERE actor_name = 'reviewer' AND action = 'export' AND entity = 'register'`).Scan(&after); err != nil {
		t.Fatalf("export not audited: %v", err)
	}
	if !strings.Contains(after, fmt.Sprintf("%d", ps[0].ID)) {
		t.Errorf("export entry lacks the entries: %s", after)
	}
}

// TestRegisterErasePage: erasure asks for confirmation, keeps the batch's
// count, and the page then shows no personal data.
func TestRegisterErasePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := demoPatients(t, e)[1]
	admin := e.client("admin")
	_, body := do(t, admin, "GET", fmt.Sprintf("%s/people/%d/erase", e.srv.URL, p.ID), "", "")
	if !strings.Contains(body, "确认本人已提出删除要求") {
		t.Fatal("no confirmation")
	}
	do(t, admin, "POST", fmt.Sprintf("%s/people/%d/erase", e.srv.URL, p.ID), form, "")
	if got, _ := e.db.Beneficiary(ctx, e.user("admin"), p.ID); got.Erased() {
		t.Fatal("erased without confirmation")
	}
	resp, _ := do(t, admin, "POST", fmt.Sprintf("%s/people/%d/erase", e.srv.URL, p.ID), form, "confirm=yes")
	if resp.StatusCode != 303 {
		t.Fatalf("erase: %d", resp.StatusCode)
	}
	_, body = do(t, admin, "GET", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), "", "")
	if strings.Contains(body, p.Name) || strings.Contains(body, p.IDNumber) || !strings.Contains(body, "应本人要求删除") {
		t.Error("the erased entry's page still shows personal data")
	}
	_, body = do(t, admin, "GET", fmt.Sprintf("%s/batches/%d", e.srv.URL, p.BatchID), "", "")
	if !strings.Contains(body, "27 名患儿") || !strings.Contains(body, "名册登记 12 人") {
		t.Errorf("batch page after erasure: %.2000s", body)
	}
}

// TestNoPersonalDataInPublic: the public pages, published bulletins and
// the IATI export carry none of the demo registers' names or ID numbers.
func TestNoPersonalDataInPublic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	all := []*people.Beneficiary{}
	for _, k := range people.Kinds {
		pg, err := e.db.ListBeneficiaries(ctx, e.user("admin"), store.BeneficiaryFilter{Kind: k, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, pg.Items...)
	}
	if len(all) < 30 {
		t.Fatalf("only %d demo entries", len(all))
	}
	pages := map[string]string{}
	for _, path := range []string{"/public", "/public?year=2020", "/login"} {
		_, pages[path] = do(t, e.client(""), "GET", e.srv.URL+path, "", "")
	}
	_, pages["/export/iati.xml"] = do(t, e.client("admin"), "GET", e.srv.URL+"/export/iati.xml", "", "")
	_, pages["/dashboard"] = do(t, e.client("viewer"), "GET", e.srv.URL+"/dashboard?year=2020", "", "")
	for path, body := range pages {
		if len(body) < 200 {
			t.Errorf("%s: short body", path)
		}
		if strings.Contains(body, "演示-") {
			t.Errorf("%s carries a register name", path)
		}
		for _, b := range all {
			if b.IDNumber != "" && (strings.Contains(body, b.IDNumber) || strings.Contains(body, people.MaskID(b.IDNumber))) {
				t.Errorf("%s carries the ID number of entry %d", path, b.ID)
			}
		}
	}
}

// TestHistoryInChinese: a register entry's history names the fields
// changed in Chinese (never their values), leaves the many views to the
// audit log with their count; a need's shows its statuses in Chinese.
func TestHistoryInChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := demoPatients(t, e)[0]
	masked := people.MaskID(p.IDNumber)
	resp, _ := do(t, e.client("lvchun"), "POST", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), form,
		fmt.Sprintf("name=%s&id_number=%s&batch_id=%d&stage=treated&hospital=%s&county_code=532531000000", p.Name, masked, p.BatchID, "复旦大学附属儿科医院"))
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	do(t, e.client("admin"), "GET", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), "", "")
	_, body := do(t, e.client("admin"), "GET", fmt.Sprintf("%s/people/%d", e.srv.URL, p.ID), "", "")
	for _, want := range []string{"修改了：", "救治阶段", "医院", "次查看记录"} {
		if !strings.Contains(body, want) {
			t.Errorf("person history lacks %q", want)
		}
	}
	for _, bad := range []string{"fields", "<td>view</td>", "复旦大学附属儿科医院</td><td>"} {
		if strings.Contains(body, bad) {
			t.Errorf("person history shows %q", bad)
		}
	}
	// Batch choices are plain text: markup inside an <option> shows as
	// garbled names (金平县金平苗族瑶族傣族自治县).
	for _, path := range []string{"/people?kind=patient", "/people/new?kind=patient"} {
		_, body := do(t, e.client("admin"), "GET", e.srv.URL+path, "", "")
		if regexp.MustCompile(`<option[^<]*<span`).MatchString(body) || !strings.Contains(body, "金平县 ") {
			t.Errorf("%s: batch options with markup or without the short county name", path)
		}
	}
	n := &plan.Need{CountyCode: "532531000000", Category: "education", Item: "村小学电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
		AskedOn: e.db.Today(), NeededBy: strconv.Itoa(atoi(e.db.Today()[:4])+1) + "-06-30", Contact: "李老师"}
	if err := e.db.SaveNeed(ctx, e.user("lvchun"), n); err != nil {
		t.Fatal(err)
	}
	if err := e.db.NeedAction(ctx, e.user("reviewer"), n.ID, plan.NeedApprove, ""); err != nil {
		t.Fatal(err)
	}
	_, body = do(t, e.client("admin"), "GET", fmt.Sprintf("%s/plan/needs/%d", e.srv.URL, n.ID), "", "")
	if !strings.Contains(body, "状态改为："+plan.NeedPublished.Label()) || strings.Contains(body, "状态改为：published") {
		t.Errorf("need history without its status in Chinese")
	}
}

// TestTeamFormErrors: a unit or place that is not known is told once,
// beside its field, and an empty start date asks for one.
func TestTeamFormErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := do(t, e.client("admin"), "POST", e.srv.URL+"/registry/teams", form, "name=援滇医疗队&kind=医疗队&org=火星医院&dest=火星&term_from=")
	if resp.StatusCode != 422 {
		t.Fatalf("team with unknown parties: %d", resp.StatusCode)
	}
	for _, c := range []struct {
		text string
		n    int
	}{{"派出单位“火星医院”不在单位名录中", 1}, {"请选择派出单位", 0}, {"派驻地“火星”不是已知地区", 1}, {"请选择派驻县", 0}, {"请填写派驻开始日期", 1}, {"“”不是日期", 0}} {
		// Each problem shows beside its field and once in the summary.
		if got := strings.Count(body, c.text); (c.n == 0) != (got == 0) || got > 2 {
			t.Errorf("%q shown %d times", c.text, got)
		}
	}
}

// TestTeamHistory: taking the last named member off a team shows in its
// history (the emptied list is left out of the new record's JSON).
func TestTeamHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.user("admin")
	ps, err := e.db.People(ctx, store.PeopleFilter{})
	if err != nil || len(ps) == 0 {
		t.Fatalf("posted people: %d %v", len(ps), err)
	}
	tm := &people.Team{Name: "测试医疗队", Kind: people.TeamKinds[0], OrgID: admin.OrgID, DestCode: "532531000000", TermFrom: "2020-01-01", MemberIDs: []int64{ps[0].ID}}
	if err := e.db.SaveTeam(ctx, admin, tm); err != nil {
		t.Fatal(err)
	}
	tm.MemberIDs = nil
	if err := e.db.SaveTeam(ctx, admin, tm); err != nil {
		t.Fatal(err)
	}
	_, body := do(t, e.client("admin"), "GET", fmt.Sprintf("%s/registry/teams/%d", e.srv.URL, tm.ID), "", "")
	if !strings.Contains(body, "具名成员：") || strings.Contains(body, "member_ids") {
		t.Error("the member taken off is not in the team's history in Chinese")
	}
}
