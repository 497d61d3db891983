package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

func (s *Server) activityEditor() *editor[*ledger.Activity] {
	return &editor[*ledger.Activity]{
		kind: ledger.KindActivity, page: "activity_form", base: "/activities",
		header: func(a *ledger.Activity) *ledger.Header { return &a.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Activity {
			return &ledger.Activity{Header: ledger.Header{UnitID: u.OrgID}, Section: "扶贫协作", Kind: "考察调研", CountyCode: u.CountyCode}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Activity, error) {
			return s.DB.Activity(ctx, u, id)
		},
		values: func(a *ledger.Activity) map[string]string {
			names := make([]string, len(a.Participants))
			for i, p := range a.Participants {
				names[i] = p.Name
			}
			return map[string]string{
				"unit_id": itoa64(a.UnitID), "kind": a.Kind, "title": a.Title, "date_from": a.DateFrom, "date_to": a.DateTo,
				"section": a.Section, "county_code": a.CountyCode, "places": a.Places, "leader": a.Leader,
				"participants": strings.Join(names, "\n"), "participants_text": a.ParticipantsText,
				"headcount": itoa64(a.Headcount), "narrative": a.Narrative, "same_as_id": itoa64(a.SameAsID),
			}
		},
		read: func(f *formReader, u *xiezuo.User, a *ledger.Activity) {
			a.UnitID = defaultUnit(u, f.id("unit_id"))
			a.Kind, a.Title, a.Section = f.str("kind"), f.str("title"), f.str("section")
			a.DateFrom, a.DateTo = f.date("date_from", "开始日期"), f.date("date_to", "截止日期")
			a.CountyCode = f.region("county_code", "所到县", registry.LevelCounty, "")
			a.Places, a.Leader = f.str("places"), f.str("leader")
			a.Participants = f.orgs("participants", "参加单位")
			a.ParticipantsText = f.str("participants_text")
			a.Headcount = f.int64("headcount", "人数")
			a.Narrative = f.str("narrative")
			a.SameAsID = f.id("same_as_id")
		},
		validate: func(a *ledger.Activity) error { return a.Validate(s.DB.Today()) },
		save:     s.DB.SaveActivity,
	}
}

func (s *Server) activityShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := s.DB.Activity(ctx, u, id)
	if err != nil {
		return err
	}
	cs, tot, err := s.DB.ListContributions(ctx, u, ledger.ContributionFilter{ActivityID: id, Limit: 500})
	if err != nil {
		return err
	}
	f := store.RecordFilter{ActivityID: id, Limit: 500}
	agreements, err := s.DB.ListAgreements(ctx, u, f)
	if err != nil {
		return err
	}
	bs, err := s.DB.ListBatches(ctx, u, f)
	if err != nil {
		return err
	}
	same, err := s.DB.SameTrip(ctx, u, a)
	if err != nil {
		return err
	}
	var sameAs *ledger.Activity
	if a.SameAsID != 0 {
		sameAs, _ = s.DB.Activity(ctx, u, a.SameAsID)
	}
	photos, err := s.DB.Photos(ctx, u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "activity_show", ledger.KindActivity, a.Header, map[string]any{
		"A": a, "Photos": photos, "Contributions": cs, "Totals": tot, "FormTotals": formTotals(tot), "Agreements": agreements, "Batches": bs,
		"SameTrip": same, "SameAs": sameAs,
	})
}

func (s *Server) activityList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f := recordFilterOf(q)
	f.Limit = 50
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Kinds, f.OneTrip = q["kind"], q.Get("trip") == "1"
	items, n, err := s.DB.ListActivities(r.Context(), u, f)
	if err != nil {
		return err
	}
	data, err := s.filterChoices(r.Context(), false)
	if err != nil {
		return err
	}
	data["Title"], data["Items"], data["Q"] = "活动", items, q
	data["Pager"] = newPager(r.URL, f.Offset, f.Limit, int(n))
	s.render(w, r, http.StatusOK, "activity_list", data)
	return nil
}

func (s *Server) photoUpload(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var data []byte
	// The body limit (uploadLimits) is limitBody's.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if e := tooLarge(r, err); e != nil {
			return e
		}
		// Not a complete multipart upload: no photo (AddPhoto says so,
		// after it has checked who is asking).
	} else if f, _, err := r.FormFile("photo"); err == nil {
		data, _ = io.ReadAll(f)
		f.Close()
	}
	if _, err := s.DB.AddPhoto(r.Context(), u, id, r.FormValue("caption"), data); err != nil {
		if !formFailed(err) {
			return err
		}
		s.flash(r, "照片未上传："+xiezuo.ErrorMessage(err))
	} else {
		s.flash(r, "照片已上传")
	}
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(id, 10)+"#photos", http.StatusSeeOther)
	return nil
}

func (s *Server) photoShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	p, err := s.DB.PhotoData(r.Context(), u, id, pid)
	if err != nil {
		return err
	}
	serveStored(w, r, storedFile{ContentType: p.ContentType, SHA256: p.SHA256, Data: p.Data, MaxAge: 86400})
	return nil
}

func (s *Server) photoDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err := s.DB.DeletePhoto(r.Context(), u, id, pid); err != nil {
		return err
	}
	s.flash(r, "照片已删除")
	http.Redirect(w, r, "/activities/"+strconv.FormatInt(id, 10)+"#photos", http.StatusSeeOther)
	return nil
}
