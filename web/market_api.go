package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// The market's JSON API (openapi.yaml): the catalogue, checkout with an
// Idempotency-Key (a retried request makes no second order), and orders
// with their steps. The same store services and rules as the pages.

func (s *Server) marketAPIRoutes(mux *router) {
	mux.HandleFunc("GET /api/v1/market/products", s.api(s.apiProducts))
	mux.HandleFunc("POST /api/v1/market/checkout", s.api(s.apiCheckout))
	mux.HandleFunc("GET /api/v1/market/orders", s.api(s.apiOrders))
	mux.HandleFunc("GET /api/v1/market/orders/{id}", s.api(s.apiOrder))
	mux.HandleFunc("POST /api/v1/market/orders/{id}/{action}", s.api(s.apiOrderAction))
}

// apiProducts is the shop's catalogue: what is sellable today, as /market.
func (s *Server) apiProducts(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f, err := productFilter(q)
	if err != nil {
		return err
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.SellableOn, f.Status = s.DB.Today(), ""
	items, total, err := s.DB.Products(r.Context(), u, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []market.Product{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
	return nil
}

// apiCheckout is POST /api/v1/market/checkout {"lines":[{"product_id":1,"qty":20}]}
// with an Idempotency-Key header: 201 and the orders, one per supplier; a
// retry with the same key returns the same orders and takes no stock.
func (s *Server) apiCheckout(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanCheckout(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位的采购人可以下单")
	}
	var body struct {
		Lines []struct {
			ProductID int64 `json:"product_id"`
			Qty       int64 `json:"qty"`
		} `json:"lines"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return xiezuo.Errorf(xiezuo.EINVALID, "请在请求头 Idempotency-Key 中给出本次下单的唯一键，重试时用同一个键，不会重复下单")
	}
	lines := make([]market.CartLine, len(body.Lines))
	for i, l := range body.Lines {
		lines[i] = market.CartLine{Product: &market.Product{ID: l.ProductID}, Qty: l.Qty}
	}
	orders, err := s.DB.Checkout(r.Context(), u, lines, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"orders": orders})
	return nil
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f := store.OrderFilter{Status: market.OrderStatus(q.Get("status")), Channel: q.Get("channel"), From: q.Get("from"), To: q.Get("to")}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	items, total, err := s.DB.Orders(r.Context(), u, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []market.Order{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
	return nil
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.DB.Order(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// apiOrderAction applies a step to an order; the body carries its inputs
// (carrier, tracking_no, invoice_ref, inspection_ref, payment_ref,
// paid_on, reason) and may be empty.
func (s *Server) apiOrderAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := market.OrderAction(r.PathValue("action"))
	if !slices.Contains(orderSteps, a) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
	}
	var body struct {
		Carrier       string `json:"carrier"`
		TrackingNo    string `json:"tracking_no"`
		InvoiceRef    string `json:"invoice_ref"`
		InspectionRef string `json:"inspection_ref"`
		PaymentRef    string `json:"payment_ref"`
		PaidOn        string `json:"paid_on"`
		Reason        string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &body); err != nil {
			return err
		}
	}
	in := market.OrderInput{Carrier: body.Carrier, TrackingNo: body.TrackingNo, InvoiceRef: body.InvoiceRef, InspectionRef: body.InspectionRef,
		PaymentRef: body.PaymentRef, PaidOn: body.PaidOn, Reason: body.Reason, Today: s.DB.Today()}
	if err := s.DB.OrderTransition(r.Context(), u, id, a, in); err != nil {
		return err
	}
	o, err := s.DB.Order(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
