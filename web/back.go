package web

import (
	"net/http"
	"net/url"

	"github.com/xiezuo/xiezuo/ledger"
)

// listPaths are, per record kind, the lists whose rows open its pages;
// the first is the kind's own list.
var listPaths = map[ledger.Kind][]string{
	ledger.KindContribution: {"/contributions", "/receipts"},
	ledger.KindActivity:     {"/activities"},
	ledger.KindAgreement:    {"/agreements"},
	ledger.KindProject:      {"/projects"},
	ledger.KindLabour:       {"/labour"},
	ledger.KindBatch:        {"/batches"},
}

// backLink is where a record page's “← 返回列表” goes: the list it was
// opened from with that list's filter, page and order — from ?back= or
// else the Referer — when that is a same-site list of the record's kind;
// else the kind's list unfiltered. Nothing else is accepted, so the link
// cannot lead off the site.
func backLink(r *http.Request, kind ledger.Kind) string {
	paths := listPaths[kind]
	if len(paths) == 0 {
		return ""
	}
	ok := func(raw string, needHost bool) string {
		u, err := url.Parse(raw)
		if err != nil || u.User != nil || u.Fragment != "" {
			return ""
		}
		if needHost {
			if u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
				return ""
			}
		} else if u.Scheme != "" || u.Host != "" || raw == "" || raw[0] != '/' {
			return ""
		}
		for _, p := range paths {
			if u.Path == p {
				if u.RawQuery == "" {
					return p
				}
				return p + "?" + u.Query().Encode()
			}
		}
		return ""
	}
	if b := ok(r.URL.Query().Get("back"), false); b != "" {
		return b
	}
	if b := ok(r.Referer(), true); b != "" {
		return b
	}
	return paths[0]
}
