package benchmarks

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/models"
)

// TestSuiteRejectsOutOfRangeSettings loads suite files that change one
// setting of the quick preset to a value that would crash a run or make
// no sense, and expects the key and its allowed range in the error.
func TestSuiteRejectsOutOfRangeSettings(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ yaml, want string }{
		{"model: {hidden_size: 100000}", "model.hidden_size is 100000; allowed: an integer in [0, 16384]"},
		{"model: {vocab: 100000000}", "model.vocab is 100000000; allowed: an integer in [1, 262144]"},
		{"model: {layers: 100000}", "model.layers is 100000; allowed: an integer in [0, 512]"},
		{"model: {layers: -2}", "model.layers is -2; allowed: an integer in [0, 512]"},
		{"model: {context: 10000000}", "model.context is 10000000; allowed: an integer in [1, 131072]"},
		{"warm_start: {lr: .nan}", "warm_start.lr is NaN; allowed: a finite number in (0, 1]"},
		{"warm_start: {lr: .inf}", "warm_start.lr is +Inf; allowed: a finite number in (0, 1]"},
		{"rl: {lr: .nan}", "rl.lr is NaN; allowed: a finite number in (0, 1]"},
		{"rl: {lr: -.inf}", "rl.lr is -Inf; allowed: a finite number in (0, 1]"},
		{"rl: {critic_lr: .inf}", "rl.critic_lr is +Inf; allowed: a finite number in [0, 1]"},
		{"rl: {temperature: .nan}", "rl.temperature is NaN; allowed: a finite number in [0, 100]"},
		{"warm_start: {steps: -5}", "warm_start.steps is -5; allowed: an integer in [0, 10000000]"},
		{"tasks: {heldout: -0.5}", "tasks.heldout is -0.5; allowed: a finite number in [0, 1)"},
		{"tasks: {heldout: 1}", "tasks.heldout is 1; allowed: a finite number in [0, 1)"},
		{"rl: {steps: -1}", "rl.steps is -1; allowed: an integer in [0, 10000000]"},
		{"rl: {eval_every: -1}", "rl.eval_every is -1; allowed: an integer in [0, 10000000]"},
		{"rl: {checkpoint_every: -3}", "rl.checkpoint_every is -3; allowed: an integer in [0, 10000000]"},
		{"rl: {keep_trajectories: -1}", "rl.keep_trajectories is -1; allowed: an integer in [0, 1000000]"},
		{"rl: {eval_tasks: -1}", "rl.eval_tasks is -1; allowed: an integer in [0, 1000000]"},
		{"rl: {max_context: -1}", "rl.max_context is -1; allowed: an integer in [0, 1048576]"},
		{"appworld: {rl: {steps: -1}}", "appworld.rl.steps is -1; allowed: an integer in [0, 10000000]"},
		{"appworld: {model: {hidden_size: 100000}}", "appworld.model.hidden_size is 100000; allowed: an integer in [0, 16384]"},
	} {
		p := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(p, []byte(c.yaml+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSuite(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestSuiteRefusesAModelBeyondMemory checks the memory estimate: the
// largest model the ranges allow does not fit in 64 GiB and is refused
// with the estimate; the quick preset fits in 1 GiB.
func TestSuiteRefusesAModelBeyondMemory(t *testing.T) {
	c, err := LoadSuite("quick")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.validate(1 << 30); err != nil {
		t.Fatalf("quick preset in 1 GiB: %v", err)
	}
	c.Model.HiddenSize, c.Model.Layers, c.Model.IntermediateSize = 16384, 512, 65536
	err = c.validate(64 << 30)
	for _, want := range []string{"parameters) needs about", "GiB for weights, gradients, optimiser state", "more than the 64.0 GiB of memory available"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("huge model in 64 GiB: got %v, want %q", err, want)
		}
	}
}

// TestRunSuiteRejectsBadSettingsBeforeWork runs a suite with a negative
// RL setting: it fails before the warm start, leaving nothing behind.
func TestRunSuiteRejectsBadSettingsBeforeWork(t *testing.T) {
	c := microSuite(t)
	c.RL.Steps = -1
	out := t.TempDir()
	if _, err := RunSuite(context.Background(), c, RunOptions{Out: out, Models: models.CPU(1)}); err == nil ||
		!strings.Contains(err.Error(), "rl.steps is -1; allowed: an integer in [0, 10000000]") {
		t.Fatalf("RunSuite: %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("RunSuite left %d entries in %s (a warm start began)", len(entries), out)
	}
}

// TestTheoryConfigRejectsOutOfRangeSettings changes one setting of the
// quick theory configuration (as the bench theory flags do) to a value
// that would crash or hang a run.
func TestTheoryConfigRejectsOutOfRangeSettings(t *testing.T) {
	for _, c := range []struct {
		change func(*TheoryConfig)
		want   string
	}{
		{func(c *TheoryConfig) { c.LR = math.NaN() }, "theory: lr is NaN; allowed: a finite number in (0, 100]"},
		{func(c *TheoryConfig) { c.LR = math.Inf(1) }, "theory: lr is +Inf; allowed: a finite number in (0, 100]"},
		{func(c *TheoryConfig) { c.Iterations = -1 }, "theory: iterations is -1; allowed: an integer in [1, 1000000]"},
		{func(c *TheoryConfig) { c.Rollouts = 0 }, "theory: rollouts is 0; allowed: an integer in [1, 100000]"},
		{func(c *TheoryConfig) { c.Turns, c.Actions = 30, 10 }, "theory: turns 30 and actions 10 give 4.44e+30 histories over 4 tasks; allowed: at most 16777216"},
	} {
		cfg := QuickTheory()
		c.change(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
