package imports

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// resolver turns names into ids from lookups loaded once per import, so a
// million rows cost no database round trip each. Names that match several
// entries, or none, are errors that list the candidates; it never guesses.
type resolver struct {
	db       *store.DB
	ctx      context.Context
	orgs     map[string][]int64 // name or alias → ids
	orgNames map[int64]string
	allNames []string
	counties map[string][]registry.Region // name, short name, code → county
	places   map[string][]registry.Region // parent code + "|" + name → township or village
	inCounty map[string][]registry.Region // county code + "|" + village name → villages
	acts     map[string][]int64           // activity title → ids
	pairs    map[pairKey][]int64          // east org, west party → pairing ids
	// anyCounty: no county is paired yet, so a row may name any county.
	anyCounty bool

	mu    sync.Mutex
	typed map[string]typedRegion // level|within|text → what the store read in a path
}

// typedRegion is what store.MatchRegions made of a text the maps do not
// hold (a path such as 云南省红河州绿春县 or 绿春县大兴镇, a bare name such
// as 大兴): the regions it names, or why none.
type typedRegion struct {
	rs  []registry.Region
	err error
}

func newResolver(ctx context.Context, db *store.DB, u *xiezuo.User) (*resolver, error) {
	r := &resolver{db: db, ctx: ctx, orgs: map[string][]int64{}, orgNames: map[int64]string{}, counties: map[string][]registry.Region{},
		places: map[string][]registry.Region{}, inCounty: map[string][]registry.Region{}, acts: map[string][]int64{}, pairs: map[pairKey][]int64{},
		typed: map[string]typedRegion{}}
	orgs, err := db.FindOrgs(ctx, store.OrgFilter{Limit: 5000})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		r.orgNames[o.ID] = o.Name
		r.allNames = append(r.allNames, o.Name)
		for _, n := range append([]string{o.Name}, o.Aliases...) {
			r.orgs[n] = appendUnique(r.orgs[n], o.ID)
			r.orgs[bracketsHalf(n)] = appendUnique(r.orgs[bracketsHalf(n)], o.ID)
		}
	}
	// Regions of the paired counties, loaded once.
	ps, err := db.Pairings(ctx, store.PairingFilter{})
	if err != nil {
		return nil, err
	}
	var counties []string
	for _, p := range ps {
		k := pairKey{p.EastOrgID, p.WestOrgID, p.WestRegionCode}
		r.pairs[k] = append(r.pairs[k], p.ID)
	}
	paired, err := db.PairedCounties(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range paired {
		counties = append(counties, c.Code)
	}
	// Without paired counties (a new office that has not registered its
	// 区县结对 yet) any county of the country may be named; it is looked up
	// when a row names it rather than loaded in advance.
	r.anyCounty = len(counties) == 0
	for _, code := range counties {
		c, err := db.Region(ctx, code)
		if err != nil {
			continue
		}
		for _, k := range []string{c.Name, c.ShortName, c.Code, code[:6], strings.TrimSuffix(c.ShortName, "县")} {
			r.counties[k] = appendRegion(r.counties[k], c)
		}
		below, err := db.SearchRegions(ctx, store.RegionFilter{Within: code, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, reg := range below {
			for _, n := range []string{reg.Name, reg.ShortName} {
				k := reg.ParentCode + "|" + n
				r.places[k] = appendRegion(r.places[k], reg)
				if reg.Level == registry.LevelVillage {
					k := code + "|" + n
					r.inCounty[k] = appendRegion(r.inCounty[k], reg)
				}
			}
		}
	}
	acts, _, err := db.ListActivities(ctx, u, store.RecordFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		r.acts[a.Title] = append(r.acts[a.Title], a.ID)
	}
	return r, nil
}

func appendUnique(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

func appendRegion(rs []registry.Region, r registry.Region) []registry.Region {
	for _, x := range rs {
		if x.Code == r.Code {
			return rs
		}
	}
	return append(rs, r)
}

// bracketsHalf writes full-width brackets as ASCII ones, so 斯必克(中国)
// and 斯必克（中国） are the same name.
func bracketsHalf(s string) string {
	return strings.NewReplacer("（", "(", "）", ")").Replace(s)
}

// org resolves one unit name or alias.
func (r *resolver) org(name string) (ledger.Org, error) {
	ids := r.orgs[name]
	if len(ids) == 0 {
		ids = r.orgs[bracketsHalf(name)]
	}
	switch len(ids) {
	case 1:
		return ledger.Org{ID: ids[0], Name: r.orgNames[ids[0]]}, nil
	case 0:
		msg := "“" + name + "”不在单位名录中"
		if c := r.candidates(name); len(c) > 0 {
			msg += "，是否为：" + strings.Join(c, "、")
		} else {
			msg += "，请先请协作办登记该单位"
		}
		return ledger.Org{}, fmt.Errorf("%s", msg)
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = r.orgNames[id]
	}
	return ledger.Org{}, fmt.Errorf("“%s”对应多个单位：%s，请写全称", name, strings.Join(names, "、"))
}

// candidates are up to five registered names that contain name or that name contains.
func (r *resolver) candidates(name string) []string {
	var out []string
	for _, n := range r.allNames {
		if len([]rune(name)) >= 2 && (strings.Contains(n, name) || strings.Contains(name, n)) {
			out = append(out, n)
		}
		if len(out) == 5 {
			break
		}
	}
	sort.Strings(out)
	return out
}

// county resolves a paired county by official name, short name, code, or
// as the store reads a path (云南省红河州绿春县, 红河州金平县).
func (r *resolver) county(s string) (string, error) {
	if registry.ValidCode(s) && registry.LevelOf(s) == registry.LevelCounty {
		if _, ok := r.counties[s]; ok {
			return s, nil
		}
	}
	if rs := r.counties[s]; len(rs) > 0 {
		return onePlace(rs, s, "结对受援县")
	}
	t := r.typedRegions(s, registry.LevelCounty, "")
	if r.anyCounty {
		if len(t.rs) == 0 && t.err != nil {
			return "", t.err
		}
		return onePlace(t.rs, s, "全国区县")
	}
	var paired []registry.Region
	for _, c := range t.rs {
		if _, ok := r.counties[c.Code]; ok {
			paired = append(paired, c)
		}
	}
	if len(t.rs) == 0 && t.err != nil {
		return "", t.err
	}
	return onePlace(paired, s, "结对受援县")
}

// place resolves a township (within county) or a village (within township,
// or within county when no township is given), by name, short name, code,
// or as the store reads a path below the parent (绿春县大兴镇, 牛孔镇龙洞村).
func (r *resolver) place(s, parent string, level int) (string, error) {
	if registry.ValidCode(s) {
		if registry.LevelOf(s) == level && strings.HasPrefix(s, strings.TrimRight(parent, "0")) {
			return s, nil
		}
		return "", fmt.Errorf("代码 %s 不属于所填上级地区", s)
	}
	rs, where := r.places[parent+"|"+s], "所填受援县"
	if level == registry.LevelVillage && registry.LevelOf(parent) == registry.LevelCounty {
		rs, where = r.inCounty[parent+"|"+s], "所填县"
	} else if level == registry.LevelVillage {
		where = "所填乡镇"
	}
	if len(rs) == 0 {
		t := r.typedRegions(s, level, parent)
		if len(t.rs) == 0 && t.err != nil {
			return "", t.err
		}
		rs = t.rs
	}
	return onePlace(rs, s, where)
}

// typedRegions asks the store, once per text, which regions of the level
// (within parent) s names. err is set, and rs empty, only when the store
// says why there are none (a path whose parts do not nest) or fails; a
// plain miss leaves the caller its own message.
func (r *resolver) typedRegions(s string, level int, parent string) typedRegion {
	k := fmt.Sprintf("%d|%s|%s", level, parent, s)
	r.mu.Lock()
	t, ok := r.typed[k]
	r.mu.Unlock()
	if ok {
		return t
	}
	rs, err := r.db.MatchRegions(r.ctx, s, level, parent)
	if t = (typedRegion{rs: rs}); err != nil {
		t = typedRegion{err: errors.New(xiezuo.ErrorMessage(err))}
	}
	r.mu.Lock()
	r.typed[k] = t
	r.mu.Unlock()
	return t
}

// onePlace is the one region of rs, or an error naming the text: not found
// in where, or the candidates with their paths (as store.ResolveRegion
// lists them).
func onePlace(rs []registry.Region, name, where string) (string, error) {
	switch len(rs) {
	case 1:
		return rs[0].Code, nil
	case 0:
		return "", fmt.Errorf("%s中找不到“%s”", where, name)
	}
	return "", fmt.Errorf("“%s”有多个：%s，请填写12位代码或先填上级地区", name, registry.Candidates(rs, 10))
}

// activity resolves an activity by its title or its number.
func (r *resolver) activity(s string) (int64, error) {
	if id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(s, "编号"), "#"), 10, 64); err == nil && id > 0 {
		return id, nil
	}
	switch ids := r.acts[s]; len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, fmt.Errorf("找不到标题为“%s”的活动", s)
	default:
		return 0, fmt.Errorf("标题为“%s”的活动有%d个，请填写活动编号", s, len(ids))
	}
}

// pairKey is a pairing's lead east unit and its west party (an
// organisation or a region).
type pairKey struct {
	east, westOrg int64
	westRegion    string
}

// westParty reads a pairing's west party (store.ResolveWestParty).
func (r *resolver) westParty(s string, pairs int) (int64, string, error) {
	org, region, err := r.db.ResolveWestParty(r.ctx, s, pairs)
	if err != nil {
		return 0, "", errors.New(xiezuo.ErrorMessage(err))
	}
	return org, region, nil
}

// pairing resolves "东部单位—西部结对方" (also -, －, ～ or →) to a pairing.
func (r *resolver) pairing(s string) (int64, error) {
	sep := strings.FieldsFunc(s, func(c rune) bool { return c == '—' || c == '－' || c == '-' || c == '～' || c == '→' })
	if len(sep) != 2 {
		return 0, fmt.Errorf("“%s”应写成“东部单位—西部结对方”", s)
	}
	east, err := r.org(strings.TrimSpace(sep[0]))
	if err != nil {
		return 0, err
	}
	westOrg, westRegion, err := r.westParty(strings.TrimSpace(sep[1]), 1)
	if err != nil {
		return 0, err
	}
	west := strings.TrimSpace(sep[1])
	switch ids := r.pairs[pairKey{east.ID, westOrg, westRegion}]; len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, fmt.Errorf("%s与%s之间没有登记结对关系", east.Name, west)
	default:
		return 0, fmt.Errorf("%s与%s之间有%d个结对关系，请在网页上选择", east.Name, west, len(ids))
	}
}

// region resolves any region (a posting may be a prefecture such as 果洛州)
// by name, short name or code.
func (r *resolver) region(s string) (string, error) {
	reg, err := r.db.ResolveRegion(r.ctx, s, 0, "")
	if err != nil {
		return "", errors.New(xiezuo.ErrorMessage(err))
	}
	return reg.Code, nil
}
