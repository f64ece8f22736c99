package container_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
	"github.com/seeupo/seeupo/internal/testengine"
)

// fleetOptions are the settings of a counter-suite fleet on engines.
func fleetOptions(image string, n int, logger *slog.Logger, engines ...container.Engine) container.FleetOptions {
	return container.FleetOptions{
		Options: container.Options{
			Image: image, Suites: []string{counter.Name}, Params: map[string]string{"tasks": "16"},
			Replicas: n, MemoryBytes: 64 << 20, NanoCPUs: 5e8, PIDs: 64, WatchEvery: 200 * time.Millisecond, Logger: logger,
			Client: env.ClientOptions{CallTimeout: 5 * time.Second, Retries: 2, Backoff: 50 * time.Millisecond},
		},
		Engines: engines, PingEvery: 200 * time.Millisecond, LostAfter: 3,
	}
}

// startFleet starts a fleet and, when the test ends, closes it and checks
// that nothing labelled with its runs is left on the local engine.
func startFleet(t *testing.T, cli *client.Client, opts container.FleetOptions) *container.Fleet {
	t.Helper()
	f, err := container.StartFleet(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Logf("closing the fleet: %v", err)
		}
		for i := range opts.Engines {
			// A lost engine's objects are removed here, through the
			// local socket, as seeupo env down would once it is back.
			if err := container.Down(context.Background(), cli, f.EngineRunID(i)); err != nil {
				t.Error(err)
			}
			if c, n := labelled(t, cli, f.EngineRunID(i)); c != 0 || n != 0 {
				t.Errorf("engine %d: %d containers, %d networks left", i, c, n)
			}
		}
	})
	return f
}

// TestFleetSurvivesALostEngine spreads four containers over two endpoints
// of the local engine (its socket, and TCP with TLS relayed to it), then,
// in the middle of a run, cuts the TLS endpoint and kills the containers
// made through it, as when that engine's host goes away. The fleet drops
// the engine, starts its share on the other, and the run completes there:
// every episode recorded once with the in-process outcome.
func TestFleetSurvivesALostEngine(t *testing.T) {
	cli, image := docker(t)
	remote := testengine.NewTLSEndpoint(t, cli)
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	defer func() {
		if t.Failed() {
			t.Log(logBuf.String())
		}
	}()
	f := startFleet(t, cli, fleetOptions(image, 4, logger,
		container.Engine{Host: cli.DaemonHost()}, container.Engine{Host: remote.URL, TLSDir: remote.TLSDir}))
	for i := range 2 {
		if n := len(f.EngineMembers(i)); n != 2 {
			t.Fatalf("engine %d holds %d containers, want 2 of 4 at equal weights", i, n)
		}
	}
	onRemote := map[string]bool{}
	for _, m := range f.EngineMembers(1) {
		onRemote[m.Name] = true
		if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") {
			t.Errorf("%s at %s; a tcp:// engine's containers are reached at published ports on its host", m.Name, m.URL())
		}
	}

	var steps atomic.Int32
	var cutOnce sync.Once
	// The thirty-sixth step cuts; steps that come while it cuts wait for it,
	// so that they go to containers that are gone.
	cut := func(ctx context.Context, task string) error {
		if steps.Add(1) < 36 {
			return nil
		}
		cutOnce.Do(func() {
			remote.Cut()
			if err := container.Down(ctx, cli, f.EngineRunID(1)); err != nil {
				t.Errorf("killing the remote engine's containers: %v", err)
			}
		})
		return nil
	}
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	eps := counterEpisodes(t, local, "train", 7)
	got := runOnMembers(t, func() []env.Backend { return f.Backends(counter.Name) }, eps,
		func(b env.Backend) env.Backend { return container.BeforeStep(b, cut) }, logger)
	retried, ranRemote := 0, 0
	for _, r := range got {
		if r.Attempts > 1 {
			retried++
		}
		if onRemote[r.Backend] {
			ranRemote++
		}
	}
	if retried == 0 {
		t.Error("no episode was retried: the cut did not land in the middle of an episode on the lost engine")
	}
	t.Logf("%d episodes retried, %d recorded on the lost engine's containers before the cut", retried, ranRemote)
	deadline := time.Now().Add(time.Minute)
	for (!f.Lost(1) || len(f.EngineMembers(0)) != 4) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !f.Lost(1) || len(f.EngineMembers(0)) != 4 || len(f.Members()) != 4 {
		t.Fatalf("engine 1 lost: %v; engine 0 holds %d containers, the fleet %d; want the lost engine's 2 replaced on engine 0",
			f.Lost(1), len(f.EngineMembers(0)), len(f.Members()))
	}
	for _, m := range f.Members() {
		if err := m.Client().Health(context.Background()); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
	log := logBuf.String()
	for _, want := range []string{"engine did not answer", "engine lost; its containers leave the fleet", "lost engine's containers replaced"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// fakeSSH puts in place of the ssh program a script that records its
// arguments and bridges its standard streams to the local engine with the
// docker CLI's dial-stdio, which is what the remote end of a real ssh
// runs. It returns the file of the recorded arguments, a line per call.
func fakeSSH(t *testing.T, cli *client.Client) string {
	t.Helper()
	dockerCLI, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the ssh endpoint tests bridge to the engine with the docker CLI (docker system dial-stdio); install it (apt install docker.io)")
	}
	dir := t.TempDir()
	argsLog := filepath.Join(dir, "ssh-args")
	script := filepath.Join(dir, "ssh")
	body := "#!/bin/sh\necho \"$*\" >> " + argsLog + "\nDOCKER_HOST=" + cli.DaemonHost() + " exec " + dockerCLI + " system dial-stdio\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEEUPO_SSH", script)
	return argsLog
}

// firstSSHCall is the arguments of the first ssh call recorded.
func firstSSHCall(t *testing.T, argsLog string) string {
	t.Helper()
	args, err := os.ReadFile(argsLog)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(string(args), "\n", 2)[0]
}

// TestFleetOverSSH reaches the engine as an ssh:// endpoint (through
// fakeSSH): the fleet's containers serve episodes with the in-process
// outcomes, at ports published on the ssh host.
func TestFleetOverSSH(t *testing.T) {
	cli, image := docker(t)
	argsLog := fakeSSH(t, cli)
	f := startFleet(t, cli, fleetOptions(image, 2, nil, container.Engine{Host: "ssh://tester@127.0.0.1:2222"}))
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	eps := counterEpisodes(t, local, "test", 3)
	got, err := env.RunEpisodes(context.Background(), f.Backends(counter.Name), eps, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := inProcess(t, eps); !slices.Equal(outcomes(got), outcomes(want)) {
		t.Fatalf("over ssh\n%s\nin process\n%s", strings.Join(outcomes(got), "\n"), strings.Join(outcomes(want), "\n"))
	}
	if first := firstSSHCall(t, argsLog); first != "-l tester -p 2222 -- 127.0.0.1 docker system dial-stdio" {
		t.Errorf("ssh ran with %q", first)
	}
	for _, m := range f.Members() {
		if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") {
			t.Errorf("%s at %s; an ssh:// engine's containers are reached at published ports on its host", m.Name, m.URL())
		}
	}
}

// TestConnectOverSSH: DOCKER_HOST=ssh://… reaches the engine as the
// docker CLI does, through ssh.
func TestConnectOverSSH(t *testing.T) {
	cli, _ := docker(t)
	argsLog := fakeSSH(t, cli)
	t.Setenv("DOCKER_HOST", "ssh://127.0.0.1")
	c, err := container.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.DaemonHost() != "ssh://127.0.0.1" {
		t.Errorf("daemon host %s", c.DaemonHost())
	}
	if first := firstSSHCall(t, argsLog); first != "-- 127.0.0.1 docker system dial-stdio" {
		t.Errorf("ssh ran with %q", first)
	}
}
