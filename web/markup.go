package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// Markup written here in one call, not by a {{range}} in a template:
// html/template makes several reflective calls per value it prints, and
// on the contributions list (issue 11's profile) the selects of 89 units
// and 43 townships took about a fifth of the page's CPU and its 50 rows
// most of the rest of the template's share. Only the parts repeated per
// row or per option are here; each helper escapes what it writes, and
// labels come from the same functions the templates use.

func init() {
	funcs["countyOptions"] = countyOptions
	funcs["townshipOptions"] = townshipOptions
	funcs["orgOptions"] = orgOptions
	funcs["contributionRow"] = contributionRow
	funcs["statusBadge"] = statusBadge
}

// option writes one <option>, selected when value is v.
func option(b *strings.Builder, value, label, v string) {
	b.WriteString(`<option value="`)
	b.WriteString(template.HTMLEscapeString(value))
	b.WriteByte('"')
	if value == v {
		b.WriteString(" selected")
	}
	b.WriteByte('>')
	b.WriteString(template.HTMLEscapeString(label))
	b.WriteString("</option>")
}

// countyOptions are the counties by their short names, v chosen.
func countyOptions(counties []registry.Region, v string) template.HTML {
	var b strings.Builder
	for _, c := range counties {
		option(&b, c.Code, c.ShortName, v)
	}
	return template.HTML(b.String())
}

// townshipOptions are the townships grouped by county (an <optgroup>
// each, which app.js narrows to the county chosen), v chosen.
func townshipOptions(counties, townships []registry.Region, v string) template.HTML {
	var b strings.Builder
	for _, c := range counties {
		b.WriteString(`<optgroup label="` + template.HTMLEscapeString(c.ShortName) + `" data-county="` + template.HTMLEscapeString(c.Code) + `">`)
		for _, t := range townships {
			if t.ParentCode == c.Code {
				option(&b, t.Code, t.Name, v)
			}
		}
		b.WriteString("</optgroup>")
	}
	return template.HTML(b.String())
}

// orgOptions are the organisations by name, the one whose id is v chosen.
func orgOptions(orgs []registry.Organisation, v string) template.HTML {
	var b strings.Builder
	for _, o := range orgs {
		option(&b, strconv.FormatInt(o.ID, 10), o.Name, v)
	}
	return template.HTML(b.String())
}

// statusBadge shows a status (a record's review status, or any with a
// Label) as the coloured label of every list and record page.
func statusBadge(st interface{ Label() string }) template.HTML {
	return template.HTML(`<span class="st st-` + template.HTMLEscapeString(fmt.Sprint(st)) + `">` + template.HTMLEscapeString(st.Label()) + `</span>`)
}

// joinOrgs names the givers of a record, 、 between them.
func joinOrgs(orgs []ledger.Org) string {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name
	}
	return strings.Join(names, "、")
}

// contributionRow is one row of the contributions list (its columns are
// the <thead> of contribution_list.html).
func contributionRow(c *ledger.Contribution) template.HTML {
	var b strings.Builder
	text := func(class, s string) { // a cell of plain text
		if class == "" {
			b.WriteString("<td>")
		} else {
			b.WriteString(`<td class="` + class + `">`)
		}
		b.WriteString(template.HTMLEscapeString(s))
		b.WriteString("</td>")
	}
	b.WriteString(`<tr><td class="nowrap"><a href="/contributions/` + strconv.FormatInt(c.ID, 10) + `">`)
	b.WriteString(template.HTMLEscapeString(xiezuo.FormatRangeCN(c.DateFrom, c.DateTo)))
	b.WriteString("</a></td>")
	text("", joinOrgs(c.Givers))
	b.WriteString("<td>" + string(place(c.CountyName)))
	for _, p := range []string{c.TownshipName, c.VillageName} {
		if p != "" {
			b.WriteString(" " + string(place(p)))
		}
	}
	if c.Institution != "" {
		b.WriteString(`<br><span class="muted">` + template.HTMLEscapeString(c.Institution) + "</span>")
	}
	b.WriteString("</td>")
	text("term", ledger.LabelOf(ledger.Forms, c.Form))
	text("term", ledger.LabelOf(ledger.Sectors, c.Sector))
	text("", c.Item)
	quantity := ""
	if c.Quantity != 0 {
		quantity = strconv.FormatInt(c.Quantity, 10) + c.QuantityUnit
	}
	text("num", quantity)
	b.WriteString(`<td class="num">` + string(amount(c.AmountFen)) + "</td>")
	text("", ledger.LabelOf(ledger.Deliveries, c.Delivery))
	b.WriteString("<td>" + string(statusBadge(c.Status)) + "</td></tr>\n")
	return template.HTML(b.String())
}
