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
}

func newCountingConnector(drv driver.Driver, dsn string, n *atomic.Int64) (driver.Connector, error) {
	c := &countingConnector{drv: drv, dsn: dsn, n: n}
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
	return &countingConn{Conn: conn, n: c.n}, nil
}

func (c *countingConnector) Driver() driver.Driver { return c.drv }

// countingConn counts each query and exec sent directly and each statement
// prepared (the executions of a prepared statement are not counted).
type countingConn struct {
	driver.Conn
	n *atomic.Int64
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
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := ec.ExecContext(ctx, query, args)
	c.count(err)
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := qc.QueryContext(ctx, query, args)
	c.count(err)
	return r, err
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the engine has only Begin
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
