package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

const lvchunCode, daxingTown, adiVillage = "532531000000", "532531101000", "532531101204"

func schoolNeed() *plan.Need {
	return &plan.Need{CountyCode: lvchunCode, VillageCode: adiVillage, Institution: "阿迪村小学", Category: "education", Item: "村小学电脑教室用电脑",
		Quantity: 20, Unit: "台", AmountFen: 10_000_000, AskedOn: "2021-03-01", NeededBy: "2021-09-01", Contact: "阿迪村小学 李老师"}
}

func planTotals(t *testing.T, db *store.DB, u *xiezuo.User) plan.Totals {
	t.Helper()
	items, err := db.PlanItems(ctx, u, lvchunCode, 2021)
	if err != nil {
		t.Fatal(err)
	}
	return plan.Sum(items)
}

// TestNeedToPledge is the flow in the store, on both engines:
// 绿春县 posts a need for 20 台 电脑 for a village school; the office
// approves it; 程家桥街道 offers a matching resource; both accept and the
// match becomes an approved 认捐 contribution and a plan item; the unit
// records delivery; the county confirms receipt; the need is 已满足 and
// the plan's actual figures moved. Who may not do a step is refused.
func TestNeedToPledge(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2021, 3, 1, 2, 0, 0, 0, time.UTC) }
		lvchun, jinping, admin, reviewer := user(t, db, "lvchun"), user(t, db, "jinping"), user(t, db, "admin"), user(t, db, "reviewer")
		cjq, xhl, viewer := user(t, db, "chengjiaqiao"), user(t, db, "xinhualu"), user(t, db, "viewer")
		before := planTotals(t, db, admin)

		n := schoolNeed()
		if err := db.SaveNeed(ctx, jinping, n); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("金平县 posting for 绿春县: %v", err)
		}
		if err := db.SaveNeed(ctx, cjq, n); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("a unit posting a need: %v", err)
		}
		if err := db.SaveNeed(ctx, lvchun, n); err != nil {
			t.Fatal(err)
		}
		if n.Status != plan.NeedPending || n.ID == 0 {
			t.Fatalf("posted need: %+v", n)
		}
		if _, err := db.Need(ctx, viewer, n.ID); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("a pending need seen by the viewer: %v", err)
		}
		got, err := db.Need(ctx, lvchun, n.ID)
		if err != nil || got.TownshipCode != daxingTown || got.VillageName != "阿迪村委会" {
			t.Fatalf("the county's own need: %v %+v", err, got)
		}

		// A second, similar need and an absurd one: the queue flags them.
		dup := schoolNeed()
		dup.Item, dup.Quantity = "小学电脑教室电脑", 30
		absurd := schoolNeed()
		absurd.Item, absurd.AmountFen = "村小学平板电脑", 60_000_000        // 3 万元 a tablet
		absurd.Category, absurd.NeededBy = "education", "2022-03-01" // another year: no duplicate
		for _, x := range []*plan.Need{dup, absurd} {
			if err := db.SaveNeed(ctx, lvchun, x); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ModerationQueue(ctx, lvchun); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("the county reading the queue: %v", err)
		}
		queue, err := db.ModerationQueue(ctx, reviewer)
		if err != nil {
			t.Fatal(err)
		}
		flags := map[int64][]string{}
		mine := 0
		for _, q := range queue {
			if q.ID != n.ID && q.ID != dup.ID && q.ID != absurd.ID {
				continue // the demo's
			}
			mine++
			for _, f := range q.Flags {
				flags[q.ID] = append(flags[q.ID], f.Kind)
			}
		}
		if mine != 3 || strings.Join(flags[dup.ID], ",") != "duplicate" || strings.Join(flags[n.ID], ",") != "duplicate" ||
			strings.Join(flags[absurd.ID], ",") != "amount" {
			t.Fatalf("queue of %d, flags %v", len(queue), flags)
		}
		if err := db.NeedAction(ctx, lvchun, n.ID, plan.NeedApprove, ""); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("the county approving its own need: %v", err)
		}
		if err := db.NeedAction(ctx, reviewer, dup.ID, plan.NeedReturn, ""); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("a return without a reason: %v", err)
		}
		if err := db.NeedAction(ctx, reviewer, dup.ID, plan.NeedReturn, "与需求重复"); err != nil {
			t.Fatal(err)
		}
		if err := db.NeedAction(ctx, reviewer, n.ID, plan.NeedApprove, ""); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Need(ctx, viewer, n.ID); err != nil || got.Status != plan.NeedPublished || len(got.Flags) != 0 {
			t.Fatalf("the published need for the viewer: %v %+v", err, got)
		}

		// 程家桥街道 offers 30 台 电脑 to any county.
		r := &plan.Resource{Category: "education", Form: "in_kind", Item: "台式电脑（含显示器）", Quantity: 30, Unit: "台", AmountFen: 15_000_000,
			AvailableFrom: "2021-03-01", AvailableUntil: "2021-12-31", Contact: "程家桥街道 王科长"}
		if err := db.SaveResource(ctx, lvchun, r); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("a county posting a resource: %v", err)
		}
		if err := db.SaveResource(ctx, cjq, r); err != nil {
			t.Fatal(err)
		}
		props, err := db.Proposals(ctx, cjq, store.MatchFilter{Mine: true, ResourceID: r.ID, NeedID: n.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(props) != 1 || props[0].NeedID != n.ID || !strings.Contains(props[0].Reason, "程家桥街道与绿春县结对") || props[0].Score != 70 {
			t.Fatalf("proposals for 程家桥街道: %+v", props)
		}
		if mine, _ := db.Proposals(ctx, xhl, store.MatchFilter{Mine: true, NeedID: n.ID}); len(mine) != 0 {
			t.Fatalf("新华路街道 has %d proposals to answer", len(mine))
		}
		if _, err := db.AnswerMatch(ctx, xhl, n.ID, r.ID, true, ""); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("another unit accepting: %v", err)
		}
		if _, err := db.AnswerMatch(ctx, cjq, absurd.ID, r.ID, true, ""); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("accepting for an unpublished need: %v", err)
		}
		m, err := db.AnswerMatch(ctx, cjq, n.ID, r.ID, true, "")
		if err != nil || m.Status != plan.MatchProposed || !m.UnitAccepted || m.CountyAccepted {
			t.Fatalf("the unit accepts: %v %+v", err, m)
		}
		if m, err = db.AnswerMatch(ctx, lvchun, n.ID, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if m.Status != plan.MatchConfirmed || m.Outcome != plan.OutcomePledge || m.ContributionID == 0 {
			t.Fatalf("both accepted: %+v", m)
		}
		if _, err := db.AnswerMatch(ctx, lvchun, n.ID, r.ID, false, "x"); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("declining a confirmed match: %v", err)
		}
		c, err := db.Contribution(ctx, viewer, m.ContributionID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != ledger.StatusApproved || c.Delivery != "pledged" || c.AmountFen != 10_000_000 || c.Quantity != 20 || c.VillageCode != adiVillage ||
			c.Institution != "阿迪村小学" || len(c.Givers) != 1 || c.Givers[0].Name != "程家桥街道" || c.Form != "in_kind" {
			t.Fatalf("the pledge: %+v", c)
		}
		if back, err := db.MatchOf(ctx, ledger.KindContribution, c.ID); err != nil || back == nil || back.NeedID != n.ID {
			t.Fatalf("the pledge's match: %v %+v", err, back)
		}
		if got, _ := db.Need(ctx, viewer, n.ID); got.Status != plan.NeedMatched {
			t.Fatalf("need after the match: %s", got.Status)
		}
		mid := planTotals(t, db, admin)
		if mid.TargetFen-before.TargetFen != 10_000_000 || mid.TargetCount-before.TargetCount != 1 || mid.ActualFen != before.ActualFen {
			t.Fatalf("plan after the pledge: %+v (before %+v)", mid, before)
		}
		if err := db.Transition(ctx, reviewer, ledger.KindContribution, c.ID, ledger.ActionReopen, "核对"); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("reopening the match's pledge: %v", err)
		}

		// Delivery by the unit, receipt by the county.
		if err := db.DeliverMatch(ctx, lvchun, m.ID, "2021-03-01"); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("the county recording delivery: %v", err)
		}
		if err := db.DeliverMatch(ctx, cjq, m.ID, "2021-03-02"); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("delivered tomorrow: %v", err)
		}
		if err := db.DeliverMatch(ctx, cjq, m.ID, "2021-03-01"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeliverMatch(ctx, cjq, m.ID, "2021-03-01"); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("delivered twice: %v", err)
		}
		after := planTotals(t, db, admin)
		if after.ActualFen-before.ActualFen != 10_000_000 || after.ActualCount-before.ActualCount != 1 {
			t.Fatalf("plan after delivery: %+v (before %+v)", after, before)
		}
		waiting, _, err := db.ListContributions(ctx, lvchun, ledger.ContributionFilter{AwaitingReceipt: true})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range waiting {
			found = found || w.ID == c.ID
		}
		if !found {
			t.Fatal("the delivered pledge is not waiting for 确认收到")
		}
		if err := db.ConfirmReceipt(ctx, lvchun, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Need(ctx, viewer, n.ID); got.Status != plan.NeedMet {
			t.Fatalf("need after receipt: %s", got.Status)
		}
		hist, err := db.AuditHistory(ctx, admin, "need", n.ID)
		if err != nil || len(hist) < 4 {
			t.Fatalf("need history: %v, %d entries", err, len(hist))
		}
	})
}

// An infrastructure need becomes a draft project of the unit; a decline
// takes the pair out of the proposals; the office confirms for both.
func TestMatchProjectAndDecline(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2021, 3, 1, 2, 0, 0, 0, time.UTC) }
		lvchun, reviewer, cjq := user(t, db, "lvchun"), user(t, db, "reviewer"), user(t, db, "chengjiaqiao")
		n := schoolNeed()
		n.Category, n.Item, n.Quantity, n.Unit, n.AmountFen = "infrastructure", "阿迪村饮水管网改造", 0, "", 30_000_000
		if err := db.SaveNeed(ctx, lvchun, n); err != nil {
			t.Fatal(err)
		}
		if err := db.NeedAction(ctx, reviewer, n.ID, plan.NeedApprove, ""); err != nil {
			t.Fatal(err)
		}
		cash := &plan.Resource{Category: "infrastructure", Form: "cash", Item: "村级基础设施帮扶资金", AmountFen: 50_000_000, Counties: []string{lvchunCode},
			AvailableFrom: "2021-01-01", AvailableUntil: "2021-12-31", Contact: "王科长"}
		other := *cash
		other.Item = "另一笔资金"
		for _, r := range []*plan.Resource{cash, &other} {
			if err := db.SaveResource(ctx, cjq, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.AnswerMatch(ctx, lvchun, n.ID, other.ID, false, ""); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("a decline without a reason: %v", err)
		}
		if _, err := db.AnswerMatch(ctx, lvchun, n.ID, other.ID, false, "资金已由其他单位落实"); err != nil {
			t.Fatal(err)
		}
		props, err := db.Proposals(ctx, lvchun, store.MatchFilter{NeedID: n.ID})
		if err != nil {
			t.Fatal(err)
		}
		states := map[int64]plan.MatchStatus{}
		for _, p := range props {
			states[p.ResourceID] = p.Status
		}
		if len(props) != 2 || states[other.ID] != plan.MatchDeclined || states[cash.ID] != plan.MatchProposed {
			t.Fatalf("proposals: %v", states)
		}
		m, err := db.AnswerMatch(ctx, reviewer, n.ID, cash.ID, true, "")
		if err != nil || m.Status != plan.MatchConfirmed || m.Outcome != plan.OutcomeProject || m.ProjectID == 0 {
			t.Fatalf("the office confirms: %v %+v", err, m)
		}
		p, err := db.Project(ctx, cjq, m.ProjectID)
		if err != nil || p.Status != ledger.StatusDraft || p.BudgetFen != 30_000_000 || p.UnitID != cjq.OrgID || p.Deadline != "2021-09-01" {
			t.Fatalf("the project: %v %+v", err, p)
		}
		if err := db.DeliverMatch(ctx, cjq, m.ID, "2021-03-01"); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("delivering a project: %v", err)
		}
		if err := db.NeedAction(ctx, reviewer, n.ID, plan.NeedMetAct, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// The scorecard's “有计划” reads the yearly plan: 程家桥街道—大兴镇 has none
// for 2020 until the office enters a plan item naming 程家桥街道 there.
func TestTenCoveragePlan(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2020, 10, 1, 2, 0, 0, 0, time.UTC) }
		has := func() bool {
			t.Helper()
			cov, err := db.TenCoverage(ctx, 2020)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cov {
				if c.East == "程家桥街道" && strings.Contains(c.West, "大兴镇") {
					return c.Has[1]
				}
			}
			t.Fatal("程家桥街道—大兴镇 not checked")
			return false
		}
		if report.TenChecks[1] != "有计划" || has() {
			t.Fatal("有计划 before any plan item")
		}
		admin := user(t, db, "admin")
		elsewhere := &plan.Item{Year: 2020, CountyCode: lvchunCode, TownshipCode: "532531102000", Kind: plan.OutcomeProject, Title: "牛孔镇产业路",
			Category: "infrastructure", UnitID: orgID(t, db, "程家桥街道"), TargetFen: 100_000_00}
		if err := db.SavePlanItem(ctx, user(t, db, "chengjiaqiao"), elsewhere); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("a unit entering the plan: %v", err)
		}
		if err := db.SavePlanItem(ctx, admin, elsewhere); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Fatal("a plan item in another township counts for 大兴镇")
		}
		it := &plan.Item{Year: 2020, CountyCode: lvchunCode, TownshipCode: daxingTown, Kind: plan.OutcomePledge, Title: "大兴镇学校体育用品",
			Category: "education", UnitID: orgID(t, db, "程家桥街道"), TargetFen: 3_000_000, TargetCount: 1}
		if err := db.SavePlanItem(ctx, admin, it); err != nil {
			t.Fatal(err)
		}
		if !has() {
			t.Fatal("有计划 not read from the plan")
		}
		if err := db.DeletePlanItem(ctx, admin, it.ID); err != nil {
			t.Fatal(err)
		}
		if has() {
			t.Fatal("有计划 after the item was deleted")
		}
	})
}

// TestDefaultPlanYear: the plan page opens on the newest year with plan
// items, up to next year (the demo's 2021 plan, made in 2020), else on
// this year.
func TestDefaultPlanYear(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct{ now, want int }{{2026, 2021}, {2020, 2021}, {2021, 2021}, {2019, 2019}} {
			db.Now = func() time.Time { return time.Date(c.now, 11, 1, 2, 0, 0, 0, time.UTC) }
			if got, err := db.DefaultPlanYear(ctx); err != nil || got != c.want {
				t.Errorf("in %d: %d, %v; want %d", c.now, got, err, c.want)
			}
		}
	})
}

// TestResourceUsedUp: a resource pledged in full for one need is no longer
// proposed for another (nor can it be confirmed for it), and computers are
// not proposed for sports goods; the resource tells what was used.
func TestResourceUsedUp(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2021, 3, 1, 2, 0, 0, 0, time.UTC) }
		lvchun, reviewer, cjq := user(t, db, "lvchun"), user(t, db, "reviewer"), user(t, db, "chengjiaqiao")
		first, second, sports := schoolNeed(), schoolNeed(), schoolNeed()
		second.Item, second.Quantity, second.AmountFen = "中心小学电脑", 10, 5_000_000
		sports.Item, sports.Unit = "学校体育用品和体育服装", "套"
		for _, n := range []*plan.Need{first, second, sports} {
			if err := db.SaveNeed(ctx, lvchun, n); err != nil {
				t.Fatal(err)
			}
			if err := db.NeedAction(ctx, reviewer, n.ID, plan.NeedApprove, ""); err != nil {
				t.Fatal(err)
			}
		}
		pcs := &plan.Resource{Category: "education", Form: "in_kind", Item: "台式电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
			AvailableFrom: "2021-01-01", AvailableUntil: "2021-12-31", Contact: "王科长"}
		if err := db.SaveResource(ctx, cjq, pcs); err != nil {
			t.Fatal(err)
		}
		proposed := func() map[int64]string {
			props, err := db.Proposals(ctx, reviewer, store.MatchFilter{ResourceID: pcs.ID})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]string{}
			for _, p := range props {
				out[p.NeedID] = string(p.Status) + " " + p.Reason
			}
			return out
		}
		got := proposed()
		if len(got) != 2 || got[first.ID] == "" || got[second.ID] == "" || !strings.Contains(got[first.ID], "内容相符：“电脑”") {
			t.Fatalf("before: %v", got)
		}
		if _, err := db.AnswerMatch(ctx, reviewer, first.ID, pcs.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		r, err := db.Resource(ctx, cjq, pcs.ID)
		if err != nil || r.UsedQuantity != 20 || r.UsedFen != 10_000_000 || !r.UsedUp() {
			t.Fatalf("used: %v %+v", err, r)
		}
		got = proposed()
		if len(got) != 1 || !strings.HasPrefix(got[first.ID], "confirmed") {
			t.Fatalf("after the pledge: %v", got)
		}
		if _, err := db.AnswerMatch(ctx, reviewer, second.ID, pcs.ID, true, ""); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("confirming a used-up resource: %v", err)
		}
	})
}

// TestNeedTwiceAndWithdraw: 50 posts of the same need at once make one
// need, the others are refused as the same (ECONFLICT naming it); the
// county withdraws (closes) its own pending need, audited, after which
// the same need may be posted again.
func TestNeedTwiceAndWithdraw(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2021, 3, 1, 2, 0, 0, 0, time.UTC) }
		lvchun, jinping, reviewer := user(t, db, "lvchun"), user(t, db, "jinping"), user(t, db, "reviewer")
		before, err := db.Needs(ctx, reviewer, store.NeedFilter{County: lvchunCode})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 50)
		ids := make([]int64, 50)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := schoolNeed()
				errs[i] = db.SaveNeed(ctx, lvchun, n)
				ids[i] = n.ID
			}()
		}
		wg.Wait()
		var id int64
		for i, err := range errs {
			switch {
			case err == nil && id == 0:
				id = ids[i]
			case err == nil:
				t.Fatalf("two needs made: %d and %d", id, ids[i])
			case xiezuo.ErrorCode(err) != xiezuo.ECONFLICT:
				t.Fatalf("post %d: %v", i, err)
			}
		}
		if id == 0 {
			t.Fatal("no need made")
		}
		for _, err := range errs {
			if err != nil && !strings.Contains(xiezuo.ErrorMessage(err), fmt.Sprintf("与已提交的需求（编号%d）相同", id)) {
				t.Fatalf("refusal: %v", err)
			}
		}
		after, err := db.Needs(ctx, reviewer, store.NeedFilter{County: lvchunCode})
		if err != nil || len(after) != len(before)+1 {
			t.Fatalf("needs: %v %d → %d", err, len(before), len(after))
		}
		// Another quantity is another need.
		more := schoolNeed()
		more.Quantity = 21
		if err := db.SaveNeed(ctx, lvchun, more); err != nil {
			t.Fatal(err)
		}

		// Withdrawn by its county: another county may not, a reason is needed.
		if err := db.NeedAction(ctx, jinping, id, plan.NeedClose, "不再需要"); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("another county withdraws: %v", err)
		}
		if err := db.NeedAction(ctx, lvchun, id, plan.NeedClose, " "); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("withdrawn without a reason: %v", err)
		}
		if err := db.NeedAction(ctx, lvchun, id, plan.NeedClose, "已由县财政解决"); err != nil {
			t.Fatal(err)
		}
		n, err := db.Need(ctx, lvchun, id)
		if err != nil || n.Status != plan.NeedClosed || n.ReturnReason != "已由县财政解决" {
			t.Fatalf("withdrawn: %v %+v", err, n)
		}
		hist, err := db.AuditHistory(ctx, reviewer, "need", id)
		closed := false
		for _, h := range hist {
			closed = closed || h.Action == plan.NeedClose && h.ActorID == lvchun.ID && strings.Contains(h.After, "已由县财政解决")
		}
		if err != nil || !closed {
			t.Fatalf("audit: %v %+v", err, hist)
		}
		if err := db.SaveNeed(ctx, lvchun, schoolNeed()); err != nil {
			t.Fatalf("the same need after the first was closed: %v", err)
		}
	})
}
