package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

var contributionCols = []string{"date_from", "date_to", "county_code", "township_code", "village_code", "institution", "form", "sector",
	"delivery", "amount_fen", "quantity", "quantity_unit", "item", "beneficiaries", "activity_id", "agreement_id", "project_id", "note", "area"}

// SaveContribution creates (ID 0, as a draft of c.UnitID) or updates a
// contribution with its givers. Callers: users of the owner unit and the
// office; county users for their county. Errors: EFORBIDDEN, ENOTFOUND,
// ECONFLICT (locked), EINVALID (fields; unknown region, giver, activity).
func (d *DB) SaveContribution(ctx context.Context, u *xiezuo.User, c *ledger.Contribution) error {
	if err := c.Validate(d.Today()); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindContribution, h: &c.Header, cols: contributionCols, county: c.CountyCode,
		args: contributionArgs(c), orgs: orgRefs("givers", "帮扶单位", c.Givers), clear: `contribution_givers WHERE contribution_id = $1`,
		check: func(tx *sql.Tx, p xiezuo.Problems) error {
			if err := checkRegions(ctx, tx, p, map[string]string{"county_code": c.CountyCode, "township_code": c.TownshipCode, "village_code": c.VillageCode}); err != nil {
				return err
			}
			return d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindActivity: c.ActivityID, ledger.KindAgreement: c.AgreementID, ledger.KindProject: c.ProjectID})
		},
		children: func(tx *sql.Tx, id int64) error { return insertGivers(ctx, tx, id, c) },
		load:     func(q queryer, id int64) (any, error) { return d.getContribution(ctx, q, id) },
	})
}

// checkLinks checks that linked records exist and u may see them.
func (d *DB) checkLinks(ctx context.Context, tx *sql.Tx, u *xiezuo.User, p xiezuo.Problems, links map[ledger.Kind]int64) error {
	for k, id := range links {
		if id == 0 {
			continue
		}
		if _, err := d.visibleHeader(ctx, tx, u, k, id); xiezuo.ErrorCode(err) == xiezuo.ENOTFOUND {
			p.Add(string(k)+"_id", fmt.Sprintf("所属%s（编号%d）不存在", k.Label(), id))
		} else if err != nil {
			return err
		}
	}
	return nil
}

const contributionSelect = `SELECT ` + headerCols + `, x.date_from, x.date_to, x.county_code, rc.name, COALESCE(x.township_code, ''), COALESCE(rt.name, ''),
	COALESCE(x.village_code, ''), COALESCE(rv.name, ''), x.institution, x.form, x.sector, x.delivery, x.amount_fen, x.quantity, x.quantity_unit,
	x.item, x.beneficiaries, COALESCE(x.activity_id, 0), COALESCE(act.title, ''), COALESCE(x.agreement_id, 0), COALESCE(x.project_id, 0), x.note,
	COALESCE(x.received_at, ''), COALESCE(NULLIF(ru.display_name, ''), ru.username, ''), COALESCE(x.order_id, 0)` + `
	FROM contributions x JOIN organisations un ON un.id = x.unit_id JOIN users cu ON cu.id = x.created_by
	JOIN regions rc ON rc.code = x.county_code LEFT JOIN regions rt ON rt.code = x.township_code LEFT JOIN regions rv ON rv.code = x.village_code
	LEFT JOIN activities act ON act.id = x.activity_id LEFT JOIN users ru ON ru.id = x.received_by`

// giverCols are a giver row's columns: the contribution's date travels
// with it (migration 00036), so a giver's list reads its rows in date
// order from the givers' index.
var giverCols = []string{"contribution_id", "org_id", "seq", "date_from"}

// insertGivers writes c's givers as contribution id's, in order.
func insertGivers(ctx context.Context, tx execer, id int64, c *ledger.Contribution) error {
	for i, g := range c.Givers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contribution_givers (`+strings.Join(giverCols, ", ")+`) VALUES ($1, $2, $3, $4)`, id, g.ID, i, c.DateFrom); err != nil {
			return err
		}
	}
	return nil
}

func scanContribution(s interface{ Scan(...any) error }) (*ledger.Contribution, error) {
	var c ledger.Contribution
	err := s.Scan(append(headerDest(&c.Header), &c.DateFrom, &c.DateTo, &c.CountyCode, &c.CountyName, &c.TownshipCode, &c.TownshipName,
		&c.VillageCode, &c.VillageName, &c.Institution, &c.Form, &c.Sector, &c.Delivery, &c.AmountFen, &c.Quantity, &c.QuantityUnit,
		&c.Item, &c.Beneficiaries, &c.ActivityID, &c.ActivityTitle, &c.AgreementID, &c.ProjectID, &c.Note, &c.ReceivedAt, &c.ReceivedBy, &c.OrderID)...)
	return &c, err
}

func (d *DB) getContribution(ctx context.Context, q queryer, id int64) (*ledger.Contribution, error) {
	c, err := getOne(ctx, q, ledger.KindContribution, contributionSelect, id, scanContribution)
	if err != nil {
		return nil, err
	}
	return c, d.fillGivers(ctx, q, []*ledger.Contribution{c})
}

func (d *DB) fillGivers(ctx context.Context, q queryer, cs []*ledger.Contribution) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*ledger.Contribution{}
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Givers = nil
		args[i] = c.ID
	}
	// No ORDER BY: ordering by (record, seq) made both engines sort the
	// page's givers (SQLite in a temp B-tree, a tenth of a township's
	// list call). The fifty-odd rows are put in that order here.
	rows, err := q.QueryContext(ctx, `SELECT g.contribution_id, g.seq, o.id, o.name FROM contribution_givers g JOIN organisations o ON o.id = g.org_id
		WHERE g.contribution_id IN (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type giver struct {
		cid, seq int64
		org      ledger.Org
	}
	var all []giver
	for rows.Next() {
		var g giver
		if err := rows.Scan(&g.cid, &g.seq, &g.org.ID, &g.org.Name); err != nil {
			return err
		}
		all = append(all, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b giver) int { return cmp.Or(cmp.Compare(a.cid, b.cid), cmp.Compare(a.seq, b.seq)) })
	for _, g := range all {
		byID[g.cid].Givers = append(byID[g.cid].Givers, g.org)
	}
	return nil
}

// Contribution returns one contribution. Callers: anyone who may see it
// (ledger.CanView). Errors: ENOTFOUND (also when u may not see it).
func (d *DB) Contribution(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Contribution, error) {
	c, err := d.getContribution(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	var live int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions x WHERE x.id = $1 AND `+liveContribution, id).Scan(&live); err != nil {
		return nil, xiezuo.Internal(err)
	} else if live == 0 { // a row of an unfinished import
		return nil, notFound(ledger.KindContribution, id)
	}
	return viewable(u, ledger.KindContribution, c.Header, c, nil)
}

// notApproved selects the records not approved, written so that SQLite
// reads contributions_pending (… WHERE status <> 'approved'): its planner
// uses a partial index only for a term that repeats the index's own, and
// does not see that status IN ('submitted') implies it.
const notApproved = "x.status <> 'approved'"

// liveContribution passes over the rows of import batches that are running
// or interrupted: a batch is seen whole or not at all. The two bounds are
// computed once per statement (a tiny table); the id is in every index, so
// outside a running batch's range the test needs no table row, and with
// no batch running the range is empty.
const liveContribution = `NOT (x.id BETWEEN (SELECT COALESCE(MIN(ib.first_id), 0) FROM import_batches ib WHERE ib.status IN ('running', 'interrupted'))
	AND (SELECT COALESCE(MAX(ib.last_id), -1) FROM import_batches ib WHERE ib.status IN ('running', 'interrupted'))
	AND COALESCE(x.import_batch_id, 0) IN (SELECT ib.id FROM import_batches ib WHERE ib.status IN ('running', 'interrupted')))`

// approvedContributions selects the approved contributions (alias x)
// dated from..to, as every total counts them.
func approvedContributions(from, to string) *where {
	w := &where{}
	w.add("x.status = 'approved'")
	w.add(liveContribution)
	w.period("x.date_from", from, to)
	return w
}

func (d *DB) contributionWhere(u *xiezuo.User, f *ledger.ContributionFilter) *where {
	w := &where{}
	visible(w, u)
	w.add(liveContribution)
	switch {
	case f.TownshipCode != "":
		// A township's code names its county (Validate checks the pair,
		// saving checks every row's), so the county is not asked again:
		// that column kept the township's partial index of the rows not
		// approved from covering their totals, and a township's whole
		// history read every one of its rows (15,369, 4.7 ms) for 10.
		w.add("x.township_code = ?", f.TownshipCode)
	case f.CountyCode != "":
		w.add("x.county_code = ?", f.CountyCode)
	}
	if f.Status != "" {
		w.add("x.status = ?", string(f.Status))
	}
	w.period("x.date_from", f.From, f.To)
	if f.Form != "" {
		w.add("x.form = ?", f.Form)
	}
	if f.Sector != "" {
		w.add("x.sector = ?", f.Sector)
	}
	if f.Area != "" {
		w.add("x.area = ?", f.Area) // stored from ledger.ContributionArea
	}
	if f.Delivery != "" {
		w.add("x.delivery = ?", f.Delivery)
	}
	switch f.Channel {
	case "":
	case ledger.ChannelNone:
		w.add("x.order_id IS NULL")
	default:
		w.add("x.order_id IN (SELECT o.id FROM orders o WHERE o.channel = ?)", f.Channel)
	}
	if f.UnitID != 0 {
		w.add("x.unit_id = ?", f.UnitID)
	}
	if f.ActivityID != 0 {
		w.add("x.activity_id = ?", f.ActivityID)
	}
	if f.GiverID != 0 {
		w.add("EXISTS (SELECT 1 FROM contribution_givers g WHERE g.contribution_id = x.id AND g.org_id = ?)", f.GiverID)
	}
	d.searchFilter(w, ledger.KindContribution, f.Query)
	if f.AwaitingReceipt {
		county, ok := ledger.ReceiptScope(u)
		if !ok {
			w.add("1 = 0") // ListContributions refuses it first
		} else if county != "" {
			w.add("x.county_code = ?", county)
		}
		w.add("x.status = 'approved' AND x.delivery = 'delivered' AND x.received_at IS NULL")
	}
	return w
}

// ListContributions returns one page of the contributions f matches that u
// may see, newest first, and the totals of all of them (every page).
// Callers: anyone signed in; with f.AwaitingReceipt the office and county
// users (ledger.ReceiptScope). Errors: EINVALID (bad filter), EFORBIDDEN,
// EINTERNAL.
func (d *DB) ListContributions(ctx context.Context, u *xiezuo.User, f ledger.ContributionFilter) ([]*ledger.Contribution, ledger.Totals, error) {
	tot := ledger.Totals{ByForm: map[string]int64{}}
	if err := f.Validate(); err != nil {
		return nil, tot, err
	}
	if err := validChannel(f.Channel); err != nil {
		return nil, tot, err
	}
	if _, ok := ledger.ReceiptScope(u); f.AwaitingReceipt && !ok {
		return nil, tot, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有受援县用户和协作办可以查看待确认收到的帮扶")
	}
	w := d.contributionWhere(u, &f)
	q, args, newestFirst := d.pageQuery(u, f, w)
	// The totals do not depend on the page: while a connection stands
	// idle they are read beside it, and a request waits for the longer of
	// the two instead of both (the API list at one client, with the page
	// in index order too: SQLite 672 → 878, PostgreSQL 471 → 561
	// requests/s, medians of three rounds). Under load no connection is
	// idle and they are read after it: a second connection for every
	// request only queued (PostgreSQL's lists at 16 and 64 clients lost
	// 7–9% when the totals were always read beside the page).
	readTotals := func() (err error) {
		tot, err = d.listTotals(ctx, u, f, w)
		return err
	}
	var totals errgroup.Group
	beside := d.db.Stats().Idle > 0
	if beside {
		totals.Go(readTotals)
	}
	items, err := d.listPage(ctx, q, args, newestFirst)
	if terr := totals.Wait(); err == nil {
		err = terr
	}
	if err == nil && !beside {
		err = readTotals()
	}
	if err != nil {
		return nil, ledger.Totals{ByForm: map[string]int64{}}, err
	}
	return items, tot, nil
}

// pageQuery is the query of the page of contributions f asks for, where
// w selects the rows u may see of those f matches, with its arguments;
// newestFirst when the page is newest first, which the query leaves to
// its reader (listPage).
func (d *DB) pageQuery(u *xiezuo.User, f ledger.ContributionFilter, w *where) (q string, args []any, newestFirst bool) {
	if !NewestFirst(f) {
		return contributionSelect + w.sql() + orderBy(ledger.KindContribution, f.Sort, f.Dir) + fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, f.Offset), w.args, false
	}
	page := w
	// Newest first, in the order of an index: the contributions' (date,
	// id), or for a giver its own rows' (giver, date, id), so a page
	// reads its rows however few of the period's rows match.
	from, date, id := "contributions x", "x.date_from", "x.id"
	if f.GiverID != 0 {
		// The giver's own rows lead, so w's EXISTS test of the giver
		// is left out: PostgreSQL planned it as a semi-join over all
		// the giver's rows (a whole history, 12,525: 57 ms for 50).
		pf := f
		pf.GiverID = 0
		page, from, date, id = d.contributionWhere(u, &pf), "contribution_givers gv CROSS JOIN contributions x", "gv.date_from", "gv.contribution_id"
		page.add("gv.org_id = ? AND x.id = gv.contribution_id", f.GiverID)
		page.period(date, f.From, f.To)
	}
	newest := func(date, id, dir string) string { return " ORDER BY " + date + " " + dir + ", " + id + " " + dir }
	dir, limit := "DESC", fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, f.Offset)
	// Keyset: the rows beside the cursor's, read from the index at
	// any depth (an OFFSET reads and drops every row before it).
	if c, cid, _ := ledger.ParseCursor(f.After); f.After != "" {
		page = page.clone()
		page.add(date+" <= ? AND ("+date+" < ? OR "+id+" < ?)", c, c, cid)
		limit = fmt.Sprintf(` LIMIT %d`, f.Limit)
	} else if c, cid, _ := ledger.ParseCursor(f.Before); f.Before != "" {
		page = page.clone()
		page.add(date+" >= ? AND ("+date+" > ? OR "+id+" > ?)", c, c, cid)
		dir, limit = "ASC", fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	// The page's ids first, from the index alone, then its rows with
	// their names: no row off the page is read or joined. listPage
	// puts the page's rows newest first, not a second ORDER BY (both
	// engines sorted them again after the joins).
	q = strings.Replace(contributionSelect, "FROM contributions x", "FROM (SELECT "+id+" AS id FROM "+from+page.sql()+newest(date, id, dir)+limit+
		") p CROSS JOIN contributions x", 1) + " WHERE x.id = p.id"
	return q, page.args, true
}

// listPage reads a page of contributions with their givers; newestFirst
// puts them in that order (q's page has no ORDER BY of its own).
func (d *DB) listPage(ctx context.Context, q string, args []any, newestFirst bool) ([]*ledger.Contribution, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var items []*ledger.Contribution
	for rows.Next() {
		c, err := scanContribution(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	rows.Close() // now, not deferred: its connection serves the givers
	if newestFirst {
		slices.SortFunc(items, func(a, b *ledger.Contribution) int {
			return cmp.Or(strings.Compare(b.DateFrom, a.DateFrom), cmp.Compare(b.ID, a.ID))
		})
	}
	if err := d.fillGivers(ctx, d.db, items); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return items, nil
}

// listTotals are the totals of every row f matches that u may see (w). The
// approved rows of the whole months in f's period are read from the
// running sums when f can be answered from them (listSums), those of its
// whole years from the year sums that follow them (byYears); the days of
// a partial month at either end, and the rows not approved, from the
// rows. Any other filter (keyword, unit, activity…) reads the rows.
func (d *DB) listTotals(ctx context.Context, u *xiezuo.User, f ledger.ContributionFilter, w *where) (ledger.Totals, error) {
	table, sums, ok := listSums(&f)
	if !ok {
		return d.contributionTotals(ctx, w)
	}
	tot := ledger.Totals{ByForm: map[string]int64{}}
	add := tot.Plus
	form := "s.form"
	if table == "market_purchase_sums" {
		form = "'consumption'" // every order posts a consumption record
	}
	err := byMonths(f.From, f.To, func(first, last string) error {
		return byYears(table, first, last, func(table, col, from, to string) error {
			sw := sums.clone()
			sw.period("s."+col, from, to)
			t, err := d.byForm(ctx, byFormSQL(form, "s.n", "s.fen", ` FROM `+table+` s`+sw.sql()), sw.args)
			add(t)
			return err
		})
	}, func(from, to string) error { // approved rows of a partial month
		// The counties' month sums' filter reads the day sums too, which
		// carry all its columns but the sector.
		if table == "contribution_month_sums" && f.Sector == "" {
			dw := sums.clone()
			dw.period("s.day", from, to)
			t, err := d.byForm(ctx, byFormSQL("s.form", "s.n", "s.fen", ` FROM contribution_sums s`+dw.sql()), dw.args)
			add(t)
			return err
		}
		ef := f
		ef.Status, ef.From, ef.To, ef.GiverID = ledger.StatusApproved, from, to, 0
		ew := d.contributionWhere(u, &ef)
		if f.GiverID != 0 {
			givenBy(ew, f.GiverID, from, to)
		}
		t, err := d.contributionTotals(ctx, ew)
		add(t)
		return err
	})
	if err != nil {
		return tot, err
	}
	if f.Status == "" { // the rows not approved that u may see
		nw := d.contributionWhere(u, &f)
		nw.add(notApproved)
		t, err := d.contributionTotals(ctx, nw)
		if err != nil {
			return tot, err
		}
		add(t)
	}
	return tot, nil
}

// listSums says which running sums answer the approved whole months of
// f, and selects f's rows of them (alias s): a giver's months (giver_sums,
// by county and form), a township's (township_month_sums) or the
// counties' (contribution_month_sums), each by form, sector, area and
// delivery where it carries them. ok is false when a filter of f is in
// none of them (keyword, unit, activity, a status but approved, a giver
// with a township, sector, area or delivery): the rows answer.
func listSums(f *ledger.ContributionFilter) (table string, w *where, ok bool) {
	if f.Query != "" || f.UnitID != 0 || f.ActivityID != 0 || f.AwaitingReceipt || (f.Status != "" && f.Status != ledger.StatusApproved) {
		return "", nil, false
	}
	if f.Channel != "" {
		return channelSums(f)
	}
	w = &where{}
	eq := func(col, v string) {
		if v != "" {
			w.add("s."+col+" = ?", v)
		}
	}
	switch {
	case f.GiverID != 0:
		if f.TownshipCode != "" || f.Sector != "" || f.Area != "" || f.Delivery != "" {
			return "", nil, false
		}
		w.add("s.org_id = ?", f.GiverID)
		eq("county_code", f.CountyCode)
		eq("form", f.Form)
		return "giver_sums", w, true
	case f.TownshipCode != "": // its county is implied (Validate)
		table = "township_month_sums"
		eq("township_code", f.TownshipCode)
	default:
		table = "contribution_month_sums"
		eq("county_code", f.CountyCode)
	}
	eq("form", f.Form)
	eq("sector", f.Sector)
	eq("area", f.Area)
	eq("delivery", f.Delivery)
	return table, w, true
}

// givenBy limits w to the contributions org gave dated from..to, read
// from the givers' (org, date) index: for a few days' approved rows,
// where the EXISTS test of contributionWhere would read every row of
// those days (at 3,000,000 rows about 1,000 a day for a giver's few).
// Not for the rows not approved: their partial index is the shorter way
// there, and this form makes SQLite start from the giver's rows instead.
func givenBy(w *where, org int64, from, to string) {
	w.add("x.id IN (SELECT g.contribution_id FROM contribution_givers g WHERE g.org_id = ? AND g.date_from >= ? AND g.date_from <= ?)", org, from, to)
}

// byMonths sums the approved contributions of from..to in two parts: the
// whole months by sums(first, last) from contribution_month_sums (YYYY-MM,
// "" for no bound), the days of the partial months at either end by
// rows(from, to) from the rows. It calls each only for a part that exists.
func byMonths(from, to string, sums func(first, last string) error, rows func(from, to string) error) error {
	first, last, edges := monthSpan(from, to)
	if (first != "" || last != "" || len(edges) == 0) && (first == "" || last == "" || first <= last) {
		if err := sums(first, last); err != nil {
			return err
		}
	}
	for _, e := range edges {
		if err := rows(e[0], e[1]); err != nil {
			return err
		}
	}
	return nil
}

// yearSums names the year sums that follow a month sums table (migration
// 00048), with its columns but the month's year for the month.
var yearSums = map[string]string{
	"contribution_month_sums": "contribution_year_sums",
	"township_month_sums":     "township_year_sums",
	"giver_sums":              "giver_year_sums",
}

// byYears sums the whole months first..last (YYYY-MM, "" for no bound) of
// the month sums table by read(table, col, from, to) in two parts: the
// whole years from its year sums (col "year", YYYY, "" for no bound), the
// months of the partial years at either end from table itself (col
// "month"). It reads each part only if it exists: ten years of a township
// are ten rows a combination of its columns, not 120. A table without
// year sums is read by its months alone.
func byYears(table, first, last string, read func(table, col, from, to string) error) error {
	yearTable, ok := yearSums[table]
	if !ok || first != "" && last != "" && first[:4] == last[:4] && (first[5:] != "01" || last[5:] != "12") {
		return read(table, "month", first, last) // or within one year, not all of it
	}
	var from, to string
	var edges [][2]string
	if first != "" {
		if from = first[:4]; first[5:] != "01" {
			from = addYear(from, 1)
			edges = append(edges, [2]string{first, first[:4] + "-12"})
		}
	}
	if last != "" {
		if to = last[:4]; last[5:] != "12" {
			to = addYear(to, -1)
			edges = append(edges, [2]string{last[:4] + "-01", last})
		}
	}
	if from == "" || to == "" || from <= to {
		if err := read(yearTable, "year", from, to); err != nil {
			return err
		}
	}
	for _, e := range edges {
		if err := read(table, "month", e[0], e[1]); err != nil {
			return err
		}
	}
	return nil
}

// addYear is the year YYYY plus n, as YYYY.
func addYear(year string, n int) string {
	y, _ := strconv.Atoi(year)
	return fmt.Sprintf("%04d", y+n)
}

// monthSpan splits the period from..to (YYYY-MM-DD, either may be "")
// into the whole months first..last (YYYY-MM; "" for no bound) and the
// day ranges of the partial months at its ends. When the period lies
// within one month and is not all of it, first and last are "" and the
// period is the one edge.
func monthSpan(from, to string) (first, last string, edges [][2]string) {
	month := func(d string) time.Time { t, _ := time.Parse("2006-01-02", d[:8]+"01"); return t }
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return "", "", [][2]string{{from, to}} // not a date: the rows decide
		}
	}
	if from != "" {
		first = from[:7]
		if from[8:] != "01" {
			first = month(from).AddDate(0, 1, 0).Format("2006-01")
		}
	}
	if to != "" {
		last = to[:7]
		end := month(to).AddDate(0, 1, -1).Format("2006-01-02")
		if to != end {
			last = month(to).AddDate(0, -1, 0).Format("2006-01")
		}
	}
	if from != "" && to != "" && from > to {
		return "", "", [][2]string{{from, to}} // matches nothing, as the rows say
	}
	if from != "" && to != "" && from[:7] == to[:7] && (first > to[:7] || last < from[:7]) {
		return "", "", [][2]string{{from, to}}
	}
	if from != "" && from[8:] != "01" {
		edges = append(edges, [2]string{from, month(from).AddDate(0, 1, -1).Format("2006-01-02")})
	}
	if to != "" && last != to[:7] {
		edges = append(edges, [2]string{to[:8] + "01", to})
	}
	return first, last, edges
}

// EachContribution calls fn for every contribution f matches that u may
// see (no paging), newest first, in chunks that carry their givers; it
// serves exports of any size. Errors: EINVALID (bad filter), EINTERNAL, or
// fn's error.
func (d *DB) EachContribution(ctx context.Context, u *xiezuo.User, f ledger.ContributionFilter, fn func(*ledger.Contribution) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	w := d.contributionWhere(u, &f)
	rows, err := d.db.QueryContext(ctx, contributionSelect+w.sql()+orderBy(ledger.KindContribution, f.Sort, f.Dir), w.args...)
	if err != nil {
		return xiezuo.Internal(err)
	}
	defer rows.Close()
	var chunk []*ledger.Contribution
	flush := func() error {
		if err := d.fillGivers(ctx, d.db, chunk); err != nil {
			return xiezuo.Internal(err)
		}
		for _, c := range chunk {
			if err := fn(c); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for rows.Next() {
		c, err := scanContribution(rows)
		if err != nil {
			return xiezuo.Internal(err)
		}
		if chunk = append(chunk, c); len(chunk) == 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return xiezuo.Internal(err)
	}
	return flush()
}

// contributionTotals sums the rows w selects by form.
func (d *DB) contributionTotals(ctx context.Context, w *where) (ledger.Totals, error) {
	return d.byForm(ctx, contributionTotalsSQL(w), w.args)
}

// contributionTotalsSQL is contributionTotals' query.
func contributionTotalsSQL(w *where) string {
	return byFormSQL("x.form", "1", "x.amount_fen", ` FROM contributions x`+w.sql())
}

// byForm runs q, a byFormSQL query, into totals by form.
func (d *DB) byForm(ctx context.Context, q string, args []any) (ledger.Totals, error) {
	tot := ledger.Totals{ByForm: map[string]int64{}}
	vals := make([]int64, 2*len(ledger.Forms))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := d.db.QueryRowContext(ctx, q, args...).Scan(ptrs...); err != nil {
		return tot, xiezuo.Internal(err)
	}
	for i, f := range ledger.Forms {
		tot.Add(f.Code, vals[2*i], vals[2*i+1])
	}
	return tot, nil
}

// byFormSQL sums n and fen over the rows of from (a FROM clause and its
// WHERE) by form in one pass: a sum of each per form of ledger.Forms, not
// a GROUP BY, which made SQLite sort every row it read (issue 11): the
// rows of a list, or of its running sums.
func byFormSQL(form, n, fen, from string) string {
	cols := make([]string, 0, 2*len(ledger.Forms))
	for _, f := range ledger.Forms { // codes are fixed ASCII words
		when := `CASE WHEN ` + form + ` = '` + f.Code + `' THEN `
		cols = append(cols, `COALESCE(SUM(`+when+n+` END), 0)`, `COALESCE(SUM(`+when+fen+` END), 0)`)
	}
	return `SELECT ` + strings.Join(cols, ", ") + from
}

// CountyTotal is the approved contributions of one county.
type CountyTotal struct {
	CountyCode string
	CountyName string
	ledger.Totals
}

// CountyTotals sums approved contributions per county in a date range
// (either bound may be empty). Only approved records count. Callers: anyone
// signed in.
func (d *DB) CountyTotals(ctx context.Context, from, to string) ([]CountyTotal, error) {
	var out []CountyTotal
	read := func(q string, args []any) error {
		rows, err := d.db.QueryContext(ctx, q, args...)
		if err != nil {
			return xiezuo.Internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var code, name, form string
			var n, sum int64
			if err := rows.Scan(&code, &name, &form, &n, &sum); err != nil {
				return xiezuo.Internal(err)
			}
			i := slices.IndexFunc(out, func(t CountyTotal) bool { return t.CountyCode == code })
			if i < 0 {
				i = len(out)
				out = append(out, CountyTotal{CountyCode: code, CountyName: name, Totals: ledger.Totals{ByForm: map[string]int64{}}})
			}
			out[i].Add(form, n, sum)
		}
		return rows.Err()
	}
	err := byMonths(from, to, func(first, last string) error {
		return byYears("contribution_month_sums", first, last, func(table, col, from, to string) error {
			w := &where{}
			w.period("s."+col, from, to)
			return read(`SELECT s.county_code, r.name, s.form, SUM(s.n), SUM(s.fen) FROM `+table+` s
			JOIN regions r ON r.code = s.county_code`+w.sql()+` GROUP BY s.county_code, r.name, s.form HAVING SUM(s.n) > 0`, w.args)
		})
	}, func(from, to string) error {
		w := approvedContributions(from, to)
		return read(`SELECT x.county_code, r.name, x.form, COUNT(*), SUM(x.amount_fen) FROM contributions x
			JOIN regions r ON r.code = x.county_code`+w.sql()+` GROUP BY x.county_code, r.name, x.form`, w.args)
	})
	slices.SortFunc(out, func(a, b CountyTotal) int { return strings.Compare(a.CountyCode, b.CountyCode) })
	return out, err
}

// ConfirmReceipt records that the county received a delivered, approved
// contribution; the need it was pledged for, if any, becomes 已满足.
// Callers: county users of the record's county, the office.
// Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT (not approved/delivered, or done).
func (d *DB) ConfirmReceipt(ctx context.Context, u *xiezuo.User, id int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := d.visibleHeader(ctx, tx, u, ledger.KindContribution, id); err != nil {
			return err
		}
		c, err := d.getContribution(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := ledger.CheckReceipt(u, c); err != nil {
			return err
		}
		now := d.now()
		if _, err := tx.ExecContext(ctx, `UPDATE contributions SET received_at = $1, received_by = $2 WHERE id = $3`, now, u.ID, id); err != nil {
			return err
		}
		if err := d.audit(ctx, tx, u, "receive", string(ledger.KindContribution), id, nil, map[string]string{"received_at": now}); err != nil {
			return err
		}
		return d.meetNeedOf(ctx, tx, u, id) // a matched need is met (plan_matches.go)
	})
}
