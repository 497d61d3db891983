package web

import (
	"context"
	"net/http"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

func (s *Server) labourEditor() *editor[*ledger.LabourRecord] {
	return &editor[*ledger.LabourRecord]{
		kind: ledger.KindLabour, page: "labour_form", base: "/labour",
		header: func(l *ledger.LabourRecord) *ledger.Header { return &l.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.LabourRecord {
			return &ledger.LabourRecord{Header: ledger.Header{UnitID: u.OrgID}, CountyCode: u.CountyCode, ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.LabourRecord, error) {
			return s.DB.Labour(ctx, u, id)
		},
		values: func(l *ledger.LabourRecord) map[string]string {
			return map[string]string{"unit_id": itoa64(l.UnitID), "date_from": l.DateFrom, "date_to": l.DateTo, "county_code": l.CountyCode,
				"kind": l.Kind, "trained": itoa64(l.Trained), "placed": itoa64(l.Placed), "poor_count": itoa64(l.PoorCount),
				"destination": l.Destination, "activity_id": itoa64(l.ActivityID), "note": l.Note}
		},
		read: func(f *formReader, u *xiezuo.User, l *ledger.LabourRecord) {
			l.UnitID = defaultUnit(u, f.id("unit_id"))
			l.DateFrom, l.DateTo = f.date("date_from", "开始日期"), f.date("date_to", "截止日期")
			l.CountyCode = f.region("county_code", "县", registry.LevelCounty, "")
			l.Kind, l.Destination, l.Note = f.str("kind"), f.str("destination"), f.str("note")
			l.Trained, l.Placed, l.PoorCount = f.int64("trained", "培训人数"), f.int64("placed", "就业人数"), f.int64("poor_count", "建档立卡人数")
			l.ActivityID = f.id("activity_id")
		},
		validate: func(l *ledger.LabourRecord) error { return l.Validate(s.DB.Today()) },
		save:     s.DB.SaveLabour,
	}
}

func (s *Server) labourShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.DB.Labour(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "labour_show", ledger.KindLabour, l.Header, map[string]any{"R": l})
}

func (s *Server) labourList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListLabour(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var trained, placed, poor int64
	for _, l := range items {
		trained, placed, poor = trained+l.Trained, placed+l.Placed, poor+l.PoorCount
	}
	return s.listPage(w, r, u, "labour_list", "劳务协作", map[string]any{"Rows": items, "Trained": trained, "Placed": placed, "Poor": poor,
		// The empty list says the bulletin has no labour figures only when
		// that is what it shows: all records, of the demo (2020年第9、10期).
		"Filtered": filtered(r), "Demo": s.Demo})
}
