package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
)

// OrderFile is a file an order step carries: the invoice or the
// inspection photo of an acceptance (Field is the input it fills,
// invoice_ref or inspection_ref). Data is filled by OrderFileData only
// when read back.
type OrderFile struct {
	ID          int64  `json:"id"`
	Field       string `json:"field"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Data        []byte `json:"-"`
}

// orderFileLabels name the fields a file may fill, in messages.
var orderFileLabels = map[string]string{"invoice_ref": "发票", "inspection_ref": "验收照片"}

// OrderFileRef is how an order refers to one of its files.
func OrderFileRef(id int64) string { return "file:" + strconv.FormatInt(id, 10) }

// addOrderFiles stores the files of an order step in its transaction and
// returns their references by field. A JPEG, PNG, WebP or PDF (the type
// read from the bytes) of at most MaxPhotoBytes; anything else EINVALID
// naming the field.
func (d *DB) addOrderFiles(ctx context.Context, tx *sql.Tx, u *xiezuo.User, orderID int64, files []OrderFile) (map[string]string, error) {
	refs := map[string]string{}
	p := xiezuo.Problems{}
	for i := range files {
		f := &files[i]
		label, ok := orderFileLabels[f.Field]
		if !ok {
			return nil, xiezuo.Errorf(xiezuo.EINVALID, "未知的订单附件")
		}
		f.ContentType, f.SHA256 = sniffFile(f.Data)
		f.Name = strings.TrimSpace(f.Name)
		if utf8.RuneCountInString(f.Name) > 200 {
			f.Name = string([]rune(f.Name)[:200])
		}
		switch {
		case len(f.Data) == 0:
			p.Add(f.Field, "请选择"+label+"文件")
		case len(f.Data) > MaxPhotoBytes:
			p.Add(f.Field, label+"不能超过10MB")
		case f.ContentType != "image/jpeg" && f.ContentType != "image/png" && f.ContentType != "image/webp" && f.ContentType != "application/pdf":
			p.Add(f.Field, label+"只接受 JPEG、PNG、WebP 照片或 PDF 文件")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	for i := range files {
		f := &files[i]
		f.Size = int64(len(f.Data))
		if err := tx.QueryRowContext(ctx, `INSERT INTO order_files (order_id, field, name, content_type, data, size, sha256, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			orderID, f.Field, f.Name, f.ContentType, f.Data, f.Size, f.SHA256, u.ID, d.now()).Scan(&f.ID); err != nil {
			return nil, err
		}
		refs[f.Field] = OrderFileRef(f.ID)
	}
	return refs, nil
}

// OrderFileData reads one file of an order u may see. Errors: ENOTFOUND
// (no such file of this order, or the order is not u's to see),
// EINTERNAL.
func (d *DB) OrderFileData(ctx context.Context, u *xiezuo.User, orderID, fileID int64) (*OrderFile, error) {
	if _, err := d.Order(ctx, u, orderID); err != nil {
		return nil, err
	}
	var f OrderFile
	err := d.db.QueryRowContext(ctx, `SELECT id, field, name, content_type, size, sha256, data FROM order_files WHERE id = $1 AND order_id = $2`, fileID, orderID).
		Scan(&f.ID, &f.Field, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Data)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "附件不存在")
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return &f, nil
}
