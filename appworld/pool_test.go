package appworld

import (
	"context"
	"os"
	"os/exec"
	"testing"

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
// runs tasks through the suite's remote mode, on a published port and on
// an internal (no route out) network.
func TestContainerPool(t *testing.T) {
	img := testImage(t)
	network := "seeupo-appworld-test"
	exec.Command("docker", "network", "create", "--internal", network).Run()
	defer exec.Command("docker", "network", "rm", network).Run()
	for _, params := range []map[string]string{
		{"mode": "remote", "image": img, "replicas": "2", "container_args": ""},
		{"mode": "remote", "image": img, "replicas": "1", "container_args": "", "network": network},
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
		if err != nil || pool.Size() != len(pool.containers) {
			t.Errorf("pool: %v", err)
		}
		if err := s.(*Suite).Close(); err != nil {
			t.Error(err)
		}
	}
}
