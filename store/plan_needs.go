package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/plan"
)

// Needs and resources (issue 13, item 4; package plan holds the rules).
// A need is posted by a county, moderated by the office, matched to a
// resource an eastern unit posted (plan_matches.go), and met when the
// pledge it became is delivered and received.

// NeedFilter selects needs: of one county, category, status, year; Limit
// (0: 500, at most 500) and Offset page them.
type NeedFilter struct {
	County   string
	Category string
	Status   plan.NeedStatus
	Year     int
	Limit    int
	Offset   int
}

// needWhere is the condition of the needs f selects that u may see.
func needWhere(u *xiezuo.User, f NeedFilter) (*where, error) {
	w := &where{}
	switch {
	case u.IsOffice():
	case u.Role == xiezuo.RoleCounty:
		w.add("(x.status IN ('published', 'matched', 'met', 'closed') OR x.county_code = ?)", u.CountyCode)
	default:
		w.add("x.status IN ('published', 'matched', 'met', 'closed')")
	}
	if f.County != "" {
		w.add("x.county_code = ?", f.County)
	}
	if f.Category != "" {
		w.add("x.category = ?", f.Category)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, problem("status", "状态参数无效")
		}
		w.add("x.status = ?", string(f.Status))
	}
	if f.Year != 0 {
		w.add("x.year = ?", f.Year)
	}
	return w, nil
}

// NeedTotals counts the needs f selects that u may see (all pages) and
// sums their estimates. Errors: EINVALID (a bad filter), EINTERNAL.
func (d *DB) NeedTotals(ctx context.Context, u *xiezuo.User, f NeedFilter) (count int, fen int64, err error) {
	if !plan.CanUse(u) {
		return 0, 0, nil
	}
	w, err := needWhere(u, f)
	if err != nil {
		return 0, 0, err
	}
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(x.amount_fen), 0) FROM needs x`+w.sql(), w.args...).Scan(&count, &fen); err != nil {
		return 0, 0, xiezuo.Internal(err)
	}
	return count, fen, nil
}

const needSelect = `SELECT x.id, x.org_id, o.name, x.county_code, rc.name, COALESCE(x.township_code, ''), COALESCE(rt.name, ''),
	COALESCE(x.village_code, ''), COALESCE(rv.name, ''), x.institution, x.category, x.item, x.quantity, x.quantity_unit, x.amount_fen,
	x.asked_on, x.needed_by, x.contact, x.note, x.status, x.return_reason, x.created_by, x.created_at
	FROM needs x JOIN organisations o ON o.id = x.org_id JOIN regions rc ON rc.code = x.county_code
	LEFT JOIN regions rt ON rt.code = x.township_code LEFT JOIN regions rv ON rv.code = x.village_code`

func readNeeds(ctx context.Context, q queryer, query string, args ...any) ([]plan.Need, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Need
	for rows.Next() {
		var n plan.Need
		if err := rows.Scan(&n.ID, &n.OrgID, &n.OrgName, &n.CountyCode, &n.CountyName, &n.TownshipCode, &n.TownshipName, &n.VillageCode, &n.VillageName,
			&n.Institution, &n.Category, &n.Item, &n.Quantity, &n.Unit, &n.AmountFen, &n.AskedOn, &n.NeededBy, &n.Contact, &n.Note,
			&n.Status, &n.ReturnReason, &n.CreatedBy, &n.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func needNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "需求（编号%d）不存在", id)
}

// visibleNeed reads need id; one u may not see is reported as not found.
func visibleNeed(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*plan.Need, error) {
	ns, err := readNeeds(ctx, q, needSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 || !plan.CanViewNeed(u, &ns[0]) {
		return nil, needNotFound(id)
	}
	return &ns[0], nil
}

// needFlags fills the moderation flags (plan.Flags) of ns against the
// other needs of their counties, categories and years.
func needFlags(ctx context.Context, q queryer, ns []plan.Need) error {
	type key struct {
		county, category string
		year             int
	}
	others := map[key][]plan.Need{}
	for i := range ns {
		k := key{ns[i].CountyCode, ns[i].Category, ns[i].Year()}
		if _, ok := others[k]; ok {
			continue
		}
		found, err := readNeeds(ctx, q, needSelect+` WHERE x.county_code = $1 AND x.category = $2 AND x.year = $3 ORDER BY x.id`, k.county, k.category, k.year)
		if err != nil {
			return err
		}
		others[k] = found
	}
	for i := range ns {
		ns[i].Flags = plan.Flags(&ns[i], others[key{ns[i].CountyCode, ns[i].Category, ns[i].Year()}])
	}
	return nil
}

// Need returns one need with its moderation flags. Callers:
// plan.CanViewNeed. Errors: ENOTFOUND (also when u may not see it),
// EINTERNAL.
func (d *DB) Need(ctx context.Context, u *xiezuo.User, id int64) (*plan.Need, error) {
	n, err := visibleNeed(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	one := []plan.Need{*n}
	if err := needFlags(ctx, d.db, one); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return &one[0], nil
}

// Needs lists the needs f selects that u may see (plan.CanViewNeed),
// newest first, a page of f.Limit (at most 500) from f.Offset, with their moderation flags for the office.
// Errors: EINVALID (a bad filter), EINTERNAL.
func (d *DB) Needs(ctx context.Context, u *xiezuo.User, f NeedFilter) ([]plan.Need, error) {
	if !plan.CanUse(u) {
		return nil, nil
	}
	w, err := needWhere(u, f)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	ns, err := readNeeds(ctx, d.db, needSelect+w.sql()+fmt.Sprintf(` ORDER BY x.id DESC LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0)), w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if u.IsOffice() {
		if err := needFlags(ctx, d.db, ns); err != nil {
			return nil, xiezuo.Internal(err)
		}
	}
	return ns, nil
}

// ModerationQueue is the office's queue: the needs waiting for review,
// oldest first, each with its flags (likely duplicates, unreasonable
// amounts). Callers: the office (others get an empty queue). Errors:
// EINTERNAL.
func (d *DB) ModerationQueue(ctx context.Context, u *xiezuo.User) ([]plan.Need, error) {
	if !u.IsOffice() {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以审核需求")
	}
	ns, err := readNeeds(ctx, d.db, needSelect+` WHERE x.status = 'pending' ORDER BY x.id LIMIT 500`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if err := needFlags(ctx, d.db, ns); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return ns, nil
}

// SaveNeed posts (ID 0, 待审核) or changes a need; a returned need
// changed goes back to 待审核. Audited. Callers: plan.CanPostNeed (a
// county user for its county, the office); changes plan.CheckEditNeed.
// Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT, EINVALID, EINTERNAL.
func (d *DB) SaveNeed(ctx context.Context, u *xiezuo.User, n *plan.Need) error {
	if !plan.CanPostNeed(u, n.CountyCode) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有受援县用户（本县）和协作办可以提出需求")
	}
	if err := n.Validate(d.Today()); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"county_code": n.CountyCode, "township_code": n.TownshipCode, "village_code": n.VillageCode}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		// The same need twice (a double click, a resent form): refused. All
		// writes hold the write lock (tx), so of concurrent posts one
		// inserts and the others see it here.
		var same int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM needs WHERE county_code = $1 AND category = $2 AND item = $3 AND quantity = $4
			AND quantity_unit = $5 AND amount_fen = $6 AND needed_by = $7 AND status IN ('pending', 'published') AND id <> $8 ORDER BY id LIMIT 1`,
			n.CountyCode, n.Category, n.Item, n.Quantity, n.Unit, n.AmountFen, n.NeededBy, n.ID).Scan(&same)
		switch {
		case err == nil:
			return xiezuo.Errorf(xiezuo.ECONFLICT, "与已提交的需求（编号%d）相同：同县、同类别、同内容、同数量和金额、同需要日期", same)
		case err != sql.ErrNoRows:
			return err
		}
		now := d.now()
		var before *plan.Need
		if n.ID == 0 {
			n.OrgID, n.Status = u.OrgID, plan.NeedPending
			if err := tx.QueryRowContext(ctx, `INSERT INTO needs (org_id, county_code, township_code, village_code, institution, category, item, quantity,
				quantity_unit, amount_fen, asked_on, needed_by, year, contact, note, status, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id`,
				n.OrgID, n.CountyCode, nullStr(n.TownshipCode), nullStr(n.VillageCode), n.Institution, n.Category, n.Item, n.Quantity,
				n.Unit, n.AmountFen, n.AskedOn, n.NeededBy, n.Year(), n.Contact, n.Note, string(n.Status), u.ID, now).Scan(&n.ID); err != nil {
				return err
			}
		} else {
			old, err := visibleNeed(ctx, tx, u, n.ID)
			if err != nil {
				return err
			}
			if err := plan.CheckEditNeed(u, old); err != nil {
				return err
			}
			before, n.OrgID, n.Status = old, old.OrgID, plan.NeedPending
			if _, err := tx.ExecContext(ctx, `UPDATE needs SET county_code = $1, township_code = $2, village_code = $3, institution = $4, category = $5,
				item = $6, quantity = $7, quantity_unit = $8, amount_fen = $9, asked_on = $10, needed_by = $11, year = $12, contact = $13, note = $14,
				status = $15, updated_at = $16 WHERE id = $17`,
				n.CountyCode, nullStr(n.TownshipCode), nullStr(n.VillageCode), n.Institution, n.Category, n.Item, n.Quantity, n.Unit, n.AmountFen,
				n.AskedOn, n.NeededBy, n.Year(), n.Contact, n.Note, string(n.Status), now, n.ID); err != nil {
				return err
			}
		}
		action := "create"
		var was any
		if before != nil {
			action, was = "update", before
		}
		return d.audit(ctx, tx, u, action, "need", n.ID, was, n)
	})
}

// NeedAction applies a moderation action (plan.NeedApprove, NeedReturn,
// NeedClose, NeedMetAct) to need id, audited. Callers: the office.
// Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT, EINVALID (no reason),
// EINTERNAL.
func (d *DB) NeedAction(ctx context.Context, u *xiezuo.User, id int64, action, reason string) error {
	reason = strings.TrimSpace(reason)
	return d.tx(ctx, func(tx *sql.Tx) error {
		n, err := visibleNeed(ctx, tx, u, id)
		if err != nil {
			return err
		}
		next, err := plan.NeedTransition(u, n, action, reason)
		if err != nil {
			return err
		}
		return d.setNeedStatus(ctx, tx, u, n, next, action, reason)
	})
}

// setNeedStatus moves need n to status next, keeping reason (a return's
// or closing's), audited as action.
func (d *DB) setNeedStatus(ctx context.Context, tx *sql.Tx, u *xiezuo.User, n *plan.Need, next plan.NeedStatus, action, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE needs SET status = $1, return_reason = $2, updated_at = $3 WHERE id = $4`,
		string(next), reason, d.now(), n.ID); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, action, "need", n.ID, map[string]string{"status": string(n.Status)}, map[string]string{"status": string(next), "reason": reason})
}

// ResourceFilter selects resources: of one unit, category; Open keeps
// those not withdrawn.
type ResourceFilter struct {
	OrgID    int64
	Category string
	Open     bool
}

const resourceSelect = `SELECT x.id, x.org_id, o.name, x.category, x.form, x.item, x.quantity, x.quantity_unit, x.amount_fen,
	x.available_from, x.available_until, x.contact, x.note, x.closed, x.created_by, x.created_at
	FROM resources x JOIN organisations o ON o.id = x.org_id`

func readResources(ctx context.Context, q queryer, query string, args ...any) ([]plan.Resource, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []plan.Resource
	for rows.Next() {
		var r plan.Resource
		var closed int
		if err := rows.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.Category, &r.Form, &r.Item, &r.Quantity, &r.Unit, &r.AmountFen,
			&r.AvailableFrom, &r.AvailableUntil, &r.Contact, &r.Note, &closed, &r.CreatedBy, &r.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		r.Closed = closed == 1
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	at := map[int64]int{}
	ids := make([]any, len(out))
	for i := range out {
		at[out[i].ID], ids[i] = i, out[i].ID
	}
	crows, err := q.QueryContext(ctx, `SELECT rc.resource_id, rc.county_code, r.name FROM resource_counties rc JOIN regions r ON r.code = rc.county_code
		WHERE rc.resource_id IN (`+placeholders(1, len(ids))+`) ORDER BY rc.resource_id, rc.county_code`, ids...)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var id int64
		var code, name string
		if err := crows.Scan(&id, &code, &name); err != nil {
			return nil, err
		}
		r := &out[at[id]]
		r.Counties, r.CountyNames = append(r.Counties, code), append(r.CountyNames, name)
	}
	if err := crows.Err(); err != nil {
		return nil, err
	}
	crows.Close()
	return out, resourcesUsed(ctx, q, out, at, ids)
}

// resourcesUsed fills what the confirmed matches of rs took from them
// (plan.Resource.UsedQuantity, UsedFen): their pledges' quantity (in the
// resource's unit) and amount, their projects' budget.
func resourcesUsed(ctx context.Context, q queryer, rs []plan.Resource, at map[int64]int, ids []any) error {
	rows, err := q.QueryContext(ctx, `SELECT m.resource_id, COALESCE(c.quantity, 0), COALESCE(c.quantity_unit, ''),
		COALESCE(c.amount_fen, 0) + COALESCE(p.budget_fen, 0)
		FROM matches m LEFT JOIN contributions c ON c.id = m.contribution_id LEFT JOIN projects p ON p.id = m.project_id
		WHERE m.status = 'confirmed' AND m.resource_id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, qty, fen int64
		var unit string
		if err := rows.Scan(&id, &qty, &unit, &fen); err != nil {
			return err
		}
		r := &rs[at[id]]
		if r.Quantity > 0 && unit == r.Unit {
			r.UsedQuantity += qty
		}
		r.UsedFen += fen
	}
	return rows.Err()
}

func resourceNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "资源（编号%d）不存在", id)
}

func getResource(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*plan.Resource, error) {
	if !plan.CanUse(u) {
		return nil, resourceNotFound(id)
	}
	rs, err := readResources(ctx, q, resourceSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, resourceNotFound(id)
	}
	return &rs[0], nil
}

// Resource returns one resource. Callers: everyone who uses the plan
// (plan.CanUse). Errors: ENOTFOUND, EINTERNAL.
func (d *DB) Resource(ctx context.Context, u *xiezuo.User, id int64) (*plan.Resource, error) {
	r, err := getResource(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return r, nil
}

// Resources lists the resources f selects, newest first, at most 500.
// Callers: plan.CanUse. Errors: EINTERNAL.
func (d *DB) Resources(ctx context.Context, u *xiezuo.User, f ResourceFilter) ([]plan.Resource, error) {
	if !plan.CanUse(u) {
		return nil, nil
	}
	w := &where{}
	if f.OrgID != 0 {
		w.add("x.org_id = ?", f.OrgID)
	}
	if f.Category != "" {
		w.add("x.category = ?", f.Category)
	}
	if f.Open {
		w.add("x.closed = 0")
	}
	rs, err := readResources(ctx, d.db, resourceSelect+w.sql()+` ORDER BY x.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return rs, nil
}

// SaveResource posts (ID 0) or changes a resource with its counties,
// audited. Callers: plan.CanPostResource (a unit user for its unit, the
// office). Errors: EFORBIDDEN, ENOTFOUND, EINVALID, EINTERNAL.
func (d *DB) SaveResource(ctx context.Context, u *xiezuo.User, r *plan.Resource) error {
	if !u.IsOffice() {
		r.OrgID = u.OrgID
	}
	if !plan.CanPostResource(u, r.OrgID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有报送单位（本单位）和协作办可以发布资源")
	}
	if err := r.Validate(d.Today()); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkOrgs(ctx, tx, p, "org_id", "提供单位", r.OrgID); err != nil {
			return err
		}
		for i, c := range r.Counties {
			if err := checkRegions(ctx, tx, p, map[string]string{fmt.Sprintf("counties%d", i): c}); err != nil {
				return err
			}
		}
		for k, v := range p {
			if strings.HasPrefix(k, "counties") {
				delete(p, k)
				p.Add("counties", v)
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		now, closed := d.now(), 0
		if r.Closed {
			closed = 1
		}
		var before *plan.Resource
		if r.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO resources (org_id, category, form, item, quantity, quantity_unit, amount_fen, available_from,
				available_until, contact, note, closed, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
				r.OrgID, r.Category, r.Form, r.Item, r.Quantity, r.Unit, r.AmountFen, r.AvailableFrom, r.AvailableUntil, r.Contact, r.Note, closed,
				u.ID, now).Scan(&r.ID); err != nil {
				return err
			}
		} else {
			old, err := getResource(ctx, tx, u, r.ID)
			if err != nil {
				return err
			}
			if !plan.CanPostResource(u, old.OrgID) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位发布的资源")
			}
			before = old
			if _, err := tx.ExecContext(ctx, `UPDATE resources SET org_id = $1, category = $2, form = $3, item = $4, quantity = $5, quantity_unit = $6,
				amount_fen = $7, available_from = $8, available_until = $9, contact = $10, note = $11, closed = $12, updated_at = $13 WHERE id = $14`,
				r.OrgID, r.Category, r.Form, r.Item, r.Quantity, r.Unit, r.AmountFen, r.AvailableFrom, r.AvailableUntil, r.Contact, r.Note, closed,
				now, r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM resource_counties WHERE resource_id = $1`, r.ID); err != nil {
				return err
			}
		}
		for _, c := range r.Counties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO resource_counties (resource_id, county_code) VALUES ($1, $2)`, r.ID, c); err != nil {
				return err
			}
		}
		action := "create"
		var was any
		if before != nil {
			action, was = "update", before
		}
		return d.audit(ctx, tx, u, action, "resource", r.ID, was, r)
	})
}
