package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/plan"
)

// Matches of needs to resources (plan.Fit proposes them on the fly) and
// what they become. Decided: a match is confirmed when both sides — the
// resource's unit and the need's county — have accepted it, or when the
// office confirms it for both (an agreement reached by telephone, say);
// either side may decline it. Confirmed, it becomes (plan.Outcome) an
// approved 认捐 contribution of the unit (plan.PledgeContribution) or a
// draft project of the unit (plan.MatchProject), its need becomes 已匹配
// and the county's yearly plan gets an item for it. The unit records
// delivery (DeliverMatch: the contribution turns 到位); when the county
// confirms receipt (ConfirmReceipt, /receipts) the need becomes 已满足.

// MatchFilter selects matches: those of one need or resource; Mine keeps
// what u answers for (its unit's resources, its county's needs; all for
// the office).
type MatchFilter struct {
	NeedID, ResourceID int64
	Mine               bool
}

const matchSelect = `SELECT x.id, x.need_id, x.resource_id, x.score, x.reason, x.unit_accepted, x.county_accepted, x.status, x.declined_by,
	x.decline_reason, COALESCE(x.outcome, ''), COALESCE(x.contribution_id, 0), COALESCE(x.project_id, 0), COALESCE(x.confirmed_on, ''),
	COALESCE(c.delivery, ''), COALESCE(c.received_at, ''), COALESCE(c.date_from, '')
	FROM matches x LEFT JOIN contributions c ON c.id = x.contribution_id`

func readMatches(ctx context.Context, q queryer, query string, args ...any) ([]plan.Match, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Match
	for rows.Next() {
		var m plan.Match
		var ua, ca int
		var delivery, received, date string
		if err := rows.Scan(&m.ID, &m.NeedID, &m.ResourceID, &m.Score, &m.Reason, &ua, &ca, &m.Status, &m.DeclinedBy, &m.DeclineReason,
			&m.Outcome, &m.ContributionID, &m.ProjectID, &m.ConfirmedOn, &delivery, &received, &date); err != nil {
			return nil, err
		}
		m.UnitAccepted, m.CountyAccepted = ua == 1, ca == 1
		m.PledgeDelivered, m.PledgeReceived = delivery == "delivered", received != ""
		if m.PledgeDelivered {
			m.DeliveredOn = date
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// pairedCounties are the counties each unit is paired with, by any kind
// of pairing (its west party's county).
func (d *DB) pairedCounties(ctx context.Context, units []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	for _, id := range units {
		if _, ok := out[id]; ok {
			continue
		}
		ps, err := d.Pairings(ctx, PairingFilter{OrgID: id})
		if err != nil {
			return nil, err
		}
		out[id] = []string{}
		for _, p := range ps {
			if len(p.Place) == 12 {
				if c := p.Place[:6] + "000000"; !slices.Contains(out[id], c) {
					out[id] = append(out[id], c)
				}
			}
		}
	}
	return out, nil
}

// Proposals lists the matches for u to see and answer: every stored match
// f selects, and the fits (plan.Fit) of published needs to open
// resources not yet answered, best first within each need. Needs and
// resources are attached. Callers: plan.CanUse. Errors: EINTERNAL.
func (d *DB) Proposals(ctx context.Context, u *xiezuo.User, f MatchFilter) ([]plan.Match, error) {
	if !plan.CanUse(u) {
		return nil, nil
	}
	needs, err := readNeeds(ctx, d.db, needSelect+` WHERE x.status IN ('published', 'matched', 'met') ORDER BY x.id`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	res, err := readResources(ctx, d.db, resourceSelect+` ORDER BY x.id`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	stored, err := readMatches(ctx, d.db, matchSelect+` ORDER BY x.id`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	nb, rb := map[int64]*plan.Need{}, map[int64]*plan.Resource{}
	var units []int64
	for i := range needs {
		nb[needs[i].ID] = &needs[i]
	}
	for i := range res {
		rb[res[i].ID] = &res[i]
		units = append(units, res[i].OrgID)
	}
	paired, err := d.pairedCounties(ctx, units)
	if err != nil {
		return nil, err
	}
	keep := func(n *plan.Need, r *plan.Resource) bool {
		if f.NeedID != 0 && n.ID != f.NeedID || f.ResourceID != 0 && r.ID != f.ResourceID {
			return false
		}
		return !f.Mine || plan.MatchSide(u, n, r) != ""
	}
	answered := map[[2]int64]bool{}
	var out []plan.Match
	for _, m := range stored {
		n, r := nb[m.NeedID], rb[m.ResourceID]
		answered[[2]int64{m.NeedID, m.ResourceID}] = true
		if n == nil || r == nil || !keep(n, r) {
			continue
		}
		m.Need, m.Resource = n, r
		out = append(out, m)
	}
	for i := range needs {
		n := &needs[i]
		for j := range res {
			r := &res[j]
			if answered[[2]int64{n.ID, r.ID}] || !keep(n, r) {
				continue
			}
			if score, reason, ok := plan.Fit(n, r, paired[r.OrgID]); ok {
				out = append(out, plan.Match{NeedID: n.ID, ResourceID: r.ID, Score: score, Reason: reason, Status: plan.MatchProposed, Need: n, Resource: r})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b plan.Match) int {
		if a.NeedID != b.NeedID {
			return int(b.NeedID - a.NeedID) // newest need first
		}
		return b.Score - a.Score
	})
	return out, nil
}

// AnswerMatch records u's answer to the match of need needID and
// resource resourceID: accept (confirming it once both sides accepted,
// or at once for the office) or decline with a reason. Audited.
//
// Callers: plan.MatchSide (the resource's unit, the need's county, the
// office). Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT (no longer a fit,
// already confirmed or declined), EINVALID (a decline without a reason),
// EINTERNAL.
func (d *DB) AnswerMatch(ctx context.Context, u *xiezuo.User, needID, resourceID int64, accept bool, reason string) (*plan.Match, error) {
	reason = strings.TrimSpace(reason)
	var out *plan.Match
	err := d.tx(ctx, func(tx *sql.Tx) error {
		n, err := visibleNeed(ctx, tx, u, needID)
		if err != nil {
			return err
		}
		r, err := getResource(ctx, tx, u, resourceID)
		if err != nil {
			return err
		}
		side := plan.MatchSide(u, n, r)
		if side == "" {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有资源的提供单位、需求所在县和协作办可以答复匹配")
		}
		found, err := readMatches(ctx, tx, matchSelect+` WHERE x.need_id = $1 AND x.resource_id = $2`, needID, resourceID)
		if err != nil {
			return err
		}
		var m plan.Match
		if len(found) > 0 {
			m = found[0]
			if m.Status != plan.MatchProposed {
				return xiezuo.Errorf(xiezuo.ECONFLICT, "该匹配已%s", m.Status.Label())
			}
		}
		paired, err := d.pairedCounties(ctx, []int64{r.OrgID})
		if err != nil {
			return err
		}
		score, why, ok := plan.Fit(n, r, paired[r.OrgID])
		if !ok {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "需求（编号%d）与资源（编号%d）已不再匹配（需求状态：%s）", n.ID, r.ID, n.Status.Label())
		}
		before := m
		m.NeedID, m.ResourceID, m.Score, m.Reason = n.ID, r.ID, score, why
		if !accept {
			if reason == "" {
				return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "谢绝时须填写理由", Fields: map[string]string{"reason": "请填写谢绝理由"}}
			}
			m.Status, m.DeclineReason = plan.MatchDeclined, reason
			m.DeclinedBy = map[string]string{plan.SideUnit: r.OrgName, plan.SideCounty: n.CountyName, plan.SideOffice: "协作办"}[side]
		} else {
			m.Status = plan.MatchProposed
			m.UnitAccepted = m.UnitAccepted || side != plan.SideCounty
			m.CountyAccepted = m.CountyAccepted || side != plan.SideUnit
		}
		now := d.now()
		b := func(v bool) int {
			if v {
				return 1
			}
			return 0
		}
		if m.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO matches (need_id, resource_id, score, reason, unit_accepted, county_accepted, status, declined_by,
				decline_reason, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
				m.NeedID, m.ResourceID, m.Score, m.Reason, b(m.UnitAccepted), b(m.CountyAccepted), string(m.Status), m.DeclinedBy, m.DeclineReason,
				u.ID, now).Scan(&m.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE matches SET score = $1, reason = $2, unit_accepted = $3, county_accepted = $4, status = $5,
			declined_by = $6, decline_reason = $7, updated_at = $8 WHERE id = $9`,
			m.Score, m.Reason, b(m.UnitAccepted), b(m.CountyAccepted), string(m.Status), m.DeclinedBy, m.DeclineReason, now, m.ID); err != nil {
			return err
		}
		action := "accept"
		if !accept {
			action = "decline"
		}
		var was any
		if before.ID != 0 {
			was = before
		}
		if err := d.audit(ctx, tx, u, action, "match", m.ID, was, m); err != nil {
			return err
		}
		if m.UnitAccepted && m.CountyAccepted {
			if err := d.confirmMatch(ctx, tx, u, &m, n, r); err != nil {
				return err
			}
		}
		m.Need, m.Resource = n, r
		out = &m
		return nil
	})
	return out, err
}

// confirmMatch makes accepted match m what plan.Outcome says — the
// approved 认捐 contribution or the unit's draft project — marks its need
// 已匹配 and adds it to the county's plan for the need's year.
func (d *DB) confirmMatch(ctx context.Context, tx *sql.Tx, u *xiezuo.User, m *plan.Match, n *plan.Need, r *plan.Resource) error {
	today := d.Today()
	m.Status, m.Outcome, m.ConfirmedOn = plan.MatchConfirmed, plan.Outcome(n.Category), today
	item := plan.Item{Year: n.Year(), CountyCode: n.CountyCode, TownshipCode: n.TownshipCode, Kind: m.Outcome, Title: n.Item,
		Category: n.Category, UnitID: r.OrgID, TargetCount: 1, MatchID: m.ID}
	if m.Outcome == plan.OutcomePledge {
		c := plan.PledgeContribution(m, n, r, today)
		if err := c.Validate(today); err != nil {
			return err
		}
		if err := d.insertLedgerLine(ctx, tx, u, c, "", 0); err != nil {
			return err
		}
		m.ContributionID, item.ContributionID, item.TargetFen = c.ID, c.ID, c.AmountFen
	} else {
		p := plan.MatchProject(m, n, r)
		if err := p.Validate(today); err != nil {
			return err
		}
		if err := d.insertMatchProject(ctx, tx, u, p); err != nil {
			return err
		}
		m.ProjectID, item.ProjectID, item.TargetFen = p.ID, p.ID, p.BudgetFen
	}
	if _, err := tx.ExecContext(ctx, `UPDATE matches SET status = $1, outcome = $2, contribution_id = $3, project_id = $4, confirmed_on = $5, updated_at = $6 WHERE id = $7`,
		string(m.Status), m.Outcome, nullID(m.ContributionID), nullID(m.ProjectID), m.ConfirmedOn, d.now(), m.ID); err != nil {
		return err
	}
	if err := d.audit(ctx, tx, u, "confirm", "match", m.ID, nil, m); err != nil {
		return err
	}
	if err := d.insertPlanItem(ctx, tx, u, &item); err != nil {
		return err
	}
	return d.setNeedStatus(ctx, tx, u, n, plan.NeedMatched, "match", fmt.Sprintf("匹配（编号%d）", m.ID))
}

// insertMatchProject inserts p as a draft of its unit, created by u, with
// its search index, audited.
func (d *DB) insertMatchProject(ctx context.Context, tx *sql.Tx, u *xiezuo.User, p *ledger.Project) error {
	now := d.now()
	if err := tx.QueryRowContext(ctx, `INSERT INTO projects (unit_id, status, created_by, created_at, updated_at, title, county_code, township_code,
		village_code, sector, funding_source, budget_fen, deadline, progress, work_state, note)
		VALUES ($1, 'draft', $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) RETURNING id`,
		p.UnitID, u.ID, now, p.Title, p.CountyCode, nullStr(p.TownshipCode), nullStr(p.VillageCode), p.Sector, p.FundingSource, p.BudgetFen,
		p.Deadline, p.WorkState, p.Note).Scan(&p.ID); err != nil {
		return err
	}
	if err := d.indexSearch(ctx, tx, ledger.KindProject, p.ID); err != nil {
		return err
	}
	after, err := d.getProject(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "create", string(ledger.KindProject), p.ID, nil, after)
}

// Match returns one stored match with its need and resource. Callers:
// whoever may see its need. Errors: ENOTFOUND, EINTERNAL.
func (d *DB) Match(ctx context.Context, u *xiezuo.User, id int64) (*plan.Match, error) {
	ms, err := readMatches(ctx, d.db, matchSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if len(ms) == 0 {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "匹配（编号%d）不存在", id)
	}
	m := &ms[0]
	if m.Need, err = visibleNeed(ctx, d.db, u, m.NeedID); err != nil {
		return nil, mapDBError(err)
	}
	if m.Resource, err = getResource(ctx, d.db, u, m.ResourceID); err != nil {
		return nil, mapDBError(err)
	}
	return m, nil
}

// MatchOf returns the confirmed match that made a contribution or
// project (kind), or nil: for the record's page to link back to its need.
// Errors: EINTERNAL.
func (d *DB) MatchOf(ctx context.Context, kind ledger.Kind, id int64) (*plan.Match, error) {
	col := map[ledger.Kind]string{ledger.KindContribution: "contribution_id", ledger.KindProject: "project_id"}[kind]
	if col == "" {
		return nil, nil
	}
	ms, err := readMatches(ctx, d.db, matchSelect+` WHERE x.`+col+` = $1`, id)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	ns, err := readNeeds(ctx, d.db, needSelect+` WHERE x.id = $1`, ms[0].NeedID)
	if err != nil || len(ns) == 0 {
		return nil, xiezuo.Internal(err)
	}
	ms[0].Need = &ns[0]
	return &ms[0], nil
}

// DeliverMatch records that the pledge of confirmed match id was
// delivered (到位) on date on: its contribution turns 到位, dated then,
// and waits for the county's 确认收到. Audited as the ledger's changes.
// Callers: plan.CanDeliver (the giving unit, the office). Errors:
// ENOTFOUND, EFORBIDDEN, ECONFLICT (not a pledge, already delivered),
// EINVALID (the date), EINTERNAL.
func (d *DB) DeliverMatch(ctx context.Context, u *xiezuo.User, id int64, on string) error {
	today := d.Today()
	if !xiezuo.ValidDate(on) {
		return problem("delivered_on", "到位日期"+xiezuo.DateProblem(on))
	}
	if on > today {
		return problem("delivered_on", "到位日期不能晚于今天")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		ms, err := readMatches(ctx, tx, matchSelect+` WHERE x.id = $1`, id)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "匹配（编号%d）不存在", id)
		}
		m := ms[0]
		r, err := getResource(ctx, tx, u, m.ResourceID)
		if err != nil {
			return err
		}
		if !plan.CanDeliver(u, r) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有提供资源的单位和协作办可以登记到位")
		}
		if m.Status != plan.MatchConfirmed || m.ContributionID == 0 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "只有已确认并生成认捐的匹配可以登记到位")
		}
		if m.PledgeDelivered {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "该认捐已于%s到位", xiezuo.FormatDateCN(m.DeliveredOn))
		}
		if on < m.ConfirmedOn {
			return problem("delivered_on", "到位日期不能早于匹配确认日期（"+xiezuo.FormatDateCN(m.ConfirmedOn)+"）")
		}
		old, err := d.getContribution(ctx, tx, m.ContributionID)
		if err != nil {
			return err
		}
		if err := d.unindexSearch(ctx, tx, ledger.KindContribution, "x.id = $1", old.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contributions SET delivery = 'delivered', date_from = $1, date_to = $1, updated_at = $2 WHERE id = $3`,
			on, d.now(), old.ID); err != nil {
			return err
		}
		if err := d.indexSearch(ctx, tx, ledger.KindContribution, old.ID); err != nil {
			return err
		}
		after, err := d.getContribution(ctx, tx, old.ID)
		if err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "deliver", string(ledger.KindContribution), old.ID, old, after)
	})
}

// meetNeedOf marks the need of the match whose pledge is contribution
// cid 已满足, once the county confirmed receipt (ConfirmReceipt), audited.
func (d *DB) meetNeedOf(ctx context.Context, tx *sql.Tx, u *xiezuo.User, cid int64) error {
	var needID int64
	err := tx.QueryRowContext(ctx, `SELECT need_id FROM matches WHERE contribution_id = $1`, cid).Scan(&needID)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	ns, err := readNeeds(ctx, tx, needSelect+` WHERE x.id = $1`, needID)
	if err != nil || len(ns) == 0 || ns[0].Status != plan.NeedMatched {
		return err
	}
	return d.setNeedStatus(ctx, tx, u, &ns[0], plan.NeedMet, "met", "帮扶投入（编号"+strconv.FormatInt(cid, 10)+"）已到位并确认收到")
}
