package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
	"github.com/seeupo/seeupo/internal/testswarm"
)

// bfclTestDigest is the in-process outcome digest of the BFCL test split
// that TestEnvEvalScriptedDigests pins.
const (
	bfclTestDigest  = "ab0a95cc3a1d9712"
	bfclTestSummary = "400 episodes: 258 success, 142 failure, 0 error"
)

// testSwarm makes the engine a Swarm manager for the test
// (testswarm.Use: a one-node Swarm when the engine is in none).
func testSwarm(t *testing.T, cli *client.Client) { testswarm.Use(t, cli) }

// TestEnvEvalSwarmBFCL runs the BFCL test split on a replicated Swarm
// service: plainly, with 20 task containers killed during the run, and
// with the service scaled from 2 to 4 to 1 tasks during the run. Each run
// records every episode once with the in-process digest.
func TestEnvEvalSwarmBFCL(t *testing.T) {
	cli, bin, _ := testDocker(t)
	testSwarm(t, cli)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	data := filepath.Dir(testdata.Dir(t, "bfcl_v4"))
	base := []string{"env", "eval", "--suite", "bfcl", "--split", "test", "--backend", "docker", "--swarm",
		"--binary", bin, "--data-dir", data, "--log-level", "warn"}

	t.Run("digest", func(t *testing.T) {
		start := time.Now()
		out, stderr, err := runCLI(t, append(base, "--pool", "2")...)
		if err != nil || !strings.Contains(out, "backend docker swarm (2): "+bfclTestSummary) || !strings.Contains(out, "outcome digest "+bfclTestDigest) {
			t.Fatalf("err %v\n%s\n%s", err, out, stderr)
		}
		t.Logf("%s in %s", strings.TrimSpace(out), time.Since(start).Round(time.Millisecond))
	})

	t.Run("20 kills", func(t *testing.T) {
		// Twenty kills in about 2000 steps keep the service short of
		// tasks (Swarm needs about 3 s to replace one), so an episode can
		// lose its server on several tasks in a row: with the default 3
		// attempts one of three runs recorded one episode as an error.
		t.Setenv("SEEUPO_ENV_EPISODE_ATTEMPTS", "5")
		records := filepath.Join(t.TempDir(), "records.jsonl")
		start := time.Now()
		out, stderr, err := runCLI(t, append(base, "--pool", "3", "--kill-on-step", "40", "--kills", "20", "--out", records)...)
		if err != nil || !strings.Contains(out, bfclTestSummary) || !strings.Contains(out, "outcome digest "+bfclTestDigest) {
			t.Fatalf("err %v\n%s\n%s", err, out, stderr)
		}
		if n := strings.Count(stderr, "killed the task's container mid-episode"); n != 20 {
			t.Errorf("%d containers killed, want 20", n)
		}
		checkOncePerEpisode(t, records, 400)
		t.Logf("%s in %s", strings.TrimSpace(out), time.Since(start).Round(time.Millisecond))
	})

	t.Run("scaled 2 to 4 to 1", func(t *testing.T) {
		start := time.Now()
		recs := scaledRun(t, cli, data)
		if d := outcomeDigest(recs); d != bfclTestDigest || len(recs) != 400 {
			t.Fatalf("%d records, digest %s; want 400 and %s", len(recs), d, bfclTestDigest)
		}
		t.Logf("400 episodes in %s", time.Since(start).Round(time.Millisecond))
	})
}

// checkOncePerEpisode reads the records file: one record per episode
// index, none missing, none twice, none without a verdict.
func checkOncePerEpisode(t *testing.T, path string, n int) {
	t.Helper()
	var recs []env.EpisodeRecord
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r env.EpisodeRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	seen := make([]int, n)
	retried := 0
	for _, r := range recs {
		if r.Index < 0 || r.Index >= n || r.Status == env.StatusErrored {
			t.Errorf("record %+v", r)
			continue
		}
		seen[r.Index]++
		if r.Attempts > 1 {
			retried++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("episode %d recorded %d times", i, c)
		}
	}
	if retried == 0 {
		t.Error("no episode was retried")
	}
	t.Logf("%d records, %d retried", len(recs), retried)
}

// scaledRun runs the BFCL test split on a service of 2 tasks, scaled to 4
// once 100 episodes started and to 1 once 250 did: the episodes from 150
// on wait until 4 tasks serve, those from 300 on until only 1 does.
func scaledRun(t *testing.T, cli *client.Client, data string) []env.EpisodeRecord {
	t.Helper()
	ctx := context.Background()
	sopts, err := suiteOptions(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Env.Pool = 2
	_, _, image := testDocker(t)
	opts := dockerOptions(cfg, bfcl.SuiteName, image, sopts, env.ClientOptions{CallTimeout: 10 * time.Second}, nil)
	opts.WatchEvery = 200 * time.Millisecond
	svc, err := container.StartService(ctx, cli, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := svc.Close(); err != nil {
			t.Error(err)
		}
	}()
	script, err := newScript(bfcl.SuiteName, sopts)
	if err != nil {
		t.Fatal(err)
	}
	backends := svc.Backends(bfcl.SuiteName)
	tasks, err := backends[0].Suite.Tasks("test")
	if err != nil {
		t.Fatal(err)
	}
	eps := make([]env.Episode, len(tasks))
	index := map[string]int{}
	for i, task := range tasks {
		acts, err := script(task, 1)
		if err != nil {
			t.Fatal(err)
		}
		eps[i], index[task.ID] = env.Episode{Task: task, Actions: acts}, i
	}
	var scaled [2]sync.Once
	scale := func(i, n int) bool {
		scaled[i].Do(func() {
			if err := svc.Scale(ctx, n); err != nil {
				t.Errorf("scaling to %d: %v", n, err)
			}
		})
		return len(svc.Members()) == n
	}
	g := &scaleGate{index: index, steps: []scaleStep{
		{100, 150, &latch{cond: func() bool { return scale(0, 4) }}},
		{250, 300, &latch{cond: func() bool { return scale(1, 1) }}}}}
	members := func() []env.Backend {
		bs := svc.Backends(bfcl.SuiteName)
		for i := range bs {
			bs[i].Suite = gatedSuite{bs[i].Suite, g}
		}
		return bs
	}
	recs, err := env.RunEpisodes(ctx, members(), eps, env.RunOptions{Concurrency: 4, Members: members})
	if err != nil {
		t.Fatal(err)
	}
	used, late := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		used[r.Backend] = true
		if r.Index >= 300+4 { // up to Concurrency were handed their task before the scale-down
			late[r.Backend] = true
		}
	}
	if len(used) < 4 || len(late) != 1 {
		t.Errorf("episodes ran on %d tasks (want 4 or more), those from 304 on on %d (want 1)", len(used), len(late))
	}
	return recs
}

type scaleStep struct {
	at, waitFrom int
	done         *latch
}

// latch is a condition that counts as true from 300 ms after it first
// held (longer than the driver takes to notice a change of members), and
// then stays true.
type latch struct {
	mu    sync.Mutex
	since time.Time
	cond  func() bool
}

func (l *latch) ok() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.since.IsZero() && l.cond() {
		l.since = time.Now()
	}
	return !l.since.IsZero() && time.Since(l.since) >= 300*time.Millisecond
}

// scaleGate changes the service when episode at starts, and holds
// episodes from waitFrom on until the change is done.
type scaleGate struct {
	index map[string]int
	steps []scaleStep
}

type gatedSuite struct {
	env.Suite
	g *scaleGate
}

type gatedEnv struct {
	env.Env
	g *scaleGate
}

func (s gatedSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return gatedEnv{e, s.g}, err
}

func (e gatedEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	i := e.g.index[t.ID]
	for _, st := range e.g.steps {
		if i >= st.at {
			st.done.ok()
		}
		for i >= st.waitFrom && !st.done.ok() {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return e.Env.Reset(ctx, t)
}

// TestEnvUpScaleDownSwarm runs a service the way people who run the fleet
// themselves do: env up, a run on it, env scale, env down.
func TestEnvUpScaleDownSwarm(t *testing.T) {
	cli, bin, _ := testDocker(t)
	testSwarm(t, cli)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	ctx := context.Background()
	run := "cmdtest-" + env.NewInstanceID()[5:13]
	name := "seeupo-env-" + run
	defer container.DownSwarm(ctx, cli, run)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"env", "up", "--suite", "counter"}, "pass --swarm"},
		{[]string{"env", "scale", "--service", name, "2"}, "pass --swarm"},
		{[]string{"env", "scale", "--swarm", "--service", name, "x"}, "want a whole number"},
		{[]string{"env", "up", "--swarm", "--suite", "nope"}, `unknown suite "nope"`},
	} {
		if _, _, err := runCLI(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}

	out, stderr, err := runCLI(t, "env", "up", "--swarm", "--suite", "counter", "--pool", "2", "--run", run, "--binary", bin, "--log-level", "warn")
	if err != nil || !strings.Contains(out, "service "+name+" (run "+run+"): 2 tasks serving counter") {
		t.Fatalf("env up: %v\n%s\n%s", err, out, stderr)
	}
	want, _ := evalDigest(t, "--backend", "inproc")
	got, eout := evalDigest(t, "--backend", "docker", "--swarm", "--service", run)
	if got != want || !strings.Contains(eout, "backend docker swarm (2)") {
		t.Fatalf("digest %s on the service, %s in process\n%s", got, want, eout)
	}
	if _, _, err := cli.ServiceInspectWithRaw(ctx, name, swarm.ServiceInspectOptions{}); err != nil {
		t.Fatalf("the run removed the service it did not make: %v", err)
	}
	out, _, err = runCLI(t, "env", "scale", "--swarm", "--service", name, "3")
	if err != nil || out != "service "+name+" scaled to 3 tasks\n" {
		t.Fatalf("env scale: %v %q", err, out)
	}
	svc, _, err := cli.ServiceInspectWithRaw(ctx, name, swarm.ServiceInspectOptions{})
	if err != nil || *svc.Spec.Mode.Replicated.Replicas != 3 {
		t.Fatalf("after env scale: %v", err)
	}
	out, _, err = runCLI(t, "env", "down", "--swarm", "--run", run)
	if err != nil || !strings.HasPrefix(out, "removed 1 services\nremoved ") || !strings.HasSuffix(out, " containers and 1 networks\n") {
		t.Fatalf("env down: %v %q", err, out)
	}
	if _, _, err := cli.ServiceInspectWithRaw(ctx, name, swarm.ServiceInspectOptions{}); !client.IsErrNotFound(err) {
		t.Fatalf("service after env down: %v", err)
	}
}
