package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
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
	// Keyed: the hash is an HMAC with the audit key (see computeHash).
	Keyed bool `json:"keyed"`
	// ActorDisplay and ActorUnit are the acting user's display name and
	// unit as they are now (AuditHistory fills them; they are not hashed):
	// the history shows the person, ActorName (the login) stays the record.
	ActorDisplay string `json:"actor_display,omitempty"`
	ActorUnit    string `json:"actor_unit,omitempty"`
}

// computeHash chains an entry to its predecessor. Fields are separated by a
// byte that cannot occur in them unescaped (JSON and RFC 3339 have no \x1f).
//
// A keyed entry's hash is HMAC-SHA256 with the data directory's audit key
// over a version tag and the same fields: whoever can write the database
// but cannot read the key can no longer edit an entry and recompute the
// chain after it. Entries written before the key existed keep the plain
// SHA-256 of the fields (keyed = false), so old logs still verify; the
// first keyed entry's MAC covers their last hash, so they are protected
// from then on too.
func computeHash(e *AuditEntry, key []byte) string {
	var h hash.Hash
	if e.Keyed {
		h = hmac.New(sha256.New, key)
		h.Write([]byte("xiezuo-audit-v2\x1f"))
	} else {
		h = sha256.New()
	}
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

// errNoAuditKey refuses a write to a keyed log by a process without the
// key: a plain entry after keyed ones would break the chain for good.
var errNoAuditKey = &xiezuo.Error{Code: xiezuo.EINTERNAL,
	Message: "审计日志已用审计密钥签名，但本进程没有密钥（数据目录中的 audit.key），不能写入：请用 --data 指定数据目录"}

// audit appends an entry inside tx. Callers hold the write lock (see tx).
// The head anchor is moved after the transaction commits (writeTx.Commit).
func (d *DB) audit(ctx context.Context, tx *sql.Tx, u *xiezuo.User, action, entity string, id int64, before, after any) error {
	e := AuditEntry{At: d.now(), Action: action, Entity: entity, EntityID: id, Before: toJSON(before), After: toJSON(after)}
	if u != nil {
		e.ActorID, e.ActorName = u.ID, u.Username
	} else {
		e.ActorName = "system"
	}
	var head *auditHead
	if v, ok := d.heads.Load(tx); ok {
		head = v.(*auditHead)
	}
	if head != nil && head.seq > 0 {
		e.Seq, e.PrevHash = head.seq, head.hash
	} else {
		var keyed int
		err := tx.QueryRowContext(ctx, `SELECT seq, hash, keyed FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.PrevHash, &keyed)
		if err == sql.ErrNoRows {
			e.Seq, e.PrevHash = 0, ""
		} else if err != nil {
			return err
		}
		if keyed == 1 && d.auditKey == nil {
			return errNoAuditKey
		}
	}
	e.Seq++
	e.Keyed = d.auditKey != nil
	e.Hash = computeHash(&e, d.auditKey)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, before, after, prev_hash, hash, keyed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.At, nullID(e.ActorID), e.ActorName, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash, boolInt(e.Keyed))
	if err == nil && d.anchor != nil {
		d.appended.Store(tx, struct{}{})
	}
	if err == nil && head != nil {
		*head = auditHead{seq: e.Seq, hash: e.Hash}
	}
	return err
}

// auditHead is the audit log's last entry as a group's transaction left
// it (see DB.heads); seq 0 (at the group's start, after a write's
// rollback to its savepoint): not known, read from the log.
type auditHead struct {
	seq  int64
	hash string
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
	rows, err := d.db.QueryContext(ctx, `SELECT a.seq, a.at, COALESCE(a.actor_id, 0), a.actor_name, a.action, a.entity, a.entity_id, a.before, a.after, a.prev_hash, a.hash,
			COALESCE(u.display_name, ''), COALESCE(o.name, '')
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN organisations o ON o.id = u.org_id
		WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.seq`, entity, id)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash,
			&e.ActorDisplay, &e.ActorUnit); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole log and reports the first entry whose hash or
// link does not match, or a gap in the sequence (a deleted entry). Then it
// checks the head anchor kept outside the database (Options.Anchor) and
// each of cps, checkpoints taken earlier: the log must reach each one's
// entry with the same hash, so a log cut below one (the newest entries
// deleted) or rewritten up to it fails. It returns the number of entries
// checked. Callers: the office (ledger.CanReadAuditLog), the CLI as its
// operator. Errors: EFORBIDDEN; a broken chain is a plain error that says
// where.
//
// Without the audit key (a database opened without Options.AuditKey) it
// can only check plain entries and the hashes of checkpoints, not their
// signatures; a keyed entry is then an error that asks for the key.
func (d *DB) VerifyAudit(ctx context.Context, u *xiezuo.User, cps ...Checkpoint) (int64, error) {
	if err := permit(ledger.CanReadAuditLog(u), "只有协作办可以查看审计日志"); err != nil {
		return 0, err
	}
	type mark struct {
		name string
		cp   Checkpoint
	}
	var marks []mark
	if d.anchor != nil {
		cp, err := d.anchor.Head()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return 0, errors.New("审计锚点（数据目录中的 audit.head）缺失：它与审计密钥同时创建，缺失说明被删除，审计日志末尾的删除可能无从发现。" +
				"请与备份和已印发简报上的审计检查点核对；核对无误后运行 xiezuo audit checkpoint --data 数据目录 --out 数据目录/audit.head 重建锚点")
		case err != nil:
			return 0, fmt.Errorf("审计锚点（数据目录中的 audit.head）无法读取：%v", err)
		}
		marks = append(marks, mark{"审计锚点", cp})
	}
	for _, cp := range cps {
		marks = append(marks, mark{"检查点", cp})
	}
	for _, m := range marks {
		if err := d.checkSignature(m.cp); err != nil {
			return 0, fmt.Errorf("%s%s", m.name, err.Error())
		}
	}
	at := map[int64]string{} // the hash of each marked entry
	for _, m := range marks {
		at[m.cp.Seq] = ""
	}
	rows, err := d.db.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before, after, prev_hash, hash, keyed
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n, wantSeq int64 = 0, 1
	prev, sawKeyed := "", false
	for rows.Next() {
		var e AuditEntry
		var keyed int
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash, &keyed); err != nil {
			return n, err
		}
		e.Keyed = keyed == 1
		sum := computeHash(&e, d.auditKey)
		switch {
		case e.Seq != wantSeq:
			return n, fmt.Errorf("审计日志第 %d 条缺失（下一条为第 %d 条）：有记录被删除", wantSeq, e.Seq)
		case e.PrevHash != prev:
			return n, fmt.Errorf("审计日志第 %d 条的前序哈希不符：前一条被修改或删除", e.Seq)
		case sawKeyed && !e.Keyed:
			return n, fmt.Errorf("审计日志第 %d 条没有密钥签名，而此前的记录有：该条起的记录被改写", e.Seq)
		case e.Keyed && d.auditKey == nil:
			return n, fmt.Errorf("审计日志自第 %d 条起用审计密钥签名，校验需要该密钥：请用 --data 指定数据目录，或用 --key 指定 audit.key", e.Seq)
		case sum != e.Hash && e.Keyed:
			return n, fmt.Errorf("审计日志第 %d 条内容与签名不符：该条被修改，或所用审计密钥不是本数据库的", e.Seq)
		case sum != e.Hash:
			return n, fmt.Errorf("审计日志第 %d 条内容与哈希不符：该条被修改", e.Seq)
		}
		if _, ok := at[e.Seq]; ok {
			at[e.Seq] = e.Hash
		}
		prev, wantSeq, sawKeyed = e.Hash, wantSeq+1, sawKeyed || e.Keyed
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	for _, m := range marks {
		switch {
		case m.cp.Seq > n:
			return n, fmt.Errorf("审计日志被截断：%s记录到第 %d 条%s，数据库只有 %d 条", m.name, m.cp.Seq, m.cp.when(), n)
		case m.cp.Seq > 0 && !m.cp.matches(at[m.cp.Seq]):
			return n, fmt.Errorf("审计日志第 %d 条与%s%s不符：该条被删除后另写，或此前的记录被改写", m.cp.Seq, m.name, m.cp.when())
		}
	}
	return n, nil
}
