package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/tabular"
)

// TheoryConfig is one run of the theory suite.
type TheoryConfig struct {
	Experiment string   `yaml:"experiment"`
	Families   []string `yaml:"families"`
	Variants   []string `yaml:"variants"`
	Seeds      []int    `yaml:"seeds"`
	Iterations int      `yaml:"iterations" range:"[1, 1000000]"`
	Turns      int      `yaml:"turns" range:"[1, 64]"`
	Actions    int      `yaml:"actions" range:"[2, 64]"`
	Tasks      int      `yaml:"tasks" range:"[1, 100000]"`
	Rollouts   int      `yaml:"rollouts" range:"[1, 100000]"` // per task and iteration (the group size G)
	// Advantages is "sampled" (G rollouts drawn from the policy) or
	// "exact" (a stratified group: every action sequence in proportion to
	// its probability, so advantages and gradients are expectations up to
	// a rounding of 1/G).
	Advantages string `yaml:"advantages"`
	// Policy is "softmax" (a table per history), "loglinear" (rows
	// shared across tasks: per turn, per turn and last observation, per
	// task and turn) or "shared" (a row per history plus a row per task
	// shared by all its turns, so a step on one turn moves the others).
	Policy string `yaml:"policy"`
	// Spelling is "token" (an action is one token) or "unary" (an action
	// is a word of 1..K−1 tokens over two letters; see Spelling).
	Spelling string  `yaml:"spelling"`
	LR       float64 `yaml:"lr" range:"(0, 100]"`
	// Workers run in parallel (0: one per CPU).
	Workers int `yaml:"-"`
	// SuiteSuffix follows "bandit-<family>" in the run ID's suite, so
	// that the cases of one suite written under the same root keep apart
	// in `seeupo report`.
	SuiteSuffix string `yaml:"-"`
}

// QuickTheory is the --quick configuration of one case: every family and
// variant, five seeds, 3 turns × 3 actions, 4 tasks × 8 rollouts, 200
// iterations, the per-history policy with one token per turn.
func QuickTheory() TheoryConfig {
	return TheoryConfig{Experiment: "theory-quick", Families: theoryFamilyNames(), Variants: VariantNames(),
		Seeds: []int{1, 2, 3, 4, 5}, Iterations: 200, Turns: 3, Actions: 3, Tasks: 4, Rollouts: 8, Advantages: "sampled",
		Policy: "softmax", Spelling: "token", LR: 0.1}
}

// FullTheory is the default configuration: longer horizons, more seeds
// and iterations.
func FullTheory() TheoryConfig {
	c := QuickTheory()
	c.Experiment, c.Seeds, c.Iterations, c.Turns = "theory", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 400, 4
	return c
}

// Variant is a registered algorithm with some settings changed: its
// Settings are a layer over the algorithm's defaults.
type Variant struct {
	Name      string
	Algorithm string
	Doc       string
	Settings  algorithms.Overrides
}

// Variants of the theory suite: every baseline with its reference
// settings, SeeUPO as designed, and SeeUPO's ablations.
func Variants() []Variant {
	type set = algorithms.Overrides
	return []Variant{
		{"seeupo", "seeupo", "reverse order, sequence-level loss, released suffix weights", nil},
		{"seeupo-forward", "seeupo", "forward turn order", set{"order": algorithms.OrderForward}},
		{"seeupo-random", "seeupo", "random turn order", set{"order": algorithms.OrderRandom}},
		{"seeupo-exact", "seeupo", "exact suffix ratio recomputed with current parameters", set{"suffix_weights": algorithms.WeightsExact}},
		{"seeupo-padded", "seeupo", "the release's padded copies of ended trajectories in later turns' batches", set{"pad_ended": true}},
		{"seeupo-renorm", "seeupo", "advantages z-scored again over each turn's surviving trajectories (can flip signs)",
			set{"renorm_survivors": true}},
		{"seeupo-token", "seeupo", "the release's token-level PPO loss", set{"loss": algorithms.LossPPO}},
		{"seeupo-joint", "gspo", "SeeUPO's estimator on gspo's schedule and loss (the sequence objective, clip 3e-4/4e-4): all turns in one step",
			set{"estimator": algorithms.EstSeeUPO}},
		{"seeupo-joint-budget", "gspo", "as seeupo-joint with as many optimiser steps as SeeUPO (random mini-batches; gspo's clip range acts)",
			set{"estimator": algorithms.EstSeeUPO, "budget": algorithms.BudgetUpdates}},
		{"ppo", "ppo", "GAE with a tabular critic", nil},
		{"grpo", "grpo", "", nil},
		{"grpo-budget", "grpo", "budget updates: as many optimiser steps as SeeUPO (one per turn, random mini-batches)",
			set{"budget": algorithms.BudgetUpdates}},
		{"gspo", "gspo", "", nil},
		{"gspo-budget", "gspo", "budget updates: the sequence-level objective over as many optimiser steps as SeeUPO (random mini-batches)",
			set{"budget": algorithms.BudgetUpdates}},
		{"reinforce", "reinforce", "", nil},
		{"reinforce-tokensum", "reinforce", "seq-mean-token-sum: the unbiased policy gradient when turns have several tokens",
			set{"agg": algorithms.AggSeqMeanTokenSum}},
		{"rloo", "rloo", "", nil},
		{"reinforce_pp", "reinforce_pp", "", nil},
	}
}

// VariantNames lists the variants in table order.
func VariantNames() []string {
	var out []string
	for _, v := range Variants() {
		out = append(out, v.Name)
	}
	return out
}

// theoryVariant finds a variant; a registered algorithm without a
// variant runs with its defaults, so an algorithm added to the registry
// is available here at once.
func theoryVariant(name string) (Variant, error) {
	for _, v := range Variants() {
		if v.Name == name {
			return v, nil
		}
	}
	if _, err := algorithms.Lookup(name); err != nil {
		return Variant{}, fmt.Errorf("theory: unknown variant %q (known: %s, or any registered algorithm: %s)",
			name, strings.Join(VariantNames(), ", "), strings.Join(algorithms.Names(), ", "))
	}
	return Variant{Name: name, Algorithm: name}, nil
}

// maxTheoryHistories bounds the histories of a theory configuration (a
// policy row and exact value per history and task).
const maxTheoryHistories = 1 << 24

// histories is the number of histories the bandit's tables and exact
// objective walk: every action sequence up to the horizon, for every task.
func (c TheoryConfig) histories() float64 {
	n, level := 0.0, 1.0
	for range c.Turns + 1 {
		n += level
		level *= float64(c.Actions)
	}
	return n * float64(c.Tasks)
}

// Validate checks the configuration, naming the field at fault and its
// allowed values.
func (c TheoryConfig) Validate() error {
	if err := checkRanges(reflect.ValueOf(c), ""); err != nil {
		return fmt.Errorf("theory: %w", err)
	}
	if n := c.histories(); n > maxTheoryHistories {
		return fmt.Errorf("theory: turns %d and actions %d give %.3g histories over %d tasks; allowed: at most %d (lower turns, actions or tasks)",
			c.Turns, c.Actions, n, c.Tasks, maxTheoryHistories)
	}
	switch {
	case c.Advantages != "sampled" && c.Advantages != "exact":
		return fmt.Errorf("theory: advantages %q unknown (known: sampled, exact)", c.Advantages)
	case c.Policy != "softmax" && c.Policy != "loglinear" && c.Policy != "shared":
		return fmt.Errorf("theory: policy %q unknown (known: softmax, loglinear, shared)", c.Policy)
	case len(c.Seeds) == 0 || len(c.Families) == 0 || len(c.Variants) == 0:
		return fmt.Errorf("theory: seeds, families and variants must not be empty")
	}
	if _, err := Spelling(c.Spelling, c.Actions); err != nil {
		return err
	}
	for _, f := range c.Families {
		if _, err := FamilyByName(f); err != nil {
			return err
		}
	}
	for _, v := range c.Variants {
		if _, err := theoryVariant(v); err != nil {
			return err
		}
	}
	return nil
}

// TheoryRun is the outcome of one variant on one family with one seed.
type TheoryRun struct {
	Family, Variant string
	Seed            int
	// J[k] is the exact objective after k updates (J[0]: the initial
	// uniform policy).
	J              []float64
	JStar          float64
	OptimizerSteps int
	Tokens         int
	Wall           time.Duration
}

// FinalRatio is J/J* after the last update.
func (r TheoryRun) FinalRatio() float64 { return r.J[len(r.J)-1] / r.JStar }

// ItersTo is the first iteration at which J ≥ frac·J*, or −1.
func (r TheoryRun) ItersTo(frac float64) int {
	for k, j := range r.J {
		if j >= frac*r.JStar {
			return k
		}
	}
	return -1
}

// Drops counts the updates after which J was lower than before (by more
// than 1e-12), and the largest such drop.
func (r TheoryRun) Drops() (n int, largest float64) {
	for k := 1; k < len(r.J); k++ {
		if d := r.J[k-1] - r.J[k]; d > 1e-12 {
			n++
			largest = math.Max(largest, d)
		}
	}
	return n, largest
}

// DropsAbove counts the updates that lowered J by more than tol.
func (r TheoryRun) DropsAbove(tol float64) int {
	n := 0
	for k := 1; k < len(r.J); k++ {
		if r.J[k-1]-r.J[k] > tol {
			n++
		}
	}
	return n
}

// RunTheory runs every family × variant × seed, writing a run directory
// for each under out (skipped when out is empty), and returns the runs in
// a fixed order.
func RunTheory(ctx context.Context, c TheoryConfig, out string) ([]TheoryRun, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	type job struct {
		family, variant string
		seed            int
	}
	var jobs []job
	for _, f := range c.Families {
		for _, v := range c.Variants {
			for _, s := range c.Seeds {
				jobs = append(jobs, job{f, v, s})
			}
		}
	}
	runs := make([]TheoryRun, len(jobs))
	errs := make([]error, len(jobs))
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				runs[i], errs[i] = runTheoryOne(ctx, c, j.family, j.variant, j.seed, out)
			}
		}()
	}
	sent := dispatch(ctx, next, len(jobs))
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("theory %s/%s/seed-%d: %w", jobs[i].family, jobs[i].variant, jobs[i].seed, err)
		}
	}
	if sent < len(jobs) {
		return nil, ctx.Err()
	}
	return runs, nil
}

// dispatch hands the job numbers 0..n-1 to the workers until ctx is
// cancelled, and returns how many it handed out.
func dispatch(ctx context.Context, next chan<- int, n int) int {
	for i := range n {
		if ctx.Err() != nil {
			return i
		}
		select {
		case next <- i:
		case <-ctx.Done():
			return i
		}
	}
	return n
}

// newTheoryPolicy builds the initial policy (all logits 0) over the
// bandit's response tokens and, for PPO, a critic with the same features.
func newTheoryPolicy(c TheoryConfig, b *Bandit) (*tabular.Policy, *tabular.Values) {
	f := theoryFeatures(c.Policy)
	return tabular.NewLogLinear(b.Vocab(), f), tabular.NewValues(f)
}

// theoryFeatures are the parameter rows each policy sums: softmax one row
// per history; loglinear rows per turn, per task and turn, per turn and
// last observation; shared a row per history plus a row per task used by
// every turn. Within a multi-token turn every row also names the word so
// far.
func theoryFeatures(name string) tabular.Features {
	switch name {
	case "loglinear":
		return func(prefix []int) []string {
			task, turn, obs, w := banditPrefix(prefix)
			feats := []string{fmt.Sprint("t", turn, w), fmt.Sprint("task", task, "t", turn, w)}
			if turn > 0 {
				feats = append(feats, fmt.Sprint("t", turn, "o", obs, w))
			}
			return feats
		}
	case "shared":
		return func(prefix []int) []string {
			task, _, _, w := banditPrefix(prefix)
			return []string{tabular.Key(prefix), fmt.Sprint("task", task, w)}
		}
	}
	return tabular.History
}

// banditPrefix reads a bandit token prefix (context, then the current
// turn's response tokens): the task, the number of completed turns, the
// last observation (−1 before any) and the current word as a key suffix
// ("" at the start of a turn, else "w" and the tokens so far).
func banditPrefix(prefix []int) (task, turn, obs int, word string) {
	obs, last := -1, 0
	for i, tok := range prefix {
		switch {
		case tok >= banditObsToken:
			turn, obs, last = turn+1, tok-banditObsToken, i+1
		case tok >= banditTaskToken:
			task, last = tok-banditTaskToken, i+1
		}
	}
	if last < len(prefix) {
		word = "w" + tabular.Key(prefix[last:])
	}
	return task, turn, obs, word
}

// theorySettings are the algorithm's defaults with the variant's layer,
// then the learning rates of the theory suite (tabular logits need steps
// of order 0.1, not 1e-6), and the run's seed.
func theorySettings(c TheoryConfig, v Variant, seed int) (algorithms.Settings, error) {
	s, err := algorithms.Resolve(v.Algorithm, v.Settings, algorithms.Overrides{"lr": c.LR, "critic_lr": c.LR})
	s.Seed = uint64(seed)
	return s, err
}

// runTheoryOne trains one variant on one family with one seed: the
// harness's trainer takes each iteration's batch from the bandit
// (banditSource) and measures the exact J after every update.
func runTheoryOne(ctx context.Context, c TheoryConfig, family, variant string, seed int, out string) (TheoryRun, error) {
	var err error
	start := time.Now()
	fam, _ := FamilyByName(family)
	v, _ := theoryVariant(variant)
	bandit := fam.Make(rand.New(rand.NewPCG(uint64(seed), 0xba4d17)), c.Turns, c.Actions, c.Tasks)
	if bandit.Spelling, err = Spelling(c.Spelling, c.Actions); err != nil {
		return TheoryRun{}, err
	}
	settings, err := theorySettings(c, v, seed)
	if err != nil {
		return TheoryRun{}, err
	}
	alg, err := algorithms.New(v.Algorithm, settings)
	if err != nil {
		return TheoryRun{}, err
	}
	pol, critic := newTheoryPolicy(c, bandit)
	run := TheoryRun{Family: family, Variant: variant, Seed: seed, JStar: bandit.Optimum()}
	log, err := openTheoryRun(out, c, bandit, v, settings, seed)
	if err != nil {
		return run, err
	}
	src := &banditSource{c: c, bandit: bandit, pol: pol, rng: rand.New(rand.NewPCG(uint64(seed), 0x7011))}
	tr := &harness.Trainer{
		// Every iteration's batch holds every task's group of G rollouts;
		// there are no held-out tasks to evaluate.
		Schedule: harness.Schedule{Steps: c.Iterations, TasksPerStep: c.Tasks, GroupSize: c.Rollouts, EvalSamples: 1},
		Seed:     uint64(seed), Policy: pol, Ref: pol.Frozen(), Algorithm: alg, Output: log.run,
		Source: src, Probe: src, NoCheckpoints: true,
	}
	if cu, ok := alg.(algorithms.CriticUser); ok && cu.NeedsCritic() {
		tr.Critic = critic
	}
	sum, err := tr.Run(ctx)
	run.J, run.OptimizerSteps, run.Tokens = src.j, int(sum.OptimizerSteps), int(sum.Tokens)
	if err != nil {
		return run, log.stop(run, err)
	}
	run.Wall = time.Since(start)
	return run, log.finish(run)
}

// banditSource is a theory run's batches and its probe. Each batch is
// drawn from the policy's next-action distributions at every history
// (Bandit.Tree) with the run's own random stream, or, with exact
// advantages, stratified by them; the probe is the exact objective J,
// recorded after every update.
type banditSource struct {
	c      TheoryConfig
	bandit *Bandit
	pol    *tabular.Policy
	rng    *rand.Rand
	tree   Tree      // the policy's distributions, as of the last Measure
	j      []float64 // J of the initial policy, then after each update
}

// Batch draws the iteration's rollouts from the policy's tree.
func (s *banditSource) Batch(ctx context.Context, _ int) (*algorithms.Batch, error) {
	if s.tree == nil {
		if _, err := s.Measure(ctx); err != nil {
			return nil, err
		}
	}
	if s.c.Advantages == "exact" {
		return s.bandit.StratifiedRollouts(s.tree, s.c.Rollouts), nil
	}
	return s.bandit.Rollouts(s.tree, s.c.Rollouts, s.rng), nil
}

// Measure scores the policy's tree afresh and records J.
func (s *banditSource) Measure(context.Context) (metrics.Data, error) {
	tree, err := s.bandit.Tree(s.pol)
	if err != nil {
		return nil, err
	}
	s.tree = tree
	j, jStar := s.bandit.J(tree), s.bandit.Optimum()
	s.j = append(s.j, j)
	return metrics.Data{metrics.TheoryJ: j, metrics.TheoryJStar: jStar, metrics.TheoryGap: jStar - j}, nil
}

// theoryLog writes one run directory (or nothing when out is empty).
type theoryLog struct{ run *metrics.Run }

func openTheoryRun(out string, c TheoryConfig, b *Bandit, v Variant, s algorithms.Settings, seed int) (*theoryLog, error) {
	if out == "" {
		return &theoryLog{}, nil
	}
	id := metrics.ID{Experiment: c.Experiment, Suite: "bandit-" + b.Family + c.SuiteSuffix, Algorithm: v.Name, Seed: seed}
	r, err := metrics.OpenRun(out, id, metrics.Meta{Extra: map[string]string{"family_doc": theoryFamilyDoc(b.Family), "variant_doc": v.Doc, "budget": s.Budget}})
	if err != nil {
		return nil, err
	}
	cfg := map[string]any{"theory": c, "family": b.Family, "variant": v.Name, "algorithm": v.Algorithm, "seed": seed,
		"j_star": b.Optimum(), "settings": s.Map()}
	y, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return &theoryLog{run: r}, r.WriteConfig(y)
}

func theoryFamilyDoc(name string) string {
	f, _ := FamilyByName(name)
	return f.Doc
}

// stop closes the run directory of a run that ended early: summary.json
// says interrupted (ctx was cancelled) or failed, with the iterations
// done. It returns err.
func (l *theoryLog) stop(r TheoryRun, err error) error {
	if l.run == nil {
		return err
	}
	status := metrics.StatusFailed
	if errors.Is(err, context.Canceled) {
		status = metrics.StatusInterrupted
	}
	l.run.Finish(metrics.Summary{Status: status, Steps: int64(max(len(r.J)-1, 0)),
		OptimizerSteps: int64(r.OptimizerSteps), Tokens: int64(r.Tokens), Error: err.Error()})
	return err
}

// finish writes summary.json with the run's final figures.
func (l *theoryLog) finish(r TheoryRun) error {
	if l.run == nil {
		return nil
	}
	drops, largest := r.Drops()
	return l.run.Finish(metrics.Summary{
		Steps: int64(len(r.J) - 1), OptimizerSteps: int64(r.OptimizerSteps), WallClockS: r.Wall.Seconds(), Tokens: int64(r.Tokens),
		Figures: metrics.Data{
			metrics.TheoryJ: r.J[len(r.J)-1], metrics.TheoryJStar: r.JStar, metrics.TheoryGap: r.JStar - r.J[len(r.J)-1],
			"theory/J_over_J_star": r.FinalRatio(), "theory/iterations_to_0.99": float64(r.ItersTo(0.99)),
			"theory/drops": float64(drops), "theory/largest_drop": largest,
		},
	})
}
