package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// The market's catalogue (issue 12, item 1): suppliers and their products.
// A supplier is an organisation of kind 供应商 on the west side in its
// county, with a suppliers row for its admission; its users belong to that
// organisation. Package market decides who may do what (CanRegisterSupplier,
// CanEditSupplier, SupplierTransition, CanEditProduct, ProductTransition,
// CatalogueScopeOf) and what may be sold (Sellable); this file stores it,
// each change with its audit entry in the same transaction.

// supplierOrgKind is the organisation kind of every supplier.
const supplierOrgKind = "供应商"

const supplierSelect = `SELECT o.id, o.name, COALESCE(o.uscc, ''), s.county_code, rc.name, s.farmer_link, s.contact, s.phone, s.status, s.reason
	FROM suppliers s JOIN organisations o ON o.id = s.org_id JOIN regions rc ON rc.code = s.county_code`

type catalogueRow interface{ Scan(...any) error }

func scanSupplier(r catalogueRow) (*market.Supplier, error) {
	var s market.Supplier
	err := r.Scan(&s.ID, &s.Name, &s.USCC, &s.CountyCode, &s.CountyName, &s.FarmerLink, &s.Contact, &s.Phone, &s.Status, &s.Reason)
	return &s, err
}

func supplierNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "供应商（编号%d）不存在", id)
}

func getSupplier(ctx context.Context, q queryer, id int64) (*market.Supplier, error) {
	s, err := scanSupplier(q.QueryRowContext(ctx, supplierSelect+` WHERE s.org_id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, supplierNotFound(id)
	}
	return s, err
}

// visibleSupplier reads a supplier; one u may not see is reported as not
// found, so its existence is not disclosed.
func visibleSupplier(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*market.Supplier, error) {
	s, err := getSupplier(ctx, q, id)
	if err == nil && !market.CanViewSupplier(u, s) {
		return nil, supplierNotFound(id)
	}
	return s, err
}

// catalogueScope restricts a query to what u sees (market.CatalogueScopeOf):
// public is the condition of the public catalogue, supplierCol and
// countyCol the columns a supplier's and a county's scope compare.
func catalogueScope(w *where, u *xiezuo.User, public, supplierCol, countyCol string) {
	c := market.CatalogueScopeOf(u)
	switch {
	case !c.SignedIn:
		w.add("1 = 0")
		return
	case c.All:
		return
	}
	conds := []string{public}
	if c.CountyCode != "" {
		conds = append(conds, countyCol+" = "+w.next(c.CountyCode))
	}
	if c.SupplierID != 0 {
		conds = append(conds, supplierCol+" = "+w.next(c.SupplierID))
	}
	w.conds = append(w.conds, "("+strings.Join(conds, " OR ")+")")
}

// supplierPublic and productPublic are SupplierStatus.Public and
// ProductStatus.Public in SQL (s: suppliers, x: products).
var (
	supplierPublic = "s.status = '" + string(market.SupplierAdmitted) + "'"
	productPublic  = "(x.status = '" + string(market.ProductListed) + "' AND " + supplierPublic + ")"
)

// checkSupplierUnique adds ECONFLICT problems when another organisation
// (not id) has s's name (or alias) or USCC.
func checkSupplierUnique(ctx context.Context, tx *sql.Tx, s *market.Supplier, id int64) error {
	p := map[string]string{}
	var msgs []string
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = $1 AND id <> $2
		UNION SELECT org_id FROM org_aliases WHERE alias = $1 AND org_id <> $2`, s.Name, id).Scan(&other)
	if err == nil {
		p["name"] = "名称已被其他单位使用"
		msgs = append(msgs, fmt.Sprintf("供应商名称“%s”已被其他单位使用", s.Name))
	} else if err != sql.ErrNoRows {
		return err
	}
	var name string
	err = tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE uscc = $1 AND id <> $2`, s.USCC, id).Scan(&name)
	if err == nil {
		p["uscc"] = "统一社会信用代码已被其他单位使用"
		msgs = append(msgs, fmt.Sprintf("统一社会信用代码 %s 已被单位“%s”使用", s.USCC, name))
	} else if err != sql.ErrNoRows {
		return err
	}
	if len(p) > 0 {
		return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: strings.Join(msgs, "；"), Fields: p}
	}
	return nil
}

// CreateSupplier files a supplier's application: its organisation (kind
// 供应商, west side, region its county, its USCC) and its suppliers row in
// status 申请中, in one transaction with their audit entries; s.ID is set
// to the organisation's id. An organisation the registry already lists
// under that name as a 供应商 of the same county (region and USCC empty or
// equal) and that has not applied yet is the applicant: its USCC and region
// are filled in, no second one is made (the demo registers 正华 and 绿鑫 so).
// s.Status and s.Reason are ignored. Callers:
// the office, or the county user of s's county (market.CanRegisterSupplier).
// Errors: EINVALID (fields, USCC check character, unknown county),
// EFORBIDDEN, ECONFLICT (name or USCC already used, the field named).
func (d *DB) CreateSupplier(ctx context.Context, u *xiezuo.User, s *market.Supplier) error {
	s.ID, s.Status, s.Reason = 0, market.SupplierApplied, ""
	if err := s.Validate(); err != nil {
		return err
	}
	if !market.CanRegisterSupplier(u, s.CountyCode) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或供应商所在县的用户可以登记供应商")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"county_code": s.CountyCode}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		registered, err := registeredSupplierOrg(ctx, tx, s)
		if err != nil {
			return err
		}
		var id int64
		if registered != nil {
			id = registered.ID
		}
		if err := checkSupplierUnique(ctx, tx, s, id); err != nil {
			return err
		}
		o := &registry.Organisation{ID: id, Name: s.Name, Kind: supplierOrgKind, Side: registry.SideWest, RegionCode: s.CountyCode, USCC: s.USCC}
		if registered == nil {
			if err := insertOrg(ctx, tx, o); err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "create", "organisation", o.ID, nil, o); err != nil {
				return err
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET region_code = $1, uscc = $2 WHERE id = $3`, s.CountyCode, s.USCC, id); err != nil {
				return err
			}
			after, err := getOrg(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "update", "organisation", id, registered, after); err != nil {
				return err
			}
		}
		s.ID = o.ID
		now := d.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO suppliers (org_id, county_code, farmer_link, contact, phone, status, reason, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.ID, s.CountyCode, s.FarmerLink, s.Contact, s.Phone, string(s.Status), s.Reason, now, now); err != nil {
			return err
		}
		after, err := getSupplier(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		s.CountyName = after.CountyName
		return d.audit(ctx, tx, u, "create", "supplier", s.ID, nil, after)
	})
}

// registeredSupplierOrg is the organisation named s.Name when the
// registry lists it as a west-side 供应商 of s's county (or of no region)
// with no USCC or s's, and it has no suppliers row yet; else nil.
func registeredSupplierOrg(ctx context.Context, tx *sql.Tx, s *market.Supplier) (*registry.Organisation, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT o.id FROM organisations o WHERE o.name = $1 AND o.kind = $2 AND o.side = $3
		AND (o.region_code IS NULL OR o.region_code = $4) AND (o.uscc IS NULL OR o.uscc = $5)
		AND NOT EXISTS (SELECT 1 FROM suppliers s WHERE s.org_id = o.id)`,
		s.Name, supplierOrgKind, registry.SideWest, s.CountyCode, s.USCC).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return getOrg(ctx, tx, id)
}

// UpdateSupplier changes a supplier's profile: name, USCC, county,
// 联农带农, contact and phone (its organisation too). Its status and
// reason are kept (see SupplierTransition); the county may change only
// while it has no products. Renaming it re-indexes its products' search
// words. Callers: the supplier's own users and the office
// (market.CanEditSupplier). Errors: ENOTFOUND (also when u may not see
// it), EFORBIDDEN, EINVALID, ECONFLICT (name or USCC already used).
func (d *DB) UpdateSupplier(ctx context.Context, u *xiezuo.User, s *market.Supplier) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := visibleSupplier(ctx, tx, u, s.ID)
		if err != nil {
			return err
		}
		if !market.CanEditSupplier(u, old) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商本身或协作办可以修改供应商信息")
		}
		s.Status, s.Reason = old.Status, old.Reason
		if err := s.Validate(); err != nil {
			return err
		}
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"county_code": s.CountyCode}); err != nil {
			return err
		}
		if s.CountyCode != old.CountyCode {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE supplier_id = $1`, s.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				p.Add("county_code", fmt.Sprintf("该供应商已有%d件商品，产地在原所在县，不能更改所在县", n))
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := checkSupplierUnique(ctx, tx, s, s.ID); err != nil {
			return err
		}
		renamed := s.Name != old.Name
		if renamed {
			if err := d.unindexProducts(ctx, tx, "x.supplier_id = $1", s.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, uscc = $2, region_code = $3 WHERE id = $4`,
			s.Name, s.USCC, s.CountyCode, s.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suppliers SET county_code = $1, farmer_link = $2, contact = $3, phone = $4, updated_at = $5 WHERE org_id = $6`,
			s.CountyCode, s.FarmerLink, s.Contact, s.Phone, d.now(), s.ID); err != nil {
			return err
		}
		if renamed {
			if err := d.indexProducts(ctx, tx, "x.supplier_id = $1", s.ID); err != nil {
				return err
			}
		}
		after, err := getSupplier(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		s.CountyName = after.CountyName
		return d.audit(ctx, tx, u, "update", "supplier", s.ID, old, after)
	})
}

// Supplier returns one supplier. Callers: anyone signed in who may see it
// (market.CanViewSupplier: admitted suppliers for all; the others for the
// office, 监管, their county and themselves). Errors: ENOTFOUND (also when
// u may not see it).
func (d *DB) Supplier(ctx context.Context, u *xiezuo.User, id int64) (*market.Supplier, error) {
	s, err := visibleSupplier(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return s, nil
}

// SupplierFilter selects suppliers. Query matches a part of the name, or
// the whole USCC.
type SupplierFilter struct {
	CountyCode string
	Status     market.SupplierStatus
	Query      string
	Limit      int // 0: 50; at most 500
	Offset     int
}

// cataloguePage clamps a list's page: limit 1…500, 50 when unset.
func cataloguePage(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = 50
	}
	return min(limit, 500), max(offset, 0)
}

// Suppliers lists the suppliers u may see (market.CanViewSupplier) that f
// selects, by county and name, with their total count. Callers: anyone
// signed in. Errors: EINTERNAL.
func (d *DB) Suppliers(ctx context.Context, u *xiezuo.User, f SupplierFilter) ([]market.Supplier, int, error) {
	w := &where{}
	catalogueScope(w, u, supplierPublic, "s.org_id", "s.county_code")
	if f.CountyCode != "" {
		w.add("s.county_code = ?", f.CountyCode)
	}
	if f.Status != "" {
		w.add("s.status = ?", string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		w.add(`(lower(o.name) LIKE ? ESCAPE '\' OR o.uscc = ?)`, "%"+likeEscape.Replace(lowerASCII(q))+"%", strings.ToUpper(q))
	}
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM suppliers s JOIN organisations o ON o.id = s.org_id`+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	limit, offset := cataloguePage(f.Limit, f.Offset)
	rows, err := d.db.QueryContext(ctx, supplierSelect+w.sql()+fmt.Sprintf(` ORDER BY s.county_code, o.name, o.id LIMIT %d OFFSET %d`, limit, offset), w.args...)
	if err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	defer rows.Close()
	out := []market.Supplier{}
	for rows.Next() {
		s, err := scanSupplier(rows)
		if err != nil {
			return nil, 0, xiezuo.Internal(err)
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	return out, total, nil
}

// SupplierTransition applies an admission step to a supplier, as
// market.SupplierTransition decides: the county recommends, the office
// admits, suspends (reason required) and re-admits; audited. Callers: see
// market.SupplierTransition. Errors: ENOTFOUND (also when u may not see
// it), EFORBIDDEN, ECONFLICT (wrong status), EINVALID (missing reason,
// unknown action).
func (d *DB) SupplierTransition(ctx context.Context, u *xiezuo.User, id int64, a market.SupplierAction, reason string) error {
	reason = strings.TrimSpace(reason)
	return d.tx(ctx, func(tx *sql.Tx) error {
		s, err := visibleSupplier(ctx, tx, u, id)
		if err != nil {
			return err
		}
		next, err := market.SupplierTransition(u, s, a, reason)
		if err != nil {
			return err
		}
		if a != market.SupplierSuspend {
			reason = s.Reason // the reason of the last suspension stays on record
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suppliers SET status = $1, reason = $2, updated_at = $3 WHERE org_id = $4`,
			string(next), reason, d.now(), id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, string(a), "supplier", id,
			map[string]string{"status": string(s.Status)}, map[string]string{"status": string(next), "reason": reason})
	})
}

// Products.

// originName is the name of a product's origin from the county down
// (绿春县大兴镇阿迪村委会), over productFrom's ro, ro1, ro2: the Origin
// that market.Score ranks and the keyword filter searches.
const originName = `COALESCE(ro2.name, '') || COALESCE(ro1.name, '') || ro.name`

const productFrom = ` FROM products x JOIN suppliers s ON s.org_id = x.supplier_id JOIN organisations so ON so.id = x.supplier_id
	JOIN regions ro ON ro.code = x.origin_code
	LEFT JOIN regions ro1 ON ro1.code = ro.parent_code AND ro.level > 3
	LEFT JOIN regions ro2 ON ro2.code = ro1.parent_code AND ro1.level > 3`

const productSelect = `SELECT x.id, x.supplier_id, so.name, x.name, x.category, x.origin_code, ` + originName + `, x.spec, x.unit, x.price_fen,
	x.stock, x.min_order, x.cert_no, COALESCE(x.cert_county, ''), COALESCE(x.cert_valid_until, ''), x.status, x.reason,
	s.county_code, s.status` + productFrom

// scanProduct reads a productSelect row: the product and the parts of its
// supplier the rules ask (id, name, county, status).
func scanProduct(r catalogueRow) (*market.Product, *market.Supplier, error) {
	var p market.Product
	var s market.Supplier
	err := r.Scan(&p.ID, &p.SupplierID, &p.SupplierName, &p.Name, &p.Category, &p.OriginCode, &p.OriginName, &p.Spec, &p.Unit, &p.PriceFen,
		&p.Stock, &p.MinOrder, &p.Cert.No, &p.Cert.CountyCode, &p.Cert.ValidUntil, &p.Status, &p.Reason, &s.CountyCode, &s.Status)
	s.ID, s.Name = p.SupplierID, p.SupplierName
	return &p, &s, err
}

func productNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "商品（编号%d）不存在", id)
}

func getProduct(ctx context.Context, q queryer, id int64) (*market.Product, *market.Supplier, error) {
	p, s, err := scanProduct(q.QueryRowContext(ctx, productSelect+` WHERE x.id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, nil, productNotFound(id)
	}
	return p, s, err
}

// visibleProduct reads a product; one u may not see is reported as not
// found.
func visibleProduct(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*market.Product, *market.Supplier, error) {
	p, s, err := getProduct(ctx, q, id)
	if err == nil && !market.CanViewProduct(u, p, s) {
		return nil, nil, productNotFound(id)
	}
	return p, s, err
}

// SaveProduct creates (ID 0, as 待认定) or updates a product's
// description, category, origin, price, stock and minimum order, checked by
// market.Product.Validate against its supplier's county; its county_code
// is that of its origin. Status, certificate and reason are not changed
// here (see ProductTransition): on create they start empty, on update the
// stored ones are kept, whatever p holds. A supplier's user creating a
// product with no SupplierID creates it for its own supplier. Callers:
// the supplier's own users and the office (market.CanEditProduct).
// Errors: EINVALID (fields, named; unknown origin), EFORBIDDEN, ENOTFOUND
// (the product, or on update one u may not see).
func (d *DB) SaveProduct(ctx context.Context, u *xiezuo.User, p *market.Product) error {
	if p.ID == 0 && p.SupplierID == 0 && u != nil && u.Role == market.RoleSupplier {
		p.SupplierID = u.OrgID
	}
	return d.saveProduct(ctx, u, p, market.CanEditProduct)
}

// saveProduct is SaveProduct with its rule of who may save p as may (the
// catalogue import asks market.CanImportProducts).
func (d *DB) saveProduct(ctx context.Context, u *xiezuo.User, p *market.Product, may func(*xiezuo.User, *market.Product) bool) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		var before *market.Product
		if p.ID == 0 {
			if !may(u, p) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商本身或协作办可以添加商品")
			}
			p.Status, p.Cert, p.Reason = market.ProductDraft, market.Certification{}, ""
		} else {
			old, _, err := visibleProduct(ctx, tx, u, p.ID)
			if err != nil {
				return err
			}
			if !may(u, old) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本供应商的商品")
			}
			before = old
			p.SupplierID, p.Status, p.Cert, p.Reason = old.SupplierID, old.Status, old.Cert, old.Reason
		}
		county := ""
		if p.SupplierID > 0 {
			var err error
			if county, err = supplierCounty(ctx, tx, p.SupplierID); err != nil {
				return err
			}
		}
		if err := p.Validate(county); err != nil {
			return err
		}
		pr := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, pr, map[string]string{"origin_code": p.OriginCode}); err != nil {
			return err
		}
		if err := pr.Err(); err != nil {
			return err
		}
		now := d.now()
		if before == nil {
			if err := tx.QueryRowContext(ctx, `INSERT INTO products (supplier_id, name, category, origin_code, county_code, spec, unit, price_fen, stock, min_order,
				status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
				p.SupplierID, p.Name, p.Category, p.OriginCode, registry.CountyOf(p.OriginCode), p.Spec, p.Unit, p.PriceFen, p.Stock, p.MinOrder,
				string(p.Status), now, now).Scan(&p.ID); err != nil {
				return err
			}
		} else {
			if err := d.unindexProducts(ctx, tx, "x.id = $1", p.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE products SET name = $1, category = $2, origin_code = $3, county_code = $4, spec = $5, unit = $6,
				price_fen = $7, stock = $8, min_order = $9, updated_at = $10 WHERE id = $11`,
				p.Name, p.Category, p.OriginCode, registry.CountyOf(p.OriginCode), p.Spec, p.Unit, p.PriceFen, p.Stock, p.MinOrder, now, p.ID); err != nil {
				return err
			}
		}
		if err := d.indexProducts(ctx, tx, "x.id = $1", p.ID); err != nil {
			return err
		}
		after, _, err := getProduct(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		p.SupplierName, p.OriginName = after.SupplierName, after.OriginName
		action := "create"
		var old any
		if before != nil {
			action, old = "update", before
		}
		return d.audit(ctx, tx, u, action, "product", p.ID, old, after)
	})
}

// supplierCounty is the county of supplier id, or an EINVALID problem on
// supplier_id when there is no such supplier.
func supplierCounty(ctx context.Context, q queryer, id int64) (string, error) {
	var county string
	err := q.QueryRowContext(ctx, `SELECT county_code FROM suppliers WHERE org_id = $1`, id).Scan(&county)
	if err == sql.ErrNoRows {
		return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: fmt.Sprintf("供应商（编号%d）不存在", id),
			Fields: map[string]string{"supplier_id": "供应商不存在"}}
	}
	return county, err
}

// Product returns one product with its supplier's and origin's names.
// Callers: anyone signed in who may see it (market.CanViewProduct: listed
// products of admitted suppliers for all; the others for the office, 监管,
// their county and their supplier). Errors: ENOTFOUND (also when u may not
// see it).
func (d *DB) Product(ctx context.Context, u *xiezuo.User, id int64) (*market.Product, error) {
	p, _, err := visibleProduct(ctx, d.db, u, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return p, nil
}

// ProductTransition applies a listing step to a product as
// market.ProductTransition decides, with in.Today set to the store's
// today (DB.Today): 认定 (in.Cert: number, issuing county, valid until;
// 待认定 → 在售, or a renewal), 下架, 重新上架, 暂停销售 (in.Reason), 解除暂停;
// audited. Callers: see market.ProductTransition (认定 and 暂停: the county
// of the product's supplier or the office; 下架/上架: its supplier or the
// office). Errors: ENOTFOUND (also when u may not see it), EFORBIDDEN,
// ECONFLICT (wrong status; relisting with an expired certificate),
// EINVALID (certificate fields or an expired date, missing reason).
func (d *DB) ProductTransition(ctx context.Context, u *xiezuo.User, id int64, a market.ProductAction, in market.ProductInput) error {
	in.Today = d.Today()
	in.Cert.No, in.Cert.CountyCode, in.Cert.ValidUntil = strings.TrimSpace(in.Cert.No), strings.TrimSpace(in.Cert.CountyCode), strings.TrimSpace(in.Cert.ValidUntil)
	in.Reason = strings.TrimSpace(in.Reason)
	return d.tx(ctx, func(tx *sql.Tx) error {
		p, s, err := visibleProduct(ctx, tx, u, id)
		if err != nil {
			return err
		}
		next, err := market.ProductTransition(u, p, s.CountyCode, a, in)
		if err != nil {
			return err
		}
		now := d.now()
		switch a {
		case market.ProductCertify:
			_, err = tx.ExecContext(ctx, `UPDATE products SET status = $1, cert_no = $2, cert_county = $3, cert_valid_until = $4, updated_at = $5 WHERE id = $6`,
				string(next), in.Cert.No, in.Cert.CountyCode, in.Cert.ValidUntil, now, id)
		case market.ProductSuspend:
			_, err = tx.ExecContext(ctx, `UPDATE products SET status = $1, reason = $2, updated_at = $3 WHERE id = $4`, string(next), in.Reason, now, id)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE products SET status = $1, updated_at = $2 WHERE id = $3`, string(next), now, id)
		}
		if err != nil {
			return err
		}
		after, _, err := getProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		return d.audit(ctx, tx, u, string(a), "product", id, p, after)
	})
}

// ProductFilter selects products. Query is keyword search (market.Score's
// rule: every word in the name, category, origin or supplier name; results
// ranked by market.Rank); without it products come by name. SellableOn (a
// date) keeps only what market.Sellable allows that day.
type ProductFilter struct {
	Query       string
	CountyCode  string // of the origin
	Category    string
	MinPriceFen int64 // 0: no bound
	MaxPriceFen int64 // 0: no bound
	SupplierID  int64
	Status      market.ProductStatus
	SellableOn  string // YYYY-MM-DD
	Limit       int    // 0: 50; at most 500
	Offset      int
}

// productWhere builds the conditions of f for u over productList (the
// products x and their suppliers s), and says whether the keyword filter
// needs productFrom's names joined (a query word of one character).
func (d *DB) productWhere(u *xiezuo.User, f *ProductFilter) (w *where, joinNames bool, grams string, err error) {
	w = &where{}
	catalogueScope(w, u, productPublic, "x.supplier_id", "x.county_code")
	if f.CountyCode != "" {
		w.add("x.county_code = ?", f.CountyCode)
	}
	if f.Category != "" {
		if !market.ValidCategory(f.Category) {
			return nil, false, "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "未知的商品品类", Fields: map[string]string{"category": "请选择品类"}}
		}
		w.add("x.category = ?", f.Category)
	}
	if f.MinPriceFen > 0 {
		w.add("x.price_fen >= ?", f.MinPriceFen)
	}
	if f.MaxPriceFen > 0 {
		w.add("x.price_fen <= ?", f.MaxPriceFen)
	}
	if f.SupplierID != 0 {
		w.add("x.supplier_id = ?", f.SupplierID)
	}
	if f.Status != "" {
		w.add("x.status = ?", string(f.Status))
	}
	if f.SellableOn != "" {
		if !xiezuo.ValidDate(f.SellableOn) {
			return nil, false, "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "可售日期" + xiezuo.DateProblem(f.SellableOn),
				Fields: map[string]string{"sellable_on": "日期" + xiezuo.DateProblem(f.SellableOn)}}
		}
		// market.Sellable in SQL: an admitted supplier, a listed product
		// with a certificate valid that day, and stock. The store test
		// checks the two agree on every product.
		w.add(supplierPublic)
		w.add("x.status = ?", string(market.ProductListed))
		w.add("x.cert_no <> '' AND x.cert_valid_until >= ?", f.SellableOn)
		w.add("x.stock > 0")
	}
	joinNames, grams = d.productSearch(w, f.Query)
	return w, joinNames, grams, nil
}

// productList is what a list's count and candidates read: products x and
// their suppliers s (for the scope and SellableOn); productFrom adds the
// names.
const productList = ` FROM products x JOIN suppliers s ON s.org_id = x.supplier_id`

// productSearch gives the keyword filter's candidates: the products whose
// search words hold every bigram of the query's words (market.QueryWords),
// on SQLite as grams, a query of their ids (record_id) whose arguments it
// adds to w, on PostgreSQL as a test it adds to w (grams "").
// market.Rank (Score > 0: every word in the name, category label, origin's
// names or supplier's name) then confirms each candidate in Go, so the
// filter is the market's rule itself. A word of one character has no
// bigram: for such words LIKE over productFrom's names filters instead,
// and productSearch reports that those joins are needed.
func (d *DB) productSearch(w *where, q string) (joinNames bool, grams string) {
	words := market.QueryWords(q)
	var gs []string
	for _, word := range words {
		wg := searchGrams(word)
		gs = append(gs, wg...)
		if len(wg) > 0 {
			continue
		}
		joinNames = true
		pat := "%" + likeEscape.Replace(lowerASCII(word)) + "%"
		likes := []string{
			"lower(x.name) LIKE " + w.next(pat) + ` ESCAPE '\'`,
			"lower(so.name) LIKE " + w.next(pat) + ` ESCAPE '\'`,
			"lower(" + originName + ") LIKE " + w.next(pat) + ` ESCAPE '\'`,
		}
		var cats []string
		for _, c := range market.Categories {
			if strings.Contains(strings.ToLower(c.Label), word) {
				cats = append(cats, w.next(c.Code))
			}
		}
		if len(cats) > 0 {
			likes = append(likes, "x.category IN ("+strings.Join(cats, ", ")+")")
		}
		w.conds = append(w.conds, "("+strings.Join(likes, " OR ")+")")
	}
	slices.Sort(gs)
	gs = slices.Compact(gs)
	if len(gs) > 0 { // Score checks what a long query's few bigrams leave
		grams = d.gramsMatch(w, productKind, gs)
	}
	return joinNames, grams
}

// Products lists the products u may see (market.CanViewProduct) that f
// selects, with their total count: ranked by market.Rank when f.Query is
// set, else by name. Callers: anyone signed in (buyers browse the public
// catalogue: listed products of admitted suppliers; suppliers see their
// own drafts; the office, 监管 and the county see everything of their
// scope). Errors: EINVALID (unknown category, bad SellableOn date),
// EINTERNAL.
func (d *DB) Products(ctx context.Context, u *xiezuo.User, f ProductFilter) ([]market.Product, int, error) {
	w, joinNames, grams, err := d.productWhere(u, &f)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := cataloguePage(f.Limit, f.Offset)
	if len(market.QueryWords(f.Query)) == 0 {
		var total int
		if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*)`+productList+w.sql(), w.args...).Scan(&total); err != nil {
			return nil, 0, xiezuo.Internal(err)
		}
		ids, err := d.productIDs(ctx, `SELECT x.id`+productList+w.sql()+fmt.Sprintf(` ORDER BY x.name, x.id LIMIT %d OFFSET %d`, limit, offset), w.args...)
		if err != nil {
			return nil, 0, err
		}
		out, err := d.productsByID(ctx, ids)
		return out, total, err
	}
	// Every candidate, with the fields market.Score reads (the names from
	// small lookups), ranked; then the page's products read whole.
	from := productList
	if joinNames {
		from = productFrom
	}
	// On SQLite the candidates are read from the search words first, each
	// product by its key: left to itself, SQLite scans every listed product
	// by status, testing each against the words (23 ms for 3,570 matches
	// in 100,000 products). PostgreSQL's test is on the product's own
	// grams (gramsMatch added it to w), which its GIN index answers.
	if grams != "" {
		from = strings.Replace(from, " FROM products x", " FROM ("+grams+") g CROSS JOIN products x", 1)
		w.add("x.id = g.record_id")
	}
	rows, err := d.db.QueryContext(ctx, `SELECT x.id, x.name, x.category, x.origin_code, x.supplier_id`+from+w.sql()+` ORDER BY x.name, x.id`, w.args...)
	if err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	var cands []market.Product
	for rows.Next() {
		var p market.Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Category, &p.OriginCode, &p.SupplierID); err != nil {
			rows.Close()
			return nil, 0, xiezuo.Internal(err)
		}
		cands = append(cands, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	if err := d.fillSearchNames(ctx, cands); err != nil {
		return nil, 0, err
	}
	ranked := market.Rank(cands, f.Query)
	total := len(ranked)
	if offset >= total {
		return []market.Product{}, total, nil
	}
	ranked = ranked[offset:min(total, offset+limit)]
	ids := make([]int64, len(ranked))
	for i, p := range ranked {
		ids[i] = p.ID
	}
	out, err := d.productsByID(ctx, ids)
	return out, total, err
}

// fillSearchNames sets the supplier's and origin's names of ps, reading
// each distinct supplier and origin once.
func (d *DB) fillSearchNames(ctx context.Context, ps []market.Product) error {
	suppliers, origins := map[int64]string{}, map[string]string{}
	for _, p := range ps {
		suppliers[p.SupplierID], origins[p.OriginCode] = "", ""
	}
	var sargs, oargs []any
	for id := range suppliers {
		sargs = append(sargs, id)
	}
	for code := range origins {
		oargs = append(oargs, code)
	}
	read := func(q string, args []any, set func(rows *sql.Rows) error) error {
		for len(args) > 0 {
			n := min(len(args), 500)
			rows, err := d.db.QueryContext(ctx, fmt.Sprintf(q, placeholders(1, n)), args[:n]...)
			if err != nil {
				return xiezuo.Internal(err)
			}
			for rows.Next() {
				if err := set(rows); err != nil {
					rows.Close()
					return xiezuo.Internal(err)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return xiezuo.Internal(err)
			}
			args = args[n:]
		}
		return nil
	}
	if err := read(`SELECT id, name FROM organisations WHERE id IN (%s)`, sargs, func(rows *sql.Rows) error {
		var id int64
		var name string
		err := rows.Scan(&id, &name)
		suppliers[id] = name
		return err
	}); err != nil {
		return err
	}
	if err := read(`SELECT ro.code, `+originName+` FROM regions ro
		LEFT JOIN regions ro1 ON ro1.code = ro.parent_code AND ro.level > 3
		LEFT JOIN regions ro2 ON ro2.code = ro1.parent_code AND ro1.level > 3 WHERE ro.code IN (%s)`, oargs, func(rows *sql.Rows) error {
		var code, name string
		err := rows.Scan(&code, &name)
		origins[code] = name
		return err
	}); err != nil {
		return err
	}
	for i := range ps {
		ps[i].SupplierName, ps[i].OriginName = suppliers[ps[i].SupplierID], origins[ps[i].OriginCode]
	}
	return nil
}

func (d *DB) productIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, xiezuo.Internal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return ids, nil
}

// productsByID reads the products ids whole, in that order.
func (d *DB) productsByID(ctx context.Context, ids []int64) ([]market.Product, error) {
	if len(ids) == 0 {
		return []market.Product{}, nil
	}
	args := make([]any, len(ids))
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		args[i], at[id] = id, i
	}
	page, err := d.queryProducts(ctx, productSelect+` WHERE x.id IN (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]market.Product, len(ids))
	for _, p := range page {
		out[at[p.ID]] = p
	}
	return out, nil
}

func (d *DB) queryProducts(ctx context.Context, q string, args ...any) ([]market.Product, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	out := []market.Product{}
	for rows.Next() {
		p, _, err := scanProduct(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}

// Search words of products (search.go: kind productKind).

// productText selects, over productFrom's joins, each product's id and the
// fields market.Score ranks.
const productText = `SELECT x.id, x.name, x.category, ` + originName + `, so.name FROM products x JOIN organisations so ON so.id = x.supplier_id
	JOIN regions ro ON ro.code = x.origin_code
	LEFT JOIN regions ro1 ON ro1.code = ro.parent_code AND ro.level > 3
	LEFT JOIN regions ro2 ON ro2.code = ro1.parent_code AND ro1.level > 3`

// productGrams is productText's search words: the fields market.Score
// ranks, the category by its label.
var productGrams = gramText{productText, 4, func(v []string) []string {
	return searchGrams(v[0], market.CategoryLabel(v[1]), v[2], v[3])
}}

// indexProducts writes the bigrams of the products cond selects.
func (d *DB) indexProducts(ctx context.Context, tx execer, cond string, args ...any) error {
	return d.index(ctx, tx, productKind, productGrams, cond, args)
}

// unindexProducts deletes the bigrams of the products cond selects, from
// their stored text: call it before that text changes.
func (d *DB) unindexProducts(ctx context.Context, tx execer, cond string, args ...any) error {
	return d.unindex(ctx, tx, productKind, productGrams, cond, args)
}
