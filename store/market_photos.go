package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
)

// Product photos (issue 12, item 1): up to market.MaxProductPhotos a
// product, JPEG, PNG or WebP read from the bytes (sniffFile, as activity
// photos and order files are), each at most market.MaxProductPhotoBytes;
// added and removed by whoever may edit the product, seen by whoever may
// see it (market.CanViewProduct).

// ProductPhoto is a product photo's metadata; Data is filled only by
// ProductPhotoData.
type ProductPhoto struct {
	ID          int64  `json:"id"`
	ProductID   int64  `json:"product_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	CreatedAt   string `json:"created_at"`
	Data        []byte `json:"-"`
}

// PhotoUpload is one uploaded file: its name as sent and its bytes.
type PhotoUpload struct {
	Name string
	Data []byte
}

// editableProduct reads a product u may see and checks that u may change
// its photos. Errors: ENOTFOUND (also when u may not see it), EFORBIDDEN.
func editableProduct(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*market.Product, error) {
	p, _, err := visibleProduct(ctx, q, u, id)
	if err != nil {
		return nil, err
	}
	if !market.CanEditPhotos(u, p) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本商品的供应商和协作办可以管理商品图片")
	}
	return p, nil
}

// AddProductPhotos stores files as photos of product id, all or none, in
// one transaction with its audit entry. Every file is checked
// (market.PhotoProblem: empty, over 2 MB, not JPEG/PNG/WebP by its
// bytes), and the product may not have more than market.MaxProductPhotos
// photos afterwards; the problems name the files (field "photos").
// Callers: the product's supplier and the office (market.CanEditPhotos).
// Errors: ENOTFOUND (also when u may not see the product), EFORBIDDEN,
// EINVALID.
func (d *DB) AddProductPhotos(ctx context.Context, u *xiezuo.User, id int64, files []PhotoUpload) ([]ProductPhoto, error) {
	var out []ProductPhoto
	err := d.tx(ctx, func(tx *sql.Tx) error {
		// Who may not add learns nothing of the upload's rules.
		if _, err := editableProduct(ctx, tx, u, id); err != nil {
			return err
		}
		var msgs []string
		if len(files) == 0 {
			msgs = append(msgs, "请选择图片文件（JPEG、PNG 或 WebP，每张不超过2MB）")
		}
		out = make([]ProductPhoto, 0, len(files))
		for _, f := range files {
			name := strings.TrimSpace(f.Name)
			if utf8.RuneCountInString(name) > 100 {
				name = string([]rune(name)[:100])
			}
			ctype, sum := sniffFile(f.Data)
			if m := market.PhotoProblem(name, len(f.Data), ctype); m != "" {
				msgs = append(msgs, m)
				continue
			}
			out = append(out, ProductPhoto{ProductID: id, Name: name, ContentType: ctype, Size: int64(len(f.Data)), SHA256: sum, Data: f.Data})
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM product_photos WHERE product_id = $1`, id).Scan(&have); err != nil {
			return err
		}
		if n := have + len(files); n > market.MaxProductPhotos && len(files) > 0 {
			msgs = append(msgs, fmt.Sprintf("每件商品最多%d张图片：已有%d张，本次又选了%d张", market.MaxProductPhotos, have, len(files)))
		}
		if len(msgs) > 0 {
			msg := strings.Join(msgs, "；")
			return &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"photos": msg}}
		}
		now := d.now()
		for i := range out {
			ph := &out[i]
			ph.CreatedAt = now
			if err := tx.QueryRowContext(ctx, `INSERT INTO product_photos (product_id, name, content_type, data, size, sha256, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				id, ph.Name, ph.ContentType, ph.Data, ph.Size, ph.SHA256, u.ID, now).Scan(&ph.ID); err != nil {
				return err
			}
			ph.Data = nil
		}
		return d.audit(ctx, tx, u, "add_photos", "product", id, nil, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const productPhotoCols = `id, product_id, name, content_type, size, sha256, created_at`

func scanProductPhoto(s interface{ Scan(...any) error }) (ProductPhoto, error) {
	var p ProductPhoto
	err := s.Scan(&p.ID, &p.ProductID, &p.Name, &p.ContentType, &p.Size, &p.SHA256, &p.CreatedAt)
	return p, err
}

// ProductPhotos lists a product's photos (without their bytes), first
// uploaded first. Callers: anyone who may see the product
// (market.CanViewProduct). Errors: ENOTFOUND.
func (d *DB) ProductPhotos(ctx context.Context, u *xiezuo.User, id int64) ([]ProductPhoto, error) {
	if _, _, err := visibleProduct(ctx, d.db, u, id); err != nil {
		return nil, mapDBError(err)
	}
	return listAll(ctx, d, `SELECT `+productPhotoCols+` FROM product_photos WHERE product_id = $1 ORDER BY id`, []any{id}, scanProductPhoto)
}

// ProductPhotoData returns one photo of a product with its bytes.
// Callers: anyone who may see the product. Errors: ENOTFOUND (no such
// photo of this product, or a product u may not see).
func (d *DB) ProductPhotoData(ctx context.Context, u *xiezuo.User, productID, photoID int64) (*ProductPhoto, error) {
	if _, _, err := visibleProduct(ctx, d.db, u, productID); err != nil {
		return nil, mapDBError(err)
	}
	var p ProductPhoto
	err := d.db.QueryRowContext(ctx, `SELECT `+productPhotoCols+`, data FROM product_photos WHERE id = $1 AND product_id = $2`, photoID, productID).
		Scan(&p.ID, &p.ProductID, &p.Name, &p.ContentType, &p.Size, &p.SHA256, &p.CreatedAt, &p.Data)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "图片不存在")
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return &p, nil
}

// DeleteProductPhoto removes a photo of a product. Callers: the product's
// supplier and the office. Errors: ENOTFOUND, EFORBIDDEN.
func (d *DB) DeleteProductPhoto(ctx context.Context, u *xiezuo.User, productID, photoID int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := editableProduct(ctx, tx, u, productID); err != nil {
			return err
		}
		before, err := scanProductPhoto(tx.QueryRowContext(ctx, `SELECT `+productPhotoCols+` FROM product_photos WHERE id = $1 AND product_id = $2`, photoID, productID))
		if err == sql.ErrNoRows {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "图片不存在")
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM product_photos WHERE id = $1`, photoID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "delete_photo", "product", productID, before, nil)
	})
}

// FirstPhotos returns, for each of the products ids that has photos, the
// id of its first: the shop's cards show it. The caller passes products
// u may see (a page of Products). Errors: EINTERNAL.
func (d *DB) FirstPhotos(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i := range n {
			args[i] = ids[i]
		}
		rows, err := d.db.QueryContext(ctx, `SELECT product_id, MIN(id) FROM product_photos WHERE product_id IN (`+placeholders(1, n)+`) GROUP BY product_id`, args...)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		for rows.Next() {
			var p, ph int64
			if err := rows.Scan(&p, &ph); err != nil {
				rows.Close()
				return nil, xiezuo.Internal(err)
			}
			out[p] = ph
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, xiezuo.Internal(err)
		}
		ids = ids[n:]
	}
	return out, nil
}
