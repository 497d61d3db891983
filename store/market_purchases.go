package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// Purchase results: what RecordPurchase did with a purchase.
const (
	PurchaseCreated   = "created"   // a new order
	PurchaseUpdated   = "updated"   // a known one (same source key) whose status changed
	PurchaseUnchanged = "unchanged" // a known one, as it was
)

// RecordPurchase stores a purchase made outside the shop — a row of an
// 832 platform export, a union's, a fair's or an outlet's sales — as an
// order of its channel, with the status its source gives, numbered
// "<channel prefix>-<the source's order number>". sourceKey (e.g.
// market.Row832.Key) identifies it across imports: the same key again
// updates the order's status instead of counting it twice. An order that
// counts (market.Counts) is one approved consumption contribution dated
// the order's day; a change of status posts or reverses it
// (market.LedgerEffect). Audited; within an import batch's transaction
// when ctx carries one. o.PledgeID, when set, is the buyer's own pledge
// (认捐) the purchase fulfils (market.PledgeFits); its 认捐 line follows.
//
// Callers: market.CanRecordPurchase (the office and 监管; a buyer unit's
// management account for its own unit). Errors: EFORBIDDEN, EINVALID
// (the order's fields, a shop channel, no source key, a pledge that is not
// the buyer's or not of the goods' county), EINTERNAL.
func (d *DB) RecordPurchase(ctx context.Context, u *xiezuo.User, o *market.Order, extNo, sourceKey string) (string, error) {
	if !market.CanRecordPurchase(u, o.BuyerUnitID) {
		return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管单位和本采购单位的管理账号可以登记商城外的采购")
	}
	if o.Channel == "shop" || strings.TrimSpace(sourceKey) == "" || strings.TrimSpace(extNo) == "" {
		return "", xiezuo.Errorf(xiezuo.EINVALID, "商城外的采购须写明渠道和来源订单编号")
	}
	if err := o.Validate(); err != nil {
		return "", err
	}
	result := PurchaseCreated
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM orders WHERE source_key = $1`, sourceKey).Scan(&id, &status)
		switch {
		case err == nil && market.OrderStatus(status) == o.Status:
			result, o.ID = PurchaseUnchanged, id
			return nil
		case err == nil: // the source's later state of a known purchase
			result = PurchaseUpdated
			found, err := readOrders(ctx, tx, orderSelect+` WHERE x.id = $1`, id)
			if err != nil || len(found) == 0 {
				return err
			}
			old := found[0]
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3`, string(o.Status), d.now(), id); err != nil {
				return err
			}
			switch market.LedgerEffect(old.Status, o.Status) {
			case 1:
				old.Status = o.Status
				if err := d.postOrder(ctx, tx, u, &old, old.OrderedOn); err != nil {
					return err
				}
			case -1:
				if err := d.reverseOrder(ctx, tx, u, id); err != nil {
					return err
				}
			}
			o.ID, o.No = id, old.No
			return d.audit(ctx, tx, u, "update", "order", id, map[string]string{"status": status}, map[string]string{"status": string(o.Status)})
		case err != sql.ErrNoRows:
			return err
		}
		// A new purchase: one order per source row, the source's number
		// kept (and a -2, -3… for its further rows).
		base := strings.ToUpper(o.Channel) + "-" + strings.TrimSpace(extNo)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE no = $1 OR no LIKE $2`, base, base+"-%").Scan(&n); err != nil {
			return err
		}
		o.No = base
		if n > 0 {
			o.No = base + "-" + strconv.Itoa(n+1)
		}
		o.PurchaserID = 0
		if err := checkOrderPledge(ctx, tx, u, o); err != nil { // the buyer's own pledge it fulfils, if any
			return err
		}
		if err := insertOrder(ctx, tx, o, "", d.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET source_key = $1 WHERE id = $2`, sourceKey, o.ID); err != nil {
			return err
		}
		if market.Counts(o.Status) {
			if err := d.postOrder(ctx, tx, u, o, o.OrderedOn); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, "record", "order", o.ID, nil, orderState(o))
	})
	if err != nil {
		return "", mapDBError(err)
	}
	return result, nil
}

// EnsureSupplierOrg returns the organisation named name (or so aliased),
// registering it as a west-side 供应商 of county when there is none: the
// suppliers of an 832 export are the platform's, not all in the registry
// yet. Audited; in an import batch's transaction when ctx carries one.
// Callers: those who record purchases (the office, 监管, a buyer unit's
// management account). Errors: EFORBIDDEN, EINVALID (the name), EINTERNAL.
func (d *DB) EnsureSupplierOrg(ctx context.Context, u *xiezuo.User, name, county string) (int64, error) {
	if !market.CanSupervise(u) && (u == nil || u.Role != xiezuo.RoleBuyerAdmin) {
		return 0, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管单位和采购单位的管理账号可以登记商城外的采购")
	}
	o := registry.Organisation{Name: name, Kind: "供应商", Side: registry.SideWest, RegionCode: county}
	if err := o.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = $1 UNION SELECT org_id FROM org_aliases WHERE alias = $1`, o.Name).Scan(&id)
		if err != sql.ErrNoRows {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, kind, side, region_code) VALUES ($1, $2, $3, $4) RETURNING id`,
			o.Name, o.Kind, o.Side, nullStr(o.RegionCode)).Scan(&id); err != nil {
			return err
		}
		o.ID = id
		return d.audit(ctx, tx, u, "create", "organisation", id, nil, o)
	})
	return id, err
}
