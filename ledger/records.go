package ledger

import (
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// Contribution forms (形式). The codes are the API's.
var Forms = []Choice{{"cash", "资金"}, {"in_kind", "物资"}, {"consumption", "消费帮扶"}, {"fiscal", "财政帮扶资金"}}

// Deliveries: pledged (认捐) or delivered (到位).
var Deliveries = []Choice{{"pledged", "认捐"}, {"delivered", "到位"}}

// Org is a reference to an organisation with its name for display.
type Org struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Contribution is one line of aid: money, goods valued in money, purchases,
// or fiscal funds, from one or more givers to a county (and optionally a
// township, village, institution).
type Contribution struct {
	Header
	DateFrom      string `json:"date_from"`
	DateTo        string `json:"date_to"`
	Givers        []Org  `json:"givers"`
	CountyCode    string `json:"county_code"`
	CountyName    string `json:"county_name,omitempty"`
	TownshipCode  string `json:"township_code,omitempty"`
	TownshipName  string `json:"township_name,omitempty"`
	VillageCode   string `json:"village_code,omitempty"`
	VillageName   string `json:"village_name,omitempty"`
	Institution   string `json:"institution,omitempty"`
	Form          string `json:"form"`
	Sector        string `json:"sector"`
	Delivery      string `json:"delivery"`
	AmountFen     int64  `json:"amount_fen"`
	Quantity      int64  `json:"quantity,omitempty"`
	QuantityUnit  string `json:"quantity_unit,omitempty"`
	Item          string `json:"item,omitempty"`
	Beneficiaries int64  `json:"beneficiaries,omitempty"`
	ActivityID    int64  `json:"activity_id,omitempty"`
	ActivityTitle string `json:"activity_title,omitempty"`
	AgreementID   int64  `json:"agreement_id,omitempty"`
	ProjectID     int64  `json:"project_id,omitempty"`
	OrderID       int64  `json:"order_id,omitempty"` // the market order it counts (set by the store only)
	Note          string `json:"note,omitempty"`
	ReceivedAt    string `json:"received_at,omitempty"`
	ReceivedBy    string `json:"received_by,omitempty"`
}

// Validate checks every field that needs no database: dates, givers, place
// codes and their nesting, form, sector, delivery, amounts and counts.
// today (YYYY-MM-DD in China) bounds the dates (see LastYear).
func (c *Contribution) Validate(today string) error {
	p := xiezuo.Problems{}
	checkRange(p, c.DateFrom, &c.DateTo, today)
	if len(c.Givers) == 0 {
		p.Add("givers", "请至少选择一个帮扶单位")
	}
	seen := map[int64]bool{}
	for _, g := range c.Givers {
		if g.ID <= 0 {
			p.Add("givers", "帮扶单位无效")
		} else if seen[g.ID] {
			p.Add("givers", "帮扶单位重复")
		}
		seen[g.ID] = true
	}
	if c.TownshipCode == "" && registry.ValidCode(c.VillageCode) && registry.LevelOf(c.VillageCode) == registry.LevelVillage {
		c.TownshipCode = registry.TownshipOf(c.VillageCode) // a village's township is implied
	}
	checkPlace(p, c.CountyCode, c.TownshipCode, c.VillageCode, true)
	if !ValidChoice(Forms, c.Form) {
		p.Add("form", "请选择形式（资金/物资/消费帮扶/财政帮扶资金）")
	}
	if !ValidChoice(Sectors, c.Sector) {
		p.Add("sector", "请选择领域")
	}
	if !ValidChoice(Deliveries, c.Delivery) {
		p.Add("delivery", "请选择认捐或到位")
	}
	checkFen(p, "amount", "金额", c.AmountFen)
	if (c.Form == "cash" || c.Form == "fiscal") && c.AmountFen == 0 {
		p.Add("amount", "资金和财政帮扶资金须填写金额")
	}
	checkCount(p, "quantity", "数量", c.Quantity)
	p.Text("quantity_unit", "计量单位", &c.QuantityUnit, 10, c.Quantity > 0)
	p.Text("item", "物资/内容", &c.Item, 200, c.Form == "in_kind")
	if (c.Form == "in_kind" || c.Form == "consumption") && c.AmountFen == 0 && c.Quantity == 0 {
		p.Add("quantity", "物资和消费帮扶须填写金额或数量")
	}
	checkCount(p, "beneficiaries", "受益人数", c.Beneficiaries)
	p.Text("institution", "受援机构", &c.Institution, 100, false)
	p.Text("note", "备注", &c.Note, 1000, false)
	return p.Err()
}

// ContributionAreas are the assessment areas a contribution's money counts
// in; ContributionArea says which.
var ContributionAreas = []string{"funds", "industry", "consumption", "social"}

// ContributionArea says in which assessment area a contribution's money
// counts, so that every yuan counts in exactly one: fiscal funds
// (财政帮扶资金) in 资金/项目 (funds), purchases in 消费帮扶, donations for
// industry in 产业合作, all other donations of money and goods in 社会帮扶.
func ContributionArea(form, sector string) string {
	switch {
	case form == "fiscal":
		return "funds"
	case form == "consumption":
		return "consumption"
	case sector == "industry":
		return "industry"
	default:
		return "social"
	}
}

// ContributionFilter selects contributions. Empty fields match all. County
// matches records of the county and of its townships and villages.
type ContributionFilter struct {
	CountyCode string
	// TownshipCode keeps one township's records; its county is implied
	// (Validate fills CountyCode) and must agree with CountyCode.
	TownshipCode string
	Form         string
	Sector       string
	Status       Status
	Delivery     string
	UnitID       int64
	GiverID      int64
	ActivityID   int64
	Area         string // one of ContributionAreas
	From         string // date_from >= From
	To           string // date_from <= To
	Query        string // item, institution, note contain
	Sort, Dir    string // a sortable column of the list (store decides which) and asc/desc; else newest first
	// AwaitingReceipt keeps approved deliveries not yet confirmed received,
	// of the counties u may confirm for (see ReceiptScope).
	AwaitingReceipt bool
	Offset          int
	Limit           int
	// After and Before are keyset cursors (Cursor) of the newest-first
	// order: the page after or before that row, whatever its depth. With
	// another sort they are ignored and Offset pages.
	After, Before string
	// Channel keeps the records posted by market orders of one channel
	// (the market's channel code; the store checks it), or, with
	// ChannelNone, the records no order posted.
	Channel string
}

// Cursor is a contribution's place in the newest-first order, for paging
// by keyset: its date and id, as "2020-09-08.1234".
func Cursor(c *Contribution) string { return c.DateFrom + "." + strconv.FormatInt(c.ID, 10) }

// ParseCursor reads a Cursor.
func ParseCursor(s string) (date string, id int64, ok bool) {
	date, rest, found := strings.Cut(s, ".")
	if !found || !xiezuo.ValidDate(date) {
		return "", 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return date, id, err == nil && id > 0
}

// Validate checks the filter's codes and dates so a bad URL gets a clear error.
func (f *ContributionFilter) Validate() error {
	p := xiezuo.Problems{}
	if f.CountyCode == "" && registry.ValidCode(f.TownshipCode) {
		f.CountyCode = registry.CountyOf(f.TownshipCode)
	}
	if f.CountyCode != "" || f.TownshipCode != "" {
		checkPlace(p, f.CountyCode, f.TownshipCode, "", false)
	}
	if f.Form != "" && !ValidChoice(Forms, f.Form) {
		p.Add("form", "形式参数应为 cash、in_kind、consumption 或 fiscal")
	}
	if f.Sector != "" && !ValidChoice(Sectors, f.Sector) {
		p.Add("sector", "领域参数无效")
	}
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", "状态参数应为 draft、submitted、approved 或 returned")
	}
	if f.Area != "" && !slices.Contains(ContributionAreas, f.Area) {
		p.Add("area", "考核领域参数应为 funds、industry、consumption 或 social")
	}
	if f.Delivery != "" && !ValidChoice(Deliveries, f.Delivery) {
		p.Add("delivery", "到位参数应为 pledged 或 delivered")
	}
	if f.From != "" && !xiezuo.ValidDate(f.From) {
		p.Add("from", "起始日期"+xiezuo.DateProblem(f.From))
	}
	if f.To != "" && !xiezuo.ValidDate(f.To) {
		p.Add("to", "截止日期"+xiezuo.DateProblem(f.To))
	}
	for k, c := range map[string]string{"after": f.After, "before": f.Before} {
		if _, _, ok := ParseCursor(c); c != "" && !ok {
			p.Add(k, "翻页参数无效，请从列表第一页重新翻页")
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	return p.Err()
}

// ChannelNone is the ContributionFilter.Channel of the records no market
// order posted (entered or imported as contributions).
const ChannelNone = "none"

// Totals sums the contributions a filter matches (all pages).
type Totals struct {
	Count     int64            `json:"count"`
	AmountFen int64            `json:"amount_fen"`
	ByForm    map[string]int64 `json:"by_form"`
}

// Add counts n records of form worth fen in t (nothing when n is 0, so a
// form appears in ByForm only when it has records).
func (t *Totals) Add(form string, n, fen int64) {
	if n == 0 {
		return
	}
	if t.ByForm == nil {
		t.ByForm = map[string]int64{}
	}
	t.Count += n
	t.AmountFen += fen
	t.ByForm[form] += fen
}

// Plus adds o's figures to t.
func (t *Totals) Plus(o Totals) {
	for form, fen := range o.ByForm {
		if t.ByForm == nil {
			t.ByForm = map[string]int64{}
		}
		t.ByForm[form] += fen
	}
	t.Count += o.Count
	t.AmountFen += o.AmountFen
}

// Activity kinds.
var ActivityKinds = []string{"考察调研", "座谈会议", "签约仪式", "捐赠仪式", "培训讲座", "义诊巡诊", "远程课堂", "展销活动", "慰问", "公益活动", "接待来访", "其他"}

// Activity is a dated event: a trip, meeting, training, clinic, class, fair.
// Its narrative becomes a bulletin item; contributions and agreements made on
// it point to it.
type Activity struct {
	Header
	Kind             string `json:"kind"`
	Title            string `json:"title"`
	DateFrom         string `json:"date_from"`
	DateTo           string `json:"date_to"`
	Section          string `json:"section"`
	CountyCode       string `json:"county_code,omitempty"`
	CountyName       string `json:"county_name,omitempty"`
	Places           string `json:"places,omitempty"`
	Leader           string `json:"leader,omitempty"`
	Participants     []Org  `json:"participants,omitempty"`
	ParticipantsText string `json:"participants_text,omitempty"`
	Headcount        int64  `json:"headcount,omitempty"`
	Narrative        string `json:"narrative"`
	SameAsID         int64  `json:"same_as_id,omitempty"`
}

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the dates (see LastYear).
func (a *Activity) Validate(today string) error {
	p := xiezuo.Problems{}
	if !slices.Contains(ActivityKinds, a.Kind) {
		p.Add("kind", "请选择活动类型")
	}
	p.Text("title", "标题", &a.Title, 100, true)
	checkRange(p, a.DateFrom, &a.DateTo, today)
	if !slices.Contains(Sections, a.Section) {
		p.Add("section", "请选择简报栏目")
	}
	checkPlace(p, a.CountyCode, "", "", false)
	p.Text("places", "地点", &a.Places, 500, false)
	p.Text("leader", "带队领导", &a.Leader, 100, false)
	p.Text("participants_text", "参加人员", &a.ParticipantsText, 500, false)
	checkCount(p, "headcount", "人数", a.Headcount)
	p.Text("narrative", "活动内容", &a.Narrative, 10000, true)
	if a.SameAsID != 0 && a.SameAsID == a.ID {
		p.Add("same_as_id", "不能关联自身")
	}
	return p.Err()
}

// Agreement is a signed agreement (协议) under one or more pairings, with
// the sum pledged.
type Agreement struct {
	Header
	Title      string   `json:"title"`
	Year       int      `json:"year"`
	SignedOn   string   `json:"signed_on"`
	PledgedFen int64    `json:"pledged_fen"`
	PairingIDs []int64  `json:"pairing_ids"`
	Pairings   []string `json:"pairings,omitempty"`
	ActivityID int64    `json:"activity_id,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the date and the year (see LastYear).
func (a *Agreement) Validate(today string) error {
	p := xiezuo.Problems{}
	p.Text("title", "协议名称", &a.Title, 100, true)
	last := LastYear(today)
	if checkDate(p, "signed_on", "签订日期", a.SignedOn, last) && a.Year == 0 {
		a.Year = yearOf(a.SignedOn)
	}
	if a.Year < FirstYear || a.Year > last {
		p.Add("year", YearsMessage("协议年度", last))
	}
	checkFen(p, "pledged", "协议金额", a.PledgedFen)
	if len(a.PairingIDs) == 0 {
		p.Add("pairing_ids", "请至少选择一个结对关系")
	}
	p.Text("note", "备注", &a.Note, 1000, false)
	return p.Err()
}

// Funding sources of projects.
var FundingSources = []string{"上海市财政援助资金", "区级财政资金", "社会帮扶资金", "县级配套资金", "其他"}

// Project work states.
var ProjectStates = []Choice{{"planned", "未开工"}, {"in_progress", "在建"}, {"completed", "已完工"}}

// Milestone is a dated step of a project.
type Milestone struct {
	Title  string `json:"title"`
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on,omitempty"`
}

// Project is a funded project in a county, with a deadline and progress.
type Project struct {
	Header
	Title         string      `json:"title"`
	CountyCode    string      `json:"county_code"`
	CountyName    string      `json:"county_name,omitempty"`
	TownshipCode  string      `json:"township_code,omitempty"`
	TownshipName  string      `json:"township_name,omitempty"`
	VillageCode   string      `json:"village_code,omitempty"`
	VillageName   string      `json:"village_name,omitempty"`
	Sector        string      `json:"sector"`
	FundingSource string      `json:"funding_source"`
	BudgetFen     int64       `json:"budget_fen"`
	StartOn       string      `json:"start_on,omitempty"`
	Deadline      string      `json:"deadline"`
	Progress      int         `json:"progress"`
	WorkState     string      `json:"work_state"`
	CompletedOn   string      `json:"completed_on,omitempty"`
	Milestones    []Milestone `json:"milestones,omitempty"`
	Note          string      `json:"note,omitempty"`
}

// Overdue reports whether the project is past its deadline on day today
// (YYYY-MM-DD) and not completed.
func (p *Project) Overdue(today string) bool {
	return p.WorkState != "completed" && p.Deadline != "" && p.Deadline < today
}

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the dates: what happened to the end of next year (see
// LastYear), what is planned (deadline, milestones) PlanYears ahead.
func (pr *Project) Validate(today string) error {
	last, plan := LastYear(today), yearOf(today)+PlanYears
	p := xiezuo.Problems{}
	p.Text("title", "项目名称", &pr.Title, 100, true)
	checkPlace(p, pr.CountyCode, pr.TownshipCode, pr.VillageCode, true)
	if !ValidChoice(Sectors, pr.Sector) {
		p.Add("sector", "请选择项目领域")
	}
	if !slices.Contains(FundingSources, pr.FundingSource) {
		p.Add("funding_source", "请选择资金来源")
	}
	checkFen(p, "budget", "项目预算", pr.BudgetFen)
	if pr.StartOn != "" {
		checkDate(p, "start_on", "开工日期", pr.StartOn, last)
	}
	if checkDate(p, "deadline", "完成时限", pr.Deadline, plan) && pr.StartOn != "" && pr.Deadline < pr.StartOn {
		p.Add("deadline", "完成时限不能早于开工日期")
	}
	if pr.Progress < 0 || pr.Progress > 100 {
		p.Add("progress", "进度应在0至100之间")
	}
	if !ValidChoice(ProjectStates, pr.WorkState) {
		p.Add("work_state", "请选择项目状态")
	}
	if pr.WorkState == "completed" {
		if pr.CompletedOn == "" {
			p.Add("completed_on", "已完工项目须填写完工日期")
		} else {
			checkDate(p, "completed_on", "完工日期", pr.CompletedOn, last)
		}
		pr.Progress = 100
	} else if pr.CompletedOn != "" {
		p.Add("completed_on", "未完工项目不应填写完工日期")
	}
	for i := range pr.Milestones {
		m := &pr.Milestones[i]
		m.Title = strings.TrimSpace(m.Title)
		n := "第" + strconv.Itoa(i+1) + "个节点"
		if m.Title == "" || !xiezuo.ValidDate(m.DueOn) || (m.DoneOn != "" && !xiezuo.ValidDate(m.DoneOn)) {
			p.Add("milestones", n+"须有名称和有效日期")
		} else if y := yearOf(m.DueOn); y < FirstYear || y > plan {
			p.Add("milestones", YearsMessage(n+"的计划日期", plan))
		} else if y := yearOf(m.DoneOn); m.DoneOn != "" && (y < FirstYear || y > last) {
			p.Add("milestones", YearsMessage(n+"的完成日期", last))
		}
	}
	p.Text("note", "备注", &pr.Note, 1000, false)
	return p.Err()
}

// Labour record kinds.
var LabourKinds = []string{"职业技能培训", "转移就业（赴沪）", "转移就业（省内）", "就地就近就业"}

// LabourRecord counts people trained or placed in jobs for a county in a period.
type LabourRecord struct {
	Header
	DateFrom    string `json:"date_from"`
	DateTo      string `json:"date_to"`
	CountyCode  string `json:"county_code"`
	CountyName  string `json:"county_name,omitempty"`
	Kind        string `json:"kind"`
	Trained     int64  `json:"trained"`
	Placed      int64  `json:"placed"`
	PoorCount   int64  `json:"poor_count"`
	Destination string `json:"destination,omitempty"`
	ActivityID  int64  `json:"activity_id,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the dates (see LastYear).
func (l *LabourRecord) Validate(today string) error {
	p := xiezuo.Problems{}
	checkRange(p, l.DateFrom, &l.DateTo, today)
	checkPlace(p, l.CountyCode, "", "", true)
	if !slices.Contains(LabourKinds, l.Kind) {
		p.Add("kind", "请选择劳务协作类型")
	}
	checkCount(p, "trained", "培训人数", l.Trained)
	checkCount(p, "placed", "就业人数", l.Placed)
	checkCount(p, "poor_count", "其中建档立卡人数", l.PoorCount)
	if l.Trained == 0 && l.Placed == 0 {
		p.Add("trained", "培训人数和就业人数至少填写一项")
	}
	if l.PoorCount > l.Trained && l.PoorCount > l.Placed {
		p.Add("poor_count", "建档立卡人数不能超过培训或就业人数")
	}
	p.Text("destination", "就业去向", &l.Destination, 100, false)
	p.Text("note", "备注", &l.Note, 1000, false)
	return p.Err()
}

// Batch kinds.
var BatchKinds = []string{"先心病患儿赴沪治疗", "义诊", "助学资助", "培训", "慰问", "其他"}

// Batch is a group of beneficiaries served together: 第三批 27 名先心病患儿,
// 义诊 216 人次, 734 名学生.
type Batch struct {
	Header
	Date       string `json:"date"`
	CountyCode string `json:"county_code"`
	CountyName string `json:"county_name,omitempty"`
	Kind       string `json:"kind"`
	Label      string `json:"label,omitempty"`
	Count      int64  `json:"count"`
	CountUnit  string `json:"count_unit"`
	ActivityID int64  `json:"activity_id,omitempty"`
	Note       string `json:"note,omitempty"`
	// RegisterCount is how many people of the batch are in a register
	// (package people), erased ones included; read-only.
	RegisterCount int64 `json:"register_count"`
}

// Total is the batch's count: the count entered by hand or, when the
// register holds more people, the register's size — max(Count,
// RegisterCount). A batch whose 27 people are all registered shows 27; a
// partial register (12 named of 27) leaves the hand count standing; a
// batch with no names known keeps its hand count. Erasing a person on
// request keeps their anonymous row, so Total never drops.
func (b *Batch) Total() int64 { return max(b.Count, b.RegisterCount) }

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the date (see LastYear).
func (b *Batch) Validate(today string) error {
	p := xiezuo.Problems{}
	checkDate(p, "date", "日期", b.Date, LastYear(today))
	checkPlace(p, b.CountyCode, "", "", true)
	if !slices.Contains(BatchKinds, b.Kind) {
		p.Add("kind", "请选择受益类型")
	}
	p.Text("label", "批次", &b.Label, 50, false)
	if b.Count <= 0 {
		p.Add("count", "人数须大于0")
	}
	checkCount(p, "count", "人数", b.Count)
	p.Text("count_unit", "计量单位", &b.CountUnit, 10, true)
	p.Text("note", "备注", &b.Note, 1000, false)
	return p.Err()
}

// Rectification is a 问题整改 item: a problem an inspection or the
// assessment found, the unit that owns its fix, and its due date.
type Rectification struct {
	ID         int64  `json:"id"`
	Year       int    `json:"year"`
	Title      string `json:"title"`
	Source     string `json:"source,omitempty"` // 2019年成效考核反馈, 督查检查…
	Measure    string `json:"measure,omitempty"`
	OwnerID    int64  `json:"owner_id"`
	OwnerName  string `json:"owner_name,omitempty"`
	CountyCode string `json:"county_code,omitempty"`
	CountyName string `json:"county_name,omitempty"`
	DueOn      string `json:"due_on"`
	DoneOn     string `json:"done_on,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Validate checks the fields that need no database.
func (r *Rectification) Validate() error {
	p := xiezuo.Problems{}
	p.Text("title", "问题", &r.Title, 200, true)
	p.Text("source", "问题来源", &r.Source, 100, false)
	p.Text("measure", "整改措施", &r.Measure, 2000, false)
	p.Text("note", "备注", &r.Note, 1000, false)
	if r.OwnerID <= 0 {
		p.Add("owner", "请填写责任单位")
	}
	if !xiezuo.ValidDate(r.DueOn) {
		p.Add("due_on", "整改期限"+xiezuo.DateProblem(r.DueOn))
	} else if r.Year == 0 {
		r.Year, _ = strconv.Atoi(r.DueOn[:4])
	}
	if r.Year < 1996 || r.Year > 2100 {
		p.Add("year", "年度应在1996至2100之间")
	}
	if r.DoneOn != "" && !xiezuo.ValidDate(r.DoneOn) {
		p.Add("done_on", "完成日期"+xiezuo.DateProblem(r.DoneOn))
	}
	if r.CountyCode != "" {
		checkPlace(p, r.CountyCode, "", "", false)
	}
	return p.Err()
}

// Overdue reports whether the item is open past its due date on today.
func (r *Rectification) Overdue(today string) bool { return r.DoneOn == "" && r.DueOn < today }
