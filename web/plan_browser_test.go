package web_test

import (
	"fmt"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/xiezuo/xiezuo/plan"
)

// TestBrowserNeedToPledge runs issue 13's user flow in a real browser:
// 绿春县 posts a need for 20 台 电脑 for a village school; the office
// approves it; 程家桥街道 offers a matching resource and accepts the
// match; 绿春县 accepts it and it becomes a pledge; 程家桥街道 records
// delivery; 绿春县 confirms receipt; the need shows 已满足 and the plan's
// actual figure moved by the pledge's amount.
func TestBrowserNeedToPledge(t *testing.T) {
	t.Parallel()
	testdb.Chromium(t) // skipped as a whole without it: the steps depend on each other
	e := newEnv(t)
	today := e.db.Today()
	year := atoi(today[:4]) + 1
	neededBy := strconv.Itoa(year) + "-06-30"
	planURL := fmt.Sprintf("%s/plan?county=532531000000&year=%d", e.srv.URL, year)
	actual := func() plan.Totals {
		t.Helper()
		items, err := e.db.PlanItems(ctx, e.user("admin"), "532531000000", year)
		if err != nil {
			t.Fatal(err)
		}
		return plan.Sum(items)
	}
	before := actual()
	var needURL string

	t.Run("绿春县 posts a need", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "lvchun")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/needs/new"),
			chromedp.SendKeys(`input[name=township]`, "大兴镇"),
			chromedp.SendKeys(`input[name=village]`, "阿迪村委会"),
			chromedp.SendKeys(`input[name=institution]`, "阿迪村小学"),
			chromedp.SetValue(`select[name=category]`, "education"),
			chromedp.SendKeys(`input[name=item]`, "村小学电脑教室用电脑"),
			chromedp.SendKeys(`input[name=quantity]`, "20"),
			chromedp.SendKeys(`input[name=quantity_unit]`, "台"),
			chromedp.SendKeys(`input[name=amount]`, "10万"),
			chromedp.SendKeys(`input[name=needed_by]`, neededBy),
			chromedp.SendKeys(`input[name=contact]`, "阿迪村小学 李老师"),
			chromedp.Click(`form.form button[type=submit]`))
		b.waitText(`h1 .st`, "待审核")
		b.shot("plan-1-need")
		needURL, _ = chromedp.Run(b.ctx, chromedp.Location())
		if !strings.Contains(b.text(`dl.meta`), "阿迪村") {
			t.Fatal("the village is not on the need's page")
		}
	})
	t.Run("the office approves it", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "reviewer")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/review"), chromedp.WaitVisible(`#queue`))
		b.shot("plan-2-review")
		b.do(chromedp.Click(`//tr[td/a[text()="村小学电脑教室用电脑"]]//button[text()="通过并发布"]`))
		b.waitText(`.flash`, "需求（编号"+needURL[strings.LastIndex(needURL, "/")+1:]+"）已审核通过并发布")
	})
	t.Run("程家桥街道 offers computers and accepts the match", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "chengjiaqiao")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/resources/new"),
			chromedp.SetValue(`select[name=category]`, "education"),
			chromedp.SendKeys(`input[name=item]`, "台式电脑（含显示器）"),
			chromedp.SendKeys(`input[name=quantity]`, "30"),
			chromedp.SendKeys(`input[name=quantity_unit]`, "台"),
			chromedp.SendKeys(`input[name=amount]`, "15万"),
			chromedp.SendKeys(`input[name=available_until]`, neededBy),
			chromedp.SendKeys(`input[name=contact]`, "程家桥街道 王科长"),
			chromedp.Click(`form.form button[type=submit]`))
		b.waitText(`h1`, "台式电脑（含显示器）")
		if reason := b.text(`#matches tbody`); !strings.Contains(reason, "程家桥街道与绿春县结对") || !strings.Contains(reason, "数量足够") {
			t.Fatalf("the proposed match: %q", reason)
		}
		b.shot("plan-3-resource")
		b.do(chromedp.Click(`#matches button[value=accept]`))
		b.waitText(`.flash`, "已接受，等待另一方确认")
	})
	t.Run("绿春县 accepts: a pledge", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "lvchun")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/matches"), chromedp.WaitVisible(`#matches`))
		b.do(chromedp.Click(`#matches button[value=accept]`))
		b.do(chromedp.WaitVisible(`.flash`))
		if f := b.text(`.flash`); !strings.Contains(f, "匹配已确认，生成认捐") {
			t.Fatalf("flash %q", f)
		}
		b.shot("plan-4-matched")
		b.do(chromedp.Navigate(needURL))
		b.waitText(`h1 .st`, "已匹配")
	})
	t.Run("程家桥街道 records delivery", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "chengjiaqiao")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/matches"), chromedp.WaitVisible(`#matches`),
			chromedp.Click(`#matches form[action$="/deliver"] button`))
		b.waitText(`.flash`, "已登记到位，等待受援县确认收到")
	})
	t.Run("绿春县 confirms receipt: the need is met", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "lvchun")
		// The home page's 待办 says a delivery waits and leads to it.
		b.do(chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(`.waiting`))
		if waiting := b.text(`.waiting`); !strings.Contains(waiting, "笔已到位的帮扶待确认收到") {
			t.Fatalf("绿春县's 待办: %q", waiting)
		}
		b.shot("plan-5-home-waiting")
		b.do(chromedp.Click(`.waiting a[href="/receipts"]`), chromedp.WaitVisible(`#receipts`))
		b.do(chromedp.Click(`//tr[td[text()="村小学电脑教室用电脑"]]//button[text()="确认收到"]`))
		b.waitText(`.flash`, "已确认收到该笔帮扶")
		b.do(chromedp.Navigate(needURL))
		b.waitText(`h1 .st`, "已满足")
		b.shot("plan-5-met")
		b.do(chromedp.Navigate(planURL), chromedp.WaitVisible(`#plan`))
		b.shot("plan-6-plan")
		if foot := b.text(`#plan tfoot`); !strings.Contains(foot, "100,000.00") {
			t.Fatalf("plan totals %q", foot)
		}
		for i, path := range []string{"/plan/needs", "/plan/resources", "/plan/matches", "/plan/needs/new"} {
			b.do(chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(`h1`))
			b.shot(fmt.Sprintf("plan-7-%d", i))
		}
	})
	after := actual()
	if after.ActualFen-before.ActualFen != 10_000_000 || after.ActualCount-before.ActualCount != 1 || after.TargetFen-before.TargetFen != 10_000_000 {
		t.Fatalf("plan before %+v, after %+v", before, after)
	}
}

// TestBrowserPlanFixes: what testers found on the plan pages. A failed
// action (a return without a reason, a bad 到位 date) is shown as an
// error on its page, what was typed kept, never as the green flash; the
// reason inputs are usable (12rem and up); the viewer, who can answer
// nothing, gets no 答复 column; the county can withdraw its pending need;
// the plan page's title, progress (one decimal) and its phone label.
func TestBrowserPlanFixes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	today := e.db.Today()
	year := atoi(today[:4]) + 1
	neededBy := strconv.Itoa(year) + "-06-30"
	lvchun, admin, cjq := e.user("lvchun"), e.user("admin"), e.user("chengjiaqiao")
	pending := &plan.Need{CountyCode: "532531000000", Category: "education", Item: "中心小学课桌椅", Quantity: 50, Unit: "套", AmountFen: 2_500_000,
		AskedOn: today, NeededBy: neededBy, Contact: "李老师"}
	pledged := &plan.Need{CountyCode: "532531000000", Category: "education", Item: "村小学电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
		AskedOn: today, NeededBy: neededBy, Contact: "李老师"}
	for _, n := range []*plan.Need{pending, pledged} {
		if err := e.db.SaveNeed(ctx, lvchun, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.db.NeedAction(ctx, admin, pledged.ID, plan.NeedApprove, ""); err != nil {
		t.Fatal(err)
	}
	pcs := &plan.Resource{Category: "education", Form: "in_kind", Item: "台式电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
		AvailableFrom: today, AvailableUntil: neededBy, Contact: "王科长"}
	if err := e.db.SaveResource(ctx, cjq, pcs); err != nil {
		t.Fatal(err)
	}
	m, err := e.db.AnswerMatch(ctx, admin, pledged.ID, pcs.ID, true, "")
	if err != nil || m.ContributionID == 0 {
		t.Fatalf("the pledge: %v %+v", err, m)
	}
	noFlash := func(b *browser) {
		t.Helper()
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.flash').length`))
		if err != nil || n != 0 {
			t.Fatalf("a flash on a failed action: %v %d", err, n)
		}
	}

	t.Run("a return without a reason is an error", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "reviewer")
		b.do(chromedp.Navigate(fmt.Sprintf("%s/plan/needs/%d", e.srv.URL, pending.ID)), chromedp.WaitVisible(`.actions`))
		w, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`document.querySelector('.actions input[name=reason]').getBoundingClientRect().width`))
		if err != nil || w < 192 {
			t.Fatalf("the reason input is %v px wide: %v", w, err)
		}
		b.do(chromedp.Click(`form[action$="/return"] button`))
		b.waitText(`.alert[role=alert]`, "操作未完成。请填写理由（如不合理、与已有需求重复）")
		noFlash(b)
		b.shot("planfix-return-error")
	})
	t.Run("a bad 到位 date is an error and stays typed", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "chengjiaqiao")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/matches"), chromedp.WaitVisible(`#matches form[action$="/deliver"]`),
			chromedp.SetValue(`#matches input[name=delivered_on]`, "2021-13-45"),
			chromedp.Click(`#matches form[action$="/deliver"] button`))
		b.waitText(`.alert[role=alert]`, "操作未完成。到位日期“2021-13-45”不是有效日期：月份应在1–12之间")
		noFlash(b)
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#matches input[name=delivered_on]').value`))
		if err != nil || got != "2021-13-45" {
			t.Fatalf("the typed date: %q %v", got, err)
		}
	})
	t.Run("the viewer gets no 答复 column", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "viewer")
		b.do(chromedp.Navigate(e.srv.URL+"/plan/matches"), chromedp.WaitVisible(`#matches`))
		if head := b.text(`#matches thead`); strings.Contains(head, "答复") {
			t.Fatalf("the viewer's matches: %q", head)
		}
	})
	t.Run("the county withdraws its pending need", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "lvchun")
		b.do(chromedp.Navigate(fmt.Sprintf("%s/plan/needs/%d", e.srv.URL, pending.ID)), chromedp.WaitVisible(`form[action$="/close"]`),
			chromedp.SendKeys(`form[action$="/close"] input[name=reason]`, "已由县财政解决"),
			chromedp.Click(`form[action$="/close"] button`))
		b.waitText(`.flash`, fmt.Sprintf("需求（编号%d）已撤回（关闭）", pending.ID))
		b.waitText(`h1 .st`, "已关闭")
	})
	t.Run("the plan page", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "admin")
		b.do(chromedp.Navigate(fmt.Sprintf("%s/plan?year=%d", e.srv.URL, year)), chromedp.WaitVisible(`#plan`))
		if h := b.text(`h1`); !strings.HasPrefix(h, strconv.Itoa(year)+"年计划 · 全部受援县") {
			t.Fatalf("title %q", h)
		}
		foot := b.text(`#plan tfoot`)
		label, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#plan tfoot th.progress').dataset.label`))
		if !strings.Contains(foot, "完成 0.0%（按金额）") || err != nil || label != "完成进度" {
			t.Fatalf("progress %q, label %q %v", foot, label, err)
		}
		b.shot("planfix-plan")
	})
}
