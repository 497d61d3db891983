package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
)

// Reserved shares and supervision (issue 12 items 2 and 5). A buyer unit's
// management account files the year's canteen farm-produce budget and
// ratio (market_shares); the office sets the year's lowest ratio
// (market_ratios). Supervision reads what each unit purchased from the
// running sums of migration 00028 and the few suspect order lines through
// the indexes of 00027, so its figures over a million orders take a few
// thousand rows to read.
//
// What counts as purchased: the approved consumption contributions that
// came from counted orders (contributions.order_id set, market.Counts:
// 已验收, 已结算), given by the order's buyer unit, in the year of the
// contribution's date (the day of acceptance), by county of origin
// (contributions.county_code) and channel (orders.channel). A returned
// order's contribution is deleted, so it stops counting. Only origins in
// the paired counties or the office's 832 counties (CountedCounties,
// store/market_832.go) count: an order imported from the 832 platform
// with another origin stays in the ledger but not in these figures, and
// supervision's "outside" flag names its lines. With no county known at
// all, every origin counts.

// ShareLine is one buyer unit's line of the supervision table: its
// filing (Filed false: none for the year), what it reserved and
// purchased, its progress and rank (market.RankShares), and its
// supervising unit.
type ShareLine struct {
	market.ShareRow
	Filed      bool   `json:"filed"`
	NoCanteen  bool   `json:"no_canteen"`
	BudgetFen  int64  `json:"budget_fen"`
	RatioBP    int64  `json:"ratio_bp"`
	FiledAt    string `json:"filed_at,omitempty"`
	Orders     int64  `json:"orders"` // counted orders
	ParentID   int64  `json:"parent_id,omitempty"`
	ParentName string `json:"parent_name,omitempty"`
	// The supervising unit's check of the filing (market.CheckOf), the
	// reason of a return and when it was checked.
	Check       market.CheckStatus `json:"check,omitempty"`
	CheckReason string             `json:"check_reason,omitempty"`
	CheckedAt   string             `json:"checked_at,omitempty"`
}

// Filing says how the unit filed: 已填报, 无食堂 or 未填报.
func (l *ShareLine) Filing() string {
	switch {
	case l.NoCanteen:
		return "无食堂"
	case l.Filed:
		return "已填报"
	}
	return "未填报"
}

// ParentTotal is a supervising unit (主管预算单位) with its subordinate
// units: their reserved and purchased sums (its own included) and
// progress.
type ParentTotal struct {
	UnitID       int64  `json:"unit_id"`
	UnitName     string `json:"unit_name"`
	Units        int    `json:"units"` // subordinate units
	ReservedFen  int64  `json:"reserved_fen"`
	PurchasedFen int64  `json:"purchased_fen"`
	ProgressBP   int64  `json:"progress_bp"`
	HasShare     bool   `json:"has_share"`
}

// PurchaseSum is one group of purchases: a county, channel or month
// (Code: 12-digit county code, channel code or YYYY-MM), its name, the
// number of counted orders and their amount.
type PurchaseSum struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	N     int64  `json:"n"`
	Fen   int64  `json:"fen"`
}

// MaxFlagsPerKind bounds the flags Supervision lists of one kind; Counts
// says how many there were up to that bound.
const MaxFlagsPerKind = 200

// SupervisionReport is the supervision page's figures for a year, or
// for the year to the end of one month (Month, the monthly 通报): then
// every figure but MonthCounties and MonthChannels covers January to
// Month, and those two the month alone.
type SupervisionReport struct {
	Year         int                 `json:"year"`
	RatioBP      int64               `json:"ratio_bp"` // the office's for the year
	RatioSet     bool                `json:"ratio_set"`
	Units        []ShareLine         `json:"units"`
	Parents      []ParentTotal       `json:"parents"`
	Counties     []PurchaseSum       `json:"counties"`
	Channels     []PurchaseSum       `json:"channels"`
	Months       []PurchaseSum       `json:"months"` // all twelve
	ReservedFen  int64               `json:"reserved_fen"`
	PurchasedFen int64               `json:"purchased_fen"`
	OrderCount   int64               `json:"order_count"`
	Burst        market.BurstRule    `json:"burst"`
	Flags        []market.Flag       `json:"flags"`
	FlagCounts   map[string]int      `json:"flag_counts"`
	FlagsCut     bool                `json:"flags_cut"`       // some kind reached MaxFlagsPerKind
	Scope        string              `json:"scope,omitempty"` // the unit a buyer account sees, "" for all
	Filing       *market.ShareFiling `json:"filing,omitempty"`

	// Month is the month the report runs to (1–12; 0: the whole year);
	// with it, the month's own purchases per county of origin and per
	// channel, and their total.
	Month         int           `json:"month,omitempty"`
	MonthCounties []PurchaseSum `json:"month_counties,omitempty"`
	MonthChannels []PurchaseSum `json:"month_channels,omitempty"`
	MonthN        int64         `json:"month_n,omitempty"`
	MonthFen      int64         `json:"month_fen,omitempty"`
	Counted       int           `json:"counted_counties"` // paired and 832 counties whose products count

	counted      map[string]bool // CountedCounties
	countedCodes []string
}

// ShareRatio is the office's lowest reserved ratio for year (basis
// points), and whether the office set it (else market.DefaultRatioBP).
// Callers: anyone. Errors: EINTERNAL.
func (d *DB) ShareRatio(ctx context.Context, year int) (int64, bool, error) {
	return shareRatio(ctx, d.db, year)
}

func shareRatio(ctx context.Context, q queryer, year int) (int64, bool, error) {
	var bp int64
	err := q.QueryRowContext(ctx, `SELECT ratio_bp FROM market_ratios WHERE year = $1`, year).Scan(&bp)
	if err == sql.ErrNoRows {
		return market.DefaultRatioBP, false, nil
	} else if err != nil {
		return 0, false, xiezuo.Internal(err)
	}
	return bp, true, nil
}

// SetDefaultRatio sets the office's lowest reserved ratio for year, in
// basis points (1–10000), audited. Filings already made keep their ratio.
// Callers: the office (market.CanSetRatio). Errors: EFORBIDDEN, EINVALID,
// EINTERNAL.
func (d *DB) SetDefaultRatio(ctx context.Context, u *xiezuo.User, year int, ratioBP int64) error {
	if !market.CanSetRatio(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以设置预留比例")
	}
	p := xiezuo.Problems{}
	if last := ledger.LastYear(d.Today()); year < market.FirstShareYear || year > last {
		p.Add("year", "年度应在"+strconv.Itoa(market.FirstShareYear)+"年至"+strconv.Itoa(last)+"年之间")
	}
	if ratioBP <= 0 || ratioBP > 10000 {
		p.Add("ratio_bp", "预留比例应大于0且不超过100%")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		before, set, err := shareRatio(ctx, tx, year)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO market_ratios (year, ratio_bp, set_by, set_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (year) DO UPDATE SET ratio_bp = excluded.ratio_bp, set_by = excluded.set_by, set_at = excluded.set_at`,
			year, ratioBP, u.ID, d.now()); err != nil {
			return err
		}
		var old any
		if set {
			old = map[string]int64{"year": int64(year), "ratio_bp": before}
		}
		return d.audit(ctx, tx, u, "set", "share_ratio", int64(year), old, map[string]int64{"year": int64(year), "ratio_bp": ratioBP})
	})
}

// ShareFiling returns unit unitID's filing for year, or nil if it has
// not filed. Callers: who may see the unit's share (market.CanSeeShare:
// its accounts, its supervising unit's management account, the office,
// 监管). Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) ShareFiling(ctx context.Context, u *xiezuo.User, unitID int64, year int) (*market.ShareFiling, error) {
	parent, err := unitParent(ctx, d.db, unitID)
	if err != nil {
		return nil, err
	}
	if !market.CanSeeShare(u, unitID, parent) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "无权查看该单位的预留份额")
	}
	return shareFiling(ctx, d.db, unitID, year)
}

func shareFiling(ctx context.Context, q queryer, unitID int64, year int) (*market.ShareFiling, error) {
	f := &market.ShareFiling{UnitID: unitID, Year: year}
	var noCanteen int64
	err := q.QueryRowContext(ctx, `SELECT o.name, s.no_canteen, s.budget_fen, s.ratio_bp FROM market_shares s JOIN organisations o ON o.id = s.unit_id
		WHERE s.unit_id = $1 AND s.year = $2`, unitID, year).Scan(&f.UnitName, &noCanteen, &f.BudgetFen, &f.RatioBP)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	f.NoCanteen = noCanteen == 1
	return f, nil
}

// unitParent is unit id's supervising unit (0 if none).
func unitParent(ctx context.Context, q queryer, id int64) (int64, error) {
	var p int64
	err := q.QueryRowContext(ctx, `SELECT parent_id FROM market_unit_parents WHERE unit_id = $1`, id).Scan(&p)
	if err != nil && err != sql.ErrNoRows {
		return 0, xiezuo.Internal(err)
	}
	return p, nil
}

// FileShare files (or files again) f: unit f.UnitID's canteen
// farm-produce budget and reserved ratio for f.Year, checked by
// market.ShareFiling.Validate against the office's ratio for the year,
// audited. Callers: the unit's management account (market.CanFileShare).
// Errors: EFORBIDDEN, EINVALID (with Fields), EINTERNAL.
func (d *DB) FileShare(ctx context.Context, u *xiezuo.User, f *market.ShareFiling) error {
	if !market.CanFileShare(u, f.UnitID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本单位的采购单位管理账号可以填报预留份额")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		ratio, _, err := shareRatio(ctx, tx, f.Year)
		if err != nil {
			return err
		}
		if err := f.Validate(d.Today(), ratio); err != nil {
			return err
		}
		before, err := shareFiling(ctx, tx, f.UnitID, f.Year)
		if err != nil {
			return err
		}
		noCanteen := 0
		if f.NoCanteen {
			noCanteen = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO market_shares (unit_id, year, no_canteen, budget_fen, ratio_bp, filed_by, filed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (unit_id, year) DO UPDATE SET no_canteen = excluded.no_canteen, budget_fen = excluded.budget_fen,
			ratio_bp = excluded.ratio_bp, filed_by = excluded.filed_by, filed_at = excluded.filed_at`,
			f.UnitID, f.Year, noCanteen, f.BudgetFen, f.RatioBP, u.ID, d.now()); err != nil {
			return err
		}
		// Filed again: back to 待审核 for the supervising unit (the checks
		// made stay in the audit log).
		if _, err := tx.ExecContext(ctx, `DELETE FROM market_share_checks WHERE unit_id = $1 AND year = $2`, f.UnitID, f.Year); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, f.UnitID).Scan(&f.UnitName); err != nil {
			return err
		}
		var old any
		if before != nil {
			old = before
		}
		return d.audit(ctx, tx, u, "file", "share", f.UnitID, old, f)
	})
}

// SetSupervisingUnit makes parentID unit unitID's supervising unit
// (主管预算单位), or removes the link when parentID is 0, audited.
// Callers: the office. Errors: EFORBIDDEN, EINVALID (a unit its own
// parent, an unknown organisation), EINTERNAL.
func (d *DB) SetSupervisingUnit(ctx context.Context, u *xiezuo.User, unitID, parentID int64) error {
	if !u.IsOffice() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以设置主管预算单位")
	}
	if unitID == parentID {
		return xiezuo.Errorf(xiezuo.EINVALID, "单位不能是自己的主管预算单位")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		before, err := unitParent(ctx, tx, unitID)
		if err != nil {
			return err
		}
		if parentID == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM market_unit_parents WHERE unit_id = $1`, unitID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO market_unit_parents (unit_id, parent_id) VALUES ($1, $2)
				ON CONFLICT (unit_id) DO UPDATE SET parent_id = excluded.parent_id`, unitID, parentID)
		}
		if err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "set", "supervising_unit", unitID, map[string]int64{"parent_id": before}, map[string]int64{"parent_id": parentID})
	})
}

// SupervisionOptions are the parameters of Supervision beside the year.
type SupervisionOptions struct {
	// ReportDate is the reporting date bursts are judged against; ""
	// takes the last day of the latest month of the year up to today.
	ReportDate string
	// UnitID narrows the report to one unit and its subordinate units
	// (0: all the caller may see).
	UnitID int64
	// Month (1–12) makes the report the year to the end of that month
	// (the monthly 通报) with the month's own sums beside; its reporting
	// date defaults to the month's last day. 0: the whole year.
	Month int
}

// Supervision returns the year's supervision figures: each buyer unit's
// reserved share against what it purchased, ranked; the supervising
// units' totals; purchases per county of origin, channel and month; and
// the flags of market/supervise.go over the year's orders. A buyer unit
// is an organisation with buyer accounts, a filing for the year or
// purchases in it.
//
// Callers: the office and 监管 (market.CanSupervise) see everything; a
// buyer unit's management account sees its own unit and its subordinate
// units (market.CanSeeShare), figures and flags alike. Errors: EFORBIDDEN,
// EINVALID (year, report date), EINTERNAL.
func (d *DB) Supervision(ctx context.Context, u *xiezuo.User, year int, opt SupervisionOptions) (*SupervisionReport, error) {
	today := d.Today()
	if last := ledger.LastYear(today); year < market.FirstShareYear || year > last {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "年度应在%d年至%d年之间", market.FirstShareYear, last)
	}
	if opt.Month < 0 || opt.Month > 12 {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "月份应为1至12")
	}
	if opt.Month > 0 && fmt.Sprintf("%d-%02d", year, opt.Month) > today[:7] {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "%d年%d月尚未开始，不能通报", year, opt.Month)
	}
	scope := opt.UnitID
	switch {
	case market.CanSupervise(u):
	case u != nil && u.Role == xiezuo.RoleBuyerAdmin && u.OrgID != 0 && (scope == 0 || scope == u.OrgID):
		scope = u.OrgID
	default:
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管部门和采购单位管理账号可以查看预留份额执行情况")
	}
	rep := &SupervisionReport{Year: year, Month: opt.Month, FlagCounts: map[string]int{}}
	var err error
	if rep.counted, rep.countedCodes, err = d.CountedCounties(ctx); err != nil {
		return nil, err
	}
	rep.Counted = len(rep.countedCodes)
	if rep.RatioBP, rep.RatioSet, err = shareRatio(ctx, d.db, year); err != nil {
		return nil, err
	}
	if err := d.supervisionUnits(ctx, rep, scope); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if scope != 0 {
		rep.Scope = strconv.FormatInt(scope, 10)
		if rep.Filing, err = shareFiling(ctx, d.db, scope, year); err != nil {
			return nil, err
		}
	}
	if err := d.supervisionSums(ctx, rep); err != nil {
		return nil, xiezuo.Internal(err)
	}
	rep.Burst = market.BurstRule{ReportDate: opt.ReportDate, Days: 7, MinSharePct: 50, MinOrders: 3}
	if rep.Burst.ReportDate == "" && opt.Month > 0 {
		rep.Burst.ReportDate = rep.Through()
	} else if rep.Burst.ReportDate == "" {
		rep.Burst.ReportDate = reportDateOf(year, today)
	} else if !xiezuo.ValidDate(opt.ReportDate) || !strings.HasPrefix(opt.ReportDate, strconv.Itoa(year)+"-") {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "报送日期应为%d年内的日期，如 %d-06-30", year, year)
	}
	if err := d.supervisionFlags(ctx, rep); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return rep, nil
}

// reportDateOf is the reporting date of year seen on today: the last day
// of the latest month of the year up to today (the monthly 通报).
func reportDateOf(year int, today string) string {
	t, _ := time.Parse(xiezuo.DateLayout, today)
	if t.Year() > year || t.IsZero() {
		return strconv.Itoa(year) + "-12-31"
	}
	if t.Year() < year {
		return strconv.Itoa(year) + "-01-31"
	}
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format(xiezuo.DateLayout)
}

// yearMonths are the bounds of rep's months in the running sums: the
// year's, or January to rep.Month.
func yearMonths(rep *SupervisionReport) (string, string) {
	y := strconv.Itoa(rep.Year)
	if rep.Month > 0 {
		return y + "-01", fmt.Sprintf("%s-%02d", y, rep.Month)
	}
	return y + "-01", y + "-12"
}

// Through is the last day rep covers: the end of rep.Month, or of the
// year.
func (rep *SupervisionReport) Through() string {
	if rep.Month > 0 {
		return time.Date(rep.Year, time.Month(rep.Month)+1, 0, 0, 0, 0, 0, time.UTC).Format(xiezuo.DateLayout)
	}
	return strconv.Itoa(rep.Year) + "-12-31"
}

// MonthFlags are the flags of rep about a day of rep.Month (Flag.On):
// the month's findings (none when rep covers a whole year).
func (rep *SupervisionReport) MonthFlags() []market.Flag {
	if rep.Month == 0 {
		return nil
	}
	prefix := fmt.Sprintf("%d-%02d-", rep.Year, rep.Month)
	var out []market.Flag
	for _, f := range rep.Flags {
		if strings.HasPrefix(f.On, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// supervisionUnits reads the buyer units (all, or scope and its
// subordinate units) with their filings, parents and purchases, ranks
// them and totals the supervising units.
func (d *DB) supervisionUnits(ctx context.Context, rep *SupervisionReport, scope int64) error {
	from, to := yearMonths(rep)
	w := &where{}
	yearArg, fromArg, toArg := w.next(rep.Year), w.next(from), w.next(to)
	counted := ""
	if len(rep.countedCodes) > 0 {
		ps := make([]string, len(rep.countedCodes))
		for i, c := range rep.countedCodes {
			ps[i] = w.next(c)
		}
		counted = ` AND county_code IN (` + strings.Join(ps, ", ") + `)`
	}
	q := `SELECT o.id, o.name, COALESCE(p.parent_id, 0), COALESCE(po.name, ''),
		COALESCE(s.no_canteen, -1), COALESCE(s.budget_fen, 0), COALESCE(s.ratio_bp, 0), COALESCE(s.filed_at, ''),
		COALESCE(b.n, 0), COALESCE(b.fen, 0), COALESCE(c.status, ''), COALESCE(c.reason, ''), COALESCE(c.checked_at, '')
		FROM organisations o
		LEFT JOIN market_unit_parents p ON p.unit_id = o.id
		LEFT JOIN organisations po ON po.id = p.parent_id
		LEFT JOIN market_shares s ON s.unit_id = o.id AND s.year = ` + yearArg + `
		LEFT JOIN market_share_checks c ON c.unit_id = s.unit_id AND c.year = s.year AND c.filed_at = s.filed_at
		LEFT JOIN (SELECT unit_id, SUM(n) AS n, SUM(fen) AS fen FROM market_purchase_sums WHERE month >= ` + fromArg + ` AND month <= ` + toArg + counted + `
			GROUP BY unit_id) b ON b.unit_id = o.id
		WHERE (o.id IN (SELECT org_id FROM users WHERE role IN ('buyer_admin', 'purchaser') AND org_id IS NOT NULL)
			OR s.unit_id IS NOT NULL OR b.unit_id IS NOT NULL)`
	if scope != 0 {
		a, b := w.next(scope), w.next(scope)
		q += ` AND (o.id = ` + a + ` OR p.parent_id = ` + b + `)`
	}
	rows, err := d.db.QueryContext(ctx, q+` ORDER BY o.id`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var lines []ShareLine
	for rows.Next() {
		var l ShareLine
		var noCanteen int64
		var check string
		if err := rows.Scan(&l.UnitID, &l.UnitName, &l.ParentID, &l.ParentName, &noCanteen, &l.BudgetFen, &l.RatioBP, &l.FiledAt,
			&l.Orders, &l.PurchasedFen, &check, &l.CheckReason, &l.CheckedAt); err != nil {
			return err
		}
		l.Filed, l.NoCanteen = noCanteen >= 0, noCanteen == 1
		if l.Check = market.CheckOf(l.Filed, l.ParentID != 0, market.CheckStatus(check)); l.Check != market.CheckApproved && l.Check != market.CheckReturned {
			l.CheckReason, l.CheckedAt = "", ""
		}
		if l.Filed && !l.NoCanteen {
			l.ReservedFen = market.ReservedFen(l.BudgetFen, l.RatioBP)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	byID := map[int64]ShareLine{}
	shareRows := make([]market.ShareRow, len(lines))
	for i, l := range lines {
		byID[l.UnitID] = l
		shareRows[i] = l.ShareRow
		rep.ReservedFen += l.ReservedFen
		rep.PurchasedFen += l.PurchasedFen
		rep.OrderCount += l.Orders
	}
	for _, r := range market.RankShares(shareRows) {
		l := byID[r.UnitID]
		l.ShareRow = r
		rep.Units = append(rep.Units, l)
	}
	// The supervising units: each with its subordinates (and itself).
	parents := map[int64]*ParentTotal{}
	var order []int64
	for _, l := range rep.Units {
		if l.ParentID == 0 {
			continue
		}
		p := parents[l.ParentID]
		if p == nil {
			p = &ParentTotal{UnitID: l.ParentID, UnitName: l.ParentName}
			if own, ok := byID[l.ParentID]; ok {
				p.ReservedFen, p.PurchasedFen = own.ReservedFen, own.PurchasedFen
			}
			parents[l.ParentID] = p
			order = append(order, l.ParentID)
		}
		p.Units++
		p.ReservedFen += l.ReservedFen
		p.PurchasedFen += l.PurchasedFen
	}
	for _, id := range order {
		p := parents[id]
		p.ProgressBP, p.HasShare = market.Progress(p.ReservedFen, p.PurchasedFen)
		rep.Parents = append(rep.Parents, *p)
	}
	sort.SliceStable(rep.Parents, func(i, j int) bool { return rep.Parents[i].ProgressBP > rep.Parents[j].ProgressBP })
	return nil
}

// scopeUnits are the ids of rep's units when it is narrowed to a scope
// (nil: all units).
func scopeUnits(rep *SupervisionReport) map[int64]bool {
	if rep.Scope == "" {
		return nil
	}
	m := map[int64]bool{}
	for _, l := range rep.Units {
		m[l.UnitID] = true
	}
	return m
}

// supervisionSums reads the year's purchases per county, channel and
// month from the running sums.
func (d *DB) supervisionSums(ctx context.Context, rep *SupervisionReport) error {
	from, to := yearMonths(rep)
	sumsWhere := func(from, to string) *where {
		w := &where{}
		w.add("month >= ?", from)
		w.add("month <= ?", to)
		w.add("n <> 0")
		if len(rep.countedCodes) > 0 {
			w.in("county_code", rep.countedCodes)
		}
		if units := scopeUnits(rep); units != nil {
			ids := make([]any, 0, len(units))
			for id := range units {
				ids = append(ids, id)
			}
			if len(ids) == 0 {
				ids = append(ids, int64(0))
			}
			w.add("unit_id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", ids...)
		}
		return w
	}
	w := sumsWhere(from, to)
	group := func(col string) ([]PurchaseSum, error) {
		rows, err := d.db.QueryContext(ctx, `SELECT `+col+`, SUM(n), SUM(fen) FROM market_purchase_sums`+w.sql()+` GROUP BY `+col+` ORDER BY `+col, w.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []PurchaseSum
		for rows.Next() {
			var s PurchaseSum
			if err := rows.Scan(&s.Code, &s.N, &s.Fen); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}
	var err error
	if rep.Counties, err = group("county_code"); err != nil {
		return err
	}
	if rep.Month > 0 { // the month's own sums, named below with the year's
		w = sumsWhere(to, to)
		if rep.MonthCounties, err = group("county_code"); err != nil {
			return err
		}
		if rep.MonthChannels, err = group("channel"); err != nil {
			return err
		}
		for _, c := range rep.MonthChannels {
			rep.MonthN += c.N
			rep.MonthFen += c.Fen
		}
		w = sumsWhere(from, to)
	}
	names := map[string]string{}
	if len(rep.Counties) > 0 {
		codes := make([]string, len(rep.Counties))
		for i, c := range rep.Counties {
			codes[i] = c.Code
		}
		rw := &where{}
		rw.in("code", codes)
		rows, err := d.db.QueryContext(ctx, `SELECT code, name FROM regions`+rw.sql(), rw.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c, n string
			if err := rows.Scan(&c, &n); err != nil {
				rows.Close()
				return err
			}
			names[c] = n
		}
		rows.Close()
	}
	byFen := func(ss []PurchaseSum) {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Fen > ss[j].Fen })
	}
	for _, cs := range [][]PurchaseSum{rep.Counties, rep.MonthCounties} {
		for i := range cs { // the month's counties are among the year's
			cs[i].Label = names[cs[i].Code]
		}
		byFen(cs)
	}
	if rep.Channels, err = group("channel"); err != nil {
		return err
	}
	for _, cs := range [][]PurchaseSum{rep.Channels, rep.MonthChannels} {
		for i := range cs {
			cs[i].Label = market.ChannelLabel(cs[i].Code)
		}
		byFen(cs)
	}
	months, err := group("month")
	if err != nil {
		return err
	}
	got := map[string]PurchaseSum{}
	for _, m := range months {
		got[m.Code] = m
	}
	for m := 1; m <= 12; m++ {
		code := fmt.Sprintf("%d-%02d", rep.Year, m)
		s := got[code]
		s.Code, s.Label = code, strconv.Itoa(m)+"月"
		rep.Months = append(rep.Months, s)
	}
	return nil
}

// factCols read an OrderFact from order_lines l of orders x, with buyer
// bu and supplier su.
const factCols = `x.id, x.no, x.ordered_on, x.channel, x.buyer_unit_id, bu.name, COALESCE(bu.uscc, ''), x.supplier_id, su.name, COALESCE(su.uscc, ''),
	l.name, l.category, l.unit, l.origin_code, COALESCE(rg.name, ''), l.qty, l.price_fen, l.amount_fen, x.status`

const factFrom = ` FROM order_lines l JOIN orders x ON x.id = l.order_id JOIN organisations bu ON bu.id = x.buyer_unit_id
	JOIN organisations su ON su.id = x.supplier_id LEFT JOIN regions rg ON rg.code = l.origin_code`

// factFromLines is factFrom read from the lines a condition on them
// selects (through their own index) to their orders: SQLite takes the
// left table of a CROSS JOIN as the outer loop, so it does not scan the
// year's orders instead (PostgreSQL plans a CROSS JOIN as any join).
const factFromLines = ` FROM order_lines l CROSS JOIN orders x JOIN organisations bu ON bu.id = x.buyer_unit_id
	JOIN organisations su ON su.id = x.supplier_id LEFT JOIN regions rg ON rg.code = l.origin_code`

// orderFacts reads the order lines a condition on l and x selects, at
// most limit of them; linesFirst reads them from the lines (see
// factFromLines), else from the orders.
func (d *DB) orderFacts(ctx context.Context, w *where, limit int, linesFirst bool) ([]market.OrderFact, error) {
	from := factFrom
	if linesFirst {
		from = factFromLines
		w.add("x.id = l.order_id")
	}
	var q queryer = d.db
	if d.Dialect == Postgres {
		// Planned for these values: the connections' generic plans
		// (genericPlans) guess a date range at a fraction of the orders and
		// read the year's half-million orders for a handful of lines (0.8 s
		// where the lines' index takes 14 ms).
		tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return nil, err
		}
		q = tx
	}
	// No ORDER BY: with one, SQLite walks the year's orders in date order
	// (orders_day) to skip the sort, a million rows for a handful; the
	// few facts are sorted here instead.
	rows, err := q.QueryContext(ctx, `SELECT `+factCols+from+w.sql()+` LIMIT `+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.OrderFact
	for rows.Next() {
		var f market.OrderFact
		if err := rows.Scan(&f.OrderID, &f.OrderNo, &f.OrderedOn, &f.Channel, &f.BuyerUnitID, &f.BuyerName, &f.BuyerUSCC, &f.SupplierID,
			&f.SupplierName, &f.SupplierUSCC, &f.ProductName, &f.Category, &f.Unit, &f.OriginCode, &f.OriginName, &f.Qty, &f.PriceFen,
			&f.AmountFen, &f.Status); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].OrderedOn != out[j].OrderedOn {
			return out[i].OrderedOn < out[j].OrderedOn
		}
		return out[i].OrderID < out[j].OrderID
	})
	return out, rows.Err()
}

// yearWhere starts a condition on the orders x of rep's year (and
// scope).
func yearWhere(rep *SupervisionReport, units map[int64]bool) *where {
	w := &where{}
	y := strconv.Itoa(rep.Year)
	w.add("x.ordered_on >= ?", y+"-01-01")
	w.add("x.ordered_on <= ?", rep.Through())
	if units != nil {
		ids := []any{int64(0)}
		for id := range units {
			ids = append(ids, id)
		}
		w.add("x.buyer_unit_id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", ids...)
	}
	return w
}

// supervisionFlags runs market's checks over the few lines of the year
// that can raise them, each kind read through its own index or running
// sum, at most MaxFlagsPerKind of each.
func (d *DB) supervisionFlags(ctx context.Context, rep *SupervisionReport) error {
	units := scopeUnits(rep)
	add := func(kind string, flags []market.Flag) {
		if len(flags) > MaxFlagsPerKind {
			flags, rep.FlagsCut = flags[:MaxFlagsPerKind], true
		}
		rep.FlagCounts[kind] = len(flags)
		rep.Flags = append(rep.Flags, flags...)
	}

	// 供需双方为同一主体: the pairs of organisations with one USCC (a
	// handful), then their orders.
	var sameFacts []market.OrderFact
	pairs, err := d.db.QueryContext(ctx, `SELECT b.id, s.id FROM organisations b JOIN organisations s ON s.uscc = b.uscc
		WHERE b.uscc IS NOT NULL AND b.uscc <> '' AND s.id IN (SELECT org_id FROM suppliers)`)
	if err != nil {
		return err
	}
	var pp [][2]int64
	for pairs.Next() {
		var p [2]int64
		if err := pairs.Scan(&p[0], &p[1]); err != nil {
			pairs.Close()
			return err
		}
		pp = append(pp, p)
	}
	pairs.Close()
	for _, p := range pp {
		if units != nil && !units[p[0]] {
			continue
		}
		w := yearWhere(rep, units)
		w.add("x.buyer_unit_id = ?", p[0])
		// Read through the buyer's orders (orders_buyer): a supplier has
		// far more; the unary + keeps SQLite off orders_supplier.
		w.add("+x.supplier_id = ?", p[1])
		fs, err := d.orderFacts(ctx, w, MaxFlagsPerKind*4, false)
		if err != nil {
			return err
		}
		sameFacts = append(sameFacts, fs...)
	}
	add("same_uscc", market.FlagSameUSCC(sameFacts))

	// 价格偏离同类中位数: the medians from the running price counts, then
	// the lines outside each band through order_lines_price.
	hist, err := d.db.QueryContext(ctx, `SELECT category, unit, price_fen, n FROM market_line_prices WHERE year = $1 AND n > 0 ORDER BY category, unit, price_fen`,
		strconv.Itoa(rep.Year))
	if err != nil {
		return err
	}
	counts := map[market.PriceKey][]market.PriceCount{}
	for hist.Next() {
		var k market.PriceKey
		var c market.PriceCount
		if err := hist.Scan(&k.Category, &k.Unit, &c.PriceFen, &c.N); err != nil {
			hist.Close()
			return err
		}
		counts[k] = append(counts[k], c)
	}
	hist.Close()
	medians := map[market.PriceKey]int64{}
	var priceFacts []market.OrderFact
	keys := make([]market.PriceKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Category < keys[j].Category || keys[i].Category == keys[j].Category && keys[i].Unit < keys[j].Unit
	})
	for _, k := range keys {
		m, ok := market.MedianOfCounts(counts[k])
		if !ok || m <= 0 {
			continue
		}
		medians[k] = m
		low, high := market.PriceBand(m, 0)
		w := yearWhere(rep, units)
		w.add("l.category = ?", k.Category)
		w.add("l.unit = ?", k.Unit)
		w.add("(l.price_fen > ? OR (l.price_fen > 0 AND l.price_fen < ?))", high, low)
		w.add("x.status <> 'cancelled'")
		fs, err := d.orderFacts(ctx, w, MaxFlagsPerKind+1, true)
		if err != nil {
			return err
		}
		priceFacts = append(priceFacts, fs...)
	}
	add("price", market.FlagPricesByMedian(priceFacts, medians, 0))

	// 报送日前集中下单: each unit's orders of the year up to the reporting
	// date from the daily sums, those of the window through orders_day.
	if start, ok := rep.Burst.Window(); ok {
		y := strconv.Itoa(rep.Year)
		tallies := map[int64]*market.BurstTally{}
		rows, err := d.db.QueryContext(ctx, `SELECT unit_id, SUM(fen) FROM market_order_days WHERE day >= $1 AND day <= $2 GROUP BY unit_id`,
			y+"-01-01", rep.Burst.ReportDate)
		if err != nil {
			return err
		}
		for rows.Next() {
			t := &market.BurstTally{}
			if err := rows.Scan(&t.UnitID, &t.AllFen); err != nil {
				rows.Close()
				return err
			}
			tallies[t.UnitID] = t
		}
		rows.Close()
		if start < y+"-01-01" {
			start = y + "-01-01"
		}
		rows, err = d.db.QueryContext(ctx, `SELECT x.buyer_unit_id, COUNT(*), SUM(x.total_fen) FROM orders x
			WHERE x.ordered_on >= $1 AND x.ordered_on <= $2 AND x.status <> 'cancelled' GROUP BY x.buyer_unit_id`, start, rep.Burst.ReportDate)
		if err != nil {
			return err
		}
		var ts []market.BurstTally
		for rows.Next() {
			var id, fen int64
			var n int
			if err := rows.Scan(&id, &n, &fen); err != nil {
				rows.Close()
				return err
			}
			if t := tallies[id]; t != nil && (units == nil || units[id]) {
				t.WindowOrders, t.WindowFen = n, fen
				ts = append(ts, *t)
			}
		}
		rows.Close()
		sort.Slice(ts, func(i, j int) bool { return ts[i].UnitID < ts[j].UnitID })
		names := map[int64]string{}
		for _, l := range rep.Units {
			names[l.UnitID] = l.UnitName
		}
		for i := range ts {
			if ts[i].Name = names[ts[i].UnitID]; ts[i].Name == "" {
				_ = d.db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, ts[i].UnitID).Scan(&ts[i].Name)
			}
		}
		add("burst", market.FlagBurstTallies(ts, rep.Burst))
	} else {
		add("burst", nil)
	}

	// 计入后取消或退货: the year's returned orders (a cancellation comes
	// before shipping, so before counting), with the days of acceptance
	// and return from the audit log.
	w := yearWhere(rep, units)
	w.add("x.status = 'returned'")
	w.add("EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'order' AND a.entity_id = x.id AND a.action = 'accept')")
	revFacts, err := d.orderFacts(ctx, w, MaxFlagsPerKind*4, false)
	if err != nil {
		return err
	}
	if len(revFacts) > 0 {
		ids := make([]string, 0, len(revFacts))
		for _, f := range revFacts {
			ids = append(ids, strconv.FormatInt(f.OrderID, 10))
		}
		rows, err := d.db.QueryContext(ctx, `SELECT entity_id, action, at FROM audit_log WHERE entity = 'order' AND action IN ('accept', 'return', 'cancel')
			AND entity_id IN (`+strings.Join(ids, ", ")+`) ORDER BY seq`)
		if err != nil {
			return err
		}
		counted, reversed := map[int64]string{}, map[int64]string{}
		for rows.Next() {
			var id int64
			var action, at string
			if err := rows.Scan(&id, &action, &at); err != nil {
				rows.Close()
				return err
			}
			day := at
			if t, err := time.Parse(time.RFC3339, at); err == nil {
				day = t.In(xiezuo.China).Format(xiezuo.DateLayout)
			}
			if action == "accept" {
				if counted[id] == "" {
					counted[id] = day
				}
			} else {
				reversed[id] = day
			}
		}
		rows.Close()
		for i := range revFacts {
			revFacts[i].CountedOn, revFacts[i].ReversedOn = counted[revFacts[i].OrderID], reversed[revFacts[i].OrderID]
		}
	}
	add("reversed", market.FlagReversed(revFacts))

	// 产地不在结对县或832县: lines whose origin lies outside every paired
	// or 832 county's range of codes, through order_lines_origin.
	set, codes := rep.counted, rep.countedCodes
	if len(codes) > 0 {
		// One query per gap between the paired counties' ranges of codes:
		// SQLite, without statistics, scans every line for an OR of many
		// ranges, and answers each range alone from order_lines_origin.
		type gap struct{ after, before string } // exclusive bounds; "" open
		var gaps []gap
		prev := ""
		for _, c := range codes {
			gaps = append(gaps, gap{prev, c[:6] + "000000"})
			prev = c[:6] + "999999"
		}
		gaps = append(gaps, gap{prev, ""})
		var fs []market.OrderFact
		for _, g := range gaps {
			w := yearWhere(rep, units)
			if g.after != "" {
				w.add("l.origin_code > ?", g.after)
			}
			if g.before != "" {
				w.add("l.origin_code < ?", g.before)
			}
			more, err := d.orderFacts(ctx, w, MaxFlagsPerKind+1-len(fs), true)
			if err != nil {
				return err
			}
			if fs = append(fs, more...); len(fs) > MaxFlagsPerKind {
				break
			}
		}
		add("outside", market.FlagOutside(fs, set))
	} else {
		add("outside", nil)
	}
	return nil
}
