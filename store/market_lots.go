package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
)

// Subscriptions (认领/认购, issue 12): a lot of a future harvest — 临空园区's
// 170 亩 of 梯田红米 — whose shares enterprises and people take, fulfilled
// at harvest. Fulfilment turns every share, in one transaction, into an
// accepted order of channel 认领/认购 (market.Fulfilment.Order) posted to
// the ledger by postOrder, the path every counted order takes, so the
// dashboard, scorecard and bulletin count it once; the lot is then locked.

// LotShare is a share as the pages show it: after fulfilment, its order.
type LotShare struct {
	market.Share
	OrderID   int64  `json:"order_id,omitempty"`
	OrderNo   string `json:"order_no,omitempty"`
	AmountFen int64  `json:"amount_fen"` // units × the lot's price
}

// LotView is a lot with its names, status, shares and what is left.
type LotView struct {
	market.Lot
	SupplierName  string           `json:"supplier_name"`
	OriginName    string           `json:"origin_name"`
	OrganiserName string           `json:"organiser_name"`
	Status        market.LotStatus `json:"status"`
	HarvestOn     string           `json:"harvest_on,omitempty"`
	TotalFen      int64            `json:"total_fen"`  // quantity × price
	Subscribed    int64            `json:"subscribed"` // units taken
	Remaining     int64            `json:"remaining"`  // market.Remaining
	Shares        []LotShare       `json:"shares,omitempty"`
}

// Subscribers is how many subscribers the lot has.
func (l *LotView) Subscribers() int { return len(l.Shares) }

// SubscribedFen is what the shares come to.
func (l *LotView) SubscribedFen() int64 { return l.Subscribed * l.PriceFen }

// plainShares is the lot's shares as the rules take them.
func (l *LotView) plainShares() []market.Share {
	out := make([]market.Share, len(l.Shares))
	for i, s := range l.Shares {
		out[i] = s.Share
	}
	return out
}

// LotFilter selects lots: of one year (0: all).
type LotFilter struct {
	Year int
}

const lotSelect = `SELECT x.id, x.name, x.supplier_id, su.name, x.origin_code, COALESCE(ro.name, ''), x.organiser_id, og.name, x.year, x.unit,
	x.quantity, x.price_fen, x.yield_per_unit, x.yield_unit, x.status, COALESCE(x.harvest_on, '')
	FROM lots x JOIN organisations su ON su.id = x.supplier_id JOIN organisations og ON og.id = x.organiser_id
	LEFT JOIN regions ro ON ro.code = x.origin_code`

// readLots reads the lots of a query on lotSelect with their shares.
func readLots(ctx context.Context, q queryer, query string, args ...any) ([]LotView, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []LotView
	for rows.Next() {
		var l LotView
		if err := rows.Scan(&l.ID, &l.Name, &l.SupplierID, &l.SupplierName, &l.OriginCode, &l.OriginName, &l.OrganiserID, &l.OrganiserName,
			&l.Year, &l.Unit, &l.Quantity, &l.PriceFen, &l.YieldPerUnit, &l.YieldUnit, &l.Status, &l.HarvestOn); err != nil {
			rows.Close()
			return nil, err
		}
		l.TotalFen = l.Quantity * l.PriceFen // ≤ xiezuo.MaxFen (Lot.Validate)
		out = append(out, l)
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
	srows, err := q.QueryContext(ctx, `SELECT s.lot_id, s.id, COALESCE(s.org_id, 0), COALESCE(o.name, s.name), s.units, COALESCE(s.order_id, 0), COALESCE(x.no, '')
		FROM lot_shares s LEFT JOIN organisations o ON o.id = s.org_id LEFT JOIN orders x ON x.id = s.order_id
		WHERE s.lot_id IN (`+placeholders(1, len(ids))+`) ORDER BY s.lot_id, s.id`, ids...)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		var lotID int64
		var s LotShare
		if err := srows.Scan(&lotID, &s.ID, &s.OrgID, &s.Name, &s.Units, &s.OrderID, &s.OrderNo); err != nil {
			return nil, err
		}
		l := &out[at[lotID]]
		s.AmountFen = s.Units * l.PriceFen
		l.Shares = append(l.Shares, s)
	}
	if err := srows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		l := &out[i]
		l.Remaining = market.Remaining(&l.Lot, l.plainShares())
		l.Subscribed = l.Quantity - l.Remaining
	}
	return out, nil
}

func lotNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "认购项目（编号%d）不存在", id)
}

// visibleLot reads lot id; one u may not see (market.CanViewLot) is
// reported as not found.
func visibleLot(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*LotView, error) {
	found, err := readLots(ctx, q, lotSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || !market.CanViewLot(u, &found[0].Lot) {
		return nil, lotNotFound(id)
	}
	return &found[0], nil
}

// managedLot reads lot id for a change by u: visible, u may manage it
// (market.CanManageLot), still open.
func managedLot(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*LotView, error) {
	l, err := visibleLot(ctx, q, u, id)
	if err != nil {
		return nil, err
	}
	if !market.CanManageLot(u, l.OrganiserID) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和组织认购的单位的管理账号可以修改认购")
	}
	if l.Status != market.LotOpen {
		return nil, xiezuo.Errorf(xiezuo.ECONFLICT, "认购“%s”已于%s交付并锁定，不能再修改或重复交付", l.Name, xiezuo.FormatDateCN(l.HarvestOn))
	}
	return l, nil
}

// Lot returns one lot with its shares and, once fulfilled, their orders.
// Callers: market.CanViewLot (the office, 监管, the organiser's accounts,
// the lot's supplier). Errors: ENOTFOUND (also when u may not see it),
// EINTERNAL.
func (d *DB) Lot(ctx context.Context, u *xiezuo.User, id int64) (*LotView, error) {
	l, err := visibleLot(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return l, nil
}

// Lots lists the lots u may see, newest year first: all for the office
// and 监管, a buyer unit's accounts those it organised, a supplier's users
// theirs, anyone else none. Errors: EINTERNAL.
func (d *DB) Lots(ctx context.Context, u *xiezuo.User, f LotFilter) ([]LotView, error) {
	w := &where{}
	switch {
	case market.CanSupervise(u):
	case u != nil && u.OrgID != 0 && (u.Role == xiezuo.RoleBuyerAdmin || u.Role == xiezuo.RolePurchaser):
		w.add("x.organiser_id = ?", u.OrgID)
	case u != nil && u.OrgID != 0 && u.Role == xiezuo.RoleSupplier:
		w.add("x.supplier_id = ?", u.OrgID)
	default:
		return nil, nil
	}
	if f.Year != 0 {
		w.add("x.year = ?", f.Year)
	}
	out, err := readLots(ctx, d.db, lotSelect+w.sql()+` ORDER BY x.year DESC, x.id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}

// SaveLot creates (ID 0, open) or edits an open lot, audited. The
// supplier must be a west-side organisation, the organiser and the origin
// known; an edit may not offer fewer units than are already subscribed.
//
// Callers: market.CanManageLot (the office; the organising unit's
// management account). Errors: EFORBIDDEN, ENOTFOUND, EINVALID,
// ECONFLICT (fulfilled), EINTERNAL.
func (d *DB) SaveLot(ctx context.Context, u *xiezuo.User, l *market.Lot) error {
	if !market.CanManageLot(u, l.OrganiserID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和组织认购的单位的管理账号可以登记认购")
	}
	if err := l.Validate(d.Today()); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		var side string
		switch err := tx.QueryRowContext(ctx, `SELECT side FROM organisations WHERE id = $1`, l.SupplierID).Scan(&side); {
		case err == sql.ErrNoRows:
			p.Add("supplier_id", fmt.Sprintf("供应商（编号%d）不存在", l.SupplierID))
		case err != nil:
			return err
		case side != "west":
			p.Add("supplier_id", "供应商须为受援地（西部）的单位")
		}
		if err := checkOrgs(ctx, tx, p, "organiser_id", "组织认购的单位", l.OrganiserID); err != nil {
			return err
		}
		if err := checkRegions(ctx, tx, p, map[string]string{"origin_code": l.OriginCode}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := d.now()
		if l.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO lots (name, supplier_id, origin_code, organiser_id, year, unit, quantity, price_fen,
				yield_per_unit, yield_unit, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $12) RETURNING id`,
				l.Name, l.SupplierID, l.OriginCode, l.OrganiserID, l.Year, l.Unit, l.Quantity, l.PriceFen, l.YieldPerUnit, l.YieldUnit, u.ID, now).Scan(&l.ID); err != nil {
				return err
			}
			return d.audit(ctx, tx, u, "create", "lot", l.ID, nil, l)
		}
		old, err := managedLot(ctx, tx, u, l.ID)
		if err != nil {
			return err
		}
		if l.Quantity < old.Subscribed {
			return problem("quantity", fmt.Sprintf("已有%d位认购了%d%s，可认购数量不能少于%d", len(old.Shares), old.Subscribed, old.Unit, old.Subscribed))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lots SET name = $1, supplier_id = $2, origin_code = $3, organiser_id = $4, year = $5, unit = $6,
			quantity = $7, price_fen = $8, yield_per_unit = $9, yield_unit = $10, updated_at = $11 WHERE id = $12`,
			l.Name, l.SupplierID, l.OriginCode, l.OrganiserID, l.Year, l.Unit, l.Quantity, l.PriceFen, l.YieldPerUnit, l.YieldUnit, now, l.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "update", "lot", l.ID, old.Lot, l)
	})
}

// SaveShare records share s of open lot lotID (s.ID 0) or changes it:
// an organisation of the registry (s.OrgID; its registered name is kept)
// or a person by name, for s.Units of the lot (market.CheckShare: never
// more than the lot has left, every problem naming the subscriber).
// Audited.
//
// Callers: market.CanManageLot. Errors: EFORBIDDEN, ENOTFOUND, EINVALID
// (fields name and units), ECONFLICT (fulfilled), EINTERNAL.
func (d *DB) SaveShare(ctx context.Context, u *xiezuo.User, lotID int64, s *market.Share) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		l, err := managedLot(ctx, tx, u, lotID)
		if err != nil {
			return err
		}
		if s.OrgID != 0 {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, s.OrgID).Scan(&s.Name); err == sql.ErrNoRows {
				return problem("name", fmt.Sprintf("认购单位（编号%d）不存在", s.OrgID))
			} else if err != nil {
				return err
			}
		}
		var before any
		if s.ID != 0 {
			found := false
			for _, o := range l.Shares {
				if o.ID == s.ID {
					found, before = true, o.Share
				}
			}
			if !found {
				return xiezuo.Errorf(xiezuo.ENOTFOUND, "认购记录（编号%d）不存在", s.ID)
			}
		}
		if err := market.CheckShare(&l.Lot, l.plainShares(), s); err != nil {
			return err
		}
		if s.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO lot_shares (lot_id, org_id, name, units) VALUES ($1, $2, $3, $4) RETURNING id`,
				lotID, nullID(s.OrgID), s.Name, s.Units).Scan(&s.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE lot_shares SET org_id = $1, name = $2, units = $3 WHERE id = $4 AND lot_id = $5`,
			nullID(s.OrgID), s.Name, s.Units, s.ID, lotID); err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return d.audit(ctx, tx, u, action, "lot_share", s.ID, before, map[string]any{"lot_id": lotID, "share": s})
	})
}

// DeleteShare removes share shareID of open lot lotID, audited. Callers:
// market.CanManageLot. Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT
// (fulfilled), EINTERNAL.
func (d *DB) DeleteShare(ctx context.Context, u *xiezuo.User, lotID, shareID int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		l, err := managedLot(ctx, tx, u, lotID)
		if err != nil {
			return err
		}
		for _, s := range l.Shares {
			if s.ID == shareID {
				if _, err := tx.ExecContext(ctx, `DELETE FROM lot_shares WHERE id = $1 AND lot_id = $2`, shareID, lotID); err != nil {
					return err
				}
				return d.audit(ctx, tx, u, "delete", "lot_share", shareID, map[string]any{"lot_id": lotID, "share": s.Share}, nil)
			}
		}
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "认购记录（编号%d）不存在", shareID)
	})
}

// FulfilLot fulfils open lot lotID at harvest on harvestOn
// (market.CheckHarvest: within the lot's year or after, not after today):
// in one transaction every share becomes an accepted order of channel
// 认领/认购 (market.Fulfil, Fulfilment.Order) numbered RG<lot>-<n>,
// bought by the subscribing organisation (a person's share by the
// organiser), posted to the ledger by postOrder dated harvestOn; each
// share keeps its order and the lot is locked. Audited. A second
// fulfilment is refused.
//
// Callers: market.CanManageLot. Errors: EFORBIDDEN, ENOTFOUND, EINVALID
// (harvest date, no shares), ECONFLICT (already fulfilled), EINTERNAL.
func (d *DB) FulfilLot(ctx context.Context, u *xiezuo.User, lotID int64, harvestOn string) ([]market.Order, error) {
	var out []market.Order
	err := d.tx(ctx, func(tx *sql.Tx) error {
		l, err := managedLot(ctx, tx, u, lotID)
		if err != nil {
			return err
		}
		if err := market.CheckHarvest(&l.Lot, harvestOn, d.Today()); err != nil {
			return err
		}
		if len(l.Shares) == 0 {
			return problem("harvest_on", "认购“"+l.Name+"”还没有认购人，不能交付")
		}
		fs, err := market.Fulfil(&l.Lot, l.plainShares(), harvestOn)
		if err != nil {
			return err
		}
		now := d.now()
		for i, f := range fs {
			o := f.Order(&l.Lot, harvestOn)
			o.No = "RG" + strconv.FormatInt(l.ID, 10) + "-" + fmt.Sprintf("%03d", i+1)
			o.SupplierName, o.BuyerUnitName = l.SupplierName, f.Share.Name
			if f.Share.OrgID == 0 {
				o.BuyerUnitName = l.OrganiserName
			}
			if err := o.Validate(); err != nil {
				return err
			}
			if err := insertOrder(ctx, tx, &o, "", now); err != nil {
				return err
			}
			if err := d.postOrder(ctx, tx, u, &o, harvestOn); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE lot_shares SET order_id = $1 WHERE id = $2`, o.ID, f.Share.ID); err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "record", "order", o.ID, nil, orderState(&o)); err != nil {
				return err
			}
			out = append(out, o)
		}
		res, err := tx.ExecContext(ctx, `UPDATE lots SET status = 'fulfilled', harvest_on = $1, updated_at = $2 WHERE id = $3 AND status = 'open'`, harvestOn, now, lotID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "认购“%s”已交付，不能重复交付", l.Name)
		}
		return d.audit(ctx, tx, u, "fulfil", "lot", lotID, map[string]string{"status": string(market.LotOpen)},
			map[string]any{"status": market.LotFulfilled, "harvest_on": harvestOn, "orders": len(out)})
	})
	if err != nil {
		return nil, mapDBError(err)
	}
	return out, nil
}
