// Package xiezuo holds what every part of the product shares: the error type
// with its few codes, the signed-in user and roles, money and date helpers.
// Domain packages (registry, ledger) build on it; edges (store, web, cmd)
// import those. It imports nothing of the project.
package xiezuo

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error codes. The web edge maps each to one HTTP status in one table.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	ETOOMANY      = "too_many" // too many attempts or too busy: try again later
	// ETOOLARGE: a request body over its limit (a form, a JSON body, an
	// upload); the web edge answers 413.
	ETOOLARGE = "too_large"
)

// Error is the one error type of the services. Message is Chinese and shown
// to the user; Fields names the form fields at fault (field → Chinese message);
// Cause is for the log only.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Cause   error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"："+e.Fields[k])
		}
		s += "（" + strings.Join(parts, "；") + "）"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error with the given code and a Chinese message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps a cause the user must not see.
func Internal(cause error) *Error {
	return &Error{Code: EINTERNAL, Message: "系统内部错误，请稍后重试或联系管理员", Cause: cause}
}

// ErrorCode returns the code of err, EINTERNAL for foreign errors, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the Chinese message to show for err.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "系统内部错误，请稍后重试或联系管理员"
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects field errors while validating a record.
type Problems map[string]string

// Add records msg for field unless the field already has one.
func (p Problems) Add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Text trims *s and records a problem for field when it is empty but
// required, or longer than max runes (label names it in the message).
func (p Problems) Text(field, label string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if required && *s == "" {
		p.Add(field, label+"不能为空")
	} else if utf8.RuneCountInString(*s) > max {
		p.Add(field, label+"不能超过"+strconv.Itoa(max)+"个字")
	} else if hiddenControl(*s) {
		p.Add(field, label+"含有看不见的控制字符（如从别处复制带来的），请删除后再保存")
	}
}

// hiddenControl reports a control character other than a line break or
// tab, or a bidirectional override (U+202A–U+202E, U+2066–U+2069), which
// can make a name display as something else.
func hiddenControl(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

// Err returns nil when there are no problems, else an EINVALID *Error whose
// message lists every field's problem.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, len(keys))
	for _, k := range keys {
		msgs = append(msgs, p[k])
	}
	return &Error{Code: EINVALID, Message: "填写有误：" + strings.Join(msgs, "；"), Fields: map[string]string(p)}
}
