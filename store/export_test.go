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

// RefillSearchByMigration empties the keyword index of the kinds
// migration 00020 filled (the ledger's; products came later and are the
// store's alone) and runs its fill statement again, so a test can compare
// its SQL rule with Go's. On PostgreSQL it fills a temporary search_grams
// and then runs 00051's statements that moved those rows into the
// records' grams.
func (d *DB) RefillSearchByMigration(ctx context.Context) error {
	fsys, err := migrationsFS(d.Dialect)
	if err != nil {
		return err
	}
	up := func(file string) (string, error) {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return "", err
		}
		s := string(b)
		return s[:strings.Index(s, "-- +goose Down")], nil
	}
	fill, err := up("00020_search_grams.sql")
	if err != nil {
		return err
	}
	fill = fill[strings.Index(fill, "INSERT"):]
	return d.tx(ctx, func(tx *sql.Tx) error {
		steps := []string{`DELETE FROM search_grams WHERE kind <> '` + productKind + `'`, fill}
		if d.Dialect == Postgres {
			moved, err := up("00051_search_grams_column.sql")
			if err != nil {
				return err
			}
			steps = []string{`CREATE TEMP TABLE search_grams (kind TEXT COLLATE "C", gram TEXT COLLATE "C", record_id BIGINT) ON COMMIT DROP`, fill}
			for _, table := range []string{"contributions", "activities", "agreements", "projects"} {
				steps = append(steps, `UPDATE `+table+` SET grams = NULL`)
			}
			for _, q := range strings.Split(moved, ";\n") {
				if q = strings.TrimSpace(q); strings.HasPrefix(q, "UPDATE") {
					steps = append(steps, q)
				}
			}
		}
		for _, q := range steps {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
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
	return d.contributionTotals(ctx, d.contributionWhere(u, &f))
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
