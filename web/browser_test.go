package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/internal/testdb"
)

// browser is a headless Chromium session signed in as one user (or, with
// no user name, the public).
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// watchConsole keeps what the pages write to the console and the browser
// log; when the test ends, a Content Security Policy violation fails it
// (a page that needs an inline script or style the CSP blocks).
func (b *browser) watchConsole() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	b.t.Cleanup(func() {
		for _, m := range b.messages() {
			if strings.Contains(m.Text, "Content Security Policy") {
				b.t.Errorf("CSP violation (%s): %s", m.URL, m.Text)
			}
		}
	})
}

// waitURL waits until the page's address ends with suffix (after a
// navigation the page started itself).
func (b *browser) waitURL(suffix string) {
	b.t.Helper()
	var loc string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if loc, _ = chromedp.Run(b.ctx, chromedp.Location()); strings.HasSuffix(loc, suffix) {
			return
		}
	}
	b.t.Fatalf("page at %s, want …%s", loc, suffix)
}

// waitText waits until sel's text is want: after a form's POST the next
// page replaces one that may already show the same flash, so waiting for
// a flash does not tell that the next page has come.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	var got string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		got, _ = chromedp.Run(ctx, chromedp.Text(sel))
		cancel()
		if got == want {
			return
		}
	}
	b.shot("failure")
	b.t.Fatalf("%s shows %q, want %q", sel, got, want)
}

func (b *browser) messages() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console...)
}

func newBrowser(t *testing.T, base, username string) *browser {
	t.Helper()
	exe := testdb.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	b := &browser{t: t, ctx: ctx, base: base}
	b.watchConsole()
	if username == "" { // the public, not signed in
		return b
	}
	b.do(chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(`input[name=username]`, username),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(`nav.nav`))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.shot("failure")
		b.t.Fatal(err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	// A node found may be gone by the time its text is read ("No node
	// with given id found": the page's script or the browser replaced it
	// right after a POST's answer came): read again, for a few seconds.
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		s, e := chromedp.Run(ctx, chromedp.Text(sel))
		cancel()
		if err = e; err == nil {
			return s
		}
		if time.Now().After(deadline) {
			break
		}
	}
	b.t.Fatalf("text %s: %v", sel, err)
	return ""
}

// shot saves a screenshot when XIEZUO_SCREENSHOTS names a directory.
func (b *browser) shot(name string) {
	dir := os.Getenv("XIEZUO_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	}
}

func pngFile(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(150 + x), 40, 40, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBrowserFlows runs the critical path in a real browser: a unit records
// a trip with two donations and submits it; the reviewer approves it from
// the queue; the county's approved total on the dashboard grows by the sum.
func TestBrowserFlows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lvchunTotal := func(b *browser) string {
		return b.text(`//td[a[text()="绿春县"]]/following-sibling::td[contains(@class,"strong")]`)
	}
	var activityURL, before string

	t.Run("unit records a trip with two donations and submits", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "chengjiaqiao")
		b.do(chromedp.Navigate(e.srv.URL + "/"))
		before = lvchunTotal(b)
		b.do(chromedp.Navigate(e.srv.URL+"/activities/new"),
			chromedp.SendKeys(`input[name=title]`, "程家桥街道赴绿春县回访捐赠学校"),
			// Dates typed as people write them (README): the field takes text.
			chromedp.SendKeys(`input[name=date_from]`, "2021年3月1日"),
			chromedp.SendKeys(`input[name=date_to]`, "2021/3/4"),
			chromedp.SetValue(`select[name=county_code]`, "532531000000"),
			chromedp.SendKeys(`input[name=leader]`, "游雁（街道党工委副书记、办事处主任）"),
			chromedp.SendKeys(`textarea[name=narrative]`, "3月1日至4日，程家桥街道赴绿春县回访去年捐赠的学校，并举行捐赠仪式。"),
			chromedp.Click(`form.form button[type=submit]`),
			chromedp.WaitVisible(`.flash`))
		b.shot("1-activity-saved")
		if got := b.text(`//tr[th[text()="日期"]]/td`); got != "2021年3月1日至4日" {
			t.Fatalf("saved dates = %q", got)
		}
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		activityURL = loc
		// A photo of the ceremony.
		photo := filepath.Join(t.TempDir(), "仪式.png")
		if err := os.WriteFile(photo, pngFile(t), 0o644); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.SetUploadFiles(`input[name=photo]`, []string{photo}),
			chromedp.SendKeys(`input[name=caption]`, "捐赠仪式现场"),
			chromedp.Click(`form.upload button`),
			chromedp.WaitVisible(`.photos img`))
		if got := b.text(`.photos figcaption`); got != "捐赠仪式现场" {
			t.Fatalf("photo caption = %q", got)
		}
		// First donation: cash, then "save and add another".
		b.do(chromedp.Click(`//a[text()="添加帮扶投入"]`),
			chromedp.WaitVisible(`textarea[name=givers]`),
			chromedp.SendKeys(`textarea[name=givers]`, "上海龙舜投资管理有限公司"),
			chromedp.SendKeys(`input[name=township]`, "大兴镇"),
			chromedp.SetValue(`select[name=form]`, "cash"),
			chromedp.SetValue(`select[name=sector]`, "education"),
			chromedp.SendKeys(`input[name=amount]`, "2万"),
			chromedp.SendKeys(`input[name=item]`, "助学金"))
		b.shot("2-contribution-form")
		b.do(chromedp.Click(`button[name=then][value=new]`), chromedp.WaitVisible(`.flash`),
			// Second donation: goods valued in money.
			chromedp.SendKeys(`textarea[name=givers]`, "西雅衣家（中国）商业有限公司"),
			chromedp.SetValue(`select[name=form]`, "in_kind"),
			chromedp.SetValue(`select[name=sector]`, "livelihood"),
			chromedp.SendKeys(`input[name=amount]`, "5000"),
			chromedp.SendKeys(`input[name=quantity]`, "120"),
			chromedp.SendKeys(`input[name=quantity_unit]`, "件"),
			chromedp.SendKeys(`input[name=item]`, "冬衣"),
			chromedp.Click(`form.form button.primary`),
			chromedp.WaitVisible(`table.kv`), // the saved contribution's page
			chromedp.Navigate(activityURL))
		if got := b.text(`table.grid tfoot tr.total`); !strings.Contains(got, "合计 2 笔") || !strings.Contains(got, "25,000.00") {
			t.Fatalf("activity totals row = %q", got)
		}
		b.do(chromedp.Click(`//button[text()="提交审核"]`), chromedp.WaitVisible(`.flash`))
		b.shot("3-activity-submitted")
		if st := b.text(`dl.meta .st`); st != "待审核" {
			t.Fatalf("status after submit = %q", st)
		}
		if got := b.text(`table.grid tbody`); strings.Count(got, "待审核") != 2 {
			t.Fatalf("donations not submitted with the trip: %q", got)
		}
	})

	t.Run("reviewer approves from the queue", func(t *testing.T) {
		if activityURL == "" {
			t.Skip("first flow failed")
		}
		b := newBrowser(t, e.srv.URL, "reviewer")
		b.do(chromedp.Navigate(e.srv.URL + "/review"))
		b.shot("4-review-queue")
		queue := b.text(`table.grid tbody`)
		if !strings.Contains(queue, "程家桥街道赴绿春县回访捐赠学校") || strings.Count(queue, "帮扶投入") != 2 {
			t.Fatalf("queue = %q", queue)
		}
		b.do(chromedp.Click(`//tr[td/a[text()="程家桥街道赴绿春县回访捐赠学校"]]//button[text()="通过"]`),
			chromedp.WaitVisible(`.flash`))
		if got := b.text(`table.grid tbody`); !strings.Contains(got, "没有需要处理的记录") {
			t.Fatalf("queue after approving the trip = %q", got)
		}
	})

	t.Run("county total on the dashboard grows by the approved sum", func(t *testing.T) {
		if before == "" {
			t.Skip("first flow failed")
		}
		b := newBrowser(t, e.srv.URL, "viewer")
		b.do(chromedp.Navigate(e.srv.URL + "/"))
		b.shot("5-dashboard")
		after := lvchunTotal(b)
		// 316.19 万元 (the bulletin's 311.21 with the 认购 at 3,982 元/亩 and
		// 晨讯's 定向采购 at 4.99 元/斤, demo/market_lots.go) + 2.50 万元.
		if before != "316.19" || after != "318.69" {
			t.Fatalf("绿春县 total before %q after %q, want 316.19 → 318.69", before, after)
		}
		b.do(chromedp.Click(`//a[text()="绿春县"]`), chromedp.WaitVisible(`#contributions`))
		if got := b.text(`#contributions tfoot`); !strings.Contains(got, "3,186,928.00") {
			t.Fatalf("county list total = %q", got)
		}
	})
}

// TestBrowserReports: the dashboard's figures lead to lists that total
// them, and the office makes, edits and publishes a bulletin that the
// public can then read.
func TestBrowserReports(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	t.Run("a county's 社会帮扶 figure opens a list with the same total", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "viewer")
		b.do(chromedp.Navigate(e.srv.URL+"/dashboard?year=2020"), chromedp.WaitVisible(`#county-table`))
		b.shot("6-dashboard")
		cell := `td[data-county="532531000000"][data-area="social"] a`
		figure := b.text(cell)
		if figure != "243.51" {
			t.Fatalf("绿春县 社会帮扶 = %q, want 243.51", figure)
		}
		b.do(chromedp.Click(cell), chromedp.WaitVisible(`#contributions`))
		b.shot("7-drilldown")
		if got := b.text(`#contributions tfoot`); !strings.Contains(got, figure+" 万元") {
			t.Fatalf("list total %q does not equal the figure %s 万元", got, figure)
		}
		if got := b.text(`.filternote`); !strings.Contains(got, "社会帮扶") || !strings.Contains(got, "绿春县") {
			t.Errorf("the list does not say what it sums: %q", got)
		}
	})
	t.Run("short Chinese terms and headings do not break inside a word", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "admin")
		// Terms of two to six characters on more than one line: 消费帮/扶.
		const broken = `[...document.querySelectorAll('table.grid th, td.term, .areas dt, .areas h3')].filter(e => {
			const t = e.textContent.trim();
			if (!/^[\u4e00-\u9fff]{2,6}$/.test(t)) return false;
			const r = document.createRange(); r.selectNodeContents(e);
			return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size > 1;
		}).map(e => e.textContent.trim())`
		for _, page := range []string{"/dashboard?year=2020", "/activities", "/contributions", "/scorecard?year=2020"} {
			for _, width := range []int64{1024, 760} {
				b.do(chromedp.EmulateViewport(width, 900), chromedp.Navigate(e.srv.URL+page))
				got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](broken))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) > 0 {
					b.shot("broken-terms")
					t.Errorf("%s at %d px: terms broken inside a word: %v", page, width, got)
				}
			}
		}
	})
	t.Run("the office makes, edits and publishes the 2020年第9、10期 bulletin", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "admin")
		b.do(chromedp.Navigate(e.srv.URL+"/bulletins"),
			chromedp.SendKeys(`input[name=year]`, "2020"),
			chromedp.SendKeys(`input[name=numbers]`, "9、10"),
			chromedp.SendKeys(`input[name=from]`, "2020年8月1日"),
			chromedp.SendKeys(`input[name=to]`, "2020-10-31"),
			chromedp.Click(`form[action="/bulletins"] button[type=submit]`),
			chromedp.WaitVisible(`#item-0`))
		first := b.text(`#item-0 legend`)
		if !strings.Contains(first, "第 1 条") {
			t.Fatalf("editor: %q", first)
		}
		b.do(chromedp.Click(`input[name=drop_0]`),
			chromedp.SendKeys(`input[name=headline_31]`, "编辑部补记：本期数据说明"),
			chromedp.SendKeys(`textarea[name=body_31]`, "本期数据按已审核通过的记录统计。"),
			chromedp.Click(`form.form button[type=submit]`),
			chromedp.WaitVisible(`//legend[contains(., "编辑添加")]`)) // the saved page lists the added item
		b.shot("8-bulletin-editor")
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`)); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Click(`form[action$="/publish"] button`), chromedp.WaitVisible(`h1 .st-approved`))
		if got := b.text(`h1`); !strings.Contains(got, "已印发") {
			t.Fatalf("after publishing: %q", got)
		}
		// Anyone may read the published issue, signed in or not.
		pub := newBrowser(t, e.srv.URL, "")
		pub.do(chromedp.Navigate(e.srv.URL+"/bulletins/1/print"), chromedp.WaitVisible(`.masthead`))
		pub.shot("9-bulletin-print")
		text := pub.text(`.bulletin`)
		for _, want := range []string{"2020年第9、10期", "【本期数据】", "【扶贫协作】", "【前方工作】", "编辑部补记：本期数据说明"} {
			if !strings.Contains(text, want) {
				t.Errorf("print view lacks %q", want)
			}
		}
	})
}

// TestBrowserCSP visits the main pages under the strict CSP: none may
// report a violation (watchConsole), and what used inline handlers —
// print buttons, the year select, confirmations, the error page's back
// link — still works from static/app.js.
func TestBrowserCSP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := newBrowser(t, e.srv.URL, "")
	pub.do(chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(`form[action="/login"]`),
		chromedp.Navigate(e.srv.URL+"/public?year=2020"), chromedp.WaitVisible(`main`))
	b := newBrowser(t, e.srv.URL, "admin")
	for _, path := range []string{"/", "/dashboard?year=2020", "/scorecard?year=2020", "/scorecard/targets?year=2020", "/scorecard/coverage?year=2020",
		"/scorecard/compliance?year=2020", "/rectifications?year=2020", "/contributions", "/contributions/1", "/contributions/new",
		"/activities", "/activities/1", "/agreements", "/projects", "/labour", "/batches", "/bulletins", "/review", "/mine",
		"/imports", "/registry/orgs", "/registry/pairings", "/registry/people", "/registry/users", "/audit", "/contributions/999999"} {
		b.do(chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(`main`))
	}
	// The error page's back link goes back.
	b.do(chromedp.Navigate(e.srv.URL+"/activities"), chromedp.WaitVisible(`main`),
		chromedp.Navigate(e.srv.URL+"/contributions/999999"), chromedp.WaitVisible(`a[data-back]`),
		chromedp.Click(`a[data-back]`))
	b.waitURL("/activities")
	// Print buttons print.
	b.do(chromedp.Navigate(e.srv.URL+"/contributions"), chromedp.WaitVisible(`button[data-print]`))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(window.printed = false, window.print = () => { window.printed = true }, true)`)); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(`button[data-print]`))
	if printed, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.printed`)); err != nil || !printed {
		t.Errorf("the print button did not print (%v)", err)
	}
	// The home page's year select submits its form when changed.
	// One script sets the value and fires change: SetValue may fire change
	// itself, and the page would be gone before a second step ran.
	b.do(chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(`select[name=year]`),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('select[name=year]'); s.value = '2020'; s.dispatchEvent(new Event('change', {bubbles: true})) })()`))
	b.waitURL("/?year=2020")
	// A declined confirmation keeps the draft bulletin.
	b.do(chromedp.Navigate(e.srv.URL+"/bulletins"),
		chromedp.SendKeys(`input[name=year]`, "2020"),
		chromedp.SendKeys(`input[name=numbers]`, "11"),
		chromedp.SendKeys(`input[name=from]`, "2020-11-01"),
		chromedp.SendKeys(`input[name=to]`, "2020-11-30"),
		chromedp.Click(`form[action="/bulletins"] button[type=submit]`),
		chromedp.WaitVisible(`form[action$="/delete"]`))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(window.asked = "", window.confirm = (m) => { window.asked = m; return false }, true)`)); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(`form[action$="/delete"] button`))
	time.Sleep(300 * time.Millisecond)
	asked, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`window.asked`))
	if err != nil || asked != "删除这份草稿？" {
		t.Errorf("confirmation asked %q (%v)", asked, err)
	}
	if got := b.text(`h1`); !strings.Contains(got, "草稿") {
		t.Errorf("a declined confirmation still deleted: %q", got)
	}
	// The check itself: a page that breaks the policy is reported.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const d = document.createElement('div'); d.innerHTML = '<img src="x" onerror="1">'; document.body.append(d); return true })()`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		found := false
		for _, m := range b.messages() {
			found = found || strings.Contains(m.Text, "Content Security Policy")
		}
		if found {
			b.mu.Lock()
			b.console = nil // reported on purpose
			b.mu.Unlock()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an inline handler ran or was blocked silently: the console watch sees no CSP report")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
