package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// Buyer units and accounts (消费帮扶, issue 12 item 2: the 832 work): the
// office or 区财政局 imports budget units with their management and
// purchaser accounts, hands out each account's one-time activation code,
// and watches 已开通 / 已激活 on the dashboard; a purchaser activates the
// account at /activate (no sign-in) by choosing a password.

// accountImportBytes is the largest accounts file taken.
const accountImportBytes = 5 << 20

// marketAccountRoutes registers the activation dashboard's routes;
// marketRoutes calls it. /activate is public and sits with the sign-in
// routes (routes.go).
func (s *Server) marketAccountRoutes(mux *router) {
	mux.HandleFunc("GET /market/accounts", s.page(s.accountBoard))
	mux.HandleFunc("GET /market/accounts/template.xlsx", s.page(s.accountTemplate))
	mux.HandleFunc("POST /market/accounts/import", s.page(s.accountImport))
	mux.HandleFunc("POST /market/accounts/codes.xlsx", s.page(s.accountCodes))
	mux.HandleFunc("POST /market/accounts/{id}/code", s.page(s.accountReissue))
}

// accountResult is what the dashboard shows after an import or a new
// code: the batch and its problem rows, or the codes, shown once.
type accountResult struct {
	Batch    *store.ImportBatch
	Problems []store.ImportProblem
	Codes    []imports.IssuedCode
	Error    string
}

func (s *Server) accountBoard(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderAccountBoard(w, r, u, http.StatusOK, nil)
}

// renderAccountBoard shows the dashboard: per unit 管理账号 and 采购人
// opened and activated, the filter by 主管预算单位, one unit's accounts
// (?unit=), the import form and res, if any.
func (s *Server) renderAccountBoard(w http.ResponseWriter, r *http.Request, u *xiezuo.User, status int, res *accountResult) error {
	if !market.CanOpenAccounts(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以管理采购单位账号")
	}
	ctx := r.Context()
	data, err := s.marketData(r, u, "采购单位账号开通", "accounts")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AccountFilter{Pending: q.Get("pending") == "1"}
	f.ParentID, _ = strconv.ParseInt(q.Get("parent"), 10, 64)
	board, err := s.DB.BuyerAccountBoard(ctx, u, f)
	if err != nil {
		return err
	}
	data["Board"], data["Q"], data["Result"] = board, q, res
	data["CodeDays"] = int(store.ActivationCodeLife.Hours() / 24)
	data["Now"] = s.DB.Now().UTC().Format(time.RFC3339)
	data["MaxMB"] = accountImportBytes >> 20
	if id, _ := strconv.ParseInt(q.Get("unit"), 10, 64); id != 0 {
		org, err := s.DB.Org(ctx, id)
		if err != nil {
			return err
		}
		accs, err := s.DB.BuyerAccounts(ctx, u, id)
		if err != nil {
			return err
		}
		data["Unit"], data["Accounts"] = org, accs
	}
	if res != nil && res.Error != "" && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "market_accounts", data)
	return nil
}

// accountTemplate is the import template of buyer units and accounts.
func (s *Server) accountTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanOpenAccounts(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以导入采购单位账号")
	}
	setDownload(w, "xlsx", "采购单位账号导入模板")
	return imports.Template(r.Context(), s.DB, w, imports.BuyerAccountSpec)
}

// accountImport imports an accounts file (all or nothing; dry_run=1
// only checks) and shows the result with the new codes, once.
func (s *Server) accountImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanOpenAccounts(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以导入采购单位账号")
	}
	tmp, name, size, done, err := uploadedFile(r, "请选择要导入的账号文件（.xlsx 或 .csv）")
	if err != nil {
		if formFailed(err) {
			return s.renderAccountBoard(w, r, u, http.StatusOK, &accountResult{Error: xiezuo.ErrorMessage(err)})
		}
		return err
	}
	defer done()
	opt := imports.Options{Mode: "all", DryRun: r.FormValue("dry_run") == "1", MaxBytes: accountImportBytes}
	b, codes, err := imports.BuyerAccounts(r.Context(), s.DB, u, name, tmp, size, opt)
	res := &accountResult{Batch: b, Codes: codes}
	switch {
	case b != nil && errors.Is(err, imports.ErrRefused):
		if res.Problems, err = s.DB.ImportProblems(r.Context(), u, b.ID); err != nil {
			return err
		}
		res.Error = fmt.Sprintf("%d 行有错误，全部未导入。请按下列说明修改后重新上传。", b.Errors)
	case err != nil && xiezuo.ErrorCode(err) == xiezuo.EINVALID:
		res.Error = xiezuo.ErrorMessage(err)
	case err != nil:
		return err
	case b.DryRun:
		s.flash(r, fmt.Sprintf("检查通过：%d 个账号可以开通（已有的 %d 个将跳过）。尚未导入，请取消“仅检查”后再上传一次。", b.Imported, b.Skipped))
	default:
		s.flash(r, fmt.Sprintf("已开通 %d 个账号（已有的 %d 个跳过）。激活码只显示这一次，请立即下载保存并分发给各单位。", b.Imported, b.Skipped))
	}
	status := http.StatusOK
	if len(codes) > 0 {
		status = http.StatusCreated
	}
	return s.renderAccountBoard(w, r, u, status, res)
}

// accountReissue gives an account that is not activated a new code and
// shows it once, with the account's unit.
func (s *Server) accountReissue(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanOpenAccounts(u) { // a unit's management account has its own page (/market/unit)
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以发放激活码")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	code, err := s.DB.IssueActivationCode(r.Context(), u, id)
	if err != nil {
		return err
	}
	acc, err := s.DB.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Set("unit", strconv.FormatInt(acc.OrgID, 10))
	r.URL.RawQuery = q.Encode()
	expires := s.DB.Now().Add(store.ActivationCodeLife).In(xiezuo.China).Format("2006-01-02")
	s.flash(r, "已为“"+acc.DisplayName+"”发放新的激活码，原激活码随即失效。新激活码只显示这一次。")
	return s.renderAccountBoard(w, r, u, http.StatusCreated, &accountResult{Codes: []imports.IssuedCode{{Unit: acc.OrgName, Role: acc.Role,
		DisplayName: acc.DisplayName, Username: acc.Username, Code: code, Expires: expires}}})
}

// accountCodes writes the codes the result page holds (they are kept
// nowhere else) as a workbook to hand to the units.
func (s *Server) accountCodes(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanOpenAccounts(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办或区财政局可以下载激活码")
	}
	_ = r.ParseForm()
	var codes []imports.IssuedCode
	for _, v := range r.PostForm["c"] {
		c, ok := imports.ParseIssuedCode(v)
		if !ok {
			return xiezuo.Errorf(xiezuo.EINVALID, "激活码清单不完整，请回到导入结果页重新下载")
		}
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return xiezuo.Errorf(xiezuo.EINVALID, "没有可下载的激活码：激活码只在导入或重新发放后显示一次")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	now := time.Now()
	setDownload(w, "xlsx", "采购单位账号激活码_"+now.In(xiezuo.China).Format("20060102_1504"))
	w.Header().Set("Cache-Control", "no-store")
	return imports.ActivationCodeWorkbook(w, codes, scheme+"://"+r.Host+"/activate", now)
}

// activatePage is the public form to activate an account with its code.
func (s *Server) activatePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "activate", map[string]any{"Title": "账号激活", "Username": strings.TrimSpace(r.URL.Query().Get("username")),
		"CodeDays": int(store.ActivationCodeLife.Hours() / 24)})
}

// activatePost checks the code (throttled as a sign-in), sets the new
// password, signs the user in and sends them to the market.
func (s *Server) activatePost(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	var err error
	var u *xiezuo.User
	if pw != r.PostFormValue("confirm") {
		err = &xiezuo.Error{Code: xiezuo.EINVALID, Message: "两次输入的新密码不一致", Fields: map[string]string{"confirm": "与新密码不一致"}}
	} else {
		u, err = s.DB.Activate(r.Context(), username, r.PostFormValue("code"), pw, s.clientIP(r))
	}
	if err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.ETOOMANY {
			s.metrics.loginThrottled.Inc()
		}
		s.logErr(r, err)
		s.render(w, r, statusOf(err), "activate", map[string]any{"Title": "账号激活", "Username": username, "Error": xiezuo.ErrorMessage(err),
			"Errors": xiezuo.ErrorFields(err), "CodeDays": int(store.ActivationCodeLife.Hours() / 24)})
		return
	}
	// A new session token on every sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.pageError(w, r, xiezuo.Internal(err))
		return
	}
	s.Sessions.Put(r.Context(), sessionUserID, u.ID)
	s.flash(r, "账号已激活，欢迎使用消费帮扶商城。今后请用用户名和新密码登录。")
	http.Redirect(w, r, "/market", http.StatusSeeOther)
}
