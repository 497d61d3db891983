// Package store keeps xiezuo's records in SQLite (default, embedded, pure Go)
// or PostgreSQL. One SQL text serves both engines ($1…$N placeholders); only
// the DDL differs and is generated from one template. Every service method
// runs in one transaction and writes the audit log in that transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // SQLite driver, CGO-free

	"github.com/xiezuo/xiezuo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store. Its methods are the services; each documents who may
// call it and which error codes it returns.
type DB struct {
	db      *sql.DB
	Dialect Dialect
	DSN     string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// ImportChunk is how many rows an import writes in one transaction
	// (0: importChunk); between chunks other writers take their turn.
	ImportChunk int
	// AllowPrivateWebhooks lets a webhook point at this machine or the
	// intranet (serve --webhook-allow-private; see remind.CheckWebhook).
	AllowPrivateWebhooks bool
	Log                  *slog.Logger
	// wmu serialises this process's write transactions in Go, before they
	// take a connection: a writer waiting for its turn holds none, so
	// readers never wait for the pool behind queued writers. A long import
	// releases it between chunks and a writer that has been waiting takes
	// it at once (sync.Mutex hands off to a waiter blocked for over 1 ms),
	// where SQLite's busy handler would poll and could miss a short gap.
	// PostgreSQL also takes the audit lock, for writers in other processes.
	wmu sync.Mutex
	// WriteWait, when set, is told how long each write transaction waited
	// for the write lock (SQLite: wmu and BEGIN IMMEDIATE; PostgreSQL: the
	// audit lock). The web edge sets it, before serving, to feed /metrics.
	WriteWait func(time.Duration)
	// values memoises valuesSQL's texts (valuesKey → string).
	values sync.Map

	// The audit key and the head anchor (see auditanchor.go). appended
	// holds the *sql.Tx of each open transaction that appended entries;
	// their commits kick the goroutine that moves the anchor; anchorMu
	// orders the anchor's updates.
	auditKey []byte
	anchor   AuditAnchor
	appended sync.Map
	// heads holds, for the transaction of a group of writes, the audit
	// log's head as the group's last entry left it (*auditHead), so each
	// write after the first appends without reading it back.
	heads        sync.Map
	anchorKick   chan struct{}
	anchorStop   chan struct{}
	anchorDone   chan struct{}
	anchorOnce   sync.Once
	anchorMu     sync.Mutex
	anchorWarned bool

	stmts atomic.Int64 // SQL statements sent (Statements)
	reg   registryCache

	writes writeQueue // the writes waiting for their group (writegroup.go)
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// genericPlans sets the planner settings of every PostgreSQL connection,
// each unless the URL sets it itself:
//
//   - plan_cache_mode=force_generic_plan: plan each prepared statement
//     once per connection, not for every set of parameters. pgx prepares
//     every statement, and with the default the planner kept re-planning
//     the list's page query for each request (7–14 ms of planning for
//     0.6 ms of execution; the list call went from 10.8 to 2.4 ms p50 on a
//     million contributions). The store's statements filter by index
//     columns whose plan does not change with the values.
//   - random_page_cost=1.1: a generic plan estimates a date range given
//     as parameters at a tiny share of the rows, and with the default
//     cost of a random page (4, for spinning disks) it read a township's
//     year through a bitmap of all its 1,971 rows and sorted them instead
//     of walking contributions_township in the list's order and stopping
//     at 50 rows (8 ms against 0.6 ms). 1.1 is the usual value for SSDs
//     and for a database that fits in memory.
//
// It also takes pool_max_conns (the name pgxpool gives it) out of the URL,
// since the server would refuse it as a setting: the number of
// connections this process keeps, 1 to 1000. Without it the pool is sized
// to the cores (poolConns).
func genericPlans(dsn string) (string, int, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, poolConns(), nil // pgx names the fault in the URL
	}
	q := u.Query()
	conns := poolConns()
	if v := q.Get("pool_max_conns"); q.Has("pool_max_conns") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return "", 0, xiezuo.Errorf(xiezuo.EINVALID, "数据库连接串的 pool_max_conns 须为 1 到 1000 的整数（现为 %q）", v)
		}
		conns = n
		q.Del("pool_max_conns")
	}
	for k, v := range map[string]string{"plan_cache_mode": "force_generic_plan", "random_page_cost": "1.1"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), conns, nil
}

// poolConns is the PostgreSQL pool's size unless the URL gives one: twice
// the cores this process may use, at least 4. On 2 cores, with the server
// on the same machine, 4 connections served the lists as many requests a
// second as 16 did at 16 and 64 clients, with a shorter tail (web list,
// 16 clients, p99 52–61 against 74–106 ms in four rounds each, README):
// more connections than cores only queue inside the server.
func poolConns() int {
	return max(4, 2*runtime.GOMAXPROCS(0))
}

// Open opens the database named by dsn: a postgres:// URL, or else the path
// of a SQLite file (created if missing). It applies pending migrations.
// The audit chain is plain SHA-256 with no anchor: see OpenWith.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with the audit key and head anchor of o.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	d := &DB{DSN: dsn, Now: time.Now, Log: slog.Default()}
	if IsPostgres(dsn) {
		d.Dialect = Postgres
		pgURL, conns, err := genericPlans(dsn)
		if err != nil {
			return nil, err
		}
		c, err := newCountingConnector(stdlib.GetDefaultDriver(), pgURL, &d.stmts, 0)
		if err != nil {
			return nil, err
		}
		d.db = sql.OpenDB(c)
		d.db.SetMaxOpenConns(conns)
		d.db.SetMaxIdleConns(conns) // kept open: the default 2 reconnects under load
	} else {
		d.Dialect = SQLite
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, err
			}
		}
		// busy_timeout: wait for the writer instead of failing; WAL: readers
		// never block the writer; foreign_keys: enforce FKs as PostgreSQL does;
		// _txlock=immediate: a write transaction takes the lock at BEGIN, so
		// two writers never deadlock on upgrade.
		// cache_size: 32 MB of pages per connection. modernc's allocator
		// gives each page (4 KB and its 0.3 KB header) an 8 KB slot, so
		// that is about 64 MB in memory when full. Since imports write in
		// date order (imports/dateorder.go), 64 MB was no faster at one
		// million rows and took 60 MB more at the peak (README, "峰值内存").
		q := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-32768)&_pragma=temp_store(MEMORY)&_txlock=immediate"
		c, err := newCountingConnector(&sqlite.Driver{}, "file:"+dsn+q, &d.stmts, 128)
		if err != nil {
			return nil, err
		}
		d.db = sql.OpenDB(c)
		d.db.SetMaxOpenConns(8)
		d.db.SetMaxIdleConns(8) // kept open, each with its page cache: the default 2 reopens the file under load
	}
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("连接数据库失败: %w", err)
	}
	if err := d.migrate(ctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	if err := d.initAudit(ctx, o); err != nil {
		d.Close()
		return nil, fmt.Errorf("审计密钥检查失败: %w", err)
	}
	if _, err := d.RecoverImports(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("检查中断的导入失败: %w", err)
	}
	return d, nil
}

// Close closes the database, after the anchor has caught up with the log.
func (d *DB) Close() error {
	d.stopAnchor()
	return d.db.Close()
}

// SQL exposes the handle for tests and benchmarks.
func (d *DB) SQL() *sql.DB { return d.db }

// reviewColumns are the columns every reviewed ledger record has.
const reviewColumns = `unit_id       BIGINT NOT NULL REFERENCES organisations (id),
    status        TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','returned')),
    return_reason TEXT NOT NULL DEFAULT '',
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL`

// migrationsFS renders the migration template for the dialect.
func migrationsFS(dialect Dialect) (fs.FS, error) {
	id, blob := "INTEGER PRIMARY KEY", "BLOB"
	if dialect == Postgres {
		id, blob = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	// A migration is one template for both engines, or (where the SQL
	// differs too much, as for triggers) a NAME.sqlite.sql and a
	// NAME.postgres.sql of which the engine's own is used.
	own, other := ".sqlite.sql", ".postgres.sql"
	if dialect == Postgres {
		own, other = other, own
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, other) {
			continue
		}
		b, err := fs.ReadFile(migrations, "migrations/"+name)
		if err != nil {
			return nil, err
		}
		s := strings.NewReplacer("{{ID}}", id, "{{BLOB}}", blob, "{{REVIEW_COLUMNS}}", reviewColumns).Replace(string(b))
		if strings.HasSuffix(name, own) {
			name = strings.TrimSuffix(name, own) + ".sql"
		}
		out[name] = &fstest.MapFile{Data: []byte(s)}
	}
	return out, nil
}

func (d *DB) migrate(ctx context.Context) error {
	fsys, err := migrationsFS(d.Dialect)
	if err != nil {
		return err
	}
	dialect, opts := goose.DialectSQLite3, []goose.ProviderOption{goose.WithGoMigrations(sqliteGoMigrations()...)}
	if d.Dialect == Postgres {
		dialect, opts = goose.DialectPostgres, nil
	}
	p, err := goose.NewProvider(dialect, d.db, fsys, opts...)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// writeTx is a write transaction that holds the write lock until it is
// committed or rolled back (either may be called again; later calls only
// return sql.ErrTxDone).
type writeTx struct {
	*sql.Tx
	unlock func()
	d      *DB
}

// Commit commits, releases the write lock, and then, if the transaction
// appended audit entries, has the head anchor moved (kickAnchor).
func (t *writeTx) Commit() error {
	err := t.Tx.Commit()
	t.release()
	if _, ok := t.d.appended.LoadAndDelete(t.Tx); ok && err == nil {
		t.d.kickAnchor()
	}
	return err
}

func (t *writeTx) Rollback() error {
	defer t.release()
	t.d.appended.Delete(t.Tx)
	return t.Tx.Rollback()
}

func (t *writeTx) release() {
	if t.unlock != nil {
		t.unlock()
		t.unlock = nil
	}
}

// begin starts a write transaction holding the write lock (see tx).
func (d *DB) begin(ctx context.Context) (*writeTx, error) {
	start := time.Now()
	d.wmu.Lock()
	unlock := d.wmu.Unlock
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		unlock()
		return nil, xiezuo.Internal(err)
	}
	if d.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7310105)"); err != nil {
			tx.Rollback()
			return nil, xiezuo.Internal(err)
		}
	}
	if d.WriteWait != nil {
		d.WriteWait(time.Since(start))
	}
	return &writeTx{Tx: tx, unlock: unlock, d: d}, nil
}

// mapDBError turns constraint violations the Go checks did not catch into
// *xiezuo.Error; other errors become EINTERNAL.
func mapDBError(err error) error {
	var xe *xiezuo.Error
	if errors.As(err, &xe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "记录不存在")
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE") || strings.Contains(msg, "duplicate key") || strings.Contains(msg, "23505"):
		return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "与已有记录重复", Cause: err}
	case strings.Contains(msg, "FOREIGN KEY") || strings.Contains(msg, "foreign key") || strings.Contains(msg, "23503"):
		return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "引用的单位、地区或记录不存在，或该记录仍被其他记录引用", Cause: err}
	case strings.Contains(msg, "CHECK") || strings.Contains(msg, "check constraint") || strings.Contains(msg, "23514") ||
		strings.Contains(msg, "NOT NULL") || strings.Contains(msg, "not-null") || strings.Contains(msg, "23502"):
		return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "数据不符合约束条件，未保存", Cause: err}
	}
	return xiezuo.Internal(err)
}

func (d *DB) now() string { return d.Now().UTC().Format(time.RFC3339) }

// Today is the civil date (YYYY-MM-DD) in China on the database's clock,
// Now: the "today" that bounds record dates and picks the reports' year.
// The web and the importers ask it too, so a test that sets Now controls
// every "today" of one server.
func (d *DB) Today() string { return d.Now().In(xiezuo.China).Format(xiezuo.DateLayout) }

// nullStr maps "" to NULL for optional codes and dates.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID maps 0 to NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// placeholders returns "$start, $start+1, …" n times.
func placeholders(start, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}

// dollarN matches a numbered placeholder.
var dollarN = regexp.MustCompile(`\$[0-9]+`)

// positional rewrites q's $1…$N, which must appear once each and in order,
// as plain ? for SQLite: the driver then binds by position without asking
// SQLite each parameter's name, which costs a tenth of a million-row
// import's write time. PostgreSQL keeps $N.
func (d *DB) positional(q string) string {
	if d.Dialect != SQLite {
		return q
	}
	return dollarN.ReplaceAllString(q, "?")
}

// where builds a WHERE clause with numbered arguments.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; each "?" in cond becomes the next $N.
func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// clone returns a copy to add more conditions to.
func (w *where) clone() *where {
	return &where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
}

// period adds from <= col <= to, either bound omitted when "".
func (w *where) period(col, from, to string) {
	if from != "" {
		w.add(col+" >= ?", from)
	}
	if to != "" {
		w.add(col+" <= ?", to)
	}
}

// in adds "col IN (…)" for vals (not empty).
func (w *where) in(col string, vals []string) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	w.add(col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+")", args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// next returns the placeholder for one more argument.
func (w *where) next(a any) string {
	w.args = append(w.args, a)
	return fmt.Sprintf("$%d", len(w.args))
}
