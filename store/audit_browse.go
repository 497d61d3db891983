package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// AuditFilter selects audit entries to browse. Dates are civil dates in
// China (entries are stamped in UTC); either bound may be empty.
type AuditFilter struct {
	Entity   string // contribution, activity, bulletin, user…
	EntityID int64  // with Entity: one record's entries
	Actor    string // the user's login name
	From, To string // YYYY-MM-DD
	Offset   int
	Limit    int // 50 when 0; at most 500
}

// Validate checks the dates and sets the default page size.
func (f *AuditFilter) Validate() error {
	p := xiezuo.Problems{}
	for _, d := range []struct{ k, v, label string }{{"from", f.From, "起始日期"}, {"to", f.To, "截止日期"}} {
		if d.v != "" {
			if _, err := time.Parse("2006-01-02", d.v); err != nil {
				p.Add(d.k, d.label+"应为有效日期，如 2020-09-01")
			}
		}
	}
	if f.EntityID < 0 || f.Offset < 0 {
		p.Add("entity_id", "编号应为正整数")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	return p.Err()
}

// AuditEntries returns one page of the audit entries f selects, newest
// first, and how many there are. Callers: the office
// (ledger.CanReadAuditLog). Errors: EFORBIDDEN, EINVALID, EINTERNAL.
func (d *DB) AuditEntries(ctx context.Context, u *xiezuo.User, f AuditFilter) ([]AuditEntry, int64, error) {
	if err := permit(ledger.CanReadAuditLog(u), "只有协作办可以查看审计日志"); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	w := &where{}
	if e := strings.TrimSpace(f.Entity); e != "" {
		w.add("entity = ?", e)
		if f.EntityID != 0 {
			w.add("entity_id = ?", f.EntityID)
		}
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		w.add("actor_name = ?", a)
	}
	// A civil day in China starts at 16:00 UTC the day before.
	instant := func(day string, plus int) string {
		t, _ := time.ParseInLocation("2006-01-02", day, xiezuo.China)
		return t.AddDate(0, 0, plus).UTC().Format(time.RFC3339)
	}
	if f.From != "" {
		w.add("at >= ?", instant(f.From, 0))
	}
	if f.To != "" {
		w.add("at < ?", instant(f.To, 1))
	}
	var n int64
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+w.sql(), w.args...).Scan(&n); err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before, after, prev_hash, hash, keyed
		FROM audit_log`+w.sql()+fmt.Sprintf(` ORDER BY seq DESC LIMIT %d OFFSET %d`, f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var keyed int
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash, &keyed); err != nil {
			return nil, 0, xiezuo.Internal(err)
		}
		e.Keyed = keyed == 1
		out = append(out, e)
	}
	return out, n, rows.Err()
}
