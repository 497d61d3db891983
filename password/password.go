// Package password hashes and checks passwords (argon2id) and judges a new
// password's strength. A check costs ~64 MiB for its duration, so checks
// run through a few slots sized to a memory budget: a flood of sign-ins
// queues briefly and is then turned away, instead of taking the server's
// memory. It does no I/O.
package password

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	pv "github.com/wagslane/go-password-validator"
)

// Params are the argon2id costs of new hashes (the library's defaults:
// 64 MiB, one pass, all cores). Old hashes keep the costs they encode.
var Params = argon2id.DefaultParams

// Budget is the memory password checks may hold at once; it sets how many
// run together (at least one).
const Budget = 160 << 20

// Wait is how long a check waits for a free slot before ErrBusy.
const Wait = 3 * time.Second

// ErrBusy is returned when every slot stayed busy for Wait.
var ErrBusy = errors.New("password checks busy")

var slots = make(chan struct{}, max(1, min(runtime.NumCPU(), Budget/int(Params.Memory<<10))))

// Slots is how many checks run at once.
func Slots() int { return cap(slots) }

// dummy is a hash of a password nobody has, checked for unknown user names
// so they cost what known ones do; made on first use, not at start.
var dummy = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("xiezuo-no-such-user", Params)
	return h
})

// acquire takes a slot, or fails after Wait or when ctx ends.
func acquire(ctx context.Context) error {
	t := time.NewTimer(Wait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrBusy
	}
}

// Hash returns the argon2id hash of pw.
func Hash(ctx context.Context, pw string) (string, error) {
	if err := acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-slots }()
	return argon2id.CreateHash(pw, Params)
}

// Check reports whether pw matches hash. An empty hash (no such user) is
// checked against a dummy hash, in the same time, and never matches.
func Check(ctx context.Context, pw, hash string) (bool, error) {
	if err := acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-slots }()
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, dummy())
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	if err != nil {
		return false, nil // a malformed stored hash matches nothing
	}
	return ok, nil
}

// Minimum strengths, in bits of entropy as go-password-validator counts
// them (it discounts repeats and keyboard or number runs: 12345678 is 7
// bits). Office administrators hold every record, so theirs must be stronger.
const (
	MinBits      = 55
	MinAdminBits = 60
)

// Weak returns why pw is too weak for a user named username (any of names),
// in Chinese, or "" when it is strong enough.
func Weak(pw string, admin bool, names ...string) string {
	if n := utf8.RuneCountInString(pw); n < 8 {
		return "密码至少8位"
	} else if n > 128 {
		return "密码不能超过128位"
	}
	low := strings.ToLower(pw)
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); utf8.RuneCountInString(n) >= 3 && strings.Contains(low, n) {
			return "密码不能包含用户名或姓名"
		}
	}
	need := float64(MinBits)
	if admin {
		need = MinAdminBits
	}
	if pv.GetEntropy(pw) < need {
		return "密码太简单：请加长，并混用字母、数字和符号，避免连续或重复的字符（如12345678、aaaa、qwerty）"
	}
	return ""
}
