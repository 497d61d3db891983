package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// The templates these helpers replaced, kept to prove the helpers write
// the same markup, hostile text escaped the same way.
const (
	oldRow = `{{define "status"}}<span class="st st-{{.}}">{{.Label}}</span>{{end}}` +
		`<tr><td class="nowrap"><a href="/contributions/{{.ID}}">{{rangeCN .DateFrom .DateTo}}</a></td>` +
		`<td>{{join .Givers}}</td>` +
		`<td>{{place .CountyName}}{{with .TownshipName}} {{place .}}{{end}}{{with .VillageName}} {{place .}}{{end}}{{with .Institution}}<br><span class="muted">{{.}}</span>{{end}}</td>` +
		`<td class="term">{{formLabel .Form}}</td><td class="term">{{sectorLabel .Sector}}</td>` +
		`<td>{{.Item}}</td>` +
		`<td class="num">{{if .Quantity}}{{.Quantity}}{{.QuantityUnit}}{{end}}</td>` +
		`<td class="num">{{amount .AmountFen}}</td>` +
		`<td>{{deliveryLabel .Delivery}}</td>` +
		`<td>{{template "status" .Status}}</td></tr>` + "\n"
	oldOptions = `{{$v := .V}}{{range .Counties}}<option value="{{.Code}}"{{if eq .Code $v}} selected{{end}}>{{.ShortName}}</option>{{end}}|` +
		`{{range $c := .Counties}}<optgroup label="{{$c.ShortName}}" data-county="{{$c.Code}}">{{range $.Townships}}{{if eq .ParentCode $c.Code}}<option value="{{.Code}}"{{if eq .Code $v}} selected{{end}}>{{.Name}}</option>{{end}}{{end}}</optgroup>{{end}}|` +
		`{{range .Orgs}}<option value="{{.ID}}"{{if eq (printf "%d" .ID) $v}} selected{{end}}>{{.Name}}</option>{{end}}`
	newOptions = `{{countyOptions .Counties .V}}|{{townshipOptions .Counties .Townships .V}}|{{orgOptions .Orgs .V}}`
)

func execute(t *testing.T, src string, data any) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("t").Funcs(funcs).Parse(src)).Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestContributionRow: the list's row written in Go is the row its
// template wrote, for plain and hostile records.
func TestContributionRow(t *testing.T) {
	hostile := `<script>alert("x")</script> & '引号'`
	for _, c := range []*ledger.Contribution{
		{Header: ledger.Header{ID: 7, Status: ledger.StatusApproved}, DateFrom: "2020-09-01", DateTo: "2020-09-01",
			Givers:     []ledger.Org{{ID: 1, Name: "长宁区教育局"}, {ID: 2, Name: "上海龙舜投资管理有限公司"}},
			CountyName: "金平苗族瑶族傣族自治县", TownshipName: "金河镇", Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: 2800000},
		{Header: ledger.Header{ID: 8, Status: ledger.StatusReturned}, DateFrom: "2020-08-15", DateTo: "2020-10-14",
			CountyName: "绿春县", TownshipName: "大兴镇", VillageName: "坡头村", Institution: hostile, Item: hostile,
			Form: "in_kind", Sector: "health", Delivery: "pledged", Quantity: 1200, QuantityUnit: "件" + hostile},
		{Header: ledger.Header{ID: 9, Status: ledger.StatusDraft}, Givers: []ledger.Org{{Name: hostile}},
			CountyName: hostile, Form: "odd", Sector: "", Delivery: hostile, AmountFen: -5},
	} {
		if got, want := string(contributionRow(c)), execute(t, oldRow, c); got != want {
			t.Errorf("record %d:\n got %s\nwant %s", c.ID, got, want)
		}
	}
}

// TestOptions: the counties', townships' and units' options written in Go
// are those the templates wrote, the chosen one marked, names escaped.
func TestOptions(t *testing.T) {
	data := map[string]any{
		"Counties": []registry.Region{{Code: "532531000000", ShortName: "绿春县"}, {Code: "532530000000", ShortName: `金平"县<`}},
		"Townships": []registry.Region{{Code: "532531100000", Name: "大兴镇", ParentCode: "532531000000"},
			{Code: "532530100000", Name: "金河镇&", ParentCode: "532530000000"}, {Code: "532531200000", Name: "牛孔镇", ParentCode: "532531000000"}},
		"Orgs": []registry.Organisation{{ID: 3, Name: "天山路街道"}, {ID: 12, Name: `<b>x</b>`}},
	}
	for _, v := range []string{"", "532531000000", "532530100000", "12", `"><script>`} {
		data["V"] = v
		if got, want := execute(t, newOptions, data), execute(t, oldOptions, data); got != want {
			t.Errorf("chosen %q:\n got %s\nwant %s", v, got, want)
		}
	}
}
