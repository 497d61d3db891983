package store

// The audit chain alone cannot show that its newest entries were deleted,
// nor (with plain SHA-256) that it was recomputed after an edit. This file
// anchors it outside the database (issue 9, fault 7):
//
//   - Entries are keyed with an HMAC key the caller keeps outside the
//     database (Options.AuditKey; the CLI keeps it in DIR/audit.key).
//   - After each committed write that appended entries, the head of the
//     chain is handed, signed, to an AuditAnchor (the CLI's writes
//     DIR/audit.head) by a goroutine off the writer's path (kickAnchor). VerifyAudit fails when the log no longer reaches
//     the anchor's entry with the anchor's hash.
//   - A Checkpoint is the same signed head, for copies kept elsewhere:
//     beside each backup, on published bulletins, in exports.
//
// The store does no file I/O for this: the key arrives as bytes and the
// anchor through the interface.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
)

// Options configure Open beyond the DSN.
type Options struct {
	// AuditKey is the HMAC-SHA256 key of the audit chain (32 random
	// bytes), kept by the caller outside the database. Without one the
	// chain is plain SHA-256, as before the key existed, and a database
	// whose log is already keyed refuses writes.
	AuditKey []byte
	// NewAuditKey says AuditKey was just created. Open then fails if the
	// log already holds keyed entries (their key was lost: a new one would
	// make the whole log unverifiable), and sets the anchor to the current
	// head.
	NewAuditKey bool
	// Anchor keeps the chain's head outside the database; nil: none.
	Anchor AuditAnchor
}

// AuditAnchor keeps the signed head of the audit chain outside the
// database. The store calls SetHead after a committed write appended
// entries, outside its write lock, one call at a time per DB.
type AuditAnchor interface {
	// Head returns the checkpoint last set, or an error wrapping
	// fs.ErrNotExist when there is none.
	Head() (Checkpoint, error)
	// SetHead replaces it, atomically: a reader sees the old or the new.
	SetHead(Checkpoint) error
}

// Checkpoint is the head of the audit chain at a moment: the last entry's
// number and hash, signed with the audit key. A log that still holds that
// entry with that hash extends it; one cut below it, or rewritten up to
// it, does not (VerifyAudit).
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	At   string `json:"at"`
	// MAC is HMAC-SHA256 of the other fields with the audit key; "" when
	// the database has no key.
	MAC string `json:"mac,omitempty"`
}

// Short is the form printed on bulletins and exports: 第1234条 3f2a9c1e…5b7d0a44
// (64 bits of the hash: enough to compare by eye, and a keyed hash cannot
// be made to match without the key).
func (c Checkpoint) Short() string {
	if c.Seq == 0 {
		return "第0条（审计日志为空）"
	}
	h := c.Hash
	if len(h) > 16 {
		h = h[:8] + "…" + h[len(h)-8:]
	}
	return "第" + strconv.FormatInt(c.Seq, 10) + "条 " + h
}

// TimeText is the checkpoint's time as screens show it (xiezuo.LocalTime).
func (c Checkpoint) TimeText() string { return xiezuo.LocalTime(c.At) }

// Marshal is the checkpoint file's text: one JSON line.
func (c Checkpoint) Marshal() []byte {
	b, _ := json.Marshal(c)
	return append(b, '\n')
}

// printedForm is Short's text, as read off a printed bulletin.
var printedForm = regexp.MustCompile(`^(?:审计检查点[：:]\s*)?第(\d+)条\s+([0-9a-f]{8})(?:…|\.\.\.)([0-9a-f]{8})$`)

// ParseCheckpoint reads a checkpoint file's text, or the short form
// printed on bulletins and exports (第1234条 3f2a9c1e…5b7d0a44). A printed
// one has no signature and 64 bits of the hash; it is checked by those
// (its entry must be in the log with a hash that starts and ends so).
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	if m := printedForm.FindStringSubmatch(strings.TrimSpace(string(b))); m != nil {
		seq, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || seq == 0 {
			return Checkpoint{}, errors.New("不是审计检查点：条数不对")
		}
		return Checkpoint{Seq: seq, Hash: m[2] + "…" + m[3]}, nil
	}
	var c Checkpoint
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("不是审计检查点文件：%v", err)
	}
	if c.Seq < 0 || (c.Seq > 0 && len(c.Hash) != 64) || (c.Seq == 0 && c.Hash != "") {
		return c, errors.New("不是审计检查点文件：条数或哈希不对")
	}
	return c, nil
}

// printed reports a checkpoint read from its short form.
func (c Checkpoint) printed() bool { return strings.Contains(c.Hash, "…") }

// matches reports whether an entry's hash is the checkpoint's.
func (c Checkpoint) matches(h string) bool {
	if pre, suf, ok := strings.Cut(c.Hash, "…"); ok {
		return len(h) == 64 && strings.HasPrefix(h, pre) && strings.HasSuffix(h, suf)
	}
	return h == c.Hash
}

// when is " （time）" for messages, or "" when the checkpoint has none.
func (c Checkpoint) when() string {
	if c.At == "" {
		return ""
	}
	return "（" + c.TimeText() + "）"
}

func (d *DB) checkpointMAC(c Checkpoint) string {
	m := hmac.New(sha256.New, d.auditKey)
	for _, f := range []string{"xiezuo-audit-checkpoint-v1", strconv.FormatInt(c.Seq, 10), c.Hash, c.At} {
		m.Write([]byte(f))
		m.Write([]byte{0x1f})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// checkSignature checks c's MAC with the key (with none it can only be
// taken at its word). The message follows the checkpoint's name.
func (d *DB) checkSignature(c Checkpoint) error {
	if d.auditKey == nil || c.printed() {
		return nil
	}
	if c.MAC == "" {
		return errors.New("没有签名：不是用审计密钥签发的")
	}
	if !hmac.Equal([]byte(c.MAC), []byte(d.checkpointMAC(c))) {
		return errors.New("签名不符：被修改，或不是用本数据目录的审计密钥签发的")
	}
	return nil
}

// AuditKeyed reports whether the database was opened with an audit key.
func (d *DB) AuditKeyed() bool { return d.auditKey != nil }

// head reads the newest entry's number and hash (0, "" for an empty log).
func head(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, string, error) {
	var seq int64
	var h string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
	if err == sql.ErrNoRows {
		return 0, "", nil
	}
	return seq, h, err
}

// AuditCheckpoint returns the signed head of the log now. Callers: anyone
// (it tells how many entries the log has and the newest one's hash,
// nothing of their content); published bulletins and exports print it.
// Errors: EINTERNAL.
func (d *DB) AuditCheckpoint(ctx context.Context) (Checkpoint, error) {
	seq, h, err := head(ctx, d.db)
	if err != nil {
		return Checkpoint{}, xiezuo.Internal(err)
	}
	return d.sign(seq, h), nil
}

func (d *DB) sign(seq int64, h string) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: h, At: d.now()}
	if d.auditKey != nil {
		c.MAC = d.checkpointMAC(c)
	}
	return c
}

// ErrAuditKeyLost is Open's error when a new key is offered for a log that
// is keyed already.
var ErrAuditKeyLost = errors.New("数据库的审计日志已用审计密钥签名，但数据目录中没有该密钥（audit.key）：请从备份恢复 audit.key，不要新建密钥")

// initAudit applies o's audit settings when the database opens.
func (d *DB) initAudit(ctx context.Context, o Options) error {
	d.auditKey, d.anchor = o.AuditKey, o.Anchor
	if d.anchor != nil {
		d.anchorKick, d.anchorStop, d.anchorDone = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go d.runAnchor()
	}
	if !o.NewAuditKey {
		return nil
	}
	var keyed int
	err := d.db.QueryRowContext(ctx, `SELECT keyed FROM audit_log WHERE keyed = 1 LIMIT 1`).Scan(&keyed)
	if err == nil {
		return ErrAuditKeyLost
	} else if err != sql.ErrNoRows {
		return err
	}
	if d.anchor == nil {
		return nil
	}
	seq, h, err := head(ctx, d.db)
	if err != nil {
		return err
	}
	return d.anchor.SetHead(d.sign(seq, h))
}

// kickAnchor has the anchor moved to the head after a commit that
// appended entries. The move is left to one goroutine (runAnchor), off the
// writer's path: a file rename costs as much as a small write
// transaction (BenchmarkAnchor in cmd/xiezuo), and commits that come
// while it writes are covered by its next round, one rename for many. The
// anchor thus lags the log by the commits of one round; a crash in that
// time leaves it behind by those entries, which VerifyAudit accepts (it
// checks the anchor's entry, not that it is the newest). Close waits for
// the last round.
func (d *DB) kickAnchor() {
	select {
	case d.anchorKick <- struct{}{}:
	default: // a round is due already; it reads the head after this commit
	}
}

func (d *DB) runAnchor() {
	defer close(d.anchorDone)
	for {
		select {
		case <-d.anchorKick:
			d.advanceAnchor()
		case <-d.anchorStop:
			select {
			case <-d.anchorKick:
				d.advanceAnchor()
			default:
			}
			return
		}
	}
}

// stopAnchor ends runAnchor after its last round (Close).
func (d *DB) stopAnchor() {
	if d.anchorStop == nil {
		return
	}
	d.anchorOnce.Do(func() { close(d.anchorStop) })
	<-d.anchorDone
}

// SyncAuditAnchor moves the anchor to the head now (tests; Close does it).
func (d *DB) SyncAuditAnchor() {
	if d.anchor != nil {
		d.advanceAnchor()
	}
}

// advanceAnchor moves the anchor to the log's head. anchorMu orders the
// calls, and the head is read after the commits, so the anchor never
// names an entry that is not committed.
//
// The anchor never moves back, nor over a log that no longer holds the
// anchor's entry with its hash: the newest entries were deleted, or the
// log rewritten, and moving on would erase the evidence. It then stays
// put, VerifyAudit keeps failing, and the error is logged.
func (d *DB) advanceAnchor() {
	d.anchorMu.Lock()
	defer d.anchorMu.Unlock()
	ctx := context.Background()
	seq, h, err := head(ctx, d.db)
	if err != nil {
		d.Log.Error("审计锚点未更新：读取审计日志失败", "err", err)
		return
	}
	cur, err := d.anchor.Head()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Deleted: not recreated here, so that deleting it and the
		// newest entries is not hidden by the next write.
		d.anchorWarn("审计锚点 audit.head 缺失，未重建；请运行 xiezuo audit verify")
		return
	case err != nil:
		d.anchorWarn("审计锚点无法读取，未更新；请运行 xiezuo audit verify", "err", err)
		return
	case cur.Seq >= seq:
		return // another writer (or process) anchored this head already
	}
	if cur.Seq > 0 {
		var at string
		err := d.db.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, cur.Seq).Scan(&at)
		if err != nil || at != cur.Hash {
			d.anchorWarn("审计日志与审计锚点不符（末尾被删除或被改写），锚点不再更新；请运行 xiezuo audit verify", "anchor_seq", cur.Seq)
			return
		}
	}
	if err := d.anchor.SetHead(d.sign(seq, h)); err != nil {
		d.anchorWarn("审计锚点写入失败", "err", err)
	}
}

// anchorWarn logs an anchor problem, once per process.
func (d *DB) anchorWarn(msg string, args ...any) {
	if !d.anchorWarned {
		d.anchorWarned = true
		d.Log.Error(msg, args...)
	}
}
