package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"sync"
)

// Admission: at most admitSlots requests do their work at once; the
// others wait in arrival order. A request's slot is freed when it starts
// its response — pages are rendered into a buffer before their first
// byte, so a slow phone reading a page, or a long export streaming out,
// holds no slot.
//
// Writes wait in the same line as reads, but at most three quarters of
// the slots are writes (a write waits in its slot for its group commit,
// store/writegroup.go, so without the cap a burst of writes could hold
// every slot while the reads waited for the writer; with half, on
// PostgreSQL the writes queued behind the cap at p50 ~480 ms): a read is
// never behind a write that is waiting for that cap, it takes the next
// free slot. A write's body is read before it queues, and only a small one
// (smallBody, with a declared length): an upload from a phone must not
// sit in a slot while its body trickles in, so uploads are not held here.
// Nor is sign-in: its password checks have their own budget (package
// password), which refuses at once when full; in the line, a flood of
// sign-ins queued the refusals behind the checks (BenchmarkLogin, 500
// sign-ins from 500 addresses: p99 3.3 s outside the line, 10.3 s in it).
//
// Why (issue 11): with 64 clients every request shared the two cores
// with 63 others, so each took 64 requests' time, and which finished
// first was the scheduler's luck; GC assists grew with the heap of 64
// half-done pages. Queued in order, a request waits its turn and then
// runs with a few others: the same throughput or better, answer times
// close to the average instead of a long tail. When writes went past the
// line, the reads took all of the wait: in the mixed load (64 clients,
// 35% writes) on SQLite reads answered at p50 ~250 ms and writes at
// ~35 ms, and on PostgreSQL the writes, starved of the cores by the
// reads, at ~430 ms; in one line both are near the average.
var admitSlots = 4 * runtime.GOMAXPROCS(0)

// smallBody is the largest write body read ahead of the line; larger
// ones, and bodies of unknown length, are uploads and skip it.
const smallBody = 64 << 10

// admission is the line: free slots, how many more writes may hold one,
// and the waiting requests in arrival order.
type admission struct {
	mu         sync.Mutex
	size       int
	free       int
	writesFree int
	waiting    []*waiter
}

type waiter struct {
	write bool
	ready chan struct{} // closed when the waiter holds a slot
}

func newAdmission(slots int) *admission {
	return &admission{size: slots, free: slots, writesFree: max(1, slots*3/4)}
}

// fits reports whether a request of this kind may take a slot now;
// a.mu is held.
func (a *admission) fits(write bool) bool {
	return a.free > 0 && (!write || a.writesFree > 0)
}

// take gives a slot; a.mu is held and fits was true.
func (a *admission) take(write bool) {
	a.free--
	if write {
		a.writesFree--
	}
}

// acquire waits for a slot, in arrival order among the requests that
// fit; false if ctx ended first (then no slot is held).
func (a *admission) acquire(ctx context.Context, write bool) bool {
	a.mu.Lock()
	if a.fits(write) {
		// Every request still waiting is a write held by the cap (a
		// freed slot goes to the first waiter that fits), so taking the
		// slot now keeps the order among those that fit.
		a.take(write)
		a.mu.Unlock()
		return true
	}
	w := &waiter{write: write, ready: make(chan struct{})}
	a.waiting = append(a.waiting, w)
	a.mu.Unlock()
	select {
	case <-w.ready:
		return true
	case <-ctx.Done():
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.waiting {
		if x == w {
			a.waiting = append(a.waiting[:i], a.waiting[i+1:]...)
			return false
		}
	}
	// Given a slot as it left: hand it on.
	a.put(write)
	return false
}

// release frees a slot taken by acquire.
func (a *admission) release(write bool) {
	a.mu.Lock()
	a.put(write)
	a.mu.Unlock()
}

// put frees a slot and gives the free slots to the first waiters that
// fit; a.mu is held.
func (a *admission) put(write bool) {
	a.free++
	if write {
		a.writesFree++
	}
	kept := a.waiting[:0]
	for _, w := range a.waiting {
		if a.fits(w.write) {
			a.take(w.write)
			close(w.ready)
			continue
		}
		kept = append(kept, w)
	}
	clear(a.waiting[len(kept):])
	a.waiting = kept
}

// held reports the slots in use, for tests.
func (a *admission) held() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.size - a.free
}

// admit holds requests to the slots (see admitSlots).
func (s *Server) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		if write {
			if r.URL.Path == "/login" || r.ContentLength < 0 || r.ContentLength > smallBody {
				next.ServeHTTP(w, r) // sign-in or an upload (see admitSlots)
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
			if err != nil {
				return // the client went away while sending (the access log says 499)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if !s.line.acquire(r.Context(), write) {
			return // gone while waiting (the access log says 499)
		}
		sw := &slotWriter{ResponseWriter: w, free: func() { s.line.release(write) }}
		defer sw.release()
		next.ServeHTTP(sw, r)
	})
}

// slotWriter frees its request's slot when the response starts.
type slotWriter struct {
	http.ResponseWriter
	once sync.Once
	free func()
}

func (w *slotWriter) release() { w.once.Do(w.free) }

func (w *slotWriter) WriteHeader(code int) {
	w.release()
	w.ResponseWriter.WriteHeader(code)
}

func (w *slotWriter) Write(b []byte) (int, error) {
	w.release()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *slotWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
