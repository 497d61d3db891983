package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// Market orders (issue 12): the shop's checkout, the order steps of
// market.Transition and the one ledger line of a counted order. The rules
// are package market's; this file reads and writes them.
//
// Stock is taken by a conditional UPDATE (… AND stock >= qty) whose
// affected-row count is checked, inside the checkout's one write
// transaction: no unit is ever sold twice on either engine, and a cart
// that cannot be served whole writes nothing. An order that comes to count
// (market.LedgerEffect +1) inserts one approved consumption contribution
// with contributions.order_id set; the running sums follow by trigger.
// Leaving the counted states deletes that contribution again.

// OrderFilter selects orders. Empty fields match all; From and To bound
// the order date (inclusive). Limit defaults to 50 and is at most 500.
type OrderFilter struct {
	BuyerUnitID int64
	SupplierID  int64
	Status      market.OrderStatus
	Channel     string
	From, To    string
	Limit       int
	Offset      int
}

// validate checks the filter and fills the page size.
func (f *OrderFilter) validate() error {
	p := xiezuo.Problems{}
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", "订单状态参数无效")
	}
	if f.Channel != "" && !market.ValidChannel(f.Channel) {
		p.Add("channel", "采购渠道参数无效")
	}
	if f.From != "" && !xiezuo.ValidDate(f.From) {
		p.Add("from", "开始日期"+xiezuo.DateProblem(f.From))
	}
	if f.To != "" && !xiezuo.ValidDate(f.To) {
		p.Add("to", "截止日期"+xiezuo.DateProblem(f.To))
	}
	if f.Limit < 0 || f.Offset < 0 {
		p.Add("limit", "分页参数不能为负数")
	}
	if f.Limit == 0 {
		f.Limit = 50
	} else if f.Limit > 500 {
		f.Limit = 500
	}
	return p.Err()
}

// maxIdempotencyKey bounds an Idempotency-Key (a UUID has 36 characters).
const maxIdempotencyKey = 100

const orderSelect = `SELECT x.id, x.no, x.channel, x.ordered_on, x.buyer_unit_id, bu.name, COALESCE(x.purchaser_id, 0), x.supplier_id, su.name,
	x.total_fen, x.status, x.carrier, x.tracking_no, x.invoice_ref, x.inspection_ref, x.payment_ref, COALESCE(x.paid_on, ''), x.reason,
	COALESCE(x.for_unit_id, 0), COALESCE(fu.name, '')
	FROM orders x JOIN organisations bu ON bu.id = x.buyer_unit_id JOIN organisations su ON su.id = x.supplier_id
	LEFT JOIN organisations fu ON fu.id = x.for_unit_id`

func scanOrder(s interface{ Scan(...any) error }) (market.Order, error) {
	var o market.Order
	err := s.Scan(&o.ID, &o.No, &o.Channel, &o.OrderedOn, &o.BuyerUnitID, &o.BuyerUnitName, &o.PurchaserID, &o.SupplierID, &o.SupplierName,
		&o.TotalFen, &o.Status, &o.Carrier, &o.TrackingNo, &o.InvoiceRef, &o.InspectionRef, &o.PaymentRef, &o.PaidOn, &o.Reason,
		&o.ForUnitID, &o.ForUnitName)
	return o, err
}

// readOrders reads the orders of a query on orderSelect, with their lines.
func readOrders(ctx context.Context, q queryer, query string, args ...any) ([]market.Order, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []market.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, fillOrderLines(ctx, q, out)
}

// fillOrderLines reads the lines of orders, in their order.
func fillOrderLines(ctx context.Context, q queryer, orders []market.Order) error {
	if len(orders) == 0 {
		return nil
	}
	at := make(map[int64]int, len(orders))
	args := make([]any, len(orders))
	for i := range orders {
		at[orders[i].ID] = i
		args[i] = orders[i].ID
		orders[i].Lines = nil
	}
	rows, err := q.QueryContext(ctx, `SELECT order_id, COALESCE(product_id, 0), name, category, origin_code, unit, qty, price_fen, amount_fen
		FROM order_lines WHERE order_id IN (`+placeholders(1, len(args))+`) ORDER BY order_id, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l market.OrderLine
		if err := rows.Scan(&id, &l.ProductID, &l.ProductName, &l.Category, &l.OriginCode, &l.Unit, &l.Qty, &l.PriceFen, &l.AmountFen); err != nil {
			return err
		}
		o := &orders[at[id]]
		o.Lines = append(o.Lines, l)
	}
	return rows.Err()
}

func orderNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "订单（编号%d）不存在", id)
}

// visibleOrder reads order id; one u may not see (market.CanViewOrder) is
// reported as not found, so its existence is not disclosed.
func visibleOrder(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*market.Order, error) {
	found, err := readOrders(ctx, q, orderSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || !market.CanViewOrder(u, &found[0]) {
		return nil, orderNotFound(id)
	}
	return &found[0], nil
}

// orderVisible restricts a query on orders (alias x) to what u may see,
// as market.CanViewOrder decides for one order: the office and 监管 see
// all; a buyer unit's accounts its orders; a supplier's users theirs;
// anyone else none.
func orderVisible(w *where, u *xiezuo.User) {
	switch {
	case market.CanSupervise(u):
	case u != nil && u.OrgID != 0 && (u.Role == xiezuo.RoleBuyerAdmin || u.Role == xiezuo.RolePurchaser):
		w.add("x.buyer_unit_id = ?", u.OrgID)
	case u != nil && u.OrgID != 0 && u.Role == xiezuo.RoleSupplier:
		w.add("x.supplier_id = ?", u.OrgID)
	default:
		w.add("1 = 0")
	}
}

// Order returns one order with its lines. Callers: its buyer unit's
// accounts, its supplier's users, the office and 监管
// (market.CanViewOrder). Errors: ENOTFOUND (also when u may not see it),
// EINTERNAL.
func (d *DB) Order(ctx context.Context, u *xiezuo.User, id int64) (*market.Order, error) {
	o, err := visibleOrder(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return o, nil
}

// Orders returns one page of the orders f matches that u may see, newest
// first, and how many there are in all. Callers: anyone signed in; buyers
// and suppliers see only their own orders, the office and 监管 all, other
// users none (an empty list). Errors: EINVALID (bad filter), EINTERNAL.
func (d *DB) Orders(ctx context.Context, u *xiezuo.User, f OrderFilter) ([]market.Order, int, error) {
	if err := f.validate(); err != nil {
		return nil, 0, err
	}
	w := &where{}
	orderVisible(w, u)
	if f.BuyerUnitID != 0 {
		w.add("x.buyer_unit_id = ?", f.BuyerUnitID)
	}
	if f.SupplierID != 0 {
		w.add("x.supplier_id = ?", f.SupplierID)
	}
	if f.Status != "" {
		w.add("x.status = ?", string(f.Status))
	}
	if f.Channel != "" {
		w.add("x.channel = ?", f.Channel)
	}
	w.period("x.ordered_on", f.From, f.To)
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders x`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	if total == 0 {
		return nil, 0, nil
	}
	out, err := readOrders(ctx, d.db, orderSelect+w.sql()+fmt.Sprintf(` ORDER BY x.ordered_on DESC, x.id DESC LIMIT %d OFFSET %d`, f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	return out, total, nil
}

// ordersByKey reads the orders a purchaser's earlier checkout with key
// made, oldest first (none if there was no such checkout).
func ordersByKey(ctx context.Context, q queryer, purchaserID int64, key string) ([]market.Order, error) {
	return readOrders(ctx, q, orderSelect+` WHERE x.purchaser_id = $1 AND x.idempotency_key = $2 ORDER BY x.id`, purchaserID, key)
}

// Checkout places the orders of purchaser u's cart in the shop: one order
// per supplier (market.SplitCart), 待确认, priced from the products table
// as it is at checkout (only each line's product ID and quantity are
// taken from lines), numbered XZ + date + a six-digit sequence of the
// day. Atomically (its own savepoint in a group-commit transaction, see
// writeQueue) every product is checked sellable today, its stock
// taken, the orders and their lines written and audited; on any problem
// nothing of this checkout is written. It returns once the orders are
// committed. A retry by the same purchaser with
// the same non-empty idempotencyKey returns the first checkout's orders
// and writes nothing.
//
// Callers: a purchaser of a buyer unit (market.CanCheckout). Errors:
// EFORBIDDEN; EINVALID (empty cart, unknown product, quantity below 1 or
// below the minimum order, a product not sellable — supplier not admitted
// or suspended, product not listed, certificate expired, sold out — or
// not enough stock as read; each problem names its product, field
// "qty.<product id>"); ECONFLICT (stock taken by another checkout in
// between, market.ShortOfStock naming the product); EINTERNAL.
func (d *DB) Checkout(ctx context.Context, u *xiezuo.User, lines []market.CartLine, idempotencyKey string) ([]market.Order, error) {
	if !market.CanCheckout(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位的采购人可以下单")
	}
	key := strings.TrimSpace(idempotencyKey)
	if utf8.RuneCountInString(key) > maxIdempotencyKey {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "幂等键（Idempotency-Key）不能超过%d个字符", maxIdempotencyKey)
	}
	if len(lines) == 0 {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "购物车是空的")
	}
	for _, l := range lines {
		if l.Product == nil || l.Product.ID <= 0 {
			return nil, xiezuo.Errorf(xiezuo.EINVALID, "购物车中有无效的商品")
		}
	}
	if key != "" { // a retry answered without the write lock
		if found, err := ordersByKey(ctx, d.db, u.ID, key); err != nil {
			return nil, xiezuo.Internal(err)
		} else if len(found) > 0 {
			return found, nil
		}
	}
	var out []market.Order
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = d.checkoutIn(ctx, tx, u, lines, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkoutIn is one checkout in transaction tx (see Checkout); on an
// error the caller rolls back what it wrote.
func (d *DB) checkoutIn(ctx context.Context, tx *sql.Tx, u *xiezuo.User, lines []market.CartLine, key string) ([]market.Order, error) {
	if key != "" { // a retry that raced the first checkout
		if found, err := ordersByKey(ctx, tx, u.ID, key); err != nil || len(found) > 0 {
			return found, err
		}
	}
	cart, err := checkoutCart(ctx, tx, lines)
	if err != nil {
		return nil, err
	}
	today := d.Today()
	drafts, err := market.SplitCart(cart, today)
	if err != nil {
		return nil, err
	}
	var buyerName string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, u.OrgID).Scan(&buyerName); err != nil {
		return nil, err
	}
	seq, err := nextOrderSeq(ctx, tx, today)
	if err != nil {
		return nil, err
	}
	products := map[int64]*market.Product{}
	for _, l := range cart {
		products[l.Product.ID] = l.Product
	}
	now := d.now()
	out := make([]market.Order, 0, len(drafts))
	for _, dr := range drafts {
		o := dr.Order(u.OrgID, u.ID, today)
		o.BuyerUnitName = buyerName
		if o.No, err = orderNo(today, seq); err != nil {
			return nil, err
		}
		seq++
		if err := o.Validate(); err != nil {
			return nil, err
		}
		for _, l := range o.Lines {
			res, err := tx.ExecContext(ctx, `UPDATE products SET stock = stock - $1 WHERE id = $2 AND stock >= $1`, l.Qty, l.ProductID)
			if err != nil {
				return nil, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return nil, err
			} else if n != 1 {
				p := *products[l.ProductID]
				if err := tx.QueryRowContext(ctx, `SELECT stock FROM products WHERE id = $1`, l.ProductID).Scan(&p.Stock); err != nil {
					return nil, err
				}
				return nil, market.ShortOfStock(&p, l.Qty)
			}
		}
		if err := insertOrder(ctx, tx, &o, key, now); err != nil {
			return nil, err
		}
		if err := d.audit(ctx, tx, u, "create", "order", o.ID, nil, o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// insertOrder writes o and its lines and sets o.ID.
func insertOrder(ctx context.Context, tx *sql.Tx, o *market.Order, key, now string) error {
	if err := tx.QueryRowContext(ctx, `INSERT INTO orders (no, channel, ordered_on, buyer_unit_id, purchaser_id, supplier_id, total_fen, status,
		carrier, tracking_no, invoice_ref, inspection_ref, payment_ref, paid_on, reason, idempotency_key, created_at, updated_at, pledge_id, for_unit_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
		o.No, o.Channel, o.OrderedOn, o.BuyerUnitID, nullID(o.PurchaserID), o.SupplierID, o.TotalFen, string(o.Status),
		o.Carrier, o.TrackingNo, o.InvoiceRef, o.InspectionRef, o.PaymentRef, nullStr(o.PaidOn), o.Reason, nullStr(key), now, now, nullID(o.PledgeID), nullID(o.ForUnitID)).Scan(&o.ID); err != nil {
		return err
	}
	const cols = 10
	vals := make([]string, len(o.Lines))
	args := make([]any, 0, cols*len(o.Lines))
	for i, l := range o.Lines {
		vals[i] = "(" + placeholders(1+i*cols, cols) + ")"
		args = append(args, o.ID, i, nullID(l.ProductID), l.ProductName, l.Category, l.OriginCode, l.Unit, l.Qty, l.PriceFen, l.AmountFen)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, seq, product_id, name, category, origin_code, unit, qty, price_fen, amount_fen)
		VALUES `+strings.Join(vals, ", "), args...)
	return err
}

// checkoutCart reads the products of lines and their suppliers as they are
// now (in the checkout's transaction), and returns the cart with them in
// place of the caller's copies. An unknown product is EINVALID.
func checkoutCart(ctx context.Context, tx *sql.Tx, lines []market.CartLine) ([]market.CartLine, error) {
	ids := make([]any, 0, len(lines))
	seen := map[int64]bool{}
	for _, l := range lines {
		if !seen[l.Product.ID] {
			seen[l.Product.ID] = true
			ids = append(ids, l.Product.ID)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.supplier_id, p.name, p.category, p.origin_code, p.spec, p.unit, p.price_fen, p.stock, p.min_order,
		p.cert_no, COALESCE(p.cert_county, ''), COALESCE(p.cert_valid_until, ''), p.status, p.reason,
		o.name, COALESCE(o.uscc, ''), s.county_code, s.status, s.reason
		FROM products p JOIN suppliers s ON s.org_id = p.supplier_id JOIN organisations o ON o.id = s.org_id
		WHERE p.id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	products := map[int64]*market.Product{}
	suppliers := map[int64]*market.Supplier{}
	for rows.Next() {
		var p market.Product
		var s market.Supplier
		if err := rows.Scan(&p.ID, &p.SupplierID, &p.Name, &p.Category, &p.OriginCode, &p.Spec, &p.Unit, &p.PriceFen, &p.Stock, &p.MinOrder,
			&p.Cert.No, &p.Cert.CountyCode, &p.Cert.ValidUntil, &p.Status, &p.Reason,
			&s.Name, &s.USCC, &s.CountyCode, &s.Status, &s.Reason); err != nil {
			rows.Close()
			return nil, err
		}
		s.ID = p.SupplierID
		p.SupplierName = s.Name
		if suppliers[s.ID] == nil {
			suppliers[s.ID] = &s
		}
		products[p.ID] = &p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pr := xiezuo.Problems{}
	cart := make([]market.CartLine, 0, len(lines))
	for _, l := range lines {
		p := products[l.Product.ID]
		if p == nil {
			pr.Add("qty."+strconv.FormatInt(l.Product.ID, 10), fmt.Sprintf("商品（编号%d）不存在", l.Product.ID))
			continue
		}
		cart = append(cart, market.CartLine{Product: p, Supplier: suppliers[p.SupplierID], Qty: l.Qty})
	}
	return cart, pr.Err()
}

// orderNoPrefix is the start of the shop's order numbers on day today:
// XZ and the date, e.g. XZ20261105; six digits of the day's sequence
// follow (XZ20261105000001).
func orderNoPrefix(today string) string { return "XZ" + strings.ReplaceAll(today, "-", "") }

// orderNo is the seq-th shop order number of day today.
func orderNo(today string, seq int) (string, error) {
	if seq > 999999 {
		return "", xiezuo.Errorf(xiezuo.ECONFLICT, "今日订单数量已达上限，请明天再下单")
	}
	return fmt.Sprintf("%s%06d", orderNoPrefix(today), seq), nil
}

// nextOrderSeq is the next sequence number of day today's shop orders:
// one after the day's highest number (read from the unique index on no).
// Write transactions are serialised (DB.tx) on both engines, so two
// checkouts never read the same one; the unique index would refuse a
// duplicate anyway.
func nextOrderSeq(ctx context.Context, tx *sql.Tx, today string) (int, error) {
	prefix := orderNoPrefix(today)
	var last string
	err := tx.QueryRowContext(ctx, `SELECT no FROM orders WHERE no >= $1 AND no <= $2 ORDER BY no DESC LIMIT 1`,
		prefix+"000000", prefix+"999999").Scan(&last)
	if err == sql.ErrNoRows {
		return 1, nil
	} else if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(last, prefix))
	if err != nil {
		return 0, fmt.Errorf("order number %q: %w", last, err)
	}
	return n + 1, nil
}

// OrderTransition applies step a to order id (market.Transition decides
// who may and what it needs: the supplier confirms and ships, a purchaser
// of the buyer accepts, its management account settles, either party
// cancels before shipping or returns after acceptance). In one
// transaction, audited: the status moves only from the one it was read in
// (a concurrent step that got there first makes this one ECONFLICT); a
// cancellation gives the quantities back to stock (market.ReturnsStock);
// an order that comes to count (market.LedgerEffect +1, on 验收) posts one
// approved consumption contribution dated today, and one that stops
// counting (退货) deletes it, so every total follows. files (the invoice
// and inspection photo of an acceptance) are stored in the same
// transaction and fill in.InvoiceRef / InspectionRef with their
// references (OrderFileRef).
//
// Callers: the order's parties as market.Transition says; anyone else who
// may see it (the office, 监管) gets EFORBIDDEN. Errors: ENOTFOUND (also
// when u may not see the order), EFORBIDDEN, ECONFLICT (wrong status, or
// changed meanwhile), EINVALID (a required input missing, with Fields),
// EINTERNAL.
func (d *DB) OrderTransition(ctx context.Context, u *xiezuo.User, id int64, a market.OrderAction, in market.OrderInput, files ...OrderFile) error {
	for _, s := range []*string{&in.Carrier, &in.TrackingNo, &in.InvoiceRef, &in.InspectionRef, &in.PaymentRef, &in.PaidOn, &in.Reason} {
		*s = strings.TrimSpace(*s)
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		o, err := visibleOrder(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if len(files) > 0 { // stored with the step, or not at all
			if _, err := market.Transition(o, a, u, market.OrderInput{InvoiceRef: "-", Carrier: "-", TrackingNo: "-", PaymentRef: "-", PaidOn: d.Today(), Reason: "-", Today: d.Today()}); err != nil &&
				xiezuo.ErrorCode(err) != xiezuo.EINVALID {
				return err // not u's step: nothing stored
			}
			refs, err := d.addOrderFiles(ctx, tx, u, id, files)
			if err != nil {
				return err
			}
			if r, ok := refs["invoice_ref"]; ok {
				in.InvoiceRef = r
			}
			if r, ok := refs["inspection_ref"]; ok {
				in.InspectionRef = r
			}
		}
		today := d.Today()
		in.Today = today
		to, err := market.Transition(o, a, u, in)
		if err != nil {
			return err
		}
		from := o.Status
		before := orderState(o)
		switch a {
		case market.OrderShip:
			o.Carrier, o.TrackingNo = in.Carrier, in.TrackingNo
		case market.OrderAccept:
			o.InvoiceRef, o.InspectionRef = in.InvoiceRef, in.InspectionRef
		case market.OrderSettle:
			o.PaymentRef, o.PaidOn = in.PaymentRef, in.PaidOn
		case market.OrderCancel, market.OrderReturn:
			o.Reason = in.Reason
		}
		o.Status = to
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, carrier = $2, tracking_no = $3, invoice_ref = $4, inspection_ref = $5,
			payment_ref = $6, paid_on = $7, reason = $8, updated_at = $9 WHERE id = $10 AND status = $11`,
			string(to), o.Carrier, o.TrackingNo, o.InvoiceRef, o.InspectionRef, o.PaymentRef, nullStr(o.PaidOn), o.Reason, d.now(), id, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "订单%s已被他人处理，请刷新后重试", o.No)
		}
		if market.ReturnsStock(to) {
			for _, l := range o.Lines {
				if l.ProductID == 0 {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE products SET stock = stock + $1 WHERE id = $2`, l.Qty, l.ProductID); err != nil {
					return err
				}
			}
		}
		switch market.LedgerEffect(from, to) {
		case 1:
			if err := d.postOrder(ctx, tx, u, o, today); err != nil {
				return err
			}
		case -1:
			if err := d.reverseOrder(ctx, tx, u, o.ID); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, string(a), "order", id, before, orderState(o))
	})
}

// orderState is what the audit log keeps of an order step.
func orderState(o *market.Order) map[string]string {
	m := map[string]string{"status": string(o.Status)}
	for k, v := range map[string]string{"carrier": o.Carrier, "tracking_no": o.TrackingNo, "invoice_ref": o.InvoiceRef,
		"inspection_ref": o.InspectionRef, "payment_ref": o.PaymentRef, "paid_on": o.PaidOn, "reason": o.Reason} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// orderContribution is the ledger line a counted order makes (not yet
// stored): an approved-to-be consumption contribution of the buyer unit,
// given by it, to the origin of the order's goods, delivered on date, for
// the order's total. The county is that of the line with the largest
// amount (a shop order's lines all lie in its supplier's county); the
// township and village are kept only when every line shares them. The
// item lists the product names; quantity and unit are given for a
// one-line order; the supplier is the recipient institution.
func orderContribution(o *market.Order, date string) *ledger.Contribution {
	c := &ledger.Contribution{
		Header:   ledger.Header{UnitID: o.BuyerUnitID, Status: ledger.StatusApproved},
		DateFrom: date, DateTo: date, Givers: []ledger.Org{{ID: o.BuyerUnitID, Name: o.BuyerUnitName}},
		Form: "consumption", Sector: "industry", Delivery: "delivered", AmountFen: o.TotalFen,
		Institution: truncRunes(o.SupplierName, 100), OrderID: o.ID,
		Note: truncRunes("订单"+o.No+"（"+market.ChannelLabel(o.Channel)+"），供应商："+o.SupplierName, 1000),
	}
	best := int64(-1)
	var names []string
	township, village := "", ""
	for i, l := range o.Lines {
		if l.AmountFen > best {
			best, c.CountyCode = l.AmountFen, registry.CountyOf(l.OriginCode)
		}
		t, v := registry.TownshipOf(l.OriginCode), ""
		if registry.LevelOf(l.OriginCode) == registry.LevelVillage {
			v = l.OriginCode
		}
		if i == 0 {
			township, village = t, v
		}
		if t != township {
			township = ""
		}
		if v != village {
			village = ""
		}
		names = append(names, l.ProductName)
	}
	if township != "" && registry.CountyOf(township) == c.CountyCode {
		c.TownshipCode, c.VillageCode = township, village
	}
	c.Item = truncRunes(strings.Join(names, "、"), 200)
	if o.ForUnitID != 0 { // a union's purchase counts to its unit too
		c.Givers = append(c.Givers, ledger.Org{ID: o.ForUnitID, Name: o.ForUnitName})
	}
	if len(o.Lines) == 1 && o.Lines[0].Unit != "" {
		c.Quantity, c.QuantityUnit = o.Lines[0].Qty, o.Lines[0].Unit
	}
	return c
}

// truncRunes cuts s to at most n runes.
func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// postOrder inserts the approved contribution of counted order o
// (orderContribution, dated date), created by u, with its giver and search
// index, and audits it. The triggers count it in the running sums.
func (d *DB) postOrder(ctx context.Context, tx *sql.Tx, u *xiezuo.User, o *market.Order, date string) error {
	c := orderContribution(o, date)
	if c.CountyCode == "" {
		return xiezuo.Errorf(xiezuo.EINVALID, "订单%s的商品产地不在任何县内，不能计入消费帮扶", o.No)
	}
	if err := c.Validate(date); err != nil {
		return err
	}
	if err := d.insertLedgerLine(ctx, tx, u, c, "order_id", o.ID); err != nil {
		return err
	}
	return d.syncOrderPledge(ctx, tx, u, o.ID) // the pledge it fulfils, if any (market_pledges.go)
}

// insertLedgerLine inserts c, approved, created by u, with its first
// giver, linked to the market record that makes it (link: order_id or
// pledge_id, = id; "" for none), with its search index, and audits it. The triggers
// count it in the running sums.
func (d *DB) insertLedgerLine(ctx context.Context, tx *sql.Tx, u *xiezuo.User, c *ledger.Contribution, link string, id int64) error {
	now := d.now()
	cols := append([]string{"unit_id", "status", "created_by", "created_at", "updated_at"}, contributionCols...)
	args := append([]any{c.UnitID, string(ledger.StatusApproved), u.ID, now, now}, contributionArgs(c)...)
	if link != "" { // "": the caller links it from its own table (a plan match)
		cols = append(cols, link)
		args = append(args, id)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO contributions (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(1, len(cols))+`) RETURNING id`,
		args...).Scan(&c.ID); err != nil {
		return err
	}
	if err := insertGivers(ctx, tx, c.ID, c); err != nil {
		return err
	}
	if err := d.indexSearch(ctx, tx, ledger.KindContribution, c.ID); err != nil {
		return err
	}
	after, err := d.getContribution(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "create", string(ledger.KindContribution), c.ID, nil, after)
}

// reverseOrder deletes the contribution of order id, if it has one (the
// office may have removed it), and audits that: the triggers take it out
// of the running sums.
func (d *DB) reverseOrder(ctx context.Context, tx *sql.Tx, u *xiezuo.User, orderID int64) error {
	var cid int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM contributions WHERE order_id = $1`, orderID).Scan(&cid)
	if err == sql.ErrNoRows {
		return d.syncOrderPledge(ctx, tx, u, orderID)
	} else if err != nil {
		return err
	}
	if err := d.removeLedgerLine(ctx, tx, u, cid); err != nil {
		return err
	}
	return d.syncOrderPledge(ctx, tx, u, orderID) // the pledge it fulfilled, if any (market_pledges.go)
}

// removeLedgerLine deletes contribution cid with its givers and search
// index, and audits that: the triggers take it out of the running sums.
func (d *DB) removeLedgerLine(ctx context.Context, tx *sql.Tx, u *xiezuo.User, cid int64) error {
	before, err := d.getContribution(ctx, tx, cid)
	if err != nil {
		return err
	}
	if err := d.unindexSearch(ctx, tx, ledger.KindContribution, "x.id = $1", cid); err != nil {
		return err
	}
	// The givers first, while the contribution still counts, so each
	// trigger takes out what the other put in, whatever the engine's
	// order of cascaded deletes.
	if _, err := tx.ExecContext(ctx, `DELETE FROM contribution_givers WHERE contribution_id = $1`, cid); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contributions WHERE id = $1`, cid); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "delete", string(ledger.KindContribution), cid, before, nil)
}
