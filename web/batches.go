package web

import (
	"context"
	"net/http"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

func (s *Server) batchEditor() *editor[*ledger.Batch] {
	return &editor[*ledger.Batch]{
		kind: ledger.KindBatch, page: "batch_form", base: "/batches",
		header: func(b *ledger.Batch) *ledger.Header { return &b.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Batch {
			return &ledger.Batch{Header: ledger.Header{UnitID: u.OrgID}, CountyCode: u.CountyCode, CountUnit: "人", ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Batch, error) {
			return s.DB.Batch(ctx, u, id)
		},
		values: func(b *ledger.Batch) map[string]string {
			return map[string]string{"unit_id": itoa64(b.UnitID), "date": b.Date, "county_code": b.CountyCode, "kind": b.Kind, "label": b.Label,
				"count": itoa64(b.Count), "count_unit": b.CountUnit, "activity_id": itoa64(b.ActivityID), "note": b.Note}
		},
		read: func(f *formReader, u *xiezuo.User, b *ledger.Batch) {
			b.UnitID = defaultUnit(u, f.id("unit_id"))
			b.Date = f.date("date", "日期")
			b.CountyCode = f.region("county_code", "县", registry.LevelCounty, "")
			b.Kind, b.Label, b.CountUnit, b.Note = f.str("kind"), f.str("label"), f.str("count_unit"), f.str("note")
			b.Count = f.int64("count", "人数")
			b.ActivityID = f.id("activity_id")
		},
		validate: func(b *ledger.Batch) error { return b.Validate(s.DB.Today()) },
		save:     s.DB.SaveBatch,
	}
}

func (s *Server) batchShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.DB.Batch(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "batch_show", ledger.KindBatch, b.Header, map[string]any{"R": b})
}

func (s *Server) batchList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListBatches(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	return s.listPage(w, r, u, "batch_list", "受益批次", map[string]any{"Rows": items})
}
