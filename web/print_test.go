package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/xiezuo/xiezuo/internal/testdb"
)

// printed is a page printed to PDF by the browser, as the print dialog
// would (the page's own CSS @page decides the paper).
type printed struct {
	name  string
	sizes [][2]float64 // each page's width and height in points
	pages []string     // each page's text (pdftotext -layout)
}

func (b *browser) printPDF(name string) printed {
	b.t.Helper()
	pdfinfo := testdb.Tool(b.t, "pdfinfo (poppler-utils)", "/usr/bin/pdfinfo")
	pdftotext := testdb.Tool(b.t, "pdftotext (poppler-utils)", "/usr/bin/pdftotext")
	buf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		b.t.Fatalf("print %s: %v", name, err)
	}
	dir := os.Getenv("XIEZUO_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	} else {
		os.MkdirAll(dir, 0o755)
	}
	file := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	info, err := exec.Command(pdfinfo, "-f", "1", "-l", "1000", file).Output()
	if err != nil {
		b.t.Fatalf("pdfinfo %s: %v", name, err)
	}
	p := printed{name: name}
	for _, m := range pageSize.FindAllStringSubmatch(string(info), -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		p.sizes = append(p.sizes, [2]float64{w, h})
	}
	text, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		b.t.Fatalf("pdftotext %s: %v", name, err)
	}
	p.pages = strings.Split(strings.TrimSuffix(string(text), "\f"), "\f")
	if len(p.sizes) == 0 || len(p.sizes) != len(p.pages) {
		b.t.Fatalf("%s: %d page sizes, %d pages of text\n%s", name, len(p.sizes), len(p.pages), info)
	}
	return p
}

var pageSize = regexp.MustCompile(`Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts`)

// a4 reports whether every page is A4, landscape or portrait.
func (p printed) a4(t *testing.T, landscape bool) {
	t.Helper()
	for i, s := range p.sizes {
		w, h := s[0], s[1]
		if !landscape {
			w, h = h, w
		}
		if w < h || w < 838 || w > 845 || h < 592 || h > 599 {
			t.Errorf("%s page %d is %.0f×%.0f pt, want A4 %s", p.name, i+1, s[0], s[1], map[bool]string{true: "landscape (842×595)", false: "portrait (595×842)"}[landscape])
		}
	}
}

// lastLine is the last non-empty line of a page's text, trimmed.
func lastLine(page string) string {
	lines := strings.Split(page, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

// TestBrowserPrint (issue 10, fault 1): lists and the dashboard print on
// A4 landscape, the bulletin on its own 公文 page (A4 portrait); a long
// list repeats its header row on every page; no page of the bulletin ends
// with a heading whose text is on the next page.
func TestBrowserPrint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newBrowser(t, e.srv.URL, "admin")

	t.Run("the 绿春县 2020年9月 list prints landscape with whole columns", func(t *testing.T) {
		b.do(chromedp.Navigate(e.srv.URL+"/contributions?county=532531000000&from=2020-09-01&to=2020-09-30"), chromedp.WaitVisible(`#contributions`))
		p := b.printPDF("print-lvchun-2020-09")
		p.a4(t, true)
		// Squeezed onto a portrait page the headers broke one character a
		// line; on a landscape page each header reads whole.
		for _, h := range []string{"帮扶单位", "物资/内容", "金额（元）", "认捐/到位"} {
			if !strings.Contains(p.pages[0], h) {
				t.Errorf("page 1 lacks the header %q whole:\n%s", h, p.pages[0])
			}
		}
		if len(p.pages) > 2 {
			t.Errorf("the 绿春县 September list takes %d pages", len(p.pages))
		}
	})

	t.Run("a long list repeats its header row on every page", func(t *testing.T) {
		b.do(chromedp.Navigate(e.srv.URL+"/contributions?limit=200"), chromedp.WaitVisible(`#contributions`))
		p := b.printPDF("print-contributions-all")
		p.a4(t, true)
		if len(p.pages) < 2 {
			t.Fatalf("the whole list printed on %d page; the test needs several", len(p.pages))
		}
		for i, page := range p.pages {
			for _, h := range []string{"帮扶单位", "受援地", "金额（元）"} {
				if !strings.Contains(page, h) {
					t.Errorf("page %d of %d lacks the header %q", i+1, len(p.pages), h)
				}
			}
		}
	})

	t.Run("the dashboard prints landscape", func(t *testing.T) {
		b.do(chromedp.Navigate(e.srv.URL+"/dashboard?year=2020"), chromedp.WaitVisible(`#county-table`))
		p := b.printPDF("print-dashboard-2020")
		p.a4(t, true)
		if !strings.Contains(p.pages[0], "各受援县帮扶投入") && !strings.Contains(p.pages[0], "按考核领域") {
			t.Errorf("page 1 of the dashboard:\n%s", p.pages[0])
		}
		for i, page := range p.pages {
			if l := lastLine(page); l == "按考核领域" || l == "各受援县帮扶投入（万元）" {
				t.Errorf("dashboard page %d ends with the heading %q", i+1, l)
			}
		}
	})

	t.Run("the bulletin keeps its own page and no heading ends a page", func(t *testing.T) {
		b.do(chromedp.Navigate(e.srv.URL+"/bulletins"),
			chromedp.SendKeys(`input[name=year]`, "2020"),
			chromedp.SendKeys(`input[name=numbers]`, "9、10"),
			chromedp.SendKeys(`input[name=from]`, "2020-08-01"),
			chromedp.SendKeys(`input[name=to]`, "2020-10-31"),
			chromedp.Click(`form[action="/bulletins"] button[type=submit]`),
			chromedp.WaitVisible(`#item-0`))
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(strings.TrimRight(loc, "/")+"/print"), chromedp.WaitVisible(`.masthead`))
		headings, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.bulletin h1, .bulletin h2, .bulletin h3')].map(h => h.textContent.trim())`))
		if err != nil || len(headings) < 5 {
			t.Fatalf("headings %q, %v", headings, err)
		}
		p := b.printPDF("print-bulletin")
		p.a4(t, false)
		if len(p.pages) < 2 {
			t.Fatalf("the bulletin printed on %d page", len(p.pages))
		}
		if !strings.Contains(strings.Join(p.pages, ""), "【扶贫协作】") {
			t.Fatalf("the printed bulletin lacks 【扶贫协作】")
		}
		for i, page := range p.pages[:len(p.pages)-1] {
			l := lastLine(page)
			for _, h := range headings {
				// A heading may wrap: its last line is then a tail of it.
				if l == h || strings.HasPrefix(l, "【") && strings.HasSuffix(l, "】") || len([]rune(l)) >= 4 && strings.HasSuffix(h, l) {
					t.Errorf("bulletin page %d ends with the heading %q", i+1, h)
					break
				}
			}
		}
	})
}
