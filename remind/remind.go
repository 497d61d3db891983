// Package remind says what waits for a user (待办): the kinds of reminder,
// their Chinese lines, the daily digest's text, HTML and webhook message,
// and the outbox's retry policy. It does no I/O: store computes the counts
// from existing records (store/remind.go, one list of sources) and
// package notify delivers what the outbox holds.
package remind

import (
	"fmt"
	"time"

	"github.com/xiezuo/xiezuo"
)

// Kind is one sort of thing waiting.
type Kind string

const (
	KindDraft         Kind = "draft"         // 草稿待提交 (the unit's own)
	KindReturned      Kind = "returned"      // 退回待修改 (the unit's own)
	KindReview        Kind = "review"        // 提交待审核 (the office)
	KindReceipt       Kind = "receipt"       // 到位帮扶待确认收到 (county users; the office sees all)
	KindProject       Kind = "project"       // 项目 14 天内到期或已逾期
	KindRectification Kind = "rectification" // 问题整改 14 天内到期或已逾期
	KindMonthly       Kind = "monthly"       // 上月工作情况须在本月 5 日前报送
	KindNeedReview    Kind = "need-review"   // 需求待审核 (the office)
	KindNeed          Kind = "need"          // 需求发布 NeedWait 天仍无人认领 (the office, the county)
)

// NeedWait is how many days a published need may wait for an answer
// (a match), counted from its publication, before it is a reminder.
const NeedWait = 30

// Kinds lists the kinds in display order (the office's per-unit columns).
var Kinds = []Kind{KindDraft, KindReturned, KindReview, KindReceipt, KindProject, KindRectification, KindMonthly, KindNeedReview, KindNeed}

// Label is the kind's short Chinese name (a column header).
func (k Kind) Label() string {
	switch k {
	case KindDraft:
		return "草稿"
	case KindReturned:
		return "已退回"
	case KindReview:
		return "待审核"
	case KindReceipt:
		return "待确认收到"
	case KindProject:
		return "项目到期"
	case KindRectification:
		return "问题整改"
	case KindMonthly:
		return "月度报送"
	case KindNeedReview:
		return "需求待审核"
	case KindNeed:
		return "需求待认领"
	}
	return string(k)
}

// DueWindow is how many days before its deadline a project or a 问题整改
// item starts to remind.
const DueWindow = 14

// ReportDay is the day of the month by which the previous month's records
// are due (report.DeadlineDay: the compliance page's rule).
const ReportDay = 5

// Item is one line of a user's 待办: Count things of Kind, Overdue of
// them past their date, the earliest date (DueOn) where the kind has one,
// and the list that shows them (Link, a path of this site).
type Item struct {
	Kind    Kind   `json:"kind"`
	Count   int    `json:"count"`
	Overdue int    `json:"overdue,omitempty"`
	DueOn   string `json:"due_on,omitempty"`
	Link    string `json:"link"`
	// Month is the month reported (YYYY-MM) for KindMonthly; Units says
	// the count is of units (the office's line) rather than records.
	Month string `json:"month,omitempty"`
	Units bool   `json:"units,omitempty"`
	Text  string `json:"text"`
}

// Line is the item's Chinese line, as the home page and the digest show it.
func (it Item) Line() string {
	n, od := it.Count, it.Overdue
	switch it.Kind {
	case KindDraft:
		return fmt.Sprintf("%d 条草稿待提交", n)
	case KindReturned:
		return fmt.Sprintf("%d 条退回的记录待修改后重新提交", n)
	case KindReview:
		return fmt.Sprintf("%d 条提交待审核", n)
	case KindReceipt:
		return fmt.Sprintf("%d 笔已到位的帮扶待确认收到", n)
	case KindProject:
		return dueLine(n, od, "个项目", "完成时限")
	case KindRectification:
		return dueLine(n, od, "项问题整改", "整改期限")
	case KindNeedReview:
		return fmt.Sprintf("%d 条受援地需求待审核", n)
	case KindNeed:
		return fmt.Sprintf("%d 条需求发布超过 %d 天仍无人认领", n, NeedWait)
	case KindMonthly:
		m := monthCN(it.Month)
		if it.Units {
			return fmt.Sprintf("%d 个单位尚未报送%s工作情况", n, m)
		}
		return m + "工作情况尚未报送"
	}
	return fmt.Sprintf("%d 项%s", n, it.Kind.Label())
}

func dueLine(n, overdue int, what, date string) string {
	switch {
	case overdue == n:
		return fmt.Sprintf("%d %s已超过%s", n, what, date)
	case overdue > 0:
		return fmt.Sprintf("%d %s%d 天内到期或已逾期（其中 %d 已逾期）", n, what, DueWindow, overdue)
	}
	return fmt.Sprintf("%d %s%d 天内到期", n, what, DueWindow)
}

// monthCN shows 2020-09 as 2020年9月.
func monthCN(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
}

// MonthDue is the month whose report is due in the month of today
// (YYYY-MM-DD): the previous month (YYYY-MM), its first and last day, and
// the day it is due (ReportDay of today's month).
func MonthDue(today string) (month, first, last, due string) {
	t, err := time.Parse(xiezuo.DateLayout, today)
	if err != nil {
		return "", "", "", ""
	}
	thisMonth := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	prev := thisMonth.AddDate(0, -1, 0)
	return prev.Format("2006-01"), prev.Format(xiezuo.DateLayout), thisMonth.AddDate(0, 0, -1).Format(xiezuo.DateLayout),
		thisMonth.AddDate(0, 0, ReportDay-1).Format(xiezuo.DateLayout)
}

// AddDays is the civil date n days after day (YYYY-MM-DD).
func AddDays(day string, n int) string {
	t, err := time.Parse(xiezuo.DateLayout, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(xiezuo.DateLayout)
}

// UnitRow is one unit's counts in the office's breakdown.
type UnitRow struct {
	UnitID   int64        `json:"unit_id"`
	UnitName string       `json:"unit_name"`
	Counts   map[Kind]int `json:"counts"`
}

// Total is the sum of the row's counts.
func (r UnitRow) Total() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// Summary is what waits for one user on Today: the items (in Kinds order,
// counts above zero only) and, for the office, the per-unit breakdown.
type Summary struct {
	Today   string    `json:"today"`
	Items   []Item    `json:"items"`
	Units   []UnitRow `json:"units,omitempty"`
	Office  bool      `json:"office,omitempty"`
	Columns []Kind    `json:"-"` // the kinds the breakdown shows
}

// Empty reports whether nothing waits.
func (s *Summary) Empty() bool { return s == nil || len(s.Items) == 0 }

// Reminded reports whether users of role r have a 待办: the office, units
// and counties. The market's roles work in the market (orders have their
// own lists there); viewers and 监管 only read.
func Reminded(r xiezuo.Role) bool {
	switch r {
	case xiezuo.RoleAdmin, xiezuo.RoleReviewer, xiezuo.RoleUnit, xiezuo.RoleCounty:
		return true
	}
	return false
}
