package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// The catalogue's .xlsx import and export, product photos and ratings
// (issue 12, items 1 and 4). Suppliers (their own products), the county
// (its county's suppliers) and the office import a catalogue through the
// import engine and export the catalogue they manage; a product's
// supplier and the office add its photos, which whoever may see the
// product sees; the buyer unit rates an accepted order once.

// catalogueImportBytes bounds an uploaded catalogue file.
const catalogueImportBytes = 16 << 20

// productPhotoUploadBytes bounds one photo upload: five photos of 2 MB.
const productPhotoUploadBytes = market.MaxProductPhotos * market.MaxProductPhotoBytes

func (s *Server) marketCatalogueRoutes(mux *router) {
	mux.HandleFunc("GET /market/products/import", s.page(s.catalogueImportPage))
	mux.HandleFunc("POST /market/products/import", s.page(s.catalogueImport))
	mux.HandleFunc("GET /market/catalogue/batches/{id}/errors.xlsx", s.page(s.catalogueImportErrors))
	mux.HandleFunc("GET /market/products/template.xlsx", s.page(s.catalogueTemplate))
	mux.HandleFunc("GET /market/products/export.xlsx", s.page(s.catalogueExport))
	mux.HandleFunc("POST /market/products/{id}/photos", s.page(s.productPhotoUpload))
	mux.HandleFunc("GET /market/products/{id}/photos/{pid}", s.page(s.productPhotoShow))
	mux.HandleFunc("POST /market/products/{id}/photos/{pid}/delete", s.page(s.productPhotoDelete))
	mux.HandleFunc("POST /market/orders/{id}/rate", s.page(s.orderRate))
	mux.HandleFunc("GET /market/ratings", s.page(s.ratingsPage))
}

// mayImportCatalogue is who sees the import page: the office, suppliers,
// county users.
func mayImportCatalogue(u *xiezuo.User) error {
	if !market.CanImportCatalogue(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商、受援县和协作办可以导入商品目录")
	}
	return nil
}

func (s *Server) catalogueImportPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportCatalogue(u); err != nil {
		return err
	}
	return s.renderCatalogueImport(w, r, u, nil)
}

// renderCatalogueImport shows the import page: the template, the upload
// form, the columns, and the report of ?batch= (a batch of u's).
func (s *Server) renderCatalogueImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User, uploadErr error) error {
	data, err := s.marketData(r, u, "商品目录导入导出", "catalogue")
	if err != nil {
		return err
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("batch"), 10, 64); id > 0 {
		b, problems, err := s.catalogueBatch(r, u, id)
		if err != nil {
			return err
		}
		data["Batch"], data["Problems"] = b, problems
		data["CanUndo"] = b.Status == store.ImportImported && ledger.CanSettleImport(u)
	}
	data["Columns"], data["MaxMB"] = imports.ProductSpec.Columns, catalogueImportBytes>>20
	status := http.StatusOK
	if uploadErr != nil {
		data["Error"], status = xiezuo.ErrorMessage(uploadErr), statusOf(uploadErr)
	}
	s.render(w, r, status, "market_catalogue_import", data)
	return nil
}

// catalogueBatch reads a catalogue import batch u may see with its
// problem rows; another kind of batch is not found here.
func (s *Server) catalogueBatch(r *http.Request, u *xiezuo.User, id int64) (*store.ImportBatch, []store.ImportProblem, error) {
	b, err := s.DB.ImportBatchByID(r.Context(), u, id)
	if err != nil {
		return nil, nil, err
	}
	if b.Kind != store.ProductImportKind {
		return nil, nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不是商品目录", id)
	}
	problems, err := s.DB.ImportProblems(r.Context(), u, id)
	return b, problems, err
}

// catalogueImport imports an uploaded catalogue at once (a catalogue is
// at most 20,000 rows) and shows its report.
func (s *Server) catalogueImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportCatalogue(u); err != nil {
		return err
	}
	tmp, name, size, done, err := uploadedFile(r, "请选择商品目录文件（.xlsx 或 .csv）")
	if err != nil {
		if formFailed(err) {
			return s.renderCatalogueImport(w, r, u, err)
		}
		return err
	}
	defer done()
	opt := imports.Options{Mode: r.FormValue("mode"), DryRun: r.FormValue("dry_run") == "1"}
	b, err := imports.Products(r.Context(), s.DB, u, name, tmp, size, opt)
	if b == nil {
		if formFailed(err) {
			return s.renderCatalogueImport(w, r, u, err)
		}
		return err
	}
	http.Redirect(w, r, "/market/products/import?batch="+itoa64(b.ID), http.StatusSeeOther)
	return nil
}

// catalogueImportErrors is a batch's error book: its problem rows, each
// with what was wrong, to correct and import again.
func (s *Server) catalogueImportErrors(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, problems, err := s.catalogueBatch(r, u, id)
	if err != nil {
		return err
	}
	setDownload(w, "xlsx", fmt.Sprintf("商品目录导入批次%d_待修改", b.ID))
	return imports.ErrorWorkbook(w, b, problems)
}

func (s *Server) catalogueTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportCatalogue(u); err != nil {
		return err
	}
	setDownload(w, "xlsx", "商品目录导入模板")
	return imports.Template(r.Context(), s.DB, w, imports.ProductSpec)
}

// catalogueExport writes the catalogue u manages, with the management
// list's filter, as .xlsx: it imports again as a template.
func (s *Server) catalogueExport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanImportCatalogue(u) && !market.CanSupervise(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商、受援县、协作办和监管单位可以导出商品目录")
	}
	f, err := productFilter(r.URL.Query())
	if err != nil {
		return err
	}
	now := time.Now()
	var words []string
	if f.Query != "" {
		words = append(words, "关键词："+f.Query)
	}
	if f.Category != "" {
		words = append(words, "品类："+market.CategoryLabel(f.Category))
	}
	if f.Status != "" {
		words = append(words, "状态："+f.Status.Label())
	}
	meta := imports.ExportMeta{User: u.DisplayName + "（" + u.Username + "）", At: now,
		Filter: s.filterWords(r.Context(), nil, f.CountyCode, "", "", "", words...)}
	setDownload(w, "xlsx", "商品目录_"+now.In(xiezuo.China).Format("20060102"))
	return imports.ExportProducts(r.Context(), s.DB, u, f, meta, w)
}

// productPhotoUpload adds the files of the form's "photos" input (up to
// five) to a product, all or none.
func (s *Server) productPhotoUpload(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var files []store.PhotoUpload
	// The body limit (uploadLimits) is limitBody's.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if e := tooLarge(r, err); e != nil {
			return e
		}
		// Not a complete multipart upload: no photo (the store says so,
		// after it has checked who is asking).
	} else if r.MultipartForm != nil {
		for _, h := range r.MultipartForm.File["photos"] {
			f, err := h.Open()
			if err != nil {
				return xiezuo.Internal(err)
			}
			data, err := io.ReadAll(f) // at most the body limit
			f.Close()
			if err != nil {
				return xiezuo.Internal(err)
			}
			files = append(files, store.PhotoUpload{Name: h.Filename, Data: data})
		}
	}
	added, err := s.DB.AddProductPhotos(r.Context(), u, id, files)
	if err != nil {
		if !formFailed(err) {
			return err
		}
		s.flash(r, "图片未上传："+xiezuo.ErrorMessage(err))
	} else {
		s.flash(r, fmt.Sprintf("已上传 %d 张图片", len(added)))
	}
	http.Redirect(w, r, "/market/products/"+itoa64(id)+"/edit#photos", http.StatusSeeOther)
	return nil
}

// productPhotoShow serves a product photo to whoever may see the product:
// its ETag is its SHA-256, so a browser revalidates cheaply, and it is
// kept privately for five minutes.
func (s *Server) productPhotoShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	p, err := s.DB.ProductPhotoData(r.Context(), u, id, pid)
	if err != nil {
		return err
	}
	serveStored(w, r, storedFile{ContentType: p.ContentType, SHA256: p.SHA256, Data: p.Data, MaxAge: 300})
	return nil
}

// storedFile is an upload as served back: its type (sniffed on the way
// in), SHA-256, bytes, a file name for a download ("" shows it inline)
// and how many seconds a browser keeps it privately.
type storedFile struct {
	ContentType, SHA256, Name string
	Data                      []byte
	MaxAge                    int
}

// serveStored writes a stored upload — an activity photo, a product photo,
// an order's file — to those the caller let see it: kept privately,
// never sniffed, with its SHA-256 as ETag, answering 304 to a matching
// If-None-Match.
func serveStored(w http.ResponseWriter, r *http.Request, f storedFile) {
	etag := `"` + f.SHA256 + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(f.MaxAge))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if m := r.Header.Get("If-None-Match"); m != "" && (m == etag || strings.Contains(m, etag)) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	if f.Name != "" {
		w.Header().Set("Content-Disposition", contentDisposition(f.Name))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Write(f.Data)
}

func (s *Server) productPhotoDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err := s.DB.DeleteProductPhoto(r.Context(), u, id, pid); err != nil {
		return err
	}
	s.flash(r, "图片已删除")
	http.Redirect(w, r, "/market/products/"+itoa64(id)+"/edit#photos", http.StatusSeeOther)
	return nil
}

// productPhotos adds a product's photos to its page's data ("Photos"),
// and for its form whether they may be changed ("CanPhotos").
func (s *Server) productPhotos(r *http.Request, u *xiezuo.User, p *market.Product, data formData) error {
	if p == nil || p.ID == 0 {
		return nil
	}
	photos, err := s.DB.ProductPhotos(r.Context(), u, p.ID)
	if err != nil {
		return err
	}
	data["Photos"], data["CanPhotos"], data["MaxPhotos"] = photos, market.CanEditPhotos(u, p), market.MaxProductPhotos
	if sum, err := s.DB.ProductRatingSummary(r.Context(), u, p.ID); err == nil {
		data["Rating"] = sum
	} else {
		return err
	}
	return nil
}

// firstPhotos adds the first photo of each listed product ("FirstPhoto",
// product id → photo id) for the shop's cards.
func (s *Server) firstPhotos(r *http.Request, items []market.Product, data formData) error {
	ids := make([]int64, len(items))
	for i, p := range items {
		ids[i] = p.ID
	}
	first, err := s.DB.FirstPhotos(r.Context(), ids)
	data["FirstPhoto"] = first
	return err
}

// supplierRating adds a supplier's rating summary ("Rating") and, for
// those who see them one by one, whether to link to them.
func (s *Server) supplierRating(r *http.Request, u *xiezuo.User, sup *market.Supplier, data formData) error {
	sum, err := s.DB.SupplierRatingSummary(r.Context(), u, sup.ID)
	data["Rating"], data["SeesRatings"] = sum, market.CanSeeRatings(u, sup.ID)
	return err
}

// orderRating adds an order's rating ("Rating") and whether u may rate
// it now ("CanRate").
func (s *Server) orderRating(r *http.Request, u *xiezuo.User, o *market.Order, data formData) error {
	rating, err := s.DB.OrderRating(r.Context(), u, o.ID)
	if err != nil {
		return err
	}
	if rating != nil {
		data["Rating"] = rating
	}
	data["CanRate"] = rating == nil && market.CanRate(u, o) == nil
	data["Aspects"], data["StarChoices"] = market.RatingAspects, []string{"5", "4", "3", "2", "1"}
	return nil
}

// orderRate records the buyer unit's rating of an accepted order.
func (s *Server) orderRate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	stars := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k)))
		return n
	}
	rating := &market.Rating{OrderID: id, Quality: stars("quality"), Delivery: stars("delivery"), Service: stars("service"), Comment: r.PostFormValue("comment")}
	if err := s.DB.RateOrder(r.Context(), u, rating); err != nil {
		if !formFailed(err) {
			return err
		}
		if xiezuo.ErrorCode(err) == xiezuo.EINVALID {
			return s.orderRateForm(w, r, u, id, err)
		}
		s.flash(r, "未评价："+xiezuo.ErrorMessage(err))
	} else {
		s.flash(r, "感谢评价，供应商可以看到本次评价")
	}
	http.Redirect(w, r, "/market/orders/"+itoa64(id)+"#rating", http.StatusSeeOther)
	return nil
}

// orderRateForm shows the order page again with the rating as typed and
// its problems (422).
func (s *Server) orderRateForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, id int64, formErr error) error {
	o, err := s.DB.Order(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "订单 "+o.No, "orders")
	if err != nil {
		return err
	}
	origins := map[string]string{}
	for _, l := range o.Lines {
		origins[l.OriginCode] = s.regionName(r.Context(), l.OriginCode, nil)
	}
	data["O"], data["Origins"], data["Actions"], data["Back"] = o, origins, orderActions(u, o, s.DB.Today()), "/market/orders"
	data["Counts"] = market.Counts(o.Status)
	if err := s.orderRating(r, u, o, data); err != nil {
		return err
	}
	data["RateF"] = map[string]string{"quality": r.PostFormValue("quality"), "delivery": r.PostFormValue("delivery"), "service": r.PostFormValue("service"),
		"comment": r.PostFormValue("comment")}
	data["RateError"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
	s.render(w, r, statusOf(formErr), "market_order", data)
	return nil
}

// ratingsPage lists ratings one by one: a supplier its own, the office
// and 监管 every supplier's (or ?supplier=).
func (s *Server) ratingsPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	supplier, _ := strconv.ParseInt(q.Get("supplier"), 10, 64)
	if u.Role == market.RoleSupplier {
		supplier = u.OrgID
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	items, total, err := s.DB.Ratings(r.Context(), u, supplier, 50, offset)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "评价", "ratings")
	if err != nil {
		return err
	}
	sum, err := s.DB.RatingTotals(r.Context(), u, supplier)
	if err != nil {
		return err
	}
	if supplier != 0 {
		if sup, err := s.DB.Supplier(r.Context(), u, supplier); err == nil {
			data["Supplier"] = sup
		}
	}
	data["Items"], data["Summary"], data["Pager"], data["Q"] = items, sum, newPager(r.URL, offset, 50, total), q
	s.render(w, r, http.StatusOK, "market_ratings", data)
	return nil
}
