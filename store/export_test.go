package store

import (
	"context"
	"database/sql"
	"io/fs"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
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

// RefillSearchByMigration empties search_grams of the kinds migration
// 00020 filled (the ledger's; products came later and are the store's
// alone) and runs its fill statement again, so a test can compare its SQL
// rule with Go's.
func (d *DB) RefillSearchByMigration(ctx context.Context) error {
	fsys, err := migrationsFS(d.Dialect)
	if err != nil {
		return err
	}
	b, err := fs.ReadFile(fsys, "00020_search_grams.sql")
	if err != nil {
		return err
	}
	s := string(b)
	s = s[strings.Index(s, "INSERT"):strings.Index(s, "-- +goose Down")]
	if _, err := d.db.ExecContext(ctx, `DELETE FROM search_grams WHERE kind <> $1`, productKind); err != nil {
		return err
	}
	_, err = d.db.ExecContext(ctx, s)
	return err
}

// SeedSums counts approved contributions as an import does and adds
// their running sums in one pass: for the benchmark seed, which writes
// its rows around the store (on PostgreSQL with the row triggers off).
type SeedSums struct{ m *importSums }

func NewSeedSums() *SeedSums { return &SeedSums{newImportSums()} }

func (s *SeedSums) Add(c *ledger.Contribution) { s.m.add(c) }

func (s *SeedSums) Apply(ctx context.Context, d *DB, tx *sql.Tx) error {
	return s.m.apply(ctx, d, tx)
}

// RowTotals are a list's totals read from its rows, whatever the filter:
// the path ListContributions takes when the sums cannot answer.
func (d *DB) RowTotals(ctx context.Context, u *xiezuo.User, f ledger.ContributionFilter) (ledger.Totals, error) {
	if err := f.Validate(); err != nil {
		return ledger.Totals{}, err
	}
	return d.contributionTotals(ctx, contributionWhere(u, &f))
}

// GenericPlans exposes genericPlans to the tests.
var GenericPlans = genericPlans

// Tx and QueuedWrites let TestWriteGroups drive the write queue.
func (d *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error { return d.tx(ctx, fn) }

func (d *DB) QueuedWrites() int {
	d.writes.mu.Lock()
	defer d.writes.mu.Unlock()
	return len(d.writes.pending)
}

// Audit lets TestStatementsPerCreate append an entry in a group's write.
func (d *DB) Audit(ctx context.Context, tx *sql.Tx, u *xiezuo.User, action string) error {
	return d.audit(ctx, tx, u, action, "probe", 1, nil, nil)
}
