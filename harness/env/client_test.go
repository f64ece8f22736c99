package env_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func newClient(t testing.TB, url string, retries int) *env.Client {
	t.Helper()
	c, err := env.NewClient(env.ClientOptions{BaseURL: url, Retries: retries, Backoff: time.Millisecond, CallTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flaky answers the first `fail` requests with status code, then passes
// requests on to next.
func flaky(fail int32, code int, next http.Handler) (http.Handler, *atomic.Int32) {
	var calls atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= fail {
			w.WriteHeader(code)
			w.Write([]byte(`{"success":false,"detail":"injected"}`))
			return
		}
		next.ServeHTTP(w, r)
	}), &calls
}

func TestClientRetries(t *testing.T) {
	_, backend := newCounterServer(t, env.ServerOptions{})
	target, _ := url.Parse(backend.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	cases := []struct {
		name      string
		fail      int32
		code      int
		wantCalls int32
		wantErr   string
	}{
		{"503 twice then fine", 2, 503, 3, ""},
		{"502 then fine", 1, 502, 2, ""},
		{"504 past the retries", 10, 504, 4, "HTTP 504"},
		{"400 is not retried", 10, 400, 1, "HTTP 400"},
		{"404 is not retried", 10, 404, 1, "HTTP 404"},
		{"500 is not retried", 10, 500, 1, "HTTP 500"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, calls := flaky(c.fail, c.code, proxy)
			hs := httptest.NewServer(h)
			defer hs.Close()
			cl := newClient(t, hs.URL, 3)
			_, err := cl.Create(context.Background(), env.Task{ID: "train-0", Suite: "counter"}, "x")
			if got := calls.Load(); got != c.wantCalls {
				t.Errorf("%d calls, want %d", got, c.wantCalls)
			}
			if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestClientRetriesRefusedConnection(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cl := newClient(t, "http://"+addr, 2)
	start := time.Now()
	_, err := cl.Evaluate(context.Background(), "x")
	if err == nil || !env.IsTransient(err) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err %v (transient %v)", err, env.IsTransient(err))
	}
	if time.Since(start) > time.Minute {
		t.Fatalf("refused connections took %s", time.Since(start))
	}
}

func TestClientCallDeadline(t *testing.T) {
	block := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer hs.Close()
	defer close(block)
	cl, _ := env.NewClient(env.ClientOptions{BaseURL: hs.URL, CallTimeout: 50 * time.Millisecond, Retries: 1, Backoff: time.Millisecond})
	start := time.Now()
	_, err := cl.Evaluate(context.Background(), "x")
	if err == nil || !env.IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	// Without the deadline the call would block until the test ends; the
	// bound is far above two 50 ms attempts on any load.
	if d := time.Since(start); d > time.Minute {
		t.Fatalf("two 50 ms attempts took %s", d)
	}
}

// TestStepRetryAppliesOnce loses the answer of a step after the server
// applied it; the retry with the same seq is answered from the record and
// the counter moves once.
func TestStepRetryAppliesOnce(t *testing.T) {
	_, backend := newCounterServer(t, env.ServerOptions{})
	target, _ := url.Parse(backend.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var steps atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/step" && steps.Add(1) == 1 {
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r) // applied on the server ...
			w.WriteHeader(http.StatusBadGateway)
			return // ... but the answer is lost
		}
		proxy.ServeHTTP(w, r)
	}))
	defer hs.Close()
	ctx := context.Background()
	e := env.NewRemoteEnv(newClient(t, hs.URL, 3), "counter")
	if _, err := e.Reset(ctx, env.Task{ID: "train-0"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.Step(ctx, "add 3")
	if err != nil || len(res.Messages) != 1 || res.Messages[0].Content != "counter = 3" {
		t.Fatalf("step: %+v %v", res, err)
	}
	res, err = e.Step(ctx, "add 1")
	if err != nil || res.Messages[0].Content != "counter = 4" {
		t.Fatalf("second step: %+v %v", res, err)
	}
	if steps.Load() != 3 {
		t.Fatalf("%d step requests, want 3 (one lost, one retried, one more)", steps.Load())
	}
	if err := e.Close(); err != nil || e.Close() != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestRemoteSuiteMatchesInProcess(t *testing.T) {
	_, hs := newCounterServer(t, env.ServerOptions{})
	ctx := context.Background()
	rs, err := env.OpenRemote(ctx, newClient(t, hs.URL, 0), "counter")
	if err != nil {
		t.Fatal(err)
	}
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "8"}})
	if strings.Join(rs.Splits(), ",") != strings.Join(local.Splits(), ",") {
		t.Fatalf("splits %v vs %v", rs.Splits(), local.Splits())
	}
	for _, split := range local.Splits() {
		rt, err := rs.Tasks(split)
		lt, _ := local.Tasks(split)
		if err != nil || len(rt) != len(lt) || rt[5] != lt[5] {
			t.Fatalf("split %s: %v %v", split, err, rt)
		}
	}
	if _, err := rs.Tasks("dev"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("unknown split: %v", err)
	}
}
