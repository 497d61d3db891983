package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/remind"
)

// DigestOptions says how to run the daily digest.
type DigestOptions struct {
	Day    string // YYYY-MM-DD (China); the items are computed as of it
	Base   string // the site's address for the links
	Email  bool   // SMTP is configured: enqueue e-mails to users with an address
	DryRun bool   // compute and return the digests, enqueue nothing
}

// DigestOut is one digest of a run.
type DigestOut struct {
	Recipient string // user:ID or org:ID
	Name      string
	Channel   string // email | webhook
	Target    string
	Digest    remind.Digest
	Skipped   bool // already enqueued that day
}

// RunDigest builds the day's digest for every user with an e-mail
// address (when opts.Email) and every organisation with a webhook, each
// with something waiting, and enqueues it once per recipient per day
// (digests_sent): a second run or a restart the same day enqueues
// nothing again. An organisation's webhook gets what waits for the
// organisation: the office's items for the office, a county's for a
// county office (one of its county accounts), else the unit's. Callers:
// the system (xiezuo digest, the daily run of serve). Errors: EINVALID,
// EINTERNAL.
func (d *DB) RunDigest(ctx context.Context, opts DigestOptions) ([]DigestOut, error) {
	if !xiezuo.ValidDate(opts.Day) {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "日期应为 YYYY-MM-DD")
	}
	type recipient struct {
		key, name, channel, target string
		u                          *xiezuo.User
	}
	var all []recipient
	if opts.Email {
		rows, err := d.db.QueryContext(ctx, `SELECT `+userCols+`, u.email`+userFrom+`
			WHERE u.email <> '' AND u.disabled = 0 AND u.role IN ('admin', 'reviewer', 'unit', 'county') ORDER BY u.id`)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		for rows.Next() {
			var email string
			u, err := scanUser(rows, &email)
			if err != nil {
				rows.Close()
				return nil, xiezuo.Internal(err)
			}
			name := u.DisplayName
			if name == "" {
				name = u.Username
			}
			if u.OrgName != "" {
				name = u.OrgName + " " + name
			}
			all = append(all, recipient{"user:" + strconv.FormatInt(u.ID, 10), name, "email", email, u})
		}
		rows.Close()
	}
	// Each organisation with a webhook, as its most senior active account
	// sees it (office, then county, then unit; a unit without accounts as
	// a unit).
	rows, err := d.db.QueryContext(ctx, `SELECT o.id, o.name, o.webhook_url,
		COALESCE((SELECT u.role FROM users u WHERE u.org_id = o.id AND u.disabled = 0 AND u.role IN ('admin', 'reviewer', 'county', 'unit')
			ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'reviewer' THEN 1 WHEN 'county' THEN 2 ELSE 3 END, u.id LIMIT 1), 'unit'),
		COALESCE((SELECT u.county_code FROM users u WHERE u.org_id = o.id AND u.disabled = 0 AND u.role = 'county' ORDER BY u.id LIMIT 1), '')
		FROM organisations o WHERE o.webhook_url <> '' ORDER BY o.id`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	for rows.Next() {
		u := &xiezuo.User{}
		var hook, role string
		if err := rows.Scan(&u.OrgID, &u.OrgName, &hook, &role, &u.CountyCode); err != nil {
			rows.Close()
			return nil, xiezuo.Internal(err)
		}
		u.Role = xiezuo.Role(role)
		all = append(all, recipient{"org:" + strconv.FormatInt(u.OrgID, 10), u.OrgName, "webhook", hook, u})
	}
	rows.Close()

	var out []DigestOut
	for _, r := range all {
		s, err := d.RemindersOn(ctx, r.u, opts.Day)
		if err != nil {
			return nil, err
		}
		if s.Empty() {
			continue
		}
		o := DigestOut{Recipient: r.key, Name: r.name, Channel: r.channel, Target: r.target, Digest: remind.MakeDigest(r.name, opts.Day, s.Items, opts.Base)}
		if !opts.DryRun {
			m := &Message{Channel: r.channel, Target: r.target, Subject: o.Digest.Subject, Body: o.Digest.Text, BodyHTML: o.Digest.HTML}
			if r.channel == "webhook" {
				m.Body, m.BodyHTML, m.OrgID = string(remind.WebhookBody(o.Digest)), "", r.u.OrgID
			} else {
				m.UserID = r.u.ID
			}
			err := d.tx(ctx, func(tx *sql.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM digests_sent WHERE day = $1 AND recipient = $2`, opts.Day, r.key).Scan(&n); err != nil || n > 0 {
					o.Skipped = n > 0
					return err
				}
				if err := d.enqueue(ctx, tx, m); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO digests_sent (day, recipient, outbox_id, created_at) VALUES ($1, $2, $3, $4)`, opts.Day, r.key, m.ID, d.now())
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}
