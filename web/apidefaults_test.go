package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
)

// specList is a list endpoint as web/static/openapi.yaml states it.
type specList struct {
	path         string
	def, maximum int
}

// notLists are the GET paths without {id} that are not paged lists.
var notLists = map[string]bool{"/healthz": true, "/api/v1/me": true, "/api/v1/dashboard": true, "/api/v1/totals/counties": true}

// specLists reads the list paths of the OpenAPI file with the default and
// maximum of their limit parameter; /api/v1/{kind} is one path per kind.
func specLists(t *testing.T) []specList {
	t.Helper()
	b, err := os.ReadFile("static/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rePath := regexp.MustCompile(`^  (/\S+):\s*$`)
	reMethod := regexp.MustCompile(`^    (get|put|post|delete|patch):`)
	reKind := regexp.MustCompile(`name: kind,.*enum: \[([^\]]*)\]`)
	reLimit := regexp.MustCompile(`name: limit,.*default: (\d+), maximum: (\d+)`)
	var out []specList
	var path, method string
	var kinds []string
	var cur *specList
	flush := func() {
		if path == "" || strings.Contains(path, "{id}") || notLists[path] || cur == nil {
			return
		}
		if cur.def == 0 {
			t.Errorf("%s: the spec states no default limit (limit with default and maximum)", path)
			return
		}
		if strings.Contains(path, "{kind}") {
			for _, k := range kinds {
				out = append(out, specList{strings.Replace(path, "{kind}", strings.TrimSpace(k), 1), cur.def, cur.maximum})
			}
			return
		}
		out = append(out, *cur)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if g := rePath.FindStringSubmatch(line); g != nil {
			flush()
			path, method, kinds, cur = g[1], "", nil, nil
			continue
		}
		if g := reMethod.FindStringSubmatch(line); g != nil {
			method = g[1]
			if method == "get" {
				cur = &specList{path: path}
			}
			continue
		}
		if g := reKind.FindStringSubmatch(line); g != nil && method == "" {
			kinds = strings.Split(g[1], ",")
		}
		if g := reLimit.FindStringSubmatch(line); g != nil && method == "get" && cur != nil {
			cur.def, _ = strconv.Atoi(g[1])
			cur.maximum, _ = strconv.Atoi(g[2])
		}
	}
	flush()
	return out
}

// TestAPIListDefaults calls every list endpoint of the OpenAPI file without
// parameters: it must return items, as many as the stated default limit
// allows; ?limit=1 returns one.
func TestAPIListDefaults(t *testing.T) {
	e := newEnv(t)
	// The demo has no labour record: 新华路街道 records one.
	unit := e.user("xinhualu")
	l := &ledger.LabourRecord{Header: ledger.Header{UnitID: unit.OrgID}, DateFrom: "2020-09-15", CountyCode: "532531000000", Kind: ledger.LabourKinds[0], Trained: 12}
	if err := e.db.SaveLabour(ctx, unit, l); err != nil {
		t.Fatal(err)
	}
	// …and 程家桥街道's purchaser places an order, which the office sees.
	var rice int64
	if err := e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '梯田红米'`).Scan(&rice); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Checkout(ctx, e.user("cjq-caigou"), []market.CartLine{{Product: &market.Product{ID: rice}, Qty: 1}}, ""); err != nil {
		t.Fatal(err)
	}
	c, office := e.client("xinhualu"), e.client("admin")
	lists := specLists(t)
	if len(lists) < 8 {
		t.Fatalf("spec lists %d list endpoints: %+v", len(lists), lists)
	}
	count := func(t *testing.T, url string) int {
		t.Helper()
		c := c
		if strings.HasPrefix(url, "/api/v1/market/orders") { // a unit sees no order
			c = office
		}
		resp, body := do(t, c, "GET", e.srv.URL+url, "", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
		}
		var v struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		return len(v.Items)
	}
	for _, l := range lists {
		t.Run(strings.TrimPrefix(l.path, "/api/v1/"), func(t *testing.T) {
			all := count(t, fmt.Sprintf("%s?limit=%d", l.path, l.maximum))
			got := count(t, l.path)
			if got == 0 {
				t.Fatalf("GET %s without parameters: no items (%d with limit=%d)", l.path, all, l.maximum)
			}
			if want := min(all, l.def); got != want {
				t.Errorf("GET %s without parameters: %d items, want %d (default limit %d of %d)", l.path, got, want, l.def, all)
			}
			if n := count(t, l.path+"?limit=1"); n != 1 {
				t.Errorf("GET %s?limit=1: %d items", l.path, n)
			}
		})
	}
}
