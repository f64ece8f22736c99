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

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
)

// `seeupo train` with rl.generator remote on a Swarm service of seeupo
// serve tasks gives the run that generates in process (the checks of
// TestTrainOnServersEqualsInProcess: step metrics, evaluations, final
// weights bit for bit): on a 2-task service the run starts for itself
// (rl.serve.swarm) and removes, and on a running 2-task service (serve up
// --swarm, rl.serve.service) one of whose task containers is killed
// (SIGKILL) once step 1's weights are pushed, which Swarm replaces with a
// task that gets the run's weights before its first request. The
// service is then scaled and removed with serve scale and serve down.
func TestTrainOnServeSwarmEqualsInProcess(t *testing.T) {
	cli, bin, _ := testDocker(t)
	testSwarm(t, cli)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	dir := readableTempDir(t)
	// A short run, and a longer one on which a task is killed.
	suite, long := writeConfig(t, dir, "short", fmt.Sprintf(remoteSuiteYAML, 3, 1)), writeConfig(t, dir, "long", fmt.Sprintf(remoteSuiteYAML, longSteps, 3))
	start := time.Now()
	native, nativeLong := trainSuite(t, suite, filepath.Join(dir, "native")), trainSuite(t, long, filepath.Join(dir, "native-long"))
	t.Logf("in process: %s", time.Since(start).Round(time.Millisecond))
	limits := "  server_model: tiny\n  serve: {replicas: 2, memory_mb: 512, cpus: 1, binary: " + bin + "%s}\n"

	t.Run("service for the run", func(t *testing.T) {
		start := time.Now()
		cfg := writeConfig(t, dir, "owned", "rl:\n  generator: remote\n"+fmt.Sprintf(limits, ", swarm: true"))
		served := trainSuite(t, suite, filepath.Join(dir, "owned"), "--config", cfg)
		steps := sameRun(t, native, served, 3, 1)
		for i, d := range steps {
			if d[metrics.RolloutRemoteServers] != 2 || d[metrics.RolloutRemoteRequests] == 0 || d[metrics.RolloutRemoteFailovers] != 0 {
				t.Errorf("step %d: %v servers, %v requests, %v failovers; want 2, some, 0", i+1, d[metrics.RolloutRemoteServers],
					d[metrics.RolloutRemoteRequests], d[metrics.RolloutRemoteFailovers])
			}
		}
		if n := serveServices(t, cli, ""); n != 0 {
			t.Errorf("%d serve services left after the run, want 0", n)
		}
		t.Logf("on the run's service: %s", time.Since(start).Round(time.Millisecond))
	})

	t.Run("running service, one task killed", func(t *testing.T) {
		start := time.Now()
		run := "cmdtest-" + env.NewInstanceID()[5:13]
		name := "seeupo-serve-" + run
		defer container.DownSwarm(context.Background(), cli, run)
		warm := filepath.Join(dir, "native", "remote", "warm-start")
		out, stderr, err := runCLI(t, "serve", "up", "--swarm", "--checkpoint", warm, "--model", "tiny", "--mount", dir,
			"--replicas", "2", "--run", run, "--binary", bin, "--log-level", "warn")
		if err != nil || !strings.Contains(out, "service "+name+" (run "+run+"): 2 tasks serving "+warm) {
			t.Fatalf("serve up: %v\n%s\n%s", err, out, stderr)
		}
		runDir := filepath.Join(dir, "attached")
		killed := killMidRun(t, cli, runDir)
		cfg := writeConfig(t, dir, "attached", "rl:\n  generator: remote\n"+fmt.Sprintf(limits, ", service: "+name))
		served := trainSuite(t, long, runDir, "--config", cfg)
		select {
		case task := <-killed:
			waitReplaced(t, cli, name, task)
		default:
			t.Fatal("no task was killed during the run")
		}
		steps := sameRun(t, nativeLong, served, longSteps, 3)
		var inUse, failovers []float64
		for _, d := range steps {
			inUse = append(inUse, d[metrics.RolloutRemoteServers])
			failovers = append(failovers, d[metrics.RolloutRemoteFailovers])
		}
		// Step 2's requests on the killed task move to the other; the
		// replacement is in use from step 4 on.
		if inUse[0] != 2 || inUse[1] != 1 || failovers[1] == 0 || inUse[3] != 2 || inUse[longSteps-1] != 2 {
			t.Errorf("servers in use per step %v, failovers %v: want 2, then 1 with failovers in step 2, 2 from step 4 on", inUse, failovers)
		}
		t.Logf("servers in use per step %v, failovers %v", inUse, failovers)
		if out, _, err := runCLI(t, "serve", "scale", "--swarm", "--service", name, "1"); err != nil || out != "service "+name+" scaled to 1 tasks\n" {
			t.Fatalf("serve scale: %v %q", err, out)
		}
		out, _, err = runCLI(t, "serve", "down", "--swarm", "--run", run)
		if err != nil || !strings.HasPrefix(out, "removed 1 services\n") || serveServices(t, cli, run) != 0 {
			t.Fatalf("serve down: %v %q", err, out)
		}
		t.Logf("on a running service with a task killed: %s", time.Since(start).Round(time.Millisecond))
	})
}

// longSteps are the steps of the run on which a task is killed.
const longSteps = 6

// readableTempDir is a temporary directory the serve tasks' user (nobody)
// can read, as the directories it bind-mounts must be.
func readableTempDir(t *testing.T) string {
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// trainSuite trains the suite's grpo seed 1 into out and returns the run
// directory.
func trainSuite(t *testing.T, suite, out string, config ...string) string {
	t.Helper()
	args := append(config, "train", "--suite", suite, "--algo", "grpo", "--out", out, "--threads", "1", "--log-level", "warn")
	if _, stderr, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	return filepath.Join(out, "remote", "bfcl_gen", "grpo", "seed-1")
}

func writeConfig(t *testing.T, dir, name, yaml string) string {
	t.Helper()
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveServices counts the serve services (of run, when not empty).
func serveServices(t *testing.T, cli *client.Client, run string) int {
	t.Helper()
	f := filters.NewArgs(filters.Arg("label", labelServe+"=1"))
	if run != "" {
		f.Add("label", container.LabelRun+"="+run)
	}
	list, err := cli.ServiceList(context.Background(), swarm.ServiceListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// faultMidRun wraps the member set the run follows (serveMembersHook).
// At its second look once step 1's weights are saved (the first is their
// push, the second starts step 2's rollout) it calls fault with the set,
// which takes a member out (its victim) and returns the victim's id; the
// run gets the set from before the fault, so that requests go to the
// dead member. At its second look once step 3's weights are saved (after
// their push) it waits until the victim's replacement is in the set: the
// replacement joins there, between pushes, and must be given step 3's
// weights before its first request. The channel gets the victim's id.
func faultMidRun(t *testing.T, runDir string, fault func([]harness.Endpoint) string) <-chan string {
	weights := func(step int) bool {
		_, err := os.Stat(filepath.Join(runDir, "remote", "bfcl_gen", "grpo", "seed-1", "weights", fmt.Sprintf("step-%d", step)))
		return err == nil
	}
	faulted := make(chan string, 1)
	var mu sync.Mutex
	looks, phase, victim := 0, 0, ""
	serveMembersHook = func(inner func() []harness.Endpoint) func() []harness.Endpoint {
		return func() []harness.Endpoint {
			mu.Lock()
			defer mu.Unlock()
			eps := inner()
			switch {
			case phase == 0 && weights(1):
				if looks++; looks == 2 {
					victim, phase = fault(eps), 1
					faulted <- victim
				}
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
	return faulted
}

// killMidRun is faultMidRun killing (SIGKILL) the first task's container.
func killMidRun(t *testing.T, cli *client.Client, runDir string) <-chan string {
	return faultMidRun(t, runDir, func(eps []harness.Endpoint) string {
		killTask(t, cli, eps[0].ID)
		return eps[0].ID
	})
}

// killTask kills the task's container and waits until it is dead.
func killTask(t *testing.T, cli *client.Client, id string) {
	ctx := context.Background()
	task, _, err := cli.TaskInspectWithRaw(ctx, id)
	if err != nil || task.Status.ContainerStatus == nil {
		t.Errorf("task %s: %v", id, err)
		return
	}
	cid := task.Status.ContainerStatus.ContainerID
	if err := cli.ContainerKill(ctx, cid, "KILL"); err != nil {
		t.Errorf("killing task %s: %v", id, err)
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if info, err := cli.ContainerInspect(ctx, cid); err != nil || info.State == nil || !info.State.Running {
			return
		}
	}
	t.Errorf("the container of task %s still runs", id)
}

func runningTasks(ctx context.Context, cli *client.Client, service string) ([]swarm.Task, error) {
	tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(
		filters.Arg("service", service), filters.Arg("desired-state", "running"))})
	var running []swarm.Task
	for _, task := range tasks {
		if task.Status.State == swarm.TaskStateRunning && task.Status.ContainerStatus != nil {
			running = append(running, task)
		}
	}
	return running, err
}

// waitReplaced waits until the service runs 2 tasks, none of them the
// killed one.
func waitReplaced(t *testing.T, cli *client.Client, service, killed string) {
	t.Helper()
	var tasks []swarm.Task
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		if tasks, err = runningTasks(context.Background(), cli, service); err != nil {
			t.Fatal(err)
		}
		if len(tasks) == 2 && tasks[0].ID != killed && tasks[1].ID != killed {
			return
		}
	}
	t.Fatalf("Swarm did not replace the killed task %s: %d running", killed, len(tasks))
}
