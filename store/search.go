package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo/ledger"
)

// Keyword search. Chinese has no spaces, and the words people look for
// are often two characters (红米, 茶叶, 教育), which SQLite FTS5's trigram
// tokenizer and PostgreSQL's pg_trgm cannot match. So every record kind
// with a keyword filter keeps every two adjacent characters of its
// searchable fields (searchGrams, the one rule): SQLite in search_grams,
// a row per bigram under its primary key (migration 00020); PostgreSQL in
// the record's own grams, an array under a GIN index (migration 00051). A
// query's own bigrams must all be there (an index lookup on both
// engines); LIKE on those few candidates then confirms the whole query,
// so a stale or extra bigram never changes a result, only a missing one
// could. Every write path calls indexText, indexSearch or writeGrams:
// saveRecord (forms, API, row-by-row imports) and the contributions
// import's chunks. On PostgreSQL a new record's INSERT (saveRecord) and
// the import's COPY write grams with the row instead.
//
// The market's products are kind productKind: the bigrams of the fields
// market.Score ranks (name, category label, origin's names, supplier's
// name), written by indexProducts (market_catalogue.go) on every product
// write and for all of a supplier's products when it is renamed.

// searchCols are the fields the keyword filter (?q=) looks in, per kind.
// Migration 00020 lists the same columns.
var searchCols = map[ledger.Kind][]string{
	ledger.KindContribution: {"item", "institution", "note"},
	ledger.KindActivity:     {"title", "narrative", "places", "leader", "participants_text"},
	ledger.KindAgreement:    {"title", "note"},
	ledger.KindProject:      {"title", "note"},
}

// productKind is the search_grams kind of the market's products.
const productKind = "product"

// lowerASCII lowercases A–Z only, as SQLite's lower() does.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// searchGrams is the rule: every two adjacent characters of each field,
// ASCII-lowercased, each once.
func searchGrams(fields ...string) []string {
	var out []string
	for _, f := range fields {
		f = lowerASCII(f)
		for i := 0; i < len(f); {
			_, n1 := utf8.DecodeRuneInString(f[i:])
			if i+n1 >= len(f) {
				break
			}
			_, n2 := utf8.DecodeRuneInString(f[i+n1:])
			out = append(out, f[i:i+n1+n2])
			i += n1
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// likeEscape escapes LIKE's wildcards (with ESCAPE '\').
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchFilter adds the keyword filter for records of kind (alias x) that
// contain q in any of their searchable fields, ASCII case ignored. The
// one filter rule of every list with ?q=.
func (d *DB) searchFilter(w *where, kind ledger.Kind, q string) {
	q = lowerASCII(strings.TrimSpace(q))
	cols := searchCols[kind]
	if q == "" || cols == nil {
		return
	}
	if gs := searchGrams(q); len(gs) > 0 {
		if ids := d.gramsMatch(w, string(kind), gs); ids != "" {
			w.conds = append(w.conds, "x.id IN ("+ids+")")
		}
	}
	likes := make([]string, len(cols))
	pat := "%" + likeEscape.Replace(q) + "%"
	for i, c := range cols {
		likes[i] = "lower(x." + c + ") LIKE " + w.next(pat) + ` ESCAPE '\'`
	}
	w.conds = append(w.conds, "("+strings.Join(likes, " OR ")+")")
}

// gramsMatch keeps the records of kind (alias x) that have every bigram
// of gs (sorted, unique), for a caller's LIKE to confirm; a long query's
// few bigrams narrow enough: six, spread over it. On PostgreSQL it adds
// the test of x's own grams to w and returns ""; on SQLite it returns a
// query of the ids (record_id) for the caller to join.
func (d *DB) gramsMatch(w *where, kind string, gs []string) (ids string) {
	if len(gs) > 6 {
		few := make([]string, 0, 6)
		for i := range 6 {
			few = append(few, gs[i*(len(gs)-1)/5])
		}
		gs = few
	}
	if d.Dialect == Postgres {
		w.conds = append(w.conds, "x.grams @> "+w.next(gs)+"::text[]")
		return ""
	}
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = "SELECT sg.record_id FROM search_grams sg WHERE sg.kind = " + w.next(kind) + " AND sg.gram = " + w.next(g)
	}
	return strings.Join(parts, " INTERSECT ")
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// indexSearch writes the bigrams of one record from its stored fields
// (after unindexSearch took away those of its old text).
func (d *DB) indexSearch(ctx context.Context, tx execer, kind ledger.Kind, id int64) error {
	cols := searchCols[kind]
	if cols == nil {
		return nil
	}
	vals := make([]string, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := tx.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+tables[kind]+` WHERE id = $1`, id).Scan(dest...); err != nil {
		return err
	}
	return d.indexText(ctx, tx, kind, id, vals)
}

// indexText writes the bigrams of one record from vals, the text of its
// searchCols in their order.
func (d *DB) indexText(ctx context.Context, tx execer, kind ledger.Kind, id int64, vals []string) error {
	if searchCols[kind] == nil { // a kind without a keyword filter
		return nil
	}
	return d.writeGrams(ctx, tx, string(kind), []gramDoc{{id, searchGrams(vals...)}})
}

// gramDoc is one record's bigrams.
type gramDoc struct {
	id    int64
	grams []string
}

// unindexSearch deletes the bigrams of the records of kind (alias x) that
// cond selects (its arguments are $1…), from their stored text: each by
// its primary key, so no scan of the index. Call it before the rows
// change or go.
func (d *DB) unindexSearch(ctx context.Context, tx execer, kind ledger.Kind, cond string, args ...any) error {
	if searchCols[kind] == nil {
		return nil
	}
	return d.unindex(ctx, tx, string(kind), recordText(kind), cond, args)
}

// unindex deletes the bigrams of kind's records of text that cond
// selects, from SQLite's search_grams (deleteGrams). PostgreSQL keeps a
// record's bigrams in its own row: they go with the row, or writeGrams
// replaces them, and a stale one would only give the LIKE one more
// candidate to check.
func (d *DB) unindex(ctx context.Context, tx execer, kind string, text gramText, cond string, args []any) error {
	if d.Dialect == Postgres {
		return nil
	}
	return eachGramDoc(ctx, tx, text, cond, args, func(docs []gramDoc) error {
		return d.deleteGrams(ctx, tx, kind, docs)
	})
}

// index writes the bigrams of kind's records of text that cond selects.
func (d *DB) index(ctx context.Context, tx execer, kind string, text gramText, cond string, args []any) error {
	return eachGramDoc(ctx, tx, text, cond, args, func(docs []gramDoc) error {
		return d.writeGrams(ctx, tx, kind, docs)
	})
}

// gramText is where a kind's searchable text is read: a SELECT of each
// record's id (alias x) and n text columns, and the bigrams of one
// record's columns.
type gramText struct {
	query string
	n     int
	grams func(vals []string) []string
}

// recordText reads the searchCols of a ledger kind's records.
func recordText(kind ledger.Kind) gramText {
	cols := searchCols[kind]
	return gramText{`SELECT x.id, x.` + strings.Join(cols, ", x.") + ` FROM ` + tables[kind] + ` x`, len(cols),
		func(vals []string) []string { return searchGrams(vals...) }}
}

// eachGramDoc calls fn with the bigrams of the records of text that cond
// selects (its arguments are $1…), 2,000 records a call: many records a
// statement, as one statement per record cost a round trip each (20,000
// of them for an import's chunk).
func eachGramDoc(ctx context.Context, tx execer, text gramText, cond string, args []any, fn func([]gramDoc) error) error {
	q := text.query + ` WHERE (` + cond + `) AND x.id > ` + placeholders(len(args)+1, 1) + ` ORDER BY x.id LIMIT 2000`
	vals := make([]string, text.n)
	dest := make([]any, 1+text.n)
	for i := range vals {
		dest[1+i] = &vals[i]
	}
	for last := int64(0); ; {
		rows, err := tx.QueryContext(ctx, q, append(slices.Clone(args), last)...)
		if err != nil {
			return err
		}
		dest[0] = &last
		var docs []gramDoc
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			docs = append(docs, gramDoc{last, text.grams(vals)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(docs) == 0 {
			return nil
		}
		if err := fn(docs); err != nil {
			return err
		}
	}
}

// deleteGrams deletes the bigrams docs list, of kind's records, from
// SQLite's search_grams: each (gram, id) by its primary key, as ORed
// equalities, 300 a statement.
func (d *DB) deleteGrams(ctx context.Context, tx execer, kind string, docs []gramDoc) error {
	var grams []string
	var ids []int64
	for _, doc := range docs {
		for _, g := range doc.grams {
			grams, ids = append(grams, g), append(ids, doc.id)
		}
	}
	for len(grams) > 0 {
		n := min(len(grams), 300)
		var b strings.Builder
		args := []any{kind}
		b.WriteString(`DELETE FROM search_grams WHERE `)
		for i := range n {
			if i > 0 {
				b.WriteString(" OR ")
			}
			fmt.Fprintf(&b, "(kind = $1 AND gram = $%d AND record_id = $%d)", 2*i+2, 2*i+3)
			args = append(args, grams[i], ids[i])
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		grams, ids = grams[n:], ids[n:]
	}
	return nil
}

// writeGrams writes the bigrams of kind's records docs. PostgreSQL sets
// each record's grams (NULL for none) where they differ, 300 records a
// statement that sets that column alone: the running sums' trigger passes
// over such an update (migration 00051), and a record whose words did not
// change (an edit of its amount, a rebuild) gets no new row version. SQLite
// writes the (gram, id) rows of search_grams (insertGrams).
func (d *DB) writeGrams(ctx context.Context, tx execer, kind string, docs []gramDoc) error {
	if d.Dialect != Postgres {
		var args []any
		for _, doc := range docs {
			for _, g := range doc.grams {
				args = append(args, kind, g, doc.id)
			}
		}
		return d.insertGrams(ctx, tx, args)
	}
	table := "products"
	if kind != productKind {
		table = tables[ledger.Kind(kind)]
	}
	for len(docs) > 0 {
		n := min(len(docs), 300)
		var b strings.Builder
		args := make([]any, 0, 2*n)
		b.WriteString(`UPDATE ` + table + ` x SET grams = v.grams FROM (VALUES `)
		for i, doc := range docs[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "($%d::bigint, $%d::text[])", 2*i+1, 2*i+2)
			args = append(args, doc.id, gramsArg(doc.grams))
		}
		b.WriteString(`) AS v (id, grams) WHERE x.id = v.id AND x.grams IS DISTINCT FROM v.grams`)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		docs = docs[n:]
	}
	return nil
}

// gramsArg is a record's bigrams as PostgreSQL's grams: NULL for none.
func gramsArg(grams []string) any {
	if len(grams) == 0 {
		return nil
	}
	return grams
}

// gramsPerStatement is how many search_grams rows one INSERT writes.
const gramsPerStatement = 300

// insertGrams writes (kind, gram, record_id) triples to SQLite's
// search_grams, gramsPerStatement rows a statement; a triple already
// there (written around the store) is kept.
func (d *DB) insertGrams(ctx context.Context, tx execer, args []any) error {
	const per = gramsPerStatement * 3
	for len(args) > 0 {
		n := min(len(args), per)
		if _, err := tx.ExecContext(ctx, d.valuesSQL(`INSERT INTO search_grams (kind, gram, record_id)`, n/3, 3, " ON CONFLICT DO NOTHING"), args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// gramRow is one bigram of one contribution, buffered by an import into
// SQLite, with its bytes as a number (gramKey) to sort by.
type gramRow struct {
	gram string
	id   int64
	key  uint64
}

// contributionGrams appends a contribution's bigrams to rows.
func contributionGrams(rows []gramRow, c *ledger.Contribution) []gramRow {
	for _, g := range searchGrams(c.Item, c.Institution, c.Note) {
		rows = append(rows, gramRow{g, c.ID, gramKey(g)})
	}
	return rows
}

// gramKey is a bigram's bytes, zero-padded, as a big-endian number: two
// runes are at most 8 bytes, and keys order as the strings do bytewise.
func gramKey(g string) (k uint64) {
	for i := range 8 {
		k <<= 8
		if i < len(g) {
			k |= uint64(g[i])
		}
	}
	return k
}

// insertGramRows writes an import chunk's bigrams in key order: the
// B-tree is then written leaf after leaf instead of at random.
func (d *DB) insertGramRows(ctx context.Context, tx execer, rows []gramRow) error {
	sortGramRows(rows)
	// The arguments a statement at a time: a chunk's all at once (~180,000
	// bigrams, 540,000 boxed values) were 12 MB of a million-row import's
	// live heap.
	args := make([]any, 0, 3*gramsPerStatement)
	for len(rows) > 0 {
		n := min(len(rows), gramsPerStatement)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, string(ledger.KindContribution), r.gram, r.id)
		}
		if err := d.insertGrams(ctx, tx, args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// sortGramRows sorts bigram rows in search_grams' key order: the B-tree
// is then written leaf after leaf instead of at random, which matters once
// it outgrows the cache (when PostgreSQL kept search_grams too, a
// million-row import into it, one run each, so only a sign: server CPU
// 101 µs a row unsorted, 82 sorted).
func sortGramRows(rows []gramRow) {
	slices.SortFunc(rows, func(a, b gramRow) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
}

// RebuildSearch recomputes the whole keyword index from the records (for
// rows written around the store, as the benchmarks' seed does). Callers:
// the operator. Errors: EINTERNAL.
func (d *DB) RebuildSearch(ctx context.Context) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if d.Dialect != Postgres { // PostgreSQL's writeGrams sets every record's grams
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_grams`); err != nil {
				return err
			}
		}
		for _, kind := range []ledger.Kind{ledger.KindContribution, ledger.KindActivity, ledger.KindAgreement, ledger.KindProject} {
			if err := d.index(ctx, tx, string(kind), recordText(kind), "1 = 1", nil); err != nil {
				return err
			}
		}
		return d.indexProducts(ctx, tx, "1 = 1")
	})
}
