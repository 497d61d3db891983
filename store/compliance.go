package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/report"
)

// Compliance says, for each reporting unit (an east organisation with a
// unit account, or the east party of a 携手奔小康 pairing), whether it
// reported each month of year up to asOf: its activities and
// contributions dated in the month, submitted for review by the
// report.DeadlineDay of the next month (China time) — on time, late, not
// submitted, none, or entered by the office. Anyone signed in may call
// it. Errors: EINVALID, EINTERNAL.
func (d *DB) Compliance(ctx context.Context, year int, asOf string) ([]report.Compliance, error) {
	if year < 1996 || year > 2100 {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "年度应在1996至2100之间")
	}
	rows, err := d.db.QueryContext(ctx, `SELECT o.id, o.name FROM organisations o WHERE `+reportingUnit+` ORDER BY o.name`, year)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	var out []report.Compliance
	index := map[int64]int{}
	for rows.Next() {
		var c report.Compliance
		if err := rows.Scan(&c.OrgID, &c.OrgName); err != nil {
			rows.Close()
			return nil, xiezuo.Internal(err)
		}
		index[c.OrgID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	y := strconv.Itoa(year)
	// Each record of the year: its unit, month, whether the office entered
	// it, and when it was first submitted ('' if never; its creation when it
	// was entered as approved without a submission).
	type month struct {
		n, unsent, late, byOffice int
	}
	seen := map[[2]int]*month{}
	for _, kind := range []string{"contribution", "activity"} {
		table := kind + "s"
		live := " AND " + liveContribution
		if kind == "activity" {
			table, live = "activities", ""
		}
		rs, err := d.db.QueryContext(ctx, `SELECT x.unit_id, substr(x.date_from, 6, 2), cu.role IN ('admin', 'reviewer'), x.status,
			COALESCE((SELECT MIN(a.at) FROM audit_log a WHERE a.entity = $1 AND a.entity_id = x.id AND a.action = 'submit'), ''), x.created_at
			FROM `+table+` x JOIN users cu ON cu.id = x.created_by WHERE x.date_from >= $2 AND x.date_from <= $3`+live, kind, y+"-01-01", y+"-12-31")
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		for rs.Next() {
			var unit int64
			var mm, status, submitted, created string
			var office bool
			if err := rs.Scan(&unit, &mm, &office, &status, &submitted, &created); err != nil {
				rs.Close()
				return nil, xiezuo.Internal(err)
			}
			i, ok := index[unit]
			m, _ := strconv.Atoi(mm)
			if !ok || m < 1 || m > 12 {
				continue
			}
			k := [2]int{i, m}
			if seen[k] == nil {
				seen[k] = &month{}
			}
			s := seen[k]
			s.n++
			if submitted == "" && status == "approved" {
				submitted = created
			}
			switch {
			case office:
				s.byOffice++
			case submitted == "":
				s.unsent++
			case submitted > deadline(year, m):
				s.late++
			}
		}
		rs.Close()
	}
	for i := range out {
		for m := 1; m <= 12; m++ {
			if asOf != "" && fmt.Sprintf("%s-%02d-01", y, m) > asOf {
				break // a month not begun by asOf is not due
			}
			s := seen[[2]int{i, m}]
			st := report.ReportNone
			switch {
			case s == nil:
			case s.byOffice == s.n:
				st = report.ReportByOffice
			case s.late > 0:
				st = report.ReportLate
			case s.unsent == s.n-s.byOffice:
				st = report.ReportUnsent
			default:
				st = report.ReportOnTime
			}
			out[i].Months[m-1] = st
			if s != nil {
				out[i].Records[m-1] = s.n
			}
		}
	}
	return out, nil
}

// reportingUnit selects the organisations (alias o) that report monthly
// in year $1: an east organisation with an active unit account, or the
// east party of a 携手奔小康 pairing in force that year. The compliance
// page and the monthly reminder (store/remind.go) share it.
const reportingUnit = `o.side = 'east' AND (
	EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id AND u.role = 'unit' AND u.disabled = 0)
	OR EXISTS (SELECT 1 FROM pairings p WHERE p.east_org_id = o.id AND p.kind = '携手奔小康' AND p.year_from <= $1 AND (p.year_to IS NULL OR p.year_to >= $1)))`

// deadline is the end of the reporting deadline of a month, in UTC
// RFC 3339 as the audit log writes times: the DeadlineDay of the next
// month, 24:00 China time.
func deadline(year, month int) string {
	return time.Date(year, time.Month(month)+1, report.DeadlineDay+1, 0, 0, 0, 0, xiezuo.China).UTC().Format(time.RFC3339)
}
