package imports

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
	pairs    map[[2]int64][]int64         // east org, west org → pairing ids
}

func newResolver(ctx context.Context, db *store.DB, u *xiezuo.User) (*resolver, error) {
	r := &resolver{db: db, ctx: ctx, orgs: map[string][]int64{}, orgNames: map[int64]string{}, counties: map[string][]registry.Region{},
		places: map[string][]registry.Region{}, inCounty: map[string][]registry.Region{}, acts: map[string][]int64{}, pairs: map[[2]int64][]int64{}}
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
	// Regions of the paired counties; without pairings, every county.
	ps, err := db.Pairings(ctx, store.PairingFilter{})
	if err != nil {
		return nil, err
	}
	var counties []string
	for _, p := range ps {
		k := [2]int64{p.EastOrgID, p.WestOrgID}
		r.pairs[k] = append(r.pairs[k], p.ID)
		if p.Kind != "区县结对" {
			continue
		}
		if o, err := db.Org(ctx, p.WestOrgID); err == nil && registry.ValidCode(o.RegionCode) && registry.LevelOf(o.RegionCode) == registry.LevelCounty {
			counties = append(counties, o.RegionCode)
		}
	}
	if len(counties) == 0 {
		all, err := db.SearchRegions(ctx, store.RegionFilter{Level: registry.LevelCounty, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			counties = append(counties, c.Code)
		}
	}
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

// county resolves a county by official name, short name or code.
func (r *resolver) county(s string) (string, error) {
	if registry.ValidCode(s) && registry.LevelOf(s) == registry.LevelCounty {
		if _, ok := r.counties[s]; ok {
			return s, nil
		}
	}
	return onePlace(r.counties[s], s, "结对受援县")
}

// place resolves a township (within county) or a village (within township,
// or within county when no township is given).
func (r *resolver) place(s, parent string, level int) (string, error) {
	if registry.ValidCode(s) {
		if registry.LevelOf(s) == level && strings.HasPrefix(s, strings.TrimRight(parent, "0")) {
			return s, nil
		}
		return "", fmt.Errorf("代码 %s 不属于所填上级地区", s)
	}
	if level == registry.LevelVillage && registry.LevelOf(parent) == registry.LevelCounty {
		return onePlace(r.inCounty[parent+"|"+s], s, "所填县")
	}
	where := "所填受援县"
	if level == registry.LevelVillage {
		where = "所填乡镇"
	}
	return onePlace(r.places[parent+"|"+s], s, where)
}

func onePlace(rs []registry.Region, name, where string) (string, error) {
	switch len(rs) {
	case 1:
		return rs[0].Code, nil
	case 0:
		return "", fmt.Errorf("%s中找不到“%s”", where, name)
	}
	var cands []string
	for _, r := range rs {
		cands = append(cands, r.Name+"（"+r.Code+"）")
	}
	return "", fmt.Errorf("“%s”有多个：%s，请填写12位代码或先填上级地区", name, strings.Join(cands, "、"))
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

// pairing resolves "东部单位—西部单位" (also -, －, ～ or →) to a pairing.
func (r *resolver) pairing(s string) (int64, error) {
	sep := strings.FieldsFunc(s, func(c rune) bool { return c == '—' || c == '－' || c == '-' || c == '～' || c == '→' })
	if len(sep) != 2 {
		return 0, fmt.Errorf("“%s”应写成“东部单位—西部单位”", s)
	}
	east, err := r.org(strings.TrimSpace(sep[0]))
	if err != nil {
		return 0, err
	}
	west, err := r.org(strings.TrimSpace(sep[1]))
	if err != nil {
		return 0, err
	}
	switch ids := r.pairs[[2]int64{east.ID, west.ID}]; len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return 0, fmt.Errorf("%s与%s之间没有登记结对关系", east.Name, west.Name)
	default:
		return 0, fmt.Errorf("%s与%s之间有%d个结对关系，请在网页上选择", east.Name, west.Name, len(ids))
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
