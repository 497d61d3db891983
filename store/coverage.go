package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/report"
)

// TenCoverage checks the “十有” (report.TenChecks) of every 携手奔小康 and
// 村企结对 pairing in force in year against the year's approved records:
// which pairs lack what, most lacking first. The west party is matched by
// its region: a township or village party by the records' township or
// village, or their county when they name none. Anyone signed in may call
// it. Errors: EINTERNAL.
func (d *DB) TenCoverage(ctx context.Context, year int) ([]report.Coverage, error) {
	y := strconv.Itoa(year)
	from, to := y+"-01-01", y+"-12-31"
	var out []report.Coverage
	for _, kind := range report.XieshouPairs {
		ps, err := d.Pairings(ctx, PairingFilter{Kind: kind, Year: year})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			c, err := d.coverage(ctx, p, year, from, to)
			if err != nil {
				return nil, xiezuo.Internal(err)
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b report.Coverage) int { return len(b.Missing()) - len(a.Missing()) })
	return out, nil
}

func (d *DB) coverage(ctx context.Context, p registry.Pairing, year int, from, to string) (report.Coverage, error) {
	c := report.Coverage{PairingID: p.ID, Kind: p.Kind, East: registry.JointName(p.EastName, len(p.Partners)), West: p.WestName}
	if p.PartyCount > 1 {
		c.West += fmt.Sprintf("（%d对，未列名称）", p.PartyCount)
	}
	region := p.Place
	if len(region) != 12 {
		return c, nil // a west party without a region: nothing can be matched
	}
	county := region[:6] + "000000"
	// place matches a record's county, township and village to the west party.
	place := func(w *where) {
		w.add("x.county_code = ?", county)
		if region != county {
			w.add("(x.township_code IS NULL OR x.township_code = ? OR x.village_code = ?)", region, region)
		}
	}
	// The east party is the lead unit and its partners, ids in east.
	ids := p.EastIDs()
	east := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	eastArgs := func(times int) []any {
		var a []any
		for range times {
			for _, id := range ids {
				a = append(a, id)
			}
		}
		return a
	}
	byEast := func(w *where, others string) {
		w.add("(x.unit_id IN "+east+" OR EXISTS ("+others+" IN "+east+"))", eastArgs(2)...)
	}
	inYear := func(w *where, col string) {
		w.add("x.status = 'approved'")
		w.add("x."+col+" >= ?", from)
		w.add("x."+col+" <= ?", to)
	}
	agreement := func(pledged bool) (string, *where) {
		w := &where{}
		inYear(w, "signed_on")
		w.add("EXISTS (SELECT 1 FROM agreement_pairings ap WHERE ap.agreement_id = x.id AND ap.pairing_id = ?)", p.ID)
		if pledged {
			w.add("x.pledged_fen > 0")
		}
		return `SELECT 1 FROM agreements x`, w
	}
	funds := func(beneficiaries bool) (string, *where) {
		w := &where{}
		inYear(w, "date_from")
		w.add("x.delivery = 'delivered'")
		byEast(w, "SELECT 1 FROM contribution_givers g WHERE g.contribution_id = x.id AND g.org_id")
		place(w)
		if beneficiaries {
			w.add("x.beneficiaries > 0")
		}
		w.add(liveContribution)
		return `SELECT 1 FROM contributions x`, w
	}
	// planned: the yearly plan (plan_items) names an east party as
	// responsible for a project or pledge in the west party's place.
	planned := func() (string, *where) {
		w := &where{}
		w.add("x.year = ?", year)
		w.add("x.unit_id IN "+east, eastArgs(1)...)
		w.add("x.county_code = ?", county)
		if region != county {
			w.add("(x.township_code IS NULL OR x.township_code = ?)", region[:9]+"000")
		}
		return `SELECT 1 FROM plan_items x`, w
	}
	projects := func() (string, *where) {
		w := &where{}
		w.add("x.status = 'approved'")
		w.add("x.unit_id IN "+east, eastArgs(1)...)
		w.add("x.deadline >= ?", from)
		w.add("(x.start_on IS NULL OR x.start_on = '' OR x.start_on <= ?)", to)
		place(w)
		return `SELECT 1 FROM projects x`, w
	}
	people := func(kinds string) (string, *where) {
		w := &where{}
		w.add("x.org_id IN "+east, eastArgs(1)...)
		w.add("x.dest_code LIKE ?", county[:6]+"%")
		w.add("(x.term_from IS NULL OR x.term_from <= ?)", to)
		w.add("(x.term_to IS NULL OR x.term_to = '' OR x.term_to >= ?)", from)
		w.add("x.kind " + kinds)
		return `SELECT 1 FROM people x`, w
	}
	activities := func(kinds ...string) (string, *where) {
		w := &where{}
		inYear(w, "date_from")
		w.add("x.county_code = ?", county)
		byEast(w, "SELECT 1 FROM activity_participants ap WHERE ap.activity_id = x.id AND ap.org_id")
		w.in("x.kind", kinds)
		return `SELECT 1 FROM activities x`, w
	}
	checks := []func() (string, *where){
		func() (string, *where) { return agreement(false) },
		planned,
		func() (string, *where) { return funds(false) },
		projects,
		func() (string, *where) { return people("IN ('援滇干部', '援青干部', '挂职干部')") },
		func() (string, *where) { return people("LIKE '专业技术人才%'") },
		func() (string, *where) { return activities("考察调研", "接待来访", "慰问") },
		func() (string, *where) { return activities("座谈会议", "签约仪式") },
		func() (string, *where) {
			return activities("捐赠仪式", "培训讲座", "义诊巡诊", "远程课堂", "展销活动", "公益活动")
		},
		func() (string, *where) { return funds(true) },
	}
	for i, check := range checks {
		q, w := check()
		var n int
		if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+w.sql()+` LIMIT 1) t`, w.args...).Scan(&n); err != nil {
			return c, err
		}
		c.Has[i] = n > 0
	}
	return c, nil
}
