package ledger

import (
	"errors"
	"testing"

	"github.com/xiezuo/xiezuo"
)

// A township is implied by a village (a record) and names its county (a
// filter); a township of another county is refused, naming the field.
func TestImpliedPlaces(t *testing.T) {
	c := Contribution{DateFrom: "2020-09-01", Givers: []Org{{ID: 1}}, CountyCode: "532531000000", VillageCode: "532531102202",
		Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: 100}
	if err := c.Validate("2020-12-31"); err != nil || c.TownshipCode != "532531102000" {
		t.Fatalf("village record: township %q, %v", c.TownshipCode, err)
	}
	for _, tc := range []struct {
		county, township, wantCounty, field string
	}{
		{"", "532531102000", "532531000000", ""},
		{"532531000000", "532531102000", "532531000000", ""},
		{"532530000000", "532531102000", "532530000000", "township_code"},
		{"", "5325311020", "", "county_code"},
	} {
		f := ContributionFilter{CountyCode: tc.county, TownshipCode: tc.township}
		err := f.Validate()
		var e *xiezuo.Error
		if tc.field == "" && err != nil || tc.field != "" && (!errors.As(err, &e) || e.Fields[tc.field] == "") || f.CountyCode != tc.wantCounty {
			t.Errorf("filter county %q township %q: county %q, %v", tc.county, tc.township, f.CountyCode, err)
		}
	}
}
