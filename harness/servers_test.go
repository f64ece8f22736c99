package harness

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/harness/serve/servetest"
)

// testServer is seeupo serve in process behind a proxy that fails as its
// fault says.
type testServer struct {
	URL          string
	completions  atomic.Int64 // completion requests received
	loadRequests atomic.Int64 // weight load requests received
	loads        atomic.Int64 // weight loads answered 200
	fault        fault
	ln           net.Listener
	proxies      []*httputil.ReverseProxy // the server, and the restarted one
	restarted    atomic.Bool
	hung         atomic.Bool
	dead         context.Context
	kill         context.CancelFunc
}

// fault is what befalls a test server at its at-th request to the path on
// (none: nothing): it dies — the proxy closes its listener and cuts every
// connection, the requests in flight too, as a killed process would — or,
// with restart, that request and the later ones are answered by a fresh
// server over the starting weights, as a restarted process would.
// With hang, that request and the later ones are never answered (as by a
// server cut off from the network); then, when set, runs as it befalls.
type fault struct {
	on      string
	at      int64
	restart bool
	hang    bool
	then    func()
}

// startTestServer serves the model directory until the test ends.
func startTestServer(t *testing.T, dir string, f fault) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{URL: "http://" + ln.Addr().String() + "/v1", fault: f, ln: ln}
	ts.dead, ts.kill = context.WithCancel(context.Background())
	for range map[bool]int{false: 1, true: 2}[f.restart] {
		proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: startInner(t, dir)})
		proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
			if ts.dead.Err() != nil {
				panic(http.ErrAbortHandler) // cut the connection
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
		ts.proxies = append(ts.proxies, proxy)
	}
	hs := &http.Server{Handler: http.HandlerFunc(ts.handle)}
	go hs.Serve(ln)
	t.Cleanup(func() { ts.die(); hs.Close() })
	return ts
}

// startInner serves the model directory until the test ends and returns
// its address.
func startInner(t *testing.T, dir string) string {
	return strings.TrimSuffix(strings.TrimPrefix(servetest.Start(t, dir), "http://"), "/v1")
}

func (ts *testServer) handle(w http.ResponseWriter, r *http.Request) {
	var n int64
	switch r.URL.Path {
	case completionsPath:
		n = ts.completions.Add(1)
	case loadPath:
		n = ts.loadRequests.Add(1)
	}
	if r.URL.Path == ts.fault.on && n == ts.fault.at {
		switch {
		case ts.fault.restart:
			ts.restarted.Store(true)
		case ts.fault.hang:
			ts.hung.Store(true)
		default:
			ts.die()
		}
		if ts.fault.then != nil {
			ts.fault.then()
		}
	}
	if ts.hung.Load() {
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
	if ts.dead.Err() != nil {
		panic(http.ErrAbortHandler)
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(ts.dead, cancel)()
	rec := &statusRecorder{ResponseWriter: w}
	proxy := ts.proxies[0]
	if ts.restarted.Load() {
		proxy = ts.proxies[1]
	}
	proxy.ServeHTTP(rec, r.WithContext(ctx))
	if r.URL.Path == loadPath && rec.status == http.StatusOK {
		ts.loads.Add(1)
	}
}

const (
	completionsPath = "/v1/completions"
	loadPath        = "/v1/load_weights"
)

// die closes the listener and cuts the connections.
func (ts *testServer) die() {
	ts.kill()
	ts.ln.Close()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// batchRecorder keeps a copy of every batch the algorithm is given.
type batchRecorder struct {
	algorithms.Algorithm
	batches []algorithms.Batch
}

func (r *batchRecorder) Update(ctx context.Context, m algorithms.Models, b *algorithms.Batch) (algorithms.Metrics, error) {
	var c algorithms.Batch
	raw, err := json.Marshal(b)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		return nil, err
	}
	r.batches = append(r.batches, c)
	return r.Algorithm.Update(ctx, m, b)
}

// serverStart saves the servers' starting weights: another model than
// the trainer's, so that only the trainer's pushes make them equal.
func serverStart(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "start")
	pol := &NativePolicy{Model: newToyModel(t, 99, false), Tok: toyTokenizer(t)}
	if err := pol.SaveWeights(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// trainPair runs the toy trainer in process and with the servers as its
// generator, with the same seeds, and returns both trainers with the
// batches their algorithms were given.
func trainPair(t *testing.T, setup func(*Trainer), servers *Servers) (native, remote *Trainer, nb, rb []algorithms.Batch) {
	t.Helper()
	run := func(gen Generator) (*Trainer, []algorithms.Batch) {
		tr := toyTrainer(t, "seeupo", t.TempDir(), 3, nil, nil)
		setup(tr)
		// A learning rate at which every step changes what the next samples.
		settings, err := algorithms.Defaults("seeupo")
		if err != nil {
			t.Fatal(err)
		}
		settings.Optim.LR = 1e-2
		if tr.Algorithm, err = algorithms.New("seeupo", settings); err != nil {
			t.Fatal(err)
		}
		rec := &batchRecorder{Algorithm: tr.Algorithm}
		tr.Algorithm = rec
		if gen != nil {
			tr.Roller.Policy = gen
		}
		if _, err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return tr, rec.batches
	}
	native, nb = run(nil)
	remote, rb = run(servers)
	return native, remote, nb, rb
}

// sameBatches compares the batches of two runs: the same episodes with the
// same ids, groups, rewards, contexts and sampled tokens, and the
// sampler's log-probs within float32 rounding (the batched generator's
// sums depend on which requests share a batch).
func sameBatches(t *testing.T, want, got []algorithms.Batch) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d batches in process, %d through the servers", len(want), len(got))
	}
	for s := range want {
		a, b := want[s], got[s]
		if len(a.Trajectories) != len(b.Trajectories) {
			t.Fatalf("step %d: %d trajectories in process, %d through the servers", s+1, len(a.Trajectories), len(b.Trajectories))
		}
		for i := range a.Trajectories {
			ta, tb := a.Trajectories[i], b.Trajectories[i]
			if ta.ID != tb.ID || ta.Group != tb.Group || ta.Reward != tb.Reward || len(ta.Turns) != len(tb.Turns) {
				t.Fatalf("step %d trajectory %d: served %s/%s reward %v %d turns, in process %s/%s reward %v %d turns",
					s+1, i, tb.ID, tb.Group, tb.Reward, len(tb.Turns), ta.ID, ta.Group, ta.Reward, len(ta.Turns))
			}
			for j := range ta.Turns {
				ua, ub := ta.Turns[j], tb.Turns[j]
				if !reflect.DeepEqual(ua.Context, ub.Context) || !reflect.DeepEqual(ua.Response, ub.Response) {
					t.Fatalf("step %d trajectory %s turn %d: served %v, in process %v", s+1, ta.ID, j, ub.Response, ua.Response)
				}
				for k := range ua.SamplerLogProbs {
					if math.Abs(ua.SamplerLogProbs[k]-ub.SamplerLogProbs[k]) > 1e-6 {
						t.Fatalf("step %d trajectory %s turn %d token %d: log-prob %v served, %v in process",
							s+1, ta.ID, j, k, ub.SamplerLogProbs[k], ua.SamplerLogProbs[k])
					}
				}
			}
		}
	}
}

// sameRuns compares the step metrics, the evaluations and the final
// weights of two runs. Every in-process figure must be equal, but the
// mean gap between the sampler's and the recomputed log-probs, which
// inherits the sampler's float32 rounding and may differ by 1e-6; the
// servers' figures are extra.
func sameRuns(t *testing.T, native, remote *Trainer) []metrics.Record {
	t.Helper()
	a, b := stepMetrics(t, native.Output.Dir), stepMetrics(t, remote.Output.Dir)
	if len(a) != len(b) || len(a) != native.Schedule.Steps {
		t.Fatalf("%d steps logged in process, %d through the servers, want %d", len(a), len(b), native.Schedule.Steps)
	}
	for i := range a {
		for k, v := range a[i].Data {
			w, ok := b[i].Data[k]
			switch {
			case !ok:
				t.Errorf("step %d: %s missing through the servers", i+1, k)
			case k == metrics.LogprobDiffMean && math.Abs(v-w) > 1e-6, k != metrics.LogprobDiffMean && v != w:
				t.Errorf("step %d: %s = %v through the servers, %v in process", i+1, k, w, v)
			}
		}
	}
	evA, _, _ := metrics.ReadEvals(filepath.Join(native.Output.Dir, metrics.FileEval))
	evB, _, _ := metrics.ReadEvals(filepath.Join(remote.Output.Dir, metrics.FileEval))
	if !reflect.DeepEqual(evA, evB) {
		t.Errorf("evaluations differ:\nin process %+v\nservers    %+v", evA, evB)
	}
	wa, err := native.Policy.(*NativePolicy).Weights()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := remote.Policy.(*NativePolicy).Weights()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(wa, wb) {
		t.Error("final weights differ")
	}
	return b
}

// A run whose rollouts and evaluations are generated by two seeupo serve
// servers equals the run that generates in process: the same batches,
// step metrics, evaluations and final weights, bit for bit. The servers
// start from other weights, so this holds only if the trainer pushes its
// weights before the first rollout and after every step.
func TestRemoteTrainingEqualsInProcess(t *testing.T) {
	start := serverStart(t)
	a, b := startTestServer(t, start, fault{}), startTestServer(t, start, fault{})
	servers, err := NewServers(context.Background(), ServerOptions{URLs: []string{a.URL, b.URL}})
	if err != nil {
		t.Fatal(err)
	}
	setup := func(tr *Trainer) { tr.Schedule.EvalEvery = 1 }
	native, remote, nb, rb := trainPair(t, setup, servers)
	sameBatches(t, nb, rb)
	recs := sameRuns(t, native, remote)
	for i, r := range recs {
		if r.Data[metrics.RolloutRemoteRequests] != 8 || r.Data[metrics.RolloutRemoteServers] != 2 ||
			r.Data[metrics.RolloutRemoteFailovers] != 0 || r.Data[metrics.RolloutRemoteCompletionTokens] == 0 {
			t.Errorf("step %d: server figures %v: want the 8 requests of 4 two-turn episodes on 2 servers, no failover", i+1, r.Data)
		}
	}
	for _, s := range []*testServer{a, b} {
		if s.completions.Load() == 0 || s.loads.Load() != 4 {
			t.Errorf("server %s: %d completions, %d weight loads: want some and 4 (the start, then every step)",
				s.URL, s.completions.Load(), s.loads.Load())
		}
	}
	if dirs, _ := filepath.Glob(filepath.Join(remote.Output.Dir, weightsDir, "step-*")); len(dirs) != 1 ||
		filepath.Base(dirs[0]) != "step-3" {
		t.Errorf("pushed weights kept: %v, want the last (step-3) only", dirs)
	}
}

// A server killed in the middle of a step's rollout: its requests are
// answered by the other server with the same seeds, so every step's batch
// is the batch of the run in process (nothing lost, nothing twice), the
// failovers are counted, and the dead server stays out once it cannot take
// the next weights.
func TestRemoteTrainingSurvivesAKilledServer(t *testing.T) {
	start := serverStart(t)
	// Per step, 8 episodes of 2 turns: 16 requests, 8 on each server; the
	// second server dies at its 11th, in the first turn of step 2.
	a, b := startTestServer(t, start, fault{}), startTestServer(t, start, fault{on: completionsPath, at: 11})
	var log strings.Builder
	var mu sync.Mutex
	servers, err := NewServers(context.Background(), ServerOptions{URLs: []string{a.URL, b.URL}, Model: "start",
		MaxRetries: 1, Log: lockedWriter{&mu, &log}})
	if err != nil {
		t.Fatal(err)
	}
	setup := func(tr *Trainer) { tr.Schedule.GroupSize, tr.Eval = 4, nil }
	native, remote, nb, rb := trainPair(t, setup, servers)
	if b.dead.Err() == nil {
		t.Fatalf("the second server never died (%d completion requests)", b.completions.Load())
	}
	sameBatches(t, nb, rb)
	recs := sameRuns(t, native, remote)
	// In use at the end of each step's rollout: both, then the first only.
	want := []struct {
		servers   float64
		failovers bool
	}{{2, false}, {1, true}, {1, false}}
	for i, r := range recs {
		d := r.Data
		live, failovers, failures := d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteFailovers], d[metrics.RolloutRemoteFailures]
		if live != want[i].servers || (failovers > 0) != want[i].failovers || failovers != failures ||
			d[metrics.RolloutRemoteRequests] != 16+failures {
			t.Errorf("step %d: %v servers, %v failovers, %v failures, %v requests", i+1, live, failovers, failures, d[metrics.RolloutRemoteRequests])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "server "+b.URL+" failed") || !strings.Contains(log.String(), "server "+b.URL+" is out of use") {
		t.Errorf("log %q: want the failure and the failed weight load of %s", log.String(), b.URL)
	}
}

// A server killed after a step's rollout, before it takes the step's
// weights: it is taken out of use, and the run goes on on the other server
// as the run in process does, without a failover.
func TestRemoteTrainingSurvivesAServerKilledBeforeThePush(t *testing.T) {
	start := serverStart(t)
	// Loads: the start's, then step 1's, at which the second server dies.
	a, b := startTestServer(t, start, fault{}), startTestServer(t, start, fault{on: loadPath, at: 2})
	servers, err := NewServers(context.Background(), ServerOptions{URLs: []string{a.URL, b.URL}, Model: "start", MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	setup := func(tr *Trainer) { tr.Eval = nil }
	native, remote, nb, rb := trainPair(t, setup, servers)
	if b.dead.Err() == nil || b.loads.Load() != 1 {
		t.Fatalf("the second server should have died at its second weight load (dead: %v, %d loads)", b.dead.Err() != nil, b.loads.Load())
	}
	sameBatches(t, nb, rb)
	recs := sameRuns(t, native, remote)
	for i, want := range []float64{2, 1, 1} {
		d := recs[i].Data
		if d[metrics.RolloutRemoteServers] != want || d[metrics.RolloutRemoteFailovers] != 0 || d[metrics.RolloutRemoteRequests] != 8 {
			t.Errorf("step %d: %v servers, %v failovers, %v requests: want %v, 0, 8", i+1, d[metrics.RolloutRemoteServers],
				d[metrics.RolloutRemoteFailovers], d[metrics.RolloutRemoteRequests], want)
		}
	}
}

// A server restarted in the middle of a step's rollout answers with its
// starting weights: the answers' fingerprint gives it away, its requests
// go to the other server, and the run is the run in process.
func TestRemoteTrainingRefusesARestartedServersAnswers(t *testing.T) {
	start := serverStart(t)
	// As in TestRemoteTrainingSurvivesAKilledServer: the second server's
	// 11th request is in the first turn of step 2.
	a, b := startTestServer(t, start, fault{}), startTestServer(t, start, fault{on: completionsPath, at: 11, restart: true})
	servers, err := NewServers(context.Background(), ServerOptions{URLs: []string{a.URL, b.URL}, Model: "start"})
	if err != nil {
		t.Fatal(err)
	}
	setup := func(tr *Trainer) { tr.Schedule.GroupSize, tr.Eval = 4, nil }
	native, remote, nb, rb := trainPair(t, setup, servers)
	if !b.restarted.Load() {
		t.Fatalf("the second server never restarted (%d completion requests)", b.completions.Load())
	}
	sameBatches(t, nb, rb)
	recs := sameRuns(t, native, remote)
	// The restarted server takes step 2's weights and is in use again.
	for i, want := range []struct {
		servers   float64
		failovers bool
	}{{2, false}, {1, true}, {2, false}} {
		d := recs[i].Data
		if d[metrics.RolloutRemoteServers] != want.servers || (d[metrics.RolloutRemoteFailovers] > 0) != want.failovers {
			t.Errorf("step %d: %v servers, %v failovers", i+1, d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteFailovers])
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Bad server lists are refused before any request, and a server in use
// that cannot take the weights is an error naming it.
func TestServersRefuseBadSettings(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/v1"
	ln.Close() // nothing listens there any more
	cases := []struct {
		urls []string
		want string
	}{
		{nil, "no server URLs"},
		{[]string{"127.0.0.1:8100/v1"}, `"127.0.0.1:8100/v1" is not an http(s) URL with a host`},
		{[]string{"ftp://h/v1"}, `"ftp://h/v1" is not an http(s) URL`},
		{[]string{"http:///v1"}, `"http:///v1" is not an http(s) URL with a host`},
		{[]string{down, down}, "server " + down + " is listed twice"},
	}
	for _, c := range cases {
		_, err := NewServers(context.Background(), ServerOptions{URLs: c.urls, Model: "m", MaxRetries: -1})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.urls, err, c.want)
		}
	}
	s, err := NewServers(context.Background(), ServerOptions{URLs: []string{down}, Model: "m", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadWeights(context.Background(), "/w"); err == nil || !strings.Contains(err.Error(), "no server holds the weights") ||
		!strings.Contains(err.Error(), "into server "+down) {
		t.Errorf("weight load into the only server, which is down: %v, want an error naming it", err)
	}
	// Servers that answer but refuse the weights (they cannot read the
	// directory) are an error naming them, and stay in use.
	start := serverStart(t)
	a, b := startTestServer(t, start, fault{}), startTestServer(t, start, fault{})
	s, err = NewServers(context.Background(), ServerOptions{URLs: []string{a.URL, b.URL}, Model: "start"})
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	err = s.LoadWeights(context.Background(), missing)
	for _, srv := range []*testServer{a, b} {
		if err == nil || !strings.Contains(err.Error(), "loading weights "+missing+" into server "+srv.URL+": /v1/load_weights: 400") {
			t.Errorf("weights no server can read: %v, want a 400 error naming %s", err, srv.URL)
		}
	}
	if live := s.Stats()[metrics.RolloutRemoteServers]; live != 2 {
		t.Errorf("%v servers in use after refusing the weights, want 2", live)
	}
}

// Servers of a member set (ServerOptions.Members): in the middle of step
// 2's rollout the second server stops answering and leaves the set, and a
// third, over other weights, joins. The requests stuck on the second move
// to the others with their seeds, the third takes the trainer's weights
// before its first request, and every step's batch, the step metrics, the
// evaluations and the final weights are those of the run in process.
func TestRemoteTrainingFollowsTheMemberSet(t *testing.T) {
	start := serverStart(t)
	var set atomic.Pointer[[]Endpoint]
	a, c := startTestServer(t, start, fault{}), startTestServer(t, start, fault{})
	// As in TestRemoteTrainingSurvivesAKilledServer: the second server's
	// 11th request is in the first turn of step 2.
	b := startTestServer(t, start, fault{on: completionsPath, at: 11, hang: true, then: func() {
		set.Store(&[]Endpoint{{ID: "a", URL: a.URL}, {ID: "c", URL: c.URL}})
	}})
	set.Store(&[]Endpoint{{ID: "a", URL: a.URL}, {ID: "b", URL: b.URL}})
	var log strings.Builder
	var mu sync.Mutex
	servers, err := NewServers(context.Background(), ServerOptions{Members: func() []Endpoint { return *set.Load() },
		Model: "start", MaxRetries: 1, FollowEvery: 20 * time.Millisecond, Log: lockedWriter{&mu, &log}})
	if err != nil {
		t.Fatal(err)
	}
	setup := func(tr *Trainer) { tr.Schedule.GroupSize, tr.Eval = 4, nil }
	native, remote, nb, rb := trainPair(t, setup, servers)
	if !b.hung.Load() || c.completions.Load() == 0 || c.loads.Load() != 3 {
		t.Fatalf("hung %v; the newcomer answered %d completions after %d weight loads, want some after 3 (step 1's on joining, then step 2's and step 3's pushes)",
			b.hung.Load(), c.completions.Load(), c.loads.Load())
	}
	sameBatches(t, nb, rb)
	recs := sameRuns(t, native, remote)
	for i, want := range []bool{false, true, false} {
		d := recs[i].Data
		if d[metrics.RolloutRemoteServers] != 2 || (d[metrics.RolloutRemoteFailovers] > 0) != want {
			t.Errorf("step %d: %v servers in use, %v failovers; want 2, failovers only in step 2", i+1,
				d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteFailovers])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(log.String(), "server "+b.URL+" left") || !strings.Contains(log.String(), "server "+c.URL+" joined") {
		t.Errorf("log %q: want %s to leave and %s to join", log.String(), b.URL, c.URL)
	}
}
