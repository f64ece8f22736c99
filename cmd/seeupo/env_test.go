package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
	"github.com/seeupo/seeupo/internal/testdata"
)

// lockedBuffer collects a command's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEnvServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"env", "serve", "--suite", "counter", "--param", "tasks=3", "--addr", "127.0.0.1:0"}, &out, &errOut)
	}()
	re := regexp.MustCompile(`serving counter on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no serving line; stdout %q stderr %q", out.String(), errOut.String())
	}
	c, _ := env.NewClient(env.ClientOptions{BaseURL: url})
	rs, err := env.OpenRemote(ctx, c, "counter")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := rs.Tasks("test")
	if err != nil || len(tasks) != 3 {
		t.Fatalf("tasks %v %v", tasks, err)
	}
	hout, _, err := runCLI(t, "env", "health", "--url", url)
	if err != nil || !strings.Contains(hout, "OK") {
		t.Fatalf("env health: %v %q", err, hout)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}

func TestEnvServeRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"env", "serve", "--suite", "nope", "--addr", "127.0.0.1:0"}, `unknown suite "nope"; known suites: `},
		{[]string{"env", "serve", "--suite", "counter", "--param", "tasks"}, `--param "tasks": want KEY=VALUE`},
		{[]string{"env", "serve", "--suite", "counter", "--param", "tasks=x", "--addr", "127.0.0.1:0"}, `param tasks="x"`},
		{[]string{"env", "serve"}, `required flag(s) "suite" not set`},
		{[]string{"env", "eval", "--suite", "nope"}, `unknown suite "nope"; known suites: `},
		{[]string{"env", "eval", "--backend", "http"}, "env.urls is empty"},
		{[]string{"env", "eval", "--backend", "kubernetes"}, `kubernetes`},
		{[]string{"env", "health", "--url", "http://127.0.0.1:1", "--timeout", "1s"}, "is not healthy"},
	} {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
}

var digestRe = regexp.MustCompile(`outcome digest ([0-9a-f]{16})`)

func evalDigest(t *testing.T, args ...string) (digest, out string) {
	t.Helper()
	out, stderr, err := runCLI(t, append([]string{"env", "eval", "--suite", "counter", "--seed", "3"}, args...)...)
	if err != nil {
		t.Fatalf("env eval %v: %v\n%s\n%s", args, err, out, stderr)
	}
	m := digestRe.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "64 episodes: ") || !strings.Contains(out, " 0 error") {
		t.Fatalf("env eval %v printed:\n%s", args, out)
	}
	return m[1], out
}

func TestEnvEvalBackendsAgree(t *testing.T) {
	want, _ := evalDigest(t, "--backend", "inproc", "--pool", "3")
	var urls []string
	for range 2 {
		s, _ := counter.Open(env.Options{})
		srv, err := env.NewServer(env.ServerOptions{Suites: []env.Suite{s}})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		defer hs.Close()
		urls = append(urls, hs.URL)
	}
	got, out := evalDigest(t, "--backend", "http", "--urls", strings.Join(urls, ","))
	if got != want || !strings.Contains(out, "backend http (2)") {
		t.Fatalf("http digest %s, in-process %s\n%s", got, want, out)
	}
}

func TestEnvEvalDockerAgrees(t *testing.T) {
	_, bin, _ := testDocker(t)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	want, _ := evalDigest(t, "--backend", "inproc")
	got, out := evalDigest(t, "--backend", "docker", "--pool", "2", "--binary", bin)
	if got != want || !strings.Contains(out, "backend docker (2)") {
		t.Fatalf("docker digest %s, in-process %s\n%s", got, want, out)
	}
	dout, _, err := runCLI(t, "env", "down", "--run", "no-such-run")
	if err != nil || dout != "removed 0 containers and 0 networks\n" {
		t.Fatalf("env down: %v %q", err, dout)
	}
}

func TestEnvEvalWritesRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.jsonl")
	if _, _, err := runCLI(t, "env", "eval", "--suite", "counter", "--limit", "5", "--out", path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], `"task_id":"train-0"`) || !strings.Contains(lines[0], `"status":`) {
		t.Fatalf("records:\n%s", data)
	}
}

// startEnvServe runs env serve with args until the test ends and returns
// its base URL and output.
func startEnvServe(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"env", "serve", "--addr", "127.0.0.1:0"}, args...), &out, &errOut)
	}()
	t.Cleanup(func() { cancel(); <-done })
	re := regexp.MustCompile(`serving .* on (http://127\.0\.0\.1:\d+)\n.*live instances`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1], &out
		}
	}
	t.Fatalf("no serving lines; stdout %q stderr %q", out.String(), errOut.String())
	return "", nil
}

// TestEnvServeSizesInstanceLimitFromMemory fixes the available memory and
// expects the default instance limit to follow it: native AppWorld
// instances cost 24 MiB each, so half of 2 GiB holds 42; the counter
// suite's 1 MiB default cost in 4 MiB gives 2, and a third /create gets
// 503. An explicit --max-instances wins.
func TestEnvServeSizesInstanceLimitFromMemory(t *testing.T) {
	saved := availableMemory
	t.Cleanup(func() { availableMemory = saved })
	for _, c := range []struct {
		mem  uint64
		args []string
		want string
	}{
		{2 << 30, []string{"--suite", "appworld"}, "at most 42 live instances: half of 2.0 GiB available memory at about 24 MiB each"},
		{2 << 30, []string{"--suite", "appworld", "--max-instances", "5"}, "at most 5 live instances (env.server.max_instances)"},
		{64 << 30, []string{"--suite", "counter"}, "at most 1024 live instances"},
	} {
		availableMemory = func() uint64 { return c.mem }
		if _, out := startEnvServe(t, c.args...); !strings.Contains(out.String(), c.want) {
			t.Errorf("%v with %d bytes: output %q, want %q", c.args, c.mem, out.String(), c.want)
		}
	}
	availableMemory = func() uint64 { return 4 << 20 }
	url, out := startEnvServe(t, "--suite", "counter", "--param", "tasks=3")
	if !strings.Contains(out.String(), "at most 2 live instances") {
		t.Fatalf("output %q", out.String())
	}
	c, _ := env.NewClient(env.ClientOptions{BaseURL: url})
	ctx := context.Background()
	task := env.Task{ID: "train-1", Suite: "counter"}
	for _, id := range []string{"a", "b"} {
		if _, err := c.Create(ctx, task, id); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	if _, err := c.Create(ctx, task, "c"); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("third create: %v, want the instance limit", err)
	}
}

// TestEnvServeSetsTheCollector fixes the memory budget and expects env
// serve to run its collector at env.server.gc_percent under a soft limit
// of half the budget, to leave it alone where GOGC or GOMEMLIMIT is set,
// and to restore the process's setting when it stops; the config's
// default is env.DefaultServerGCPercent.
func TestEnvServeSetsTheCollector(t *testing.T) {
	if d := config.Default().Env.Server.GCPercent; d != env.DefaultServerGCPercent {
		t.Errorf("env.server.gc_percent defaults to %d, env.DefaultServerGCPercent is %d", d, env.DefaultServerGCPercent)
	}
	savedBudget := memoryBudget
	t.Cleanup(func() { memoryBudget = savedBudget })
	memoryBudget = func() uint64 { return 512 << 20 }
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	cases := []struct {
		name, gogc, want string
		percent          int
		limit            int64
	}{
		{"default", "", "garbage collector: GC percent 800, soft memory limit 256 MiB (env.server.gc_percent; the limit is half of 512 MiB)", 800, 256 << 20},
		{"GOGC set", "200", `garbage collector as the environment sets it (GOGC="200", GOMEMLIMIT="")`, before, -1},
	}
	for _, c := range cases {
		getenv := func(k string) string {
			if k == "GOGC" {
				return c.gogc
			}
			return ""
		}
		about, restore := setServerGC(800, getenv)
		percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
		debug.SetGCPercent(percent)
		restore()
		if about != c.want {
			t.Errorf("%s: %q, want %q", c.name, about, c.want)
		}
		if percent != c.percent || (c.limit > 0 && limit != c.limit) {
			t.Errorf("%s: collector at percent %d limit %d, want %d and %d", c.name, percent, limit, c.percent, c.limit)
		}
		if after := debug.SetGCPercent(100); after != before {
			t.Errorf("%s: percent %d after restoring, want %d", c.name, after, before)
		}
		debug.SetGCPercent(before)
	}
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	_, out := startEnvServe(t, "--suite", "counter")
	if !strings.Contains(out.String(), "garbage collector: GC percent 800, soft memory limit 256 MiB") {
		t.Errorf("env serve output %q: no collector line", out.String())
	}
}

// TestEnvServeBFCLSurvivesAnOversizedCall serves BFCL, opens two
// instances and steps the first with a 100-byte call whose argument would
// expand to a gigabyte: it gets the size error as that call's output, and
// both instances go on.
func TestEnvServeBFCLSurvivesAnOversizedCall(t *testing.T) {
	url, _ := startEnvServe(t, "--data-dir", bfclData(t), "--suite", "bfcl")
	c, _ := env.NewClient(env.ClientOptions{BaseURL: url})
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if _, err := c.Create(ctx, env.Task{ID: "multi_turn_base_0", Suite: "bfcl"}, id); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	st, err := c.Step(ctx, "a", "[echo(content=[[['A'*1024]*1024]*1024]), pwd()]", 1)
	if err != nil {
		t.Fatal(err)
	}
	outs, _ := st.Info.Step["outputs"].([]any)
	if len(outs) != 2 || !strings.HasPrefix(fmt.Sprint(outs[0]), "Error during execution: value too large") ||
		!strings.Contains(fmt.Sprint(outs[1]), "current_working_directory") {
		t.Fatalf("outputs %.300q", outs)
	}
	for i, id := range []string{"b", "a"} {
		st, err := c.Step(ctx, id, "[pwd()]", 1+i)
		if err != nil {
			t.Fatalf("step %s: %v", id, err)
		}
		if outs, _ := st.Info.Step["outputs"].([]any); len(outs) != 1 || !strings.Contains(fmt.Sprint(outs[0]), "current_working_directory") {
			t.Fatalf("step %s: outputs %.300q", id, outs)
		}
	}
}

// TestEnvEvalScriptedDigests pins the outcome digests of the scripted
// reference episodes that docs/envservice.md and docs/appworld.md quote:
// the ground truth (BFCL) and reference solutions (AppWorld) with a
// seeded third cut short, as the environments demonstrate them.
func TestEnvEvalScriptedDigests(t *testing.T) {
	cases := []struct {
		suite, split, data, summary, digest string
	}{
		{"bfcl", "test", "bfcl_v4", "400 episodes: 258 success, 142 failure, 0 error", "ab0a95cc3a1d9712"},
		{"bfcl", "train", "bfcl_v4", "400 episodes: 210 success, 190 failure, 0 error", "723fdb3975d4f5cb"},
		{"appworld", "dev", "", "27 episodes: 19 success, 8 failure, 0 error", "d655dd49365f30eb"},
	}
	for _, c := range cases {
		t.Run(c.suite+"/"+c.split, func(t *testing.T) {
			args := []string{"env", "eval", "--suite", c.suite, "--split", c.split, "--backend", "inproc", "--log-level", "warn"}
			if c.data != "" {
				args = append(args, "--data-dir", filepath.Dir(testdata.Dir(t, c.data)))
			}
			out, stderr, err := runCLI(t, args...)
			if err != nil {
				t.Fatalf("%v: %v\n%s", args, err, stderr)
			}
			if !strings.Contains(out, c.summary) || !strings.Contains(out, "outcome digest "+c.digest) {
				t.Errorf("%v printed:\n%s\nwant %q and digest %s", args, out, c.summary, c.digest)
			}
		})
	}
}

// TestDemonstratingSuites checks the help text's list: each suite opens as
// an env.Demonstrator, and a suite with neither a seeded script nor
// demonstrations is refused with the list of scripted suites.
func TestDemonstratingSuites(t *testing.T) {
	opts := env.Options{DataDir: filepath.Dir(testdata.Dir(t, "bfcl_v4"))}
	for _, name := range demonstratingSuites {
		s, err := env.Open(name, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := s.(env.Demonstrator); !ok {
			t.Errorf("%s is listed as demonstrating its tasks but is no env.Demonstrator", name)
		}
	}
	plain, err := counter.Open(env.Options{}) // scripted by seed, not by demonstrations
	if err != nil {
		t.Fatal(err)
	}
	_, err = demonstrationScript(plain)
	if err == nil || !strings.Contains(err.Error(), `suite "counter"; scripted suites: appworld, bfcl, bfcl_gen, counter`) {
		t.Errorf("suite without demonstrations: %v", err)
	}
}
