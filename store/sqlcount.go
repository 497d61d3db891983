package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// The store counts the SQL statements it sends (DB.Statements), so a test
// can bound what one page costs and /metrics can show the rate. The count
// sits in a thin wrapper around the engine's driver connection: every
// optional interface the engine's connection has is passed through, so
// the engine behaves as if unwrapped.

// countingConnector opens the engine's connections wrapped.
type countingConnector struct {
	drv   driver.Driver
	inner driver.Connector // the engine's own, when it has one
	dsn   string
	n     *atomic.Int64
	keep  int // prepared statements kept per connection (see stmtCache)
}

func newCountingConnector(drv driver.Driver, dsn string, n *atomic.Int64, keep int) (driver.Connector, error) {
	c := &countingConnector{drv: drv, dsn: dsn, n: n, keep: keep}
	if dc, ok := drv.(driver.DriverContext); ok {
		inner, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		c.inner = inner
	}
	return c, nil
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var conn driver.Conn
	var err error
	if c.inner != nil {
		conn, err = c.inner.Connect(ctx)
	} else {
		conn, err = c.drv.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: conn, n: c.n}
	if c.keep > 0 {
		cc.cache = &stmtCache{keep: c.keep, stmts: map[string]*cachedStmt{}}
	}
	return cc, nil
}

func (c *countingConnector) Driver() driver.Driver { return c.drv }

// countingConn counts each query and exec sent directly and each statement
// prepared (the executions of a prepared statement are not counted).
type countingConn struct {
	driver.Conn
	n     *atomic.Int64
	cache *stmtCache // nil: every statement is prepared anew by the engine
	// writing: a write transaction is open; its statements run to their
	// end whatever their context (see writeQueue), since an interrupted
	// statement can abort the transaction that other writes share.
	writing bool
}

// whole is ctx for a statement on c: not cancellable while c is writing.
// database/sql still checks ctx before each statement, so a write whose
// caller has gone stops at its next statement.
func (c *countingConn) whole(ctx context.Context) context.Context {
	if c.writing {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// endingTx ends c's write transaction (countingConn.writing) with it.
type endingTx struct {
	driver.Tx
	c *countingConn
}

func (t endingTx) Commit() error   { t.c.writing = false; return t.Tx.Commit() }
func (t endingTx) Rollback() error { t.c.writing = false; return t.Tx.Rollback() }

// stmtCache keeps a connection's most recently used prepared statements,
// by their text. database/sql prepares a statement for every query it
// sends on the SQLite driver, and parsing and planning the list's page
// query was 16% of an API list request's CPU (issue 11); a kept statement
// is bound and run again instead. PostgreSQL's driver keeps its own.
// A statement still reading rows is not lent twice (a query run again
// while its rows are open gets a statement of its own), and the least
// recently used idle one goes when more than keep are held. Calls come
// from database/sql with the connection's lock held, one at a time.
type stmtCache struct {
	keep  int
	stmts map[string]*cachedStmt
	clock uint64
}

type cachedStmt struct {
	st   driver.Stmt
	busy bool
	used uint64
}

// stmt is the kept statement for query, prepared now if need be, or nil
// when nothing is kept, the kept one is busy or the engine cannot run it
// directly. A failed preparation counts as a statement sent.
func (c *countingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	k := c.cache
	if k == nil {
		return nil, nil
	}
	k.clock++
	if cs := k.stmts[query]; cs != nil {
		if cs.busy {
			return nil, nil
		}
		cs.used = k.clock
		return cs, nil
	}
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return nil, nil
	}
	st, err := pc.PrepareContext(ctx, query)
	if err != nil {
		c.count(err)
		return nil, err
	}
	_, q := st.(driver.StmtQueryContext)
	_, e := st.(driver.StmtExecContext)
	if !q || !e {
		st.Close()
		return nil, nil
	}
	if len(k.stmts) >= k.keep {
		var old string
		for text, cs := range k.stmts {
			if !cs.busy && (old == "" || cs.used < k.stmts[old].used) {
				old = text
			}
		}
		if old != "" {
			k.stmts[old].st.Close()
			delete(k.stmts, old)
		}
	}
	cs := &cachedStmt{st: st, used: k.clock}
	k.stmts[query] = cs
	return cs, nil
}

// keptRows gives its statement back when closed.
type keptRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *keptRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}

// Close closes the kept statements, then the connection.
func (c *countingConn) Close() error {
	if c.cache != nil {
		for _, cs := range c.cache.stmts {
			cs.st.Close()
		}
		c.cache.stmts = nil
	}
	return c.Conn.Close()
}

// Unwrap is the engine's connection (for PostgreSQL's COPY).
func (c *countingConn) Unwrap() driver.Conn { return c.Conn }

func (c *countingConn) count(err error) {
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var s driver.Stmt
	var err error
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		s, err = pc.PrepareContext(ctx, query)
	} else {
		s, err = c.Conn.Prepare(query)
	}
	c.count(err)
	return s, err
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.whole(ctx)
	if cs, err := c.stmt(ctx, query); err != nil {
		return nil, err
	} else if cs != nil {
		r, err := cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
		c.count(err)
		return r, err
	}
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := ec.ExecContext(ctx, query, args)
	c.count(err)
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.whole(ctx)
	if cs, err := c.stmt(ctx, query); err != nil {
		return nil, err
	} else if cs != nil {
		cs.busy = true
		r, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
		c.count(err)
		if err != nil {
			cs.busy = false
			return nil, err
		}
		return &keptRows{Rows: r, cs: cs}, nil
	}
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := qc.QueryContext(ctx, query, args)
	c.count(err)
	return r, err
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var t driver.Tx
	var err error
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		t, err = bc.BeginTx(ctx, opts)
	} else {
		t, err = c.Conn.Begin() //nolint:staticcheck // the engine has only Begin
	}
	if err != nil || opts.ReadOnly {
		return t, err
	}
	c.writing = true
	return endingTx{t, c}, nil
}

func (c *countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if sr, ok := c.Conn.(driver.SessionResetter); ok {
		return sr.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// Statements is how many SQL statements this DB has sent so far.
func (d *DB) Statements() int64 { return d.stmts.Load() }
