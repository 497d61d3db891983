package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// requireAdmin enforces ledger.CanManageRegistry.
func requireAdmin(u *xiezuo.User) error {
	return permit(ledger.CanManageRegistry(u), "只有协作办管理员可以维护基础信息")
}

// SaveOrg creates (ID 0) or updates an organisation with its aliases.
// Callers: office admin. Errors: EFORBIDDEN, EINVALID (fields, unknown
// region, bad USCC), ECONFLICT (name, alias or USCC already used), ENOTFOUND.
func (d *DB) SaveOrg(ctx context.Context, u *xiezuo.User, o *registry.Organisation) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"region_code": o.RegionCode}); err != nil {
			return err
		}
		for _, name := range append([]string{o.Name}, o.Aliases...) {
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = $1 AND id <> $2
				UNION SELECT org_id FROM org_aliases WHERE alias = $1 AND org_id <> $2`, name, o.ID).Scan(&other)
			if err == nil {
				return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: fmt.Sprintf("名称或别名“%s”已被其他单位使用", name), Fields: map[string]string{"name": "名称或别名已被使用"}}
			} else if err != sql.ErrNoRows {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		var before any
		if o.ID == 0 {
			if err := insertOrg(ctx, tx, o); err != nil {
				return err
			}
		} else {
			old, err := getOrg(ctx, tx, o.ID)
			if err != nil {
				return err
			}
			before = old
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, kind = $2, side = $3, region_code = $4, uscc = $5 WHERE id = $6`,
				o.Name, o.Kind, o.Side, nullStr(o.RegionCode), nullStr(o.USCC), o.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM org_aliases WHERE org_id = $1`, o.ID); err != nil {
				return err
			}
			if err := insertAliases(ctx, tx, o); err != nil {
				return err
			}
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return d.audit(ctx, tx, u, action, "organisation", o.ID, before, o)
	})
}

// ImportOrg registers o as a row of an organisations import (ctx carries
// the batch's transaction; the batch has one audit entry). A name, alias
// or 统一社会信用代码 already registered makes ErrSkipRow, so the same file
// imports once. Callers: office admin. Errors: EFORBIDDEN, EINVALID.
func (d *DB) ImportOrg(ctx context.Context, u *xiezuo.User, o *registry.Organisation) (int64, error) {
	if err := requireAdmin(u); err != nil {
		return 0, err
	}
	skip := false
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organisations WHERE name = $1 OR (uscc = $2 AND $2 <> ''))
			+ (SELECT COUNT(*) FROM org_aliases WHERE alias = $1)`, o.Name, o.USCC).Scan(&n)
		for _, a := range o.Aliases {
			if err != nil || n > 0 {
				break
			}
			err = tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organisations WHERE name = $1) + (SELECT COUNT(*) FROM org_aliases WHERE alias = $1)`, a).Scan(&n)
		}
		if err != nil || n > 0 {
			skip = n > 0
			return err
		}
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"region_code": o.RegionCode}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		return insertOrg(ctx, tx, o)
	})
	if skip {
		return 0, ErrSkipRow
	}
	return o.ID, err
}

// insertOrg inserts a new organisation with its aliases.
func insertOrg(ctx context.Context, tx *sql.Tx, o *registry.Organisation) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, kind, side, region_code, uscc) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		o.Name, o.Kind, o.Side, nullStr(o.RegionCode), nullStr(o.USCC)).Scan(&o.ID)
	if err != nil {
		return err
	}
	return insertAliases(ctx, tx, o)
}

func insertAliases(ctx context.Context, tx *sql.Tx, o *registry.Organisation) error {
	for _, a := range o.Aliases {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_aliases (org_id, alias) VALUES ($1, $2)`, o.ID, a); err != nil {
			return err
		}
	}
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const orgCols = `o.id, o.name, o.kind, o.side, COALESCE(o.region_code, ''), COALESCE(rg.name, ''), COALESCE(o.uscc, '')`
const orgFrom = ` FROM organisations o LEFT JOIN regions rg ON rg.code = o.region_code`

func getOrg(ctx context.Context, q queryer, id int64) (*registry.Organisation, error) {
	var o registry.Organisation
	err := q.QueryRowContext(ctx, `SELECT `+orgCols+orgFrom+` WHERE o.id = $1`, id).
		Scan(&o.ID, &o.Name, &o.Kind, &o.Side, &o.RegionCode, &o.RegionName, &o.USCC)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "单位不存在")
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT alias FROM org_aliases WHERE org_id = $1 ORDER BY alias`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		o.Aliases = append(o.Aliases, a)
	}
	return &o, rows.Err()
}

// Org returns one organisation. Anyone signed in may call it. Errors: ENOTFOUND.
func (d *DB) Org(ctx context.Context, id int64) (*registry.Organisation, error) {
	o, err := getOrg(ctx, d.db, id)
	return o, mapDBError0(err)
}

// mapDBError0 is mapDBError that keeps nil.
func mapDBError0(err error) error {
	if err == nil {
		return nil
	}
	return mapDBError(err)
}

// OrgFilter selects organisations.
type OrgFilter struct {
	Query string // name or alias contains
	Side  string
	Kind  string
	Limit int
	// NoAliases leaves Aliases empty (a picker that lists names only).
	NoAliases bool
}

// FindOrgs lists organisations by name or alias. Anyone signed in may call
// it. Errors: EINTERNAL.
func (d *DB) FindOrgs(ctx context.Context, f OrgFilter) ([]registry.Organisation, error) {
	w := &where{}
	if q := strings.TrimSpace(f.Query); q != "" {
		w.add("(o.name LIKE ? OR o.id IN (SELECT org_id FROM org_aliases WHERE alias LIKE ?) OR o.uscc = ?)", "%"+q+"%", "%"+q+"%", strings.ToUpper(q))
	}
	if f.Side != "" {
		w.add("o.side = ?", f.Side)
	}
	if f.Kind != "" {
		w.add("o.kind = ?", f.Kind)
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 100
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+orgCols+orgFrom+w.sql()+fmt.Sprintf(` ORDER BY o.side, o.kind, o.name LIMIT %d`, f.Limit), w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []registry.Organisation
	for rows.Next() {
		var o registry.Organisation
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Side, &o.RegionCode, &o.RegionName, &o.USCC); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if f.NoAliases {
		return out, nil
	}
	aliases, err := d.aliasMap(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Aliases = aliases[out[i].ID]
	}
	return out, nil
}

func (d *DB) aliasMap(ctx context.Context) (map[int64][]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT org_id, alias FROM org_aliases ORDER BY alias`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	m := map[int64][]string{}
	for rows.Next() {
		var id int64
		var a string
		if err := rows.Scan(&id, &a); err != nil {
			return nil, xiezuo.Internal(err)
		}
		m[id] = append(m[id], a)
	}
	return m, rows.Err()
}

// OrgByName finds an organisation by exact name or alias (拼多多 →
// 上海寻梦信息技术有限公司). Errors: ENOTFOUND.
func (d *DB) OrgByName(ctx context.Context, name string) (*registry.Organisation, error) {
	name = strings.TrimSpace(name)
	var id int64
	err := d.db.QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = $1 UNION SELECT org_id FROM org_aliases WHERE alias = $1`, name).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "找不到单位“%s”", name)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return d.Org(ctx, id)
}

// checkOrgs adds a problem when any id is not an organisation.
func checkOrgs(ctx context.Context, tx *sql.Tx, p xiezuo.Problems, field, label string, ids ...int64) error {
	refs := make([]orgRef, len(ids))
	for i, id := range ids {
		refs[i] = orgRef{field, label, id}
	}
	return checkOrgRefs(ctx, tx, p, refs)
}

// orgRef is one organisation a record names: its field, the field's label
// for the message, and the id (0: none).
type orgRef struct {
	field, label string
	id           int64
}

// orgRefs are the references of one field naming orgs.
func orgRefs(field, label string, orgs []ledger.Org) []orgRef {
	refs := make([]orgRef, len(orgs))
	for i, o := range orgs {
		refs[i] = orgRef{field, label, o.ID}
	}
	return refs
}

// checkOrgRefs adds a problem for each reference that is not an
// organisation, all checked in one statement (a write's statements are
// round trips inside the write transaction on PostgreSQL).
func checkOrgRefs(ctx context.Context, tx *sql.Tx, p xiezuo.Problems, refs []orgRef) error {
	var ids []any
	for _, r := range refs {
		if r.id != 0 {
			ids = append(ids, r.id)
		}
	}
	found, err := present[int64](ctx, tx, `SELECT id FROM organisations WHERE id IN `, ids)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if r.id != 0 && !found[r.id] {
			p.Add(r.field, fmt.Sprintf("%s（编号%d）不存在", r.label, r.id))
		}
	}
	return nil
}

// present runs q (… IN, the list of keys appended) and returns the keys
// it selects.
func present[K comparable](ctx context.Context, tx *sql.Tx, q string, keys []any) (map[K]bool, error) {
	found := map[K]bool{}
	if len(keys) == 0 {
		return found, nil
	}
	rows, err := tx.QueryContext(ctx, q+`(`+placeholders(1, len(keys))+`)`, keys...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k K
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		found[k] = true
	}
	return found, rows.Err()
}

// pairingFrom joins a pairing p to its lead east unit eo and its west
// party: an organisation wo, or a region wr read with its township wr1
// and county wr2, so that pairingWest is 红河县架车乡扎垤村委会 as the
// organisations' names read 红河县甲寅镇.
const pairingFrom = ` pairings p JOIN organisations eo ON eo.id = p.east_org_id LEFT JOIN organisations wo ON wo.id = p.west_org_id
	LEFT JOIN regions wr ON wr.code = p.west_region_code
	LEFT JOIN regions wr1 ON wr1.code = wr.parent_code AND wr.level > 3
	LEFT JOIN regions wr2 ON wr2.code = wr1.parent_code AND wr1.level > 3`

// pairingWest is the west party's name; pairingPlace its region (see
// registry.Pairing.Place), both over pairingFrom.
const (
	pairingWest  = `COALESCE(wo.name, COALESCE(wr2.name, '') || COALESCE(wr1.name, '') || wr.name)`
	pairingPlace = `COALESCE(p.west_region_code, wo.region_code, '')`
)

// SavePairing creates (ID 0) or updates a pairing with its partners.
// Callers: office admin. Errors: EFORBIDDEN, EINVALID, ECONFLICT (same
// pairing exists), ENOTFOUND.
func (d *DB) SavePairing(ctx context.Context, u *xiezuo.User, p *registry.Pairing) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		pr := xiezuo.Problems{}
		side := func(id int64) string {
			var s string
			_ = tx.QueryRowContext(ctx, `SELECT side FROM organisations WHERE id = $1`, id).Scan(&s)
			return s
		}
		if side(p.EastOrgID) != registry.SideEast {
			pr.Add("east_org_id", "东部结对单位不存在或不是东部单位")
		}
		for _, o := range p.Partners {
			if side(o.ID) != registry.SideEast {
				pr.Add("partners", "共同结对单位不存在或不是东部单位")
				break
			}
		}
		var west, region any
		if p.WestOrgID != 0 {
			west = p.WestOrgID
			if side(p.WestOrgID) != registry.SideWest {
				pr.Add("west_org_id", "西部结对单位不存在或不是西部单位")
			}
		} else {
			region = p.WestRegionCode
			var level int
			_ = tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE code = $1`, p.WestRegionCode).Scan(&level)
			if level < registry.LevelCounty {
				pr.Add("west_region_code", "西部结对地区应为已登记的县、乡镇或村")
			}
		}
		if err := pr.Err(); err != nil {
			return err
		}
		var yearTo any
		if p.YearTo != 0 {
			yearTo = p.YearTo
		}
		action := "update"
		if p.ID == 0 {
			action = "create"
			err := tx.QueryRowContext(ctx, `INSERT INTO pairings (kind, east_org_id, west_org_id, west_region_code, party_count, year_from, year_to, note)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				p.Kind, p.EastOrgID, west, region, p.PartyCount, p.YearFrom, yearTo, p.Note).Scan(&p.ID)
			if err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE pairings SET kind = $1, east_org_id = $2, west_org_id = $3, west_region_code = $4, party_count = $5,
				year_from = $6, year_to = $7, note = $8 WHERE id = $9`,
				p.Kind, p.EastOrgID, west, region, p.PartyCount, p.YearFrom, yearTo, p.Note, p.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return xiezuo.Errorf(xiezuo.ENOTFOUND, "结对关系不存在")
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM pairing_partners WHERE pairing_id = $1`, p.ID); err != nil {
				return err
			}
		}
		for i, o := range p.Partners {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pairing_partners (pairing_id, org_id, seq) VALUES ($1, $2, $3)`, p.ID, o.ID, i); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, action, "pairing", p.ID, nil, p)
	})
}

// ResolveWestParty reads a pairing's west party as typed: an
// organisation's name or alias (红河县人民医院), else a county, township or
// village (红河县架车乡扎垤村, 扎垤村, a 12-digit code) as ResolveRegion
// reads it. A pairing that stands for several pairs (pairs > 1) is kept at
// a county, so its text is read as a region only (红河县 the county, not
// the county government). One of the two results is set. Anyone may call
// it. Errors: ENOTFOUND, EINVALID (ambiguous region: the message lists
// candidates).
func (d *DB) ResolveWestParty(ctx context.Context, text string, pairs int) (orgID int64, region string, err error) {
	text = strings.TrimSpace(text)
	if pairs <= 1 {
		if o, err := d.OrgByName(ctx, text); err == nil {
			return o.ID, "", nil
		} else if xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			return 0, "", err
		}
	}
	r, err := d.ResolveRegion(ctx, text, 0, "")
	if err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.ENOTFOUND {
			return 0, "", xiezuo.Errorf(xiezuo.ENOTFOUND, "“%s”既不是已登记的单位，也不是县、乡镇或村", text)
		}
		return 0, "", err
	}
	if r.Level < registry.LevelCounty {
		return 0, "", xiezuo.Errorf(xiezuo.EINVALID, "“%s”是%s，西部结对方应为单位或县、乡镇、村", text, registry.LevelLabel(r.Level))
	}
	return 0, r.Code, nil
}

// PairingFilter selects pairings.
type PairingFilter struct {
	Kind   string
	OrgID  int64 // any party
	County string
	Year   int // in force that year (year_from ≤ Year ≤ year_to or open-ended)
}

// where selects the filter's pairings p (its west organisation joined as wo).
func (f PairingFilter) where() *where {
	w := &where{}
	if f.Kind != "" {
		w.add("p.kind = ?", f.Kind)
	}
	if f.OrgID != 0 {
		w.add("(p.east_org_id = ? OR p.west_org_id = ? OR EXISTS (SELECT 1 FROM pairing_partners pp WHERE pp.pairing_id = p.id AND pp.org_id = ?))", f.OrgID, f.OrgID, f.OrgID)
	}
	if f.County != "" && len(f.County) == 12 {
		w.add(pairingPlace+" LIKE ?", f.County[:6]+"%")
	}
	if f.Year != 0 {
		w.add("p.year_from <= ? AND (p.year_to IS NULL OR p.year_to >= ?)", f.Year, f.Year)
	}
	return w
}

// Pairings lists pairings with party names and partners. Anyone signed in
// may call it.
func (d *DB) Pairings(ctx context.Context, f PairingFilter) ([]registry.Pairing, error) {
	w := f.where()
	rows, err := d.db.QueryContext(ctx, `SELECT p.id, p.kind, p.east_org_id, eo.name, COALESCE(p.west_org_id, 0), COALESCE(p.west_region_code, ''), `+pairingWest+`,
		`+pairingPlace+`, p.party_count, p.year_from, COALESCE(p.year_to, 0), p.note
		FROM`+pairingFrom+w.sql()+` ORDER BY p.kind, eo.name, 7, p.id`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []registry.Pairing
	at := map[int64]int{}
	for rows.Next() {
		var p registry.Pairing
		if err := rows.Scan(&p.ID, &p.Kind, &p.EastOrgID, &p.EastName, &p.WestOrgID, &p.WestRegionCode, &p.WestName, &p.Place, &p.PartyCount,
			&p.YearFrom, &p.YearTo, &p.Note); err != nil {
			return nil, xiezuo.Internal(err)
		}
		at[p.ID] = len(out)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// The partners of every pairing: few, read at once.
	prows, err := d.db.QueryContext(ctx, `SELECT pp.pairing_id, o.id, o.name FROM pairing_partners pp JOIN organisations o ON o.id = pp.org_id ORDER BY pp.pairing_id, pp.seq`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer prows.Close()
	for prows.Next() {
		var pid int64
		var o registry.Party
		if err := prows.Scan(&pid, &o.ID, &o.Name); err != nil {
			return nil, xiezuo.Internal(err)
		}
		if i, ok := at[pid]; ok {
			out[i].Partners = append(out[i].Partners, o)
		}
	}
	return out, prows.Err()
}

// readPairedCounties reads PairedCounties (registrycache.go keeps them).
func (d *DB) readPairedCounties(ctx context.Context) ([]registry.Region, error) {
	rs, err := d.queryRegions(ctx, `SELECT `+regionCols+` FROM`+pairingFrom+` JOIN regions r ON r.code = `+pairingPlace+`
		WHERE p.kind = $1 AND r.level = $2 ORDER BY eo.name, `+pairingWest+`, p.id`, registry.PairingCounty, registry.LevelCounty)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r.Code] {
			seen[r.Code] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// PeopleFilter selects posted people: those whose term overlaps From..To
// (either may be empty), posted to County (its townships included).
type PeopleFilter struct {
	County   string
	From, To string
}

func (f PeopleFilter) where() *where {
	w := &where{}
	if len(f.County) == 12 {
		w.add("p.dest_code LIKE ?", f.County[:6]+"%")
	}
	if f.To != "" {
		w.add("(p.term_from IS NULL OR p.term_from <= ?)", f.To)
	}
	if f.From != "" {
		w.add("(p.term_to IS NULL OR p.term_to = '' OR p.term_to >= ?)", f.From)
	}
	return w
}

// SavePerson creates (ID 0) or updates a posted cadre or professional.
// Callers: office admin. Errors: EFORBIDDEN, EINVALID, ENOTFOUND.
func (d *DB) SavePerson(ctx context.Context, u *xiezuo.User, p *registry.Person) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		pr := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, pr, map[string]string{"dest_code": p.DestCode}); err != nil {
			return err
		}
		if err := checkOrgs(ctx, tx, pr, "org_id", "派出单位", p.OrgID); err != nil {
			return err
		}
		if err := pr.Err(); err != nil {
			return err
		}
		action := "update"
		if p.ID == 0 {
			action = "create"
			if err := tx.QueryRowContext(ctx, `INSERT INTO people (name, kind, org_id, dest_code, post, term_from, term_to, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				p.Name, p.Kind, p.OrgID, p.DestCode, p.Post, nullStr(p.TermFrom), nullStr(p.TermTo), p.Note).Scan(&p.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE people SET name = $1, kind = $2, org_id = $3, dest_code = $4, post = $5, term_from = $6, term_to = $7, note = $8 WHERE id = $9`,
			p.Name, p.Kind, p.OrgID, p.DestCode, p.Post, nullStr(p.TermFrom), nullStr(p.TermTo), p.Note, p.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, action, "person", p.ID, nil, p)
	})
}

// People lists posted people with unit and destination names.
func (d *DB) People(ctx context.Context, f PeopleFilter) ([]registry.Person, error) {
	w := f.where()
	rows, err := d.db.QueryContext(ctx, `SELECT p.id, p.name, p.kind, p.org_id, o.name, p.dest_code, r.name, p.post, COALESCE(p.term_from, ''), COALESCE(p.term_to, ''), p.note
		FROM people p JOIN organisations o ON o.id = p.org_id JOIN regions r ON r.code = p.dest_code`+w.sql()+` ORDER BY p.dest_code, p.term_from, p.name`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []registry.Person
	for rows.Next() {
		var p registry.Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &p.OrgID, &p.OrgName, &p.DestCode, &p.DestName, &p.Post, &p.TermFrom, &p.TermTo, &p.Note); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
