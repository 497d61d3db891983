// Package ledger holds the records of the work: activities (trips, meetings,
// trainings…), contributions (帮扶投入), agreements, projects, labour records
// and beneficiary batches; their review workflow and who may do what to
// them. The store implements the services; this package has no I/O.
package ledger

import (
	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// Status is where a record is in review.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusReturned  Status = "returned"
)

// Statuses in display order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusApproved, StatusReturned}

// Label is the status in Chinese.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusSubmitted:
		return "待审核"
	case StatusApproved:
		return "已通过"
	case StatusReturned:
		return "已退回"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Kind names a record type. Its value is the record's table stem in URLs
// and the audit log.
type Kind string

const (
	KindActivity     Kind = "activity"
	KindContribution Kind = "contribution"
	KindAgreement    Kind = "agreement"
	KindProject      Kind = "project"
	KindLabour       Kind = "labour"
	KindBatch        Kind = "batch"
)

// Kinds lists the record types under review.
var Kinds = []Kind{KindActivity, KindContribution, KindAgreement, KindProject, KindLabour, KindBatch}

// Label is the kind in Chinese.
func (k Kind) Label() string {
	switch k {
	case KindActivity:
		return "活动"
	case KindContribution:
		return "帮扶投入"
	case KindAgreement:
		return "协议"
	case KindProject:
		return "项目"
	case KindLabour:
		return "劳务协作"
	case KindBatch:
		return "受益批次"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Header is what every reviewed record has: its owner unit and its review state.
type Header struct {
	ID            int64  `json:"id"`
	UnitID        int64  `json:"unit_id"`
	UnitName      string `json:"unit_name,omitempty"`
	Status        Status `json:"status"`
	ReturnReason  string `json:"return_reason,omitempty"`
	CreatedBy     int64  `json:"created_by,omitempty"`
	CreatedByName string `json:"created_by_name,omitempty"`
	CreatedAt     string `json:"created_at,omitempty"`
	UpdatedAt     string `json:"updated_at,omitempty"`
}

// Choice is a code with its Chinese label, for selects and filters.
type Choice struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// LabelOf finds code's label in choices, or returns code.
func LabelOf(choices []Choice, code string) string {
	for _, c := range choices {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

// ValidChoice reports whether code is one of choices.
func ValidChoice(choices []Choice, code string) bool {
	for _, c := range choices {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Sectors (领域) shared by contributions and projects.
var Sectors = []Choice{
	{"education", "教育"}, {"health", "医疗卫生"}, {"industry", "产业"}, {"livelihood", "民生"},
	{"infrastructure", "基础设施"}, {"employment", "就业"}, {"culture", "文化旅游"}, {"other", "其他"},
}

// Sections of the bulletin.
var Sections = []string{"扶贫协作", "对口支援", "前方工作", "工作动态"}

// checkRange validates a from–to civil date range of a record on day
// today (see LastYear); an empty to means one day.
func checkRange(p xiezuo.Problems, from string, to *string, today string) {
	last := LastYear(today)
	if !checkDate(p, "date_from", "日期", from, last) {
		return
	}
	if *to == "" {
		*to = from
	}
	if !checkDate(p, "date_to", "截止日期", *to, last) {
		return
	}
	if *to < from {
		p.Add("date_to", "截止日期不能早于开始日期")
	} else if daysApart(from, *to) > 366 {
		p.Add("date_to", "日期跨度不能超过一年")
	}
}

func daysApart(a, b string) int {
	ta, _ := parseDate(a)
	tb, _ := parseDate(b)
	return int(tb.Sub(ta).Hours() / 24)
}

// checkPlace validates a county with optional township and village inside it.
func checkPlace(p xiezuo.Problems, county, township, village string, countyRequired bool) {
	if county == "" {
		if countyRequired {
			p.Add("county_code", "请选择受援县")
		}
		if township != "" || village != "" {
			p.Add("county_code", "选择乡镇或村时须先选择受援县")
		}
		return
	}
	if !registry.ValidCode(county) || registry.LevelOf(county) != registry.LevelCounty {
		p.Add("county_code", "受援县须为县级12位区划代码")
		return
	}
	if township != "" {
		if !registry.ValidCode(township) || registry.LevelOf(township) != registry.LevelTownship {
			p.Add("township_code", "受援乡镇须为乡镇级12位区划代码")
		} else if registry.CountyOf(township) != county {
			p.Add("township_code", "所选乡镇不属于所选受援县")
		}
	}
	if village != "" {
		if !registry.ValidCode(village) || registry.LevelOf(village) != registry.LevelVillage {
			p.Add("village_code", "受援村须为村级12位区划代码")
		} else if registry.CountyOf(village) != county {
			p.Add("village_code", "所选村不属于所选受援县")
		} else if township != "" && registry.TownshipOf(village) != township {
			p.Add("village_code", "所选村不属于所选乡镇")
		}
	}
}

func checkCount(p xiezuo.Problems, field, label string, n int64) {
	if n < 0 {
		p.Add(field, label+"不能为负数")
	} else if n > 100_000_000 {
		p.Add(field, label+"数值过大，请核对")
	}
}

func checkFen(p xiezuo.Problems, field, label string, n int64) {
	if n < 0 {
		p.Add(field, label+"不能为负数")
	} else if n > xiezuo.MaxFen {
		p.Add(field, label+"超过100亿元，请核对单位是否为元")
	}
}

// CheckPlace adds the problems of a county with optional township and
// village inside it (fields county_code, township_code, village_code), as
// every ledger record checks its place: for the other domain packages
// (plan's needs and yearly plan).
func CheckPlace(p xiezuo.Problems, county, township, village string, countyRequired bool) {
	checkPlace(p, county, township, village, countyRequired)
}

// CheckDate adds a problem for field unless date is a civil date from the
// start of FirstYear to the end of last, and reports whether it is.
func CheckDate(p xiezuo.Problems, field, label, date string, last int) bool {
	return checkDate(p, field, label, date, last)
}
