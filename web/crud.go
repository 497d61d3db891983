package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// editor is the form flow shared by every ledger record kind: new, create,
// edit, update, with field errors shown beside the fields and the user's
// input kept.
type editor[T any] struct {
	kind   ledger.Kind
	page   string // form template
	base   string // URL of the list, e.g. "/contributions"
	header func(T) *ledger.Header
	// blank returns a new record with defaults (from the query string).
	blank func(r *http.Request, u *xiezuo.User) T
	load  func(ctx context.Context, u *xiezuo.User, id int64) (T, error)
	// values shows a record in the form's fields.
	values func(T) map[string]string
	// read fills a record from the posted form.
	read     func(f *formReader, u *xiezuo.User, rec T)
	validate func(T) error
	save     func(ctx context.Context, u *xiezuo.User, rec T) error
	// For a kind outside the review workflow (a register entry, a team):
	// label names it (else kind.Label()), and may says whether u may
	// create rec (ID 0) or change it — asked before the input is read, as
	// ledger.CheckSave is for the reviewed kinds (nil: ledger's rules).
	label string
	may   func(u *xiezuo.User, rec T) error
	// more adds what this form offers beyond choices (nil: nothing).
	more func(ctx context.Context, u *xiezuo.User, data formData) error
}

// title is the kind's Chinese name.
func (e *editor[T]) title() string {
	if e.label != "" {
		return e.label
	}
	return e.kind.Label()
}

// checkSave says whether u may save rec: e.may, or the review workflow's
// ledger.CheckSave.
func (e *editor[T]) checkSave(u *xiezuo.User, rec T) error {
	if e.may != nil {
		return e.may(u, rec)
	}
	return ledger.CheckSave(u, *e.header(rec))
}

func (e *editor[T]) show(s *Server, w http.ResponseWriter, r *http.Request, u *xiezuo.User, rec T, values map[string]string, err error) error {
	data, cerr := s.choices(r.Context(), u)
	if cerr != nil {
		return cerr
	}
	if e.more != nil {
		if err := e.more(r.Context(), u, data); err != nil {
			return err
		}
	}
	h := e.header(rec)
	title := "新建" + e.title()
	action := e.base
	if q := r.URL.RawQuery; q != "" {
		action += "?" + q // keeps activity_id for "save and add another"
	}
	if h.ID != 0 {
		title = fmt.Sprintf("修改%s（编号%d）", e.title(), h.ID)
		action = fmt.Sprintf("%s/%d", e.base, h.ID)
	}
	data["Title"], data["Action"], data["Record"], data["F"], data["Base"] = title, action, rec, values, e.base
	status := http.StatusOK
	if err != nil {
		data["Error"] = xiezuo.ErrorMessage(err)
		data["Errors"] = xiezuo.ErrorFields(err)
		status = statusOf(err)
	}
	s.render(w, r, status, e.page, data)
	return nil
}

func (e *editor[T]) newPage(s *Server) func(http.ResponseWriter, *http.Request, *xiezuo.User) error {
	return func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		rec := e.blank(r, u)
		if e.may != nil {
			if err := e.may(u, rec); err != nil {
				return err
			}
		} else if !u.CanRecord() {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能填报记录")
		}
		return e.show(s, w, r, u, rec, e.values(rec), nil)
	}
}

func (e *editor[T]) editPage(s *Server) func(http.ResponseWriter, *http.Request, *xiezuo.User) error {
	return func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		rec, err := e.load(r.Context(), u, id)
		if err != nil {
			return err
		}
		if e.may != nil {
			if err := e.may(u, rec); err != nil {
				return err
			}
		} else if h := e.header(rec); !ledger.CanEdit(u, *h) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "该记录状态为“%s”或不属于本单位，不能修改", h.Status.Label())
		}
		return e.show(s, w, r, u, rec, e.values(rec), nil)
	}
}

// submit handles create (no id in the path) and update.
func (e *editor[T]) submit(s *Server) func(http.ResponseWriter, *http.Request, *xiezuo.User) error {
	return func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		var rec T
		if r.PathValue("id") == "" {
			rec = e.blank(r, u)
		} else {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			if rec, err = e.load(r.Context(), u, id); err != nil {
				return err
			}
			if err := e.checkSave(u, rec); err != nil {
				return err
			}
		}
		f := s.readForm(r)
		e.read(f, u, rec)
		if h := e.header(rec); h.ID == 0 {
			if err := e.checkSave(u, rec); err != nil {
				return err
			}
		}
		err := f.merge(func() error { return e.validate(rec) })
		if err == nil {
			err = e.save(r.Context(), u, rec)
		}
		if err != nil {
			if c := xiezuo.ErrorCode(err); c == xiezuo.EINVALID || c == xiezuo.ECONFLICT {
				return e.show(s, w, r, u, rec, f.Values, err)
			}
			return err
		}
		h := e.header(rec)
		if e.may != nil {
			s.flash(r, fmt.Sprintf("%s已保存（编号%d）", e.title(), h.ID))
		} else {
			s.flash(r, fmt.Sprintf("%s已保存（编号%d，状态：%s）", e.kind.Label(), h.ID, statusAfterSave(h).Label()))
		}
		next := fmt.Sprintf("%s/%d", e.base, h.ID)
		if r.PostFormValue("then") == "new" {
			next = e.base + "/new?" + r.URL.RawQuery
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

func statusAfterSave(h *ledger.Header) ledger.Status {
	if h.Status == "" {
		return ledger.StatusDraft
	}
	return h.Status
}

// recordTransition applies submit/approve/return/reopen from a form button.
func (s *Server) recordTransition(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	kind := ledger.Kind(r.PathValue("kind"))
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := ledger.Action(r.PathValue("action"))
	if err := s.DB.Transition(r.Context(), u, kind, id, a, r.PostFormValue("reason")); err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.EINVALID || xiezuo.ErrorCode(err) == xiezuo.ECONFLICT {
			s.flash(r, "操作未完成："+xiezuo.ErrorMessage(err))
			http.Redirect(w, r, backTo(r, kind, id), http.StatusSeeOther)
			return nil
		}
		return err
	}
	s.flash(r, fmt.Sprintf("%s（编号%d）已%s", kind.Label(), id, a.Label()))
	http.Redirect(w, r, backTo(r, kind, id), http.StatusSeeOther)
	return nil
}

func (s *Server) recordDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	kind := ledger.Kind(r.PathValue("kind"))
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteRecord(r.Context(), u, kind, id); err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("%s（编号%d）已删除", kind.Label(), id))
	http.Redirect(w, r, kindBase[kind], http.StatusSeeOther)
	return nil
}

// kindBase is each kind's list URL.
var kindBase = map[ledger.Kind]string{
	ledger.KindActivity: "/activities", ledger.KindContribution: "/contributions", ledger.KindAgreement: "/agreements",
	ledger.KindProject: "/projects", ledger.KindLabour: "/labour", ledger.KindBatch: "/batches",
}

// backTo returns where a review button should lead: the posted "back"
// (same-site path) or the record's page.
func backTo(r *http.Request, kind ledger.Kind, id int64) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return fmt.Sprintf("%s/%d", kindBase[kind], id)
}

// recordPage renders a record's detail page with its audit history.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, page string, kind ledger.Kind, h ledger.Header, data map[string]any) error {
	hist, err := s.DB.AuditHistory(r.Context(), xiezuo.UserFromContext(r.Context()), string(kind), h.ID)
	if err != nil {
		return err
	}
	data["History"], data["Kind"], data["H"] = hist, string(kind), h
	data["Back"] = backLink(r, kind)
	if m, err := s.DB.MatchOf(r.Context(), kind, h.ID); err != nil { // made by a match of a need (plan)
		return err
	} else if m != nil {
		data["FromMatch"] = m
	}
	data["Title"] = fmt.Sprintf("%s（编号%d）", kind.Label(), h.ID)
	s.render(w, r, http.StatusOK, page, data)
	return nil
}
