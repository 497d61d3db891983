package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	rs := []registry.Region{r}
	if err := d.fillPaths(ctx, rs); err != nil {
		return "", err
	}
	return rs[0].Path, nil
}

// fillPaths sets the Path (省 市 县 …, without 市辖区) of each region from
// its ancestors, read in one statement however many regions there are.
func (d *DB) fillPaths(ctx context.Context, rs []registry.Region) error {
	if len(rs) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var starts []any
	for _, r := range rs {
		if r.ParentCode != "" && !seen[r.ParentCode] {
			seen[r.ParentCode] = true
			starts = append(starts, r.ParentCode)
		}
	}
	// The ancestors of each parent, the nearest first.
	up := map[string][]string{}
	if len(starts) > 0 {
		rows, err := d.db.QueryContext(ctx, `WITH RECURSIVE up (start, code, name, parent, depth) AS (
			SELECT r.code, r.code, r.name, r.parent_code, 0 FROM regions r WHERE r.code IN (`+placeholders(1, len(starts))+`)
			UNION ALL SELECT up.start, p.code, p.name, p.parent_code, up.depth + 1 FROM regions p JOIN up ON p.code = up.parent)
			SELECT start, name FROM up ORDER BY start, depth`, starts...)
		if err != nil {
			return xiezuo.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var start, name string
			if err := rows.Scan(&start, &name); err != nil {
				return xiezuo.Internal(err)
			}
			up[start] = append(up[start], name)
		}
		if err := rows.Err(); err != nil {
			return xiezuo.Internal(err)
		}
	}
	for i, r := range rs {
		names := []string{r.Name}
		for _, n := range up[r.ParentCode] {
			if n != "市辖区" {
				names = append([]string{n}, names...)
			}
		}
		rs[i].Path = strings.Join(names, " ")
	}
	return nil
}

// RegionFilter selects regions for search and pickers.
type RegionFilter struct {
	Query  string // name, short name or code prefix
	Level  int
	Parent string // direct children of this code
	// Parents: direct children of any of these codes (with Parent, of all).
	Parents []string
	Within  string // any descendant of this county or township (code prefix)
	Limit   int
	NoPaths bool // leave Path empty (one statement fewer)
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
	if len(f.Parents) > 0 {
		w.in("r.parent_code", f.Parents)
	}
	if prefix := withinPrefix(f.Within); prefix != "" {
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
	out, err := d.queryRegions(ctx, sqlText, w.args...)
	if err != nil {
		return nil, err
	}
	if f.NoPaths {
		return out, nil
	}
	if err := d.fillPaths(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveRegion turns what a user typed into one region of the level (0:
// any), within a county or township when given: a code, an official name,
// a short form or a path, as MatchRegions reads them; failing that, the one
// region whose name contains the text (金平苗族 finds 金平苗族瑶族傣族自治县).
// Anyone may call it. Errors: ENOTFOUND (a path whose parts do not nest is
// not found either), EINVALID when the text names several regions (the
// message lists them with their paths), EINTERNAL.
func (d *DB) ResolveRegion(ctx context.Context, text string, level int, within string) (registry.Region, error) {
	text = strings.TrimSpace(text)
	if code := typedCode(text); code != "" {
		return d.Region(ctx, code)
	}
	rs, err := d.MatchRegions(ctx, text, level, within)
	if err != nil && xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
		return registry.Region{}, err
	}
	if len(rs) == 0 {
		found, err2 := d.SearchRegions(ctx, RegionFilter{Query: text, Level: level, Within: within, Limit: 20})
		if err2 != nil {
			return registry.Region{}, err2
		} else if len(found) == 0 && err != nil {
			return registry.Region{}, err // MatchRegions' message says why
		} else if len(found) == 0 {
			return registry.Region{}, xiezuo.Errorf(xiezuo.ENOTFOUND, "找不到地区“%s”", text)
		}
		rs = found
	}
	if len(rs) == 1 {
		return rs[0], nil
	}
	return registry.Region{}, xiezuo.Errorf(xiezuo.EINVALID, "地区“%s”有多个匹配：%s，请输入12位区划代码或先选择上级地区", text, registry.Candidates(rs, 10))
}

// typedCode is the 12-digit code of a typed code (NBS short codes of 2, 4,
// 6 or 9 digits are padded: 532531 → 532531000000), or "".
func typedCode(text string) string {
	if isDigits(text) && (len(text) == 2 || len(text) == 4 || len(text) == 6 || len(text) == 9) {
		text = registry.PadCode(text)
	}
	if registry.ValidCode(text) {
		return text
	}
	return ""
}

// MatchRegions returns the regions that text names exactly, of the level (0:
// any), within a county or township when given: a code, an official name,
// a short form (云南, 红河州, 红河, 金平县, 金平) or a path from any level
// down with levels left out as offices write them (上海市长宁区,
// 云南省红河州绿春县, 红河州金平县, 云南红河绿春县, 绿春县大兴镇); see
// registry.MatchPath. Only the closest readings are kept: a name written
// in full beats one written bare. Each region has its Path; the order is
// level, then code; none (and no error) when no region has such a name.
// Anyone may call it; callers that need one region (ResolveRegion, the
// import) treat several as ambiguous. Errors: ENOTFOUND naming the text
// when regions have the name but not under what was written (青海省绿春县:
// the message lists them) or a code is not of the level or within,
// EINTERNAL.
func (d *DB) MatchRegions(ctx context.Context, text string, level int, within string) ([]registry.Region, error) {
	text = strings.TrimSpace(text)
	if code := typedCode(text); code != "" {
		r, err := d.Region(ctx, code)
		if err != nil {
			return nil, err
		}
		if (level > 0 && r.Level != level) || !isWithin(r.Code, within) {
			return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "区划代码 %s 不是所要的地区（%s）", code, r.Path)
		}
		return []registry.Region{r}, nil
	}
	keys := registry.PathKeys(text)
	if len(keys) == 0 {
		return nil, nil
	}
	w := &where{}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	list := strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")
	w.add("(r.name IN ("+list+") OR r.short_name IN ("+list+"))", append(args, args...)...)
	if level > 0 {
		w.add("r.level = ?", level)
	}
	if p := withinPrefix(within); p != "" {
		w.add("r.code LIKE ? AND r.code <> ?", p+"%", within)
	}
	leaves, err := d.queryRegions(ctx, `SELECT `+regionCols+` FROM regions r`+w.sql()+` ORDER BY r.level, r.code`, w.args...)
	if err != nil {
		return nil, err
	}
	chains, err := d.regionChains(ctx, leaves)
	if err != nil {
		return nil, err
	}
	var out, miss []registry.Region
	best := -1
	for _, r := range leaves {
		chain := chains[r.Code]
		r.Path = registry.PathOf(chain)
		n, ok := registry.MatchPath(text, chain)
		switch {
		case !ok:
			miss = append(miss, r)
		case best < 0 || n < best:
			best, out = n, []registry.Region{r}
		case n == best:
			out = append(out, r)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if len(miss) > 0 {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "找不到地区“%s”：上下级不相符（同名的有 %s），请核对所写的省、州、县、乡", text, registry.Candidates(miss, 5))
	}
	return nil, nil
}

// queryRegions runs a SELECT of regionCols.
func (d *DB) queryRegions(ctx context.Context, query string, args ...any) ([]registry.Region, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
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
	return out, nil
}

// regionChains returns, for each region, its ancestors from the province
// down and then itself, loading each level of parents in one query.
func (d *DB) regionChains(ctx context.Context, rs []registry.Region) (map[string][]registry.Region, error) {
	known := map[string]registry.Region{}
	var next []string
	for _, r := range rs {
		known[r.Code] = r
	}
	for _, r := range rs {
		if _, ok := known[r.ParentCode]; r.ParentCode != "" && !ok && !slices.Contains(next, r.ParentCode) {
			next = append(next, r.ParentCode)
		}
	}
	for depth := 0; len(next) > 0 && depth < registry.LevelVillage; depth++ {
		var parents []registry.Region
		for i := 0; i < len(next); i += 500 {
			w := &where{}
			w.in("r.code", next[i:min(i+500, len(next))])
			got, err := d.queryRegions(ctx, `SELECT `+regionCols+` FROM regions r`+w.sql(), w.args...)
			if err != nil {
				return nil, err
			}
			parents = append(parents, got...)
		}
		for _, p := range parents {
			known[p.Code] = p
		}
		next = next[:0]
		for _, p := range parents {
			if _, ok := known[p.ParentCode]; p.ParentCode != "" && !ok && !slices.Contains(next, p.ParentCode) {
				next = append(next, p.ParentCode)
			}
		}
	}
	out := make(map[string][]registry.Region, len(rs))
	for _, r := range rs {
		chain := []registry.Region{r}
		for p, ok := known[r.ParentCode]; ok && len(chain) <= registry.LevelVillage; p, ok = known[p.ParentCode] {
			chain = append([]registry.Region{p}, chain...)
		}
		out[r.Code] = chain
	}
	return out, nil
}

// withinPrefix is the code prefix of the descendants of a county or
// township code (of any code: its non-zero digits), or "".
func withinPrefix(within string) string {
	if within == "" || !registry.ValidCode(within) {
		return ""
	}
	switch registry.LevelOf(within) {
	case registry.LevelCounty:
		return within[:6]
	case registry.LevelTownship:
		return within[:9]
	}
	return strings.TrimRight(within, "0")
}

// isWithin reports whether code is a descendant of within ("" allows all).
func isWithin(code, within string) bool {
	p := withinPrefix(within)
	return p == "" || (strings.HasPrefix(code, p) && code != within)
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
	var codes []any
	for _, code := range fields {
		if code != "" {
			codes = append(codes, code)
		}
	}
	found, err := present[string](ctx, tx, `SELECT code FROM regions WHERE code IN `, codes)
	if err != nil {
		return err
	}
	for field, code := range fields {
		if code != "" && !found[code] {
			p.Add(field, "区划代码 "+code+" 不存在，请先导入区划或核对代码")
		}
	}
	return nil
}
