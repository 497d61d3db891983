package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/remind"
	"github.com/xiezuo/xiezuo/store"
)

// counts is a summary's items by kind (count and overdue).
type remindCounts map[remind.Kind][2]int

func reminders(t *testing.T, db *store.DB, u *xiezuo.User) (*remind.Summary, remindCounts) {
	t.Helper()
	s, err := db.Reminders(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	c := remindCounts{}
	for _, it := range s.Items {
		c[it.Kind] = [2]int{it.Count, it.Overdue}
		if it.Text == "" || it.Link == "" || !strings.HasPrefix(it.Link, "/") {
			t.Errorf("%s: item %+v without text or link", u.Username, it)
		}
	}
	return s, c
}

func unitRow(s *remind.Summary, unit int64) map[remind.Kind]int {
	for _, r := range s.Units {
		if r.UnitID == unit {
			return r.Counts
		}
	}
	return map[remind.Kind]int{}
}

// TestReminders: each source counts per role and scope after drafts,
// returns, submissions, projects near their deadline or overdue, 问题整改
// due, deliveries waiting for receipt and a monthly report not sent; the
// office sees the same per unit.
func TestReminders(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2020, 10, 20, 10, 0, 0, 0, xiezuo.China) }
		admin, reviewer, cjq, xhl, lc, viewer := user(t, db, "admin"), user(t, db, "reviewer"), user(t, db, "chengjiaqiao"), user(t, db, "xinhualu"), user(t, db, "lvchun"), user(t, db, "viewer")
		// A new reporting unit with its own account: nothing reported for September.
		o := &registry.Organisation{Name: "测试街道", Kind: "街道", Side: "east"}
		if err := db.SaveOrg(ctx, admin, o); err != nil {
			t.Fatal(err)
		}
		nu, err := db.CreateUser(ctx, admin, store.NewUser{Username: "ceshi", Password: "Lanmei-Qiaotou-2020", Role: xiezuo.RoleUnit, OrgID: o.ID})
		if err != nil {
			t.Fatal(err)
		}
		base := map[string]remindCounts{}
		var baseOffice *remind.Summary
		for _, u := range []*xiezuo.User{admin, cjq, xhl, lc} {
			s, c := reminders(t, db, u)
			base[u.Username] = c
			if u == admin {
				baseOffice = s
			}
		}
		if s, _ := reminders(t, db, viewer); !s.Empty() || len(s.Units) != 0 {
			t.Errorf("viewer: %+v, want nothing", s)
		}
		// The new unit: September not reported, due 2020-10-05, overdue.
		s, c := reminders(t, db, nu)
		if c[remind.KindMonthly] != [2]int{1, 1} || len(s.Items) != 1 || s.Items[0].DueOn != "2020-10-05" || s.Items[0].Text != "2020年9月工作情况尚未报送" {
			t.Fatalf("new unit: %+v", s.Items)
		}
		if got := unitRow(baseOffice, o.ID)[remind.KindMonthly]; got != 1 {
			t.Errorf("office breakdown of the new unit: monthly %d, want 1", got)
		}

		// 程家桥街道: two drafts, one submitted, one returned (and three draft
		// projects below: five drafts in all).
		contrib := func(county string) *ledger.Contribution {
			c := newContribution(t, db, 10000)
			c.CountyCode, c.TownshipCode, c.VillageCode = county, "", ""
			if err := db.SaveContribution(ctx, cjq, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		move := func(u *xiezuo.User, kind ledger.Kind, id int64, a ledger.Action, reason string) {
			t.Helper()
			if err := db.Transition(ctx, u, kind, id, a, reason); err != nil {
				t.Fatal(err)
			}
		}
		contrib(lvchun)
		contrib(lvchun)
		sub := contrib(lvchun)
		move(cjq, ledger.KindContribution, sub.ID, ledger.ActionSubmit, "")
		ret := contrib(lvchun)
		move(cjq, ledger.KindContribution, ret.ID, ledger.ActionSubmit, "")
		move(reviewer, ledger.KindContribution, ret.ID, ledger.ActionReturn, "金额有误")
		// Two approved deliveries: one to 绿春县 (its county user confirms
		// it), one to 金平县 (not 绿春县's).
		for _, county := range []string{lvchun, "532530000000"} {
			c := contrib(county)
			move(cjq, ledger.KindContribution, c.ID, ledger.ActionSubmit, "")
			move(reviewer, ledger.KindContribution, c.ID, ledger.ActionApprove, "")
		}
		// Projects of 程家桥街道 in 绿春县: due in 5 days (draft), overdue
		// (approved), due in two months (not yet), completed past its deadline.
		project := func(deadline, state string) *ledger.Project {
			p := &ledger.Project{Header: ledger.Header{UnitID: cjq.OrgID}, Title: "项目" + deadline, CountyCode: lvchun, Sector: "education",
				FundingSource: ledger.FundingSources[0], Deadline: deadline, WorkState: state}
			if state == "completed" {
				p.CompletedOn, p.Progress = "2020-10-10", 100
			}
			if err := db.SaveProject(ctx, cjq, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		project("2020-10-25", "in_progress")
		late := project("2020-10-01", "in_progress")
		move(cjq, ledger.KindProject, late.ID, ledger.ActionSubmit, "")
		move(reviewer, ledger.KindProject, late.ID, ledger.ActionApprove, "")
		project("2020-12-20", "in_progress")
		project("2020-10-05", "completed")
		// 问题整改: 程家桥街道's due in 10 days in 绿春县; 新华路街道's
		// overdue; one done; one due next year.
		rect := func(owner int64, county, due, done string) {
			r := &ledger.Rectification{Title: "整改" + due, OwnerID: owner, CountyCode: county, DueOn: due, DoneOn: done}
			if err := db.SaveRectification(ctx, admin, r); err != nil {
				t.Fatal(err)
			}
		}
		rect(cjq.OrgID, lvchun, "2020-10-30", "")
		rect(xhl.OrgID, "", "2020-10-01", "")
		rect(cjq.OrgID, lvchun, "2020-10-02", "2020-10-01")
		rect(cjq.OrgID, "", "2021-03-01", "")

		delta := func(u *xiezuo.User) remindCounts {
			_, c := reminders(t, db, u)
			d := remindCounts{}
			for _, k := range remind.Kinds {
				b := base[u.Username][k]
				if x := [2]int{c[k][0] - b[0], c[k][1] - b[1]}; x != [2]int{} {
					d[k] = x
				}
			}
			return d
		}
		check := func(u *xiezuo.User, want remindCounts) {
			t.Helper()
			got := delta(u)
			if len(got) != len(want) {
				t.Errorf("%s: %v, want %v", u.Username, got, want)
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s %s: %v, want %v", u.Username, k, got[k], w)
				}
			}
		}
		check(cjq, remindCounts{remind.KindDraft: {5, 0}, remind.KindReturned: {1, 0}, remind.KindProject: {2, 1}, remind.KindRectification: {1, 0}})
		check(xhl, remindCounts{remind.KindRectification: {1, 1}})
		// 绿春县: the approved overdue project in the county (not 程家桥's
		// draft), the 问题整改 of the county, the delivery to confirm.
		check(lc, remindCounts{remind.KindProject: {1, 1}, remind.KindRectification: {1, 0}, remind.KindReceipt: {1, 0}})
		// The office: one submission waiting, the approved overdue project,
		// both 问题整改; drafts and returns only in the breakdown.
		check(admin, remindCounts{remind.KindReview: {1, 0}, remind.KindProject: {1, 1}, remind.KindRectification: {2, 1}})
		office, _ := reminders(t, db, admin)
		row, was := unitRow(office, cjq.OrgID), unitRow(baseOffice, cjq.OrgID)
		for k, want := range map[remind.Kind]int{remind.KindDraft: 5, remind.KindReturned: 1, remind.KindReview: 1, remind.KindProject: 1, remind.KindRectification: 1} {
			if row[k]-was[k] != want {
				t.Errorf("office breakdown 程家桥街道 %s: %d more, want %d", k, row[k]-was[k], want)
			}
		}
		if s, _ := reminders(t, db, reviewer); len(s.Units) == 0 {
			t.Error("reviewer: no per-unit breakdown")
		}

		// Confirming the receipt clears it; the new unit's September
		// submission clears its monthly reminder and the office's count.
		var rc int64
		if err := db.SQL().QueryRow(`SELECT id FROM contributions WHERE unit_id = $1 AND county_code = $2 AND status = 'approved' AND received_at IS NULL AND item = '助学金' ORDER BY id DESC LIMIT 1`, cjq.OrgID, lvchun).Scan(&rc); err != nil {
			t.Fatal(err)
		}
		if err := db.ConfirmReceipt(ctx, lc, rc); err != nil {
			t.Fatal(err)
		}
		check(lc, remindCounts{remind.KindProject: {1, 1}, remind.KindRectification: {1, 0}})
		c2 := newContribution(t, db, 5000)
		c2.UnitID, c2.DateFrom, c2.TownshipCode, c2.VillageCode = o.ID, "2020-09-15", "", ""
		if err := db.SaveContribution(ctx, nu, c2); err != nil {
			t.Fatal(err)
		}
		if _, c := reminders(t, db, nu); c[remind.KindMonthly] != [2]int{1, 1} {
			t.Errorf("a draft does not report the month: %v", c)
		}
		move(nu, ledger.KindContribution, c2.ID, ledger.ActionSubmit, "")
		if s, _ := reminders(t, db, nu); !s.Empty() {
			t.Errorf("new unit after submitting September: %+v", s.Items)
		}
		office, _ = reminders(t, db, admin)
		if got := unitRow(office, o.ID)[remind.KindMonthly]; got != 0 {
			t.Errorf("office breakdown of the new unit after it reported: monthly %d", got)
		}
	})
}

// TestDigestOnce: the digest run enqueues one e-mail per user with an
// address and one webhook message per unit with a URL, once a day; nothing
// personal is in it; the outbox retries a failure with backoff and gives up
// keeping the error.
func TestDigestOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2020, 10, 20, 8, 0, 0, 0, xiezuo.China)
		db.Now = func() time.Time { return now }
		admin, cjq, viewer := user(t, db, "admin"), user(t, db, "chengjiaqiao"), user(t, db, "viewer")
		wantCode(t, db.SetOwnEmail(ctx, cjq, "not an address"), xiezuo.EINVALID)
		for _, u := range []*xiezuo.User{cjq, viewer} {
			if err := db.SetOwnEmail(ctx, u, u.Username+"@example.cn"); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, db.SetWebhook(ctx, cjq, user(t, db, "xinhualu").OrgID, "https://example.cn/hook"), xiezuo.EFORBIDDEN)
		wantCode(t, db.SetWebhook(ctx, cjq, cjq.OrgID, "ftp://example.cn/hook"), xiezuo.EINVALID)
		wantCode(t, db.SetWebhook(ctx, cjq, cjq.OrgID, "javascript:alert(1)"), xiezuo.EINVALID)
		if err := db.SetWebhook(ctx, cjq, cjq.OrgID, "https://qyapi.example.cn/send?key=k1"); err != nil {
			t.Fatal(err)
		}
		// The robot's key stays out of the append-only audit log.
		var keyed, logged int
		if err := db.SQL().QueryRow(`SELECT COUNT(*), SUM(CASE WHEN after LIKE '%key=k1%' THEN 1 ELSE 0 END) FROM audit_log WHERE entity = 'org_webhook'`).Scan(&logged, &keyed); err != nil || logged == 0 || keyed != 0 {
			t.Fatalf("webhook audit entries %d, with the key %d, %v", logged, keyed, err)
		}
		c := newContribution(t, db, 10000)
		if err := db.SaveContribution(ctx, cjq, c); err != nil {
			t.Fatal(err)
		}
		opts := store.DigestOptions{Day: "2020-10-20", Base: "https://xiezuo.example.cn", Email: true}
		out, err := db.RunDigest(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		// The viewer has nothing waiting: no digest. 程家桥街道: an e-mail to
		// its account and a message to its webhook.
		var kinds []string
		for _, o := range out {
			kinds = append(kinds, o.Channel+" "+o.Recipient)
			if o.Channel == "email" && o.Target != "chengjiaqiao@example.cn" {
				t.Errorf("e-mail to %s", o.Target)
			}
			if !strings.Contains(o.Digest.Text, "条草稿待提交") || !strings.Contains(o.Digest.Text, "https://xiezuo.example.cn/mine") || !strings.Contains(o.Digest.Subject, "2020年10月20日") {
				t.Errorf("digest: %q %q", o.Digest.Subject, o.Digest.Text)
			}
		}
		if len(out) != 2 {
			t.Fatalf("digests: %v", kinds)
		}
		again, err := db.RunDigest(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range again {
			if !o.Skipped {
				t.Errorf("second run enqueued %s again", o.Recipient)
			}
		}
		msgs, counts, err := db.Outbox(ctx, admin, 50)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Pending != 2 || len(msgs) != 2 {
			t.Fatalf("outbox: %+v %d", counts, len(msgs))
		}
		_, _, err = db.Outbox(ctx, cjq, 50)
		wantCode(t, err, xiezuo.EFORBIDDEN)

		// Delivery: the worker claims both; a claimed message is not handed
		// out twice; a failure waits 1, 5, 30 minutes and is given up after
		// remind.MaxAttempts with its error kept.
		due, err := db.DueMessages(ctx, 10)
		if err != nil || len(due) != 2 {
			t.Fatalf("due: %d %v", len(due), err)
		}
		if again, _ := db.DueMessages(ctx, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %d", len(again))
		}
		var hook *store.Message
		for _, m := range due {
			if m.Channel == "webhook" {
				hook = m
			} else if err := db.MarkSent(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
		}
		for i := 1; i <= remind.MaxAttempts; i++ {
			if err := db.MarkFailed(ctx, hook.ID, errors.New("HTTP 502")); err != nil {
				t.Fatal(err)
			}
			if i < remind.MaxAttempts {
				wait, _ := remind.NextTry(i)
				if d, _ := db.DueMessages(ctx, 10); len(d) != 0 {
					t.Fatalf("attempt %d: retried before its wait", i)
				}
				now = now.Add(wait)
				if d, _ := db.DueMessages(ctx, 10); len(d) != 1 {
					t.Fatalf("attempt %d: not retried after %s", i, wait)
				}
			}
		}
		msgs, counts, _ = db.Outbox(ctx, admin, 50)
		if counts != (store.OutboxCounts{Sent: 1, Failed: 1}) {
			t.Fatalf("outbox after delivery: %+v", counts)
		}
		for _, m := range msgs {
			if m.Status == "failed" && (m.Attempts != remind.MaxAttempts || m.LastError != "HTTP 502") {
				t.Errorf("failed message: %+v", m)
			}
		}
		now = now.Add(24 * time.Hour)
		if d, _ := db.DueMessages(ctx, 10); len(d) != 0 {
			t.Errorf("a failed message is tried again")
		}
	})
}

// TestNeedReminders: a need waiting for moderation is the office's 待办;
// a need nobody has answered remind.NeedWait days after it was published
// (not asked) is the office's and its county's, and no longer once a
// match is confirmed.
func TestNeedReminders(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2021, 3, 1, 2, 0, 0, 0, time.UTC) }
		admin, reviewer, lvchun, cjq := user(t, db, "admin"), user(t, db, "reviewer"), user(t, db, "lvchun"), user(t, db, "chengjiaqiao")
		counts := func(u *xiezuo.User, day string) remindCounts {
			t.Helper()
			s, err := db.RemindersOn(ctx, u, day)
			if err != nil {
				t.Fatal(err)
			}
			c := remindCounts{}
			for _, it := range s.Items {
				c[it.Kind] = [2]int{it.Count, it.Overdue}
				if it.Kind == remind.KindNeed && (it.Link != "/plan/needs?status=published" && it.Link != "/plan/needs?county="+lvchunCode+"&status=published") {
					t.Errorf("%s: need link %q", u.Username, it.Link)
				}
			}
			return c
		}
		const early, late = "2021-03-20", "2021-04-01" // 19 and 31 days after it was published
		base := map[string]remindCounts{}
		for _, u := range []*xiezuo.User{admin, reviewer, lvchun, cjq} {
			for _, day := range []string{early, late} {
				base[u.Username+day] = counts(u, day)
			}
		}
		want := func(u *xiezuo.User, day string, k remind.Kind, more int) {
			t.Helper()
			if got, was := counts(u, day)[k][0], base[u.Username+day][k][0]; got != was+more {
				t.Fatalf("%s on %s: %s = %d, want %d+%d", u.Username, day, k, got, was, more)
			}
		}
		n := schoolNeed()
		n.AskedOn = "2021-01-05" // asked long before: the 30 days count from publication
		if err := db.SaveNeed(ctx, lvchun, n); err != nil {
			t.Fatal(err)
		}
		want(admin, early, remind.KindNeedReview, 1)
		want(reviewer, early, remind.KindNeedReview, 1)
		want(lvchun, early, remind.KindNeedReview, 0) // the office's to moderate
		if err := db.NeedAction(ctx, reviewer, n.ID, plan.NeedApprove, ""); err != nil {
			t.Fatal(err)
		}
		want(admin, early, remind.KindNeedReview, 0)
		want(admin, early, remind.KindNeed, 0) // 19 days: not yet
		want(admin, late, remind.KindNeed, 1)
		want(lvchun, late, remind.KindNeed, 1)
		want(cjq, late, remind.KindNeed, 0)
		r := &plan.Resource{Category: "education", Form: "in_kind", Item: "台式电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
			AvailableFrom: "2021-03-01", AvailableUntil: "2021-12-31", Contact: "程家桥街道 王科长"}
		if err := db.SaveResource(ctx, cjq, r); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AnswerMatch(ctx, admin, n.ID, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		want(admin, late, remind.KindNeed, 0)
		want(lvchun, late, remind.KindNeed, 0)
	})
}
