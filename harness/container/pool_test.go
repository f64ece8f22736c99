package container_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dcontainer "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

var (
	setupOnce  sync.Once
	testCli    *client.Client
	testImage  string
	setupErr   error
	skipReason string
	binDir     string
)

var imageRemoveOptions = image.RemoveOptions{Force: true, PruneChildren: true}

func TestMain(m *testing.M) {
	code := m.Run()
	if testCli != nil {
		// Each test removes its own pools; other packages' pools may be
		// running, so nothing else is removed here but the image.
		if testImage != "" {
			testCli.ImageRemove(context.Background(), testImage, imageRemoveOptions)
		}
		testCli.Close()
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// docker returns the engine and the environment image, building the
// static binary and the image once; it skips when no engine answers.
func docker(t testing.TB) (*client.Client, string) {
	t.Helper()
	setupOnce.Do(func() {
		cli, err := container.Connect(context.Background())
		if err != nil {
			skipReason = err.Error()
			return
		}
		testCli = cli
		root, ok := config.FindCheckout("")
		if !ok {
			setupErr = fmt.Errorf("no source checkout above the working directory")
			return
		}
		binDir, err = os.MkdirTemp("", "seeupo-container-test")
		if err != nil {
			setupErr = err
			return
		}
		bin := filepath.Join(binDir, "seeupo")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if setupErr = container.BuildBinary(ctx, root, bin); setupErr != nil {
			return
		}
		tag, err := container.ImageTag("seeupo-env-test", bin)
		if err != nil {
			setupErr = err
			return
		}
		if _, setupErr = container.BuildImage(ctx, cli, bin, tag); setupErr == nil {
			testImage = tag
		}
	})
	if skipReason != "" {
		t.Skipf("the container tests need a Docker engine: %s (install one, e.g. apt install docker.io, or set DOCKER_HOST to a reachable engine)", skipReason)
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return testCli, testImage
}

// startPool starts n containers serving the counter suite and removes them
// when the test ends.
func startPool(t testing.TB, n int, mod func(*container.Options)) *container.Pool {
	t.Helper()
	cli, image := docker(t)
	opts := container.Options{
		Image: image, Suites: []string{counter.Name}, Params: map[string]string{"tasks": "16"},
		Replicas: n, MemoryBytes: 64 << 20, NanoCPUs: 5e8, PIDs: 64,
		Client: env.ClientOptions{CallTimeout: 5 * time.Second, Retries: 2, Backoff: 50 * time.Millisecond},
	}
	if mod != nil {
		mod(&opts)
	}
	p, err := container.Start(context.Background(), cli, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func labelled(t testing.TB, cli *client.Client, run string) (containers, networks int) {
	t.Helper()
	f := filters.NewArgs(filters.Arg("label", container.LabelEnv+"=1"))
	if run != "" {
		f.Add("label", container.LabelRun+"="+run)
	}
	cs, err := cli.ContainerList(context.Background(), dcontainer.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := cli.NetworkList(context.Background(), network.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs), len(ns)
}

func TestContainerHardening(t *testing.T) {
	data := t.TempDir()
	p := startPool(t, 1, func(o *container.Options) { o.DataDir = data })
	cli, _ := docker(t)
	ctx := context.Background()
	m := p.Members()[0]
	info, err := cli.ContainerInspect(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	hc := info.HostConfig
	checks := []struct {
		setting string
		ok      bool
		got     any
	}{
		{"non-root user 65534:65534", info.Config.User == container.User, info.Config.User},
		{"read-only root file system", hc.ReadonlyRootfs, hc.ReadonlyRootfs},
		{"all capabilities dropped", slices.Equal(hc.CapDrop, []string{"ALL"}) && len(hc.CapAdd) == 0, [2]any{hc.CapDrop, hc.CapAdd}},
		{"no-new-privileges", slices.Contains(hc.SecurityOpt, "no-new-privileges:true"), hc.SecurityOpt},
		{"not privileged", !hc.Privileged, hc.Privileged},
		{"memory limit 64 MiB, no swap", hc.Memory == 64<<20 && hc.MemorySwap == 64<<20, [2]int64{hc.Memory, hc.MemorySwap}},
		{"CPU limit 0.5", hc.NanoCPUs == 5e8, hc.NanoCPUs},
		{"PID limit 64", hc.PidsLimit != nil && *hc.PidsLimit == 64, hc.PidsLimit},
		{"no restart by the engine (the pool restarts)", hc.RestartPolicy.Name == "no", hc.RestartPolicy.Name},
		{"only on the pool's network", len(info.NetworkSettings.Networks) == 1 && info.NetworkSettings.Networks[p.Network()] != nil, info.NetworkSettings.Networks},
		{"no published port", len(hc.PortBindings) == 0, hc.PortBindings},
		{"/tmp a small noexec tmpfs", hc.Tmpfs["/tmp"] == "rw,noexec,nosuid,nodev,size=16m", hc.Tmpfs},
		{"GOMAXPROCS matches the CPU limit", slices.Contains(info.Config.Env, "GOMAXPROCS=1"), info.Config.Env},
		{"labelled for env down", info.Config.Labels[container.LabelEnv] == "1" && info.Config.Labels[container.LabelRun] == p.RunID(), info.Config.Labels},
	}
	var dataMount *dcontainer.MountPoint
	for i := range info.Mounts {
		if info.Mounts[i].Destination == container.DataMount {
			dataMount = &info.Mounts[i]
		}
	}
	checks = append(checks, struct {
		setting string
		ok      bool
		got     any
	}{"data directory mounted read-only at /data", dataMount != nil && !dataMount.RW && dataMount.Source == data, info.Mounts})
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: got %v", c.setting, c.got)
		}
	}
	top, err := cli.ContainerTop(ctx, m.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	uid := slices.Index(top.Titles, "UID")
	if uid < 0 || len(top.Processes) != 1 || !slices.Contains([]string{"65534", "nobody"}, top.Processes[0][uid]) {
		t.Errorf("processes: %v %v; want one, run by uid 65534", top.Titles, top.Processes)
	}
	net, err := cli.NetworkInspect(ctx, p.Network(), network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !net.Internal || net.Options["com.docker.network.bridge.enable_icc"] != "false" {
		t.Errorf("network %s: internal %v, options %v; want internal with inter-container traffic off", net.Name, net.Internal, net.Options)
	}
}

// probe runs "seeupo env health" in a throwaway container on netName and
// reports whether it reached url.
func probe(t *testing.T, netName, url string) (reached bool, output string) {
	t.Helper()
	cli, image := docker(t)
	ctx := context.Background()
	resp, err := cli.ContainerCreate(ctx, &dcontainer.Config{
		Image: image, Entrypoint: []string{"/seeupo", "env", "health", "--url", url, "--timeout", "2s"},
		Labels: map[string]string{container.LabelEnv: "1"},
	}, &dcontainer.HostConfig{NetworkMode: dcontainer.NetworkMode(netName)}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(ctx, resp.ID, dcontainer.RemoveOptions{Force: true})
	if err := cli.ContainerStart(ctx, resp.ID, dcontainer.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	okc, errc := cli.ContainerWait(ctx, resp.ID, dcontainer.WaitConditionNotRunning)
	select {
	case w := <-okc:
		logs, _ := cli.ContainerLogs(ctx, resp.ID, dcontainer.LogsOptions{ShowStdout: true, ShowStderr: true})
		var b bytes.Buffer
		if logs != nil {
			b.ReadFrom(logs)
			logs.Close()
		}
		return w.StatusCode == 0, b.String()
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("probe container did not finish")
	}
	return false, ""
}

// TestContainerReachableOnlyFromTheHarness checks what can reach a
// server: the harness (this process, and so the host's network stack) can;
// a container on the default bridge and one on the pool's own network
// cannot.
func TestContainerReachableOnlyFromTheHarness(t *testing.T) {
	p := startPool(t, 1, nil)
	u := p.Members()[0].URL()
	if err := p.Members()[0].Client().Health(context.Background()); err != nil {
		t.Fatalf("the harness cannot reach %s: %v", u, err)
	}
	// The probe itself works: from the host's network stack it gets through.
	if reached, out := probe(t, "host", u); !reached || !strings.Contains(out, "OK") {
		t.Fatalf("probe from the host network failed: %s", out)
	}
	for _, netName := range []string{"bridge", p.Network()} {
		if reached, out := probe(t, netName, u); reached {
			t.Errorf("a container on network %s reached %s: %s", netName, u, out)
		}
	}
}

func TestPublishedPortMode(t *testing.T) {
	on := true
	p := startPool(t, 1, func(o *container.Options) { o.Publish = &on })
	u := p.Members()[0].URL()
	if !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("published URL %s, want one on 127.0.0.1", u)
	}
	if err := p.Members()[0].Client().Health(context.Background()); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

func counterEpisodes(t testing.TB, s env.Suite, split string, seed int64) []env.Episode {
	t.Helper()
	tasks, err := s.Tasks(split)
	if err != nil {
		t.Fatal(err)
	}
	eps := make([]env.Episode, len(tasks))
	for i, task := range tasks {
		eps[i] = env.Episode{Task: task, Actions: counter.Actions(task, seed)}
	}
	return eps
}

func outcomes(recs []env.EpisodeRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Outcome()
	}
	return out
}

func inProcess(t testing.TB, eps []env.Episode) []env.EpisodeRecord {
	t.Helper()
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	recs, err := env.RunEpisodes(context.Background(), []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestFourContainersMatchInProcess runs the same seeded episodes in
// process and over four containers.
func TestFourContainersMatchInProcess(t *testing.T) {
	p := startPool(t, 4, nil)
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	for _, split := range []string{"train", "test"} {
		eps := counterEpisodes(t, local, split, 11)
		want := inProcess(t, eps)
		got, err := env.RunEpisodes(context.Background(), p.Backends(counter.Name), eps, env.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(outcomes(got), outcomes(want)) {
			t.Fatalf("split %s: containers\n%s\nin process\n%s", split, strings.Join(outcomes(got), "\n"), strings.Join(outcomes(want), "\n"))
		}
		used := map[string]bool{}
		for _, r := range got {
			used[r.Backend] = true
		}
		if len(used) != 4 {
			t.Errorf("split %s ran on %d containers, want 4: %v", split, len(used), used)
		}
	}
}

// killingSuite kills container victim when an environment of it takes its
// kth step overall, just before sending that step.
type killingSuite struct {
	env.Suite
	pool   *container.Pool
	victim int
	k      int32
	steps  *atomic.Int32
	killed chan string // the task id of the episode cut short
}

type killingEnv struct {
	env.Env
	s    *killingSuite
	task string
}

func (s *killingSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return &killingEnv{Env: e, s: s}, err
}

func (e *killingEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	e.task = t.ID
	return e.Env.Reset(ctx, t)
}

func (e *killingEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	if e.s.steps.Add(1) == e.s.k {
		if err := e.s.pool.Kill(ctx, e.s.victim); err != nil {
			return env.StepResult{}, err
		}
		e.s.killed <- e.task
	}
	return e.Env.Step(ctx, action)
}

// TestKilledContainerEpisodeRetried kills a container in the middle of an
// episode: the episode is retried from Reset on a healthy container, the
// container is restarted, and every episode is recorded exactly once with
// the in-process outcome.
func TestKilledContainerEpisodeRetried(t *testing.T) {
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := startPool(t, 4, func(o *container.Options) { o.Logger = logger })
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	eps := counterEpisodes(t, local, "train", 5)
	want := inProcess(t, eps)

	backends := p.Backends(counter.Name)
	var steps atomic.Int32
	ks := &killingSuite{Suite: backends[0].Suite, pool: p, victim: 0, k: 3, steps: &steps, killed: make(chan string, 1)}
	backends[0].Suite = ks
	got, err := env.RunEpisodes(context.Background(), backends, eps, env.RunOptions{Backoff: 50 * time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	var cut string
	select {
	case cut = <-ks.killed:
	default:
		t.Fatal("no container was killed")
	}
	if len(got) != len(eps) {
		t.Fatalf("%d records for %d episodes", len(got), len(eps))
	}
	if !slices.Equal(outcomes(got), outcomes(want)) {
		t.Fatalf("after the kill\n%s\nin process\n%s", strings.Join(outcomes(got), "\n"), strings.Join(outcomes(want), "\n"))
	}
	for _, r := range got {
		if r.TaskID == cut && (r.Attempts < 2 || r.Backend == p.Members()[0].Name) {
			t.Errorf("the episode cut short (%s) was recorded after %d attempts on %s", cut, r.Attempts, r.Backend)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for p.Members()[0].Restarts() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	log := logBuf.String()
	for _, want := range []string{"container exited; restarting it", "container restarted", "episode attempt failed",
		"task=" + cut} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if p.Members()[0].Restarts() != 1 {
		t.Errorf("victim restarted %d times, want 1", p.Members()[0].Restarts())
	}
	if n := strings.Count(log, "msg=\"episode recorded\""); n != len(eps) {
		t.Errorf("%d episode records logged for %d episodes", n, len(eps))
	}
	if t.Failed() {
		t.Log(log)
	}
}

// TestCancelledRunLeavesNothing cancels a run mid-way; closing the pool
// then removes every container and the network. A start cancelled after
// its first container exists removes what it made too.
func TestCancelledRunLeavesNothing(t *testing.T) {
	cli, image := docker(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := container.Start(ctx, cli, container.Options{Image: image, Suites: []string{counter.Name}, Replicas: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c, n := labelled(t, cli, p.RunID()); c != 2 || n != 1 {
		t.Fatalf("running pool: %d containers, %d networks", c, n)
	}
	local, _ := counter.Open(env.Options{})
	eps := counterEpisodes(t, local, "train", 1)
	var started atomic.Int32
	backends := p.Backends(counter.Name)
	for i := range backends {
		backends[i].Suite = cancellingSuite{backends[i].Suite, &started, cancel}
	}
	recs, err := env.RunEpisodes(ctx, backends, eps, env.RunOptions{})
	if err == nil || len(recs) == len(eps) {
		t.Fatalf("run was not cut short: %d of %d, %v", len(recs), len(eps), err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if c, n := labelled(t, cli, p.RunID()); c != 0 || n != 0 {
		t.Fatalf("after a cancelled run: %d containers, %d networks left", c, n)
	}

	// Cancel the start as soon as its first container exists.
	run := "cancelled-start-" + env.NewInstanceID()[5:13]
	sctx, scancel := context.WithCancel(context.Background())
	defer scancel()
	sawContainer := make(chan bool, 1)
	go func() {
		for sctx.Err() == nil {
			if c, _ := labelled(t, cli, run); c > 0 {
				scancel()
				sawContainer <- true
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		sawContainer <- false
	}()
	_, err = container.Start(sctx, cli, container.Options{Image: image, Suites: []string{counter.Name}, Replicas: 3, RunID: run})
	if err == nil || !<-sawContainer {
		t.Fatalf("the start was not cancelled after creating a container: %v", err)
	}
	if c, n := labelled(t, cli, run); c != 0 || n != 0 {
		t.Fatalf("after a cancelled start: %d containers, %d networks left", c, n)
	}
}

// cancellingSuite cancels the run when the fifth episode starts.
type cancellingSuite struct {
	env.Suite
	started *atomic.Int32
	cancel  context.CancelFunc
}

func (s cancellingSuite) NewEnv(ctx context.Context) (env.Env, error) {
	if s.started.Add(1) == 5 {
		s.cancel()
	}
	return s.Suite.NewEnv(ctx)
}

// TestDownRemovesLeftovers abandons a pool without closing it; Down
// removes its containers and network.
func TestDownRemovesLeftovers(t *testing.T) {
	cli, image := docker(t)
	p, err := container.Start(context.Background(), cli, container.Options{Image: image, Suites: []string{counter.Name}, Replicas: 2})
	if err != nil {
		t.Fatal(err)
	}
	nc, nn, err := container.DownCount(context.Background(), cli, p.RunID())
	if err != nil || nc != 2 || nn != 1 {
		t.Fatalf("Down removed %d containers, %d networks: %v", nc, nn, err)
	}
	if c, n := labelled(t, cli, p.RunID()); c != 0 || n != 0 {
		t.Fatalf("after Down: %d containers, %d networks", c, n)
	}
	p.Close() // nothing left to remove; must not fail
}

// TestRunVolume checks the run's volume: mounted read-write where asked
// in every container, removed by Close, or kept by Close with KeepVolume
// and then removed by Down.
func TestRunVolume(t *testing.T) {
	cli, image := docker(t)
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		p, err := container.Start(ctx, cli, container.Options{Image: image, Suites: []string{counter.Name}, Replicas: 2,
			Volume: "/out", KeepVolume: keep})
		if err != nil {
			t.Fatal(err)
		}
		if p.Volume() != "seeupo-env-"+p.RunID() {
			t.Errorf("volume %q", p.Volume())
		}
		for _, m := range p.Members() {
			info, err := cli.ContainerInspect(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Mounts) != 1 || info.Mounts[0].Name != p.Volume() || info.Mounts[0].Destination != "/out" || !info.Mounts[0].RW {
				t.Errorf("%s mounts %+v; want the run's volume read-write at /out", m.Name, info.Mounts)
			}
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = cli.VolumeInspect(ctx, p.Volume())
		if kept := err == nil; kept != keep {
			t.Errorf("KeepVolume %v: volume left after Close: %v (%v)", keep, kept, err)
		}
		if err := container.Down(ctx, cli, p.RunID()); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.VolumeInspect(ctx, p.Volume()); !client.IsErrNotFound(err) {
			t.Errorf("volume %s left after Down: %v", p.Volume(), err)
		}
	}
}

func TestStartRejectsABadSuite(t *testing.T) {
	cli, image := docker(t)
	_, err := container.Start(context.Background(), cli, container.Options{Image: image, Suites: []string{"no-such-suite"},
		StartTimeout: 10 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "exited with code 1") || !strings.Contains(err.Error(), `unknown suite "no-such-suite"`) {
		t.Fatalf("err %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConnectHonoursDOCKER_HOST(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := container.Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no Docker engine answers at unix:///nonexistent/docker.sock") {
		t.Fatalf("err %v", err)
	}
}
