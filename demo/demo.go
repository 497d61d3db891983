// Package demo loads the demonstration data: the regions, units, pairings,
// trips, donations, agreements, projects and beneficiary batches of the
// 长宁区 bulletin 2020年第9、10期, as approved records, and one user per role.
// Everything goes through the store's services, so the demo obeys the same
// validation as a user's input.
package demo

import (
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

//go:embed regions.csv orgs.json records.json
var files embed.FS

// Password is every demo user's password (demo mode only; README lists it).
const Password = "changning2020"

// Users are the demo accounts: user name, display name, role, unit, county.
var Users = []struct {
	Username, Display string
	Role              xiezuo.Role
	Org, County       string
}{
	{"admin", "协作办管理员", xiezuo.RoleAdmin, "长宁区对口支援与合作交流工作领导小组办公室", ""},
	{"reviewer", "协作办审核员", xiezuo.RoleReviewer, "长宁区对口支援与合作交流工作领导小组办公室", ""},
	{"chengjiaqiao", "程家桥街道填报员", xiezuo.RoleUnit, "程家桥街道", ""},
	{"xinhualu", "新华路街道填报员", xiezuo.RoleUnit, "新华路街道", ""},
	{"lvchun", "绿春县协作办", xiezuo.RoleCounty, "绿春县东西部扶贫协作办公室", "532531000000"},
	{"jinping", "金平县协作办", xiezuo.RoleCounty, "金平县东西部扶贫协作办公室", "532530000000"},
	{"honghe", "红河县协作办", xiezuo.RoleCounty, "红河县东西部扶贫协作办公室", "532529000000"},
	{"viewer", "只读用户", xiezuo.RoleViewer, "", ""},
	// The market's accounts (消费帮扶): a supplier of 绿春县, 程家桥街道 as a
	// budget unit with its management account and a purchaser, and the
	// district finance bureau supervising.
	{"zhenghua", "正华农产品加工厂", xiezuo.RoleSupplier, "绿春县正华农产品加工厂", ""},
	{"cjq-guanli", "程家桥街道采购管理", xiezuo.RoleBuyerAdmin, "程家桥街道", ""},
	{"cjq-caigou", "程家桥街道采购人", xiezuo.RolePurchaser, "程家桥街道", ""},
	{"caizheng", "区财政局监管", xiezuo.RoleSupervisor, "长宁区财政局", ""},
}

type orgJSON struct {
	Name, Kind, Side, Region string
	Aliases                  []string
}

type contributionJSON struct {
	Givers                         []string
	Form, Sector, Amount, Delivery string
	Qty                            int64
	Qunit, Item, Township, Village string
	Institution, Note              string
	Beneficiaries                  int64
}

type recordsJSON struct {
	Pairings []struct {
		Kind, East, West, Note string
		Region                 string // a township or village party, by code (West empty)
		Partners               []string
		Count                  int
		From                   int
	}
	People     []struct{ Name, Kind, Org, Dest, Post, Note string }
	Activities []struct {
		Unit, Kind, Title, From, To, Section, County, Places, Leader, Ptext, Narrative string
		Participants                                                                   []string
		Headcount                                                                      int64
		SameAsTitle                                                                    string `json:"same_as"`
		Contributions                                                                  []contributionJSON
		Agreements                                                                     []struct {
			Title, Signed, Pledged, Note string
			Pairings                     [][2]string
		}
		Batches []struct {
			Kind, Label, Unit, Date, Note string
			Count                         int64
		}
	}
	Projects       []struct{ Unit, Title, County, Township, Village, Sector, Funding, Deadline, State, Note string }
	Rectifications []struct{ Owner, County, Title, Source, Measure, Due, Note string }
}

// Regions returns the demo's regions: the provinces, prefectures, the five
// counties, all their townships and the villages the bulletin names (NBS
// 2023 codes, a subset of the national list).
func Regions() ([]registry.Region, error) {
	f, err := files.Open("regions.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []registry.Region
	for _, r := range recs[1:] {
		out = append(out, registry.Region{Code: r[0], Name: r[1], ShortName: registry.ShortName(r[1]), Level: registry.LevelOf(r[0]), ParentCode: r[2]})
	}
	return out, nil
}

// Load fills an empty database with the demo. On a database that already
// has organisations it does nothing and reports false.
func Load(ctx context.Context, db *store.DB) (bool, error) {
	if orgs, err := db.FindOrgs(ctx, store.OrgFilter{Limit: 1}); err != nil {
		return false, err
	} else if len(orgs) > 0 {
		return false, nil
	}
	l := &loader{db: db, ctx: ctx, orgs: map[string]int64{}}
	if err := l.load(); err != nil {
		return false, fmt.Errorf("载入演示数据失败: %w", err)
	}
	return true, nil
}

type loader struct {
	db       *store.DB
	ctx      context.Context
	admin    *xiezuo.User
	orgs     map[string]int64
	counties map[string]*xiezuo.User // each county's 协作办 account
}

func (l *loader) org(name string) int64 {
	if id, ok := l.orgs[name]; ok {
		return id
	}
	o, err := l.db.OrgByName(l.ctx, name)
	if err != nil {
		panic(fmt.Sprintf("demo: unknown organisation %q", name))
	}
	l.orgs[name] = o.ID
	return o.ID
}

func fen(s string) int64 {
	if s == "" {
		return 0
	}
	n, ok := xiezuo.ParseYuan(s)
	if !ok {
		panic("demo: bad amount " + s)
	}
	return n
}

func (l *loader) load() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	ctx, db := l.ctx, l.db
	regions, err := Regions()
	if err != nil {
		return err
	}
	if _, err := db.UpsertRegions(ctx, nil, regions); err != nil {
		return err
	}
	var orgs []orgJSON
	if err := readJSON("orgs.json", &orgs); err != nil {
		return err
	}
	// The first org is the office; the admin must exist before anything is audited as theirs.
	sys := &xiezuo.User{Role: xiezuo.RoleAdmin, Username: "system"}
	for _, o := range orgs {
		rec := registry.Organisation{Name: o.Name, Kind: o.Kind, Side: o.Side, RegionCode: o.Region, Aliases: o.Aliases}
		if err := db.SaveOrg(ctx, sys, &rec); err != nil {
			return fmt.Errorf("单位 %s: %w", o.Name, err)
		}
		l.orgs[o.Name] = rec.ID
	}
	for _, u := range Users {
		nu := store.NewUser{Username: u.Username, DisplayName: u.Display, Password: Password, Role: u.Role, CountyCode: u.County}
		if u.Org != "" {
			nu.OrgID = l.org(u.Org)
		}
		created, err := db.CreateUser(ctx, nil, nu)
		if err != nil {
			return fmt.Errorf("用户 %s: %w", u.Username, err)
		}
		if u.Role == xiezuo.RoleAdmin {
			l.admin = created
		}
		if u.Role == xiezuo.RoleCounty {
			if l.counties == nil {
				l.counties = map[string]*xiezuo.User{}
			}
			l.counties[u.County] = created
		}
	}
	var recs recordsJSON
	if err := readJSON("records.json", &recs); err != nil {
		return err
	}
	pairings := map[[2]string]int64{}
	for _, p := range recs.Pairings {
		rec := registry.Pairing{Kind: p.Kind, EastOrgID: l.org(p.East), WestRegionCode: p.Region, PartyCount: p.Count, YearFrom: p.From, Note: p.Note}
		west := p.Region // the agreements name a region party by its code
		if p.Region == "" {
			rec.WestOrgID, west = l.org(p.West), p.West
		}
		for _, n := range p.Partners {
			rec.Partners = append(rec.Partners, registry.Party{ID: l.org(n)})
		}
		if err := db.SavePairing(ctx, l.admin, &rec); err != nil {
			return fmt.Errorf("结对 %s—%s: %w", p.East, west, err)
		}
		pairings[[2]string{p.East, west}] = rec.ID
	}
	for _, p := range recs.People {
		rec := registry.Person{Name: p.Name, Kind: p.Kind, OrgID: l.org(p.Org), DestCode: p.Dest, Post: p.Post, Note: p.Note}
		if err := db.SavePerson(ctx, l.admin, &rec); err != nil {
			return fmt.Errorf("人员 %s: %w", p.Name, err)
		}
	}
	titles := map[string]int64{}
	for _, a := range recs.Activities {
		act := ledger.Activity{Header: ledger.Header{UnitID: l.org(a.Unit)}, Kind: a.Kind, Title: a.Title, DateFrom: a.From, DateTo: a.To,
			Section: a.Section, CountyCode: a.County, Places: a.Places, Leader: a.Leader, ParticipantsText: a.Ptext,
			Headcount: a.Headcount, Narrative: a.Narrative, SameAsID: titles[a.SameAsTitle]}
		for _, p := range a.Participants {
			act.Participants = append(act.Participants, ledger.Org{ID: l.org(p)})
		}
		if err := db.SaveActivity(ctx, l.admin, &act); err != nil {
			return fmt.Errorf("活动 %s: %w", a.Title, err)
		}
		titles[a.Title] = act.ID
		for _, c := range a.Contributions {
			rec := ledger.Contribution{Header: ledger.Header{UnitID: act.UnitID}, DateFrom: act.DateFrom, DateTo: act.DateTo,
				CountyCode: a.County, TownshipCode: c.Township, VillageCode: c.Village, Institution: c.Institution,
				Form: c.Form, Sector: c.Sector, Delivery: "delivered", AmountFen: fen(c.Amount), Quantity: c.Qty, QuantityUnit: c.Qunit,
				Item: c.Item, Beneficiaries: c.Beneficiaries, ActivityID: act.ID, Note: c.Note}
			if c.Delivery != "" {
				rec.Delivery = c.Delivery
			}
			for _, g := range c.Givers {
				rec.Givers = append(rec.Givers, ledger.Org{ID: l.org(g)})
			}
			if err := db.SaveContribution(ctx, l.admin, &rec); err != nil {
				return fmt.Errorf("活动 %s 的帮扶 %s: %w", a.Title, strings.Join(c.Givers, "、"), err)
			}
		}
		for _, g := range a.Agreements {
			rec := ledger.Agreement{Header: ledger.Header{UnitID: act.UnitID}, Title: g.Title, SignedOn: g.Signed, PledgedFen: fen(g.Pledged), ActivityID: act.ID, Note: g.Note}
			for _, p := range g.Pairings {
				id, ok := pairings[p]
				if !ok {
					return fmt.Errorf("协议 %s: 结对 %v 不存在", g.Title, p)
				}
				rec.PairingIDs = append(rec.PairingIDs, id)
			}
			if err := db.SaveAgreement(ctx, l.admin, &rec); err != nil {
				return fmt.Errorf("协议 %s: %w", g.Title, err)
			}
		}
		for _, b := range a.Batches {
			date := b.Date
			if date == "" {
				date = act.DateFrom
			}
			rec := ledger.Batch{Header: ledger.Header{UnitID: act.UnitID}, Date: date, CountyCode: a.County, Kind: b.Kind, Label: b.Label,
				Count: b.Count, CountUnit: b.Unit, ActivityID: act.ID, Note: b.Note}
			if err := db.SaveBatch(ctx, l.admin, &rec); err != nil {
				return fmt.Errorf("受益批次 %s: %w", a.Title, err)
			}
		}
		// Submitting and approving the activity carries its records along.
		for _, step := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, l.admin, ledger.KindActivity, act.ID, step, ""); err != nil {
				return fmt.Errorf("审核活动 %s: %w", a.Title, err)
			}
		}
	}
	for _, p := range recs.Projects {
		rec := ledger.Project{Header: ledger.Header{UnitID: l.org(p.Unit)}, Title: p.Title, CountyCode: p.County, TownshipCode: p.Township,
			VillageCode: p.Village, Sector: p.Sector, FundingSource: p.Funding, Deadline: p.Deadline, WorkState: p.State, Note: p.Note}
		if err := db.SaveProject(ctx, l.admin, &rec); err != nil {
			return fmt.Errorf("项目 %s: %w", p.Title, err)
		}
		for _, step := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, l.admin, ledger.KindProject, rec.ID, step, ""); err != nil {
				return err
			}
		}
	}
	for _, r := range recs.Rectifications {
		rec := ledger.Rectification{OwnerID: l.org(r.Owner), CountyCode: r.County, Title: r.Title, Source: r.Source, Measure: r.Measure, DueOn: r.Due, Note: r.Note}
		if err := db.SaveRectification(ctx, l.admin, &rec); err != nil {
			return fmt.Errorf("问题整改 %s: %w", r.Title, err)
		}
	}
	if err := l.people(titles); err != nil { // demo/people.go
		return err
	}
	if err := l.market(); err != nil {
		return err
	}
	if err := l.lots(); err != nil { // market_lots.go
		return err
	}
	if err := l.buyerAccounts(); err != nil {
		return err
	}
	if err := l.buyerWork(); err != nil { // demo/market_buyers.go
		return err
	}
	return l.planDemo() // demo/plan.go
}

func readJSON(name string, v any) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
