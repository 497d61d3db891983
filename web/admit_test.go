package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAdmit: with one slot, a second read waits until the first starts
// its response, so does a small write (and gets its body), an upload or a
// sign-in does not wait, and a read whose client goes away while it waits
// is never run.
func TestAdmit(t *testing.T) {
	s := &Server{line: newAdmission(1)}
	entered := make(chan string, 4)
	proceed := make(chan struct{})
	h := s.admit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := r.Method + " " + r.URL.Path
		if r.URL.Path == "/save" {
			b, _ := io.ReadAll(r.Body)
			e += " " + string(b)
		}
		entered <- e
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
	upload := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader("x"))
	upload.ContentLength = -1 // a body of unknown length: an upload
	<-serve(upload)
	expect("POST /upload")
	<-serve(httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=a")))
	expect("POST /login") // has its own budget
	post := serve(httptest.NewRequest(http.MethodPost, "/save", strings.NewReader("a=1")))
	none()
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
	expect("POST /save a=1") // after the read that came before it
	<-post
	close(proceed)
	<-first
	if n := s.line.held(); n != 0 {
		t.Errorf("%d slots still held", n)
	}
}

// TestAdmitWriteCap: writes hold at most three of four slots; a read that
// arrives behind a write held by that cap takes the free slot, and the
// write goes in when another write leaves.
func TestAdmitWriteCap(t *testing.T) {
	a := newAdmission(4)
	for range 3 {
		if !a.acquire(context.Background(), true) {
			t.Fatal("a write did not get a free slot")
		}
	}
	wrote := make(chan bool)
	go func() { wrote <- a.acquire(context.Background(), true) }()
	select {
	case <-wrote:
		t.Fatal("a fourth write took a slot")
	case <-time.After(50 * time.Millisecond):
	}
	if !a.acquire(context.Background(), false) {
		t.Fatal("the read waited behind the capped write")
	}
	a.release(false) // a read leaving frees no write's place
	select {
	case <-wrote:
		t.Fatal("the write passed the cap")
	case <-time.After(50 * time.Millisecond):
	}
	a.release(true)
	if !<-wrote {
		t.Fatal("the waiting write was not let in")
	}
	gone, leave := context.WithCancel(context.Background())
	leave()
	if a.acquire(gone, true) {
		t.Fatal("a write whose client left got a slot")
	}
	for range 3 {
		a.release(true)
	}
	if n := a.held(); n != 0 {
		t.Errorf("%d slots still held", n)
	}
}
