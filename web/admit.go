package web

import (
	"net/http"
	"runtime"
	"sync"
)

// Admission: at most admitSlots reads (GET and HEAD) do their work at
// once; the others wait in arrival order (a channel's waiting senders
// are served first come, first served). A read's slot is freed when it
// starts its response — pages are rendered into a buffer before their
// first byte, so a slow phone reading a page, or a long export streaming
// out, holds no slot. Writes are not held here: they queue for their
// group commit instead (store/writegroup.go), and an upload from a phone
// must not sit in a slot while its body trickles in.
//
// Why (issue 11): with 64 clients every request shared the two cores
// with 63 others, so each took 64 requests' time, and which finished
// first was the scheduler's luck; GC assists grew with the heap of 64
// half-done pages. Queued in order, a request waits its turn and then
// runs with a few others: the same throughput or better, answer times
// close to the average instead of a long tail.
var admitSlots = 4 * runtime.GOMAXPROCS(0)

// admit holds reads to the slots (see admitSlots).
func (s *Server) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.slots <- struct{}{}:
		case <-r.Context().Done():
			return // gone while waiting (the access log says 499)
		}
		sw := &slotWriter{ResponseWriter: w, slots: s.slots}
		defer sw.release()
		next.ServeHTTP(sw, r)
	})
}

// slotWriter frees its request's slot when the response starts.
type slotWriter struct {
	http.ResponseWriter
	once  sync.Once
	slots chan struct{}
}

func (w *slotWriter) release() { w.once.Do(func() { <-w.slots }) }

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
