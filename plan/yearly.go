package plan

import (
	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Item is one line of a county's yearly plan (计划 2021 年项目): a planned
// project or pledge with its targets, entered by the office or made by a
// confirmed match. Its actual figures come from the record it is linked
// to: a pledge's contribution once approved and 到位 (amount, 1), a
// project once approved (its budget) and completed (1).
type Item struct {
	ID             int64  `json:"id"`
	Year           int    `json:"year"`
	CountyCode     string `json:"county_code"`
	CountyName     string `json:"county_name,omitempty"`
	TownshipCode   string `json:"township_code,omitempty"`
	TownshipName   string `json:"township_name,omitempty"`
	Kind           string `json:"kind"` // OutcomePledge or OutcomeProject
	Title          string `json:"title"`
	Category       string `json:"category"`
	UnitID         int64  `json:"unit_id,omitempty"` // the eastern unit responsible
	UnitName       string `json:"unit_name,omitempty"`
	TargetFen      int64  `json:"target_fen"`
	TargetCount    int64  `json:"target_count"`
	MatchID        int64  `json:"match_id,omitempty"`
	NeedID         int64  `json:"need_id,omitempty"`
	ContributionID int64  `json:"contribution_id,omitempty"`
	ProjectID      int64  `json:"project_id,omitempty"`
	Note           string `json:"note,omitempty"`
	ActualFen      int64  `json:"actual_fen"`
	ActualCount    int64  `json:"actual_count"`
}

// ItemKinds are the kinds of plan items.
var ItemKinds = []ledger.Choice{{Code: OutcomeProject, Label: "项目"}, {Code: OutcomePledge, Label: "认捐"}}

// Validate checks the fields that need no database; today bounds the
// year (this year to ledger.PlanYears ahead, or any earlier year back to
// ledger.FirstYear).
func (it *Item) Validate(today string) error {
	p := xiezuo.Problems{}
	last := ledger.LastYear(today) - 1 + ledger.PlanYears
	if it.Year < ledger.FirstYear || it.Year > last {
		p.Add("year", ledger.YearsMessage("计划年度", last))
	}
	ledger.CheckPlace(p, it.CountyCode, it.TownshipCode, "", true)
	if !ledger.ValidChoice(ItemKinds, it.Kind) {
		p.Add("kind", "请选择项目或认捐")
	}
	p.Text("title", "计划内容", &it.Title, 200, true)
	if !ledger.ValidChoice(Categories, it.Category) {
		p.Add("category", "请选择类别")
	}
	checkAmount(p, "target", "计划金额", it.TargetFen)
	if it.TargetCount < 0 || it.TargetCount > 100_000 {
		p.Add("target_count", "计划个数应在0至100000之间")
	}
	if it.TargetFen == 0 && it.TargetCount == 0 {
		p.Add("target", "请填写计划金额或个数")
	}
	if it.ContributionID < 0 || it.ProjectID < 0 {
		p.Add("link", "关联记录编号无效")
	}
	if it.ContributionID != 0 && it.ProjectID != 0 {
		p.Add("link", "只能关联一笔帮扶投入或一个项目")
	}
	p.Text("note", "备注", &it.Note, 1000, false)
	return p.Err()
}

// Totals sums a plan's items: planned and actual amounts and counts.
type Totals struct {
	TargetFen, ActualFen     int64
	TargetCount, ActualCount int64
}

// Sum adds up items.
func Sum(items []Item) Totals {
	var t Totals
	for _, it := range items {
		t.TargetFen += it.TargetFen
		t.ActualFen += it.ActualFen
		t.TargetCount += it.TargetCount
		t.ActualCount += it.ActualCount
	}
	return t
}
