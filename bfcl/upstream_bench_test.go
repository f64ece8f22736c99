package bfcl

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
)

// upstreamDriver is the Python process of testdata/upstream_gt_driver.py,
// which runs the ground truth through upstream's executor.
type upstreamDriver struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// upstreamLeaderboard is the berkeley-function-call-leaderboard folder
// named by SEEUPO_BFCL_UPSTREAM: the folder itself or a gorilla checkout
// that holds it. It skips b when the variable is unset.
func upstreamLeaderboard(b *testing.B) string {
	root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
	if root == "" {
		b.Skip("SEEUPO_BFCL_UPSTREAM is not set: point it at the berkeley-function-call-leaderboard folder of ShishirPatil/gorilla at 6ea5797 (or the checkout holding it); python3 with mpmath runs it")
	}
	if sub := filepath.Join(root, "berkeley-function-call-leaderboard"); isDir(sub) {
		return sub
	}
	return root
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func startUpstreamDriver(b *testing.B, leaderboard, dataDir string) (*upstreamDriver, int) {
	cmd := exec.Command("python3", filepath.Join("testdata", "upstream_gt_driver.py"), leaderboard, dataDir)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("python3 testdata/upstream_gt_driver.py: %v", err)
	}
	d := &upstreamDriver{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	d.out.Buffer(make([]byte, 1<<16), 1<<20)
	b.Cleanup(d.close)
	f := d.read(b, "ready")
	return d, atoi(b, f[0])
}

// ask sends one command and returns the fields of the answer line, which
// must start with want.
func (d *upstreamDriver) ask(b *testing.B, cmd, want string) []string {
	if _, err := fmt.Fprintln(d.in, cmd); err != nil {
		b.Fatal(err)
	}
	return d.read(b, want)
}

func (d *upstreamDriver) read(b *testing.B, want string) []string {
	if !d.out.Scan() {
		b.Fatalf("upstream driver: no answer (want %q): %v", want, d.out.Err())
	}
	f := strings.Fields(d.out.Text())
	if len(f) < 2 || f[0] != want {
		b.Fatalf("upstream driver: answer %q, want %q", d.out.Text(), want)
	}
	return f[1:]
}

func (d *upstreamDriver) close() {
	fmt.Fprintln(d.in, "quit")
	d.in.Close()
	d.cmd.Wait()
}

func atoi(b *testing.B, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// groundTruthRound executes the ground truth of every entry, turn by
// turn, each entry on a fresh executor; outputs, when not nil, receives
// every output.
func groundTruthRound(b *testing.B, d *Dataset, entries []*Entry, outputs func(string)) {
	for _, e := range entries {
		ex, err := d.NewExecutor(e, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, turn := range e.GroundTruth {
			if len(turn) == 0 {
				continue
			}
			for _, out := range ex.Execute(turn) {
				if outputs != nil {
					outputs(out)
				}
			}
		}
	}
}

// outputDigest is the driver's digest: SHA-256 over every output, each
// written as "<byte length>:<bytes>".
func outputDigest(b *testing.B, d *Dataset, entries []*Entry) (string, int) {
	h := sha256.New()
	n := 0
	groundTruthRound(b, d, entries, func(out string) {
		fmt.Fprintf(h, "%d:%s", len(out), out)
		n++
	})
	return hex.EncodeToString(h.Sum(nil)), n
}

// processCPU is the CPU time (user and system) the process has used so
// far, its garbage collector's threads included.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUpstreamGroundTruth compares the port with upstream's Python
// executor on the same work: the ground truth of all 800 multi-turn
// entries, executed turn by turn on fresh instances, without checking.
// Before timing, the outputs of both sides are compared through a digest.
// Each iteration runs one upstream round (timed by the driver itself,
// without process start and data loading) and one port round.
//
// It runs twice, as two sub-benchmarks: gc=go-default with Go's default
// collector (GOGC=100, unless the environment sets GOGC) and
// gc=env-serve with the collector set as `seeupo env serve` sets it in a
// container of 512 MiB (GC percent 800, soft limit 256 MiB). Each reports
// the mean CPU time per call of each side and upstream's over the port's
// ("speedup"), and the same from wall time ("wall-speedup"). The port's
// CPU time is everything the test process uses in the timed loop, so the
// collector's work that spills past a round into the wait for the next
// upstream round counts too. CPU time is the figure to read on a shared
// machine, where wall time includes waiting for a core.
func BenchmarkUpstreamGroundTruth(b *testing.B) {
	leaderboard := upstreamLeaderboard(b)
	d := loadDataset(b)
	entries := d.All()
	calls := 0
	for _, e := range entries {
		for _, turn := range e.GroundTruth {
			calls += len(turn)
		}
	}
	py, pyCalls := startUpstreamDriver(b, leaderboard, d.Dir)
	if pyCalls != calls {
		b.Fatalf("upstream driver counts %d calls, the port %d", pyCalls, calls)
	}
	want := py.ask(b, "digest", "digest")
	got, n := outputDigest(b, d, entries)
	if n != calls || atoi(b, want[1]) != calls {
		b.Fatalf("outputs: port %d, upstream %s, calls %d", n, want[1], calls)
	}
	if got != want[0] {
		b.Fatalf("outputs differ: port digest %s, upstream %s", got, want[0])
	}
	for _, c := range []struct {
		name string
		gc   *env.GCSetting
	}{{"gc=go-default", nil}, {"gc=env-serve", &serveGC}} {
		b.Run(c.name, func(b *testing.B) {
			if c.gc != nil {
				restore := c.gc.Apply()
				defer restore.Apply()
			}
			compareRounds(b, py, d, entries, calls)
		})
	}
}

// compareRounds runs b.N upstream and port rounds, alternating, and
// reports their times per call.
func compareRounds(b *testing.B, py *upstreamDriver, d *Dataset, entries []*Entry, calls int) {
	groundTruthRound(b, d, entries, nil) // the collector's setting takes hold
	runtime.GC()
	b.ResetTimer()
	var up, port sideTimes
	cpu0 := processCPU(b)
	for i := 0; i < b.N; i++ {
		f := py.ask(b, "run", "ns")
		up.add(time.Duration(atoi(b, f[0])), time.Duration(atoi(b, f[1])))
		t0 := time.Now()
		groundTruthRound(b, d, entries, nil)
		port.wall += time.Since(t0)
	}
	// The port's CPU time is all this process used in the loop: while it
	// waits for the upstream round it runs only what the collector has
	// left of the port's rounds (marking and sweeping), which counts.
	port.cpu = processCPU(b) - cpu0
	b.StopTimer()
	total := float64(b.N * calls)
	b.ReportMetric(float64(up.cpu.Nanoseconds())/total, "upstream-cpu-ns/call")
	b.ReportMetric(float64(port.cpu.Nanoseconds())/total, "port-cpu-ns/call")
	b.ReportMetric(float64(up.cpu)/float64(port.cpu), "speedup")
	b.ReportMetric(float64(up.wall.Nanoseconds())/total, "upstream-wall-ns/call")
	b.ReportMetric(float64(port.wall.Nanoseconds())/total, "port-wall-ns/call")
	b.ReportMetric(float64(up.wall)/float64(port.wall), "wall-speedup")
	b.ReportMetric(float64(calls), "calls/round")
	b.ReportMetric(0, "ns/op")
}

// serveGC is the collector setting of `seeupo env serve` in a container
// with env.docker.memory_mb's default of 512 MiB.
var serveGC = env.ServerGC(env.DefaultServerGCPercent, 512<<20)

// sideTimes sums the CPU and wall time of one side's rounds.
type sideTimes struct{ cpu, wall time.Duration }

func (s *sideTimes) add(cpu, wall time.Duration) {
	s.cpu += cpu
	s.wall += wall
}
