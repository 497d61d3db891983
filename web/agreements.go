package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

func (s *Server) agreementEditor() *editor[*ledger.Agreement] {
	return &editor[*ledger.Agreement]{
		kind: ledger.KindAgreement, page: "agreement_form", base: "/agreements",
		header: func(a *ledger.Agreement) *ledger.Header { return &a.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Agreement {
			return &ledger.Agreement{Header: ledger.Header{UnitID: u.OrgID}, ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Agreement, error) {
			return s.DB.Agreement(ctx, u, id)
		},
		values: func(a *ledger.Agreement) map[string]string {
			ids := make([]string, len(a.PairingIDs))
			for i, id := range a.PairingIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			return map[string]string{"unit_id": itoa64(a.UnitID), "title": a.Title, "signed_on": a.SignedOn, "pledged": fenInput(a.PledgedFen),
				"pairing_ids": strings.Join(ids, "\n"), "activity_id": itoa64(a.ActivityID), "note": a.Note}
		},
		read: func(f *formReader, u *xiezuo.User, a *ledger.Agreement) {
			a.UnitID = defaultUnit(u, f.id("unit_id"))
			a.Title, a.Note = f.str("title"), f.str("note")
			a.SignedOn = f.date("signed_on", "签订日期")
			a.Year = 0
			a.PledgedFen = f.yuan("pledged", "协议金额")
			a.PairingIDs = nil
			for _, v := range f.r.PostForm["pairing_ids"] {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					a.PairingIDs = append(a.PairingIDs, id)
				}
			}
			a.ActivityID = f.id("activity_id")
		},
		validate: func(a *ledger.Agreement) error { return a.Validate(s.DB.Today()) },
		save:     s.DB.SaveAgreement,
	}
}

// pairingScope limits a unit user's pairing choices to its own unit's.
func pairingScope(u *xiezuo.User) int64 {
	if ledger.CanRecordForAnyUnit(u) {
		return 0
	}
	return u.OrgID
}

func (s *Server) agreementShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.DB.Agreement(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "agreement_show", ledger.KindAgreement, a.Header, map[string]any{"R": a})
}

func (s *Server) agreementList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListAgreements(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var total int64
	for _, a := range items {
		total += a.PledgedFen
	}
	return s.listPage(w, r, u, "agreement_list", "协议", map[string]any{"Rows": items, "Pledged": total})
}
