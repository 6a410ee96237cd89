package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"concord/internal/access"
)

// TestAdmitReads: with one slot, a second read waits until the first is
// served, a read whose client has gone is never served, and writes are
// not held back.
func TestAdmitReads(t *testing.T) {
	s, err := New(Deps{MaxReads: 1})
	if err != nil {
		t.Fatal(err)
	}
	var in, most atomic.Int32
	entered, release := make(chan string, 4), make(chan struct{})
	h := s.base(s.wrap(Route{Action: access.Public, Handler: func(w http.ResponseWriter, r *http.Request) {
		n := in.Add(1)
		defer in.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		entered <- r.Method + " " + r.URL.Path
		if r.URL.Path == "/hold" {
			<-release
		}
	}}))
	serve := func(req *http.Request) <-chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.ServeHTTP(httptest.NewRecorder(), req)
		}()
		return done
	}
	first := serve(httptest.NewRequest(http.MethodGet, "/hold", nil))
	if got := <-entered; got != "GET /hold" {
		t.Fatalf("entered %q", got)
	}
	second := serve(httptest.NewRequest(http.MethodGet, "/second", nil))

	// A write goes in beside the read holding the slot.
	<-serve(httptest.NewRequest(http.MethodPost, "/write", nil))
	if got := <-entered; got != "POST /write" {
		t.Fatalf("entered %q while the slot is held, want the write", got)
	}
	// A read whose client is gone gives up without being served.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	<-serve(httptest.NewRequest(http.MethodGet, "/gone", nil).WithContext(ctx))
	select {
	case got := <-entered:
		t.Fatalf("%q was served while the slot was held", got)
	case <-time.After(50 * time.Millisecond):
	}

	close(release)
	<-first
	if got := <-entered; got != "GET /second" {
		t.Fatalf("entered %q after the slot freed, want the waiting read", got)
	}
	<-second
	if most.Load() != 2 { // the held read and the write
		t.Errorf("%d handlers at once, want 2", most.Load())
	}
}
