package plan

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// MatchStatus is where a match is: proposed (待确认, one side or neither
// has accepted), declined (已谢绝, by either side: no longer proposed) or
// confirmed (已确认: both sides accepted, or the office confirmed for
// both, and its pledge or project exists).
type MatchStatus string

const (
	MatchProposed  MatchStatus = "proposed"
	MatchDeclined  MatchStatus = "declined"
	MatchConfirmed MatchStatus = "confirmed"
)

// Label is the status in Chinese.
func (s MatchStatus) Label() string {
	switch s {
	case MatchProposed:
		return "待确认"
	case MatchDeclined:
		return "已谢绝"
	case MatchConfirmed:
		return "已确认"
	}
	return string(s)
}

// Outcomes: what a confirmed match becomes.
const (
	OutcomePledge  = "pledge"  // a 认捐 contribution in the ledger
	OutcomeProject = "project" // a project (draft of the giving unit)
)

// OutcomeLabel is an outcome's Chinese name.
func OutcomeLabel(o string) string {
	if o == OutcomeProject {
		return "项目"
	}
	return "认捐"
}

// Outcome says what a confirmed match of a need of category becomes:
// 基础设施 and 产业发展 are built or run over months, with a budget,
// milestones and a deadline, so they become a project; everything else
// (computers, treatment, school aid, necessities, training) is given, so
// it becomes a pledge (认捐) that turns 到位 when delivered.
func Outcome(category string) string {
	if category == "infrastructure" || category == "industry" {
		return OutcomeProject
	}
	return OutcomePledge
}

// Match is a need paired with a resource, with the two sides' answers.
type Match struct {
	ID              int64       `json:"id"`
	NeedID          int64       `json:"need_id"`
	ResourceID      int64       `json:"resource_id"`
	Score           int         `json:"score"`
	Reason          string      `json:"reason"`
	UnitAccepted    bool        `json:"unit_accepted"`
	CountyAccepted  bool        `json:"county_accepted"`
	Status          MatchStatus `json:"status"`
	DeclinedBy      string      `json:"declined_by,omitempty"` // 单位, 县 or 协作办
	DeclineReason   string      `json:"decline_reason,omitempty"`
	Outcome         string      `json:"outcome,omitempty"`
	ContributionID  int64       `json:"contribution_id,omitempty"`
	ProjectID       int64       `json:"project_id,omitempty"`
	ConfirmedOn     string      `json:"confirmed_on,omitempty"`
	DeliveredOn     string      `json:"delivered_on,omitempty"` // its pledge's 到位 date
	Need            *Need       `json:"need,omitempty"`
	Resource        *Resource   `json:"resource,omitempty"`
	PledgeReceived  bool        `json:"pledge_received,omitempty"` // the county confirmed receipt
	PledgeDelivered bool        `json:"pledge_delivered,omitempty"`
}

// Fit says whether resource r may serve need n and how well: its score
// (higher first) and a short Chinese reason. paired are the counties r's
// unit is paired with (any kind of pairing). The rules:
//   - n is published and r open; same category;
//   - r serves n's county (lists it, or lists none: any county);
//   - time windows overlap: r is available from..until, n from its asking
//     to its date needed by;
//   - goods (物资) must be what n asks for: their item texts share some
//     words (SharedWords); money (资金) may fund any need of its category;
//   - r has something left (Left: what confirmed matches have not yet
//     taken) and covers some of n: the same unit of quantity, or an amount.
//
// Score: 30 for a county r names, 30 for a county r's unit is paired with
// (区县结对 or 携手奔小康…), 40 when r covers n in full (quantity in the
// same unit, else amount), 15 when in part.
func Fit(n *Need, r *Resource, paired []string) (score int, reason string, ok bool) {
	if n.Status != NeedPublished || r.Closed || n.Category != r.Category || !r.Serves(n.CountyCode) {
		return 0, "", false
	}
	if r.AvailableFrom > n.NeededBy || r.AvailableUntil < n.AskedOn {
		return 0, "", false
	}
	if r.UsedUp() {
		return 0, "", false
	}
	var why []string
	why = append(why, "同属"+CategoryLabel(n.Category))
	if r.Form == "cash" {
		why = append(why, "资金可用于本类需求")
	} else {
		words := SharedWords(n.Item, r.Item)
		if len(words) == 0 {
			return 0, "", false // goods that are not what is asked for
		}
		why = append(why, "内容相符：“"+strings.Join(words, "”“")+"”")
	}
	if len(r.Counties) > 0 {
		score += 30
		why = append(why, "资源指明可服务"+n.CountyName)
	}
	if slices.Contains(paired, n.CountyCode) {
		score += 30
		why = append(why, r.OrgName+"与"+n.CountyName+"结对")
	}
	leftQty, leftFen := r.Left()
	left := "可提供"
	if r.UsedQuantity > 0 || r.UsedFen > 0 {
		left = "尚余"
	}
	switch {
	case n.Quantity > 0 && r.Quantity > 0 && n.Unit == r.Unit:
		if leftQty >= n.Quantity {
			score += 40
			why = append(why, fmt.Sprintf("数量足够（%s%d%s，需要%d%s）", left, leftQty, r.Unit, n.Quantity, n.Unit))
		} else {
			score += 15
			why = append(why, fmt.Sprintf("可满足部分数量（%s%d%s，需要%d%s）", left, leftQty, r.Unit, n.Quantity, n.Unit))
		}
	case n.AmountFen > 0 && r.AmountFen > 0:
		if leftFen >= n.AmountFen {
			score += 40
			why = append(why, fmt.Sprintf("金额足够（%s%s元，需要%s元）", left, xiezuo.FormatYuan(leftFen), xiezuo.FormatYuan(n.AmountFen)))
		} else {
			score += 15
			why = append(why, fmt.Sprintf("可满足部分金额（%s%s元，需要%s元）", left, xiezuo.FormatYuan(leftFen), xiezuo.FormatYuan(n.AmountFen)))
		}
	default:
		return 0, "", false // nothing to compare: neither the same unit nor amounts
	}
	why = append(why, "时间可衔接（需要在"+xiezuo.FormatDateCN(n.NeededBy)+"前，可提供至"+xiezuo.FormatDateCN(r.AvailableUntil)+"）")
	return score, strings.Join(why, "；"), true
}

// SharedWords are the runs of two or more letters (no digits: 20台 is
// not content) that item texts a and b have in common, longest first
// within a, in a's order: “村小学电脑” and “台式电脑” share “电脑”. The
// idea is Similarity's character pairs: none shared, nothing in common.
func SharedWords(a, b string) []string {
	ra, sb := []rune(squash(a)), squash(b)
	var out []string
	for i := 0; i < len(ra); {
		best := 0
		for l := 2; i+l <= len(ra); l++ {
			w := ra[i : i+l]
			if unicode.IsDigit(w[l-1]) || unicode.IsDigit(w[0]) || !strings.Contains(sb, string(w)) {
				break
			}
			best = l
		}
		if best == 0 {
			i++
			continue
		}
		if w := string(ra[i : i+best]); !slices.Contains(out, w) {
			out = append(out, w)
		}
		i += best
	}
	return out
}

// Covered is the part of n a confirmed match with r gives, out of what
// r has left (Left): the quantity (r's when it is smaller, in the same
// unit) and the amount: n's estimate for that quantity, at most r's
// amount; r's value of it when n gives no estimate.
func Covered(n *Need, r *Resource) (qty int64, unit string, fen int64) {
	leftQty, leftFen := r.Left()
	qty, unit = n.Quantity, n.Unit
	sameUnit := r.Quantity > 0 && r.Unit == n.Unit
	if sameUnit && leftQty < qty {
		qty = leftQty
	}
	fen = n.AmountFen
	if n.Quantity > 0 && qty < n.Quantity {
		fen = n.AmountFen * qty / n.Quantity
	}
	switch {
	case fen == 0 && sameUnit && qty > 0:
		fen = r.AmountFen * qty / r.Quantity
		if r.AmountFen > 0 && fen > leftFen {
			fen = leftFen
		}
	case fen == 0:
		fen = leftFen
	case r.AmountFen > 0 && leftFen < fen:
		fen = leftFen
	}
	return qty, unit, fen
}

// PledgeContribution is the 认捐 ledger line of a confirmed match (not
// yet stored): r's unit gives n's county (township, village, institution)
// what Covered says, in r's form, dated the day of confirmation, approved
// (both sides agreed and the office had published the need) and pledged
// until its unit records delivery.
func PledgeContribution(m *Match, n *Need, r *Resource, on string) *ledger.Contribution {
	qty, unit, fen := Covered(n, r)
	return &ledger.Contribution{
		Header:   ledger.Header{UnitID: r.OrgID, Status: ledger.StatusApproved},
		DateFrom: on, DateTo: on, Givers: []ledger.Org{{ID: r.OrgID, Name: r.OrgName}},
		CountyCode: n.CountyCode, TownshipCode: n.TownshipCode, VillageCode: n.VillageCode, Institution: n.Institution,
		Form: r.Form, Sector: Sector(n.Category), Delivery: "pledged", AmountFen: fen, Quantity: qty, QuantityUnit: unit, Item: n.Item,
		Note: fmt.Sprintf("需求（编号%d）与资源（编号%d）匹配（编号%d）生成的认捐；提出人：%s", n.ID, r.ID, m.ID, n.Contact),
	}
}

// MatchProject is the project of a confirmed match (not yet stored): a
// draft of r's unit in n's place, funded by 社会帮扶资金 with n's estimate
// covered, due when n is needed; the unit completes and submits it.
func MatchProject(m *Match, n *Need, r *Resource) *ledger.Project {
	_, _, fen := Covered(n, r)
	title := []rune(n.Item)
	if len(title) > 100 {
		title = title[:100]
	}
	return &ledger.Project{
		Header: ledger.Header{UnitID: r.OrgID}, Title: string(title),
		CountyCode: n.CountyCode, TownshipCode: n.TownshipCode, VillageCode: n.VillageCode,
		Sector: Sector(n.Category), FundingSource: "社会帮扶资金", BudgetFen: fen, Deadline: n.NeededBy, WorkState: "planned",
		Note: fmt.Sprintf("需求（编号%d）与资源（编号%d）匹配（编号%d）生成", n.ID, r.ID, m.ID),
	}
}
