package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/remind"
)

// Message is one e-mail or webhook message of the outbox. Requests and the
// digest run only enqueue; package notify's worker sends (DueMessages,
// MarkSent, MarkFailed), so a slow or dead server never blocks a request.
type Message struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"` // email | webhook
	Target    string `json:"target"`  // an address or a URL
	Subject   string `json:"subject"`
	Body      string `json:"body"` // plain text, or the webhook's JSON
	BodyHTML  string `json:"-"`
	UserID    int64  `json:"user_id,omitempty"`
	OrgID     int64  `json:"org_id,omitempty"`
	Status    string `json:"status"` // pending | sent | failed
	Attempts  int    `json:"attempts"`
	NextAt    string `json:"next_at"`
	LastError string `json:"last_error,omitempty"`
	CreatedAt string `json:"created_at"`
	SentAt    string `json:"sent_at,omitempty"`
}

// StatusLabel is the message's status in Chinese.
func (m *Message) StatusLabel() string {
	switch m.Status {
	case "pending":
		if m.Attempts > 0 {
			return "等待重试"
		}
		return "待发送"
	case "sent":
		return "已发送"
	case "failed":
		return "发送失败"
	}
	return m.Status
}

const messageCols = `id, channel, target, subject, body, body_html, COALESCE(user_id, 0), COALESCE(org_id, 0), status, attempts, next_at, last_error, created_at, COALESCE(sent_at, '')`

func scanMessage(s interface{ Scan(...any) error }) (*Message, error) {
	m := &Message{}
	return m, s.Scan(&m.ID, &m.Channel, &m.Target, &m.Subject, &m.Body, &m.BodyHTML, &m.UserID, &m.OrgID, &m.Status, &m.Attempts, &m.NextAt, &m.LastError, &m.CreatedAt, &m.SentAt)
}

// enqueue adds m to the outbox, due now.
func (d *DB) enqueue(ctx context.Context, tx *sql.Tx, m *Message) error {
	now := d.now()
	m.Status, m.NextAt, m.CreatedAt = "pending", now, now
	return tx.QueryRowContext(ctx, `INSERT INTO outbox (channel, target, subject, body, body_html, user_id, org_id, status, attempts, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) RETURNING id`,
		m.Channel, m.Target, m.Subject, m.Body, m.BodyHTML, nullID(m.UserID), nullID(m.OrgID), now).Scan(&m.ID)
}

// claimLease is how long a claimed message is left to its sender before
// another worker may take it (the sender crashed).
const claimLease = 10 * time.Minute

// DueMessages claims up to limit pending messages due by now (the DB's
// clock) for sending, of the channels given (all when none): each is
// pushed claimLease ahead so another worker does not take it meanwhile.
// Callers: the delivery worker. Errors: EINTERNAL.
func (d *DB) DueMessages(ctx context.Context, limit int, channels ...string) ([]*Message, error) {
	now := d.Now()
	w := &where{}
	w.add("status = 'pending'")
	w.add("next_at <= ?", now.UTC().Format(time.RFC3339))
	if len(channels) > 0 {
		w.in("channel", channels)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+messageCols+` FROM outbox`+w.sql()+` ORDER BY next_at, id LIMIT `+fmt.Sprint(limit), w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	var due []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, xiezuo.Internal(err)
		}
		due = append(due, m)
	}
	rows.Close()
	lease := now.Add(claimLease).UTC().Format(time.RFC3339)
	var out []*Message
	for _, m := range due {
		var n int64
		err := d.tx(ctx, func(tx *sql.Tx) error {
			r, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = $1 WHERE id = $2 AND status = 'pending' AND next_at = $3`, lease, m.ID, m.NextAt)
			if err == nil {
				n, err = r.RowsAffected()
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if n == 1 {
			out = append(out, m)
		}
	}
	return out, nil
}

// MarkSent records that message id was delivered.
func (d *DB) MarkSent(ctx context.Context, id int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = '', sent_at = $1 WHERE id = $2`, d.now(), id)
		return err
	})
}

// MarkFailed records a failed attempt to deliver message id: it is tried
// again after remind.NextTry's wait, or marked failed with its error kept
// once remind.MaxAttempts have failed.
func (d *DB) MarkFailed(ctx context.Context, id int64, cause error) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, id).Scan(&attempts); err != nil {
			return err
		}
		attempts++
		wait, giveUp := remind.NextTry(attempts)
		status, next := "pending", d.Now().Add(wait).UTC().Format(time.RFC3339)
		if giveUp {
			status = "failed"
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4 WHERE id = $5`, status, attempts, next, msg, id)
		return err
	})
}

// OutboxCounts are the outbox's messages by status.
type OutboxCounts struct{ Pending, Sent, Failed int }

// Outbox lists the newest limit messages with the counts by status.
// Callers: the office admin (ledger.CanSeeOutbox). Errors: EFORBIDDEN,
// EINTERNAL.
func (d *DB) Outbox(ctx context.Context, u *xiezuo.User, limit int) ([]*Message, OutboxCounts, error) {
	var c OutboxCounts
	if err := permit(ledger.CanSeeOutbox(u), "只有协作办管理员可以查看发送记录"); err != nil {
		return nil, c, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+messageCols+` FROM outbox ORDER BY id DESC LIMIT `+fmt.Sprint(limit))
	if err != nil {
		return nil, c, xiezuo.Internal(err)
	}
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, c, xiezuo.Internal(err)
		}
		out = append(out, m)
	}
	rows.Close()
	err = d.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) FROM outbox`).Scan(&c.Pending, &c.Sent, &c.Failed)
	if err != nil {
		return nil, c, xiezuo.Internal(err)
	}
	return out, c, nil
}

// Email is the digest address of user id ("" when none).
func (d *DB) Email(ctx context.Context, id int64) (string, error) {
	var e string
	if err := d.db.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&e); err != nil {
		return "", mapDBError(err)
	}
	return e, nil
}

// SetOwnEmail sets the address u's daily digest goes to ("" for none),
// audited. Callers: any signed-in user, for themselves. Errors: EINVALID.
func (d *DB) SetOwnEmail(ctx context.Context, u *xiezuo.User, email string) error {
	if u == nil {
		return xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "请先登录")
	}
	if err := remind.CheckEmail(email); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, u.ID).Scan(&old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $1 WHERE id = $2`, email, u.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "update", "user_email", u.ID, map[string]string{"email": old}, map[string]string{"email": email})
	})
}

// Webhook is an organisation's reminder webhook.
type Webhook struct {
	OrgID   int64
	OrgName string
	URL     string
}

// OrgWebhook reads organisation orgID's webhook. Callers: who may edit it
// (ledger.CanEditWebhook: the URL carries the robot's key). Errors:
// EFORBIDDEN, ENOTFOUND.
func (d *DB) OrgWebhook(ctx context.Context, u *xiezuo.User, orgID int64) (*Webhook, error) {
	if err := permit(ledger.CanEditWebhook(u, orgID), "只有协作办和本单位账号可以设置本单位的提醒推送"); err != nil {
		return nil, err
	}
	w := &Webhook{OrgID: orgID}
	err := d.db.QueryRowContext(ctx, `SELECT name, webhook_url FROM organisations WHERE id = $1`, orgID).Scan(&w.OrgName, &w.URL)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "单位（编号%d）不存在", orgID)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return w, nil
}

// SetWebhook sets organisation orgID's webhook URL ("" for none; http or
// https only), audited. Callers: ledger.CanEditWebhook. Errors:
// EFORBIDDEN, EINVALID, ENOTFOUND.
func (d *DB) SetWebhook(ctx context.Context, u *xiezuo.User, orgID int64, rawURL string) error {
	old, err := d.OrgWebhook(ctx, u, orgID)
	if err != nil {
		return err
	}
	if err := remind.CheckWebhook(rawURL, d.AllowPrivateWebhooks); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE organisations SET webhook_url = $1 WHERE id = $2`, rawURL, orgID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "update", "org_webhook", orgID, map[string]string{"webhook_url": remind.RedactWebhook(old.URL)}, map[string]string{"webhook_url": remind.RedactWebhook(rawURL)})
	})
}

// Webhooks lists the organisations that have a webhook. Callers: the
// office admin (ledger.CanSeeOutbox). Errors: EFORBIDDEN.
func (d *DB) Webhooks(ctx context.Context, u *xiezuo.User) ([]Webhook, error) {
	if err := permit(ledger.CanSeeOutbox(u), "只有协作办管理员可以查看推送设置"); err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, webhook_url FROM organisations WHERE webhook_url <> '' ORDER BY name`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		if err := rows.Scan(&w.OrgID, &w.OrgName, &w.URL); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// TestWebhook enqueues a test message to organisation orgID's webhook and
// returns at once (the worker sends it). Callers: ledger.CanEditWebhook.
// Errors: EFORBIDDEN, ENOTFOUND, EINVALID (no webhook set).
func (d *DB) TestWebhook(ctx context.Context, u *xiezuo.User, orgID int64) (*Message, error) {
	w, err := d.OrgWebhook(ctx, u, orgID)
	if err != nil {
		return nil, err
	}
	if w.URL == "" {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "尚未设置推送地址")
	}
	dg := remind.Digest{Subject: "【协作平台】测试消息", Markdown: "### 协作平台测试消息\n" + w.OrgName + "的待办提醒将推送到这里。"}
	m := &Message{Channel: "webhook", Target: w.URL, Subject: dg.Subject, Body: string(remind.WebhookBody(dg)), OrgID: orgID}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		if err := d.enqueue(ctx, tx, m); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "test", "org_webhook", orgID, nil, map[string]int64{"outbox_id": m.ID})
	})
	return m, err
}
