package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
	"github.com/seeupo/seeupo/internal/testengine"
)

// TestEnvEvalFleetBFCL runs the BFCL test split on containers spread over
// two endpoints of the local engine, its socket and TCP with TLS (weights
// 1 and 3), with the image built through each: the in-process digest.
func TestEnvEvalFleetBFCL(t *testing.T) {
	cli, bin, _ := testDocker(t)
	remote := testengine.NewTLSEndpoint(t, cli)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	data := filepath.Dir(testdata.Dir(t, "bfcl_v4"))
	engines := cli.DaemonHost() + ", " + remote.URL + " weight=3 tls=" + remote.TLSDir
	start := time.Now()
	out, stderr, err := runCLI(t, "env", "eval", "--suite", "bfcl", "--split", "test", "--backend", "docker",
		"--engines", engines, "--pool", "4", "--binary", bin, "--data-dir", data, "--log-level", "info")
	if err != nil || !strings.Contains(out, "backend docker fleet of 2 engines (4): "+bfclTestSummary) ||
		!strings.Contains(out, "outcome digest "+bfclTestDigest) {
		t.Fatalf("err %v\n%s\n%s", err, out, stderr)
	}
	if want := "placement=\"" + cli.DaemonHost() + "=1 " + remote.URL + "=3\""; !strings.Contains(stderr, want) {
		t.Errorf("log lacks %s:\n%s", want, stderr)
	}
	t.Logf("%s in %s", strings.TrimSpace(out), time.Since(start).Round(time.Millisecond))
}

// TestEnvDownOnEngines removes a run's leftovers from each engine of
// --engines: a labelled network made through the TLS endpoint goes.
func TestEnvDownOnEngines(t *testing.T) {
	cli, _, _ := testDocker(t)
	remote := testengine.NewTLSEndpoint(t, cli)
	run := "envdown-" + env.NewInstanceID()[5:13]
	ctx := context.Background()
	labels := map[string]string{container.LabelEnv: "1", container.LabelRun: run}
	net, err := cli.NetworkCreate(ctx, "seeupo-env-"+run, network.CreateOptions{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.NetworkRemove(context.Background(), net.ID) })
	out, stderr, err := runCLI(t, "env", "down", "--run", run, "--engines", remote.URL+" tls="+remote.TLSDir)
	want := "engine " + remote.URL + ":\nremoved 0 containers and 1 networks\n"
	if err != nil || out != want {
		t.Fatalf("err %v\nstdout %q, want %q\n%s", err, out, want, stderr)
	}
	if _, err := cli.NetworkInspect(ctx, net.ID, network.InspectOptions{}); err == nil {
		t.Error("the run's network is still there")
	}
}
