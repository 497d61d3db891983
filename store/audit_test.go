package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/store"
)

// memAnchor is store.AuditAnchor in memory.
type memAnchor struct {
	mu sync.Mutex
	cp *store.Checkpoint
}

func (a *memAnchor) Head() (store.Checkpoint, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cp == nil {
		return store.Checkpoint{}, fs.ErrNotExist
	}
	return *a.cp, nil
}

func (a *memAnchor) SetHead(c store.Checkpoint) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cp = &c
	return nil
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// keyedDemo opens the demo on engine with an audit key and an anchor, as
// the CLI does on a new data directory.
func keyedDemo(t *testing.T, engine string) (*store.DB, *memAnchor) {
	t.Helper()
	a := &memAnchor{}
	db := testdb.OpenWith(t, engine, store.Options{AuditKey: testKey(7), NewAuditKey: true, Anchor: a})
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db, a
}

func auditCount(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rechain recomputes every hash from seq on with plain SHA-256 and the
// stored fields, as someone with the database but without the key can:
// the attack a plain chain cannot detect. keyed is what the rows claim.
// It rewrites entries from…to (to 0: the last), and the link of the next.
func rechain(t *testing.T, db *store.DB, from, to int64, keyed int) {
	t.Helper()
	if to == 0 {
		to = 1 << 62
	}
	rows, err := db.SQL().Query(`SELECT seq, at, COALESCE(actor_id, 0), actor_name, action, entity, entity_id, before, after, prev_hash
		FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq, actor, eid                            int64
		at, name, action, entity, before, after, p string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.at, &r.actor, &r.name, &r.action, &r.entity, &r.eid, &r.before, &r.after, &r.p); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	prev := all[0].p
	for _, r := range all {
		h := sha256.New()
		for _, f := range []string{prev, strconv.FormatInt(r.seq, 10), r.at, strconv.FormatInt(r.actor, 10), r.name, r.action, r.entity,
			strconv.FormatInt(r.eid, 10), r.before, r.after} {
			h.Write([]byte(f))
			h.Write([]byte{0x1f})
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if _, err := db.SQL().Exec(`UPDATE audit_log SET prev_hash = $1, hash = $2, keyed = $3 WHERE seq = $4`, prev, sum, keyed, r.seq); err != nil {
			t.Fatal(err)
		}
		prev = sum
	}
	if _, err := db.SQL().Exec(`UPDATE audit_log SET prev_hash = $1 WHERE seq = $2`, prev, to+1); err != nil {
		t.Fatal(err)
	}
}

func wantBroken(t *testing.T, db *store.DB, want string, cps ...store.Checkpoint) {
	t.Helper()
	_, err := db.VerifyAudit(ctx, user(t, db, "admin"), cps...)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("VerifyAudit = %v, want an error with %q", err, want)
	}
}

// TestAuditTruncation is issue 9, fault 7: deleting the newest entries, or
// editing one and recomputing the chain, passed verification.
func TestAuditTruncation(t *testing.T) {
	t.Parallel()
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db, anchor := keyedDemo(t, eng)
			admin := user(t, db, "admin")
			n, err := db.VerifyAudit(ctx, admin)
			if err != nil || n < 100 {
				t.Fatalf("VerifyAudit = %d, %v", n, err)
			}
			db.SyncAuditAnchor()
			if cp, _ := anchor.Head(); cp.Seq != n {
				t.Fatalf("anchor at %d, log has %d", cp.Seq, n)
			}
			early, err := db.AuditCheckpoint(ctx)
			if err != nil || early.Seq != n || early.MAC == "" || !strings.HasPrefix(early.Short(), "第"+strconv.FormatInt(n, 10)+"条 ") {
				t.Fatalf("checkpoint %+v (%s), %v", early, early.Short(), err)
			}
			if back, err := store.ParseCheckpoint(early.Marshal()); err != nil || back != early {
				t.Fatalf("checkpoint round trip: %+v, %v", back, err)
			}
			unit := user(t, db, "chengjiaqiao")
			for i := 0; i < 3; i++ {
				if err := db.SaveContribution(ctx, unit, newContribution(t, db, int64(100+i))); err != nil {
					t.Fatal(err)
				}
			}
			// The chain extends the earlier checkpoint; the anchor followed.
			if m, err := db.VerifyAudit(ctx, admin, early); err != nil || m != n+3 {
				t.Fatalf("VerifyAudit with an earlier checkpoint = %d, %v", m, err)
			}
			db.SyncAuditAnchor()
			if cp, _ := anchor.Head(); cp.Seq != n+3 {
				t.Fatalf("anchor at %d after 3 writes, want %d", cp.Seq, n+3)
			}
			// The short form, as printed on a bulletin, checks too.
			printed, err := store.ParseCheckpoint([]byte("审计检查点：" + early.Short()))
			if err != nil || printed.Seq != early.Seq {
				t.Fatalf("printed checkpoint %q: %+v, %v", early.Short(), printed, err)
			}
			if _, err := db.VerifyAudit(ctx, admin, printed); err != nil {
				t.Fatalf("printed checkpoint: %v", err)
			}
			misprinted := printed
			misprinted.Hash = "00000000" + misprinted.Hash[8:]
			wantBroken(t, db, "与检查点不符", misprinted)
			// A checkpoint that is not signed with the key, or altered.
			forged := early
			forged.Seq--
			wantBroken(t, db, "检查点签名不符", forged)
			unsigned := early
			unsigned.MAC = ""
			wantBroken(t, db, "检查点没有签名", unsigned)
			// The anchor behind the head (a crash between a commit and the
			// anchor's update) is accepted.
			db.SyncAuditAnchor()
			anchor.SetHead(early)
			if _, err := db.VerifyAudit(ctx, admin); err != nil {
				t.Fatalf("an anchor behind the head: %v", err)
			}

			db.SQL().Exec(`CREATE TABLE audit_saved AS SELECT * FROM audit_log`)
			db.SyncAuditAnchor()
			head, _ := anchor.Head()
			restore := func() {
				t.Helper()
				if _, err := db.SQL().Exec(`DELETE FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL().Exec(`INSERT INTO audit_log SELECT * FROM audit_saved`); err != nil {
					t.Fatal(err)
				}
				anchor.SetHead(head)
				if _, err := db.VerifyAudit(ctx, admin); err != nil {
					t.Fatalf("restored log: %v", err)
				}
			}
			total := head.Seq
			for _, cut := range []int64{1, 50, total} {
				restore()
				if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq > $1`, total-cut); err != nil {
					t.Fatal(err)
				}
				wantBroken(t, db, "审计日志被截断：审计锚点记录到第 "+strconv.FormatInt(total, 10)+" 条")
				if cut == 50 {
					// An earlier checkpoint still inside the log is fine; one
					// beyond the cut is not.
					if _, err := db.VerifyAudit(ctx, admin, early); err == nil || !strings.Contains(err.Error(), "审计锚点") {
						t.Fatalf("cut below the anchor, with a checkpoint: %v", err)
					}
					// The next writes do not move the anchor over the cut, so
					// the evidence stays once the log is longer again.
					for i := int64(0); i < 52; i++ {
						if err := db.SaveContribution(ctx, unit, newContribution(t, db, 200+i)); err != nil {
							t.Fatal(err)
						}
					}
					db.SyncAuditAnchor()
					if cp, _ := anchor.Head(); cp != head {
						t.Fatalf("the anchor moved over the cut to %d", cp.Seq)
					}
					wantBroken(t, db, "与审计锚点")
				}
			}
			restore()
			if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq > $1`, early.Seq-1); err != nil {
				t.Fatal(err)
			}
			// Without the anchor (say it was rolled back too), a checkpoint
			// from a backup or a bulletin catches it.
			nokeyed := testdb.Reopen(t, db, store.Options{AuditKey: testKey(7)})
			wantBroken(t, nokeyed, "审计日志被截断：检查点记录到第", early)
			wantBroken(t, nokeyed, "审计日志被截断：检查点记录到第", printed)

			// An edit with the chain recomputed with plain SHA-256.
			restore()
			db.SQL().Exec(`UPDATE audit_log SET after = '{"amount_fen":1}' WHERE seq = 50`)
			rechain(t, db, 50, 0, 1)
			wantBroken(t, db, "第 50 条内容与签名不符")
			restore()
			rechain(t, db, 1, 0, 0) // the whole log, claiming no key
			wantBroken(t, db, "与审计锚点")
			restore()
			rechain(t, db, 60, 0, 0)
			wantBroken(t, db, "第 60 条没有密钥签名")

			// The wrong key, and no key.
			restore()
			other := testdb.Reopen(t, db, store.Options{AuditKey: testKey(8)})
			_, err = other.VerifyAudit(ctx, admin)
			if err == nil || !strings.Contains(err.Error(), "第 1 条内容与签名不符") {
				t.Fatalf("wrong key: %v", err)
			}
			nokey := testdb.Reopen(t, db, store.Options{})
			if _, err := nokey.VerifyAudit(ctx, admin); err == nil || !strings.Contains(err.Error(), "需要该密钥") {
				t.Fatalf("no key: %v", err)
			}
			if err := nokey.SaveContribution(ctx, unit, newContribution(t, db, 1)); err == nil || !strings.Contains(err.Error(), "audit.key") {
				t.Fatalf("a write without the key: %v", err)
			}
			// A new key for a keyed log is refused: the old one was lost.
			_, err = store.OpenWith(ctx, db.DSN, store.Options{AuditKey: testKey(9), NewAuditKey: true})
			if !errors.Is(err, store.ErrAuditKeyLost) {
				t.Fatalf("new key for a keyed log: %v", err)
			}
			// The anchor deleted.
			anchor.mu.Lock()
			anchor.cp = nil
			anchor.mu.Unlock()
			wantBroken(t, db, "审计锚点（数据目录中的 audit.head）缺失")
		})
	}
}

// TestAuditKeyUpgrade: a log written without a key goes on with one; the
// old entries still verify, and are protected from then on.
func TestAuditKeyUpgrade(t *testing.T) {
	t.Parallel()
	db := testdb.OpenDemo(t, "sqlite")
	n := auditCount(t, db)
	a := &memAnchor{}
	keyed := testdb.Reopen(t, db, store.Options{AuditKey: testKey(7), NewAuditKey: true, Anchor: a})
	if cp, _ := a.Head(); cp.Seq != n {
		t.Fatalf("new key: anchor at %d, want the head %d", cp.Seq, n)
	}
	if err := keyed.SaveContribution(ctx, user(t, keyed, "chengjiaqiao"), newContribution(t, keyed, 5)); err != nil {
		t.Fatal(err)
	}
	if m, err := keyed.VerifyAudit(ctx, user(t, keyed, "admin")); err != nil || m <= n {
		t.Fatalf("upgraded log: %d, %v", m, err)
	}
	// The plain entries rewritten, and the first keyed one's link with
	// them: its HMAC covers the link.
	keyed.SQL().Exec(`UPDATE audit_log SET after = '{}' WHERE seq = 3`)
	rechain(t, keyed, 3, n, 0)
	wantBroken(t, keyed, "第 "+strconv.FormatInt(n+1, 10)+" 条内容与签名不符")
}

// TestBackupCheckpoint: the checkpoint Backup returns is the copy's head,
// and the live log extends it.
func TestBackupCheckpoint(t *testing.T) {
	t.Parallel()
	db, _ := keyedDemo(t, "sqlite")
	out := filepath.Join(t.TempDir(), "backup.db")
	cp, err := db.Backup(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveContribution(ctx, user(t, db, "chengjiaqiao"), newContribution(t, db, 5)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx, user(t, db, "admin"), cp); err != nil {
		t.Fatal(err)
	}
	copy, err := store.OpenWith(ctx, out, store.Options{AuditKey: testKey(7)})
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	if n, err := copy.VerifyAudit(ctx, user(t, copy, "admin"), cp); err != nil || n != cp.Seq {
		t.Fatalf("backup with its checkpoint = %d (checkpoint %d), %v", n, cp.Seq, err)
	}
}
