package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// RecordFilter selects records of the kinds other than contributions.
type RecordFilter struct {
	CountyCode string
	Status     ledger.Status
	UnitID     int64
	From, To   string   // on the record's main date
	Section    string   // activities only
	ActivityID int64    // records made on this activity (agreements, labour, batches)
	Kinds      []string // activities only: any of these kinds
	State      string   // projects only: work_state, or "open" for any but completed
	Query      string   // keyword (?q=) in the kind's searchable fields (see searchCols)
	// OneTrip (activities only) leaves out a report linked as the same trip
	// to another approved activity, so a trip two units report counts once.
	OneTrip bool
	// Sort names a column of the list (see sortable) and Dir asc or desc;
	// other values give the list's default order.
	Sort, Dir string
	Limit     int
	Offset    int
}

func (f *RecordFilter) where(d *DB, u *xiezuo.User, kind ledger.Kind, dateCol string, hasCounty bool) *where {
	w := &where{}
	visible(w, u)
	d.searchFilter(w, kind, f.Query)
	if f.Status != "" {
		w.add("x.status = ?", string(f.Status))
	}
	if f.CountyCode != "" && hasCounty {
		w.add("x.county_code = ?", f.CountyCode)
	}
	if f.UnitID != 0 {
		w.add("x.unit_id = ?", f.UnitID)
	}
	if f.ActivityID != 0 {
		w.add("x.activity_id = ?", f.ActivityID)
	}
	if f.State == "open" { // projects not completed (the reminders' link)
		w.add("x.work_state <> 'completed'")
	} else if f.State != "" {
		w.add("x.work_state = ?", f.State)
	}
	if len(f.Kinds) > 0 {
		w.in("x.kind", f.Kinds)
	}
	if f.OneTrip {
		w.add(`(x.same_as_id IS NULL OR NOT EXISTS (SELECT 1 FROM activities s WHERE s.id = x.same_as_id AND s.status = 'approved'
			AND (s.same_as_id IS NULL OR s.same_as_id <> x.id OR s.id < x.id)))`)
	}
	if f.From != "" {
		w.add("x."+dateCol+" >= ?", f.From)
	}
	if f.To != "" {
		w.add("x."+dateCol+" <= ?", f.To)
	}
	return w
}

// DefaultLimit and MaxLimit bound a page of records (RecordFilter.Limit):
// a limit that is not set or out of range is DefaultLimit. The OpenAPI file
// (web/static/openapi.yaml) states the same.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// page is the ORDER BY (the list's sort, see sort.go), LIMIT and OFFSET of
// one page: the one place a record list's default limit is applied,
// whether f was passed by value or by pointer.
func (f RecordFilter) page(kind ledger.Kind) string {
	limit := f.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	return orderBy(kind, f.Sort, f.Dir) + fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
}

var activityCols = []string{"kind", "title", "date_from", "date_to", "section", "county_code", "places", "leader",
	"participants_text", "headcount", "narrative", "same_as_id"}

// SaveActivity creates (ID 0) or updates an activity with its participating
// units. Callers: the owner unit's users and the office. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveActivity(ctx context.Context, u *xiezuo.User, a *ledger.Activity) error {
	if err := a.Validate(d.Today()); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindActivity, h: &a.Header, cols: activityCols,
		args: []any{a.Kind, a.Title, a.DateFrom, a.DateTo, a.Section, nullStr(a.CountyCode), a.Places, a.Leader,
			a.ParticipantsText, a.Headcount, a.Narrative, nullID(a.SameAsID)},
		check: func(tx *sql.Tx, p xiezuo.Problems) error {
			if err := checkRegions(ctx, tx, p, map[string]string{"county_code": a.CountyCode}); err != nil {
				return err
			}
			return d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindActivity: a.SameAsID})
		},
		orgs: orgRefs("participants", "参加单位", a.Participants), clear: `activity_participants WHERE activity_id = $1`,
		children: func(tx *sql.Tx, id int64) error {
			seen := map[int64]bool{}
			for _, o := range a.Participants {
				if seen[o.ID] {
					continue
				}
				seen[o.ID] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO activity_participants (activity_id, org_id) VALUES ($1, $2)`, id, o.ID); err != nil {
					return err
				}
			}
			return nil
		},
		load: func(q queryer, id int64) (any, error) { return d.getActivity(ctx, q, id) },
	})
}

const activitySelect = `SELECT ` + headerCols + `, x.kind, x.title, x.date_from, x.date_to, x.section, COALESCE(x.county_code, ''), COALESCE(rc.name, ''),
	x.places, x.leader, x.participants_text, x.headcount, x.narrative, COALESCE(x.same_as_id, 0)
	FROM activities x JOIN organisations un ON un.id = x.unit_id JOIN users cu ON cu.id = x.created_by
	LEFT JOIN regions rc ON rc.code = x.county_code`

func scanActivity(s interface{ Scan(...any) error }) (*ledger.Activity, error) {
	var a ledger.Activity
	err := s.Scan(append(headerDest(&a.Header), &a.Kind, &a.Title, &a.DateFrom, &a.DateTo, &a.Section, &a.CountyCode, &a.CountyName,
		&a.Places, &a.Leader, &a.ParticipantsText, &a.Headcount, &a.Narrative, &a.SameAsID)...)
	return &a, err
}

func (d *DB) getActivity(ctx context.Context, q queryer, id int64) (*ledger.Activity, error) {
	a, err := getOne(ctx, q, ledger.KindActivity, activitySelect, id, scanActivity)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name FROM activity_participants p JOIN organisations o ON o.id = p.org_id WHERE p.activity_id = $1 ORDER BY o.name`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o ledger.Org
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		a.Participants = append(a.Participants, o)
	}
	return a, rows.Err()
}

// Activity returns one activity. Callers: anyone who may see it. Errors: ENOTFOUND.
func (d *DB) Activity(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Activity, error) {
	a, err := d.getActivity(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return viewable(u, ledger.KindActivity, a.Header, a, nil)
}

// ListActivities lists the activities f matches that u may see, newest
// first, with the total count. Callers: anyone signed in.
func (d *DB) ListActivities(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.Activity, int64, error) {
	w := f.where(d, u, ledger.KindActivity, "date_from", true)
	if f.Section != "" {
		w.add("x.section = ?", f.Section)
	}
	var n int64
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities x`+w.sql(), w.args...).Scan(&n); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	rows, err := d.db.QueryContext(ctx, activitySelect+w.sql()+f.page(ledger.KindActivity), w.args...)
	if err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []*ledger.Activity
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, 0, xiezuo.Internal(err)
		}
		out = append(out, a)
	}
	return out, n, rows.Err()
}

// SameTrip lists other activities that may report the same trip: same
// county, overlapping dates. The office uses it to link duplicate reports.
func (d *DB) SameTrip(ctx context.Context, u *xiezuo.User, a *ledger.Activity) ([]*ledger.Activity, error) {
	if a.CountyCode == "" {
		return nil, nil
	}
	w := &where{}
	visible(w, u)
	w.add("x.county_code = ? AND x.id <> ? AND x.date_from <= ? AND x.date_to >= ?", a.CountyCode, a.ID, a.DateTo, a.DateFrom)
	rows, err := d.db.QueryContext(ctx, activitySelect+w.sql()+` ORDER BY x.date_from LIMIT 20`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []*ledger.Activity
	for rows.Next() {
		x, err := scanActivity(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
