package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Phone viewport of issue 10 (an iPhone 12–15 class screen).
const phoneW, phoneH = 390, 844

// phoneLayout is what one page measures at the phone's width.
type phoneLayout struct {
	ScrollWidth int      `json:"sw"`
	InnerWidth  int      `json:"iw"`
	Head        float64  `json:"head"` // header + menu height, CSS px
	Wide        []string `json:"wide"` // the widest elements, when the page overflows
	H1          string   `json:"h1"`
	// Hidden are the current menu and tab items not wholly on the screen.
	Hidden []string `json:"hidden"`
}

const measurePhone = `(() => {
  const de = document.documentElement, iw = window.innerWidth, sw = Math.min(iw, screen.width);
  const head = ['header.top', 'nav.nav'].map(s => document.querySelector(s)).filter(Boolean)
    .reduce((a, e) => a + e.getBoundingClientRect().height, 0);
  let wide = [];
  if (de.scrollWidth > sw) {
    wide = [...document.querySelectorAll('main *, header *')].filter(e => e.getBoundingClientRect().right > sw + 1)
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 4)
      .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right));
  }
  const h1 = document.querySelector('h1');
  const hidden = [...document.querySelectorAll('nav.nav a.on, .tabs a.on')].filter(a => {
    const r = a.getBoundingClientRect();
    return r.left < 0 || r.right > sw + 1;
  }).map(a => a.textContent.trim());
  return {sw: de.scrollWidth, iw: iw, head: head, wide: wide, h1: h1 ? h1.textContent.trim().slice(0, 40) : '', hidden: hidden};
})()`

// buttonBox is where a button lies on the screen, CSS px.
type buttonBox struct {
	Found bool    `json:"found"`
	Left  float64 `json:"left"`
	Right float64 `json:"right"`
}

// shotDir is where the phone screenshots go: XIEZUO_SHOTS to keep them,
// else a directory removed with the test.
func shotDir(t *testing.T) string {
	if d := os.Getenv("XIEZUO_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// snap saves the first screen and, when whole, the whole page as
// dir/name.png and dir/name-full.png.
func (b *browser) snap(dir, name string, whole bool) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if whole {
		if buf, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, name+"-full.png"), buf, 0o644)
		}
	}
}

func shotName(role, path string) string {
	r := strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_")
	p := strings.Trim(r.Replace(path), "_")
	if p == "" {
		p = "home"
	}
	return role + "-" + p
}

// TestBrowserPhone visits every page of issue 10 at 390×844 as the roles
// that use it: no page is wider than the screen, header and menu take at
// most 15% of the first screen, and a reviewer approves from the queue
// without scrolling sideways. Screenshots of each page's first screen go
// to XIEZUO_SHOTS (kept, with whole-page shots and the same pages at
// 1366×900 for comparison) or to a temporary directory.
func TestBrowserPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	queued := e.submitted("chengjiaqiao") // something for the review queue
	dir := shotDir(t)
	keep := os.Getenv("XIEZUO_SHOTS") != ""

	if keep {
		// The same pages on the desktop, to compare with the phone's and with
		// an earlier run's (before the reviewer below changes the data).
		t.Run("desktop", func(t *testing.T) {
			b := newBrowser(t, e.srv.URL, "admin")
			for _, path := range []string{"/", "/dashboard?year=2020", "/scorecard?year=2020", "/contributions", "/contributions/1", "/activities",
				"/projects", "/review", "/mine", "/registry/orgs", "/audit", "/scorecard/compliance?year=2020", "/rectifications?year=2020", "/account"} {
				b.do(chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(`main`))
				b.snap(dir, shotName("desktop", path), false)
			}
		})
	}
	pages := []struct {
		role  string
		paths []string
	}{
		{"admin", []string{"/", "/dashboard?year=2020", "/scorecard?year=2020", "/scorecard/targets?year=2020", "/scorecard/coverage?year=2020",
			"/scorecard/compliance?year=2020", "/rectifications?year=2020", "/audit", "/account"}},
		{"admin", []string{"/contributions", "/contributions/1", "/contributions/new", "/activities", "/activities/1", "/agreements", "/agreements/1",
			"/projects", "/projects/1", "/labour", "/batches", "/bulletins", "/imports"}},
		{"admin", []string{"/registry/orgs", "/registry/pairings", "/registry/people", "/registry/users", "/registry/regions", "/mine"}},
		{"reviewer", []string{"/review"}},
		{"admin", []string{"/plan/needs", "/plan/review", "/plan/resources", "/plan/matches", "/plan?year=2021", "/plan/needs/new", "/plan/resources/new",
			"/plan/needs/4", "/plan/resources/1"}},
		{"lvchun", []string{"/plan/needs", "/plan/matches", "/plan"}},
		{"chengjiaqiao", []string{"/mine", "/contributions", "/activities/new"}},
		{"lvchun", []string{"/", "/projects", "/contributions?county=532531000000", "/labour"}},
		{"viewer", []string{"/dashboard", "/scorecard"}},
		{"", []string{"/public?year=2020", "/login"}},
	}
	for i, group := range pages {
		role := group.role
		if role == "" {
			role = "public"
		}
		t.Run(fmt.Sprintf("%d-%s", i, role), func(t *testing.T) {
			b := newBrowser(t, e.srv.URL, group.role)
			b.do(chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulateMobile))
			for _, path := range group.paths {
				b.do(chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(`main`))
				m, err := chromedp.Run(b.ctx, chromedp.Evaluate[phoneLayout](measurePhone))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				b.snap(dir, shotName(role, path), keep)
				if m.ScrollWidth > phoneW || m.ScrollWidth > m.InnerWidth {
					t.Errorf("%s (%s): page is %d px wide on a %d px screen; widest: %v", path, m.H1, m.ScrollWidth, m.InnerWidth, m.Wide)
				}
				if len(m.Hidden) > 0 {
					t.Errorf("%s: the current menu item %q is scrolled out of view", path, m.Hidden)
				}
				if m.Head > 0.15*phoneH {
					t.Errorf("%s: header and menu are %.0f px high, more than 15%% of %d", path, m.Head, phoneH)
				}
				if path == "/review" {
					reviewOnPhone(t, b, dir, queued)
				}
				if path == "/contributions" {
					// A list is cards: each cell led by its column's name,
					// amounts still right-aligned.
					got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(() => {
  const row = document.querySelector('#contributions tbody tr'), amount = row.children[7];
  return [getComputedStyle(row).display, getComputedStyle(row.children[0], '::before').content,
    getComputedStyle(amount, '::before').content, getComputedStyle(amount).textAlign];
})()`))
					if want := []string{"block", `"日期"`, `"金额（元）"`, "right"}; err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
						t.Errorf("/contributions row: display, labels, alignment = %q (%v), want %q", got, err, want)
					}
				}
			}
		})
	}
}

// reviewOnPhone: on /review the first 通过 and 退回 lie within the
// screen's width, and tapping 通过 approves the record.
func reviewOnPhone(t *testing.T, b *browser, dir string, id int64) {
	t.Helper()
	for _, label := range []string{"通过", "退回"} {
		box, err := chromedp.Run(b.ctx, chromedp.Evaluate[buttonBox](`(() => {
  const b = [...document.querySelectorAll('main button')].find(b => b.textContent.trim() === '`+label+`');
  if (!b) return {found: false};
  const r = b.getBoundingClientRect();
  return {found: true, left: r.left, right: r.right};
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !box.Found {
			t.Fatalf("/review has no %s button", label)
		}
		if box.Left < 0 || box.Right > phoneW {
			t.Errorf("/review: the first %s button spans %.0f–%.0f px, off a %d px screen", label, box.Left, box.Right, phoneW)
		}
	}
	b.do(chromedp.Click(fmt.Sprintf(`//tr[td/a[contains(@href, "/contributions/%d")]]//button[text()="通过"]`, id)),
		chromedp.WaitVisible(`.flash`))
	b.snap(dir, "reviewer-review-approved", false)
	if got := b.text(`table.grid tbody`); strings.Contains(got, fmt.Sprintf("\n%d\n", id)) {
		t.Errorf("the approved record is still queued: %q", got)
	}
}
