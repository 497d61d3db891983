package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/xiezuo/xiezuo"
)

// Bar is one bar of a chart: a label, a value (fen when the chart is of
// money) and the list it sums.
type Bar struct {
	Label string
	Value int64
	Href  string
}

// Chart is a bar chart drawn as SVG on the server, so it prints, exports
// and works without JavaScript. Bars start at zero; money is shown in 万元.
type Chart struct {
	Title string
	Unit  string // shown after the values: 万元, 人, 次
	Money bool   // values are fen
	Bars  []Bar
}

func (c Chart) text(v int64) string {
	if c.Money {
		return xiezuo.FormatWan(v)
	}
	return fmt.Sprint(v)
}

// niceMax rounds the largest value up to 1, 2 or 5 × 10ⁿ so the axis has
// round ticks.
func niceMax(v int64) int64 {
	if v <= 0 {
		return 1
	}
	p := int64(1)
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

const chartFont = `font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"`

// Columns draws vertical bars (a trend, e.g. by month) with a zero-based
// axis of five ticks and each bar's value above it.
func (c Chart) Columns() template.HTML {
	const w, h, left, right, top, bottom = 720, 260, 64, 12, 28, 36
	var b strings.Builder
	top2 := c.open(&b, w, h)
	plotH := float64(h - top - bottom)
	y := func(v int64) float64 { return float64(top) + plotH*(1-float64(v)/float64(top2)) }
	for i := 0; i <= 4; i++ {
		v := top2 * int64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d9dee5"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#5b6573">%s</text>`, left-6, y(v)+4, c.text(v))
	}
	fmt.Fprintf(&b, `<text x="%d" y="14" fill="#5b6573">单位：%s</text>`, left-56, html.EscapeString(c.Unit))
	n := max(len(c.Bars), 1)
	slot := float64(w-left-right) / float64(n)
	for i, bar := range c.Bars {
		x := float64(left) + slot*float64(i)
		bw := slot * 0.6
		by := y(bar.Value)
		open, end := barLink(bar.Href)
		b.WriteString(open)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2f6db5"><title>%s：%s %s</title></rect>`,
			x+slot*0.2, by, bw, float64(top)+plotH-by, html.EscapeString(bar.Label), c.text(bar.Value), html.EscapeString(c.Unit))
		if bar.Value != 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#1f2933" font-size="11">%s</text>`, x+slot/2, by-4, c.text(bar.Value))
		}
		b.WriteString(end)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#1f2933">%s</text>`, x+slot/2, h-bottom+18, html.EscapeString(bar.Label))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#1f2933"/>`, left, w-right, y(0), y(0))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Rows draws horizontal bars (a ranking, e.g. counties or givers), the
// label left of each bar and the value right of it.
func (c Chart) Rows() template.HTML {
	const w, label, right, row, top = 720, 230, 110, 26, 8
	h := top*2 + row*max(len(c.Bars), 1)
	var b strings.Builder
	top2 := c.open(&b, w, h)
	plotW := float64(w - label - right)
	for i, bar := range c.Bars {
		y := top + row*i
		bw := plotW * float64(max(bar.Value, 0)) / float64(top2)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#1f2933">%s</text>`, label-8, y+row/2+4, html.EscapeString(clip(bar.Label, 16)))
		open, end := barLink(bar.Href)
		b.WriteString(open)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#2f6db5"><title>%s：%s %s</title></rect>`,
			label, y+4, bw, row-8, html.EscapeString(bar.Label), c.text(bar.Value), html.EscapeString(c.Unit))
		b.WriteString(end)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#1f2933">%s %s</text>`, float64(label)+bw+6, y+row/2+4, c.text(bar.Value), html.EscapeString(c.Unit))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#1f2933"/>`, label, label, top, h-top)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// open starts the SVG of w×h and returns the axis maximum: the largest
// bar rounded up (niceMax).
func (c Chart) open(b *strings.Builder, w, h int) int64 {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg" %s font-size="12">`, w, h, html.EscapeString(c.Title), chartFont)
	fmt.Fprintf(b, `<title>%s</title>`, html.EscapeString(c.Title))
	var hi int64
	for _, bar := range c.Bars {
		hi = max(hi, bar.Value)
	}
	return niceMax(hi)
}

func barLink(href string) (string, string) {
	if href == "" {
		return "", ""
	}
	return `<a href="` + html.EscapeString(href) + `">`, `</a>`
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
