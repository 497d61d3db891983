package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
)

// Pledges (认捐, issue 12): a buyer's promise to purchase — the 爱心企业's
// 约20万元采购清单 in 金平 — that is 到位 only as far as the orders
// carrying its id are accepted. In the ledger the pledge is one approved
// consumption contribution of delivery 认捐 (contributions.pledge_id) for
// exactly the part not yet 到位 (market.PledgeLine); each order that
// fulfils it is its own 到位 contribution (postOrder). syncPledge keeps
// the 认捐 line equal to the rule whenever the pledge or one of its orders
// changes, in the same transaction: so the 认捐 and 到位 totals never
// count one yuan twice.

// PledgeView is a pledge as the pages show it: its names, how far it is
// 到位, its 认捐 ledger line (0: none) and, for one pledge, its orders.
type PledgeView struct {
	market.Pledge
	CountyName string                `json:"county_name,omitempty"`
	Progress   market.PledgeProgress `json:"progress"`
	LedgerID   int64                 `json:"ledger_id,omitempty"`
	Orders     []market.Order        `json:"orders,omitempty"`
}

// PledgeFilter selects pledges: of one giver, pledged in one year; Open
// keeps those not yet fully 到位.
type PledgeFilter struct {
	GiverID int64
	Year    int
	Open    bool
}

const pledgeSelect = `SELECT x.id, x.giver_id, g.name, COALESCE(x.county_code, ''), COALESCE(rc.name, ''), x.amount_fen, x.pledged_on, x.note,
	COALESCE((SELECT c.id FROM contributions c WHERE c.pledge_id = x.id), 0)
	FROM pledges x JOIN organisations g ON g.id = x.giver_id LEFT JOIN regions rc ON rc.code = x.county_code`

// readPledges reads the pledges of a query on pledgeSelect with their
// progress.
func readPledges(ctx context.Context, q queryer, query string, args ...any) ([]PledgeView, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []PledgeView
	for rows.Next() {
		var p PledgeView
		if err := rows.Scan(&p.ID, &p.GiverID, &p.GiverName, &p.CountyCode, &p.CountyName, &p.AmountFen, &p.PledgedOn, &p.Note, &p.LedgerID); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	at := map[int64]int{}
	ids := make([]any, len(out))
	for i := range out {
		at[out[i].ID], ids[i] = i, out[i].ID
	}
	counted := map[int64][]market.Order{}
	orows, err := q.QueryContext(ctx, `SELECT pledge_id, status, total_fen FROM orders WHERE pledge_id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	defer orows.Close()
	for orows.Next() {
		var o market.Order
		if err := orows.Scan(&o.PledgeID, &o.Status, &o.TotalFen); err != nil {
			return nil, err
		}
		counted[o.PledgeID] = append(counted[o.PledgeID], o)
	}
	if err := orows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Progress = out[i].Pledge.Progress(counted[out[i].ID])
	}
	return out, nil
}

func pledgeNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "认捐（编号%d）不存在", id)
}

// visiblePledge reads pledge id; one u may not see (market.CanViewPledge)
// is reported as not found.
func visiblePledge(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*PledgeView, error) {
	found, err := readPledges(ctx, q, pledgeSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || !market.CanViewPledge(u, &found[0].Pledge) {
		return nil, pledgeNotFound(id)
	}
	return &found[0], nil
}

// Pledge returns one pledge with its progress and the orders that carry
// it (counted or not). Callers: market.CanViewPledge (the office, 监管,
// the giver's accounts). Errors: ENOTFOUND (also when u may not see it),
// EINTERNAL.
func (d *DB) Pledge(ctx context.Context, u *xiezuo.User, id int64) (*PledgeView, error) {
	p, err := visiblePledge(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	if p.Orders, err = readOrders(ctx, d.db, orderSelect+` WHERE x.pledge_id = $1 ORDER BY x.ordered_on, x.id`, id); err != nil {
		return nil, xiezuo.Internal(err)
	}
	for i := range p.Orders {
		p.Orders[i].PledgeID = id
	}
	return p, nil
}

// Pledges lists the pledges f selects that u may see, newest first: all
// for the office and 监管, a buyer unit's accounts their unit's, anyone
// else none. Errors: EINTERNAL.
func (d *DB) Pledges(ctx context.Context, u *xiezuo.User, f PledgeFilter) ([]PledgeView, error) {
	w := &where{}
	switch {
	case market.CanSupervise(u):
	case u != nil && u.OrgID != 0 && (u.Role == xiezuo.RoleBuyerAdmin || u.Role == xiezuo.RolePurchaser):
		w.add("x.giver_id = ?", u.OrgID)
	default:
		return nil, nil
	}
	if f.GiverID != 0 {
		w.add("x.giver_id = ?", f.GiverID)
	}
	if f.Year != 0 {
		w.period("x.pledged_on", fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-12-31", f.Year))
	}
	out, err := readPledges(ctx, d.db, pledgeSelect+w.sql()+` ORDER BY x.pledged_on DESC, x.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if f.Open {
		kept := out[:0]
		for _, p := range out {
			if p.Progress.OutstandingFen > 0 {
				kept = append(kept, p)
			}
		}
		out = kept
	}
	return out, nil
}

// SavePledge records (ID 0) or edits a pledge and sets its 认捐 ledger
// line (syncPledge), in one transaction, audited. Once orders carry the
// pledge, its giver cannot change and its county must still hold their
// goods. pledged_on may not be after today.
//
// Callers: market.CanManagePledge (the office; the giver's management
// account for its own unit). Errors: EFORBIDDEN, ENOTFOUND, EINVALID
// (fields, unknown giver or county, an order that no longer fits),
// ECONFLICT, EINTERNAL.
func (d *DB) SavePledge(ctx context.Context, u *xiezuo.User, pl *market.Pledge) error {
	if !market.CanManagePledge(u, pl.GiverID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和认捐单位的管理账号可以登记认捐")
	}
	if err := pl.Validate(); err != nil {
		return err
	}
	if pl.PledgedOn > d.Today() {
		return problem("pledged_on", "认捐日期不能晚于今天")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkOrgs(ctx, tx, p, "giver_id", "认捐单位", pl.GiverID); err != nil {
			return err
		}
		if err := checkRegions(ctx, tx, p, map[string]string{"county_code": pl.CountyCode}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := d.now()
		var before *PledgeView
		if pl.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO pledges (giver_id, county_code, amount_fen, pledged_on, note, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
				pl.GiverID, nullStr(pl.CountyCode), pl.AmountFen, pl.PledgedOn, pl.Note, u.ID, now).Scan(&pl.ID); err != nil {
				return err
			}
		} else {
			old, err := visiblePledge(ctx, tx, u, pl.ID)
			if err != nil {
				return err
			}
			if !market.CanManagePledge(u, old.GiverID) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和认捐单位的管理账号可以修改认捐")
			}
			orders, err := readOrders(ctx, tx, orderSelect+` WHERE x.pledge_id = $1`, pl.ID)
			if err != nil {
				return err
			}
			if len(orders) > 0 && old.GiverID != pl.GiverID {
				return xiezuo.Errorf(xiezuo.ECONFLICT, "已有%d个订单计入这项认捐，不能更换认捐单位", len(orders))
			}
			for i := range orders {
				if err := market.PledgeFits(pl, &orders[i]); err != nil {
					return problem("county_code", "订单"+orders[i].No+"已计入这项认捐，"+xiezuo.ErrorFields(err)["pledge_id"])
				}
			}
			before = old
			if _, err := tx.ExecContext(ctx, `UPDATE pledges SET giver_id = $1, county_code = $2, amount_fen = $3, pledged_on = $4, note = $5, updated_at = $6 WHERE id = $7`,
				pl.GiverID, nullStr(pl.CountyCode), pl.AmountFen, pl.PledgedOn, pl.Note, now, pl.ID); err != nil {
				return err
			}
		}
		if err := d.syncPledge(ctx, tx, u, pl.ID); err != nil {
			return err
		}
		action := "create"
		var was any
		if before != nil {
			action, was = "update", before.Pledge
		}
		return d.audit(ctx, tx, u, action, "pledge", pl.ID, was, pl)
	})
}

// DeletePledge removes a pledge that no order carries, with its 认捐
// ledger line, audited. Callers: market.CanManagePledge. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (orders carry it), EINTERNAL.
func (d *DB) DeletePledge(ctx context.Context, u *xiezuo.User, id int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		pl, err := visiblePledge(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !market.CanManagePledge(u, pl.GiverID) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和认捐单位的管理账号可以删除认捐")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE pledge_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "已有%d个订单计入这项认捐，不能删除", n)
		}
		if pl.LedgerID != 0 {
			if err := d.removeLedgerLine(ctx, tx, u, pl.LedgerID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pledges WHERE id = $1`, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "delete", "pledge", id, pl.Pledge, nil)
	})
}

// SetOrderPledge counts order orderID towards pledge pledgeID (0: towards
// none), e.g. a shop order placed for the 爱心企业's list; both pledges'
// 认捐 lines follow at once. The order must fit the pledge
// (market.PledgeFits). A cancelled or returned order cannot be moved.
// Audited.
//
// Callers: market.CanPledgeOrder (the order's buyer unit's accounts, the
// office). Errors:
// ENOTFOUND (order or pledge not visible), EFORBIDDEN, EINVALID, ECONFLICT,
// EINTERNAL.
func (d *DB) SetOrderPledge(ctx context.Context, u *xiezuo.User, orderID, pledgeID int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		o, err := visibleOrder(ctx, tx, u, orderID)
		if err != nil {
			return err
		}
		if !market.CanPledgeOrder(u, o) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位和协作办可以把订单计入认捐")
		}
		if o.Status == market.OrderCancelled || o.Status == market.OrderReturned {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "订单%s已%s，不能计入认捐", o.No, o.Status.Label())
		}
		var old int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(pledge_id, 0) FROM orders WHERE id = $1`, orderID).Scan(&old); err != nil {
			return err
		}
		if old == pledgeID {
			return nil
		}
		if pledgeID != 0 {
			pl, err := visiblePledge(ctx, tx, u, pledgeID)
			if err != nil {
				return problem("pledge_id", xiezuo.ErrorMessage(err))
			}
			if err := market.PledgeFits(&pl.Pledge, o); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET pledge_id = $1, updated_at = $2 WHERE id = $3`, nullID(pledgeID), d.now(), orderID); err != nil {
			return err
		}
		for _, id := range []int64{old, pledgeID} {
			if id != 0 {
				if err := d.syncPledge(ctx, tx, u, id); err != nil {
					return err
				}
			}
		}
		return d.audit(ctx, tx, u, "pledge", "order", orderID, map[string]int64{"pledge_id": old}, map[string]int64{"pledge_id": pledgeID})
	})
}

// checkOrderPledge checks, before a purchase is recorded with a pledge,
// that the pledge exists, u may see it and the order fits it.
func checkOrderPledge(ctx context.Context, tx *sql.Tx, u *xiezuo.User, o *market.Order) error {
	if o.PledgeID == 0 {
		return nil
	}
	pl, err := visiblePledge(ctx, tx, u, o.PledgeID)
	if xiezuo.ErrorCode(err) == xiezuo.ENOTFOUND {
		return problem("pledge_id", xiezuo.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return market.PledgeFits(&pl.Pledge, o)
}

// syncOrderPledge brings the 认捐 line of the pledge order orderID
// carries, if any, up to date (after the order started or stopped
// counting).
func (d *DB) syncOrderPledge(ctx context.Context, tx *sql.Tx, u *xiezuo.User, orderID int64) error {
	var pledge int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(pledge_id, 0) FROM orders WHERE id = $1`, orderID).Scan(&pledge); err != nil {
		return err
	}
	if pledge == 0 {
		return nil
	}
	return d.syncPledge(ctx, tx, u, pledge)
}

// syncPledge makes pledge id's 认捐 ledger line what market.PledgeLine
// says from the pledge and its orders as they are in tx: inserted,
// updated to the outstanding amount, or removed; audited as the ledger's
// other changes are.
func (d *DB) syncPledge(ctx context.Context, tx *sql.Tx, u *xiezuo.User, id int64) error {
	found, err := readPledges(ctx, tx, pledgeSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return pledgeNotFound(id)
	}
	pl := &found[0]
	fen, want := market.PledgeLine(&pl.Pledge, pl.Progress)
	c := pledgeContribution(pl, fen)
	if pl.LedgerID != 0 {
		old, err := d.getContribution(ctx, tx, pl.LedgerID)
		if err != nil {
			return err
		}
		same := want && old.CountyCode == c.CountyCode && old.DateFrom == c.DateFrom && len(old.Givers) == 1 && old.Givers[0].ID == pl.GiverID
		if !same {
			if err := d.removeLedgerLine(ctx, tx, u, pl.LedgerID); err != nil {
				return err
			}
		} else {
			if old.AmountFen == c.AmountFen && old.Item == c.Item && old.Note == c.Note {
				return nil
			}
			if err := d.unindexSearch(ctx, tx, ledger.KindContribution, "x.id = $1", old.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE contributions SET amount_fen = $1, item = $2, note = $3, updated_at = $4 WHERE id = $5`,
				c.AmountFen, c.Item, c.Note, d.now(), old.ID); err != nil {
				return err
			}
			if err := d.indexSearch(ctx, tx, ledger.KindContribution, old.ID); err != nil {
				return err
			}
			after, err := d.getContribution(ctx, tx, old.ID)
			if err != nil {
				return err
			}
			return d.audit(ctx, tx, u, "update", string(ledger.KindContribution), old.ID, old, after)
		}
	}
	if !want {
		return nil
	}
	if err := c.Validate(d.Today()); err != nil {
		return err
	}
	return d.insertLedgerLine(ctx, tx, u, c, "pledge_id", pl.ID)
}

// pledgeContribution is the 认捐 ledger line of pledge pl for fen (not
// yet stored): the giver's approved consumption contribution to the
// pledge's county, dated the day of the pledge, delivery 认捐.
func pledgeContribution(pl *PledgeView, fen int64) *ledger.Contribution {
	item := "消费帮扶认捐"
	if pl.Note != "" {
		item = truncRunes(pl.Note, 200)
	}
	return &ledger.Contribution{
		Header:   ledger.Header{UnitID: pl.GiverID, Status: ledger.StatusApproved},
		DateFrom: pl.PledgedOn, DateTo: pl.PledgedOn, Givers: []ledger.Org{{ID: pl.GiverID, Name: pl.GiverName}},
		CountyCode: pl.CountyCode, Form: "consumption", Sector: "industry", Delivery: "pledged", AmountFen: fen, Item: item,
		Note: truncRunes(fmt.Sprintf("认捐（编号%d）%s元，已到位%s元；未到位的%s元计为认捐，订单验收后转为到位", pl.ID,
			xiezuo.FormatYuan(pl.AmountFen), xiezuo.FormatYuan(pl.Progress.DeliveredFen), xiezuo.FormatYuan(fen)), 1000),
	}
}

// problem is an EINVALID error on one field.
func problem(field, msg string) error {
	p := xiezuo.Problems{}
	p.Add(field, strings.TrimPrefix(msg, "填写有误："))
	return p.Err()
}
