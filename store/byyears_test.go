package store

import (
	"fmt"
	"testing"
)

// TestByYears: whole months are split into the whole years the year sums
// answer and the months of the partial years at either end, each part
// once, none overlapping, and no part that holds nothing; a table without
// year sums is read by its months alone.
func TestByYears(t *testing.T) {
	t.Parallel()
	cases := []struct{ table, first, last, want string }{
		{"township_month_sums", "", "", "township_year_sums ..; "},
		{"township_month_sums", "2020-01", "2020-12", "township_year_sums 2020..2020; "},
		{"township_month_sums", "2019-01", "2021-12", "township_year_sums 2019..2021; "},
		{"township_month_sums", "2020-03", "2020-11", "township_month_sums 2020-03..2020-11; "},
		{"township_month_sums", "2020-01", "2020-11", "township_month_sums 2020-01..2020-11; "},
		{"township_month_sums", "2020-02", "2020-12", "township_month_sums 2020-02..2020-12; "},
		{"township_month_sums", "2020-05", "2020-05", "township_month_sums 2020-05..2020-05; "},
		{"township_month_sums", "2019-03", "2021-05", "township_year_sums 2020..2020; township_month_sums 2019-03..2019-12; township_month_sums 2021-01..2021-05; "},
		{"township_month_sums", "2019-03", "2020-05", "township_month_sums 2019-03..2019-12; township_month_sums 2020-01..2020-05; "},
		{"township_month_sums", "2019-01", "2020-05", "township_year_sums 2019..2019; township_month_sums 2020-01..2020-05; "},
		{"township_month_sums", "2019-07", "2020-12", "township_year_sums 2020..2020; township_month_sums 2019-07..2019-12; "},
		{"township_month_sums", "2020-02", "", "township_year_sums 2021..; township_month_sums 2020-02..2020-12; "},
		{"township_month_sums", "2021-01", "", "township_year_sums 2021..; "},
		{"township_month_sums", "", "2020-11", "township_year_sums ..2019; township_month_sums 2020-01..2020-11; "},
		{"township_month_sums", "", "2020-12", "township_year_sums ..2020; "},
		{"contribution_month_sums", "2019-01", "2019-12", "contribution_year_sums 2019..2019; "},
		{"giver_sums", "", "", "giver_year_sums ..; "},
		{"market_purchase_sums", "2019-03", "2021-05", "market_purchase_sums 2019-03..2021-05; "},
	}
	for _, c := range cases {
		var got string
		err := byYears(c.table, c.first, c.last, func(table, col, from, to string) error {
			if (col == "year") != (table != c.table) {
				t.Errorf("%s read by its %s", table, col)
			}
			got += fmt.Sprintf("%s %s..%s; ", table, from, to)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("byYears(%s, %q, %q): %s, want %s", c.table, c.first, c.last, got, c.want)
		}
	}
}
