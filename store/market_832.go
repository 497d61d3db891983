package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
)

// The 832 counties (issue 12, item 5): supervision counts purchases of
// products from the paired counties or the 832 counties (the counties
// whose products the 扶贫832平台 sells) and flags the rest. The national
// list is not shipped with xiezuo, so the office keeps it here, county by
// county, each resolved in the region registry.

// Counties832 lists the 832 counties the office keeps, by code, with
// their paths. Anyone may call it. Errors: EINTERNAL.
func (d *DB) Counties832(ctx context.Context) ([]registry.Region, error) {
	rs, err := d.queryRegions(ctx, `SELECT `+regionCols+` FROM market_832_counties c JOIN regions r ON r.code = c.code ORDER BY r.code`)
	if err != nil {
		return nil, err
	}
	if err := d.fillPaths(ctx, rs); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return rs, nil
}

// Add832County adds the county text names (a name, short form or path
// as the region registry reads them, or its 12-digit code) to the 832
// list, audited, and returns it. Callers: the office (market.CanKeep832).
// Errors: EFORBIDDEN, EINVALID (field county: empty, not found, several
// matches, not a county), ECONFLICT (listed already), EINTERNAL.
func (d *DB) Add832County(ctx context.Context, u *xiezuo.User, text string) (registry.Region, error) {
	added, listed, err := d.Add832Counties(ctx, u, []string{text})
	switch {
	case err != nil:
		return registry.Region{}, err
	case len(listed) > 0:
		r := listed[0]
		return r, &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "“" + r.Name + "”已在832县名单中", Fields: map[string]string{"county": "“" + r.Name + "”已在名单中"}}
	}
	return added[0], nil
}

// Add832Counties adds the counties texts name (each as Add832County
// reads it; a list pasted from a document) to the 832 list in one
// transaction, each audited: added are the new ones, listed those on the
// list already (or named twice), in the order given. If any text names
// no county, nothing is added. Callers: the office (market.CanKeep832).
// Errors: EFORBIDDEN, EINVALID (field county: every text that names no
// county, each with why), EINTERNAL.
func (d *DB) Add832Counties(ctx context.Context, u *xiezuo.User, texts []string) (added, listed []registry.Region, err error) {
	if err := permit(market.CanKeep832(u), "只有协作办可以维护832县名单"); err != nil {
		return nil, nil, err
	}
	var regions []registry.Region
	var problems []string
	for _, text := range texts {
		r, why, err := d.resolve832(ctx, strings.TrimSpace(text))
		if err != nil {
			return nil, nil, err
		}
		if why != "" {
			problems = append(problems, why)
			continue
		}
		regions = append(regions, r)
	}
	if len(texts) == 0 {
		problems = append(problems, "请填写县名（如 元阳县、红河州元阳县）或12位区划代码")
	}
	if len(problems) > 0 {
		msg := strings.Join(problems, "；")
		return nil, nil, &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"county": msg}}
	}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		added, listed = nil, nil
		seen := map[string]bool{}
		for _, r := range regions {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM market_832_counties WHERE code = $1`, r.Code).Scan(&n); err != nil {
				return err
			}
			if n > 0 || seen[r.Code] {
				listed = append(listed, r)
				continue
			}
			seen[r.Code] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO market_832_counties (code, added_by, added_at) VALUES ($1, $2, $3)`, r.Code, u.ID, d.now()); err != nil {
				return err
			}
			if err := d.audit(ctx, tx, u, "add", "county_832", codeID(r.Code), nil, map[string]string{"code": r.Code, "name": r.Name}); err != nil {
				return err
			}
			added = append(added, r)
		}
		return nil
	})
	return added, listed, err
}

// resolve832 reads text as a county for the 832 list, with its path; why
// says (in Chinese, naming text) when it names none.
func (d *DB) resolve832(ctx context.Context, text string) (r registry.Region, why string, err error) {
	if text == "" {
		return r, "请填写县名（如 元阳县、红河州元阳县）或12位区划代码", nil
	}
	r, err = d.ResolveRegion(ctx, text, registry.LevelCounty, "")
	if xiezuo.ErrorCode(err) == xiezuo.ENOTFOUND && typedCode(text) == "" {
		// Not a county by that name: a province, prefecture or township
		// of it is named as such.
		if other, err2 := d.ResolveRegion(ctx, text, 0, ""); err2 == nil {
			r, err = other, nil
		}
	}
	switch code := xiezuo.ErrorCode(err); {
	case code == xiezuo.ENOTFOUND && typedCode(text) != "":
		return r, "区划代码“" + text + "”不在地区名录中", nil
	case code == xiezuo.ENOTFOUND || code == xiezuo.EINVALID:
		return r, xiezuo.ErrorMessage(err), nil
	case err != nil:
		return r, "", err
	case r.Level != registry.LevelCounty:
		return r, "“" + r.Name + "”（" + r.Code + "）是" + registry.LevelLabel(r.Level) + "一级：832县名单只收县级地区（县、县级市、旗）", nil
	}
	if p, err := d.regionPath(ctx, r); err == nil {
		r.Path = p
	}
	return r, "", nil
}

// Remove832County takes county code off the 832 list, audited, and
// returns its name. Callers: the office (market.CanKeep832). Errors:
// EFORBIDDEN, ENOTFOUND (not listed), EINTERNAL.
func (d *DB) Remove832County(ctx context.Context, u *xiezuo.User, code string) (string, error) {
	if err := permit(market.CanKeep832(u), "只有协作办可以维护832县名单"); err != nil {
		return "", err
	}
	var name string
	err := d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT r.name FROM market_832_counties c JOIN regions r ON r.code = c.code WHERE c.code = $1`, code).Scan(&name)
		if err == sql.ErrNoRows {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "832县名单中没有区划代码为%s的县", code)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM market_832_counties WHERE code = $1`, code); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "remove", "county_832", codeID(code), map[string]string{"code": code, "name": name}, nil)
	})
	return name, err
}

// codeID is a 12-digit region code as an audit entity id.
func codeID(code string) int64 {
	var n int64
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// CountedCounties are the counties whose products count as 消费帮扶 of
// the work: the paired counties and the 832 counties, as a set and as
// sorted codes. Anyone may call it. Errors: EINTERNAL.
func (d *DB) CountedCounties(ctx context.Context) (map[string]bool, []string, error) {
	paired, err := d.PairedCounties(ctx)
	if err != nil {
		return nil, nil, err
	}
	set := map[string]bool{}
	for _, c := range paired {
		set[c.Code] = true
	}
	rows, err := d.db.QueryContext(ctx, `SELECT code FROM market_832_counties`)
	if err != nil {
		return nil, nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, nil, xiezuo.Internal(err)
		}
		set[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, nil, xiezuo.Internal(err)
	}
	codes := make([]string, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return set, codes, nil
}
