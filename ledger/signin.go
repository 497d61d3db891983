package ledger

import (
	"fmt"
	"time"
)

// Sign-in throttling, as trusted systems do it: each attempt is counted
// before the password is checked (so parallel guesses cannot slip past the
// count), and three counters are kept:
//   - per user name and address: the first SignInFree failures are free,
//     then each next attempt waits twice as long as the last (1 s, 2 s,
//     4 s … up to SignInMaxWait). This is what slows a guesser down.
//   - per user name, across addresses: after SignInUserLock failures within
//     SignInWindow the name is locked, but not for an address the user
//     has signed in from before: a guesser elsewhere cannot lock the
//     owner out of the office.
//   - per address, across names: after SignInAddrLock failures within
//     SignInWindow the address is held back, again except for users who
//     have signed in from it before (an office shares one address).
//
// A success clears the user's counters and takes back its own count from
// the address.
const (
	SignInFree     = 5
	SignInMaxWait  = 15 * time.Minute
	SignInUserLock = 10
	SignInAddrLock = 50
	SignInWindow   = 15 * time.Minute
	// SignInPairWindow is how long per-user-and-address failures are
	// remembered (longer than SignInMaxWait, so waiting does not reset them).
	SignInPairWindow = 24 * time.Hour
)

// SignInCount is one failure counter as stored.
type SignInCount struct {
	Failures int
	Last     time.Time
}

// current is the count still in force at now (0 once its window passed).
func (c SignInCount) current(window time.Duration, now time.Time) int {
	if c.Failures <= 0 || now.Sub(c.Last) >= window {
		return 0
	}
	return c.Failures
}

// Next is the counter after one more attempt at now.
func (c SignInCount) Next(window time.Duration, now time.Time) SignInCount {
	return SignInCount{Failures: c.current(window, now) + 1, Last: now}
}

// SignInState is what the gate knows about one attempt.
type SignInState struct {
	Pair, User, Addr SignInCount
	// Known: the user has signed in from this address before.
	Known bool
}

// SignInRefusal says why an attempt may not be checked now, in Chinese,
// and for how long; "" and 0 when it may go ahead.
func SignInRefusal(s SignInState, now time.Time) (string, time.Duration) {
	if f := s.Pair.current(SignInPairWindow, now); f >= SignInFree {
		wait := time.Second << min(f-SignInFree, 20)
		wait = min(wait, SignInMaxWait)
		if left := s.Pair.Last.Add(wait).Sub(now); left > 0 {
			return "登录失败次数过多，请" + waitWords(left) + "后再试", left
		}
	}
	if s.Known {
		return "", 0
	}
	if f := s.User.current(SignInWindow, now); f >= SignInUserLock {
		return "登录失败次数过多，该账号已暂时锁定，请" + waitWords(s.User.Last.Add(SignInWindow).Sub(now)) +
			"后再试（在以前登录过的电脑上仍可登录）", s.User.Last.Add(SignInWindow).Sub(now)
	}
	if f := s.Addr.current(SignInWindow, now); f >= SignInAddrLock {
		return "登录失败次数过多，此网络地址已暂时受限，请" + waitWords(s.Addr.Last.Add(SignInWindow).Sub(now)) + "后再试", s.Addr.Last.Add(SignInWindow).Sub(now)
	}
	return "", 0
}

// waitWords says a wait in Chinese: 5秒, 3分钟.
func waitWords(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d秒", max(1, int((d+time.Second-1)/time.Second)))
	}
	return fmt.Sprintf("%d分钟", int((d+time.Minute-1)/time.Minute))
}
