package web_test

import (
	"fmt"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserActivation is the issue's "a purchaser of a budget unit
// activates the account, buys 20 袋" in a real browser: 区财政局 issues a
// code to 第一中心小学's purchaser, who has never activated (the demo's
// yzx-caigou); on /activate a wrong code is refused in Chinese and
// activates nothing; the right one sets the password, signs the purchaser
// in and lands on /market, where 20 袋 of 梯田红米 are bought; and the new
// password signs in again from a fresh browser. (/activate's timing is
// store's TestActivateSamePath.)
func TestBrowserActivation(t *testing.T) {
	t.Parallel()
	testdb.Chromium(t) // skipped as a whole without it: the steps depend on each other
	e := newEnv(t)
	const username, newPassword = "yzx-caigou", "Yuanyang#Rice-2026"
	acc := e.user(username)
	if !acc.MustChange {
		t.Fatal("the demo's yzx-caigou is activated already")
	}
	var code string
	t.Run("区财政局 issues a code", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "caizheng")
		b.do(chromedp.Navigate(fmt.Sprintf("%s/market/accounts?unit=%d#unit", e.srv.URL, acc.OrgID)),
			chromedp.Click(fmt.Sprintf(`form[action="/market/accounts/%d/code"] button`, acc.ID)),
			chromedp.WaitVisible(`#codes`))
		b.shot("activation-1-code")
		code = strings.TrimSpace(b.text(`#codes tbody td.mono.strong`))
		if len(code) != 17 {
			t.Fatalf("code %q", code)
		}
	})
	if code == "" {
		t.Fatal("no code")
	}
	b := newBrowser(t, e.srv.URL, "") // the purchaser, not signed in
	fill := func(code string) {
		b.do(chromedp.Navigate(e.srv.URL+"/activate"),
			chromedp.SendKeys(`input[name=username]`, username),
			chromedp.SendKeys(`input[name=code]`, code),
			chromedp.SendKeys(`input[name=password]`, newPassword),
			chromedp.SendKeys(`input[name=confirm]`, newPassword),
			chromedp.Click(`form[action="/activate"] button[type=submit]`))
	}
	t.Run("a wrong code is refused and activates nothing", func(t *testing.T) {
		fill("ABCDE-FGHJK-MNPQR")
		b.do(chromedp.WaitVisible(`.login .alert`))
		b.shot("activation-2-wrong")
		if got := b.text(`.login .alert`); got != "用户名或激活码不正确" {
			t.Fatalf("wrong code: %q", got)
		}
		if !e.user(username).MustChange {
			t.Fatal("a wrong code activated the account")
		}
	})
	t.Run("the right code activates and lands on /market", func(t *testing.T) {
		fill(strings.ToLower(strings.ReplaceAll(code, "-", ""))) // as people type it
		b.waitURL("/market")
		b.do(chromedp.WaitVisible(`.flash`))
		b.shot("activation-3-market")
		if !strings.Contains(b.text(`.flash`), "账号已激活") || e.user(username).MustChange {
			t.Fatalf("after activation: %q", b.text(`.flash`))
		}
	})
	t.Run("the purchaser buys 20 袋", func(t *testing.T) {
		var rice int64
		if err := e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '梯田红米'`).Scan(&rice); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(fmt.Sprintf("%s/market/products/%d", e.srv.URL, rice)),
			chromedp.SetValue(`input[name=qty]`, "20"),
			chromedp.Click(`form[action="/market/cart"] button`),
			chromedp.WaitVisible(`.flash`),
			chromedp.Navigate(e.srv.URL+"/market/cart"),
			chromedp.Click(`form[action="/market/checkout"] button`),
			chromedp.WaitVisible(`.flash`))
		if got := b.text(`h1 .st`); got != "待确认" {
			t.Fatalf("order status %q", got)
		}
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM orders x JOIN order_lines l ON l.order_id = x.id WHERE x.buyer_unit_id = $1 AND l.product_id = $2 AND l.qty = 20`,
			acc.OrgID, rice).Scan(&n); err != nil || n != 1 {
			t.Fatalf("orders of 20 袋 for the unit: %d, %v", n, err)
		}
	})
	t.Run("the new password signs in", func(t *testing.T) {
		b2 := newBrowser(t, e.srv.URL, "")
		b2.do(chromedp.Navigate(e.srv.URL+"/login"),
			chromedp.SendKeys(`input[name=username]`, username),
			chromedp.SendKeys(`input[name=password]`, newPassword),
			chromedp.Click(`form[action="/login"] button[type=submit]`),
			chromedp.WaitVisible(`nav.nav`))
		b2.waitURL("/market")
	})
}
