package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/metrics"
)

// remoteSuiteYAML is a run of some steps on generated BFCL tasks, with a
// learning rate at which every step changes what the next samples.
const remoteSuiteYAML = `experiment: remote
algorithms: [grpo]
seeds: [1]
reference: false
tasks: {n: 40, classes: [MathAPI]}
warm_start: {steps: 2, batch: 4}
rl: {steps: %d, tasks_per_step: 2, group_size: 2, eval_every: %d, eval_samples: 2, eval_tasks: 2, max_tokens_per_turn: 8, lr: 0.01}
`

// `seeupo train` with rl.generator remote against two `seeupo serve`
// processes gives the run that generates in process: the same step metrics
// (the servers' own figures aside, the sampler log-prob gap within float32
// rounding), the same evaluations and, bit for bit, the same final weights.
// It does so too when one server is killed (SIGKILL) in the middle of the
// run: its requests go to the other server, none lost or counted twice.
func TestTrainOnServersEqualsInProcess(t *testing.T) {
	for _, c := range []struct {
		name      string
		evalEvery int
		kill      bool
	}{{"two servers", 1, false}, {"one server killed", 3, true}} {
		t.Run(c.name, func(t *testing.T) { trainOnServers(t, c.evalEvery, c.kill) })
	}
}

// trainOnServers runs the suite in process and on two servers, with an
// evaluation every evalEvery steps; with kill, the second server's process
// is killed at its first completion request of step 2's rollout.
func trainOnServers(t *testing.T, evalEvery int, kill bool) {
	dir := t.TempDir()
	suite := filepath.Join(dir, "remote.yaml")
	if err := os.WriteFile(suite, []byte(fmt.Sprintf(remoteSuiteYAML, 3, evalEvery)), 0o644); err != nil {
		t.Fatal(err)
	}
	train := func(out string, config ...string) string {
		args := append(config, "train", "--suite", suite, "--algo", "grpo", "--out", out, "--threads", "1")
		if _, stderr, err := runCLI(t, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		return filepath.Join(out, "remote", "bfcl_gen", "grpo", "seed-1")
	}
	native := train(filepath.Join(dir, "native"))
	warm := filepath.Join(dir, "native", "remote", "warm-start")
	onServers := func(name string, a, b string) string {
		cfg := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(cfg, []byte("rl:\n  generator: remote\n  servers: "+a+","+b+"\n  server_model: tiny\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return train(filepath.Join(dir, name), "--config", cfg)
	}

	a, _ := serveModelProcess(t, warm)
	b, proc := serveModelProcess(t, warm)
	if kill {
		// After the second weight push (the one after step 1) come step
		// 2's rollout requests, no evaluation between (evalEvery 3).
		b = killAt(t, b, proc, 2, 1)
	}
	steps := sameRun(t, native, onServers("served", a, b), 3, evalEvery)
	for i, d := range steps {
		servers, failovers := 2.0, 0.0
		if kill && i >= 1 {
			servers = 1
		}
		if kill && i == 1 {
			failovers = d[metrics.RolloutRemoteFailures]
		}
		if d[metrics.RolloutRemoteServers] != servers || d[metrics.RolloutRemoteRequests] == 0 ||
			d[metrics.RolloutRemoteFailovers] != failovers || kill && i == 1 && failovers == 0 {
			t.Errorf("step %d: %v servers in use, %v requests, %v failovers, %v failures; want %v servers, failovers = failures, > 0 in step 2 of the killed run",
				i+1, d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteRequests], d[metrics.RolloutRemoteFailovers],
				d[metrics.RolloutRemoteFailures], servers)
		}
	}
}

// sameRun checks that the run at served logged what the run at native
// logged (step metrics, evaluations, final weights of n steps) and returns
// served's step metrics.
func sameRun(t *testing.T, native, served string, n, evalEvery int) []map[string]float64 {
	t.Helper()
	recA, recB := readSteps(t, native), readSteps(t, served)
	if len(recA) != n || len(recB) != n {
		t.Fatalf("%d and %d steps logged, want %d", len(recA), len(recB), n)
	}
	var steps []map[string]float64
	for i := range recA {
		for k, v := range recA[i].Data {
			w, ok := recB[i].Data[k]
			if !ok || k == metrics.LogprobDiffMean && math.Abs(v-w) > 1e-6 || k != metrics.LogprobDiffMean && v != w {
				t.Errorf("step %d: %s = %v on the servers, %v in process", i+1, k, w, v)
			}
		}
		steps = append(steps, recB[i].Data)
	}
	evA, _, _ := metrics.ReadEvals(filepath.Join(native, metrics.FileEval))
	evB, _, _ := metrics.ReadEvals(filepath.Join(served, metrics.FileEval))
	if len(evA) != 1+n/evalEvery || !reflect.DeepEqual(evA, evB) {
		t.Errorf("evaluations differ:\nin process %+v\nservers    %+v", evA, evB)
	}
	weights := func(run string) []byte {
		b, err := os.ReadFile(filepath.Join(run, "checkpoints", fmt.Sprintf("step-%d", n), "policy", "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(weights(native), weights(served)) {
		t.Error("the final weights differ")
	}
	return steps
}

// serveModelProcess starts `seeupo serve` over dir as a process of its own (the
// test binary runs the CLI in a child, as in the crash test) and returns
// its API root and the process; the test's end kills it.
func serveModelProcess(t *testing.T, dir string) (string, *os.Process) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--checkpoint", dir, "--addr", "127.0.0.1:0", "--model", "tiny", "--threads", "1")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	addr := regexp.MustCompile(`on (http://\S+/v1)`)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return m[1], cmd.Process
		}
		select {
		case <-exited:
			t.Fatalf("seeupo serve ended:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("seeupo serve did not print its address: %q", out.String())
	return "", nil
}

// killAt puts a proxy in front of the server at api that, at the n-th
// completion request after the server's pushes-th weight load, kills the
// server's process (SIGKILL) and cuts that request's connection: a server
// that dies in the middle of a rollout. It returns the proxy's API root.
func killAt(t *testing.T, api string, proc *os.Process, pushes, n int64) string {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	forward.ErrorLog = log.New(io.Discard, "", 0)
	var loads, seen atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/load_weights") {
			loads.Add(1)
		}
		if strings.HasSuffix(r.URL.Path, "/completions") && loads.Load() == pushes && seen.Add(1) == n {
			proc.Kill()
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL + target.Path
}

// readSteps reads metrics.jsonl without the wall-clock figures.
func readSteps(t *testing.T, run string) []metrics.Record {
	t.Helper()
	recs, problems, err := metrics.ReadMetrics(filepath.Join(run, metrics.FileMetrics))
	if err != nil || len(problems) > 0 {
		t.Fatalf("%s: %v %v", run, err, problems)
	}
	for _, r := range recs {
		for k := range r.Data {
			if strings.HasPrefix(k, "timing_s/") || k == metrics.PerfThroughput {
				delete(r.Data, k)
			}
		}
	}
	return recs
}
