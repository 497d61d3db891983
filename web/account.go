package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/remind"
	"github.com/xiezuo/xiezuo/store"
)

// Account care: every user's own page (password, API tokens) and the
// office admin's page for one user (one-time code, disable, tokens).

// mustChangeAllowed are the routes a user signed in with a one-time code
// may use before choosing a new password.
var mustChangeAllowed = map[string]bool{"GET /account": true, "POST /account/password": true, "POST /logout": true}

// accountPage shows the signed-in user's account.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderAccount(w, r, u, http.StatusOK, nil, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, u *xiezuo.User, status int, formErr error, newToken string) error {
	toks, err := s.DB.Tokens(r.Context(), u, u.ID)
	if err != nil {
		return err
	}
	email, err := s.DB.Email(r.Context(), u.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": "我的账号", "Tokens": toks, "Now": time.Now().UTC().Format(time.RFC3339),
		"Next": safeNext(r.FormValue("next")), "NewToken": newToken, "Email": email,
		"Reminded": remind.Reminded(u.Role), "Webhook": ledger.CanEditWebhook(u, u.OrgID) && !u.IsOffice()}
	if v := r.PostFormValue("email"); formErr != nil && r.URL.Path == "/account/email" {
		data["Email"] = v
	}
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
		status = statusOf(formErr)
	}
	// Each form's error shows above that form (r.URL.Path is the form's
	// action); e-mail without an SMTP server is said before it is saved.
	data["Failed"], data["NoSMTP"] = r.URL.Path, s.Delivery.SMTPHost == ""
	s.render(w, r, status, "account", data)
	return nil
}

// accountPassword changes the user's own password.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	next := f.r.PostFormValue("password")
	err := error(nil)
	if next != f.r.PostFormValue("confirm") {
		err = &xiezuo.Error{Code: xiezuo.EINVALID, Message: "两次输入的新密码不一致", Fields: map[string]string{"confirm": "与新密码不一致"}}
	} else {
		err = s.DB.ChangePassword(r.Context(), u, f.r.PostFormValue("current"), next)
	}
	if err != nil {
		if formFailed(err) {
			return s.renderAccount(w, r, u, http.StatusOK, err, "")
		}
		return err
	}
	// A new session token after a password change.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return xiezuo.Internal(err)
	}
	s.flash(r, "密码已修改")
	to := "/account"
	if u.MustChange {
		to = safeNext(f.str("next"))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// accountTokenCreate makes an API token for the user and shows it once.
func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	days := f.int64("days", "有效天数")
	if err := f.p.Err(); err != nil {
		return s.renderAccount(w, r, u, http.StatusOK, err, "")
	}
	if days <= 0 {
		days = int64(store.TokenLife / (24 * time.Hour))
	}
	tok, err := s.DB.CreateToken(r.Context(), u, u.ID, f.str("label"), time.Duration(days)*24*time.Hour)
	if err != nil {
		if formFailed(err) {
			return s.renderAccount(w, r, u, http.StatusOK, err, "")
		}
		return err
	}
	return s.renderAccount(w, r, u, http.StatusCreated, nil, tok)
}

// tokenRevoke revokes one token: the owner's own, or any for the office
// admin; back says where to return.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.DB.RevokeToken(r.Context(), u, id); err != nil {
		return err
	}
	s.flash(r, "已吊销令牌 "+strconv.FormatInt(id, 10))
	http.Redirect(w, r, safeNext(r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

// userShow is the office admin's page for one user.
func (s *Server) userShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderUser(w, r, u, "")
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, u *xiezuo.User, code string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	toks, err := s.DB.Tokens(r.Context(), u, id)
	if err != nil {
		return err
	}
	who, err := s.DB.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user_show", map[string]any{"Title": "用户：" + who.Username, "Tab": "users", "U": who, "Tokens": toks,
		"Now": time.Now().UTC().Format(time.RFC3339), "Code": code, "CodeHours": int(store.ResetCodeLife.Hours())})
	return nil
}

// userAction resets a user's password to a one-time code (shown once), or
// disables or enables the account.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	switch r.PathValue("action") {
	case "reset":
		code, err := s.DB.ResetPassword(r.Context(), u, id)
		if err != nil {
			return err
		}
		return s.renderUser(w, r, u, code)
	case "disable", "enable":
		disable := r.PathValue("action") == "disable"
		if err := s.DB.SetDisabled(r.Context(), u, id, disable); err != nil {
			return err
		}
		s.flash(r, map[bool]string{true: "账号已停用：该用户不能再登录，已登录的会话和 API 令牌随即失效", false: "账号已启用"}[disable])
	default:
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
	}
	http.Redirect(w, r, "/registry/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
