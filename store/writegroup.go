package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/xiezuo/xiezuo"
)

// Writes are committed in groups (group commit). Each write (tx's fn)
// joins a queue; while one group's transaction is being written the next
// group gathers, up to maxWriteGroup, and is then written in one
// transaction in which each write runs in its own savepoint: a write that
// fails is rolled back alone and gets its error, the others commit
// together. A write is answered only after its group has committed, so
// every acknowledged write is stored, and a failed commit fails every
// write of its group. With one write waiting the group is that one, with
// no savepoint: no added delay when the office is quiet.
//
// Why: there is one writer (wmu), and under load its holder shares the
// two cores with every reader, so a write of about 1 ms of CPU held the
// lock for about 10 ms and writers queued behind it (issue 11's mixed
// load: 42 of 64 clients waiting on wmu on average, the block profile's
// largest entry). A group pays one lock turn and one commit for all the
// writes that arrived meanwhile.
//
// A statement already running is not cancelled with its caller's context
// (countingConn: within a write transaction), since on either engine a
// statement interrupted mid-way can abort the whole transaction and so the
// group; a write whose context has ended is not started, and the next
// statement of one that ends mid-way fails at once, rolling back that
// write alone.
const maxWriteGroup = 128

// writeReq is one write waiting for its group.
type writeReq struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	err  error
	done chan struct{}
}

// writeQueue gathers the writes that arrive while a group is being
// written; one goroutine at a time (running) writes the groups.
type writeQueue struct {
	mu      sync.Mutex
	pending []*writeReq
	running bool
}

// tx runs fn in a write transaction, committing if it returns nil (see
// writeQueue: the transaction may be shared with other writes, fn's own
// part in a savepoint). On PostgreSQL the transaction takes the audit
// lock first, so audit entries are appended in one order (on SQLite the
// write lock wmu and immediate transactions serialise writers).
//
// Inside an import batch written in one transaction (see Import), ctx
// carries that transaction and fn runs in it: the batch commits or rolls
// back as a whole, each row within a savepoint.
//
// fn must not call tx itself (it would wait for its own group) and must
// not keep anything of the transaction after it returns.
func (d *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if t, ok := ctx.Value(batchTxKey{}).(*sql.Tx); ok {
		if err := fn(t); err != nil {
			return mapDBError(err)
		}
		return nil
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	q := &d.writes
	q.mu.Lock()
	q.pending = append(q.pending, r)
	if !q.running {
		q.running = true
		go q.drain(d)
	}
	q.mu.Unlock()
	<-r.done // even if ctx ends meanwhile: the group may be committing
	return r.err
}

// drain writes groups until the queue is empty.
func (q *writeQueue) drain(d *DB) {
	for {
		q.mu.Lock()
		group := q.pending
		if len(group) > maxWriteGroup {
			group = group[:maxWriteGroup:maxWriteGroup]
			q.pending = append([]*writeReq(nil), q.pending[maxWriteGroup:]...)
		} else {
			q.pending = nil
		}
		if len(group) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		d.writeGroup(group)
		for _, r := range group {
			close(r.done)
		}
	}
}

// writeGroup writes one group in one transaction and sets each write's
// result.
func (d *DB) writeGroup(group []*writeReq) {
	live := make([]*writeReq, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil { // gone before its turn: not written
			r.err = xiezuo.Internal(err)
		} else {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	tx, err := d.begin(context.Background()) // the group's; each write's own ctx was checked above
	if err == nil {
		defer tx.Rollback()
		err = d.runGroup(tx.Tx, live)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil { // nothing of the group was written
		err = mapDBError(err)
		for _, r := range live {
			if r.err == nil { // a write that failed keeps its own error
				r.err = err
			}
		}
	}
}

// runGroup runs the group's writes in tx, each alone in a savepoint when
// there are several; an error returned means tx is unusable.
//
// Each statement is a round trip on PostgreSQL, so a write costs one for
// its savepoint (the previous one's release goes with it; the commit
// releases the last), and the audit log's head is read once per group
// (DB.heads), not once per write.
func (d *DB) runGroup(tx *sql.Tx, live []*writeReq) error {
	if len(live) == 1 {
		live[0].err = run(live[0].fn, tx)
		return live[0].err
	}
	head := &auditHead{}
	d.heads.Store(tx, head)
	defer d.heads.Delete(tx)
	for i, r := range live {
		mark := `SAVEPOINT group_write`
		if i > 0 {
			mark = `RELEASE SAVEPOINT group_write; SAVEPOINT group_write`
		}
		if _, err := tx.Exec(mark); err != nil {
			return err
		}
		if r.err = run(r.fn, tx); r.err != nil {
			*head = auditHead{} // its entries, if any, are rolled back
			if _, err := tx.Exec(`ROLLBACK TO SAVEPOINT group_write`); err != nil {
				return err
			}
		}
	}
	return nil
}

// run calls fn, its error mapped, a panic made an internal error (with its
// stack, for the log) instead of ending the process: fn runs on the
// queue's goroutine, not its caller's.
func run(fn func(*sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = xiezuo.Internal(fmt.Errorf("write: panic: %v\n%s", p, debug.Stack()))
		}
	}()
	if err := fn(tx); err != nil {
		return mapDBError(err)
	}
	return nil
}
