package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// rectificationList is the year's 问题整改 items with the office's form.
func (s *Server) rectificationList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.rectificationPage(w, r, u, nil, nil, nil)
}

func (s *Server) rectificationPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, edit *ledger.Rectification, values map[string]string, formErr error) error {
	year, _, _, err := s.scorecardScope(r)
	if err != nil {
		return err
	}
	if edit != nil && edit.Year != 0 {
		year = edit.Year
	}
	items, err := s.DB.Rectifications(r.Context(), year, false)
	if err != nil {
		return err
	}
	data, err := s.choices(r.Context(), u)
	if err != nil {
		return err
	}
	if values == nil && edit != nil {
		values = map[string]string{"title": edit.Title, "source": edit.Source, "measure": edit.Measure, "owner": edit.OwnerName,
			"county_code": edit.CountyCode, "due_on": edit.DueOn, "done_on": edit.DoneOn, "note": edit.Note}
	}
	if values == nil {
		values = map[string]string{}
	}
	data["Title"], data["Items"], data["Year"], data["F"], data["Edit"] = "问题整改", items, year, values, edit
	data["Today"] = s.DB.Today()
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
	}
	status := http.StatusOK
	if formErr != nil {
		status = statusOf(formErr)
	}
	s.render(w, r, status, "rectifications", data)
	return nil
}

func (s *Server) rectificationEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	item, err := s.DB.Rectification(r.Context(), id)
	if err != nil {
		return err
	}
	return s.rectificationPage(w, r, u, item, nil, nil)
}

// rectificationSave creates (POST /rectifications) or updates
// (POST /rectifications/{id}) an item.
func (s *Server) rectificationSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !ledger.CanEditRectifications(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以登记问题整改")
	}
	var item ledger.Rectification
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		old, err := s.DB.Rectification(r.Context(), id)
		if err != nil {
			return err
		}
		item.ID = old.ID
	}
	f := s.readForm(r)
	item.Title, item.Source, item.Measure, item.Note = f.str("title"), f.str("source"), f.str("measure"), f.str("note")
	item.CountyCode = f.str("county_code")
	item.DueOn, item.DoneOn = f.date("due_on", "整改期限"), f.date("done_on", "完成日期")
	if o := f.orgs("owner", "责任单位"); len(o) == 1 {
		item.OwnerID = o[0].ID
	}
	err := f.merge(item.Validate)
	if err == nil {
		err = s.DB.SaveRectification(r.Context(), u, &item)
	}
	if err != nil {
		if formFailed(err) {
			edit := &item
			if item.ID == 0 {
				edit = nil
			}
			return s.rectificationPage(w, r, u, edit, f.Values, err)
		}
		return err
	}
	s.flash(r, "问题整改事项已保存")
	http.Redirect(w, r, "/rectifications?year="+strconv.Itoa(item.Year), http.StatusSeeOther)
	return nil
}
