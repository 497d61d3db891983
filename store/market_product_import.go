package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// Catalogue imports (issue 12, item 1): package imports parses a
// catalogue workbook (imports.ProductSpec) and writes each row through
// ImportProduct, inside the batch's transaction; a batch can be undone
// (undoProductImport), as every import batch can.

// ProductImportKind is the import batch kind of catalogue imports.
const ProductImportKind = "product"

// SupplierByRef finds the supplier a sheet names: by its 18-character
// USCC, or by its name or an alias. Callers: anyone signed in; a supplier
// u may not see is not found. Errors: ENOTFOUND, EINTERNAL.
func (d *DB) SupplierByRef(ctx context.Context, u *xiezuo.User, ref string) (*market.Supplier, error) {
	ref = strings.TrimSpace(ref)
	var id int64
	err := d.db.QueryRowContext(ctx, `SELECT s.org_id FROM suppliers s JOIN organisations o ON o.id = s.org_id WHERE o.uscc = $1 OR o.name = $2
		UNION SELECT s.org_id FROM suppliers s JOIN org_aliases a ON a.org_id = s.org_id WHERE a.alias = $2`, strings.ToUpper(ref), ref).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "供应商“%s”不存在或尚未登记", ref)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	s, err := visibleSupplier(ctx, d.db, u, id)
	if err != nil {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "供应商“%s”不存在或尚未登记", ref)
	}
	return s, nil
}

// sameListing reports whether stored product a already says what an
// import row b says (the fields an import writes).
func sameListing(a, b *market.Product) bool {
	return a.Name == b.Name && a.Category == b.Category && a.OriginCode == b.OriginCode && a.Spec == b.Spec && a.Unit == b.Unit &&
		a.PriceFen == b.PriceFen && a.Stock == b.Stock && a.MinOrder == b.MinOrder
}

// ImportProduct writes one row of a catalogue import: the product of
// p.SupplierID with p's name and spec is updated (name, category, origin,
// spec, unit, price, stock, minimum order, as SaveProduct does: status and
// certification kept) or, when there is none, created 待认定; a row
// saying what the product already says is skipped (ErrSkipRow). What it
// did is recorded for undoing the batch. It runs only inside an import
// batch (DB.Import; ctx carries the batch). Callers: the office, the
// supplier's own users, the county user of its county
// (market.CanImportProducts). Errors: EFORBIDDEN, EINVALID (fields),
// ENOTFOUND (the supplier), ErrSkipRow, EINTERNAL.
func (d *DB) ImportProduct(ctx context.Context, u *xiezuo.User, p *market.Product) (int64, error) {
	b, ok := ctx.Value(batchKey{}).(*ImportBatch)
	if !ok || b.Kind != ProductImportKind {
		return 0, xiezuo.Internal(fmt.Errorf("ImportProduct outside a catalogue import batch"))
	}
	var s *market.Supplier
	skip := false
	may := func(u *xiezuo.User, q *market.Product) bool {
		return q.SupplierID == s.ID && market.CanImportProducts(u, s)
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if s, err = visibleSupplier(ctx, tx, u, p.SupplierID); err != nil {
			return err
		}
		if !market.CanImportProducts(u, s) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "不能导入供应商“%s”的商品：供应商只能导入本单位的商品，县里只能导入本县供应商的商品", s.Name)
		}
		var id int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM products WHERE supplier_id = $1 AND name = $2 AND spec = $3 ORDER BY id LIMIT 1`,
			p.SupplierID, strings.TrimSpace(p.Name), strings.TrimSpace(p.Spec)).Scan(&id)
		var before *market.Product
		switch {
		case err == sql.ErrNoRows:
			p.ID = 0
		case err != nil:
			return err
		default:
			if before, _, err = getProduct(ctx, tx, id); err != nil {
				return err
			}
			if sameListing(before, p) {
				p.ID, skip = id, true
				return nil
			}
			p.ID = id
		}
		if err := d.saveProduct(ctx, u, p, may); err != nil {
			return err
		}
		var updated string
		if err := tx.QueryRowContext(ctx, `SELECT updated_at FROM products WHERE id = $1`, p.ID).Scan(&updated); err != nil {
			return err
		}
		created, was := 1, ""
		if before != nil {
			created, was = 0, toJSON(before)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO product_import_changes (batch_id, product_id, created, before, stock, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			b.ID, p.ID, created, was, p.Stock, updated)
		return err
	})
	if err == nil && skip {
		return p.ID, ErrSkipRow
	}
	return p.ID, err
}

// undoProductImport takes back catalogue import batch id (status was its
// status) in tx, marks it undone and audits it, setting *n to the number
// of products deleted or restored: a product the batch created is
// deleted, one it updated gets back its fields, its stock going back by
// what the import changed (what was sold since stays sold). Refused
// (ECONFLICT, nothing changed) when a product was changed after the
// import (edited, certified, listed or delisted, or imported again), or
// a created one has been ordered.
func (d *DB) undoProductImport(ctx context.Context, tx *sql.Tx, u *xiezuo.User, id int64, status string, n *int64) error {
	type change struct {
		product          int64
		created          bool
		before, imported string
		stock            int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT product_id, created, before, stock, updated_at FROM product_import_changes WHERE batch_id = $1 ORDER BY product_id`, id)
	if err != nil {
		return err
	}
	var changes []change
	for rows.Next() {
		var c change
		var created int
		if err := rows.Scan(&c.product, &created, &c.before, &c.stock, &c.imported); err != nil {
			rows.Close()
			return err
		}
		c.created = created == 1
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var done []int64
	for _, c := range changes {
		cur, _, err := getProduct(ctx, tx, c.product)
		if xiezuo.ErrorCode(err) == xiezuo.ENOTFOUND {
			continue // deleted since
		} else if err != nil {
			return err
		}
		var updated string
		if err := tx.QueryRowContext(ctx, `SELECT updated_at FROM products WHERE id = $1`, c.product).Scan(&updated); err != nil {
			return err
		}
		if updated != c.imported {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”（编号%d）在导入后又被修改过（编辑、认定、上下架或再次导入），该批次不能撤销", cur.Name, cur.ID)
		}
		if err := d.unindexProducts(ctx, tx, "x.id = $1", c.product); err != nil {
			return err
		}
		if c.created {
			var ordered int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_lines WHERE product_id = $1`, c.product).Scan(&ordered); err != nil {
				return err
			}
			if ordered > 0 {
				return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”（编号%d）已有%d笔订单，该批次不能撤销", cur.Name, cur.ID, ordered)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM products WHERE id = $1`, c.product); err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "delete", "product", c.product, cur, nil); err != nil {
				return err
			}
		} else {
			var was market.Product
			if err := json.Unmarshal([]byte(c.before), &was); err != nil {
				return err
			}
			stock := max(0, cur.Stock+was.Stock-c.stock)
			if _, err := tx.ExecContext(ctx, `UPDATE products SET name = $1, category = $2, origin_code = $3, county_code = $4, spec = $5, unit = $6,
				price_fen = $7, stock = $8, min_order = $9, updated_at = $10 WHERE id = $11`,
				was.Name, was.Category, was.OriginCode, registry.CountyOf(was.OriginCode), was.Spec, was.Unit, was.PriceFen, stock, was.MinOrder, d.now(), c.product); err != nil {
				return err
			}
			if err := d.indexProducts(ctx, tx, "x.id = $1", c.product); err != nil {
				return err
			}
			after, _, err := getProduct(ctx, tx, c.product)
			if err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "update", "product", c.product, cur, after); err != nil {
				return err
			}
		}
		done = append(done, c.product)
	}
	*n = int64(len(done))
	if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, undone_at = $2, undone_by = $3 WHERE id = $4`, ImportUndone, d.now(), u.ID, id); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "undo_import", "import_batch", id, map[string]string{"status": status}, map[string]any{"deleted_or_restored": *n, "products": done})
}
