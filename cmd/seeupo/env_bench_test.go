package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
)

// bfclEpisodes scripts n episodes over the test split's tasks with the
// ground-truth script of "env eval".
func bfclEpisodes(tb testing.TB, dataDir string, n int) (*bfcl.Suite, []env.Episode) {
	tb.Helper()
	s, err := env.Open(bfcl.SuiteName, env.Options{DataDir: dataDir})
	if err != nil {
		tb.Fatal(err)
	}
	tasks, err := s.Tasks(bfcl.SplitTest)
	if err != nil {
		tb.Fatal(err)
	}
	script, err := newScript(bfcl.SuiteName, env.Options{DataDir: dataDir})
	if err != nil {
		tb.Fatal(err)
	}
	eps := make([]env.Episode, n)
	for i := range eps {
		t := tasks[i%len(tasks)]
		acts, err := script(t, 1)
		if err != nil {
			tb.Fatal(err)
		}
		eps[i] = env.Episode{Task: t, Actions: acts}
	}
	return s.(*bfcl.Suite), eps
}

func benchEpisodes(b *testing.B, backends []env.Backend, eps []env.Episode) {
	b.Helper()
	b.ResetTimer()
	recs, err := env.RunEpisodes(context.Background(), backends, eps, env.RunOptions{Concurrency: 4})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if r.Status == env.StatusErrored {
			b.Fatalf("episode %d (%s): %s", r.Index, r.TaskID, r.Error)
		}
	}
	b.ReportMetric(float64(len(eps))/b.Elapsed().Seconds(), "episodes/s")
}

// BenchmarkBFCLEpisodes runs the same ground-truth BFCL episodes (test
// split, 4 in flight) in process, through one env-service server on
// loopback HTTP (in the benchmark's process, and as a "seeupo env serve"
// process of its own), and on four containers.
func BenchmarkBFCLEpisodes(b *testing.B) {
	data := filepath.Dir(testdata.Dir(b, "bfcl_v4"))
	b.Run("inproc", func(b *testing.B) {
		s, eps := bfclEpisodes(b, data, b.N)
		benchEpisodes(b, []env.Backend{{Name: "inproc", Suite: s}}, eps)
	})
	b.Run("http-loopback", func(b *testing.B) {
		s, eps := bfclEpisodes(b, data, b.N)
		c, stop, err := env.ServeLoopback(s)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		rs, err := env.OpenRemote(context.Background(), c, bfcl.SuiteName)
		if err != nil {
			b.Fatal(err)
		}
		benchEpisodes(b, []env.Backend{{Name: "loopback", Suite: rs, Check: c.Health}}, eps)
	})
	b.Run("http-loopback-process", func(b *testing.B) {
		_, eps := bfclEpisodes(b, data, b.N)
		url := serveProcess(b, data)
		c, _ := env.NewClient(env.ClientOptions{BaseURL: url})
		rs, err := env.OpenRemote(context.Background(), c, bfcl.SuiteName)
		if err != nil {
			b.Fatal(err)
		}
		benchEpisodes(b, []env.Backend{{Name: "process", Suite: rs, Check: c.Health}}, eps)
	})
	b.Run("docker-4", func(b *testing.B) {
		_, eps := bfclEpisodes(b, data, b.N)
		pool := bfclPool(b, data, 4)
		benchEpisodes(b, pool.Backends(bfcl.SuiteName), eps)
	})
}

// testDocker connects to the engine and builds the static binary and its
// image once per test process (TestMain removes both); it skips when no
// engine answers.
var (
	binOnce   sync.Once
	dockerBin string
	binErr    error

	dockerOnce  sync.Once
	dockerCli   *client.Client
	dockerImage string
	dockerErr   error
	dockerSkip  string
)

const testImageRepo = "seeupo-env-cmdtest"

// testBinary builds the static seeupo binary once per test process.
func testBinary(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		root, ok := config.FindCheckout("")
		if !ok {
			binErr = errors.New("no source checkout")
			return
		}
		dir, err := os.MkdirTemp("", "seeupo-cmd-test")
		if err != nil {
			binErr = err
			return
		}
		dockerBin = filepath.Join(dir, "seeupo")
		binErr = container.BuildBinary(context.Background(), root, dockerBin)
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return dockerBin
}

func testDocker(tb testing.TB) (*client.Client, string, string) {
	tb.Helper()
	dockerOnce.Do(func() {
		ctx := context.Background()
		cli, err := container.Connect(ctx)
		if err != nil {
			dockerSkip = err.Error()
			return
		}
		dockerCli = cli
	})
	if dockerSkip != "" {
		tb.Skipf("Docker test skipped: %s", dockerSkip)
	}
	bin := testBinary(tb)
	if dockerImage == "" && dockerErr == nil {
		tag, err := container.ImageTag(testImageRepo, bin)
		if err == nil {
			_, err = container.BuildImage(context.Background(), dockerCli, bin, tag)
		}
		dockerImage, dockerErr = tag, err
	}
	if dockerErr != nil {
		tb.Fatal(dockerErr)
	}
	return dockerCli, bin, dockerImage
}

// TestMain removes the test image and binary after the tests; in a child
// process of the crash test it runs the CLI instead.
func TestMain(m *testing.M) {
	runCrashChildIfAsked()
	code := m.Run()
	if dockerCli != nil {
		if dockerImage != "" {
			dockerCli.ImageRemove(context.Background(), dockerImage, image.RemoveOptions{Force: true, PruneChildren: true})
		}
		dockerCli.Close()
	}
	if dockerBin != "" {
		os.RemoveAll(filepath.Dir(dockerBin))
	}
	os.Exit(code)
}

// bfclPool starts n containers serving bfcl with the data mounted.
func bfclPool(tb testing.TB, data string, n int) *container.Pool {
	tb.Helper()
	cli, _, tag := testDocker(tb)
	p, err := container.Start(context.Background(), cli, container.Options{Image: tag, Suites: []string{bfcl.SuiteName}, DataDir: data,
		Replicas: n, StartTimeout: time.Minute})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Error(err)
		}
	})
	return p
}

// TestBFCLFourContainersMatchInProcess is the acceptance run on BFCL:
// the same ground-truth episodes give the same records in process and on
// four containers.
func TestBFCLFourContainersMatchInProcess(t *testing.T) {
	data := filepath.Dir(testdata.Dir(t, "bfcl_v4"))
	s, eps := bfclEpisodes(t, data, 120)
	want, err := env.RunEpisodes(context.Background(), []env.Backend{{Name: "inproc", Suite: s}}, eps, env.RunOptions{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	pool := bfclPool(t, data, 4)
	got, err := env.RunEpisodes(context.Background(), pool.Backends(bfcl.SuiteName), eps, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i := range want {
		if got[i].Outcome() != want[i].Outcome() {
			t.Errorf("episode %d differs:\ncontainers %s\nin process %s", i, got[i].Outcome(), want[i].Outcome())
		}
		count[want[i].Status]++
	}
	if count[env.StatusSuccess] == 0 || count[env.StatusFailure] == 0 || count[env.StatusErrored] != 0 {
		t.Fatalf("statuses %v: the script should both solve and fail tasks, without errors", count)
	}
	t.Logf("statuses %v", count)
}

var retriedRe = regexp.MustCompile(` 0 error; [1-9][0-9]* retried`)

// TestBFCLKilledContainer kills a container in the middle of a BFCL
// episode (env eval --kill-on-step): the episode is retried on a healthy
// container, the container is restarted, and the records equal the
// in-process run's.
func TestBFCLKilledContainer(t *testing.T) {
	data := filepath.Dir(testdata.Dir(t, "bfcl_v4"))
	_, bin, _ := testDocker(t)
	t.Setenv("SEEUPO_ENV_DOCKER_IMAGE", testImageRepo)
	args := []string{"--data-dir", data, "env", "eval", "--suite", "bfcl", "--split", "test", "--limit", "100", "--seed", "2"}
	want, _, err := runCLI(t, append(args, "--backend", "inproc")...)
	if err != nil {
		t.Fatal(err)
	}
	got, logs, err := runCLI(t, append(args, "--backend", "docker", "--pool", "4", "--binary", bin, "--kill-on-step", "25")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	wantDigest, gotDigest := digestRe.FindString(want), digestRe.FindString(got)
	if wantDigest == "" || gotDigest != wantDigest || !strings.Contains(got, "100 episodes: ") || !retriedRe.MatchString(got) {
		t.Fatalf("in process:\n%s\ncontainers with a kill:\n%s\n%s", want, got, logs)
	}
	for _, line := range []string{"fault injection: killing the container mid-episode", "container exited; restarting it",
		"episode attempt failed", "attempts=2"} {
		if !strings.Contains(logs, line) {
			t.Errorf("log lacks %q:\n%s", line, logs)
		}
	}
}

// serveProcess runs "seeupo env serve --suite bfcl" as a process of its
// own on a free loopback port and returns its URL.
func serveProcess(tb testing.TB, data string) string {
	tb.Helper()
	cmd := exec.Command(testBinary(tb), "--data-dir", data, "env", "serve", "--suite", bfcl.SuiteName, "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`on (http://\S+)`).FindStringSubmatch(line)
	if err != nil || m == nil {
		tb.Fatalf("env serve printed %q: %v", line, err)
	}
	return m[1]
}
