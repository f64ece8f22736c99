package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dcontainer "github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/internal/testengine"
)

// `seeupo train` with rl.generator remote on seeupo serve containers
// spread over two engine endpoints (rl.serve.engines: the local socket and
// TCP with TLS relayed to it) gives the run that generates in process
// (step metrics, evaluations, final weights bit for bit): plainly, one
// container on each endpoint; and when the TLS endpoint is cut and its
// container removed once step 1's weights are pushed, as when that
// engine's host goes away: the requests on it move to the other server,
// the fleet starts a replacement on the socket's engine, which gets the
// run's weights before its first request.
func TestTrainOnServeFleetEqualsInProcess(t *testing.T) {
	cli, bin, _ := testDocker(t)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	dir := readableTempDir(t)
	suite, long := writeConfig(t, dir, "short", fmt.Sprintf(remoteSuiteYAML, 3, 1)), writeConfig(t, dir, "long", fmt.Sprintf(remoteSuiteYAML, longSteps, 3))
	native, nativeLong := trainSuite(t, suite, filepath.Join(dir, "native")), trainSuite(t, long, filepath.Join(dir, "native-long"))
	serveOn := func(name string, remote *testengine.TLSEndpoint) string {
		engines := cli.DaemonHost() + ", " + remote.URL + " tls=" + remote.TLSDir
		return writeConfig(t, dir, name, "rl:\n  generator: remote\n  server_model: tiny\n  serve: {replicas: 2, memory_mb: 512, cpus: 1, binary: "+
			bin+", engines: '"+engines+"'}\n")
	}

	t.Run("two engines", func(t *testing.T) {
		start := time.Now()
		remote := testengine.NewTLSEndpoint(t, cli)
		served := trainSuite(t, suite, filepath.Join(dir, "fleet"), "--config", serveOn("fleet", remote))
		for i, d := range sameRun(t, native, served, 3, 1) {
			if d[metrics.RolloutRemoteServers] != 2 || d[metrics.RolloutRemoteFailovers] != 0 {
				t.Errorf("step %d: %v servers, %v failovers; want 2, 0", i+1, d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteFailovers])
			}
		}
		if n := serveContainers(t, cli); n != 0 {
			t.Errorf("%d serve containers left after the run", n)
		}
		t.Logf("on two engines: %s", time.Since(start).Round(time.Millisecond))
	})

	t.Run("an engine lost mid-run", func(t *testing.T) {
		start := time.Now()
		remote := testengine.NewTLSEndpoint(t, cli)
		runDir := filepath.Join(dir, "lost")
		cut := cutEngineMidRun(t, cli, remote, runDir)
		served := trainSuite(t, long, runDir, "--config", serveOn("lost", remote))
		select {
		case <-cut:
		default:
			t.Fatal("the endpoint was not cut during the run")
		}
		var inUse, failovers []float64
		for _, d := range sameRun(t, nativeLong, served, longSteps, 3) {
			inUse = append(inUse, d[metrics.RolloutRemoteServers])
			failovers = append(failovers, d[metrics.RolloutRemoteFailovers])
		}
		if inUse[0] != 2 || failovers[1] == 0 || inUse[3] != 2 || inUse[longSteps-1] != 2 {
			t.Errorf("servers in use per step %v, failovers %v: want 2, failovers in step 2, 2 again from step 4 on", inUse, failovers)
		}
		t.Logf("servers in use per step %v, failovers %v; %s", inUse, failovers, time.Since(start).Round(time.Millisecond))
		// The lost engine's container was removed by the test; Close
		// could not reach that endpoint, and removes nothing else.
		if n := serveContainers(t, cli); n != 0 {
			t.Errorf("%d serve containers left after the run", n)
		}
	})
}

// cutEngineMidRun wraps the member set the run follows. At its second
// look once step 1's weights are saved (the first is their push, the
// second starts step 2's rollout) it removes the container on the TLS
// endpoint's engine (engine 1: its name holds "-e1-") and cuts the
// endpoint; at its second look once step 3's weights are saved it waits
// until the fleet's replacement is in the set, so that it joins between
// pushes. The channel is closed once the cut is made.
func cutEngineMidRun(t *testing.T, cli *client.Client, remote *testengine.TLSEndpoint, runDir string) <-chan struct{} {
	weights := func(step int) bool {
		_, err := os.Stat(filepath.Join(runDir, "remote", "bfcl_gen", "grpo", "seed-1", "weights", fmt.Sprintf("step-%d", step)))
		return err == nil
	}
	cut := make(chan struct{})
	var mu sync.Mutex
	looks, phase, victim := 0, 0, ""
	serveMembersHook = func(inner func() []harness.Endpoint) func() []harness.Endpoint {
		return func() []harness.Endpoint {
			mu.Lock()
			defer mu.Unlock()
			eps := inner()
			switch {
			case phase == 0 && weights(1):
				if looks++; looks < 2 {
					break
				}
				for _, e := range eps {
					if strings.Contains(e.ID, "-e1-") {
						victim = e.ID
					}
				}
				name, _, _ := strings.Cut(victim, "#")
				if err := cli.ContainerRemove(context.Background(), name, dcontainer.RemoveOptions{Force: true}); err != nil {
					t.Errorf("removing %s: %v", name, err)
				}
				remote.Cut()
				phase = 1
				close(cut)
			case phase == 1 && weights(3):
				if looks++; looks < 4 {
					break
				}
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
					if eps = inner(); len(eps) == 2 && eps[0].ID != victim && eps[1].ID != victim {
						break
					}
				}
				phase = 2
			}
			return eps
		}
	}
	t.Cleanup(func() { serveMembersHook = nil })
	return cut
}

// serveContainers counts the containers labelled as seeupo serve's.
func serveContainers(t *testing.T, cli *client.Client) int {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), dcontainer.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", labelServe+"=1"))})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// The directories the serve containers read are checked before any
// container starts: one under a folder that keeps others out is refused,
// naming the folder and its mode.
func TestReadOnlyDirsReadableByTheContainers(t *testing.T) {
	open := readableTempDir(t)
	closed := filepath.Join(open, "private")
	inside := filepath.Join(closed, "runs")
	if err := os.MkdirAll(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := readOnlyDirs(filepath.Join(open, "runs")); err != nil {
		t.Errorf("a readable directory: %v", err)
	}
	_, err := readOnlyDirs(inside)
	if err == nil || !strings.Contains(err.Error(), closed+" (mode 0700) keeps out the serve containers' user") {
		t.Errorf("a directory under a 0700 folder: %v", err)
	}
}
