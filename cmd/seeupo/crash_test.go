package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/metrics"
)

// The crash test re-executes its own binary as a seeupo process (see
// runCrashChildIfAsked, called first by TestMain) and kills it.
const (
	crashChildEnv      = "CRASHTEST_SEEUPO_CHILD" // "1": run the CLI with the arguments
	crashStopEnv       = "CRASHTEST_STOP_AT"      // "<stage>:<step>": stop at that checkpoint stage
	crashMarkEnv       = "CRASHTEST_STOPPED_FILE" // written when the child has stopped there
	crashKills         = 20                       // kill points over all trials
	crashKillsPerTrial = 5                        // at most, before the trial's run is resumed to its end
	crashRaceKills     = 4                        // under the race detector
	crashSteps         = 4                        // training steps of the crash suite
	crashDeadline      = 3 * time.Minute          // per child process; only a hang reaches it
	crashRunPath       = "micro/bfcl_gen/ppo/seed-1"
	crashWarmPath      = "micro/warm-start"
)

// crashSuiteYAML is a training run of seconds with a checkpoint per step;
// PPO, so that both a policy and a critic with non-zero gradients are
// checkpointed.
var crashSuiteYAML = `experiment: micro
algorithms: [ppo]
seeds: [1]
reference: false
appworld: {enabled: false}
tasks: {n: 40, classes: [MathAPI]}
warm_start: {steps: 2, batch: 4}
rl: {steps: ` + strconv.Itoa(crashSteps) + `, tasks_per_step: 2, group_size: 2, eval_every: 2, eval_samples: 2, eval_tasks: 2, max_tokens_per_turn: 8, checkpoint_every: 1}
`

// runCrashChildIfAsked runs the CLI in a child process of the crash test
// and exits; in the test process itself it returns at once.
func runCrashChildIfAsked() {
	if os.Getenv(crashChildEnv) != "1" {
		return
	}
	if at := os.Getenv(crashStopEnv); at != "" {
		stage, stepText, _ := strings.Cut(at, ":")
		step, _ := strconv.ParseInt(stepText, 10, 64)
		mark := os.Getenv(crashMarkEnv)
		metrics.CheckpointStageHook = func(s string, n int64) {
			if s == stage && n >= step {
				os.WriteFile(mark, []byte(fmt.Sprintf("at %s of step %d's checkpoint", s, n)), 0o644)
				time.Sleep(crashDeadline) // until the test kills the process
			}
		}
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "seeupo:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// killPoint is where a child is killed: at a checkpoint stage of a step,
// or after a delay.
type killPoint struct {
	stage string
	step  int
	delay time.Duration
}

func (p killPoint) String() string {
	if p.stage != "" {
		return fmt.Sprintf("at %s of the first checkpoint from step %d on", p.stage, p.step)
	}
	return fmt.Sprintf("after %v", p.delay)
}

// TestKilledTrainingResumesExactly is the crash-safety acceptance run: a
// short training run is killed with SIGKILL at 20 random points — half of
// them inside a checkpoint write (before its files, after them, after the
// manifest, after the rename), half after a random delay — and resumed
// with --resume until it completes. Every time, metrics.jsonl, eval.jsonl,
// summary.json and the final weights and optimiser state equal those of a
// run that was never killed (timings aside).
func TestKilledTrainingResumesExactly(t *testing.T) {
	root := t.TempDir()
	suite := filepath.Join(root, "micro.yaml")
	if err := os.WriteFile(suite, []byte(crashSuiteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(root, "uninterrupted")
	began := time.Now()
	if out, err := crashChild(t, suite, base, "", killPoint{}).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	runTime := time.Since(began)
	want := readRunOutcome(t, filepath.Join(base, crashRunPath))

	rng := rand.New(rand.NewPCG(15, 15))
	budget, kills, midWrite, attempts := crashKillBudget(t), 0, 0, 0
	stages := []string{"begun", "synced", "sealed", "renamed"}
	for trial := 0; kills < budget; trial++ {
		if trial == budget {
			t.Fatalf("only %d of %d kills landed in %d trials: the runs completed first", kills, budget, trial)
		}
		out := filepath.Join(root, fmt.Sprintf("trial-%d", trial))
		copyDir(t, filepath.Join(base, crashWarmPath), filepath.Join(out, crashWarmPath))
		for n := 0; n < crashKillsPerTrial && kills < budget; n++ {
			p := killPoint{delay: time.Duration(rng.Int64N(int64(runTime)))}
			if attempts++; attempts%2 == 1 {
				p = killPoint{stage: stages[rng.IntN(len(stages))], step: 1 + rng.IntN(crashSteps)}
			}
			killed, log := runAndKill(t, suite, out, p)
			if !killed {
				t.Logf("trial %d: the run completed before the kill %v", trial, p)
				break
			}
			kills++
			if hasTempCheckpoint(t, filepath.Join(out, crashRunPath)) {
				midWrite++
			}
			t.Logf("trial %d: kill %v: killed, %s", trial, p, log)
		}
		if err := resumeToEnd(t, suite, out); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		runDir := filepath.Join(out, crashRunPath)
		if hasTempCheckpoint(t, runDir) {
			t.Errorf("trial %d: a checkpoint write cut short was left behind", trial)
		}
		compareOutcomes(t, fmt.Sprintf("trial %d", trial), want, readRunOutcome(t, runDir))
	}
	if midWrite == 0 {
		t.Errorf("none of the %d kills landed inside a checkpoint write", kills)
	}
	t.Logf("%d kills, %d inside a checkpoint write; every resumed run equals the uninterrupted one", kills, midWrite)
}

// crashKillBudget is crashKills, fewer under the race detector, whose
// slowdown of the training arithmetic would make this test take minutes;
// go test without -race runs all of them.
func crashKillBudget(t *testing.T) int {
	if raceEnabled {
		t.Logf("race detector on: %d of the %d kill points (go test without -race runs all)", crashRaceKills, crashKills)
		return crashRaceKills
	}
	return crashKills
}

// crashChild is the command of a child seeupo train process.
func crashChild(t *testing.T, suite, out, mark string, p killPoint) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashDeadline)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "train", "--suite", suite, "--out", out, "--algo", "ppo",
		"--resume", "--threads", "1")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	if p.stage != "" {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%s:%d", crashStopEnv, p.stage, p.step), crashMarkEnv+"="+mark)
	}
	return cmd
}

// runAndKill starts a child and kills it at p; killed is false when the
// child completed first.
func runAndKill(t *testing.T, suite, out string, p killPoint) (killed bool, log string) {
	t.Helper()
	mark := filepath.Join(out, "stopped")
	os.Remove(mark)
	cmd := crashChild(t, suite, out, mark, p)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var stop <-chan time.Time
	if p.stage == "" {
		stop = time.After(p.delay)
	}
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("run before the kill %v failed: %v\n%s", p, err, buf.String())
			}
			return false, ""
		case <-stop:
		case <-poll.C:
			if _, err := os.Stat(mark); err != nil {
				continue
			}
		}
		cmd.Process.Kill() // SIGKILL
		<-exited
		where, _ := os.ReadFile(mark) // the stage and step actually reached
		return true, strings.TrimSpace(string(where) + resumeNote(buf.String()))
	}
}

// resumeNote is what the killed segment said about its resume, if it was
// one.
func resumeNote(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "resuming from") {
			return " (that segment was " + strings.TrimSpace(line[strings.Index(line, "resuming from"):]) + ")"
		}
	}
	return ""
}

// resumeToEnd runs --resume without a kill; it must complete.
func resumeToEnd(t *testing.T, suite, out string) error {
	t.Helper()
	b, err := crashChild(t, suite, out, "", killPoint{}).CombinedOutput()
	if err != nil {
		return fmt.Errorf("resume: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "resuming from step") && !strings.Contains(string(b), "starting the run") {
		return fmt.Errorf("resume does not say which checkpoint it used:\n%s", b)
	}
	return nil
}

func hasTempCheckpoint(t *testing.T, runDir string) bool {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(runDir, metrics.DirCheckpoints))
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-step-") {
			return true
		}
	}
	return false
}

// runOutcome is what a completed run leaves, less its timings.
type runOutcome struct {
	Metrics   []metrics.Record
	Evals     []byte
	Summary   metrics.Summary
	Weights   []byte // the final policy checkpoint's model.safetensors
	Optimizer []byte // and its optimizer.safetensors
	Critic    []byte // the final critic's model.safetensors
}

func readRunOutcome(t *testing.T, runDir string) runOutcome {
	t.Helper()
	var o runOutcome
	recs, problems, err := metrics.ReadMetrics(filepath.Join(runDir, metrics.FileMetrics))
	if err != nil || len(problems) > 0 {
		t.Fatalf("%s: %v %v", runDir, err, problems)
	}
	for _, r := range recs {
		for k := range r.Data {
			if strings.HasPrefix(k, "timing_s/") || k == metrics.PerfThroughput {
				delete(r.Data, k)
			}
		}
	}
	o.Metrics = recs
	o.Evals = readFileT(t, filepath.Join(runDir, metrics.FileEval))
	if o.Summary, err = metrics.ReadSummary(runDir); err != nil {
		t.Fatal(err)
	}
	if o.Summary.WallClockS <= 0 {
		t.Errorf("%s: summary wall_clock_s %v", runDir, o.Summary.WallClockS)
	}
	o.Summary.WallClockS = 0
	final := filepath.Join(runDir, metrics.DirCheckpoints, "step-"+strconv.Itoa(crashSteps), "policy")
	o.Weights = readFileT(t, filepath.Join(final, "model.safetensors"))
	o.Optimizer = readFileT(t, filepath.Join(final, "optimizer.safetensors"))
	o.Critic = readFileT(t, filepath.Join(filepath.Dir(final), "critic", "model.safetensors"))
	return o
}

func compareOutcomes(t *testing.T, what string, want, got runOutcome) {
	t.Helper()
	if !reflect.DeepEqual(want.Metrics, got.Metrics) {
		t.Errorf("%s: metrics.jsonl differs:\nuninterrupted %v\nresumed       %v", what, want.Metrics, got.Metrics)
	}
	if !bytes.Equal(want.Evals, got.Evals) {
		t.Errorf("%s: eval.jsonl differs:\nuninterrupted %s\nresumed       %s", what, want.Evals, got.Evals)
	}
	if !reflect.DeepEqual(want.Summary, got.Summary) {
		ws, _ := json.Marshal(want.Summary)
		gs, _ := json.Marshal(got.Summary)
		t.Errorf("%s: summary.json differs:\nuninterrupted %s\nresumed       %s", what, ws, gs)
	}
	if !bytes.Equal(want.Weights, got.Weights) || !bytes.Equal(want.Optimizer, got.Optimizer) ||
		!bytes.Equal(want.Critic, got.Critic) {
		t.Errorf("%s: final weights, optimiser state or critic differ", what)
	}
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDir copies a directory tree of regular files.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
