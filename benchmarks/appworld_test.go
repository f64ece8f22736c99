package benchmarks

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/models"
)

// microAppWorld is the micro suite with its AppWorld family on, shrunk
// to seconds: a short warm start, one RL step, evaluation on the first six
// dev tasks (two scenarios of three variants, so SGC is reported).
func microAppWorld(t *testing.T) SuiteConfig {
	c := microSuite(t)
	c.Algorithms = []string{"grpo"}
	c.AppWorld.Enabled, c.AppWorld.Mode, c.AppWorld.Eval = true, AppWorldNative, "dev"
	c.AppWorld.Seeds = []int{1, 2} // the family's own seeds; the BFCL family keeps the suite's one
	c.AppWorld.WarmStart.Steps, c.AppWorld.WarmStart.Batch = 2, 4
	c.AppWorld.RL = c.RL // the micro suite's, with the family's own below
	r := &c.AppWorld.RL
	r.Steps, r.TasksPerStep, r.GroupSize, r.EvalEvery, r.EvalSamples, r.EvalTasks = 1, 2, 2, 1, 2, 6
	r.MaxTurns, r.MaxTokensPerTurn, r.MaxContext = 3, 8, 1024
	return c
}

func TestAppWorldFamilySplits(t *testing.T) {
	c := microAppWorld(t)
	cases := []struct {
		train, eval   string
		nTrain, nTest int
		err           string
		allTestEndIn3 bool
	}{
		{"train", "heldout", 36, 18, "", true},
		{"train", "dev", 54, 27, "", false},
		{"dev", "test_challenge", 27, 33, "", false},
		{"train", "nightly", 0, 0, `unknown split "nightly"`, false},
	}
	for _, tc := range cases {
		c.AppWorld.Train, c.AppWorld.Eval = tc.train, tc.eval
		f, err := openFamily(c, AppWorldFamilyName, RunOptions{})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "appworld.eval") {
				t.Errorf("%s→%s: error %v, want %q", tc.train, tc.eval, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s→%s: %v", tc.train, tc.eval, err)
		}
		if len(f.train) != tc.nTrain || len(f.test) != tc.nTest || len(f.demos) != tc.nTrain {
			t.Errorf("%s→%s: %d train, %d test, %d demos", tc.train, tc.eval, len(f.train), len(f.test), len(f.demos))
		}
		seen := map[string]bool{}
		for _, x := range f.train {
			seen[x.ID] = true
		}
		for _, x := range f.test {
			if seen[x.ID] {
				t.Errorf("%s→%s: %s both trained and evaluated on", tc.train, tc.eval, x.ID)
			}
			if tc.allTestEndIn3 && !strings.HasSuffix(x.ID, "_3") {
				t.Errorf("held out %s is not a third variant", x.ID)
			}
		}
		f.Close()
	}
}

func TestAppWorldFamilySettingsErrors(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*SuiteConfig)
		params map[string]string
		want   string
	}{
		{"bad mode", func(c *SuiteConfig) { c.AppWorld.Mode = "cloud" }, nil, `appworld.mode "cloud"; allowed: auto, native, remote`},
		{"train is eval", func(c *SuiteConfig) { c.AppWorld.Train, c.AppWorld.Eval = "dev", "dev" }, nil, "both \"dev\""},
		{"remote without servers", func(c *SuiteConfig) { c.AppWorld.Mode = AppWorldRemote }, nil, "neither appworld.urls nor appworld.image"},
		{"family off", func(c *SuiteConfig) { c.AppWorld.Enabled = false }, nil, "has no task family \"appworld\""},
		{"negative turns in the section", func(c *SuiteConfig) { c.AppWorld.RL.MaxTurns = -1 }, nil, "appworld.rl.max_turns is -1; allowed: an integer in [1, 1000]"},
	}
	for _, tc := range cases {
		c := microAppWorld(t)
		tc.edit(&c)
		err := c.Validate()
		if err == nil {
			_, err = openFamily(c, AppWorldFamilyName, RunOptions{AppWorld: tc.params})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestAppWorldFamilyEndToEnd runs the suite with both families, then
// evaluates the AppWorld warm start through AppWorld servers over HTTP
// (remote mode) and requires the same evaluation as in the native world.
func TestAppWorldFamilyEndToEnd(t *testing.T) {
	c := microAppWorld(t)
	out := t.TempDir()
	res, err := RunSuite(context.Background(), c, RunOptions{Out: out, Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Families) != 2 || res.Families[1].Name != AppWorldFamilyName {
		t.Fatalf("families %+v", res.Families)
	}
	aw := res.Families[1]
	if aw.Train != 54 || aw.Test != 27 || len(aw.Runs) != 2 {
		t.Fatalf("appworld family %+v", aw)
	}
	if len(res.Families[0].Runs) != 1 || aw.Runs[1].Seed != 2 {
		t.Errorf("seeds: bfcl_gen %d runs, appworld runs %+v", len(res.Families[0].Runs), aw.Runs)
	}
	run := aw.Runs[0]
	if want := filepath.Join(out, c.Experiment, "appworld", "grpo", "seed-1"); run.Dir != want {
		t.Errorf("run directory %s, want %s", run.Dir, want)
	}
	sum, err := metrics.ReadSummary(run.Dir)
	if err != nil || sum.Status != metrics.StatusCompleted {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	for _, k := range []string{"eval/avg@2", "eval/pass@2", "eval/sgc@2", "eval/reward/mean"} {
		if _, ok := sum.Figures[k]; !ok {
			t.Errorf("summary lacks %s: %v", k, sum.Figures)
		}
	}
	if _, err := os.Stat(filepath.Join(out, c.Experiment, "warm-start-appworld", "tokenizer.json")); err != nil {
		t.Errorf("appworld warm start: %v", err)
	}

	nativeEval, err := EvaluatePolicy(context.Background(), c, aw.WarmStart.Dir, EvalSpec{Family: AppWorldFamilyName, Split: "test", Samples: 2},
		RunOptions{Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for range 2 {
		srv := native.New(native.Options{TimeoutSeconds: 30})
		ts := httptest.NewServer(protocol.Handler(srv))
		t.Cleanup(func() { ts.Close(); srv.Shutdown() })
		urls = append(urls, ts.URL)
	}
	c.AppWorld.Mode = AppWorldAuto // remote because urls are configured
	remoteEval, err := EvaluatePolicy(context.Background(), c, aw.WarmStart.Dir, EvalSpec{Family: AppWorldFamilyName, Split: "test", Samples: 2},
		RunOptions{Models: models.CPU(1), AppWorld: map[string]string{"urls": strings.Join(urls, ",")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(nativeEval.Tasks) != 27 || !reflect.DeepEqual(nativeEval, remoteEval) {
		t.Errorf("remote evaluation differs from native:\n native %+v\n remote %+v", nativeEval, remoteEval)
	}
	// The warm start's evaluation before RL is the run's first one.
	evals, _, err := metrics.ReadEvals(filepath.Join(run.Dir, metrics.FileEval))
	if err != nil || len(evals) == 0 {
		t.Fatalf("evals: %v", err)
	}
	if !reflect.DeepEqual(evals[0].Aggregates, aw.Initial) {
		t.Errorf("first evaluation %v, shared warm-start evaluation %v", evals[0].Aggregates, aw.Initial)
	}
}

// TestAppWorldFamilyInQuickAndLab opens the quick and lab presets'
// AppWorld families (off by default) on the native world and plays their
// warm-start demonstrations through it (each must succeed).
func TestAppWorldFamilyInQuickAndLab(t *testing.T) {
	for _, preset := range []string{"quick", "lab"} {
		c, err := LoadSuite(preset)
		if err == nil {
			c, err = c.Set([]string{"appworld.enabled=true"})
		}
		if err != nil {
			t.Fatalf("%s: %v", preset, err)
		}
		f, err := openFamily(c, AppWorldFamilyName, RunOptions{})
		if err != nil {
			t.Fatalf("%s: %v", preset, err)
		}
		if len(f.train) == 0 || len(f.test) == 0 || len(f.demos) != len(f.train) {
			t.Errorf("%s: %d train, %d test, %d demos", preset, len(f.train), len(f.test), len(f.demos))
		}
		demos, err := f.demonstrations()
		if err == nil {
			_, err = harness.PlayDemonstrations(context.Background(), f.demoSuite, demos)
		}
		if err != nil {
			t.Errorf("%s: playing the demonstrations: %v", preset, err)
		}
		t.Logf("%s: %d train, %d test tasks; %d demonstrations played", preset, len(f.train), len(f.test), len(demos))
		f.Close()
	}
}
