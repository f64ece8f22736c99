package container_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dcontainer "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
	"github.com/seeupo/seeupo/internal/testswarm"
)

// swarmEngine returns the engine as a Swarm manager (testswarm.Use: a
// one-node Swarm for the test when the engine is in none) and the image.
func swarmEngine(t testing.TB) (*client.Client, string) {
	t.Helper()
	cli, image := docker(t)
	testswarm.Use(t, cli)
	return cli, image
}

// startService starts a service of n tasks serving the counter suite and
// removes it when the test ends.
func startService(t testing.TB, n int, mod func(*container.Options)) *container.Service {
	t.Helper()
	cli, image := swarmEngine(t)
	opts := container.Options{
		Image: image, Suites: []string{counter.Name}, Params: map[string]string{"tasks": "16"},
		Replicas: n, MemoryBytes: 64 << 20, NanoCPUs: 5e8, PIDs: 64, WatchEvery: 200 * time.Millisecond,
		Client: env.ClientOptions{CallTimeout: 5 * time.Second, Retries: 2, Backoff: 50 * time.Millisecond},
	}
	if mod != nil {
		mod(&opts)
	}
	start := time.Now()
	s, err := container.StartService(context.Background(), cli, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("service of %d tasks started in %s", n, time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		start := time.Now()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		t.Logf("service removed in %s", time.Since(start).Round(time.Millisecond))
		if c, n := labelled(t, cli, s.RunID()); c != 0 || n != 0 {
			t.Errorf("after Close: %d containers, %d networks of %s left", c, n, s.Name())
		}
	})
	return s
}

func TestSwarmServiceHardening(t *testing.T) {
	data := t.TempDir()
	s := startService(t, 1, func(o *container.Options) { o.DataDir = data })
	cli, image := swarmEngine(t)
	ctx := context.Background()
	img, err := cli.ImageInspect(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	svc, _, err := cli.ServiceInspectWithRaw(ctx, s.Name(), swarm.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Members()[0]
	info, err := cli.ContainerInspect(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	hc, spec := info.HostConfig, svc.Spec.TaskTemplate
	var dataMount *dcontainer.MountPoint
	for i := range info.Mounts {
		if info.Mounts[i].Destination == container.DataMount {
			dataMount = &info.Mounts[i]
		}
	}
	health := ""
	if info.State != nil && info.State.Health != nil {
		health = info.State.Health.Status
	}
	checks := []struct {
		setting string
		ok      bool
		got     any
	}{
		{"image named by its ID, so nothing is pulled", spec.ContainerSpec.Image == img.ID && info.Image == img.ID, [2]string{spec.ContainerSpec.Image, info.Image}},
		{"non-root user 65534:65534", info.Config.User == container.User, info.Config.User},
		{"read-only root file system", hc.ReadonlyRootfs, hc.ReadonlyRootfs},
		{"all capabilities dropped", slices.Equal(hc.CapDrop, []string{"ALL"}) && len(hc.CapAdd) == 0, [2]any{hc.CapDrop, hc.CapAdd}},
		{"not privileged", !hc.Privileged, hc.Privileged},
		{"memory limit 64 MiB", hc.Memory == 64<<20, hc.Memory},
		{"CPU limit 0.5", hc.NanoCPUs == 5e8, hc.NanoCPUs},
		{"PID limit 64", hc.PidsLimit != nil && *hc.PidsLimit == 64, hc.PidsLimit},
		{"health check: the binary probes its server", slices.Equal(info.Config.Healthcheck.Test, container.HealthCheck), info.Config.Healthcheck},
		{"healthy", health == "healthy", health},
		{"Swarm restarts failed tasks", spec.RestartPolicy != nil && spec.RestartPolicy.Condition == swarm.RestartPolicyConditionAny, spec.RestartPolicy},
		{"only on the service's network", len(info.NetworkSettings.Networks) == 1 && info.NetworkSettings.Networks[s.Network()] != nil, info.NetworkSettings.Networks},
		{"no published port, no virtual IP", len(hc.PortBindings) == 0 && svc.Spec.EndpointSpec.Mode == swarm.ResolutionModeDNSRR, [2]any{hc.PortBindings, svc.Spec.EndpointSpec}},
		{"/tmp a small tmpfs", len(spec.ContainerSpec.Mounts) > 0 && spec.ContainerSpec.Mounts[0].Target == "/tmp" && spec.ContainerSpec.Mounts[0].TmpfsOptions.SizeBytes == 16<<20, spec.ContainerSpec.Mounts},
		{"GOMAXPROCS matches the CPU limit", slices.Contains(info.Config.Env, "GOMAXPROCS=1"), info.Config.Env},
		{"data directory mounted read-only at /data", dataMount != nil && !dataMount.RW && dataMount.Source == data, info.Mounts},
		{"container labelled for env down", info.Config.Labels[container.LabelEnv] == "1" && info.Config.Labels[container.LabelRun] == s.RunID(), info.Config.Labels},
		{"service labelled for env down", svc.Spec.Labels[container.LabelEnv] == "1" && svc.Spec.Labels[container.LabelRun] == s.RunID(), svc.Spec.Labels},
	}
	if versions.GreaterThanOrEqualTo(cli.ClientVersion(), "1.46") {
		checks = append(checks, struct {
			setting string
			ok      bool
			got     any
		}{"no-new-privileges", slices.Contains(hc.SecurityOpt, "no-new-privileges:true"), hc.SecurityOpt})
	} else {
		t.Logf("API %s: a service's no-new-privileges needs 1.46, not checked", cli.ClientVersion())
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: got %v", c.setting, c.got)
		}
	}
	checkTmpMount(t, info.State.Pid)
	top, err := cli.ContainerTop(ctx, m.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	uid := slices.Index(top.Titles, "UID")
	if uid < 0 || len(top.Processes) < 1 || !slices.Contains([]string{"65534", "nobody"}, top.Processes[0][uid]) {
		t.Errorf("processes: %v %v; want the server, run by uid 65534", top.Titles, top.Processes)
	}
	net, err := cli.NetworkInspect(ctx, s.Network(), network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !net.Internal || net.Scope != "swarm" || net.Driver != "bridge" {
		t.Errorf("network %s: internal %v, scope %s, driver %s; want an internal swarm-scoped bridge", net.Name, net.Internal, net.Scope, net.Driver)
	}
	if err := m.Client().Health(ctx); err != nil {
		t.Errorf("the harness cannot reach %s: %v", m.URL(), err)
	}
}

// checkTmpMount reads the container's mounts where the host lets this
// process: /tmp must be a tmpfs without exec, setuid or devices.
func checkTmpMount(t *testing.T, pid int) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Logf("mount flags of /tmp not checked: %v", err)
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && f[4] == "/tmp" {
			for _, flag := range []string{"noexec", "nosuid", "nodev"} {
				if !slices.Contains(strings.Split(f[5], ","), flag) {
					t.Errorf("/tmp mounted %s, want %s", f[5], flag)
				}
			}
			return
		}
	}
	t.Errorf("no /tmp mount in the container:\n%s", data)
}

// runOnMembers runs the seeded counter episodes on a changing set of
// backends (a service's tasks, a fleet's containers), each wrapped by
// wrap, following the set, and checks the records against a run in
// process: one per episode, in order, with the same outcomes.
func runOnMembers(t *testing.T, backends func() []env.Backend, eps []env.Episode,
	wrap func(env.Backend) env.Backend, logger *slog.Logger) []env.EpisodeRecord {
	t.Helper()
	want := inProcess(t, eps)
	members := func() []env.Backend {
		bs := backends()
		for i := range bs {
			bs[i] = wrap(bs[i])
		}
		return bs
	}
	got, err := env.RunEpisodes(context.Background(), members(), eps, env.RunOptions{Concurrency: 4,
		Backoff: 50 * time.Millisecond, Logger: logger, Members: members})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(eps) {
		t.Fatalf("%d records for %d episodes", len(got), len(eps))
	}
	for i, r := range got {
		if r.Index != i || r.Status == env.StatusErrored {
			t.Errorf("record %d: index %d, status %s, error %s", i, r.Index, r.Status, r.Error)
		}
	}
	if !slices.Equal(outcomes(got), outcomes(want)) {
		t.Fatalf("on the members\n%s\nin process\n%s", strings.Join(outcomes(got), "\n"), strings.Join(outcomes(want), "\n"))
	}
	return got
}

func counterTasks(t *testing.T, n int, seed int64) []env.Episode {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": fmt.Sprint(n)}})
	return counterEpisodes(t, local, "train", seed)
}

// TestSwarmKilledTasksReplaced kills task containers in the middle of
// episodes: Swarm starts new tasks, the members follow, every episode is
// recorded once with the in-process outcome.
func TestSwarmKilledTasksReplaced(t *testing.T) {
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startService(t, 3, func(o *container.Options) { o.Logger = logger; o.Params = map[string]string{"tasks": "16"} })
	before := map[string]bool{}
	for _, m := range s.Members() {
		before[m.Task] = true
	}
	k := s.StepKiller(9, 4)
	eps := counterTasks(t, 16, 5)
	got := runOnMembers(t, func() []env.Backend { return k.Backends(counter.Name) }, eps,
		func(b env.Backend) env.Backend { return b }, logger)
	if k.Kills() != 4 {
		t.Errorf("%d containers killed, want 4", k.Kills())
	}
	retried := 0
	for _, r := range got {
		if r.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no episode was retried after the kills")
	}
	if err := s.WaitMembers(context.Background(), 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	replaced := 0
	for _, m := range s.Members() {
		if !before[m.Task] {
			replaced++
		}
	}
	log := logBuf.String()
	if replaced == 0 || !strings.Contains(log, "swarm task left") || !strings.Contains(log, "swarm task joined") {
		t.Errorf("%d tasks replaced; log:\n%s", replaced, log)
	}
	if n := strings.Count(log, "msg=\"episode recorded\""); n != len(eps) {
		t.Errorf("%d episode records logged for %d episodes", n, len(eps))
	}
}

// gate holds episodes from a given index on until a condition holds, so
// that a change of the service happens in the middle of the run.
type gate struct {
	env.Suite
	index map[string]int
	from  []int
	until []*latch
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

type gatedEnv struct {
	env.Env
	g *gate
}

func (g *gate) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := g.Suite.NewEnv(ctx)
	return gatedEnv{e, g}, err
}

func (e gatedEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	for i, from := range e.g.from {
		for e.g.index[t.ID] >= from && !e.g.until[i].ok() {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return e.Env.Reset(ctx, t)
}

// TestSwarmScaledDuringRun scales the service from 2 to 4 to 1 tasks while
// episodes run: the new tasks take episodes, the removed ones' episodes
// are retried, every episode is recorded once with the in-process outcome.
func TestSwarmScaledDuringRun(t *testing.T) {
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startService(t, 2, func(o *container.Options) { o.Logger = logger; o.Params = map[string]string{"tasks": "40"} })
	ctx := context.Background()
	eps := counterTasks(t, 40, 8)
	index := map[string]int{}
	for i, ep := range eps {
		index[ep.Task.ID] = i
	}
	var once [2]sync.Once
	scale := func(i, n int) bool {
		once[i].Do(func() {
			if err := s.Scale(ctx, n); err != nil {
				t.Errorf("scaling to %d: %v", n, err)
			}
		})
		return len(s.Members()) == n
	}
	until := []*latch{{cond: func() bool { return scale(0, 4) }}, {cond: func() bool { return scale(1, 1) }}}
	g := func(b env.Backend) env.Backend {
		b.Suite = &gate{Suite: b.Suite, index: index, from: []int{10, 25}, until: until}
		return b
	}
	got := runOnMembers(t, func() []env.Backend { return s.Backends(counter.Name) }, eps, g, logger)
	used := map[string]bool{}
	last := map[string]bool{}
	for _, r := range got {
		used[r.Backend] = true
		// Up to Concurrency episodes were handed their task before the
		// scale-down and held at the gate; they finish on a task that is
		// stopping, or are retried. The later ones start on the one task.
		if r.Index >= 25+4 {
			last[r.Backend] = true
		}
	}
	if len(used) < 4 || len(last) != 1 {
		t.Errorf("episodes ran on %d tasks (want 4 or more), those after the scale-down on %d (want 1): %v", len(used), len(last), used)
	}
	if t.Failed() {
		t.Log(logBuf.String())
	}
}

func TestSwarmPublishedPorts(t *testing.T) {
	on := true
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	defer func() {
		if t.Failed() {
			t.Log(logBuf.String())
		}
	}()
	s := startService(t, 1, func(o *container.Options) { o.Publish = &on; o.Logger = logger })
	m := s.Members()[0]
	if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") {
		t.Fatalf("published URL %s, want one on the node's address 127.0.0.1", m.URL())
	}
	if err := m.Client().Health(context.Background()); err != nil {
		t.Fatalf("%s: %v", m.URL(), err)
	}
}

// TestSwarmDownAndAttach attaches to a service as "env eval" does to one
// that "env up" made, then removes it as "env down" does.
func TestSwarmDownAndAttach(t *testing.T) {
	cli, image := swarmEngine(t)
	ctx := context.Background()
	s, err := container.StartService(ctx, cli, container.Options{Image: image, Suites: []string{counter.Name}, Replicas: 2})
	if err != nil {
		t.Fatal(err)
	}
	a, err := container.AttachService(ctx, cli, s.RunID(), container.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Members()) != 2 || a.Name() != s.Name() {
		t.Errorf("attached to %s with %d members", a.Name(), len(a.Members()))
	}
	a.Close() // leaves the service running
	if _, _, err := cli.ServiceInspectWithRaw(ctx, s.Name(), swarm.ServiceInspectOptions{}); err != nil {
		t.Errorf("closing an attached service removed it: %v", err)
	}
	ns, nc, nn, err := container.DownSwarmCount(ctx, cli, s.RunID())
	if err != nil || ns != 1 || nn != 1 {
		t.Fatalf("DownSwarm removed %d services, %d containers, %d networks: %v", ns, nc, nn, err)
	}
	if c, n := labelled(t, cli, s.RunID()); c != 0 || n != 0 {
		t.Fatalf("after DownSwarm: %d containers, %d networks", c, n)
	}
	s.Close() // nothing left to remove; must not fail
	if _, err := container.AttachService(ctx, cli, s.RunID(), container.Options{}); err == nil {
		t.Error("attached to a removed service")
	}
}

func TestSwarmStartRejectsABadSuite(t *testing.T) {
	cli, image := swarmEngine(t)
	start, run := time.Now(), "badsuite-"+env.NewInstanceID()[5:11]
	_, err := container.StartService(context.Background(), cli, container.Options{Image: image, Suites: []string{"no-such-suite"},
		StartTimeout: 20 * time.Second, RunID: run})
	if err == nil || !strings.Contains(err.Error(), `unknown suite "no-such-suite"`) {
		t.Fatalf("err %v", err)
	}
	t.Logf("refused after %s: %v", time.Since(start).Round(time.Millisecond), err)
	if c, n := labelled(t, cli, run); c != 0 || n != 0 {
		t.Errorf("after a failed start: %d containers, %d networks labelled", c, n)
	}
}

// A service that runs another command of the image: the entry point, the
// port, the container health check, the harness's health check, the
// read-only directories at their own paths, the name prefix and the extra
// labels all reach the service and its tasks, and DownServices with the
// extra labels removes it but not a service without them.
func TestSwarmServiceOfAnotherCommand(t *testing.T) {
	cli, _ := swarmEngine(t)
	ctx := context.Background()
	plain := startService(t, 1, nil)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	const port = 9000
	probed := 0
	var mu sync.Mutex
	s := startService(t, 1, func(o *container.Options) {
		o.ImageServer, o.Suites, o.Port = true, nil, port
		o.Entrypoint = []string{"/seeupo", "env", "serve", "--addr", fmt.Sprintf("0.0.0.0:%d", port)}
		o.Args = []string{"--suite", counter.Name}
		o.HealthCmd = []string{"CMD", "/seeupo", "env", "health", "--url", fmt.Sprintf("http://127.0.0.1:%d", port)}
		o.Health = func(ctx context.Context, url string) error {
			mu.Lock()
			probed++
			mu.Unlock()
			c, _ := env.NewClient(env.ClientOptions{BaseURL: url})
			return c.Health(ctx)
		}
		o.ReadOnlyDirs, o.NamePrefix, o.Labels = []string{dir}, "seeupo-test", map[string]string{"io.seeupo.test": "1"}
	})
	svc, _, err := cli.ServiceInspectWithRaw(ctx, s.Name(), swarm.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Members()[0]
	info, err := cli.ContainerInspect(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bind *dcontainer.MountPoint
	for i := range info.Mounts {
		if info.Mounts[i].Destination == dir {
			bind = &info.Mounts[i]
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range []struct {
		setting string
		ok      bool
		got     any
	}{
		{"name prefix", strings.HasPrefix(s.Name(), "seeupo-test-") && strings.HasPrefix(s.Network(), "seeupo-test-"), [2]string{s.Name(), s.Network()}},
		{"entry point", info.Path == "/seeupo" && slices.Equal(info.Args, []string{"env", "serve", "--addr", "0.0.0.0:9000", "--suite", counter.Name}), [2]any{info.Path, info.Args}},
		{"container health check", slices.Equal(info.Config.Healthcheck.Test, svc.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test) && strings.Contains(strings.Join(info.Config.Healthcheck.Test, " "), ":9000"), info.Config.Healthcheck},
		{"the harness's health check", probed > 0, probed},
		{"member at the port", strings.HasSuffix(m.URL(), ":9000"), m.URL()},
		{"directory read-only at its own path", bind != nil && !bind.RW && bind.Source == dir, info.Mounts},
		{"extra label on service and container", svc.Spec.Labels["io.seeupo.test"] == "1" && info.Config.Labels["io.seeupo.test"] == "1", svc.Spec.Labels},
		{"still the run's labels", svc.Spec.Labels[container.LabelEnv] == "1" && svc.Spec.Labels[container.LabelRun] == s.RunID(), svc.Spec.Labels},
	} {
		if !c.ok {
			t.Errorf("%s: got %v", c.setting, c.got)
		}
	}
	ns, _, _, err := container.DownServices(ctx, cli, "", map[string]string{"io.seeupo.test": "1"})
	if err != nil || ns != 1 {
		t.Fatalf("DownServices removed %d services: %v", ns, err)
	}
	if _, _, err := cli.ServiceInspectWithRaw(ctx, plain.Name(), swarm.ServiceInspectOptions{}); err != nil {
		t.Errorf("DownServices with a label removed a service without it: %v", err)
	}
}
