package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// tables maps each reviewed record kind to its table.
var tables = map[ledger.Kind]string{
	ledger.KindActivity:     "activities",
	ledger.KindContribution: "contributions",
	ledger.KindAgreement:    "agreements",
	ledger.KindProject:      "projects",
	ledger.KindLabour:       "labour_records",
	ledger.KindBatch:        "batches",
}

const headerCols = `x.id, x.unit_id, un.name, x.status, x.return_reason, x.created_by, COALESCE(NULLIF(cu.display_name, ''), cu.username), x.created_at, x.updated_at`

func headerFrom(table string) string {
	return ` FROM ` + table + ` x JOIN organisations un ON un.id = x.unit_id JOIN users cu ON cu.id = x.created_by`
}

func headerDest(h *ledger.Header) []any {
	return []any{&h.ID, &h.UnitID, &h.UnitName, &h.Status, &h.ReturnReason, &h.CreatedBy, &h.CreatedByName, &h.CreatedAt, &h.UpdatedAt}
}

func (d *DB) header(ctx context.Context, q queryer, kind ledger.Kind, id int64) (ledger.Header, error) {
	var h ledger.Header
	err := q.QueryRowContext(ctx, `SELECT `+headerCols+headerFrom(tables[kind])+` WHERE x.id = $1`, id).Scan(headerDest(&h)...)
	if err == sql.ErrNoRows {
		return h, notFound(kind, id)
	}
	return h, err
}

func notFound(kind ledger.Kind, id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "%s（编号%d）不存在", kind.Label(), id)
}

// visibleHeader reads a record's header; a record u may not see is reported
// as not found, so its existence is not disclosed.
func (d *DB) visibleHeader(ctx context.Context, q queryer, u *xiezuo.User, kind ledger.Kind, id int64) (ledger.Header, error) {
	h, err := d.header(ctx, q, kind, id)
	if err == nil && !ledger.CanView(u, h) {
		err = notFound(kind, id)
	}
	return h, err
}

// visible restricts a query on alias x to the records u may see (see
// ledger.CanView).
func visible(w *where, u *xiezuo.User) {
	switch {
	case u == nil:
		w.add("1 = 0")
	case u.IsOffice():
	case u.Role == xiezuo.RoleUnit || u.Role == xiezuo.RoleCounty:
		// The unary + keeps the planner from a union of two index scans
		// (SQLite's OR optimisation), so one covering index serves the list.
		w.add("(x.status = 'approved' OR +x.unit_id = ?)", u.OrgID)
	default:
		w.add("x.status = 'approved'")
	}
}

// saveSpec describes one create or update of a ledger record.
type saveSpec struct {
	kind   ledger.Kind
	h      *ledger.Header
	cols   []string
	args   []any
	county string // the record's county, checked against a county user's
	// check adds problems found in the database (unknown codes, orgs…).
	check func(tx *sql.Tx, p xiezuo.Problems) error
	// orgs are the record's other organisations (givers, participants…),
	// checked in the one statement that checks its unit.
	orgs []orgRef
	// clear deletes the record's child rows ($1: its id) on an update,
	// before children writes them again; a new record has none.
	clear string
	// children writes the record's child rows (givers, participants…).
	children func(tx *sql.Tx, id int64) error
	// load reads the record back for the audit log.
	load func(q queryer, id int64) (any, error)
}

// searchText is the text being saved of the record's searchable fields
// (searchCols, in their order): s.cols carry every searchable field of
// the kinds saveRecord saves, so nothing is read back.
func (s saveSpec) searchText() ([]string, error) {
	cols := searchCols[s.kind]
	vals := make([]string, len(cols))
	for i, c := range cols {
		j := slices.Index(s.cols, c)
		var ok bool
		if j >= 0 {
			vals[i], ok = s.args[j].(string)
		}
		if !ok {
			return nil, xiezuo.Internal(fmt.Errorf("save %s: searchable field %s is not a text column written", s.kind, c))
		}
	}
	return vals, nil
}

// saveRecord creates (h.ID 0, as a draft) or updates a ledger record after
// checking that u may do so, all in one transaction with its audit entry.
func (d *DB) saveRecord(ctx context.Context, u *xiezuo.User, s saveSpec) error {
	table := tables[s.kind]
	return d.tx(ctx, func(tx *sql.Tx) error {
		var before any
		if s.h.ID == 0 {
			if err := ledger.CheckSave(u, *s.h); err != nil {
				return err
			}
		} else {
			old, err := d.visibleHeader(ctx, tx, u, s.kind, s.h.ID)
			if err != nil {
				return err
			}
			if err := ledger.CheckSave(u, old); err != nil {
				return err
			}
			if !u.IsOffice() {
				s.h.UnitID = old.UnitID
			}
			if before, err = s.load(tx, s.h.ID); err != nil {
				return err
			}
		}
		p := xiezuo.Problems{}
		if !ledger.CanRecordInCounty(u, s.county) {
			p.Add("county_code", "受援县用户只能填报本县的记录")
		}
		if err := checkOrgRefs(ctx, tx, p, append([]orgRef{{"unit_id", "填报单位", s.h.UnitID}}, s.orgs...)); err != nil {
			return err
		}
		if s.check != nil {
			if err := s.check(tx, p); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := d.now()
		if s.h.ID == 0 {
			cols := append([]string{"unit_id", "status", "created_by", "created_at", "updated_at"}, s.cols...)
			args := append([]any{s.h.UnitID, string(ledger.StatusDraft), u.ID, now, now}, s.args...)
			if d.Dialect == Postgres && searchCols[s.kind] != nil {
				// The words with the new row: written after it, they were
				// a second version of the row and of its every index entry.
				text, err := s.searchText()
				if err != nil {
					return err
				}
				cols, args = append(cols, "grams"), append(args, gramsArg(searchGrams(text...)))
			}
			q := fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) RETURNING id`, table, strings.Join(cols, ", "), placeholders(1, len(cols)))
			if err := tx.QueryRowContext(ctx, q, args...).Scan(&s.h.ID); err != nil {
				return err
			}
		} else {
			if err := d.unindexSearch(ctx, tx, s.kind, "x.id = $1", s.h.ID); err != nil {
				return err
			}
			sets := make([]string, 0, len(s.cols)+2)
			for i, c := range s.cols {
				sets = append(sets, fmt.Sprintf("%s = $%d", c, i+1))
			}
			n := len(s.cols)
			sets = append(sets, fmt.Sprintf("unit_id = $%d", n+1), fmt.Sprintf("updated_at = $%d", n+2))
			args := append(append([]any{}, s.args...), s.h.UnitID, now, s.h.ID)
			q := fmt.Sprintf(`UPDATE %s SET %s WHERE id = $%d`, table, strings.Join(sets, ", "), n+3)
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		if s.clear != "" && before != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.clear, s.h.ID); err != nil {
				return err
			}
		}
		if s.children != nil {
			if err := s.children(tx, s.h.ID); err != nil {
				return err
			}
		}
		if before != nil || d.Dialect != Postgres { // (a new row on PostgreSQL has its words)
			text, err := s.searchText()
			if err != nil {
				return err
			}
			if err := d.indexText(ctx, tx, s.kind, s.h.ID, text); err != nil {
				return err
			}
		}
		after, err := s.load(tx, s.h.ID)
		if err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return d.audit(ctx, tx, u, action, string(s.kind), s.h.ID, before, after)
	})
}

// DeleteRecord deletes a draft or returned record. Callers: its unit's users
// and the office. Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT (locked).
func (d *DB) DeleteRecord(ctx context.Context, u *xiezuo.User, kind ledger.Kind, id int64) error {
	if !kind.Valid() {
		return xiezuo.Errorf(xiezuo.EINVALID, "未知的记录类型")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		h, err := d.visibleHeader(ctx, tx, u, kind, id)
		if err != nil {
			return err
		}
		if !ledger.CanEdit(u, h) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能删除本单位草稿或已退回的记录")
		}
		if err := d.unindexSearch(ctx, tx, kind, "x.id = $1", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+tables[kind]+` WHERE id = $1`, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "delete", string(kind), id, h, nil)
	})
}

// linkedKinds are the records that an activity contains; review actions on
// the activity apply to those of them in the matching state.
var linkedKinds = []ledger.Kind{ledger.KindContribution, ledger.KindAgreement, ledger.KindLabour, ledger.KindBatch}

// Transition applies a review action (submit, approve, return, reopen) to a
// record. On an activity it applies to the records made on it too, when
// they are of the same unit and in a state the action applies to. Callers:
// submit — the record's unit and the office; approve/return/reopen — the
// office. Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT (wrong state), EINVALID
// (missing reason).
func (d *DB) Transition(ctx context.Context, u *xiezuo.User, kind ledger.Kind, id int64, a ledger.Action, reason string) error {
	if !kind.Valid() {
		return xiezuo.Errorf(xiezuo.EINVALID, "未知的记录类型")
	}
	reason = strings.TrimSpace(reason)
	return d.tx(ctx, func(tx *sql.Tx) error {
		h, err := d.visibleHeader(ctx, tx, u, kind, id)
		if err != nil {
			return err
		}
		if err := d.transitionOne(ctx, tx, u, kind, h, a, reason); err != nil {
			return err
		}
		if kind != ledger.KindActivity {
			return nil
		}
		for _, k := range linkedKinds {
			rows, err := tx.QueryContext(ctx, `SELECT `+headerCols+headerFrom(tables[k])+` WHERE x.activity_id = $1 AND x.unit_id = $2 ORDER BY x.id`, id, h.UnitID)
			if err != nil {
				return err
			}
			var hs []ledger.Header
			for rows.Next() {
				var lh ledger.Header
				if err := rows.Scan(headerDest(&lh)...); err != nil {
					rows.Close()
					return err
				}
				hs = append(hs, lh)
			}
			rows.Close()
			for _, lh := range hs {
				if _, err := ledger.Transition(u, lh, a, reason); err != nil {
					continue // not in a state this action applies to
				}
				if err := d.transitionOne(ctx, tx, u, k, lh, a, reason); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (d *DB) transitionOne(ctx context.Context, tx *sql.Tx, u *xiezuo.User, kind ledger.Kind, h ledger.Header, a ledger.Action, reason string) error {
	next, err := ledger.Transition(u, h, a, reason)
	if err != nil {
		return err
	}
	if kind == ledger.KindContribution && a == ledger.ActionReopen {
		// A counted order's contribution follows its order (market): it is
		// corrected by returning the order, not edited in the ledger.
		var no string
		var pledge int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(o.no, ''), COALESCE(x.pledge_id, 0) FROM contributions x LEFT JOIN orders o ON o.id = x.order_id WHERE x.id = $1`, h.ID).Scan(&no, &pledge); err != nil {
			return err
		}
		if no != "" {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "这笔消费帮扶由订单%s验收后生成，不能重新打开；如需更正，请在订单中办理退货", no)
		}
		if pledge != 0 { // a pledge's 认捐 line follows the pledge (market_pledges.go)
			return xiezuo.Errorf(xiezuo.ECONFLICT, "这笔认捐由消费帮扶认捐（编号%d）生成，随订单到位自动调整，不能重新打开；如需更正，请修改该认捐", pledge)
		}
		var match int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM matches WHERE contribution_id = $1`, h.ID).Scan(&match); err != nil {
			return err
		}
		if match != 0 { // a match's pledge follows the match (plan_matches.go)
			return xiezuo.Errorf(xiezuo.ECONFLICT, "这笔认捐由需求匹配（编号%d）生成，到位由提供单位在匹配中登记，不能重新打开", match)
		}
	}
	if a != ledger.ActionReturn && a != ledger.ActionReopen {
		reason = ""
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+tables[kind]+` SET status = $1, return_reason = $2, updated_at = $3 WHERE id = $4`,
		string(next), reason, d.now(), h.ID); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, string(a), string(kind), h.ID,
		map[string]string{"status": string(h.Status)}, map[string]string{"status": string(next), "reason": reason})
}

// QueueItem is a record in a review list.
type QueueItem struct {
	Kind ledger.Kind
	ledger.Header
	Title     string
	Date      string
	AmountFen int64 // amount, pledge or budget; 0 for kinds without money
}

// ReviewQueue lists records by status across kinds: the office's queue
// (status submitted), or a unit's own drafts and returned records. Callers:
// anyone signed in; the list is cut to what u may see, and for unit and
// county users to their own unit.
func (d *DB) ReviewQueue(ctx context.Context, u *xiezuo.User, statuses ...ledger.Status) ([]QueueItem, error) {
	titles := map[ledger.Kind]string{
		ledger.KindActivity:     "x.title, x.date_from, 0",
		ledger.KindContribution: "COALESCE(NULLIF(x.item, ''), x.note, ''), x.date_from, x.amount_fen",
		ledger.KindAgreement:    "x.title, x.signed_on, x.pledged_fen",
		ledger.KindProject:      "x.title, x.deadline, x.budget_fen",
		ledger.KindLabour:       "x.kind, x.date_from, 0",
		ledger.KindBatch:        "x.kind || ' ' || x.label, x.date, 0",
	}
	var out []QueueItem
	for _, k := range ledger.Kinds {
		w := &where{}
		visible(w, u)
		if u != nil && !u.IsOffice() {
			w.add("x.unit_id = ?", u.OrgID)
		}
		if len(statuses) > 0 {
			ph := make([]string, len(statuses))
			for i, s := range statuses {
				ph[i] = w.next(string(s))
			}
			w.conds = append(w.conds, "x.status IN ("+strings.Join(ph, ", ")+")")
			if !slices.Contains(statuses, ledger.StatusApproved) {
				w.add(notApproved)
			}
		}
		rows, err := d.db.QueryContext(ctx, `SELECT `+headerCols+`, `+titles[k]+headerFrom(tables[k])+w.sql()+` ORDER BY x.updated_at DESC LIMIT 500`, w.args...)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		for rows.Next() {
			it := QueueItem{Kind: k}
			if err := rows.Scan(append(headerDest(&it.Header), &it.Title, &it.Date, &it.AmountFen)...); err != nil {
				rows.Close()
				return nil, xiezuo.Internal(err)
			}
			out = append(out, it)
		}
		rows.Close()
	}
	return out, nil
}
