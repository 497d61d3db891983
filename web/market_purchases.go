package web

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// Purchases made outside the shop (issue 12): an 扶贫832平台 order export,
// imported per unit and month by the office, 监管 or a unit's management
// account; the same export again counts nothing twice.

func (s *Server) marketPurchaseRoutes(mux *router) {
	mux.HandleFunc("GET /market/purchases", s.page(s.purchasesPage))
	mux.HandleFunc("POST /market/purchases", s.page(s.purchasesImport))
	mux.HandleFunc("GET /market/purchases/template.xlsx", s.page(s.purchasesTemplate))
}

// mayImportPurchases is who sees the page: the office, 监管, management accounts.
func mayImportPurchases(u *xiezuo.User) error {
	if !ledger.CanImport(u, imports.Purchase832Spec.Kind, 0) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管单位和采购单位的管理账号可以导入832平台订单")
	}
	return nil
}

func (s *Server) purchasesPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	return s.renderPurchases(w, r, u, nil)
}

func (s *Server) renderPurchases(w http.ResponseWriter, r *http.Request, u *xiezuo.User, formErr error) error {
	data, err := s.marketData(r, u, "商城外采购", "purchases")
	if err != nil {
		return err
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("batch"), 10, 64); id > 0 {
		b, err := s.DB.ImportBatchByID(r.Context(), u, id)
		if err != nil {
			return err
		}
		if ledger.Kind(b.Kind) != imports.Purchase832Spec.Kind {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不是832平台订单", id)
		}
		problems, err := s.DB.ImportProblems(r.Context(), u, id)
		if err != nil {
			return err
		}
		data["Batch"], data["Problems"] = b, problems
	}
	recent, total, err := s.DB.Orders(r.Context(), u, store.OrderFilter{Channel: "p832", Limit: 20})
	if err != nil {
		return err
	}
	data["Recent"], data["RecentTotal"], data["Columns"] = recent, total, imports.Purchase832Spec.Columns
	status := http.StatusOK
	if formErr != nil {
		data["Error"], status = xiezuo.ErrorMessage(formErr), statusOf(formErr)
	}
	s.render(w, r, status, "market_purchases", data)
	return nil
}

// purchasesImport imports an uploaded 832 export at once (an export of a
// unit's month is a few hundred rows) and shows its report.
func (s *Server) purchasesImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	// The body limit (uploadLimits) is limitBody's.
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if e := tooLarge(r, err); e != nil {
			return e
		}
		return s.renderPurchases(w, r, u, xiezuo.Errorf(xiezuo.EINVALID, "上传失败：上传不完整，请重新选择文件"))
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderPurchases(w, r, u, xiezuo.Errorf(xiezuo.EINVALID, "请选择832平台导出的订单文件（.xlsx 或 .csv）"))
	}
	defer file.Close()
	tmp, err := os.CreateTemp("", "xiezuo-832-*"+filepath.Ext(hdr.Filename))
	if err != nil {
		return xiezuo.Internal(err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	size, err := io.Copy(tmp, file)
	if err != nil {
		return xiezuo.Internal(err)
	}
	opt := imports.Options{Mode: r.FormValue("mode"), DryRun: r.FormValue("dry_run") == "1"}
	b, err := imports.Purchases832(r.Context(), s.DB, u, hdr.Filename, tmp, size, opt)
	if b == nil {
		if formFailed(err) {
			return s.renderPurchases(w, r, u, err)
		}
		return err
	}
	http.Redirect(w, r, "/market/purchases?batch="+itoa64(b.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) purchasesTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition("832平台订单导入模板.xlsx"))
	return imports.Template(r.Context(), s.DB, w, imports.Purchase832Spec)
}
