package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
)

// maxBulletinItems bounds the activities one issue proposes.
const maxBulletinItems = 500

// mayEditBulletins enforces ledger.CanEditBulletins.
func mayEditBulletins(u *xiezuo.User) error {
	return permit(ledger.CanEditBulletins(u), "只有协作办可以编辑简报")
}

// ProposeItems returns the approved activities of a period as bulletin
// items: by section, then date. Two units' reports of one trip (linked as
// the same trip) stay two items, next to each other, as the office's own
// bulletins print them; the editor may drop one. Callers: the office.
// Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) ProposeItems(ctx context.Context, u *xiezuo.User, from, to string) ([]report.BulletinItem, error) {
	if err := mayEditBulletins(u); err != nil {
		return nil, err
	}
	acts, _, err := d.ListActivities(ctx, u, RecordFilter{Status: ledger.StatusApproved, From: from, To: to, Limit: maxBulletinItems})
	if err != nil {
		return nil, err
	}
	slices.Reverse(acts) // oldest first
	items := make([]report.BulletinItem, len(acts))
	for i, a := range acts {
		items[i] = report.ItemFromActivity(a)
	}
	order := func(s string) int { return slices.Index(ledger.Sections, s) }
	slices.SortStableFunc(items, func(x, y report.BulletinItem) int { return order(x.Section) - order(y.Section) })
	for i := range items {
		items[i].Seq = i + 1
	}
	return items, nil
}

// CreateBulletin creates a draft issue for b's period with the proposed
// items. Callers: the office. Errors: EFORBIDDEN, EINVALID, EINTERNAL.
func (d *DB) CreateBulletin(ctx context.Context, u *xiezuo.User, b *report.Bulletin) error {
	if err := mayEditBulletins(u); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	items, err := d.ProposeItems(ctx, u, b.From, b.To)
	if err != nil {
		return err
	}
	b.Items, b.Status, b.CreatedAt = items, report.BulletinDraft, d.now()
	return d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO bulletins (issuer, year, numbers, title, period_from, period_to, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) RETURNING id`, b.Issuer, b.Year, b.Numbers, b.Title, b.From, b.To, u.ID, b.CreatedAt).Scan(&b.ID)
		if err != nil {
			return err
		}
		if err := insertItems(ctx, tx, b); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "create", "bulletin", b.ID, nil, b)
	})
}

func insertItems(ctx context.Context, tx *sql.Tx, b *report.Bulletin) error {
	for _, it := range b.Items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulletin_items (bulletin_id, seq, section, activity_id, headline, date_text, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			b.ID, it.Seq, it.Section, nullID(it.ActivityID), it.Headline, it.DateText, it.Body); err != nil {
			return err
		}
	}
	return nil
}

// Bulletin returns one issue with its items. Published issues are for
// everyone (the public archive); drafts for the office only. Errors:
// ENOTFOUND.
func (d *DB) Bulletin(ctx context.Context, u *xiezuo.User, id int64) (*report.Bulletin, error) {
	b, err := d.getBulletin(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	if !b.Published() && !ledger.CanEditBulletins(u) {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "简报不存在")
	}
	return b, nil
}

const bulletinSelect = `SELECT b.id, b.issuer, b.year, b.numbers, b.title, b.period_from, b.period_to, b.status, b.figures, u.display_name, b.created_at, COALESCE(b.published_at, ''),
	(SELECT COUNT(*) FROM bulletin_items i WHERE i.bulletin_id = b.id)
	FROM bulletins b JOIN users u ON u.id = b.created_by`

func scanBulletin(s interface{ Scan(...any) error }) (*report.Bulletin, error) {
	b := &report.Bulletin{}
	var figures string
	if err := s.Scan(&b.ID, &b.Issuer, &b.Year, &b.Numbers, &b.Title, &b.From, &b.To, &b.Status, &figures, &b.CreatedBy, &b.CreatedAt, &b.PublishedAt, &b.ItemCount); err != nil {
		return nil, err
	}
	if figures != "" {
		if err := json.Unmarshal([]byte(figures), &b.Figures); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (d *DB) getBulletin(ctx context.Context, q queryer, id int64) (*report.Bulletin, error) {
	b, err := scanBulletin(q.QueryRowContext(ctx, bulletinSelect+` WHERE b.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, section, COALESCE(activity_id, 0), headline, date_text, body FROM bulletin_items WHERE bulletin_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it report.BulletinItem
		if err := rows.Scan(&it.Seq, &it.Section, &it.ActivityID, &it.Headline, &it.DateText, &it.Body); err != nil {
			return nil, err
		}
		b.Items = append(b.Items, it)
	}
	return b, rows.Err()
}

// Bulletins lists issues, newest first: all for the office, published
// ones for everyone else. Errors: EINTERNAL.
func (d *DB) Bulletins(ctx context.Context, u *xiezuo.User) ([]*report.Bulletin, error) {
	w := &where{}
	if !ledger.CanEditBulletins(u) {
		w.add("b.status = 'published'")
	}
	rows, err := d.db.QueryContext(ctx, bulletinSelect+w.sql()+` ORDER BY b.year DESC, b.period_to DESC, b.id DESC`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []*report.Bulletin
	for rows.Next() {
		b, err := scanBulletin(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SaveBulletin stores the editor's version of a draft: its title block and
// its items (reordered, edited, dropped, added). The records are not
// touched. Callers: the office. Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT
// (published), EINVALID.
func (d *DB) SaveBulletin(ctx context.Context, u *xiezuo.User, b *report.Bulletin) error {
	if err := mayEditBulletins(u); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := d.getBulletin(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		if old.Published() {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "简报已印发，不能再修改")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bulletins SET issuer = $1, year = $2, numbers = $3, title = $4, period_from = $5, period_to = $6 WHERE id = $7`,
			b.Issuer, b.Year, b.Numbers, b.Title, b.From, b.To, b.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bulletin_items WHERE bulletin_id = $1`, b.ID); err != nil {
			return err
		}
		if err := insertItems(ctx, tx, b); err != nil {
			return err
		}
		b.Status = old.Status
		return d.audit(ctx, tx, u, "update", "bulletin", b.ID, old, b)
	})
}

// PublishBulletin freezes a draft: the figures box of its period is
// computed now and stored with it. Callers: the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (already published), EINVALID (no items).
func (d *DB) PublishBulletin(ctx context.Context, u *xiezuo.User, id int64) error {
	if err := mayEditBulletins(u); err != nil {
		return err
	}
	b, err := d.getBulletin(ctx, d.db, id)
	if err != nil {
		return mapDBError(err)
	}
	sums, err := d.DashboardSums(ctx, b.Scope())
	if err != nil {
		return err
	}
	figures := report.BoxFigures(sums)
	data, _ := json.Marshal(figures)
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := d.getBulletin(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case old.Published():
			return xiezuo.Errorf(xiezuo.ECONFLICT, "简报已印发")
		case len(old.Items) == 0:
			return xiezuo.Errorf(xiezuo.EINVALID, "简报没有任何条目，不能印发")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bulletins SET status = 'published', figures = $1, published_at = $2, published_by = $3 WHERE id = $4`,
			string(data), d.now(), u.ID, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "publish", "bulletin", id, map[string]string{"status": old.Status}, map[string]any{"status": report.BulletinPublished, "figures": figures})
	})
}

// DeleteBulletin removes a draft. Callers: the office. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (published issues are kept).
func (d *DB) DeleteBulletin(ctx context.Context, u *xiezuo.User, id int64) error {
	if err := mayEditBulletins(u); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := d.getBulletin(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Published() {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "已印发的简报不能删除")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bulletins WHERE id = $1`, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "delete", "bulletin", id, old, nil)
	})
}
