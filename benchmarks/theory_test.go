package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/tabular"
)

// testBandit is the named family's bandit with T = 2 turns and K = 2
// actions, drawn with a fixed seed.
func testBandit(t *testing.T, family string) *Bandit {
	t.Helper()
	f, err := FamilyByName(family)
	if err != nil {
		t.Fatal(err)
	}
	return f.Make(rand.New(rand.NewPCG(1, 1)), 2, 2, 1)
}

func TestTrapExactJByHand(t *testing.T) {
	b := testBandit(t, "trap")
	// T = 2, K = 2: (0,·) pays 0.6 twice, (1, key₂) pays 1, (1, other) 0.
	// Uniform policy: J = (0.6 + 0.6 + 1 + 0)/4 = 0.55. J* = 1.
	p := tabular.NewSoftmax(2)
	tree, err := b.Tree(p)
	if err != nil {
		t.Fatal(err)
	}
	if j := b.J(tree); math.Abs(j-0.55) > 1e-12 || b.Optimum() != 1 {
		t.Errorf("J = %v (want 0.55), J* = %v (want 1)", j, b.Optimum())
	}
	// π(a₁ = 0) = 0.8 at the root: J = 0.8·0.6 + 0.2·(0.5·1 + 0.5·0) = 0.58.
	p.SetLogits(tabular.Key(b.Context(0, nil)), []float64{math.Log(0.8), math.Log(0.2)})
	tree, _ = b.Tree(p)
	if j := b.J(tree); math.Abs(j-0.58) > 1e-12 {
		t.Errorf("J = %v, want 0.58", j)
	}
}

func TestBanditContextsAndRollouts(t *testing.T) {
	b := testBandit(t, "trap")
	ctx := b.Context(0, []int{1})
	// task token, action 1, then the observation: one key action matched.
	if len(ctx) != 3 || ctx[0] != banditTaskToken || ctx[1] != 1 || ctx[2] != banditObsToken+1 {
		t.Errorf("context %v", ctx)
	}
	tree, _ := b.Tree(tabular.NewSoftmax(2))
	batch := b.Rollouts(tree, 5, rand.New(rand.NewPCG(2, 2)))
	if err := batch.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(batch.Trajectories) != 5 {
		t.Fatalf("%d trajectories, want 5", len(batch.Trajectories))
	}
	for _, tr := range batch.Trajectories {
		a := []int{tr.Turns[0].Response[0], tr.Turns[1].Response[0]}
		if tr.Reward != b.Reward(0, a) || tr.Group != "t0" || math.Abs(tr.Turns[1].SamplerLogProbs[0]-math.Log(0.5)) > 1e-12 {
			t.Errorf("trajectory %+v", tr)
		}
	}
	// Stratified: uniform over 4 sequences, g = 8 → each sequence twice.
	seen := map[[2]int]int{}
	for _, tr := range b.StratifiedRollouts(tree, 8).Trajectories {
		seen[[2]int{tr.Turns[0].Response[0], tr.Turns[1].Response[0]}]++
	}
	if len(seen) != 4 || seen[[2]int{0, 0}] != 2 || seen[[2]int{1, 1}] != 2 {
		t.Errorf("stratified counts %v", seen)
	}
}

func TestLargestRemainder(t *testing.T) {
	// 4·(0.5, 0.3, 0.2) = (2, 1.2, 0.8): floors (2, 1, 0), one left goes to
	// the largest remainder 0.8.
	got := banditLargestRemainder([]float64{0.5, 0.3, 0.2}, 4)
	if got[0] != 2 || got[1] != 1 || got[2] != 1 {
		t.Errorf("got %v", got)
	}
}

func TestFamiliesHaveTheirOptimum(t *testing.T) {
	for _, f := range Families() {
		b := f.Make(rand.New(rand.NewPCG(3, 3)), 3, 3, 2)
		// The optimum is reached by putting all mass on each task's best
		// sequence; check J of that deterministic policy equals J*.
		p := tabular.NewSoftmax(3)
		for task := range b.Tasks {
			best, bestSeq := math.Inf(-1), 0
			for i, r := range b.reward[task] {
				if r > best {
					best, bestSeq = r, i
				}
			}
			a := b.seqs[bestSeq]
			for t := range a {
				logits := []float64{-50, -50, -50}
				logits[a[t]] = 0
				p.SetLogits(tabular.Key(b.Context(task, a[:t])), logits)
			}
		}
		tree, _ := b.Tree(p)
		if j := b.J(tree); math.Abs(j-b.Optimum()) > 1e-9 {
			t.Errorf("%s: J of the best deterministic policy %v, J* %v", f.Name, j, b.Optimum())
		}
	}
	if _, err := FamilyByName("maze"); err == nil || !strings.Contains(err.Error(), "trap") {
		t.Errorf("unknown family: %v", err)
	}
}

func TestRunTheoryWritesRunDirectoriesAndLearns(t *testing.T) {
	c := QuickTheory()
	c.Experiment, c.Families, c.Variants, c.Seeds, c.Iterations = "t", []string{"additive"}, []string{"seeupo", "ppo"}, []int{7}, 40
	out := t.TempDir()
	runs, err := RunTheory(context.Background(), c, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	for _, r := range runs {
		if len(r.J) != 41 || r.J[40] < r.J[0]+0.1*(r.JStar-r.J[0]) {
			t.Errorf("%s: J from %v to %v (J* %v) in 40 iterations", r.Variant, r.J[0], r.J[len(r.J)-1], r.JStar)
		}
		dir := metrics.ID{Experiment: "t", Suite: "bandit-additive", Algorithm: r.Variant, Seed: 7}.Dir(out)
		recs, probs, err := metrics.ReadMetrics(filepath.Join(dir, metrics.FileMetrics))
		if err != nil || len(probs) > 0 || len(recs) != 41 {
			t.Fatalf("%s: %d records, problems %v, err %v", dir, len(recs), probs, err)
		}
		if recs[40].Data[metrics.TheoryJ] != r.J[40] || recs[1].Data["actor/pg_loss"] == 0 && recs[1].Data["actor/grad_norm"] == 0 {
			t.Errorf("%s: last record %v", dir, recs[40].Data)
		}
		s, err := metrics.ReadSummary(dir)
		if err != nil || s.Steps != 40 || s.Status != metrics.StatusCompleted || s.Figures["theory/J_over_J_star"] != r.FinalRatio() {
			t.Errorf("%s: summary %+v, %v", dir, s, err)
		}
	}
	var buf bytes.Buffer
	if err := WriteTheoryTable(&buf, runs, c.Iterations); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"final J/J*", "iters to 0.99", "drops of J", "seeupo", "ppo", "Family additive"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

// A cancelled theory suite starts no further run: with the context
// cancelled before it begins, it returns the cancellation and writes no
// run directory.
func TestRunTheoryStartsNothingOnceCancelled(t *testing.T) {
	c := QuickTheory()
	c.Experiment, c.Families, c.Variants, c.Seeds, c.Workers = "t", []string{"additive", "trap"}, []string{"grpo"}, []int{1, 2, 3}, 1
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunTheory(ctx, c, out); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunTheory on a cancelled context: %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a cancelled suite wrote %d entries under %s, want none", len(entries), out)
	}
}

func TestTheoryRunFigures(t *testing.T) {
	r := TheoryRun{J: []float64{0.5, 0.7, 0.6, 0.995, 0.99}, JStar: 1}
	n, largest := r.Drops()
	// Drops: 0.7 → 0.6 (0.1) and 0.995 → 0.99 (0.005).
	if n != 2 || math.Abs(largest-0.1) > 1e-12 || r.ItersTo(0.99) != 3 || r.FinalRatio() != 0.99 || r.DropsAbove(0.01) != 1 {
		t.Errorf("drops %d largest %v iters %d final %v", n, largest, r.ItersTo(0.99), r.FinalRatio())
	}
}

func TestTheoryConfigValidation(t *testing.T) {
	for name, change := range map[string]func(*TheoryConfig){
		"variant":    func(c *TheoryConfig) { c.Variants = []string{"dapo"} },
		"family":     func(c *TheoryConfig) { c.Families = []string{"maze"} },
		"advantages": func(c *TheoryConfig) { c.Advantages = "approx" },
		"policy":     func(c *TheoryConfig) { c.Policy = "mlp" },
		"spelling":   func(c *TheoryConfig) { c.Spelling = "morse" },
	} {
		c := QuickTheory()
		change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, policy := range []string{"softmax", "loglinear", "shared"} {
		c := QuickTheory()
		c.Policy, c.Spelling = policy, "unary"
		if err := c.Validate(); err != nil {
			t.Errorf("%s with unary spelling: %v", policy, err)
		}
	}
}

func TestRunTheoryLogLinearWithExactAdvantages(t *testing.T) {
	c := QuickTheory()
	c.Families, c.Variants, c.Seeds, c.Iterations = []string{"trap"}, []string{"seeupo", "grpo"}, []int{1}, 10
	c.Policy, c.Advantages, c.Rollouts = "loglinear", "exact", 64
	runs, err := RunTheory(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		// Stratified groups carry the expected gradient, so J rises above
		// the uniform policy's value within 10 updates.
		if r.J[len(r.J)-1] <= r.J[0] {
			t.Errorf("%s: J from %v to %v", r.Variant, r.J[0], r.J[len(r.J)-1])
		}
	}
}
