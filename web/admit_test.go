package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestAdmit: with one slot, a second read waits until the first starts
// its response, a write does not wait, and a read whose client goes away
// while it waits is never run.
func TestAdmit(t *testing.T) {
	s := &Server{slots: make(chan struct{}, 1)}
	entered := make(chan string, 4)
	proceed := make(chan struct{})
	h := s.admit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.Method + " " + r.URL.Path
		if r.URL.Path == "/first" {
			<-proceed
		}
		w.WriteHeader(http.StatusOK) // frees the slot
		if r.URL.Path == "/first" {
			entered <- "first still writing"
			<-proceed // a slow reader: the slot is already free
		}
	}))
	serve := func(r *http.Request) chan struct{} {
		done := make(chan struct{})
		go func() { h.ServeHTTP(httptest.NewRecorder(), r); close(done) }()
		return done
	}
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-entered:
			if got != want {
				t.Fatalf("entered %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q did not enter", want)
		}
	}
	none := func() {
		t.Helper()
		select {
		case got := <-entered:
			t.Fatalf("%q entered while the slot was taken", got)
		case <-time.After(50 * time.Millisecond):
		}
	}
	first := serve(httptest.NewRequest(http.MethodGet, "/first", nil))
	expect("GET /first")
	second := serve(httptest.NewRequest(http.MethodGet, "/second", nil))
	gone, leave := context.WithCancel(context.Background())
	third := serve(httptest.NewRequest(http.MethodGet, "/gone", nil).WithContext(gone))
	none()
	post := serve(httptest.NewRequest(http.MethodPost, "/save", nil))
	expect("POST /save")
	<-post
	leave()
	<-third // left the queue without running
	none()
	proceed <- struct{}{} // the first renders and starts its response
	got := map[string]bool{}
	for range 2 { // in either order: the slot is free once the first has started
		select {
		case e := <-entered:
			got[e] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("only %v entered", got)
		}
	}
	if !got["first still writing"] || !got["GET /second"] {
		t.Fatalf("entered %v", got)
	}
	<-second
	close(proceed)
	<-first
	if len(s.slots) != 0 {
		t.Errorf("%d slots still held", len(s.slots))
	}
}
