// Package plan holds needs ↔ resources, their matches and the yearly plan
// (issue 13, item 4): a county or township posts a need (what, where, how
// much, by when, who asked); the office moderates it (reasonableness,
// duplicates: the national platform's 2019 failure was unmoderated absurd
// needs); an eastern unit posts a resource it can offer; xiezuo proposes
// matches (Fit) that both sides accept; an accepted match becomes a pledge
// (认捐, a ledger contribution) or a project, and an item of the county's
// yearly plan (计划 2021 年项目) whose planned and actual figures the plan
// page shows and the scorecard's “有计划” reads. The store implements the
// services; this package has no I/O.
package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Categories of needs and resources (the list), with the ledger
// sector (领域) a pledge or project made of them is counted in.
var Categories = []ledger.Choice{
	{Code: "education", Label: "教育助学"}, {Code: "medical", Label: "医疗救助"}, {Code: "industry", Label: "产业发展"},
	{Code: "employment", Label: "就业"}, {Code: "infrastructure", Label: "基础设施"}, {Code: "necessities", Label: "生活必需品"},
	{Code: "other", Label: "其他"},
}

// CategoryLabel is a category's Chinese name.
func CategoryLabel(code string) string { return ledger.LabelOf(Categories, code) }

// Sector is the ledger sector (ledger.Sectors) of a category.
func Sector(category string) string {
	switch category {
	case "education", "industry", "employment", "infrastructure":
		return category
	case "medical":
		return "health"
	case "necessities":
		return "livelihood"
	}
	return "other"
}

// NeedStatus is where a need is: 待审核 → 已发布 (the office approves) or
// 已退回 (returned with a reason; the county may fix and post again) →
// 已匹配 (a match was confirmed) → 已满足 (its pledge was delivered and
// the county confirmed receipt, or the office says so) or 已关闭.
type NeedStatus string

const (
	NeedPending   NeedStatus = "pending"
	NeedPublished NeedStatus = "published"
	NeedReturned  NeedStatus = "returned"
	NeedMatched   NeedStatus = "matched"
	NeedMet       NeedStatus = "met"
	NeedClosed    NeedStatus = "closed"
)

// NeedStatuses in display order.
var NeedStatuses = []NeedStatus{NeedPending, NeedPublished, NeedReturned, NeedMatched, NeedMet, NeedClosed}

// Label is the status in Chinese.
func (s NeedStatus) Label() string {
	switch s {
	case NeedPending:
		return "待审核"
	case NeedPublished:
		return "已发布"
	case NeedReturned:
		return "已退回"
	case NeedMatched:
		return "已匹配"
	case NeedMet:
		return "已满足"
	case NeedClosed:
		return "已关闭"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s NeedStatus) Valid() bool { return slices.Contains(NeedStatuses, s) }

// Public reports whether a need of status s is published: every signed-in
// user of the ledger sees it and it can be matched (published) or shows
// what became of it.
func (s NeedStatus) Public() bool {
	return s == NeedPublished || s == NeedMatched || s == NeedMet || s == NeedClosed
}

// Need is what a county or township asks for: 20 台 电脑 for a village
// school of 绿春县, by a date, with an estimate in fen.
type Need struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"` // the posting county office
	OrgName      string     `json:"org_name,omitempty"`
	CountyCode   string     `json:"county_code"`
	CountyName   string     `json:"county_name,omitempty"`
	TownshipCode string     `json:"township_code,omitempty"`
	TownshipName string     `json:"township_name,omitempty"`
	VillageCode  string     `json:"village_code,omitempty"`
	VillageName  string     `json:"village_name,omitempty"`
	Institution  string     `json:"institution,omitempty"` // 受援机构: the school, clinic
	Category     string     `json:"category"`
	Item         string     `json:"item"`
	Quantity     int64      `json:"quantity,omitempty"`
	Unit         string     `json:"quantity_unit,omitempty"`
	AmountFen    int64      `json:"amount_fen"`
	AskedOn      string     `json:"asked_on"`  // 提出日期
	NeededBy     string     `json:"needed_by"` // 需要在此日期前
	Contact      string     `json:"contact"`   // 提出人
	Note         string     `json:"note,omitempty"`
	Status       NeedStatus `json:"status"`
	ReturnReason string     `json:"return_reason,omitempty"`
	CreatedBy    int64      `json:"created_by,omitempty"`
	CreatedAt    string     `json:"created_at,omitempty"`
	// Flags are the moderation's warnings (Flags), filled by the store
	// for the office.
	Flags []Flag `json:"flags,omitempty"`
}

// Year is the plan year a need belongs to: that of its date needed by.
func (n *Need) Year() int { y, _ := strconv.Atoi(n.NeededBy[:min(4, len(n.NeededBy))]); return y }

// Validate checks the fields that need no database; today (YYYY-MM-DD in
// China) bounds the dates: asked on no later than today, needed by no
// later than ledger.PlanYears ahead and not before the asking.
func (n *Need) Validate(today string) error {
	p := xiezuo.Problems{}
	if n.TownshipCode == "" && len(n.VillageCode) == 12 {
		n.TownshipCode = n.VillageCode[:9] + "000"
	}
	ledger.CheckPlace(p, n.CountyCode, n.TownshipCode, n.VillageCode, true)
	p.Text("institution", "受援机构", &n.Institution, 100, false)
	if !ledger.ValidChoice(Categories, n.Category) {
		p.Add("category", "请选择需求类别")
	}
	p.Text("item", "需求内容", &n.Item, 200, true)
	checkQuantity(p, n.Quantity, &n.Unit)
	checkAmount(p, "amount", "估算金额", n.AmountFen)
	if n.AmountFen == 0 && n.Quantity == 0 {
		p.Add("quantity", "数量为0：请填写数量（及计量单位）或估算金额，至少一项")
		p.Add("amount", "估算金额为0：请填写估算金额或数量，至少一项")
	}
	thisYear, _ := strconv.Atoi(today[:4])
	if requiredDate(p, "asked_on", "提出日期", n.AskedOn, thisYear) && n.AskedOn > today {
		p.Add("asked_on", "提出日期不能晚于今天")
	}
	if requiredDate(p, "needed_by", "需要日期", n.NeededBy, thisYear+ledger.PlanYears) && xiezuo.ValidDate(n.AskedOn) && n.NeededBy < n.AskedOn {
		p.Add("needed_by", "需要日期不能早于提出日期")
	}
	p.Text("contact", "提出人", &n.Contact, 50, true)
	p.Text("note", "备注", &n.Note, 1000, false)
	return p.Err()
}

// requiredDate is ledger.CheckDate for a required date: an empty one is
// asked for (请填写需要日期), not called no date.
func requiredDate(p xiezuo.Problems, field, label, v string, lastYear int) bool {
	if strings.TrimSpace(v) == "" {
		p.Add(field, "请填写"+label)
		return false
	}
	return ledger.CheckDate(p, field, label, v, lastYear)
}

func checkQuantity(p xiezuo.Problems, q int64, unit *string) {
	if q < 0 {
		p.Add("quantity", "数量不能为负数")
	} else if q > 100_000_000 {
		p.Add("quantity", "数量数值过大，请核对")
	}
	p.Text("quantity_unit", "计量单位", unit, 10, q > 0)
}

func checkAmount(p xiezuo.Problems, field, label string, fen int64) {
	if fen < 0 {
		p.Add(field, label+"不能为负数")
	} else if fen > xiezuo.MaxFen {
		p.Add(field, label+"超过100亿元，请核对单位是否为元")
	}
}

// Resource forms: what an eastern unit offers is money or goods (valued
// in money), the ledger's 资金 and 物资 (ledger.Forms).
var ResourceForms = []ledger.Choice{{Code: "in_kind", Label: "物资"}, {Code: "cash", Label: "资金"}}

// Resource is what an eastern unit can offer: 30 台 电脑 worth 15 万元 for
// any county it is paired with, until a date.
type Resource struct {
	ID             int64    `json:"id"`
	OrgID          int64    `json:"org_id"`
	OrgName        string   `json:"org_name,omitempty"`
	Category       string   `json:"category"`
	Form           string   `json:"form"`
	Item           string   `json:"item"`
	Quantity       int64    `json:"quantity,omitempty"`
	Unit           string   `json:"quantity_unit,omitempty"`
	AmountFen      int64    `json:"amount_fen"`
	Counties       []string `json:"counties,omitempty"` // none: any county
	CountyNames    []string `json:"county_names,omitempty"`
	AvailableFrom  string   `json:"available_from"`
	AvailableUntil string   `json:"available_until"`
	Contact        string   `json:"contact"`
	Note           string   `json:"note,omitempty"`
	Closed         bool     `json:"closed,omitempty"` // withdrawn by its unit: no longer matched
	// UsedQuantity (in Unit) and UsedFen are what confirmed matches took
	// (their pledges' quantity and amount, their projects' budget), filled
	// by the store.
	UsedQuantity int64  `json:"used_quantity,omitempty"`
	UsedFen      int64  `json:"used_fen,omitempty"`
	CreatedBy    int64  `json:"created_by,omitempty"`
	CreatedAt    string `json:"created_at,omitempty"`
}

// Validate checks the fields that need no database; today bounds the
// dates as for a need.
func (r *Resource) Validate(today string) error {
	p := xiezuo.Problems{}
	if r.OrgID <= 0 {
		p.Add("org_id", "请选择提供资源的单位")
	}
	if !ledger.ValidChoice(Categories, r.Category) {
		p.Add("category", "请选择资源类别")
	}
	if !ledger.ValidChoice(ResourceForms, r.Form) {
		p.Add("form", "请选择形式（物资/资金）")
	}
	p.Text("item", "资源内容", &r.Item, 200, true)
	checkQuantity(p, r.Quantity, &r.Unit)
	checkAmount(p, "amount", "金额", r.AmountFen)
	if r.Form == "cash" && r.AmountFen == 0 {
		p.Add("amount", "资金须填写金额")
	} else if r.AmountFen == 0 && r.Quantity == 0 {
		p.Add("quantity", "请填写数量或金额")
	}
	seen := map[string]bool{}
	for _, c := range r.Counties {
		if seen[c] {
			p.Add("counties", "可服务的县重复")
		}
		seen[c] = true
		ledger.CheckPlace(p, c, "", "", true)
	}
	if fp := p["county_code"]; fp != "" {
		delete(p, "county_code")
		p.Add("counties", fp)
	}
	thisYear, _ := strconv.Atoi(today[:4])
	requiredDate(p, "available_from", "可提供起始日期", r.AvailableFrom, thisYear+1)
	if requiredDate(p, "available_until", "可提供截止日期", r.AvailableUntil, thisYear+ledger.PlanYears) && xiezuo.ValidDate(r.AvailableFrom) && r.AvailableUntil < r.AvailableFrom {
		p.Add("available_until", "可提供截止日期不能早于起始日期")
	}
	p.Text("contact", "联系人", &r.Contact, 50, true)
	p.Text("note", "备注", &r.Note, 1000, false)
	return p.Err()
}

// Left is what r still offers: its quantity and amount less what
// confirmed matches took, never below zero.
func (r *Resource) Left() (qty, fen int64) { return r.LeftQuantity(), r.LeftFen() }

// LeftQuantity is the quantity r still offers (Left).
func (r *Resource) LeftQuantity() int64 { return max(0, r.Quantity-r.UsedQuantity) }

// LeftFen is the amount r still offers (Left).
func (r *Resource) LeftFen() int64 { return max(0, r.AmountFen-r.UsedFen) }

// UsedUp reports whether confirmed matches took all of r: its whole
// quantity when it has one, else its whole amount.
func (r *Resource) UsedUp() bool {
	if r.Quantity > 0 {
		return r.UsedQuantity >= r.Quantity
	}
	return r.AmountFen > 0 && r.UsedFen >= r.AmountFen
}

// Serves reports whether r offers to county: it lists the county, or
// lists none (any county).
func (r *Resource) Serves(county string) bool {
	return len(r.Counties) == 0 || slices.Contains(r.Counties, county)
}
