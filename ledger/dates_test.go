package ledger

import (
	"strconv"
	"testing"

	"github.com/xiezuo/xiezuo"
)

// TestRecordDatesBounded (issue 9, fault 6): every dated record takes
// dates from 1996-01-01 to the end of next year, relative to the today it
// is given; planned project dates reach PlanYears ahead. The message names
// the field.
func TestRecordDatesBounded(t *testing.T) {
	t.Parallel()
	const today = "2026-12-01"
	lvchun := "532531000000"
	type record interface{ Validate(string) error }
	for _, tc := range []struct {
		name  string
		rec   func(date string) record
		field string
		label string
		last  int
	}{
		{"contribution", func(d string) record {
			return &Contribution{DateFrom: d, Givers: []Org{{ID: 1}}, CountyCode: lvchun, Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: 100}
		}, "date_from", "日期", 2027},
		{"activity", func(d string) record {
			return &Activity{Kind: ActivityKinds[0], Title: "赴绿春县考察", DateFrom: d, Section: Sections[0], CountyCode: lvchun, Narrative: "考察。"}
		}, "date_from", "日期", 2027},
		{"agreement", func(d string) record {
			return &Agreement{Title: "2026年帮扶协议", SignedOn: d, PledgedFen: 100, PairingIDs: []int64{1}}
		}, "signed_on", "签订日期", 2027},
		{"project start", func(d string) record {
			return &Project{Title: "茶叶初制所", CountyCode: lvchun, Sector: "industry", FundingSource: FundingSources[0], StartOn: d, Deadline: "2036-12-31", WorkState: "planned"}
		}, "start_on", "开工日期", 2027},
		{"project deadline", func(d string) record {
			return &Project{Title: "茶叶初制所", CountyCode: lvchun, Sector: "industry", FundingSource: FundingSources[0], Deadline: d, WorkState: "planned"}
		}, "deadline", "完成时限", 2036},
		{"project completed", func(d string) record {
			return &Project{Title: "茶叶初制所", CountyCode: lvchun, Sector: "industry", FundingSource: FundingSources[0], Deadline: "1996-01-01", WorkState: "completed", CompletedOn: d}
		}, "completed_on", "完工日期", 2027},
		{"labour", func(d string) record {
			return &LabourRecord{DateFrom: d, CountyCode: lvchun, Kind: LabourKinds[0], Trained: 10}
		}, "date_from", "日期", 2027},
		{"batch", func(d string) record {
			return &Batch{Date: d, CountyCode: lvchun, Kind: BatchKinds[0], Count: 27, CountUnit: "名患儿"}
		}, "date", "日期", 2027},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last := itoa(tc.last)
			for _, ok := range []string{"1996-01-01", last + "-12-31"} {
				if err := tc.rec(ok).Validate(today); err != nil {
					t.Errorf("%s: %v", ok, err)
				}
			}
			want := tc.label + "应在1996年至" + last + "年之间"
			for _, bad := range []string{"1995-12-31", itoa(tc.last+1) + "-01-01", "2202-09-01", "0001-01-01", "9999-12-31"} {
				err := tc.rec(bad).Validate(today)
				if xiezuo.ErrorCode(err) != xiezuo.EINVALID || xiezuo.ErrorFields(err)[tc.field] != want {
					t.Errorf("%s: %v; want %s: %s", bad, err, tc.field, want)
				}
			}
		})
	}
	// A range that ends past the bound is refused on its end.
	c := &Contribution{DateFrom: "2027-12-01", DateTo: "2028-01-02", Givers: []Org{{ID: 1}}, CountyCode: lvchun, Form: "cash", Sector: "education", Delivery: "pledged", AmountFen: 100}
	if err := c.Validate(today); xiezuo.ErrorFields(err)["date_to"] != "截止日期应在1996年至2027年之间" {
		t.Errorf("ending in 2028: %v", err)
	}
	// The bound moves with the today given, not with the clock.
	c = &Contribution{DateFrom: "2031-06-01", Givers: []Org{{ID: 1}}, CountyCode: lvchun, Form: "cash", Sector: "education", Delivery: "pledged", AmountFen: 100}
	if err := c.Validate("2030-01-01"); err != nil {
		t.Errorf("2031 on 2030-01-01: %v", err)
	}
	// An agreement's year follows the same rule.
	a := &Agreement{Title: "协议", SignedOn: "2026-03-01", Year: 2202, PledgedFen: 100, PairingIDs: []int64{1}}
	if err := a.Validate(today); xiezuo.ErrorFields(err)["year"] != "协议年度应在1996年至2027年之间" {
		t.Errorf("agreement year 2202: %v", err)
	}
	// A milestone due far ahead, or done in the future.
	p := &Project{Title: "茶叶初制所", CountyCode: lvchun, Sector: "industry", FundingSource: FundingSources[0], Deadline: "2030-12-31", WorkState: "planned",
		Milestones: []Milestone{{Title: "开工", DueOn: "2202-01-01"}}}
	if err := p.Validate(today); xiezuo.ErrorFields(err)["milestones"] != "第1个节点的计划日期应在1996年至2036年之间" {
		t.Errorf("milestone in 2202: %v", err)
	}
	p.Milestones = []Milestone{{Title: "开工", DueOn: "2027-01-01", DoneOn: "2028-01-01"}}
	if err := p.Validate(today); xiezuo.ErrorFields(err)["milestones"] != "第1个节点的完成日期应在1996年至2027年之间" {
		t.Errorf("milestone done in 2028: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
