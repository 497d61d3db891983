package store

import (
	"context"

	"github.com/xiezuo/xiezuo/report"
)

// Hooks for the benchmarks in package store_test: each dashboard
// aggregate, and the SQL it runs, so the two can be timed side by side.
var (
	MoneySQL  = moneySQL
	GiversSQL = giversSQL
)

func (d *DB) MoneyFigures(ctx context.Context, f report.Filter) error {
	return d.moneyFigures(ctx, &report.Sums{Filter: f})
}

func (d *DB) TopGivers(ctx context.Context, f report.Filter) error {
	return d.topGivers(ctx, &report.Sums{Filter: f})
}
