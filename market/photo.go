package market

import (
	"github.com/xiezuo/xiezuo"
)

// Product photos and catalogue imports (issue 12, item 1).

// MaxProductPhotos is how many photos a product may have.
const MaxProductPhotos = 5

// MaxProductPhotoBytes bounds one product photo (2 MiB), as the schema does.
const MaxProductPhotoBytes = 2 << 20

// PhotoTypes are the content types a product photo may have, read from
// its bytes (never from its name).
var PhotoTypes = []string{"image/jpeg", "image/png", "image/webp"}

// PhotoProblem is what is wrong with an uploaded photo named name, of size
// bytes and sniffed content type ctype, in Chinese naming the file; "" if
// nothing.
func PhotoProblem(name string, size int, ctype string) string {
	at := ""
	if name != "" {
		at = "“" + name + "”："
	}
	switch {
	case size == 0:
		return at + "文件是空的，请选择图片"
	case size > MaxProductPhotoBytes:
		return at + "图片不能超过2MB"
	}
	for _, t := range PhotoTypes {
		if t == ctype {
			return ""
		}
	}
	return at + "只接受 JPEG、PNG 或 WebP 图片"
}

// CanEditPhotos reports whether u may add or remove p's photos: whoever
// may edit the product (CanEditProduct: its supplier's users, the office).
func CanEditPhotos(u *xiezuo.User, p *Product) bool { return CanEditProduct(u, p) }

// CanImportCatalogue reports whether u may import a catalogue at all: the
// office, a supplier's users (their own products) and a county user
// (its county's suppliers). Each row is asked CanImportProducts.
func CanImportCatalogue(u *xiezuo.User) bool {
	return u != nil && (u.IsOffice() || (u.Role == RoleSupplier && u.OrgID != 0) || (u.Role == xiezuo.RoleCounty && u.CountyCode != ""))
}

// CanImportProducts reports whether u may create and update, by import,
// the products of supplier s: the office, the supplier's own users, or
// the county user of the supplier's county.
func CanImportProducts(u *xiezuo.User, s *Supplier) bool {
	return u != nil && s != nil && (u.IsOffice() || isSupplier(u, s.ID) || isCountyOf(u, s.CountyCode))
}
