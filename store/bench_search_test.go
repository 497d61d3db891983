package store_test

import (
	"context"
	"testing"

	"github.com/xiezuo/xiezuo/store"
)

// searchSQL is, written by hand, the SQL a keyword search of the
// contributions list runs on db's engine: the bigram lookup, LIKE on the
// candidates, a page of 50 and the totals. (Before the index it was the
// LIKE alone: 1.3–2.0 s p50 on the benchmark database.)
func searchSQL(db *store.DB, word string) (page, totals string, args []any) {
	match := `x.id IN (SELECT record_id FROM search_grams WHERE kind = 'contribution' AND gram = $2)`
	if db.Dialect == store.Postgres {
		match = `x.grams @> ARRAY[$2::text]`
	}
	cond := ` WHERE ` + match + `
		AND (lower(x.item) LIKE $1 OR lower(x.institution) LIKE $1 OR lower(x.note) LIKE $1)`
	return `SELECT x.id, x.date_from, x.item FROM contributions x` + cond + ` ORDER BY x.date_from DESC, x.id DESC LIMIT 50`,
		`SELECT x.form, COUNT(*), SUM(x.amount_fen) FROM contributions x` + cond + ` GROUP BY x.form`, []any{"%" + word + "%", word}
}

// rebuildSearch brings the keyword index in step with rows the benchmark
// wrote around the store.
func rebuildSearch(b *testing.B, db *store.DB) {
	b.Helper()
	if err := db.RebuildSearch(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// clearGrams is the statement that empties the keyword index of the
// records of kind in table that cond selects (no alias), on db's engine:
// for tests that remove records around the store.
func clearGrams(db *store.DB, kind, table, cond string) string {
	if db.Dialect == store.Postgres {
		return `UPDATE ` + table + ` SET grams = NULL WHERE ` + cond
	}
	return `DELETE FROM search_grams WHERE kind = '` + kind + `' AND record_id IN (SELECT id FROM ` + table + ` WHERE ` + cond + `)`
}
