package web

import (
	"html/template"
	"net/url"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// sortLink is a list's column header that sorts by column key: it keeps
// the other filters, starts again at the first page, shows ▲/▼ on the
// column the list is sorted by, and a second click reverses it.
func sortLink(q url.Values, kind, key, label string) template.HTML {
	by, dir := q.Get("sort"), q.Get("dir")
	if by == "" {
		by, dir = store.DefaultSort(ledger.Kind(kind))
	}
	next, mark := "asc", ""
	if by == key {
		if dir == "desc" {
			mark = " ▼"
		} else {
			next, mark = "desc", " ▲"
		}
	}
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Del("offset")
	v.Set("sort", key)
	v.Set("dir", next)
	title := "按此列升序排列"
	if next == "desc" {
		title = "按此列降序排列"
	}
	return template.HTML(`<a class="sort" href="?` + template.HTMLEscapeString(v.Encode()) + `" title="` + title + `">` +
		template.HTMLEscapeString(label) + mark + `</a>`)
}
