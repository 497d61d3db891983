package password

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
)

func TestCheck(t *testing.T) {
	ctx := context.Background()
	h, err := Hash(ctx, "Hongmi-tea-2026")
	if err != nil || NeedsRehash(h) {
		t.Fatalf("Hash: %q, %v", h, err)
	}
	for pw, want := range map[string]bool{"Hongmi-tea-2026": true, "hongmi-tea-2026": false, "": false} {
		if ok, err := Check(ctx, pw, h); ok != want || err != nil {
			t.Errorf("Check(%q) = %v, %v", pw, ok, err)
		}
	}
	// No such user: the dummy hash is checked and nothing matches, not
	// even the dummy's own password.
	if ok, err := Check(ctx, "xiezuo-no-such-user", ""); ok || err != nil {
		t.Fatalf("unknown user matched: %v, %v", ok, err)
	}
	if ok, _ := Check(ctx, "x", "not-a-hash"); ok {
		t.Fatal("a malformed hash matched")
	}
	// Hashes made with the old 64 MiB costs still check, and want renewing.
	old, _ := argon2id.CreateHash("Hongmi-tea-2026", argon2id.DefaultParams)
	if ok, _ := Check(ctx, "Hongmi-tea-2026", old); !ok || !NeedsRehash(old) {
		t.Fatal("old-cost hash")
	}
}

// A full budget turns checks away after Wait instead of queueing them
// without end (the memory of a flood of sign-ins stays bounded).
func TestBudgetFull(t *testing.T) {
	ctx := context.Background()
	if err := budget.Acquire(ctx, Budget); err != nil {
		t.Fatal(err)
	}
	defer budget.Release(Budget)
	defer func(w time.Duration) { Wait = w }(Wait)
	Wait = 50 * time.Millisecond
	if _, err := Check(ctx, "x", ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("Check with the budget full: %v", err)
	}
	if _, err := Hash(ctx, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with the budget full: %v", err)
	}
}

func TestWeak(t *testing.T) {
	for _, c := range []struct {
		pw    string
		admin bool
		want  string
	}{
		{"1234567", false, "至少8位"},
		{"12345678", false, "太简单"},
		{"12345678", true, "太简单"},
		{"password123", false, "太简单"},
		{"qwertyuiop", false, "太简单"},
		{"aaaaaaaaaaaaaaaa", false, "太简单"},
		{"admin-2026-hongmi", true, "用户名"},
		{"changning2020", false, ""},
		{"changning2020", true, ""},
		{"Hongmi-tea-2026", true, ""},
		{"红河绿春2020", false, ""},
		{strings.Repeat("Ab3-", 40), false, "128"},
	} {
		got := Weak(c.pw, c.admin, "admin", "协作办管理员")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("Weak(%q, admin=%v) = %q, want %q", c.pw, c.admin, got, c.want)
		}
	}
}

// CheckCode matches an activation code's hash and a reset code's, nothing
// else, and always does the same work: one comparison at Params' cost and
// one at CodeParams', whatever the stored hash (none, either kind of
// code, a password, an old-cost or malformed one). That is what keeps
// /activate's time from telling which user names exist or wait on a code.
func TestCheckCode(t *testing.T) {
	ctx := context.Background()
	const code = "ABCDE-FGHJK-MNPQR"
	act, _ := HashCode(ctx, code)
	reset, _ := Hash(ctx, code)
	pw, _ := Hash(ctx, "Hongmi-tea-2026")
	old, _ := argon2id.CreateHash(code, argon2id.DefaultParams)
	var costs []string
	compare = func(p, h string) (bool, error) {
		if q, _, _, err := argon2id.DecodeHash(h); err == nil {
			costs = append(costs, strings.Repeat("m", int(q.Memory/1024))+"/"+strings.Repeat("t", int(q.Iterations)))
		}
		return argon2id.ComparePasswordAndHash(p, h)
	}
	defer func() { compare = argon2id.ComparePasswordAndHash }()
	want := []string{strings.Repeat("m", int(Params.Memory/1024)) + "/tt", "m/t"}
	for _, c := range []struct {
		name, code, hash string
		ok               bool
	}{
		{"activation code", code, act, true},
		{"activation code, wrong", "ABCDE-FGHJK-MNPQS", act, false},
		{"reset code", code, reset, true},
		{"reset code, wrong", "x", reset, false},
		{"no such user", code, "", false},
		{"a password of its own", code, pw, false},
		{"an old-cost hash", code, old, false},
		{"a malformed hash", code, "not-a-hash", false},
	} {
		costs = nil
		ok, err := CheckCode(ctx, c.code, c.hash)
		if ok != c.ok || err != nil {
			t.Errorf("%s: CheckCode = %v, %v", c.name, ok, err)
		}
		if strings.Join(costs, " ") != strings.Join(want, " ") {
			t.Errorf("%s: work %v, want %v", c.name, costs, want)
		}
	}
}
