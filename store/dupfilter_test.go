package store

import (
	"testing"

	"github.com/bits-and-blooms/bloom/v3"
)

func TestDupFilter(t *testing.T) {
	t.Parallel()
	f := &dupFilter{bf: bloom.NewWithEstimates(1000, 0.001), wide: map[string]bool{}, span: map[string]int{}}
	const lc, jp = "532531000000", "532530000000"
	f.add(lc, 3_000_000, "2020-09-01", "2020-09-04") // a trip's donation
	f.add(jp, 100, "2020-01-01", "2020-12-31")       // a year-long record: wide
	for _, c := range []struct {
		county   string
		amount   int64
		from, to string
		want     bool
	}{
		{lc, 3_000_000, "2020-09-02", "2020-09-02", true},  // a day inside
		{lc, 3_000_000, "2020-08-31", "2020-09-01", true},  // overlaps the first day
		{lc, 3_000_000, "2020-09-05", "2020-09-06", false}, // after
		{lc, 3_000_001, "2020-09-02", "2020-09-02", false}, // another amount
		{jp, 3_000_000, "2020-09-02", "2020-09-02", false}, // another county
		{jp, 100, "2021-03-01", "2021-03-01", true},        // wide: always asked
		{lc, 5, "2019-01-01", "2020-12-31", true},          // a long range: always asked
	} {
		if got := f.maybe(c.county, c.amount, c.from, c.to); got != c.want {
			t.Errorf("maybe(%s, %d, %s..%s) = %v, want %v", c.county, c.amount, c.from, c.to, got, c.want)
		}
	}
}

// TestDupFilterEarliest: the database is asked back only as far as the
// county's longest record reaches; not at all for a wide county+amount.
func TestDupFilterEarliest(t *testing.T) {
	t.Parallel()
	f := &dupFilter{bf: bloom.NewWithEstimates(1000, 0.001), wide: map[string]bool{}, span: map[string]int{}}
	const lc, jp, hh = "532531000000", "532530000000", "532529000000"
	f.add(lc, 100, "2020-09-01", "2020-09-01")
	f.add(jp, 100, "2020-09-01", "2020-09-04") // 3 days beyond its first
	f.add(jp, 200, "2020-09-01", "2020-09-02")
	f.add(hh, 300, "2020-01-01", "2020-12-31") // wide
	for _, c := range []struct {
		county   string
		amount   int64
		from, to string
		want     string
	}{
		{lc, 100, "2020-10-10", "2020-10-10", "2020-10-10"}, // single days only: the row's own days
		{jp, 100, "2020-10-10", "2020-10-10", "2020-10-07"},
		{jp, 999, "2020-10-10", "2020-10-12", "2020-10-07"},
		{hh, 300, "2020-10-10", "2020-10-10", ""},           // a wide record of this amount
		{hh, 301, "2020-10-10", "2020-10-10", "2020-10-10"}, // another amount
		{lc, 100, "2019-01-01", "2020-12-31", ""},           // this row is wide
	} {
		if got := f.earliest(c.county, c.amount, c.from, c.to); got != c.want {
			t.Errorf("earliest(%s, %d, %s..%s) = %q, want %q", c.county, c.amount, c.from, c.to, got, c.want)
		}
	}
}
