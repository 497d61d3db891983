package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/word"
)

// bulletinList is the archive (published issues; drafts too for the
// office) with the form that starts a new issue.
func (s *Server) bulletinList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.bulletinListPage(w, r, u, nil, nil)
}

func (s *Server) bulletinListPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	items, err := s.DB.Bulletins(r.Context(), u)
	if err != nil {
		return err
	}
	if values == nil {
		values = map[string]string{"issuer": report.DefaultIssuer}
	}
	return s.registryPage(w, r, "bulletins", formErr, map[string]any{"Title": "简报", "Items": items, "F": values})
}

// bulletinCreate starts a draft issue with the period's approved activities.
func (s *Server) bulletinCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	b := &report.Bulletin{Issuer: f.str("issuer"), Numbers: f.str("numbers"), Title: f.str("title"),
		From: f.date("from", "起始日期"), To: f.date("to", "截止日期")}
	b.Year = int(f.int64("year", "年份"))
	err := f.merge(b.Validate)
	if err == nil {
		err = s.DB.CreateBulletin(r.Context(), u, b)
	}
	if err != nil {
		if formFailed(err) {
			return s.bulletinListPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已生成简报草稿："+strconv.Itoa(len(b.Items))+"条活动按栏目排好，请编辑后印发")
	http.Redirect(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
	return nil
}

// bulletinShow is the editor of a draft (office) or the reading view.
func (s *Server) bulletinShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	b, err := s.loadBulletin(r)
	if err != nil {
		return err
	}
	return s.bulletinEditor(w, r, u, b, nil)
}

// withFigures gives a draft the figures of its period as they are now (a
// published issue keeps those frozen when it was published).
func (s *Server) withFigures(r *http.Request, b *report.Bulletin) error {
	if b.Published() {
		return nil
	}
	sums, err := s.DB.DashboardSums(r.Context(), b.Scope())
	if err != nil {
		return err
	}
	b.Figures = report.BoxFigures(sums)
	return nil
}

// loadBulletin loads the issue of the path, with its figures. Published
// issues are for everyone; drafts for the office.
func (s *Server) loadBulletin(r *http.Request) (*report.Bulletin, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	b, err := s.DB.Bulletin(r.Context(), xiezuo.UserFromContext(r.Context()), id)
	if err != nil {
		return nil, err
	}
	return b, s.withFigures(r, b)
}

func (s *Server) bulletinEditor(w http.ResponseWriter, r *http.Request, u *xiezuo.User, b *report.Bulletin, formErr error) error {
	return s.registryPage(w, r, "bulletin", formErr, map[string]any{"Title": "简报 " + b.IssueLabel(), "B": b,
		"Sections": ledger.Sections, "Editable": ledger.CanEditBulletins(u) && !b.Published()})
}

// bulletinSave stores the editor's version: title block and items (order
// numbers, sections, texts; ticked items dropped; a filled blank item added).
func (s *Server) bulletinSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	b := &report.Bulletin{ID: id, Issuer: f.str("issuer"), Numbers: f.str("numbers"), Title: f.str("title"),
		From: f.date("from", "起始日期"), To: f.date("to", "截止日期"), Status: report.BulletinDraft}
	b.Year = int(f.int64("year", "年份"))
	n, _ := strconv.Atoi(f.str("items"))
	for i := 0; i <= n && i < 1000; i++ { // item n is the blank one for a new item
		k := strconv.Itoa(i)
		it := report.BulletinItem{Section: f.str("section_" + k), Headline: f.str("headline_" + k), DateText: f.str("date_" + k),
			Body: f.str("body_" + k), ActivityID: f.id("activity_" + k)}
		it.Seq, _ = strconv.Atoi(f.str("seq_" + k))
		if f.str("drop_"+k) != "" || (i == n && it.Headline == "" && it.Body == "") {
			continue
		}
		if it.Seq == 0 {
			it.Seq = 10000 + i // a new item without a number goes last in its section
		}
		b.Items = append(b.Items, it)
	}
	err = f.merge(b.Validate)
	if err == nil {
		err = s.DB.SaveBulletin(r.Context(), u, b)
	}
	if err != nil {
		if formFailed(err) {
			if ferr := s.withFigures(r, b); ferr != nil {
				return ferr
			}
			return s.bulletinEditor(w, r, u, b, err)
		}
		return err
	}
	s.flash(r, "简报已保存")
	http.Redirect(w, r, "/bulletins/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// bulletinAction publishes or deletes an issue.
func (s *Server) bulletinAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to := "/bulletins/" + strconv.FormatInt(id, 10)
	switch r.PathValue("action") {
	case "publish":
		err = s.DB.PublishBulletin(r.Context(), u, id)
		if err == nil {
			s.flash(r, "简报已印发：内容和数据已固定，此后记录的修改不再影响本期")
		}
	case "delete":
		err = s.DB.DeleteBulletin(r.Context(), u, id)
		to = "/bulletins"
		if err == nil {
			s.flash(r, "简报草稿已删除")
		}
	default:
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "页面不存在")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// bulletinPrint is the issue laid out for the browser's print (A4), and
// bulletinDocx the Word file. Published issues are public; drafts are for
// the office.
func (s *Server) bulletinPrint(w http.ResponseWriter, r *http.Request) {
	b, err := s.loadBulletin(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := map[string]any{"Title": "简报 " + b.IssueLabel(), "B": b}
	if b.Published() {
		// The audit log's head when the copy is printed: a copy kept on
		// paper lets a later `xiezuo audit verify --checkpoint` find a log
		// cut below it (issue 9, fault 7).
		cp, err := s.DB.AuditCheckpoint(r.Context())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		data["Checkpoint"] = cp
	}
	s.render(w, r, http.StatusOK, "bulletin_print", data)
}

func (s *Server) bulletinDocx(w http.ResponseWriter, r *http.Request) {
	b, err := s.loadBulletin(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := word.Bulletin(&buf, b); err != nil {
		s.pageError(w, r, xiezuo.Internal(err))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(word.Filename(b)))
	w.Write(buf.Bytes())
}
