package appworld

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/appworld/internal/hostile"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/harness/env"
)

// testImage is a locally built image of the native world
// (appworld/docker/build.sh); SEEUPO_APPWORLD_IMAGE overrides it.
func testImage(t *testing.T) string {
	img := os.Getenv("SEEUPO_APPWORLD_IMAGE")
	if img == "" {
		img = "seeupo-appworld:latest"
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the container pool needs Docker: install a Docker engine (apt install docker.io) and build the image with appworld/docker/build.sh")
	}
	if err := exec.Command("docker", "image", "inspect", img).Run(); err != nil {
		t.Skipf("image %s not present: build it with `sh appworld/docker/build.sh` (needs debootstrap), or name another in SEEUPO_APPWORLD_IMAGE", img)
	}
	return img
}

// TestContainerPool starts two containers of the native world's image and
// runs tasks through the suite's remote mode, on the run's internal (no
// route out) network and on a port published on 127.0.0.1.
func TestContainerPool(t *testing.T) {
	img := testImage(t)
	for _, params := range []map[string]string{
		{"mode": "remote", "image": img, "replicas": "2", "container_args": ""},
		{"mode": "remote", "image": img, "replicas": "1", "container_args": "", "publish": "true"},
	} {
		s, err := env.Open("appworld", env.Options{Params: params})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := s.Tasks("test_challenge")
		if err != nil {
			t.Fatal(err)
		}
		for i, task := range ts[:4] {
			full, err := tasks.Default.Get(task.ID)
			if err != nil {
				t.Fatal(err)
			}
			ev := runEpisode(t, s, task, full.Solution(), true)
			if !ev.Success || Reward(ev) != 1.5 {
				t.Errorf("%v task %d %s through a container: %+v", params, i, task.ID, ev)
			}
		}
		pool, err := s.(*Suite).Pool(context.Background())
		if err != nil || pool.Size() != len(pool.Containers().Members()) {
			t.Fatalf("pool: %v", err)
		}
		if err := s.(*Suite).Close(); err != nil {
			t.Error(err)
		}
		checkRemoved(t, pool.Containers().RunID())
	}
}

// TestContainerSandbox starts a container of the native world's image and
// runs a hostile cell in it: the container keeps every hardening, its
// server runs cells in the OS-level sandbox (mode namespaces, under the
// sandbox's seccomp profile), and a cell that has taken down every wall
// inside Python still cannot start a process, open a socket to the server
// beside it, read the server's /proc or rewrite the runner.
func TestContainerSandbox(t *testing.T) {
	img := testImage(t)
	ctx := context.Background()
	pool, err := StartContainers(ctx, ContainerSpec{Image: img, Replicas: 1, Port: 8000})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	id := pool.Containers().Members()[0].ID
	if logs, _ := exec.Command("docker", "logs", id).CombinedOutput(); !strings.Contains(string(logs), "(sandbox: namespaces)") {
		t.Errorf("the container's server does not report sandbox mode namespaces; its log:\n%s", logs)
	}
	server, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Release(server)
	url := server.URL
	ids, err := tasks.IDs("train")
	if err != nil {
		t.Fatal(err)
	}
	c := protocol.NewClient(url, 2*time.Minute)
	if _, err := c.Initialize(ctx, protocol.InitRequest{TaskID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	run := func(code string) string {
		t.Helper()
		obs, err := c.Execute(ctx, ids[0], code)
		if err != nil {
			t.Fatalf("execute: %v", err)
		}
		return obs
	}
	if obs := run(hostile.DisablePython); obs != "disabled\n" {
		t.Fatalf("disabling Python's walls: %q", obs)
	}
	// The server is PID 1 of the container and listens on port 8000 of
	// the container's network; any UDP port takes a datagram there.
	obs := run(hostile.Probes(8000, 9, 1))
	if strings.Contains(obs, "ESCAPED") || !strings.HasSuffix(obs, "probed\n") {
		t.Errorf("the hostile cell got out of the sandbox in the container:\n%s", obs)
	}
	if obs := run("print(apis.supervisor.show_profile()['email'] != '')"); obs != "True\n" {
		t.Errorf("the world's API after the hostile cell: %q", obs)
	}
	if err := c.Close(ctx, ids[0]); err != nil {
		t.Error(err)
	}
}

// TestContainerExitAtStartReported checks that a server that exits at
// start (here: a bad listen address) fails the start at once, with its
// log, instead of after the health wait, and leaves no container behind.
func TestContainerExitAtStartReported(t *testing.T) {
	img := testImage(t)
	start := time.Now()
	_, err := StartContainers(context.Background(), ContainerSpec{Image: img, Replicas: 1, Port: 8000,
		Args: []string{"--addr", "no-port"}})
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "no-port") {
		t.Fatalf("start with a bad address: %v; want the container's exit and its log", err)
	}
	if waited := time.Since(start); waited > 100*time.Second {
		t.Errorf("the start failed only after %s, the health wait", waited)
	}
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "ancestor="+img).Output()
	for _, id := range strings.Fields(string(out)) {
		if logs, _ := exec.Command("docker", "inspect", "-f", "{{.Args}}", id).Output(); strings.Contains(string(logs), "no-port") {
			t.Errorf("container %s of the failed start is left behind", id)
		}
	}
}
