package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// AuditEntry is one line of the append-only, hash-chained audit log.
type AuditEntry struct {
	Seq       int64  `json:"seq"`
	At        string `json:"at"`
	ActorID   int64  `json:"actor_id"`
	ActorName string `json:"actor_name"`
	Action    string `json:"action"`
	Entity    string `json:"entity"`
	EntityID  int64  `json:"entity_id"`
	Before    string `json:"before"`
	After     string `json:"after"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"hash"`
}

// computeHash chains an entry to its predecessor. Fields are separated by a
// byte that cannot occur in them unescaped (JSON and RFC 3339 have no \x1f).
func computeHash(e *AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At, strconv.FormatInt(e.ActorID, 10),
		e.ActorName, e.Action, e.Entity, strconv.FormatInt(e.EntityID, 10), e.Before, e.After} {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return string(b)
}

// audit appends an entry inside tx. Callers hold the write lock (see tx).
func (d *DB) audit(ctx context.Context, tx *sql.Tx, u *xiezuo.User, action, entity string, id int64, before, after any) error {
	e := AuditEntry{At: d.now(), Action: action, Entity: entity, EntityID: id, Before: toJSON(before), After: toJSON(after)}
	if u != nil {
		e.ActorID, e.ActorName = u.ID, u.Username
	} else {
		e.ActorName = "system"
	}
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.PrevHash)
	if err == sql.ErrNoRows {
		e.Seq, e.PrevHash = 0, ""
	} else if err != nil {
		return err
	}
	e.Seq++
	e.Hash = computeHash(&e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At, nullID(e.ActorID), e.ActorName, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash)
	return err
}

// AuditHistory returns the entries of one entity, oldest first. Callers:
// for a ledger record (entity is its kind), whoever may see the record
// (ledger.CanSeeHistory); for other entities, the office
// (ledger.CanReadAuditLog). Errors: ENOTFOUND (a record u may not see),
// EFORBIDDEN, EINTERNAL.
func (d *DB) AuditHistory(ctx context.Context, u *xiezuo.User, entity string, id int64) ([]AuditEntry, error) {
	if kind := ledger.Kind(entity); kind.Valid() {
		h, err := d.header(ctx, d.db, kind, id)
		if err != nil {
			return nil, mapDBError(err)
		}
		if !ledger.CanSeeHistory(u, h) {
			return nil, notFound(kind, id)
		}
	} else if err := permit(ledger.CanReadAuditLog(u), "只有协作办可以查看审计日志"); err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before, after, prev_hash, hash
		FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq`, entity, id)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole log and reports the first entry whose hash or
// link does not match, or a gap in the sequence (a deleted entry). It
// returns the number of entries checked. Callers: the office
// (ledger.CanReadAuditLog), the CLI as its operator. Errors: EFORBIDDEN;
// a broken chain is a plain error that says where.
func (d *DB) VerifyAudit(ctx context.Context, u *xiezuo.User) (int64, error) {
	if err := permit(ledger.CanReadAuditLog(u), "只有协作办可以查看审计日志"); err != nil {
		return 0, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before, after, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n, wantSeq int64 = 0, 1
	prev := ""
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash); err != nil {
			return n, err
		}
		switch {
		case e.Seq != wantSeq:
			return n, fmt.Errorf("审计日志第 %d 条缺失（下一条为第 %d 条）：有记录被删除", wantSeq, e.Seq)
		case e.PrevHash != prev:
			return n, fmt.Errorf("审计日志第 %d 条的前序哈希不符：前一条被修改或删除", e.Seq)
		case computeHash(&e) != e.Hash:
			return n, fmt.Errorf("审计日志第 %d 条内容与哈希不符：该条被修改", e.Seq)
		}
		prev, wantSeq = e.Hash, wantSeq+1
		n++
	}
	return n, rows.Err()
}
