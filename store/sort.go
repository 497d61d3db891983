package store

import (
	"strings"

	"github.com/xiezuo/xiezuo/ledger"
)

// sortable lists, per list, the columns ?sort= may name (anything else
// gives the list's default order). Each order ends with the id in the
// same direction, so pages do not overlap. The defaults (newest first;
// projects by deadline) are the ones the list indexes serve.
var sortable = map[ledger.Kind]map[string]string{
	ledger.KindContribution: {"date": "x.date_from", "county": "x.county_code", "form": "x.form", "sector": "x.sector",
		"amount": "x.amount_fen", "delivery": "x.delivery", "status": "x.status"},
	ledger.KindActivity: {"date": "x.date_from", "title": "x.title", "kind": "x.kind", "unit": "un.name", "county": "x.county_code",
		"section": "x.section", "status": "x.status"},
	ledger.KindAgreement: {"date": "x.signed_on", "title": "x.title", "unit": "un.name", "amount": "x.pledged_fen", "status": "x.status"},
	ledger.KindProject: {"title": "x.title", "county": "x.county_code", "sector": "x.sector", "funding": "x.funding_source",
		"budget": "x.budget_fen", "deadline": "x.deadline", "progress": "x.progress", "state": "x.work_state", "status": "x.status"},
	ledger.KindLabour: {"date": "x.date_from", "status": "x.status"},
	ledger.KindBatch:  {"date": "x.date", "status": "x.status"},
}

// defaultSort is each list's order when ?sort= names none.
var defaultSort = map[ledger.Kind][2]string{
	ledger.KindContribution: {"date", "desc"},
	ledger.KindActivity:     {"date", "desc"},
	ledger.KindAgreement:    {"date", "desc"},
	ledger.KindProject:      {"deadline", "asc"},
	ledger.KindLabour:       {"date", "desc"},
	ledger.KindBatch:        {"date", "desc"},
}

// DefaultSort returns a list's default sort column and direction, for the
// header links.
func DefaultSort(kind ledger.Kind) (by, dir string) {
	d := defaultSort[kind]
	return d[0], d[1]
}

// orderBy is the ORDER BY clause for sorting kind's list by column by in
// direction dir (asc or desc).
func orderBy(kind ledger.Kind, by, dir string) string {
	col, ok := sortable[kind][by]
	if !ok {
		by, dir = DefaultSort(kind)
		col = sortable[kind][by]
	}
	if strings.ToLower(dir) == "desc" {
		return " ORDER BY " + col + " DESC, x.id DESC"
	}
	return " ORDER BY " + col + ", x.id"
}

// NewestFirst reports whether f lists contributions in the default order,
// newest first (date, then id, descending), the order keyset cursors
// (ledger.Cursor) follow.
func NewestFirst(f ledger.ContributionFilter) bool {
	if _, ok := sortable[ledger.KindContribution][f.Sort]; !ok {
		return true
	}
	by, dir := DefaultSort(ledger.KindContribution)
	return f.Sort == by && strings.EqualFold(f.Dir, dir)
}
