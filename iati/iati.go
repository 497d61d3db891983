// Package iati writes the approved ledger as IATI 2.03 activity XML
// (iatistandard.org): xiezuo's activities and projects with their
// transactions — commitments from agreements and pledges, disbursements
// from delivered aid — participating organisations, NBS-coded locations,
// DAC sectors, values in CNY. Contributions tied to neither an activity
// nor a project are published under one activity per county and year.
package iati

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// DAC 5-digit purpose codes for xiezuo's sectors.
var dacSector = map[string]string{
	"education": "11220", "health": "12220", "industry": "31120", "livelihood": "16010",
	"infrastructure": "43040", "employment": "16020", "culture": "16061", "other": "43010",
}

// orgType maps an organisation kind to the IATI OrganisationType codelist.
func orgType(kind string) string {
	switch kind {
	case "企业", "供应商":
		return "70" // private sector
	case "国企", "医院":
		return "15" // other public sector
	case "学校":
		return "80" // academic, training and research
	case "社会组织", "工会":
		return "22" // national NGO
	}
	return "10" // government
}

type narrative struct {
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type text struct {
	Type       string      `xml:"type,attr,omitempty"`
	Narratives []narrative `xml:"narrative"`
}

type org struct {
	Ref        string      `xml:"ref,attr,omitempty"`
	Type       string      `xml:"type,attr,omitempty"`
	Role       string      `xml:"role,attr,omitempty"`
	Narratives []narrative `xml:"narrative"`
}

type code struct {
	Code string `xml:"code,attr"`
}

type date struct {
	ISO  string `xml:"iso-date,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type value struct {
	Currency string `xml:"currency,attr"`
	Date     string `xml:"value-date,attr"`
	Amount   string `xml:",chardata"`
}

type sector struct {
	Vocabulary string `xml:"vocabulary,attr"`
	Code       string `xml:"code,attr"`
}

type transaction struct {
	Ref         string  `xml:"ref,attr,omitempty"`
	Type        code    `xml:"transaction-type"`
	Date        date    `xml:"transaction-date"`
	Value       value   `xml:"value"`
	Description *text   `xml:"description,omitempty"`
	Provider    *org    `xml:"provider-org,omitempty"`
	Receiver    *org    `xml:"receiver-org,omitempty"`
	Sector      *sector `xml:"sector,omitempty"`
}

type location struct {
	Ref         string `xml:"ref,attr,omitempty"`
	Reach       code   `xml:"location-reach"`
	Name        text   `xml:"name"`
	Description text   `xml:"description"`
}

type budget struct {
	Type   string `xml:"type,attr"`
	Status string `xml:"status,attr"`
	Start  date   `xml:"period-start"`
	End    date   `xml:"period-end"`
	Value  value  `xml:"value"`
}

type recipientCountry struct {
	Code       string `xml:"code,attr"`
	Percentage string `xml:"percentage,attr"`
}

type activity struct {
	LastUpdated   string           `xml:"last-updated-datetime,attr"`
	Lang          string           `xml:"xml:lang,attr"`
	Currency      string           `xml:"default-currency,attr"`
	Identifier    string           `xml:"iati-identifier"`
	ReportingOrg  org              `xml:"reporting-org"`
	Title         text             `xml:"title"`
	Description   []text           `xml:"description"`
	Participating []org            `xml:"participating-org"`
	Status        code             `xml:"activity-status"`
	Dates         []date           `xml:"activity-date"`
	Country       recipientCountry `xml:"recipient-country"`
	Locations     []location       `xml:"location"`
	Budgets       []budget         `xml:"budget"`
	Transactions  []transaction    `xml:"transaction"`
}

type activities struct {
	XMLName   xml.Name   `xml:"iati-activities"`
	Version   string     `xml:"version,attr"`
	Generated string     `xml:"generated-datetime,attr"`
	List      []activity `xml:"iati-activity"`
}

func zh(s string) []narrative { return []narrative{{Text: s}} }

// yuan is a fen amount as an IATI decimal value.
func yuan(fen int64) string {
	return strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
}

// writer builds the activities from the loaded ledger.
type writer struct {
	d        *ledger.OpenData
	reporter org
	prefix   string
	now      time.Time
}

func (w *writer) orgRef(o registry.Organisation) string {
	if o.USCC != "" {
		return "CN-USCC-" + o.USCC
	}
	return ""
}

func (w *writer) participant(id int64, name, role string) org {
	o, ok := w.d.Orgs[id]
	p := org{Role: role, Narratives: zh(name)}
	if ok {
		p.Type, p.Ref = orgType(o.Kind), w.orgRef(o)
	}
	return p
}

func (w *writer) county(codeNBS, name string) location {
	return location{Ref: codeNBS, Reach: code{"1"}, Name: text{Narratives: zh(name)},
		Description: text{Narratives: zh("国家统计局统计用区划代码 " + codeNBS)}}
}

// contribution turns a contribution into its transaction: a commitment
// (pledged) or a disbursement (delivered), from its givers to the county.
func (w *writer) contribution(c *ledger.Contribution) transaction {
	t := transaction{Ref: w.prefix + "-contribution-" + strconv.FormatInt(c.ID, 10), Type: code{"3"}, Date: date{ISO: c.DateFrom},
		Value: value{Currency: "CNY", Date: c.DateFrom, Amount: yuan(c.AmountFen)}, Sector: &sector{Vocabulary: "1", Code: dacSector[c.Sector]}}
	if c.Delivery == "pledged" {
		t.Type.Code = "2"
	}
	desc := ledger.LabelOf(ledger.Forms, c.Form)
	if c.Item != "" {
		desc += "：" + c.Item
	}
	t.Description = &text{Narratives: zh(desc)}
	if len(c.Givers) > 0 { // IATI names one provider; the first giver
		p := w.participant(c.Givers[0].ID, c.Givers[0].Name, "")
		t.Provider = &p
	}
	receiver := c.CountyName
	for _, part := range []string{c.TownshipName, c.VillageName, c.Institution} {
		if part != "" {
			receiver += " " + part
		}
	}
	t.Receiver = &org{Narratives: zh(receiver)}
	return t
}

func (w *writer) base(id, title, desc string, dates []date, status string) activity {
	return activity{LastUpdated: w.now.Format(time.RFC3339), Lang: "zh", Currency: "CNY", Identifier: w.prefix + "-" + id,
		ReportingOrg: w.reporter, Title: text{Narratives: zh(title)}, Description: []text{{Type: "1", Narratives: zh(desc)}},
		Status: code{status}, Dates: dates, Country: recipientCountry{Code: "CN", Percentage: "100"}}
}

// Write writes d as an IATI 2.03 activities file. The caller loads d
// (store.LoadOpenData): this package only formats it.
func Write(out io.Writer, d *ledger.OpenData, now time.Time) error {
	w := &writer{d: d, now: now.UTC()}
	w.reporter = org{Ref: w.orgRef(d.Office), Type: "10", Narratives: zh(d.Office.Name)}
	w.prefix = w.reporter.Ref
	if w.prefix == "" { // no USCC registered: an internal prefix (not an IATI-registered identifier)
		w.prefix = "CN-XIEZUO-" + strconv.FormatInt(d.Office.ID, 10)
		w.reporter.Ref = w.prefix
	}
	byActivity := map[int64][]*ledger.Contribution{}
	byProject := map[int64][]*ledger.Contribution{}
	type countyYear struct{ code, name, year string }
	var loose []countyYear
	byLoose := map[countyYear][]*ledger.Contribution{}
	for _, c := range d.Contributions {
		if c.AmountFen <= 0 {
			continue // goods without a value: no transaction to publish
		}
		switch {
		case c.ActivityID != 0:
			byActivity[c.ActivityID] = append(byActivity[c.ActivityID], c)
		case c.ProjectID != 0:
			byProject[c.ProjectID] = append(byProject[c.ProjectID], c)
		default:
			k := countyYear{c.CountyCode, c.CountyName, c.DateFrom[:4]}
			if _, ok := byLoose[k]; !ok {
				loose = append(loose, k)
			}
			byLoose[k] = append(byLoose[k], c)
		}
	}
	agreementsOf := map[int64][]*ledger.Agreement{}
	for _, a := range d.Agreements {
		if a.ActivityID != 0 {
			agreementsOf[a.ActivityID] = append(agreementsOf[a.ActivityID], a)
		}
	}
	doc := activities{Version: "2.03", Generated: w.now.Format(time.RFC3339)}
	for _, a := range d.Activities {
		act := w.base("activity-"+strconv.FormatInt(a.ID, 10), a.Title, a.Narrative,
			[]date{{ISO: a.DateFrom, Type: "2"}, {ISO: a.DateTo, Type: "4"}}, "4")
		act.Participating = append(act.Participating, w.participant(a.UnitID, a.UnitName, "3"))
		seen := map[int64]bool{a.UnitID: true}
		for _, c := range byActivity[a.ID] {
			for _, g := range c.Givers {
				if !seen[g.ID] {
					seen[g.ID] = true
					act.Participating = append(act.Participating, w.participant(g.ID, g.Name, "1"))
				}
			}
		}
		if a.CountyCode != "" {
			act.Locations = append(act.Locations, w.county(a.CountyCode, a.CountyName))
		}
		for _, ag := range agreementsOf[a.ID] {
			if ag.PledgedFen > 0 {
				act.Transactions = append(act.Transactions, transaction{Ref: w.prefix + "-agreement-" + strconv.FormatInt(ag.ID, 10),
					Type: code{"2"}, Date: date{ISO: ag.SignedOn}, Value: value{Currency: "CNY", Date: ag.SignedOn, Amount: yuan(ag.PledgedFen)},
					Description: &text{Narratives: zh(ag.Title)}})
			}
		}
		for _, c := range byActivity[a.ID] {
			act.Transactions = append(act.Transactions, w.contribution(c))
		}
		doc.List = append(doc.List, act)
	}
	for _, p := range d.Projects {
		status := "2"
		if p.WorkState == "completed" {
			status = "3"
		}
		dates := []date{{ISO: p.Deadline, Type: "3"}}
		if p.StartOn != "" {
			dates = append([]date{{ISO: p.StartOn, Type: "2"}}, dates...)
		}
		desc := p.Title + "（" + p.FundingSource + "，进度" + strconv.Itoa(p.Progress) + "%）"
		act := w.base("project-"+strconv.FormatInt(p.ID, 10), p.Title, desc, dates, status)
		act.Participating = []org{w.participant(p.UnitID, p.UnitName, "3"), {Role: "4", Type: "10", Narratives: zh(p.CountyName)}}
		act.Locations = []location{w.county(p.CountyCode, p.CountyName)}
		if p.BudgetFen > 0 {
			start := p.StartOn
			if start == "" || start > p.Deadline {
				start = p.Deadline
			}
			act.Budgets = []budget{{Type: "1", Status: "2", Start: date{ISO: start}, End: date{ISO: p.Deadline},
				Value: value{Currency: "CNY", Date: start, Amount: yuan(p.BudgetFen)}}}
		}
		for _, c := range byProject[p.ID] {
			act.Transactions = append(act.Transactions, w.contribution(c))
		}
		doc.List = append(doc.List, act)
	}
	slices.SortFunc(loose, func(a, b countyYear) int {
		if a.year != b.year {
			return cmp.Compare(a.year, b.year)
		}
		return cmp.Compare(a.code, b.code)
	})
	for _, k := range loose {
		cs := byLoose[k]
		title := d.Office.Name + "对" + k.name + "帮扶（" + k.year + "年，未归入活动或项目的帮扶投入）"
		act := w.base("county-"+k.code+"-"+k.year, title, title, []date{{ISO: k.year + "-01-01", Type: "2"}, {ISO: k.year + "-12-31", Type: "4"}}, "4")
		act.Participating = []org{w.reporter, {Role: "4", Type: "10", Narratives: zh(k.name)}}
		act.Participating[0].Role = "3"
		act.Locations = []location{w.county(k.code, k.name)}
		for _, c := range cs {
			act.Transactions = append(act.Transactions, w.contribution(c))
		}
		doc.List = append(doc.List, act)
	}
	io.WriteString(out, xml.Header)
	enc := xml.NewEncoder(out)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(out, "\n")
	return err
}
