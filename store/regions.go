package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// UpsertRegions inserts or updates regions (parents must come first or
// already exist) in one transaction, in batches. Re-importing updates names
// and never duplicates. Callers: the CLI `regions import`, demo loading.
// Errors: EINVALID for an unknown parent, EINTERNAL.
func (d *DB) UpsertRegions(ctx context.Context, u *xiezuo.User, regions []registry.Region) (int, error) {
	const batch = 200
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < len(regions); i += batch {
			end := min(i+batch, len(regions))
			var b strings.Builder
			b.WriteString("INSERT INTO regions (code, name, short_name, level, parent_code) VALUES ")
			args := make([]any, 0, 5*(end-i))
			for j, r := range regions[i:end] {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "(%s)", placeholders(len(args)+1, 5))
				args = append(args, r.Code, r.Name, r.ShortName, r.Level, nullStr(r.ParentCode))
			}
			b.WriteString(` ON CONFLICT (code) DO UPDATE SET name = excluded.name, short_name = excluded.short_name,
				level = excluded.level, parent_code = excluded.parent_code`)
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, "import", "regions", 0, nil, map[string]int{"rows": len(regions)})
	})
	if err != nil {
		return 0, err
	}
	return len(regions), nil
}

const regionCols = `r.code, r.name, r.short_name, r.level, COALESCE(r.parent_code, '')`

func scanRegion(s interface{ Scan(...any) error }) (registry.Region, error) {
	var r registry.Region
	err := s.Scan(&r.Code, &r.Name, &r.ShortName, &r.Level, &r.ParentCode)
	return r, err
}

// Region returns one region with its path (省 市 县 …). Anyone may call it.
// Errors: ENOTFOUND.
func (d *DB) Region(ctx context.Context, code string) (registry.Region, error) {
	r, err := scanRegion(d.db.QueryRowContext(ctx, `SELECT `+regionCols+` FROM regions r WHERE r.code = $1`, code))
	if err == sql.ErrNoRows {
		return r, xiezuo.Errorf(xiezuo.ENOTFOUND, "区划代码 %s 不存在", code)
	} else if err != nil {
		return r, xiezuo.Internal(err)
	}
	r.Path, err = d.regionPath(ctx, r)
	return r, err
}

func (d *DB) regionPath(ctx context.Context, r registry.Region) (string, error) {
	names := []string{r.Name}
	parent := r.ParentCode
	for parent != "" {
		var name, next string
		err := d.db.QueryRowContext(ctx, `SELECT name, COALESCE(parent_code, '') FROM regions WHERE code = $1`, parent).Scan(&name, &next)
		if err != nil {
			break
		}
		if name != "市辖区" {
			names = append([]string{name}, names...)
		}
		parent = next
	}
	return strings.Join(names, " "), nil
}

// RegionFilter selects regions for search and pickers.
type RegionFilter struct {
	Query  string // name, short name or code prefix
	Level  int
	Parent string // direct children of this code
	Within string // any descendant of this county or township (code prefix)
	Limit  int
}

// SearchRegions finds regions by official name, short name (金平县 finds
// 金平苗族瑶族傣族自治县) or code prefix. Exact name matches come first.
// Anyone may call it. Errors: EINTERNAL.
func (d *DB) SearchRegions(ctx context.Context, f RegionFilter) ([]registry.Region, error) {
	w := &where{}
	if q := strings.TrimSpace(f.Query); q != "" {
		if isDigits(q) {
			w.add("r.code LIKE ?", q+"%")
		} else {
			w.add("(r.name LIKE ? OR r.short_name LIKE ?)", "%"+q+"%", "%"+q+"%")
		}
	}
	if f.Level > 0 {
		w.add("r.level = ?", f.Level)
	}
	if f.Parent != "" {
		w.add("r.parent_code = ?", f.Parent)
	}
	if f.Within != "" && registry.ValidCode(f.Within) {
		prefix := strings.TrimRight(f.Within, "0")
		if registry.LevelOf(f.Within) == registry.LevelCounty {
			prefix = f.Within[:6]
		} else if registry.LevelOf(f.Within) == registry.LevelTownship {
			prefix = f.Within[:9]
		}
		w.add("r.code LIKE ? AND r.code <> ?", prefix+"%", f.Within)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := strings.TrimSpace(f.Query)
	order := w.next(q)
	order2 := w.next(q)
	sqlText := `SELECT ` + regionCols + ` FROM regions r` + w.sql() +
		` ORDER BY CASE WHEN r.name = ` + order + ` OR r.short_name = ` + order2 + ` THEN 0 ELSE 1 END, r.level, r.code LIMIT ` + fmt.Sprint(f.Limit)
	rows, err := d.db.QueryContext(ctx, sqlText, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []registry.Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	for i := range out {
		out[i].Path, _ = d.regionPath(ctx, out[i])
	}
	return out, nil
}

// ResolveRegion turns what a user typed (code, official or short name)
// into one region, optionally within a county or township. Errors:
// ENOTFOUND, EINVALID when the name is ambiguous.
func (d *DB) ResolveRegion(ctx context.Context, text string, level int, within string) (registry.Region, error) {
	text = strings.TrimSpace(text)
	if isDigits(text) && (len(text) == 2 || len(text) == 4 || len(text) == 6 || len(text) == 9) {
		text = registry.PadCode(text) // an NBS short code: 532531 → 532531000000
	}
	if registry.ValidCode(text) {
		return d.Region(ctx, text)
	}
	rs, err := d.SearchRegions(ctx, RegionFilter{Query: text, Level: level, Within: within, Limit: 20})
	if err != nil {
		return registry.Region{}, err
	}
	var exact []registry.Region
	for _, r := range rs {
		if r.Name == text || r.ShortName == text {
			exact = append(exact, r)
		}
	}
	if len(exact) == 1 {
		return exact[0], nil
	} else if len(exact) == 0 && len(rs) == 1 {
		return rs[0], nil
	} else if len(exact) == 0 && len(rs) == 0 {
		return registry.Region{}, xiezuo.Errorf(xiezuo.ENOTFOUND, "找不到地区“%s”", text)
	}
	return registry.Region{}, xiezuo.Errorf(xiezuo.EINVALID, "地区“%s”有多个匹配，请输入12位区划代码或先选择上级地区", text)
}

// RegionCount returns how many regions are loaded.
func (d *DB) RegionCount(ctx context.Context) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n)
	return n, err
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// checkRegions adds a problem for each non-empty code that is not in the
// regions table.
func checkRegions(ctx context.Context, tx *sql.Tx, p xiezuo.Problems, fields map[string]string) error {
	for field, code := range fields {
		if code == "" {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, code).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			p.Add(field, "区划代码 "+code+" 不存在，请先导入区划或核对代码")
		}
	}
	return nil
}
