package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// MaxPhotoBytes bounds one photo (10 MiB), as the schema does.
const MaxPhotoBytes = 10 << 20

// Photo is an activity photo's metadata; Data is filled only by PhotoData.
type Photo struct {
	ID          int64  `json:"id"`
	ActivityID  int64  `json:"activity_id"`
	Caption     string `json:"caption"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	CreatedAt   string `json:"created_at"`
	Data        []byte `json:"-"`
}

// editableActivity loads an activity's header and checks that u may change it.
func (d *DB) editableActivity(ctx context.Context, q queryer, u *xiezuo.User, id int64) error {
	h, err := d.visibleHeader(ctx, q, u, ledger.KindActivity, id)
	if err != nil {
		return err
	}
	if !ledger.CanEdit(u, h) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "活动状态为“%s”或不属于本单位，不能修改照片", h.Status.Label())
	}
	return nil
}

// AddPhoto attaches a JPEG, PNG or WebP photo (the type is read from the
// bytes, not trusted from the upload) to a draft or returned activity.
// Callers: those who may edit the activity. Errors: ENOTFOUND, EFORBIDDEN,
// EINVALID (empty, too large, not an image, caption too long).
func (d *DB) AddPhoto(ctx context.Context, u *xiezuo.User, activityID int64, caption string, data []byte) (*Photo, error) {
	caption = strings.TrimSpace(caption)
	p := xiezuo.Problems{}
	ctype, sum := sniffFile(data)
	switch {
	case len(data) == 0:
		p.Add("photo", "请选择照片文件")
	case len(data) > MaxPhotoBytes:
		p.Add("photo", "照片不能超过10MB")
	case ctype != "image/jpeg" && ctype != "image/png" && ctype != "image/webp":
		p.Add("photo", "只接受 JPEG、PNG 或 WebP 格式的照片")
	}
	if utf8.RuneCountInString(caption) > 200 {
		p.Add("caption", "照片说明不能超过200个字")
	}
	ph := &Photo{ActivityID: activityID, Caption: caption, ContentType: ctype, Size: int64(len(data)), SHA256: sum, CreatedAt: d.now()}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		// Who may not add learns nothing of the upload's rules.
		if err := d.editableActivity(ctx, tx, u, activityID); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO activity_photos (activity_id, caption, content_type, data, size, sha256, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			activityID, ph.Caption, ph.ContentType, data, ph.Size, ph.SHA256, u.ID, ph.CreatedAt).Scan(&ph.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "add_photo", string(ledger.KindActivity), activityID, nil, ph)
	})
	if err != nil {
		return nil, err
	}
	return ph, nil
}

// Photos lists an activity's photos (without their bytes). Callers: anyone
// who may see the activity. Errors: ENOTFOUND.
func (d *DB) Photos(ctx context.Context, u *xiezuo.User, activityID int64) ([]Photo, error) {
	if _, err := d.visibleHeader(ctx, d.db, u, ledger.KindActivity, activityID); err != nil {
		return nil, mapDBError(err)
	}
	return listAll(ctx, d, `SELECT id, activity_id, caption, content_type, size, sha256, created_at FROM activity_photos WHERE activity_id = $1 ORDER BY id`,
		[]any{activityID}, func(s interface{ Scan(...any) error }) (Photo, error) {
			var p Photo
			err := s.Scan(&p.ID, &p.ActivityID, &p.Caption, &p.ContentType, &p.Size, &p.SHA256, &p.CreatedAt)
			return p, err
		})
}

// PhotoData returns one photo with its bytes. Callers: anyone who may see
// its activity. Errors: ENOTFOUND.
func (d *DB) PhotoData(ctx context.Context, u *xiezuo.User, activityID, photoID int64) (*Photo, error) {
	if _, err := d.Photos(ctx, u, activityID); err != nil {
		return nil, err
	}
	var p Photo
	err := d.db.QueryRowContext(ctx, `SELECT id, activity_id, caption, content_type, size, sha256, created_at, data FROM activity_photos WHERE id = $1 AND activity_id = $2`,
		photoID, activityID).Scan(&p.ID, &p.ActivityID, &p.Caption, &p.ContentType, &p.Size, &p.SHA256, &p.CreatedAt, &p.Data)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "照片不存在")
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return &p, nil
}

// DeletePhoto removes a photo of a draft or returned activity. Callers:
// those who may edit the activity. Errors: ENOTFOUND, EFORBIDDEN.
func (d *DB) DeletePhoto(ctx context.Context, u *xiezuo.User, activityID, photoID int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if err := d.editableActivity(ctx, tx, u, activityID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM activity_photos WHERE id = $1 AND activity_id = $2`, photoID, activityID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "照片不存在")
		}
		return d.audit(ctx, tx, u, "delete_photo", string(ledger.KindActivity), activityID, map[string]int64{"photo_id": photoID}, nil)
	})
}
