package report

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Bulletin states: a draft is edited; a published issue is frozen (its
// text and figures no longer follow the records) and is in the archive.
const (
	BulletinDraft     = "draft"
	BulletinPublished = "published"
)

// DefaultIssuer is the title block's first line, as on the office's own
// bulletin.
const DefaultIssuer = "长宁区东西部扶贫协作与对口支援(合作)工作"

// Bulletin is one issue of the 简报: a period's approved activities,
// grouped by section, as the editor left them, and a figures box.
type Bulletin struct {
	ID          int64          `json:"id"`
	Issuer      string         `json:"issuer"`  // 长宁区东西部扶贫协作与对口支援(合作)工作
	Year        int            `json:"year"`    // 2020
	Numbers     string         `json:"numbers"` // 9、10
	Title       string         `json:"title"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Status      string         `json:"status"`
	Items       []BulletinItem `json:"items"`
	Figures     []Figure       `json:"figures"`
	CreatedBy   string         `json:"created_by,omitempty"`
	CreatedAt   string         `json:"created_at,omitempty"`
	PublishedAt string         `json:"published_at,omitempty"`
	ItemCount   int            `json:"item_count"`
}

// BulletinItem is the issue's copy of one activity (or an item the editor
// wrote): editing it never changes the record.
type BulletinItem struct {
	Seq        int    `json:"seq"`
	Section    string `json:"section"`
	ActivityID int64  `json:"activity_id,omitempty"`
	Headline   string `json:"headline"`
	DateText   string `json:"date_text,omitempty"` // 9月1日至4日
	Body       string `json:"body"`
}

// IssueLabel is the title block's second line: 2020年第9、10期.
func (b *Bulletin) IssueLabel() string {
	return strings.TrimSpace(strconv.Itoa(b.Year) + "年第" + b.Numbers + "期")
}

// Published reports whether the issue is frozen.
func (b *Bulletin) Published() bool { return b.Status == BulletinPublished }

// Section is the items of one section in order.
type Section struct {
	Name  string
	Items []BulletinItem
}

// Sections groups the items by section in the bulletin's order of
// sections, keeping the editor's order within each.
func (b *Bulletin) Sections() []Section {
	var out []Section
	for _, name := range ledger.Sections {
		var items []BulletinItem
		for _, it := range b.Items {
			if it.Section == name {
				items = append(items, it)
			}
		}
		if len(items) > 0 {
			out = append(out, Section{Name: name, Items: items})
		}
	}
	return out
}

// Validate checks the issue's fields and items, and orders the items by
// section and sequence, renumbering them 1…n.
func (b *Bulletin) Validate() error {
	p := xiezuo.Problems{}
	b.Issuer, b.Numbers, b.Title = strings.TrimSpace(b.Issuer), strings.TrimSpace(b.Numbers), strings.TrimSpace(b.Title)
	if b.Issuer == "" {
		b.Issuer = DefaultIssuer
	}
	if b.Year < 1996 || b.Year > 2100 {
		p.Add("year", "年份应在1996至2100之间")
	}
	if b.Numbers == "" || utf8.RuneCountInString(b.Numbers) > 20 {
		p.Add("numbers", "请填写期号（如 9、10），不超过20个字")
	}
	if utf8.RuneCountInString(b.Title) > 100 {
		p.Add("title", "标题不能超过100个字")
	}
	if !xiezuo.ValidDate(b.From) {
		p.Add("from", "起始日期"+xiezuo.DateProblem(b.From))
	}
	if !xiezuo.ValidDate(b.To) {
		p.Add("to", "截止日期"+xiezuo.DateProblem(b.To))
	} else if b.From > b.To {
		p.Add("to", "截止日期不能早于起始日期")
	}
	for i := range b.Items {
		it := &b.Items[i]
		it.Headline, it.Body, it.DateText = strings.TrimSpace(it.Headline), strings.TrimSpace(it.Body), strings.TrimSpace(it.DateText)
		n := "第" + strconv.Itoa(i+1) + "条："
		if !slices.Contains(ledger.Sections, it.Section) {
			p.Add("items", n+"请选择栏目")
		}
		if it.Headline == "" || utf8.RuneCountInString(it.Headline) > 100 {
			p.Add("items", n+"标题不能为空，不超过100个字")
		}
		if it.Body == "" || utf8.RuneCountInString(it.Body) > 10000 {
			p.Add("items", n+"正文不能为空，不超过10000个字")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	order := func(s string) int { return slices.Index(ledger.Sections, s) }
	slices.SortStableFunc(b.Items, func(x, y BulletinItem) int {
		if d := order(x.Section) - order(y.Section); d != 0 {
			return d
		}
		return x.Seq - y.Seq
	})
	for i := range b.Items {
		b.Items[i].Seq = i + 1
	}
	return nil
}

// ItemFromActivity is an activity's proposed item: its title, its dates in
// words and its narrative.
func ItemFromActivity(a *ledger.Activity) BulletinItem {
	return BulletinItem{Section: a.Section, ActivityID: a.ID, Headline: a.Title,
		DateText: xiezuo.FormatRangeCN(a.DateFrom, a.DateTo), Body: a.Narrative}
}

// Paragraphs splits an item's body into its paragraphs.
func (it BulletinItem) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(it.Body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Scope is the filter of the issue's period: what its figures box sums.
func (b *Bulletin) Scope() Filter { return Filter{From: b.From, To: b.To} }

// BoxFigures is the bulletin's figures box, from the sums of its period
// (Bulletin.Scope): total aid and its parts by area, what was pledged but
// not yet delivered, agreements signed, visits, people trained and placed.
func BoxFigures(s *Sums) []Figure {
	out := []Figure{
		{Code: "total", Label: "帮扶投入合计", Unit: "万元", Money: true, Value: s.TotalFen},
		{Code: "funds", Label: "其中：财政帮扶资金", Unit: "万元", Money: true, Value: s.Area("funds")},
		{Code: "social", Label: "社会帮扶（捐款捐物）", Unit: "万元", Money: true, Value: s.Area("social")},
		{Code: "industry", Label: "产业合作投入", Unit: "万元", Money: true, Value: s.Area("industry")},
		{Code: "consumption", Label: "消费帮扶", Unit: "万元", Money: true, Value: s.Area("consumption")},
		{Code: "pledged", Label: "认捐（尚未到位）", Unit: "万元", Money: true, Value: s.Delivery["pledged"].Fen},
		{Code: "agreements", Label: "签订协议", Unit: "份", Value: s.Counts.Agreements},
		{Code: "visits", Label: "考察互访", Unit: "次", Value: s.Counts.Visits},
		{Code: "trained", Label: "培训人数", Unit: "人", Value: s.Counts.Trained},
		{Code: "placed", Label: "转移就业人数", Unit: "人", Value: s.Counts.Placed},
	}
	for _, c := range s.Counties {
		out = append(out, Figure{Code: "county:" + c.CountyCode, Label: c.CountyName, Unit: "万元", Money: true, Value: c.TotalFen})
	}
	return out
}

// Box is the figures box without the per-county lines; Counties is those.
func (b *Bulletin) Box() []Figure { return b.figures(false) }

// Counties is the figures box's aid by county (see Box).
func (b *Bulletin) Counties() []Figure { return b.figures(true) }

func (b *Bulletin) figures(county bool) []Figure {
	var out []Figure
	for _, f := range b.Figures {
		if strings.HasPrefix(f.Code, "county:") == county {
			out = append(out, f)
		}
	}
	return out
}

// CountyChart draws the figures box's aid by county as bars.
func (b *Bulletin) CountyChart() Chart {
	c := Chart{Title: "各受援县帮扶投入（万元）", Unit: "万元", Money: true}
	for _, f := range b.Counties() {
		c.Bars = append(c.Bars, Bar{Label: f.Label, Value: f.Value})
	}
	return c
}
