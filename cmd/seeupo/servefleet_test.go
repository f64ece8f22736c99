package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// cutEngineMidRun is faultMidRun removing the container on the TLS
// endpoint's engine (engine 1: its name holds "-e1-") and cutting the
// endpoint, as when that engine's host goes away.
func cutEngineMidRun(t *testing.T, cli *client.Client, remote *testengine.TLSEndpoint, runDir string) <-chan string {
	return faultMidRun(t, runDir, func(eps []harness.Endpoint) string {
		victim := ""
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
		return victim
	})
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
