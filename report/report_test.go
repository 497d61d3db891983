package report

import (
	"strings"
	"testing"
)

func TestNiceMax(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]int64{0: 1, 1: 1, 7: 10, 12: 20, 311208800: 500000000, 100: 100, 101: 200} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestChartsStartAtZero(t *testing.T) {
	t.Parallel()
	c := Chart{Title: "各受援县帮扶投入（万元）", Unit: "万元", Money: true, Bars: []Bar{
		{Label: "绿春县", Value: 311208800, Href: "/contributions?county=532531000000&status=approved"},
		{Label: "红河县", Value: 55000000}, {Label: "甘德县", Value: 0}}}
	for _, svg := range []string{string(c.Rows()), string(c.Columns())} {
		for _, want := range []string{"<svg", "绿春县", "311.21", "0.00", `href="/contributions?county=532531000000&amp;status=approved"`, "</svg>"} {
			if !strings.Contains(svg, want) {
				t.Errorf("chart lacks %q", want)
			}
		}
		if strings.Contains(svg, `height="-`) || strings.Contains(svg, `width="-`) {
			t.Error("negative bar")
		}
	}
	// Columns: a zero bar has no height; the axis is labelled from 0.00.
	col := string(c.Columns())
	if !strings.Contains(col, `>0.00</text>`) || !strings.Contains(col, `height="0.0"`) {
		t.Error("the column chart does not start at zero")
	}
}

func TestBulletinValidateOrders(t *testing.T) {
	t.Parallel()
	b := &Bulletin{Year: 2020, Numbers: "9、10", From: "2020-09-01", To: "2020-10-31", Items: []BulletinItem{
		{Seq: 2, Section: "前方工作", Headline: "乙", Body: "正文"},
		{Seq: 9, Section: "扶贫协作", Headline: "甲", Body: "正文"},
		{Seq: 1, Section: "前方工作", Headline: "丙", Body: "正文"},
	}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range b.Items {
		got = append(got, it.Headline+"/"+string(rune('0'+it.Seq)))
	}
	if strings.Join(got, ",") != "甲/1,丙/2,乙/3" || b.IssueLabel() != "2020年第9、10期" || b.Issuer != DefaultIssuer {
		t.Errorf("items %v, label %q, issuer %q", got, b.IssueLabel(), b.Issuer)
	}
	b.Items[1].Section, b.To = "新闻", "2020-08-01"
	err := b.Validate()
	if err == nil || !strings.Contains(err.Error(), "第2条") {
		t.Errorf("bad item not named: %v", err)
	}
}

func TestCellState(t *testing.T) {
	t.Parallel()
	c := Cell{Target: 100, Scored: 60, HasTarget: true}
	if c.State(0.5) != StateOnTrack || c.State(0.75) != StateBehind || c.Percent() != 60 {
		t.Errorf("60 of 100: %s at half, %s at three quarters", c.State(0.5), c.State(0.75))
	}
	c.Scored = 100
	if c.State(0.1) != StateDone {
		t.Error("a met target is not done")
	}
	if (Cell{}).State(1) != StateNoTarget || StateLabel(StateNoTarget) != "未设目标" {
		t.Error("no target")
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	f := ForYear(2020, "532531000000")
	if f.From != "2020-01-01" || f.To != "2020-12-31" || f.Validate() != nil {
		t.Errorf("ForYear: %+v", f)
	}
	if q := f.Query("area", "social"); q != "area=social&county=532531000000&from=2020-01-01&status=approved&to=2020-12-31" {
		t.Errorf("Query = %s", q)
	}
	bad := Filter{From: "2020-02-30", CountyCode: "5325"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "县") {
		t.Errorf("bad filter: %v", err)
	}
}

func TestNewDashboard(t *testing.T) {
	t.Parallel()
	s := &Sums{Filter: ForYear(2020, "532531000000"), Delivery: map[string]Tally{"pledged": {1, 500}},
		Counties: []CountyRow{{CountyCode: "532531000000", CountyName: "绿春县", ByArea: map[string]int64{"social": 500}, TotalFen: 500, Count: 1}},
		Counts:   Counts{Visits: 3, Pairs: [2]int64{4, 5}}, TotalFen: 500, TotalRows: 1}
	s.Months[8] = Tally{1, 500}
	d := NewDashboard(s)
	if len(d.Areas) != len(Areas) || len(Metrics()) != 16 {
		t.Fatalf("%d areas, %d metrics", len(d.Areas), len(Metrics()))
	}
	if f := d.Figure("social", "social"); f == nil || f.Value != 500 || f.Label != "捐款捐物折款" || !strings.Contains(f.Href, "area=social") {
		t.Errorf("social: %+v", f)
	}
	if f := d.Figure("xieshou", "pairs_village"); f == nil || f.Value != 5 || f.Href != "/registry/pairings?county=532531000000&kind=%E6%9D%91%E4%BC%81%E7%BB%93%E5%AF%B9&year=2020" {
		t.Errorf("pairs_village: %+v", f)
	}
	if len(d.Months) != 12 || d.Months[8].Label != "9月" || d.Months[8].Fen != 500 || !strings.Contains(d.Months[8].Href, "to=2020-09-30") {
		t.Errorf("months: %+v", d.Months)
	}
	if len(d.Delivery) != 2 || d.Delivery[0].Key != "pledged" || d.Delivery[0].Fen != 500 {
		t.Errorf("delivery: %+v", d.Delivery)
	}
	if all := NewDashboard(&Sums{Filter: ForYear(0, "")}); len(all.Months) != 0 {
		t.Errorf("all years has %d months", len(all.Months))
	}
	if box := BoxFigures(s); box[0].Value != 500 || box[5].Code != "pledged" || box[5].Value != 500 || box[len(box)-1].Label != "绿春县" {
		t.Errorf("box: %+v", box)
	}
}
