package benchmarks

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tabular"
)

func TestExitBanditByHand(t *testing.T) {
	b := testBandit(t, "exit") // T = 2, K = 2: the key can only be (1, 1).
	// Terminal sequences: (0) pays 0.5 after one turn, (1, 0) pays 0.5
	// after two, (1, 1) is the key and pays 1.
	want := [][]int{{0}, {1, 0}, {1, 1}}
	if !reflect.DeepEqual(b.seqs, want) || b.Optimum() != 1 {
		t.Fatalf("sequences %v (want %v), J* %v", b.seqs, want, b.Optimum())
	}
	cases := []struct {
		name     string
		exitRoot float64 // π(action 0) at the first turn
		j        float64
		lengths  []float64
	}{
		// Uniform: J = ½·0.5 + ¼·0.5 + ¼·1 = 0.625; half the episodes
		// end after one turn.
		{"uniform", 0.5, 0.625, []float64{0, 0.5, 0.5}},
		// π(0) = 0.2 at the root: J = 0.2·0.5 + 0.8·(½·0.5 + ½·1) = 0.7.
		{"rarely exits", 0.2, 0.7, []float64{0, 0.2, 0.8}},
	}
	for _, c := range cases {
		p := tabular.NewSoftmax(2)
		p.SetLogits(tabular.Key(b.Context(0, nil)), []float64{math.Log(c.exitRoot), math.Log(1 - c.exitRoot)})
		tree, err := b.Tree(p)
		if err != nil {
			t.Fatal(err)
		}
		if j := b.J(tree); math.Abs(j-c.j) > 1e-12 {
			t.Errorf("%s: J = %v, want %v", c.name, j, c.j)
		}
		for l, want := range c.lengths {
			if got := b.Lengths(tree)[l]; math.Abs(got-want) > 1e-12 {
				t.Errorf("%s: P(%d turns) = %v, want %v", c.name, l, got, want)
			}
		}
	}
}

func TestExitRolloutsEndAtTheExit(t *testing.T) {
	f, _ := FamilyByName("exit")
	b := f.Make(rand.New(rand.NewPCG(4, 4)), 3, 3, 2)
	tree, _ := b.Tree(tabular.NewSoftmax(3))
	batch := b.Rollouts(tree, 50, rand.New(rand.NewPCG(5, 5)))
	if err := batch.Validate(); err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, tr := range batch.Trajectories {
		n := len(tr.Turns)
		count[n]++
		last := tr.Turns[n-1].Response[0]
		// An episode ends at its first 0 or after T turns; 0 pays 0.5.
		for _, turn := range tr.Turns[:n-1] {
			if turn.Response[0] == 0 {
				t.Errorf("%s continued after an exit", tr.ID)
			}
		}
		if (last == 0) != (tr.Reward == 0.5) || (last != 0 && n != 3) {
			t.Errorf("%s: %d turns, last action %d, reward %v", tr.ID, n, last, tr.Reward)
		}
	}
	// Uniform over 3 actions: P(1 turn) = 1/3, P(2) = 2/9, P(3) = 4/9; 100
	// episodes must include every length.
	if count[1] == 0 || count[2] == 0 || count[3] == 0 {
		t.Errorf("episode lengths %v", count)
	}
	if l := b.Lengths(tree); math.Abs(l[1]-1.0/3) > 1e-12 || math.Abs(l[2]-2.0/9) > 1e-12 || math.Abs(l[3]-4.0/9) > 1e-12 {
		t.Errorf("length distribution %v", l)
	}
}

func TestSpelling(t *testing.T) {
	cases := []struct {
		name string
		k    int
		want [][]int
	}{
		{"token", 3, [][]int{{0}, {1}, {2}}},
		{"unary", 2, [][]int{{0}, {1}}},
		{"unary", 3, [][]int{{0}, {1, 0}, {1, 1}}},
		{"unary", 4, [][]int{{0}, {1, 0}, {1, 1, 0}, {1, 1, 1}}},
	}
	for _, c := range cases {
		got, err := Spelling(c.name, c.k)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s/%d: %v %v, want %v", c.name, c.k, got, err, c.want)
		}
	}
	if _, err := Spelling("morse", 3); err == nil || !strings.Contains(err.Error(), "unary") {
		t.Errorf("unknown spelling: %v", err)
	}
}

// testWordBandit has T = 2, K = 3, reward a₁ + 10·a₂, actions spelled in
// unary words: 0 → (0), 1 → (1, 0), 2 → (1, 1).
func testWordBandit() *Bandit {
	b := newBanditTable("words", 2, 3, 1, func(int, []int) int { return 0 }, nil,
		func(_ int, a []int) float64 { return float64(a[0] + 10*a[1]) })
	b.Spelling, _ = Spelling("unary", 3)
	return b
}

func TestMultiTokenJByHand(t *testing.T) {
	b := testWordBandit()
	p := tabular.NewSoftmax(b.Vocab())
	tree, err := b.Tree(p)
	if err != nil {
		t.Fatal(err)
	}
	// Uniform tokens: π(a) = (½, ¼, ¼), E[a] = ¼ + 2·¼ = 0.75, so
	// J = 0.75 + 10·0.75 = 8.25.
	if j := b.J(tree); b.Vocab() != 2 || math.Abs(j-8.25) > 1e-12 {
		t.Errorf("vocab %d, J = %v, want 8.25", b.Vocab(), j)
	}
	// First token of the first word: π(0) = 0.8. Then π(a₁) = (0.8, 0.1,
	// 0.1), E[a₁] = 0.3, and J = 0.3 + 7.5 = 7.8.
	p.SetLogits(tabular.Key(b.Context(0, nil)), []float64{math.Log(0.8), math.Log(0.2)})
	tree, _ = b.Tree(p)
	if j := b.J(tree); math.Abs(j-7.8) > 1e-12 || math.Abs(b.Optimum()-22) > 0 {
		t.Errorf("J = %v, want 7.8; J* %v, want 22", j, b.Optimum())
	}
	// The second turn's context holds the first word and its observation.
	if ctx := b.Context(0, []int{2}); !reflect.DeepEqual(ctx, []int{banditTaskToken, 1, 1, banditObsToken}) {
		t.Errorf("context %v", ctx)
	}
	batch := b.Rollouts(tree, 20, rand.New(rand.NewPCG(7, 7)))
	if err := batch.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tr := range batch.Trajectories {
		for _, turn := range tr.Turns[1:] {
			// Second turn: uniform tokens, so each token has log-prob log ½.
			for _, lp := range turn.SamplerLogProbs {
				if math.Abs(lp-math.Log(0.5)) > 1e-12 || len(turn.SamplerLogProbs) != len(turn.Response) {
					t.Errorf("%s: response %v, sampler log-probs %v", tr.ID, turn.Response, turn.SamplerLogProbs)
				}
			}
		}
	}
}

func TestBanditPrefix(t *testing.T) {
	cases := []struct {
		prefix          []int
		task, turn, obs int
		word            string
	}{
		{[]int{banditTaskToken + 2}, 2, 0, -1, ""},
		{[]int{banditTaskToken + 2, 1}, 2, 0, -1, "w1"},
		{[]int{banditTaskToken + 1, 1, 0, banditObsToken + 3}, 1, 1, 3, ""},
		{[]int{banditTaskToken, 0, banditObsToken + 1, 1, 1, banditObsToken, 1, 1}, 0, 2, 0, "w1.1"},
	}
	for _, c := range cases {
		task, turn, obs, word := banditPrefix(c.prefix)
		if task != c.task || turn != c.turn || obs != c.obs || word != c.word {
			t.Errorf("%v: task %d turn %d obs %d word %q, want %d %d %d %q", c.prefix, task, turn, obs, word, c.task, c.turn, c.obs, c.word)
		}
	}
}

// TestSharedPolicyCouplesTurns takes one optimiser step on a second-turn
// sample and checks which policies move the first turn's log-probs: only
// the one with a row shared across turns.
func TestSharedPolicyCouplesTurns(t *testing.T) {
	b := testBandit(t, "trap")
	first := policy.Sample{Context: b.Context(0, nil), Response: []int{1}}
	second := policy.Sample{Context: b.Context(0, []int{1}), Response: []int{0}}
	for _, c := range []struct {
		policy string
		moves  bool
	}{{"softmax", false}, {"loglinear", false}, {"shared", true}} {
		p := tabular.NewLogLinear(2, theoryFeatures(c.policy))
		before, _ := p.Score([]policy.Sample{first, second}, false)
		// loss = −log π(second's action): raises it.
		_, err := p.ForwardBackward([]policy.Sample{second}, false, func(s policy.Scores) (float64, [][]float64, [][]float64, error) {
			return -s.LogProbs[0][0], [][]float64{{-1}}, nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Step(policy.Optim{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}); err != nil {
			t.Fatal(err)
		}
		after, _ := p.Score([]policy.Sample{first, second}, false)
		moved := after.LogProbs[0][0] != before.LogProbs[0][0]
		if moved != c.moves || after.LogProbs[1][0] <= before.LogProbs[1][0] {
			t.Errorf("%s: first turn %v → %v (moves: %v, want %v); second turn %v → %v", c.policy,
				before.LogProbs[0][0], after.LogProbs[0][0], moved, c.moves, before.LogProbs[1][0], after.LogProbs[1][0])
		}
	}
}

// TestNewCasesExerciseWhatTheOldCannot runs pairs of variants that differ
// only in something one-token, equal-length bandits never exercise: they
// must give identical J curves there and different ones in the new case.
func TestNewCasesExerciseWhatTheOldCannot(t *testing.T) {
	cases := []struct {
		name     string
		variants []string
		same     func(*TheoryConfig) // the old setting
		differ   func(*TheoryConfig) // the new case
	}{
		{"padding ended trajectories", []string{"seeupo", "seeupo-padded"},
			func(c *TheoryConfig) { c.Families = []string{"trap"} },
			func(c *TheoryConfig) { c.Families = []string{"exit"} }},
		{"token-sum aggregation", []string{"reinforce", "reinforce-tokensum"},
			func(c *TheoryConfig) { c.Families = []string{"trap"} },
			func(c *TheoryConfig) { c.Families, c.Spelling = []string{"trap"}, "unary" }},
	}
	for _, c := range cases {
		for _, want := range []bool{true, false} {
			cfg := QuickTheory()
			cfg.Variants, cfg.Seeds, cfg.Iterations = c.variants, []int{3}, 15
			if want {
				c.same(&cfg)
			} else {
				c.differ(&cfg)
			}
			runs, err := RunTheory(context.Background(), cfg, "")
			if err != nil {
				t.Fatal(err)
			}
			if same := reflect.DeepEqual(runs[0].J, runs[1].J); same != want {
				t.Errorf("%s on %v/%s: identical J curves %v, want %v", c.name, cfg.Families, cfg.Spelling, same, want)
			}
			if runs[0].J[len(runs[0].J)-1] <= runs[0].J[0] {
				t.Errorf("%s on %v/%s: %s did not improve J", c.name, cfg.Families, cfg.Spelling, runs[0].Variant)
			}
		}
	}
}

func TestRunTheorySuiteAndSweepTable(t *testing.T) {
	suite := QuickTheorySuite()
	for i := range suite {
		c := &suite[i].Config
		c.Seeds, c.Iterations, c.Variants = []int{1}, 3, []string{"seeupo", "grpo"}
	}
	suite[3].LRs = []float64{0.1, 0.5}
	out := t.TempDir()
	res, err := RunTheorySuite(context.Background(), suite, out)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTheorySuite(&buf, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== Case per-history", "== Case multi-token", "unary spelling", "== Case shared", "shared policy",
		"== Case lr-sweep", "What it can test:", "Family exit", "Learning-rate sweep (families trap, 3 iterations)", "lr 0.5",
		"(case lr-sweep: 4 runs in"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	// Each case has its own experiment and suite names, so that one
	// report over the root keeps the cases apart.
	for _, dir := range []string{"theory-quick-per-history/bandit-trap", "theory-quick-multi-token/bandit-trap-multi-token",
		"theory-quick-shared/bandit-exit-shared", "theory-quick-lr-sweep-lr0.1/bandit-trap-lr-sweep-lr0.1",
		"theory-quick-lr-sweep-lr0.5/bandit-trap-lr-sweep-lr0.5"} {
		if _, err := os.Stat(filepath.Join(out, dir, "seeupo", "seed-1", "summary.json")); err != nil {
			t.Error(err)
		}
	}
	if _, err := SelectTheoryCases(suite, []string{"shared", "maze"}); err == nil || !strings.Contains(err.Error(), "lr-sweep") {
		t.Errorf("unknown case: %v", err)
	}
	if sel, _ := SelectTheoryCases(suite, []string{"lr-sweep", "shared"}); len(sel) != 2 || sel[0].Name != "shared" {
		t.Errorf("selection %v", sel)
	}
}

func TestWriteTheorySweepByHand(t *testing.T) {
	// Two runs per rate: at lr 0.1 one reaches 0.99·J* (0.995) and one
	// does not (0.6), mean 0.7975; at lr 1 both end at 0.6 after a drop
	// from 0.7 (10% of J*, a big drop) in one of them.
	run := func(v string, j ...float64) TheoryRun { return TheoryRun{Family: "trap", Variant: v, J: j, JStar: 1} }
	sweep := [][]TheoryRun{
		{run("seeupo", 0.5, 0.995), run("seeupo", 0.5, 0.6)},
		{run("seeupo", 0.5, 0.7, 0.6), run("seeupo", 0.5, 0.6, 0.6)},
	}
	var buf bytes.Buffer
	if err := WriteTheorySweep(&buf, []float64{0.1, 1}, sweep, 2); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"algorithm", "lr 0.1", "lr 1"}, {"seeupo", "0.7975  1/2  0.0", "0.6000  0/2  0.5"}}
	if got := gridCells(buf.String()); !reflect.DeepEqual(got, want) {
		t.Errorf("table cells %q, want %q in\n%s", got, want, buf.String())
	}
}

// gridCells reads the cells of the tables in a text: one slice per row
// drawn with column rules (│), trimmed; borders and other lines are
// passed over.
func gridCells(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "│") {
			continue
		}
		var row []string
		for _, c := range strings.Split(strings.Trim(line, "│"), "│") {
			row = append(row, strings.TrimSpace(c))
		}
		out = append(out, row)
	}
	return out
}

func TestWriteTheoryTableByHand(t *testing.T) {
	// One run reaches 0.99·J* after one update (3 optimiser steps); the
	// other drops from 0.5 to 0.4 (10% of J*) and ends at 0.6 after two
	// updates (4 steps). Final J/J*: mean 0.7975, sd 0.1975·√2 = 0.2793;
	// optimiser steps per update 7/3.
	runs := []TheoryRun{
		{Family: "trap", Variant: "seeupo", J: []float64{0.5, 0.995}, JStar: 1, OptimizerSteps: 3},
		{Family: "trap", Variant: "seeupo", J: []float64{0.5, 0.4, 0.6}, JStar: 1, OptimizerSteps: 4},
	}
	var buf bytes.Buffer
	if err := WriteTheoryTable(&buf, runs, 2); err != nil {
		t.Fatal(err)
	}
	header := []string{"algorithm", "final J/J*", "± sd", "reached 0.99", "median iters to 0.99", "drops of J (mean)",
		"drops > 0.1% J*", "largest drop / J*"}
	row := []string{"seeupo", "0.7975", "0.2793", "1/2", "1", "0.5", "0.5", "0.1000"}
	want := [][]string{append(slices.Clone(header), "optim-steps/iter"), append(slices.Clone(row), "2.33"), header, row}
	if got := gridCells(buf.String()); !reflect.DeepEqual(got, want) {
		t.Errorf("table cells %q, want %q in\n%s", got, want, buf.String())
	}
	for _, title := range []string{"All families (2 runs per algorithm, 2 iterations each)", "Family trap (2 seeds): greedy trap"} {
		if !strings.Contains(buf.String(), title) {
			t.Errorf("no title %q in\n%s", title, buf.String())
		}
	}
}
