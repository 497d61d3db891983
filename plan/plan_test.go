package plan

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
)

const lvchun, jinping = "532531000000", "532530000000"

func computers() *Need {
	return &Need{ID: 1, OrgID: 9, CountyCode: lvchun, CountyName: "绿春县", Category: "education", Item: "村小学电脑", Quantity: 20, Unit: "台",
		AmountFen: 10_000_000, AskedOn: "2021-03-01", NeededBy: "2021-09-01", Contact: "李老师", Status: NeedPublished}
}

func offer() *Resource {
	return &Resource{ID: 2, OrgID: 7, OrgName: "程家桥街道", Category: "education", Form: "in_kind", Item: "台式电脑", Quantity: 30, Unit: "台",
		AmountFen: 15_000_000, AvailableFrom: "2021-02-01", AvailableUntil: "2021-12-31", Contact: "王科长"}
}

func TestNeedValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Need)
		field string
	}{
		{"ok", func(*Need) {}, ""},
		{"no county", func(n *Need) { n.CountyCode = "" }, "county_code"},
		{"township of another county", func(n *Need) { n.TownshipCode = "532530100000" }, "township_code"},
		{"bad category", func(n *Need) { n.Category = "x" }, "category"},
		{"no item", func(n *Need) { n.Item = " " }, "item"},
		{"quantity without unit", func(n *Need) { n.Unit = "" }, "quantity_unit"},
		{"nothing to measure", func(n *Need) { n.Quantity, n.Unit, n.AmountFen = 0, "", 0 }, "quantity"},
		{"negative amount", func(n *Need) { n.AmountFen = -1 }, "amount"},
		{"asked tomorrow", func(n *Need) { n.AskedOn = "2021-06-02" }, "asked_on"},
		{"needed before asked", func(n *Need) { n.NeededBy = "2021-02-01" }, "needed_by"},
		{"needed in 2040", func(n *Need) { n.NeededBy = "2040-01-01" }, "needed_by"},
		{"no contact", func(n *Need) { n.Contact = "" }, "contact"},
		{"no date needed by", func(n *Need) { n.NeededBy = "" }, "needed_by"},
		{"no amount either", func(n *Need) { n.Quantity, n.Unit, n.AmountFen = 0, "", 0 }, "amount"},
	} {
		n := computers()
		tc.edit(n)
		err := n.Validate("2021-06-01")
		fields := xiezuo.ErrorFields(err)
		if tc.field == "" && err != nil || tc.field != "" && fields[tc.field] == "" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	n := computers()
	n.NeededBy, n.AskedOn = "", ""
	fields := xiezuo.ErrorFields(n.Validate("2021-06-01"))
	if fields["needed_by"] != "请填写需要日期" || fields["asked_on"] != "请填写提出日期" {
		t.Errorf("empty dates: %v", fields)
	}
	n = computers()
	n.Quantity, n.Unit, n.AmountFen = 0, "", 0
	fields = xiezuo.ErrorFields(n.Validate("2021-06-01"))
	if !strings.Contains(fields["quantity"], "数量") || !strings.Contains(fields["amount"], "估算金额") {
		t.Errorf("nothing to measure: %v", fields)
	}
	n = computers()
	n.VillageCode = "532531102202"
	if err := n.Validate("2021-06-01"); err != nil || n.TownshipCode != "532531102000" {
		t.Errorf("a village implies its township: %v %q", err, n.TownshipCode)
	}
}

func TestResourceValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Resource)
		field string
	}{
		{"ok", func(*Resource) {}, ""},
		{"no unit", func(r *Resource) { r.OrgID = 0 }, "org_id"},
		{"cash without amount", func(r *Resource) { r.Form, r.AmountFen = "cash", 0 }, "amount"},
		{"bad form", func(r *Resource) { r.Form = "consumption" }, "form"},
		{"a township as county", func(r *Resource) { r.Counties = []string{"532531102000"} }, "counties"},
		{"county twice", func(r *Resource) { r.Counties = []string{lvchun, lvchun} }, "counties"},
		{"until before from", func(r *Resource) { r.AvailableUntil = "2021-01-01" }, "available_until"},
	} {
		r := offer()
		tc.edit(r)
		err := r.Validate("2021-06-01")
		if tc.field == "" && err != nil || tc.field != "" && xiezuo.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// The amount rule: per unit above the category's cap, or in total above
// TotalCap; needs without a quantity are judged by the total alone.
func TestAmountFlag(t *testing.T) {
	for _, tc := range []struct {
		category string
		qty, fen int64
		flagged  bool
	}{
		{"education", 20, 10_000_000, false},      // 5,000 元 a computer
		{"education", 20, 2_000_000_000, true},    // 100 万元 a computer (and over the total cap)
		{"education", 20, 60_000_000, true},       // 3 万元 a computer
		{"education", 1, 2_000_000, false},        // exactly the cap
		{"medical", 27, 300_000_000, false},       // 11 万元 a child's operation
		{"necessities", 100, 100_000_000, true},   // 1 万元 a household
		{"necessities", 100, 30_000_000, false},   // 3,000 元 a household
		{"infrastructure", 0, 900_000_000, false}, // 900 万元, no quantity
		{"infrastructure", 0, 1_200_000_000, true},
	} {
		n := &Need{Category: tc.category, Quantity: tc.qty, Unit: "个", AmountFen: tc.fen}
		f := AmountFlag(n)
		if (f != nil) != tc.flagged {
			t.Errorf("%s %d × %d fen: flag %v", tc.category, tc.qty, tc.fen, f)
		}
		if f != nil && !strings.Contains(f.Message, "请核实") {
			t.Errorf("message %q", f.Message)
		}
	}
	f := AmountFlag(&Need{Category: "education", Quantity: 20, Unit: "台", AmountFen: 60_000_000})
	if f == nil || f.Message != "每台约30,000.00元，高于教育助学类常见上限20,000.00元，请核实数量和金额" {
		t.Errorf("message: %+v", f)
	}
}

func TestDuplicates(t *testing.T) {
	if s := Similarity("村小学电脑", "坡头小学 电脑"); s < SimilarThreshold {
		t.Errorf("similar texts: %.2f", s)
	}
	if s := Similarity("村小学电脑", "卫生院B超机"); s >= SimilarThreshold {
		t.Errorf("different texts: %.2f", s)
	}
	n := computers()
	n.Status = NeedPending
	mk := func(id int64, edit func(*Need)) Need {
		o := *computers()
		o.ID = id
		edit(&o)
		return o
	}
	others := []Need{
		mk(2, func(o *Need) { o.Item = "小学电脑教室电脑" }),                     // duplicate
		mk(3, func(o *Need) { o.CountyCode = jinping }),                  // another county
		mk(4, func(o *Need) { o.Category = "other" }),                    // another category
		mk(5, func(o *Need) { o.NeededBy = "2022-03-01" }),               // another year
		mk(6, func(o *Need) { o.Status = NeedReturned }),                 // returned
		mk(7, func(o *Need) { o.Item = "学生校服" }),                         // not similar
		mk(1, func(o *Need) {}),                                          // itself
		mk(8, func(o *Need) { o.Item = "村小学电脑20台"; o.Status = NeedMet }), // met still counts
	}
	fl := Flags(n, others)
	var ids []int64
	for _, f := range fl {
		if f.Kind == "duplicate" {
			ids = append(ids, f.OtherID)
		}
	}
	if len(ids) != 2 || ids[0] != 2 || ids[1] != 8 {
		t.Fatalf("duplicates %v (%+v)", ids, fl)
	}
}

func TestFit(t *testing.T) {
	paired := []string{lvchun}
	score, reason, ok := Fit(computers(), offer(), paired)
	if !ok || score != 70 || !strings.Contains(reason, "程家桥街道与绿春县结对") || !strings.Contains(reason, "数量足够（可提供30台，需要20台）") {
		t.Fatalf("full fit: %d %q %v", score, reason, ok)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Need, *Resource)
		ok    bool
		score int
	}{
		{"listed county", func(n *Need, r *Resource) { r.Counties = []string{lvchun} }, true, 100},
		{"other county listed", func(n *Need, r *Resource) { r.Counties = []string{jinping} }, false, 0},
		{"not paired", func(n *Need, r *Resource) { n.CountyCode = jinping }, true, 40},
		{"partial quantity", func(n *Need, r *Resource) { r.Quantity = 10 }, true, 45},
		{"units differ: amounts", func(n *Need, r *Resource) { r.Unit = "套" }, true, 70},
		{"units differ, no amounts", func(n *Need, r *Resource) { r.Unit, r.AmountFen = "套", 0 }, false, 0},
		{"other category", func(n *Need, r *Resource) { r.Category = "medical" }, false, 0},
		{"not published", func(n *Need, r *Resource) { n.Status = NeedPending }, false, 0},
		{"resource closed", func(n *Need, r *Resource) { r.Closed = true }, false, 0},
		{"resource starts after need", func(n *Need, r *Resource) { r.AvailableFrom = "2021-10-01" }, false, 0},
		{"resource ends before asked", func(n *Need, r *Resource) { r.AvailableUntil = "2021-02-28" }, false, 0},
		// Goods must be what is asked for; money may fund any need of its category.
		{"computers for sports goods", func(n *Need, r *Resource) {
			n.Item, n.Unit, n.AmountFen = "学校体育用品和体育服装", "套", 10_000_000
		}, false, 0},
		{"computers for library books", func(n *Need, r *Resource) { n.Item = "图书室图书" }, false, 0},
		{"sports goods for computers", func(n *Need, r *Resource) { r.Item = "体育器材20套" }, false, 0},
		{"only the count in common", func(n *Need, r *Resource) { n.Item, r.Item = "图书20台", "体育器材20台" }, false, 0},
		{"cash for sports goods", func(n *Need, r *Resource) {
			n.Item, n.Unit = "学校体育用品和体育服装", "套"
			r.Form, r.Quantity, r.Unit = "cash", 0, ""
		}, true, 70},
		{"cash of another category", func(n *Need, r *Resource) { r.Form, r.Category = "cash", "medical" }, false, 0},
		// What confirmed matches took is no longer offered.
		{"all pledged", func(n *Need, r *Resource) { r.UsedQuantity, r.UsedFen = 30, 15_000_000 }, false, 0},
		{"some pledged", func(n *Need, r *Resource) { r.UsedQuantity, r.UsedFen = 20, 10_000_000 }, true, 45},
		{"cash all pledged", func(n *Need, r *Resource) { r.Form, r.Quantity, r.Unit, r.UsedFen = "cash", 0, "", 15_000_000 }, false, 0},
		{"cash half pledged", func(n *Need, r *Resource) { r.Form, r.Quantity, r.Unit, r.UsedFen = "cash", 0, "", 10_000_000 }, true, 45},
	} {
		n, r := computers(), offer()
		tc.edit(n, r)
		score, _, ok := Fit(n, r, paired)
		if ok != tc.ok || score != tc.score {
			t.Errorf("%s: %d %v", tc.name, score, ok)
		}
	}
}

func TestFlagsCapped(t *testing.T) {
	n := computers()
	n.Status = NeedPending
	var others []Need
	for i := int64(2); i < 500; i++ {
		o := *n
		o.ID = i
		others = append(others, o)
	}
	flags := Flags(n, others)
	if len(flags) != MaxDuplicateFlags+1 || flags[0].OtherID != 2 || flags[4].OtherID != 6 ||
		flags[5].OtherID != 0 || !strings.HasPrefix(flags[5].Message, "等 498 条") {
		t.Fatalf("%d flags, last %+v", len(flags), flags[len(flags)-1])
	}
	if flags := Flags(n, others[:5]); len(flags) != 5 {
		t.Errorf("five duplicates: %d flags", len(flags))
	}
}

func TestFitReasons(t *testing.T) {
	_, reason, _ := Fit(computers(), offer(), nil)
	if !strings.Contains(reason, "内容相符：“电脑”") {
		t.Errorf("goods: %q", reason)
	}
	r := offer()
	r.UsedQuantity, r.UsedFen = 20, 10_000_000
	if _, reason, ok := Fit(computers(), r, nil); !ok || !strings.Contains(reason, "可满足部分数量（尚余10台，需要20台）") {
		t.Errorf("the rest of a resource: %q", reason)
	}
	r = offer()
	r.Form, r.Item = "cash", "助学资金"
	if _, reason, ok := Fit(computers(), r, nil); !ok || !strings.Contains(reason, "资金可用于本类需求") || strings.Contains(reason, "内容相符") {
		t.Errorf("cash: %q", reason)
	}
	for _, tc := range []struct{ a, b, want string }{
		{"村小学电脑", "台式电脑（含显示器）", "电脑"},
		{"台式电脑20台", "台式电脑", "台式电脑"},
		{"学校体育用品和体育服装", "台式电脑", ""},
		{"电脑20台", "图书20台", ""},
		{"体育器材、体育服装", "体育服装50套", "体育、体育服装"},
	} {
		if got := strings.Join(SharedWords(tc.a, tc.b), "、"); got != tc.want {
			t.Errorf("SharedWords(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCoveredAndOutcome(t *testing.T) {
	n, r := computers(), offer()
	if q, u, fen := Covered(n, r); q != 20 || u != "台" || fen != 10_000_000 {
		t.Errorf("full: %d%s %d", q, u, fen)
	}
	r.Quantity = 10
	if q, _, fen := Covered(n, r); q != 10 || fen != 5_000_000 {
		t.Errorf("half: %d %d", q, fen)
	}
	r.Quantity, n.AmountFen = 30, 0
	if _, _, fen := Covered(n, r); fen != 10_000_000 {
		t.Errorf("valued at the resource's price: %d", fen)
	}
	c := PledgeContribution(&Match{ID: 3}, computers(), offer(), "2021-06-01")
	if err := c.Validate("2021-06-01"); err != nil || c.Delivery != "pledged" || c.Sector != "education" || c.Givers[0].ID != 7 {
		t.Errorf("pledge: %v %+v", err, c)
	}
	infra := computers()
	infra.Category, infra.Item = "infrastructure", "村组道路硬化"
	if Outcome(infra.Category) != OutcomeProject || Outcome("education") != OutcomePledge {
		t.Error("outcome rule")
	}
	p := MatchProject(&Match{ID: 3}, infra, offer())
	if err := p.Validate("2021-06-01"); err != nil || p.Sector != "infrastructure" || p.BudgetFen != 10_000_000 {
		t.Errorf("project: %v %+v", err, p)
	}
}

func TestItemValidate(t *testing.T) {
	it := &Item{Year: 2021, CountyCode: lvchun, Kind: OutcomeProject, Title: "大兴镇产业路", Category: "infrastructure", TargetFen: 100}
	if err := it.Validate("2020-10-01"); err != nil {
		t.Fatal(err)
	}
	it.TargetFen, it.Kind, it.Year = 0, "x", 1990
	f := xiezuo.ErrorFields(it.Validate("2020-10-01"))
	if f["target"] == "" || f["kind"] == "" || f["year"] == "" {
		t.Errorf("%v", f)
	}
	if s := Sum([]Item{{TargetFen: 5, ActualFen: 2, TargetCount: 1}, {TargetFen: 5, ActualCount: 1}}); s.TargetFen != 10 || s.ActualFen != 2 || s.ActualCount != 1 {
		t.Errorf("%+v", s)
	}
}

func TestPolicy(t *testing.T) {
	office := &xiezuo.User{Role: xiezuo.RoleReviewer}
	county := &xiezuo.User{Role: xiezuo.RoleCounty, OrgID: 9, CountyCode: lvchun}
	other := &xiezuo.User{Role: xiezuo.RoleCounty, OrgID: 10, CountyCode: jinping}
	unit := &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 7}
	unit2 := &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 8}
	viewer := &xiezuo.User{Role: xiezuo.RoleViewer}
	buyer := &xiezuo.User{Role: xiezuo.RolePurchaser, OrgID: 7}
	pending := computers()
	pending.Status = NeedPending
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"county posts for itself", CanPostNeed(county, lvchun), true},
		{"county posts for another", CanPostNeed(county, jinping), false},
		{"unit posts a need", CanPostNeed(unit, lvchun), false},
		{"office posts a need", CanPostNeed(office, jinping), true},
		{"county sees its pending need", CanViewNeed(county, pending), true},
		{"other county does not", CanViewNeed(other, pending), false},
		{"viewer sees published", CanViewNeed(viewer, computers()), true},
		{"viewer does not see pending", CanViewNeed(viewer, pending), false},
		{"market account sees nothing", CanViewNeed(buyer, computers()), false},
		{"unit posts its resource", CanPostResource(unit, 7), true},
		{"unit posts another's", CanPostResource(unit2, 7), false},
		{"county posts a resource", CanPostResource(county, 7), false},
		{"unit side", MatchSide(unit, computers(), offer()) == SideUnit, true},
		{"county side", MatchSide(county, computers(), offer()) == SideCounty, true},
		{"office side", MatchSide(office, computers(), offer()) == SideOffice, true},
		{"no side", MatchSide(unit2, computers(), offer()) == "" && MatchSide(other, computers(), offer()) == "", true},
		{"unit delivers", CanDeliver(unit, offer()), true},
		{"county does not deliver", CanDeliver(county, offer()), false},
		{"office edits the plan", CanEditPlan(office), true},
		{"county does not", CanEditPlan(county), false},
		{"county edits pending need", CheckEditNeed(county, pending) == nil, true},
		{"county cannot edit published", xiezuo.ErrorCode(CheckEditNeed(county, computers())) == xiezuo.ECONFLICT, true},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v", tc.name, tc.got)
		}
	}
	for _, tc := range []struct {
		u      *xiezuo.User
		status NeedStatus
		action string
		reason string
		want   NeedStatus
		code   string
	}{
		{office, NeedPending, NeedApprove, "", NeedPublished, ""},
		{office, NeedPending, NeedReturn, "与需求5重复", NeedReturned, ""},
		{office, NeedPending, NeedReturn, "", "", xiezuo.EINVALID},
		{county, NeedPending, NeedApprove, "", "", xiezuo.EFORBIDDEN},
		{office, NeedPublished, NeedApprove, "", "", xiezuo.ECONFLICT},
		{office, NeedMatched, NeedMetAct, "", NeedMet, ""},
		{office, NeedPublished, NeedMetAct, "", "", xiezuo.ECONFLICT},
		{office, NeedPublished, NeedClose, "已由县财政解决", NeedClosed, ""},
		{office, NeedMet, NeedClose, "x", "", xiezuo.ECONFLICT},
		// The county withdraws its own pending or returned need.
		{county, NeedPending, NeedClose, "已由县财政解决", NeedClosed, ""},
		{county, NeedReturned, NeedClose, "不再需要", NeedClosed, ""},
		{county, NeedReturned, NeedClose, "", NeedClosed, xiezuo.EINVALID},
		{office, NeedReturned, NeedClose, "重复", NeedClosed, ""},
		{other, NeedPending, NeedClose, "x", "", xiezuo.EFORBIDDEN},
		{unit, NeedPending, NeedClose, "x", "", xiezuo.EFORBIDDEN},
		{county, NeedPublished, NeedClose, "x", "", xiezuo.EFORBIDDEN},
		{county, NeedMatched, NeedClose, "x", "", xiezuo.EFORBIDDEN},
		{county, NeedPending, NeedReturn, "x", "", xiezuo.EFORBIDDEN},
	} {
		n := computers()
		n.Status = tc.status
		got, err := NeedTransition(tc.u, n, tc.action, tc.reason)
		if xiezuo.ErrorCode(err) != tc.code || (err == nil && got != tc.want) {
			t.Errorf("%s %s → %s, %v", tc.status, tc.action, got, err)
		}
	}
}
