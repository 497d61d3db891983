package store_test

import "testing"

// searchSQL is the plain SQL a keyword search of the contributions list
// ran before the search index: a page of 50 and the totals.
func searchSQL(word string) (page, totals string, args []any) {
	cond := ` WHERE (x.item LIKE $1 OR x.institution LIKE $1 OR x.note LIKE $1)`
	return `SELECT x.id, x.date_from, x.item FROM contributions x` + cond + ` ORDER BY x.date_from DESC, x.id DESC LIMIT 50`,
		`SELECT x.form, COUNT(*), SUM(x.amount_fen) FROM contributions x` + cond + ` GROUP BY x.form`, []any{"%" + word + "%"}
}

func rebuildSearch(b *testing.B, db any) {}
