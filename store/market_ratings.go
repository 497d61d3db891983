package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
)

// Ratings after acceptance (issue 12, item 4). package market says who
// may rate (CanRate), what a rating holds (Rating.Validate) and who sees
// them one by one (CanSeeRatings); this file stores them, each with its
// audit entry in the same transaction.

// RateOrder records the buyer unit's rating of order r.OrderID, once:
// r's stars and comment are checked (market.Rating.Validate), its
// supplier and buyer unit are the order's, RatedBy is u. Callers: the
// accounts of the order's buyer unit, once it is accepted or settled
// (market.CanRate). Errors: ENOTFOUND (also when u may not see the
// order), EFORBIDDEN, ECONFLICT (not accepted yet; rated already),
// EINVALID (stars, comment).
func (d *DB) RateOrder(ctx context.Context, u *xiezuo.User, r *market.Rating) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		o, err := visibleOrder(ctx, tx, u, r.OrderID)
		if err != nil {
			return err
		}
		if err := market.CanRate(u, o); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_ratings WHERE order_id = $1`, o.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "订单 %s 已经评价过，每个订单只能评价一次", o.No)
		}
		if err := r.Validate(); err != nil {
			return err
		}
		r.OrderNo, r.SupplierID, r.SupplierName, r.BuyerUnitID, r.BuyerUnitName = o.No, o.SupplierID, o.SupplierName, o.BuyerUnitID, o.BuyerUnitName
		r.RatedBy, r.CreatedAt = u.ID, d.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_ratings (order_id, supplier_id, buyer_unit_id, quality, delivery, service, comment, rated_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			o.ID, o.SupplierID, o.BuyerUnitID, r.Quality, r.Delivery, r.Service, r.Comment, u.ID, r.CreatedAt); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "rate", "order", o.ID, nil, r)
	})
}

const ratingSelect = `SELECT r.order_id, o.no, r.supplier_id, su.name, r.buyer_unit_id, bu.name, r.quality, r.delivery, r.service, r.comment,
	r.rated_by, r.created_at FROM order_ratings r JOIN orders o ON o.id = r.order_id
	JOIN organisations su ON su.id = r.supplier_id JOIN organisations bu ON bu.id = r.buyer_unit_id`

func scanRating(s interface{ Scan(...any) error }) (market.Rating, error) {
	var r market.Rating
	err := s.Scan(&r.OrderID, &r.OrderNo, &r.SupplierID, &r.SupplierName, &r.BuyerUnitID, &r.BuyerUnitName, &r.Quality, &r.Delivery, &r.Service,
		&r.Comment, &r.RatedBy, &r.CreatedAt)
	return r, err
}

// OrderRating returns the rating of an order, nil when it has none.
// Callers: whoever may see the order (market.CanViewOrder). Errors:
// ENOTFOUND (the order), EINTERNAL.
func (d *DB) OrderRating(ctx context.Context, u *xiezuo.User, orderID int64) (*market.Rating, error) {
	if _, err := visibleOrder(ctx, d.db, u, orderID); err != nil {
		return nil, mapDBError(err)
	}
	r, err := scanRating(d.db.QueryRowContext(ctx, ratingSelect+` WHERE r.order_id = $1`, orderID))
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return &r, nil
}

// summarise reads the count and star sums of the ratings cond selects
// (over order_ratings r).
func (d *DB) summarise(ctx context.Context, cond string, args ...any) (market.RatingSummary, error) {
	var s market.RatingSummary
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(r.quality), 0), COALESCE(SUM(r.delivery), 0), COALESCE(SUM(r.service), 0)
		FROM order_ratings r WHERE `+cond, args...).Scan(&s.Count, &s.Quality, &s.Delivery, &s.Service)
	if err != nil {
		return s, xiezuo.Internal(err)
	}
	s.Star = s.Quality + s.Delivery + s.Service
	return s, nil
}

// SupplierRatingSummary is the average and count of a supplier's
// ratings. Callers: whoever may see the supplier. Errors: ENOTFOUND.
func (d *DB) SupplierRatingSummary(ctx context.Context, u *xiezuo.User, supplierID int64) (market.RatingSummary, error) {
	if _, err := visibleSupplier(ctx, d.db, u, supplierID); err != nil {
		return market.RatingSummary{}, mapDBError(err)
	}
	return d.summarise(ctx, `r.supplier_id = $1`, supplierID)
}

// ProductRatingSummary is the average and count of the ratings of the
// orders that bought a product. Callers: whoever may see the product.
// Errors: ENOTFOUND.
func (d *DB) ProductRatingSummary(ctx context.Context, u *xiezuo.User, productID int64) (market.RatingSummary, error) {
	if _, _, err := visibleProduct(ctx, d.db, u, productID); err != nil {
		return market.RatingSummary{}, mapDBError(err)
	}
	return d.summarise(ctx, `r.order_id IN (SELECT l.order_id FROM order_lines l WHERE l.product_id = $1)`, productID)
}

// RatingTotals is the average and count of supplierID's ratings or (0)
// of every supplier's, for the ratings page. Callers: as Ratings.
// Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) RatingTotals(ctx context.Context, u *xiezuo.User, supplierID int64) (market.RatingSummary, error) {
	if supplierID == 0 && !market.CanSupervise(u) || supplierID != 0 && !market.CanSeeRatings(u, supplierID) {
		return market.RatingSummary{}, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商本身、协作办和监管单位可以查看评价明细")
	}
	if supplierID == 0 {
		return d.summarise(ctx, `1 = 1`)
	}
	return d.summarise(ctx, `r.supplier_id = $1`, supplierID)
}

// Ratings lists ratings one by one, newest first, with their total:
// supplierID's, or (0) every supplier's. Callers: the supplier's own
// users, the office and 监管 (market.CanSeeRatings; all suppliers: the
// office and 监管). Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) Ratings(ctx context.Context, u *xiezuo.User, supplierID int64, limit, offset int) ([]market.Rating, int, error) {
	if supplierID == 0 && !market.CanSupervise(u) || supplierID != 0 && !market.CanSeeRatings(u, supplierID) {
		return nil, 0, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商本身、协作办和监管单位可以查看评价明细")
	}
	w := &where{}
	if supplierID != 0 {
		w.add("r.supplier_id = ?", supplierID)
	}
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_ratings r`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	limit, offset = cataloguePage(limit, offset)
	out, err := listAll(ctx, d, ratingSelect+w.sql()+fmt.Sprintf(` ORDER BY r.created_at DESC, r.order_id DESC LIMIT %d OFFSET %d`, limit, offset), w.args, scanRating)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
