package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/internal/testdata"
	"github.com/seeupo/seeupo/policy/models"
)

func TestPresetsLoad(t *testing.T) {
	for _, name := range SuiteNames() {
		c, err := LoadSuite(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Name != name || len(c.Algorithms) < 5 {
			t.Errorf("%s: %+v", name, c)
		}
		if _, err := c.modelConfig(); err != nil {
			t.Errorf("%s: model: %v", name, err)
		}
	}
}

func TestLoadSuiteErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "name: x\nalgorithms: [grpo]\nseeds: [1]\nbogus: 1\n", "field bogus not found"},
		{"unknown algorithm", "name: x\nalgorithms: [a2c]\nseeds: [1]\n", `unknown algorithm "a2c"`},
		{"negative batch", "name: x\nalgorithms: [grpo]\nseeds: [1]\ntasks: {n: 10}\nwarm_start: {batch: -1, lr: 1}\n",
			"warm_start.batch is -1; allowed: an integer in [1, 65536]"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".yaml")
		os.WriteFile(p, []byte(c.yaml), 0o644)
		if _, err := LoadSuite(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := LoadSuite("nightly"); err == nil || !strings.Contains(err.Error(), "paper, quick") {
		t.Errorf("unknown preset: %v", err)
	}
}

// microSuite is the quick preset shrunk to seconds.
func microSuite(t *testing.T) SuiteConfig {
	c, err := LoadSuite("quick")
	if err != nil {
		t.Fatal(err)
	}
	c.Experiment = "micro"
	c.AppWorld.Enabled = false
	c.Algorithms = []string{"seeupo", "ppo"}
	c.Seeds = []int{1}
	c.Tasks.N, c.Tasks.Classes = 40, []string{"MathAPI"}
	c.WarmStart.Steps, c.WarmStart.Batch = 2, 4
	c.RL.Steps, c.RL.TasksPerStep, c.RL.GroupSize, c.RL.EvalEvery, c.RL.EvalTasks = 1, 2, 2, 1, 2
	c.RL.EvalSamples, c.RL.MaxTokensPerTurn = 2, 8
	return c
}

func TestRunSuiteEndToEnd(t *testing.T) {
	c := microSuite(t)
	out := t.TempDir()
	res, err := RunSuite(context.Background(), c, RunOptions{Out: out, Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Families) != 1 {
		t.Fatalf("families %+v", res.Families)
	}
	fam := res.Families[0]
	if fam.Name != "bfcl_gen" || len(fam.Runs) != 2 || fam.Train == 0 || fam.Test == 0 {
		t.Fatalf("result %+v", fam)
	}
	for _, r := range fam.Runs {
		sum, err := metrics.ReadSummary(r.Dir)
		if err != nil || sum.Status != metrics.StatusCompleted || sum.Figures["eval/avg@2"] != r.Final["avg@2"] {
			t.Fatalf("%s: summary %+v, %v", r.Algorithm, sum, err)
		}
		for _, f := range []string{"config.yaml", "metrics.jsonl", "eval.jsonl", "meta.json", "trajectories", "checkpoints/step-1/policy"} {
			if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
				t.Errorf("%s: %v", r.Algorithm, err)
			}
		}
	}
	// The evaluation before training is shared: the same samples, the
	// same figures for every run; TrainOne computes it itself and agrees.
	first := func(dir string) metrics.Eval {
		evals, _, err := metrics.ReadEvals(filepath.Join(dir, metrics.FileEval))
		if err != nil || len(evals) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		return evals[0]
	}
	if a, b := first(fam.Runs[0].Dir), first(fam.Runs[1].Dir); !reflect.DeepEqual(a, b) {
		t.Errorf("initial evaluations differ:\n%+v\n%+v", a, b)
	}
	single, err := TrainOne(context.Background(), c, TrainSpec{Algorithm: "seeupo", Seed: 1}, RunOptions{Out: t.TempDir(), Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := first(fam.Runs[0].Dir), first(single.Dir); !reflect.DeepEqual(a, b) {
		t.Errorf("the shared initial evaluation differs from one computed by the trainer:\n%+v\n%+v", a, b)
	}
	if _, err := os.Stat(filepath.Join(fam.Runs[1].Dir, "checkpoints/step-1/critic")); err != nil {
		t.Errorf("ppo keeps its critic: %v", err)
	}
	// A second invocation keeps the completed runs.
	again, err := RunSuite(context.Background(), c, RunOptions{Out: out, Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Families[0].Runs {
		if !r.Skipped {
			t.Errorf("%s was run again", r.Algorithm)
		}
	}
}

// cancelOn cancels a context when a log line contains a marker.
type cancelOn struct {
	marker string
	cancel func()
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

func TestTrainOneResumesExactly(t *testing.T) {
	c := microSuite(t)
	c.RL.Steps, c.RL.CheckpointEvery = 3, 1
	// --resume with nothing to resume starts the run, as a scheduler
	// restarting a job with the same flags expects.
	var log strings.Builder
	full, err := TrainOne(context.Background(), c, TrainSpec{Algorithm: "grpo", Seed: 1, Resume: true}, RunOptions{Out: t.TempDir(), Models: models.CPU(1), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "no checkpoint") || !strings.Contains(log.String(), "starting the run") {
		t.Errorf("a fresh --resume run does not say it starts:\n%s", log.String())
	}

	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	// The progress bar reports step 1 after its checkpoint; step 2 is then
	// cut short.
	_, err = TrainOne(ctx, c, TrainSpec{Algorithm: "grpo", Seed: 1}, RunOptions{Out: out, Models: models.CPU(1),
		Log: &cancelOn{marker: "1/3", cancel: cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	resumed, err := TrainOne(context.Background(), c, TrainSpec{Algorithm: "grpo", Seed: 1, Resume: true}, RunOptions{Out: out, Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := readMetrics(t, full.Dir), readMetrics(t, resumed.Dir); !reflect.DeepEqual(a, b) {
		t.Fatalf("metrics differ:\n%v\n%v", a, b)
	}
	wa := finalWeights(t, full.Dir)
	wb := finalWeights(t, resumed.Dir)
	if !bytes.Equal(wa, wb) {
		t.Fatal("final weights differ")
	}
}

func readMetrics(t *testing.T, dir string) []metrics.Record {
	recs, _, err := metrics.ReadMetrics(filepath.Join(dir, metrics.FileMetrics))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for k := range r.Data {
			if strings.HasPrefix(k, "timing_s/") || k == metrics.PerfThroughput {
				delete(r.Data, k)
			}
		}
	}
	return recs
}

func finalWeights(t *testing.T, dir string) []byte {
	b, err := os.ReadFile(filepath.Join(dir, "checkpoints", "step-3", "policy", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReferenceSplitEvaluatedWhenDataIsPresent(t *testing.T) {
	data := filepath.Dir(testdata.Dir(t, "bfcl_v4"))
	c := microSuite(t)
	c.Algorithms, c.Reference = []string{"grpo"}, true
	res, err := RunSuite(context.Background(), c, RunOptions{Out: t.TempDir(), DataDir: data, Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	figs := res.Families[0].Runs[0].Summary.Figures
	for _, k := range []string{"eval/reference/avg@2", "eval/reference/pass@2", "eval/reference/reward/mean"} {
		if _, ok := figs[k]; !ok {
			t.Errorf("summary lacks %s: %v", k, figs)
		}
	}
}

func TestRunSettingsPrecedence(t *testing.T) {
	c, _ := LoadSuite("quick")
	ref := algorithms.ReferenceSettings()
	cases := []struct {
		name           string
		ov             algorithms.Overrides
		lr, klCoef     float64
		order, cfgPart string
	}{
		{"no configuration: suite learning rate", nil, c.RL.LR, 0.002, "reverse", "order: reverse"},
		{"the reference learning rate asked for explicitly", algorithms.Overrides{"lr": ref.Optim.LR}, ref.Optim.LR, 0.002, "reverse", "order: reverse"},
		{"explicit values win", algorithms.Overrides{"lr": 0.01, "order": "forward", "kl_coef": 0.1}, 0.01, 0.1, "forward", "order: forward"},
		{"explicit zero wins", algorithms.Overrides{"kl_coef": 0.0}, c.RL.LR, 0, "reverse", "klcoef: 0"},
	}
	for _, tc := range cases {
		s, cfgYAML, err := runSettings(c, "seeupo", 3, RunOptions{Algorithm: tc.ov})
		if err != nil {
			t.Fatal(err)
		}
		if s.Optim.LR != tc.lr || s.KLCoef != tc.klCoef || s.Order != tc.order || s.Seed != 3 {
			t.Errorf("%s: lr %v kl %v order %s seed %d", tc.name, s.Optim.LR, s.KLCoef, s.Order, s.Seed)
		}
		if !strings.Contains(string(cfgYAML), tc.cfgPart) || !strings.Contains(string(cfgYAML), "suite:") {
			t.Errorf("%s: config.yaml lacks %q:\n%s", tc.name, tc.cfgPart, cfgYAML)
		}
	}
}

// TestRunsNeedAModelFactory: a suite, a single run or an evaluation of a
// model directory without the factory the command opens from its device
// is an error before any work; nothing is written.
func TestRunsNeedAModelFactory(t *testing.T) {
	c, err := LoadSuite("quick")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	o := RunOptions{Out: out}
	ctx := context.Background()
	_, suiteErr := RunSuite(ctx, c, o)
	_, oneErr := TrainOne(ctx, c, TrainSpec{Algorithm: "grpo", Seed: 1}, o)
	_, evalErr := EvaluatePolicy(ctx, c, out, EvalSpec{Split: "test", Samples: 1}, o)
	for name, err := range map[string]error{"RunSuite": suiteErr, "TrainOne": oneErr, "EvaluatePolicy": evalErr} {
		if err == nil || !strings.Contains(err.Error(), "RunOptions.Models is nil") {
			t.Errorf("%s: error %v, want one naming RunOptions.Models", name, err)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("%d entries written to %s", len(entries), out)
	}
}
