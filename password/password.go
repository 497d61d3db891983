// Package password hashes and checks passwords (argon2id) and judges a new
// password's strength. A check holds its hash's memory cost (19 MiB for
// new hashes) while it runs, so checks share a fixed memory budget: a flood
// of sign-ins queues briefly and is then turned away, instead of taking the
// server's memory. It does no I/O.
package password

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	pv "github.com/wagslane/go-password-validator"
	"golang.org/x/sync/semaphore"
)

// Params are the argon2id costs of new hashes: OWASP's recommended
// argon2id setting (19 MiB, two passes, one lane). Hashes made with other
// costs (this package once used the library's 64 MiB default) are still
// checked with the costs they encode, and NeedsRehash says to renew them.
var Params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Budget is the memory, in KiB, that password work may hold at once: a
// check takes as much of it as its hash's memory cost, so several cheap
// checks or fewer costly ones run together, and never more than Budget.
const Budget = 64 * 1024

// Wait is how long a check waits for room in Budget before ErrBusy.
var Wait = 3 * time.Second

// ErrBusy is returned when Budget stayed full for Wait.
var ErrBusy = errors.New("password checks busy")

var budget = semaphore.NewWeighted(Budget)

// dummy is a hash of a password nobody has, checked for unknown user names
// so they cost what known ones do; made on first use, not at start.
var dummy = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("xiezuo-no-such-user", Params)
	return h
})

// acquire takes room for a hash of memory cost kib (KiB), or fails after
// Wait or when ctx ends. A cost beyond Budget takes the whole of it.
func acquire(ctx context.Context, kib uint32) (release func(), err error) {
	n := min(int64(kib), Budget)
	ctx, cancel := context.WithTimeout(ctx, Wait)
	defer cancel()
	if err := budget.Acquire(ctx, n); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, ErrBusy
		}
		return nil, err
	}
	return func() { budget.Release(n) }, nil
}

// cost is the memory cost (KiB) a stored hash encodes, or that of Params.
func cost(hash string) uint32 {
	if p, _, _, err := argon2id.DecodeHash(hash); err == nil {
		return p.Memory
	}
	return Params.Memory
}

// NeedsRehash reports whether hash was made with costs other than Params.
func NeedsRehash(hash string) bool {
	p, _, _, err := argon2id.DecodeHash(hash)
	return err != nil || *p != *Params
}

// Hash returns the argon2id hash of pw.
func Hash(ctx context.Context, pw string) (string, error) {
	release, err := acquire(ctx, Params.Memory)
	if err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(pw, Params)
}

// CodeParams are the argon2id costs of a one-time code's hash (HashCode).
var CodeParams = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashCode returns the argon2id hash of a one-time code at CodeParams'
// low cost. A code the machine drew at random (about 74 bits: store's
// oneTimeCode) cannot be guessed however fast each guess is, so it needs
// no slow hash, and an import of hundreds of accounts with a code each
// takes a second instead of minutes. Never for a password a person chose.
func HashCode(ctx context.Context, code string) (string, error) {
	release, err := acquire(ctx, CodeParams.Memory)
	if err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(code, CodeParams)
}

// Check reports whether pw matches hash. An empty hash (no such user) is
// checked against a dummy hash, in the same time, and never matches; nor
// does a malformed stored hash.
func Check(ctx context.Context, pw, hash string) (bool, error) {
	unknown := hash == ""
	if unknown {
		hash = dummy()
	}
	release, err := acquire(ctx, cost(hash))
	if err != nil {
		return false, err
	}
	defer release()
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return ok && err == nil && !unknown, nil
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

// compare is argon2id's comparison (a test counts CheckCode's work).
var compare = argon2id.ComparePasswordAndHash

// dummyCode is a one-time code's hash nobody has (CodeParams), for
// CheckCode.
var dummyCode = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("xiezuo-no-such-code", CodeParams)
	return h
})

// CheckCode reports whether code matches hash, a one-time code's: an
// activation code's (HashCode, CodeParams) or an office reset code's
// (Hash, Params). It does the same work whatever hash is — one
// comparison at Params' cost and one at CodeParams', against hash for
// the one of its cost and a dummy for the other — so the time it takes
// does not tell an unknown user name (hash ""), an account waiting on
// either kind of code, or an account with a password of its own (whose
// hash, of Params' cost, is compared and fails unless the code is its
// password: the caller checks the account waits on a code). A hash of
// other costs is not a code this program issues and never matches.
func CheckCode(ctx context.Context, code, hash string) (bool, error) {
	slow, cheap := dummy(), dummyCode()
	which := 0 // 1: hash is slow's kind, 2: cheap's; 0: neither
	if p, _, _, err := argon2id.DecodeHash(hash); err == nil {
		switch *p {
		case *Params:
			slow, which = hash, 1
		case *CodeParams:
			cheap, which = hash, 2
		}
	}
	release, err := acquire(ctx, Params.Memory+CodeParams.Memory)
	if err != nil {
		return false, err
	}
	defer release()
	okSlow, errSlow := compare(code, slow)
	okCheap, errCheap := compare(code, cheap)
	switch which {
	case 1:
		return okSlow && errSlow == nil, nil
	case 2:
		return okCheap && errCheap == nil, nil
	}
	return false, nil
}
