//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/metrics"
)

// The bound: a command ends within this long of SIGINT. Waiting
// for a command to reach its work is bounded only by startDeadline, which
// is generous because the test machine may be loaded.
const (
	stopBound     = 5 * time.Second
	startDeadline = 10 * time.Minute
	hangDeadline  = time.Minute // how long a command that ignores SIGINT is given before the test fails
)

// statusInterrupted is the run directory contract's status of a run
// stopped by a signal (docs/reports.md).
const statusInterrupted = "interrupted"

// signalSuiteYAML is a suite whose training would take hours: tiny
// steps, a checkpoint after every one.
const signalSuiteYAML = `experiment: sig
algorithms: [grpo]
seeds: [1]
reference: false
tasks: {n: 40, classes: [MathAPI]}
warm_start: {steps: 2, batch: 4}
rl: {steps: 1000000, tasks_per_step: 2, group_size: 2, eval_every: 0, eval_samples: 1, eval_tasks: 2, checkpoint_every: 1, max_tokens_per_turn: 8}
appworld: {enabled: false}
`

// TestSIGINTStopsCommandsWithConsistentRunDirectories sends SIGINT to
// seeupo train, report (blocked on a named pipe) and bench theory once
// each is at work, and checks that each ends within the bound with status
// 130, a message, and run directories a later command can read or resume.
func TestSIGINTStopsCommandsWithConsistentRunDirectories(t *testing.T) {
	bin := testBinary(t)
	cases := []struct {
		name string
		// start returns the command line and waits (via ready) until the
		// command is at work.
		args  func(t *testing.T, dir string) []string
		ready func(t *testing.T, p *process, dir string)
		check func(t *testing.T, p *process, dir string)
	}{
		{"train", trainArgs, waitForCheckpointedStep, checkTrainInterrupted},
		{"report on a named pipe", reportFIFOArgs, waitForPipeReader, checkReportInterrupted},
		{"bench theory", theoryArgs, waitForTheoryIterations, checkTheoryInterrupted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := startProcess(t, bin, dir, tc.args(t, dir)...)
			tc.ready(t, p, dir)
			status, took := p.interrupt(t, syscall.SIGINT)
			if status != 130 || took > stopBound {
				t.Fatalf("exit status %d %s after SIGINT, want 130 within %s; stderr:\n%s", status, took, stopBound, p.stderr())
			}
			if msg := p.stderr(); !strings.Contains(msg, "seeupo: interrupted by SIGINT") {
				t.Errorf("stderr does not say the command was interrupted:\n%s", msg)
			}
			tc.check(t, p, dir)
		})
	}
}

// TestSecondSignalExitsAtOnce stalls a test build after its graceful stop
// and checks that a second SIGINT still ends it at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	bin := stallingBinary(t)
	dir := t.TempDir()
	p := startProcess(t, bin, dir, reportFIFOArgs(t, dir)...)
	waitForPipeReader(t, p, dir)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "stalling after the interruption", hangDeadline)
	status, took := p.interrupt(t, syscall.SIGINT)
	if status != 130 || took > stopBound {
		t.Fatalf("second SIGINT: exit status %d after %s, want 130 within %s; stderr:\n%s", status, took, stopBound, p.stderr())
	}
	if !strings.Contains(p.stderr(), "SIGINT received again: exiting at once") {
		t.Errorf("stderr does not explain the immediate exit:\n%s", p.stderr())
	}
}

func trainArgs(t *testing.T, dir string) []string {
	suite := filepath.Join(dir, "sig.yaml")
	if err := os.WriteFile(suite, []byte(signalSuiteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"train", "--suite", suite, "--algo", "grpo", "--out", filepath.Join(dir, "runs"), "--threads", "1"}
}

func trainRunDir(dir string) string {
	return filepath.Join(dir, "runs", "sig", "bfcl_gen", "grpo", "seed-1")
}

// waitForCheckpointedStep waits until the run has logged a step after its
// first checkpoint, so SIGINT comes in the middle of training.
func waitForCheckpointedStep(t *testing.T, p *process, dir string) {
	waitForSteps(t, p, filepath.Join(trainRunDir(dir), metrics.FileMetrics), 2)
}

func checkTrainInterrupted(t *testing.T, p *process, dir string) {
	run := trainRunDir(dir)
	last := checkInterruptedRun(t, run)
	if !strings.Contains(p.stderr(), "resume with: seeupo train") || !strings.Contains(p.stderr(), "--resume") {
		t.Errorf("stderr does not say how to resume:\n%s", p.stderr())
	}
	ckpts, err := metrics.Checkpoints(run)
	if err != nil || len(ckpts) == 0 {
		t.Fatalf("no checkpoint kept: %v %v", ckpts, err)
	}
	if _, err := os.Stat(filepath.Join(run, metrics.DirCheckpoints, "step-"+strconv.FormatInt(ckpts[len(ckpts)-1], 10), "trainer.json")); err != nil {
		t.Errorf("newest checkpoint is incomplete: %v", err)
	}
	// --resume continues the run past where it stopped; stop it again.
	args := append(trainArgs(t, dir), "--resume")
	again := startProcess(t, p.cmd.Path, dir, args...)
	waitForSteps(t, again, filepath.Join(run, metrics.FileMetrics), int(last)+1)
	if status, took := again.interrupt(t, syscall.SIGINT); status != 130 || took > stopBound {
		t.Fatalf("resumed run: exit status %d %s after SIGINT; stderr:\n%s", status, took, again.stderr())
	}
	checkInterruptedRun(t, run)
	if meta, err := metrics.ReadMeta(run); err != nil || len(meta.Resumed) != 1 {
		t.Errorf("meta.json after one resume: %+v, %v", meta, err)
	}
}

// checkInterruptedRun checks that a run directory says it was
// interrupted and that its metrics end with a complete line; it returns
// the last step logged.
func checkInterruptedRun(t *testing.T, run string) int64 {
	t.Helper()
	recs, problems, err := metrics.ReadMetrics(filepath.Join(run, metrics.FileMetrics))
	if err != nil || len(problems) > 0 || len(recs) == 0 {
		t.Fatalf("%s: %d records, problems %v, %v", metrics.FileMetrics, len(recs), problems, err)
	}
	last := recs[len(recs)-1].Step
	meta, err := metrics.ReadMeta(run)
	if err != nil || meta.Status != statusInterrupted || meta.End == nil {
		t.Errorf("meta.json: status %q end %v, %v; want %q with an end time", meta.Status, meta.End, err, statusInterrupted)
	}
	sum, err := metrics.ReadSummary(run)
	if err != nil || sum.Status != statusInterrupted || sum.Steps != last {
		t.Errorf("summary.json: %+v, %v; want status %q and steps %d (the last logged)", sum, err, statusInterrupted, last)
	}
	return last
}

func reportFIFOArgs(t *testing.T, dir string) []string {
	fifo := filepath.Join(dir, "log.jsonl")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"report", fifo, "--out", filepath.Join(dir, "report")}
}

// waitForPipeReader waits until the command has the named pipe open for
// reading, then holds its write end open without writing, so the
// command's read blocks.
func waitForPipeReader(t *testing.T, p *process, dir string) {
	fifo := filepath.Join(dir, "log.jsonl")
	deadline := time.Now().Add(startDeadline)
	for {
		fd, err := unix.Open(fifo, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			t.Cleanup(func() { unix.Close(fd) })
			return
		}
		if !errors.Is(err, unix.ENXIO) || time.Now().After(deadline) || p.exited() {
			t.Fatalf("the command never opened %s: %v; stderr:\n%s", fifo, err, p.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkReportInterrupted(t *testing.T, p *process, dir string) {
	if _, err := os.Stat(filepath.Join(dir, "report", "report.pdf")); err == nil {
		t.Errorf("an interrupted report wrote report.pdf")
	}
}

func theoryArgs(t *testing.T, dir string) []string {
	return []string{"bench", "theory", "--quick", "--cases", "per-history", "--families", "additive",
		"--algorithms", "grpo", "--seeds", "1", "--iterations", "1000000", "--out", dir}
}

func theoryRunDir(t *testing.T, dir string) string {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(dir, "*", "bandit-additive*", "grpo", "seed-1"))
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

func waitForTheoryIterations(t *testing.T, p *process, dir string) {
	deadline := time.Now().Add(startDeadline)
	for theoryRunDir(t, dir) == "" {
		if time.Now().After(deadline) || p.exited() {
			t.Fatalf("no theory run directory under %s; stderr:\n%s", dir, p.stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitForSteps(t, p, filepath.Join(theoryRunDir(t, dir), metrics.FileMetrics), 10)
}

func checkTheoryInterrupted(t *testing.T, p *process, dir string) {
	checkInterruptedRun(t, theoryRunDir(t, dir))
}

// waitForSteps waits until the metrics log at path has at least n
// records.
func waitForSteps(t *testing.T, p *process, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(startDeadline)
	for {
		recs, _, _ := metrics.ReadMetrics(path)
		if len(recs) >= n {
			return
		}
		if time.Now().After(deadline) || p.exited() {
			t.Fatalf("%s has %d records, waited for %d; stderr:\n%s", path, len(recs), n, p.stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// process is a seeupo subprocess with its standard error collected.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	err  bytes.Buffer
	done chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err.Write(b)
}

func (p *process) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err.String()
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startProcess runs bin with args in dir; the test's cleanup kills it if
// it is still running.
func startProcess(t *testing.T, bin, dir string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Dir, p.cmd.Stderr = dir, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitFor waits until stderr holds want.
func (p *process) waitFor(t *testing.T, want string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(p.stderr(), want) {
		if time.Now().After(deadline) || p.exited() {
			t.Fatalf("stderr never said %q:\n%s", want, p.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// interrupt sends sig and waits for the process to end, for at most
// hangDeadline; it returns the exit status (-1 when a signal killed it, or
// it did not end) and the time from the signal to the end.
func (p *process) interrupt(t *testing.T, sig syscall.Signal) (int, time.Duration) {
	t.Helper()
	sent := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal: %v; stderr:\n%s", err, p.stderr())
	}
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), time.Since(sent)
	case <-time.After(hangDeadline):
		return -1, time.Since(sent)
	}
}

var (
	stallOnce sync.Once
	stallBin  string
	stallErr  error
)

// stallingBinary builds seeupo with the test hook that hangs after a
// graceful stop (see stallAfterInterrupt), beside testBinary's binary so
// TestMain removes both.
func stallingBinary(t *testing.T) string {
	t.Helper()
	beside := testBinary(t)
	stallOnce.Do(func() {
		root, ok := config.FindCheckout("")
		if !ok {
			stallErr = errors.New("no source checkout to build seeupo from")
			return
		}
		stallBin = filepath.Join(filepath.Dir(beside), "seeupo-stall")
		cmd := exec.Command("go", "build", "-ldflags", "-X main.stallAfterInterrupt=1", "-o", stallBin, "./cmd/seeupo")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			stallErr = errors.New("building the stalling test binary: " + err.Error() + "\n" + string(out))
		}
	})
	if stallErr != nil {
		t.Fatal(stallErr)
	}
	return stallBin
}

func TestExitStatusAndMessage(t *testing.T) {
	interrupted := func(sig os.Signal) context.Context {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(interruption{sig})
		return ctx
	}
	stop := &stoppedError{err: context.Canceled, kept: "run directory runs/x (last checkpoint: step 4)",
		resume: commandLine([]string{"train", "--suite", "my suite.yaml"}, "--resume")}
	cases := []struct {
		name       string
		ctx        context.Context
		err        error
		wantStatus int
		wantStderr string
	}{
		{"success", context.Background(), nil, 0, ""},
		{"success despite a signal", interrupted(syscall.SIGINT), nil, 0, ""},
		{"error", context.Background(), errors.New("bad flag"), 1, "seeupo: bad flag\n"},
		{"SIGINT", interrupted(syscall.SIGINT), stop, 130,
			"seeupo: interrupted by SIGINT; run directory runs/x (last checkpoint: step 4); resume with: seeupo train --suite 'my suite.yaml' --resume\n"},
		{"SIGTERM, no hint", interrupted(syscall.SIGTERM), fmt.Errorf("step 3: %w", context.Canceled), 143,
			"seeupo: interrupted by SIGTERM\n"},
		{"own failure while stopping", interrupted(syscall.SIGINT), errors.New("disk full"), 130,
			"seeupo: disk full\nseeupo: interrupted by SIGINT\n"},
	}
	for _, tc := range cases {
		var stderr bytes.Buffer
		if got := exitStatus(tc.ctx, tc.err, &stderr); got != tc.wantStatus || stderr.String() != tc.wantStderr {
			t.Errorf("%s: status %d, stderr %q; want %d, %q", tc.name, got, stderr.String(), tc.wantStatus, tc.wantStderr)
		}
	}
}
