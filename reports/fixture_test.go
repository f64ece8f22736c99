package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

// The fixture: fixed, seeded runs written through harness/metrics, so the
// tables and figures of the golden tests come from the same bytes on every
// machine.
//
//	fixture/exp/bfcl/{seeupo,grpo,ppo}/seed-{0,1,2}    30 steps, eval every 5 (k = 4)
//	fixture/exp/theory/{seeupo,grpo}/seed-{0,1,2}      40 steps of J with J* = 0.9
//	fixture/verl/bfcl/reinforce.seed-0.jsonl           a plain verl-style log
//	fixture/broken/bfcl/gspo/seed-0/                   malformed lines and no config.yaml
const fixtureSteps, fixtureEvalEvery, theorySteps = 30, 5, 40

// fixtureAlgo describes one algorithm's synthetic behaviour.
type fixtureAlgo struct {
	name        string
	ceiling     float64 // success the curve rises towards
	rate        float64 // steps per e-fold
	entropy0    float64
	gradNorm    float64
	clipFrac    float64
	optimSteps  float64
	secPerStep  float64
	suffixWeigh bool
}

var bfclAlgos = []fixtureAlgo{
	{"seeupo", 0.75, 8, 1.6, 0.8, 0.02, 6, 3.0, true},
	{"grpo", 0.45, 10, 1.6, 1.4, 0.09, 1, 1.9, false},
	{"ppo", 0.55, 12, 1.6, 1.1, 0.06, 1, 2.4, false},
}

// writeFixture writes the fixture under dir and returns the root.
func writeFixture(t testing.TB, dir string) string {
	t.Helper()
	root := filepath.Join(dir, "fixture")
	for _, a := range bfclAlgos {
		for seed := range 3 {
			writeBFCLRun(t, filepath.Join(root, "exp"), a, seed)
		}
	}
	for _, a := range []struct {
		name  string
		final float64
	}{{"seeupo", 0.9}, {"grpo", 0.78}} {
		for seed := range 3 {
			writeTheoryRun(t, filepath.Join(root, "exp"), a.name, a.final, seed)
		}
	}
	writeVerlLog(t, filepath.Join(root, "verl", "bfcl", "reinforce.seed-0.jsonl"))
	writeBroken(t, filepath.Join(root, "broken", "bfcl", "gspo", "seed-0"))
	return root
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openFixtureRun(t testing.TB, root, suite, alg string, seed int) *metrics.Run {
	t.Helper()
	r, err := metrics.OpenRun(root, metrics.ID{Experiment: "exp", Suite: suite, Algorithm: alg, Seed: seed},
		metrics.Meta{Host: "fixture-host", Versions: map[string]string{"seeupo": "fixture"}})
	must(t, err)
	must(t, r.WriteConfig(fmt.Appendf(nil, "suite: %s\nalgorithm: %s\nseed: %d\n", suite, alg, seed)))
	return r
}

func writeBFCLRun(t testing.TB, root string, a fixtureAlgo, seed int) {
	rng := rand.New(rand.NewPCG(uint64(seed)+1, uint64(len(a.name))))
	noise := func(s float64) float64 { return s * (rng.Float64()*2 - 1) }
	r := openFixtureRun(t, root, "bfcl", a.name, seed)
	offset := 0.03 * float64(seed-1)
	success := func(step float64) float64 {
		return math.Min(1, math.Max(0, 0.15+(a.ceiling-0.15)*(1-math.Exp(-step/a.rate))+offset))
	}
	for step := 1; step <= fixtureSteps; step++ {
		s := float64(step)
		p := math.Min(1, math.Max(0, success(s)+noise(0.05)))
		d := metrics.Data{
			metrics.ScoreMean:          1.5*p + noise(0.05),
			metrics.SuccessMean:        p,
			metrics.ActorEntropy:       a.entropy0*math.Exp(-s/40) + noise(0.03),
			metrics.ActorGradNorm:      a.gradNorm + noise(0.2),
			metrics.ActorPGClipFrac:    math.Max(0, a.clipFrac+noise(0.01)),
			metrics.ActorKLLoss:        0.0004*s + noise(0.0002),
			metrics.ActorPPOKL:         math.Abs(0.002 + noise(0.001)),
			metrics.ResponseLengthMean: 180 + 2*s + noise(10),
			metrics.TimingStep:         a.secPerStep + noise(0.1),
			metrics.PerfOptimizerSteps: a.optimSteps,
			metrics.PerfThroughput:     4000/a.secPerStep + noise(50),
		}
		if a.suffixWeigh {
			d[metrics.SeeUPOSuffixWeightMean] = 1 + 0.05*math.Sin(s/3) + noise(0.01)
		}
		must(t, r.LogStep(int64(step), d))
		if step%fixtureEvalEvery == 0 {
			avg := math.Min(1, math.Max(0, success(s)+noise(0.03)))
			must(t, r.LogEval(metrics.Eval{Step: int64(step), Split: "test", K: 4, Aggregates: metrics.Data{
				"avg@4": avg, "pass@4": math.Min(1, avg+0.15), "pass^4": math.Max(0, avg-0.15), "reward/mean": 1.5 * avg,
			}}))
		}
	}
	must(t, r.Finish(metrics.Summary{Steps: fixtureSteps}))
}

func writeTheoryRun(t testing.TB, root, alg string, final float64, seed int) {
	rng := rand.New(rand.NewPCG(uint64(seed)+7, uint64(len(alg))))
	r := openFixtureRun(t, root, "theory", alg, seed)
	const jstar = 0.9
	for step := 1; step <= theorySteps; step++ {
		j := 0.3 + (final-0.3)*(1-math.Exp(-float64(step)/(6+float64(seed)))) + 0.004*(rng.Float64()*2-1)
		j = math.Min(j, jstar)
		must(t, r.LogStep(int64(step), metrics.Data{
			metrics.TheoryJ: j, metrics.TheoryJStar: jstar, metrics.TheoryGap: jstar - j,
			metrics.ActorEntropy: 1.1 * math.Exp(-float64(step)/15),
		}))
	}
	must(t, r.Finish(metrics.Summary{Steps: theorySteps}))
}

// writeVerlLog writes a log in the shape of verl's file logger, with
// Python's NaN token and an eval metric logged beside the training ones.
func writeVerlLog(t testing.TB, path string) {
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	var b []byte
	for step := 1; step <= fixtureSteps; step++ {
		s := float64(step)
		b = fmt.Appendf(b, `{"step": %d, "data": {"critic/score/mean": %.4f, "actor/entropy": %.4f, "actor/grad_norm": NaN, "timing_s/step": 1.5`,
			step, 1.5*(0.15+0.25*(1-math.Exp(-s/10))), 1.6*math.Exp(-s/40))
		if step%fixtureEvalEvery == 0 {
			b = fmt.Appendf(b, `, "eval/avg@4": %.4f`, 0.15+0.25*(1-math.Exp(-s/10)))
		}
		b = append(b, "}}\n"...)
	}
	must(t, os.WriteFile(path, b, 0o644))
}

// writeBroken writes a run directory with a malformed and a torn line in
// its metrics and a bad line in its evaluations, and no config.yaml.
func writeBroken(t testing.TB, dir string) {
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, metrics.FileMetrics), []byte(
		`{"step": 1, "data": {"critic/score/mean": 0.3}}`+"\n"+
			`{"step": 2, "data": oops}`+"\n"+
			`{"step": 3, "data": {"critic/score/mean": 0.4}}`+"\n"+
			`{"step": 4, "da`), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, metrics.FileEval), []byte(
		`{"step": 3, "aggregates": {"avg@4": 0.25, "pass@4": 0.5}}`+"\n"+`{"aggregates": {}}`+"\n"), 0o644))
}
