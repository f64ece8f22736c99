package appworld

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dcontainer "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"

	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
)

// engine is a client of the Docker engine, closed when the test ends.
func engine(t *testing.T) *client.Client {
	t.Helper()
	cli, err := container.Connect(context.Background())
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// checkRemoved fails unless nothing labelled with the run is left:
// containers, networks, volumes.
func checkRemoved(t *testing.T, run string) {
	t.Helper()
	cli := engine(t)
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", container.LabelRun+"="+run))
	cs, err := cli.ContainerList(ctx, dcontainer.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs)+len(ns)+len(vs.Volumes) > 0 {
		t.Errorf("run %s left %d containers, %d networks and %d volumes", run, len(cs), len(ns), len(vs.Volumes))
	}
}

type setting struct {
	name string
	ok   bool
	got  any
}

// TestContainerHardening starts servers as the official image's are
// started (OfficialSpec: data read-only at /run/data, the run's outputs
// volume at /run/experiments), with the native world's image in the
// official one's place, and inspects each container through the Engine
// API setting by setting: on the run's internal network, and with a port
// published on 127.0.0.1 only.
func TestContainerHardening(t *testing.T) {
	img := testImage(t)
	cli := engine(t)
	ctx := context.Background()
	data := t.TempDir()
	for _, publish := range []bool{false, true} {
		spec := OfficialSpec(img, data, 1)
		spec.Args, spec.Publish = nil, &publish // the native image's entry point takes no arguments
		pool, err := StartContainers(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		cp := pool.Containers()
		info, err := cli.ContainerInspect(ctx, cp.Members()[0].ID)
		if err != nil {
			pool.Close()
			t.Fatal(err)
		}
		net, err := cli.NetworkInspect(ctx, cp.Network(), network.InspectOptions{})
		if err != nil {
			pool.Close()
			t.Fatal(err)
		}
		for _, s := range hardeningSettings(info, net, cp, data, publish) {
			if !s.ok {
				t.Errorf("publish=%v: %s: got %v", publish, s.name, s.got)
			}
		}
		if err := pool.Close(); err != nil {
			t.Error(err)
		}
		checkRemoved(t, cp.RunID())
	}
}

// hardeningSettings are the settings a container of the pool must have.
func hardeningSettings(info dcontainer.InspectResponse, net network.Inspect, cp *container.Pool, data string, publish bool) []setting {
	hc := info.HostConfig
	mounts := map[string]dcontainer.MountPoint{}
	for _, m := range info.Mounts {
		mounts[m.Destination] = m
	}
	dataMount, outMount := mounts["/run/data"], mounts["/run/experiments"]
	port := info.NetworkSettings.Ports["8000/tcp"]
	ports := []setting{
		{"no published port", len(hc.PortBindings) == 0 && len(port) == 0, [2]any{hc.PortBindings, port}},
		{"internal network (no route out), no traffic between containers", net.Internal &&
			net.Options["com.docker.network.bridge.enable_icc"] == "false", [2]any{net.Internal, net.Options}},
	}
	if publish {
		ports = []setting{
			{"port 8000 bound on 127.0.0.1 only", len(hc.PortBindings) == 1 && len(hc.PortBindings["8000/tcp"]) == 1 &&
				hc.PortBindings["8000/tcp"][0].HostIP == "127.0.0.1", hc.PortBindings},
			{"published on 127.0.0.1 only", len(port) > 0 && !slices.ContainsFunc(port, func(b nat.PortBinding) bool { return b.HostIP != "127.0.0.1" }), port},
			{"no traffic between containers", net.Options["com.docker.network.bridge.enable_icc"] == "false", net.Options},
		}
	}
	return append(ports, []setting{
		{"the image's unprivileged user", info.Config.User == "65534:65534", info.Config.User},
		{"read-only root file system", hc.ReadonlyRootfs, hc.ReadonlyRootfs},
		{"all capabilities dropped, none added", slices.Equal(hc.CapDrop, []string{"ALL"}) && len(hc.CapAdd) == 0, [2]any{hc.CapDrop, hc.CapAdd}},
		{"no-new-privileges", slices.Contains(hc.SecurityOpt, "no-new-privileges:true"), hc.SecurityOpt},
		// Docker's default profile allows pivot_root to no one; the sandbox's does.
		{"the sandbox's seccomp profile", len(hc.SecurityOpt) == 2 && slices.ContainsFunc(hc.SecurityOpt, func(o string) bool {
			return strings.HasPrefix(o, "seccomp={") && strings.Contains(o, `"pivot_root"`)
		}), len(hc.SecurityOpt)},
		{"not privileged", !hc.Privileged, hc.Privileged},
		{"private IPC", hc.IpcMode == dcontainer.IPCModePrivate, hc.IpcMode},
		{"memory 4 GiB, no swap", hc.Memory == 4<<30 && hc.MemorySwap == 4<<30, [2]int64{hc.Memory, hc.MemorySwap}},
		{"two CPUs", hc.NanoCPUs == 2e9, hc.NanoCPUs},
		{"256 processes", hc.PidsLimit != nil && *hc.PidsLimit == 256, deref(hc.PidsLimit)},
		{"/tmp a noexec tmpfs", hc.Tmpfs["/tmp"] == "rw,noexec,nosuid,nodev,size=64m", hc.Tmpfs},
		{"no restart by the engine (the pool restarts)", hc.RestartPolicy.Name == dcontainer.RestartPolicyDisabled, hc.RestartPolicy.Name},
		{"only on the run's network", len(info.NetworkSettings.Networks) == 1 && info.NetworkSettings.Networks[cp.Network()] != nil,
			info.NetworkSettings.Networks},
		{"data read-only at /run/data", dataMount.Type == mount.TypeBind && dataMount.Source == data && !dataMount.RW, dataMount},
		{"the run's volume read-write at /run/experiments", outMount.Type == mount.TypeVolume && outMount.Name == cp.Volume() &&
			cp.Volume() != "" && outMount.RW, outMount},
		{"no other mount", len(info.Mounts) == 2, info.Mounts},
		{"labelled with the run", info.Config.Labels[container.LabelRun] == cp.RunID(), info.Config.Labels},
	}...)
}

// TestContainerKilledEpisodeRetried kills a server's container in the
// middle of an episode: the episode is retried on the other server, every
// episode is scored once (none lost, none twice), and the pool restarts
// the killed container, which serves again.
func TestContainerKilledEpisodeRetried(t *testing.T) {
	img := testImage(t)
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, nil))
	s, err := Open(env.Options{Params: map[string]string{"mode": "remote", "image": img, "replicas": "2", "container_args": ""}})
	if err != nil {
		t.Fatal(err)
	}
	suite := s.(*Suite)
	ctx := context.Background()
	backends, err := suite.Backends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := suite.Pool(ctx)
	run := pool.Containers().RunID()
	defer func() {
		if err := suite.Close(); err != nil {
			t.Error(err)
		}
		checkRemoved(t, run)
	}()
	ts, err := suite.Tasks("train")
	if err != nil {
		t.Fatal(err)
	}
	var eps []env.Episode
	for _, task := range ts[:6] {
		replies, err := suite.Demonstration(task, env.DemoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eps = append(eps, env.Episode{Task: task, Actions: replies})
	}
	// Member 0's container dies before the second cell sent to it.
	backends[0] = pool.Containers().KillOnStep(backends[0], 0, 2)
	recs, err := env.RunEpisodes(ctx, backends, eps, env.RunOptions{Backoff: 100 * time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(eps) {
		t.Fatalf("%d records for %d episodes", len(recs), len(eps))
	}
	seen := map[string]int{}
	retried := 0
	for _, r := range recs {
		seen[r.TaskID]++
		if r.Status != env.StatusSuccess || r.Evaluation == nil || !r.Evaluation.Success {
			t.Errorf("episode %s: %s after %d attempts: %s", r.TaskID, r.Status, r.Attempts, r.Error)
		}
		if r.Attempts > 1 {
			retried++
			if r.Backend == backends[0].Name {
				t.Errorf("episode %s was retried on the server that was killed", r.TaskID)
			}
		}
	}
	for _, e := range eps {
		if seen[e.Task.ID] != 1 {
			t.Errorf("task %s scored %d times", e.Task.ID, seen[e.Task.ID])
		}
	}
	if retried != 1 {
		t.Errorf("%d episodes retried, want the one cut short", retried)
	}
	m := pool.Containers().Members()[0]
	deadline := time.Now().Add(time.Minute)
	for m.Restarts() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if m.Restarts() != 1 {
		t.Fatalf("the killed container was restarted %d times, want 1\n%s", m.Restarts(), logBuf.String())
	}
	// The restarted server plays an episode again.
	again, err := env.RunEpisodes(ctx, backends[:1], eps[:1], env.RunOptions{Logger: logger})
	if err != nil || len(again) != 1 || again[0].Status != env.StatusSuccess || again[0].Attempts != 1 {
		t.Errorf("an episode on the restarted server: %+v, %v", again, err)
	}
	if !strings.Contains(logBuf.String(), "episode attempt failed") {
		t.Errorf("the log does not tell of the failed attempt:\n%s", logBuf.String())
	}
}

// TestContainerKilledSuiteEpisodes runs episodes as the trainer does, on
// the suite as one backend (each episode on whichever server the pool
// hands out), and kills a server's container mid-run: every episode is
// still scored once, and the killed container is restarted.
func TestContainerKilledSuiteEpisodes(t *testing.T) {
	img := testImage(t)
	s, err := Open(env.Options{Params: map[string]string{"mode": "remote", "image": img, "replicas": "2", "container_args": ""}})
	if err != nil {
		t.Fatal(err)
	}
	suite := s.(*Suite)
	ctx := context.Background()
	pool, err := suite.Pool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run := pool.Containers().RunID()
	defer func() {
		if err := suite.Close(); err != nil {
			t.Error(err)
		}
		checkRemoved(t, run)
	}()
	ts, err := suite.Tasks("dev")
	if err != nil {
		t.Fatal(err)
	}
	var eps []env.Episode
	for _, task := range ts[:6] {
		replies, err := suite.Demonstration(task, env.DemoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eps = append(eps, env.Episode{Task: task, Actions: replies})
	}
	b := pool.Containers().KillOnStep(env.Backend{Name: "appworld", Suite: suite}, 0, 3)
	recs, err := env.RunEpisodes(ctx, []env.Backend{b}, eps, env.RunOptions{Concurrency: 2, Backoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.TaskID]++
		if r.Status != env.StatusSuccess {
			t.Errorf("episode %s: %s after %d attempts: %s", r.TaskID, r.Status, r.Attempts, r.Error)
		}
	}
	for _, e := range eps {
		if seen[e.Task.ID] != 1 {
			t.Errorf("task %s scored %d times", e.Task.ID, seen[e.Task.ID])
		}
	}
	deadline := time.Now().Add(time.Minute)
	for pool.Containers().Members()[0].Restarts() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := pool.Containers().Members()[0].Restarts(); n != 1 {
		t.Errorf("the killed container was restarted %d times, want 1", n)
	}
}

// deref is *p, or -1 for nil (no limit set).
func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

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
