package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Reminders (issue 13 item 5): the home page's 待办 block (home), the
// office admin's outbox page, a unit's webhook and one's own digest
// address (account page). Delivery itself is package notify's, started by
// `xiezuo serve`; requests here only enqueue.

// DeliveryInfo is how reminders are delivered, as the office admin's
// outbox page shows it: never the SMTP password, only whether one is set.
type DeliveryInfo struct {
	SMTPHost    string
	SMTPPort    int
	SMTPUser    string
	SMTPFrom    string
	PasswordSet bool
	DigestHour  int // China time; -1: no daily run in this process
	Base        string
}

// outboxPage lists the outbox (status, attempts, last error), the
// delivery settings and the units' webhooks: the office admin.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	msgs, counts, err := s.DB.Outbox(r.Context(), u, 200)
	if err != nil {
		return err
	}
	hooks, err := s.DB.Webhooks(r.Context(), u)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "outbox", map[string]any{"Title": "提醒与发送记录", "Msgs": msgs, "Counts": counts, "Hooks": hooks, "D": s.Delivery, "Tab": "outbox"})
	return nil
}

func orgIDOf(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("org"), 10, 64)
	return id
}

// webhookPage shows an organisation's webhook form: the office and the
// unit's own accounts.
func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderWebhook(w, r, u, nil, "")
}

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, u *xiezuo.User, formErr error, typed string) error {
	hook, err := s.DB.OrgWebhook(r.Context(), u, orgIDOf(r))
	if err != nil {
		return err
	}
	data := map[string]any{"Title": "提醒推送：" + hook.OrgName, "W": hook, "Value": hook.URL, "Outbox": ledger.CanSeeOutbox(u)}
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"], data["Value"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr), typed
		status = statusOf(formErr)
	}
	s.render(w, r, status, "webhook", data)
	return nil
}

// webhookSave sets an organisation's webhook URL.
func (s *Server) webhookSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	typed := f.str("webhook_url")
	if err := s.DB.SetWebhook(r.Context(), u, orgIDOf(r), typed); err != nil {
		if formFailed(err) {
			return s.renderWebhook(w, r, u, err, typed)
		}
		return err
	}
	s.flash(r, "推送地址已保存")
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	return nil
}

// webhookTest enqueues a test message and returns at once.
func (s *Server) webhookTest(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if _, err := s.DB.TestWebhook(r.Context(), u, orgIDOf(r)); err != nil {
		if formFailed(err) {
			return s.renderWebhook(w, r, u, err, "")
		}
		return err
	}
	s.flash(r, "测试消息已排入发送队列，稍后送达")
	http.Redirect(w, r, "/reminders/webhook/"+r.PathValue("org"), http.StatusSeeOther)
	return nil
}

// accountEmail sets the signed-in user's digest address.
func (s *Server) accountEmail(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	if err := s.DB.SetOwnEmail(r.Context(), u, f.str("email")); err != nil {
		if formFailed(err) {
			return s.renderAccount(w, r, u, http.StatusOK, err, "")
		}
		return err
	}
	s.flash(r, "提醒邮箱已保存")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
