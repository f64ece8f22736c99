package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/models"
)

// RunOptions say where a suite runs.
type RunOptions struct {
	Out     string    // root of run directories
	DataDir string    // data directory; the reference split is evaluated when it holds bfcl_v4
	Log     io.Writer // progress and log lines (nil: quiet)
	// Models builds the native models on the compute backend the command
	// opened from its device (models.Open); evaluating a remote policy
	// alone needs none.
	Models *models.Factory
	// Algorithm are the algorithm settings the configuration sets
	// explicitly (a file, SEEUPO_* variables or flags): a layer over the
	// algorithm's defaults and the suite's learning rates. Nil: none.
	Algorithm algorithms.Overrides
	// AppWorld are the appworld suite's params from the configuration's
	// appworld section (servers, interpreter, per-cell limits).
	AppWorld map[string]string
	// Versions are recorded in every run's meta.json.
	Versions map[string]string
	// Servers, when set, generate the training runs' rollouts and
	// evaluations (rl.generator remote): the trainer pushes its weights to
	// them before the first rollout and after every step.
	Servers *harness.ServerOptions
	// ServerMembers, when set, is asked for the member set of Servers
	// (harness.ServerOptions.Members) with the model directory the runs
	// start from, before the first run generates: it may start servers
	// over that model (a Swarm service of seeupo serve) and is called once
	// per run.
	ServerMembers func(ctx context.Context, modelDir string) (func() []harness.Endpoint, error)
	// WeightsDir is where the pushed weights are saved, under
	// <experiment>/<family>/<algorithm>/seed-<n>/ (empty: weights/ in the
	// run directory).
	WeightsDir string

	initialEval   *metrics.Eval // the warm start's evaluation, shared by the runs
	initialGreedy metrics.Data  // the warm start's greedy evaluation (rl.greedy_eval)
}

// models is the options' model factory; without one no native model can
// be built.
func (o RunOptions) models() (*models.Factory, error) {
	if o.Models == nil {
		return nil, errors.New("benchmarks: RunOptions.Models is nil: open the device's model factory (models.Open) first")
	}
	return o.Models, nil
}

// evalSeed seeds every evaluation of a suite, so all its runs are
// evaluated on the same samples (a paired comparison).
func (c SuiteConfig) evalSeed() uint64 { return uint64(c.Tasks.Seed)*0x9e3779b97f4a7c15 + 0xe7a1 }

// RunResult is one algorithm × seed of a suite.
type RunResult struct {
	Algorithm string
	Seed      int
	Dir       string
	Initial   metrics.Data // aggregates of the evaluation before training
	Final     metrics.Data // aggregates of the last evaluation
	Summary   metrics.Summary
	Skipped   bool // already complete from an earlier invocation
}

// FamilyResult is one task family of a suite.
type FamilyResult struct {
	Name      string // bfcl_gen, appworld
	WarmStart *WarmStart
	Initial   metrics.Data // the warm start's evaluation, shared by the runs
	Runs      []RunResult
	Rejected  int // generated tasks that failed validation
	Train     int
	Test      int
	// Budget is the budget of the runs when the suite lists budgets; the
	// runs of the second and later budgets are in Passes, one result each
	// (same warm start, Name <family>-<budget>).
	Budget string
	Passes []*FamilyResult
	// InitialGreedy is the warm start's greedy evaluation (rl.greedy_eval).
	InitialGreedy metrics.Data
}

// SuiteResult is a whole suite.
type SuiteResult struct {
	Experiment string
	Dir        string // <out>/<experiment>
	Families   []*FamilyResult
}

// RunSuite runs every task family of the suite: it opens the family's
// tasks, trains its warm start, then trains and evaluates every algorithm
// × seed from it. Runs already complete (summary status done) are kept,
// so an interrupted suite continues.
func RunSuite(ctx context.Context, c SuiteConfig, o RunOptions) (*SuiteResult, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	fams, err := openFamilies(c, o)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, f := range fams {
			f.Close()
		}
	}()
	if _, err := o.models(); err != nil {
		return nil, err
	}
	res := &SuiteResult{Experiment: c.Experiment, Dir: filepath.Join(o.Out, c.Experiment)}
	for _, f := range fams {
		fr := &FamilyResult{Name: f.name, Rejected: f.rejected, Train: len(f.train), Test: len(f.test)}
		err := runFamily(ctx, f, o, fr)
		res.Families = append(res.Families, fr)
		res.Families = append(res.Families, fr.Passes...)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// runFamily trains one family's warm start and every algorithm × seed
// from it.
func runFamily(ctx context.Context, f *family, o RunOptions, fr *FamilyResult) error {
	c := f.cfg
	if err := checkPlan(f, o); err != nil {
		return err
	}
	logf(o.Log, "suite %s: %s", c.Name, f.describe)
	var err error
	if fr.WarmStart, err = prepareWarmStart(ctx, f, o); err != nil {
		return err
	}
	// Every run starts from the warm start and is evaluated with the same
	// seeds, so the evaluation before training is one and the same: it is
	// computed once here and logged by each run.
	x := &runner{f: f, ws: fr.WarmStart, o: o}
	initial, err := x.warmStartEvaluation(ctx)
	if err != nil {
		return err
	}
	fr.Initial = initial.Aggregates
	logf(o.Log, "%s (%s) on the evaluation tasks: %s", fr.WarmStart.Label(), f.name, formatAggregates(initial.Aggregates))
	x.o.initialEval = &initial
	if c.RL.GreedyEval {
		if fr.InitialGreedy, err = x.warmStartGreedy(ctx); err != nil {
			return err
		}
		logf(o.Log, "warm start (%s), greedy: %s", f.name, formatAggregates(fr.InitialGreedy))
		x.o.initialGreedy = fr.InitialGreedy
	}
	return x.trainAll(ctx, fr)
}

// trainAll trains every algorithm × seed of the family from its warm
// start, once per budget of the suite's budgets.
func (x *runner) trainAll(ctx context.Context, fr *FamilyResult) error {
	c := x.f.cfg
	if len(c.Budgets) == 0 {
		fr.Runs, fr.Budget = nil, ""
		return x.trainPass(ctx, fr)
	}
	base := *fr
	for i, b := range c.Budgets {
		pass := *x
		f := *x.f
		f.name, f.cfg.Budget = x.f.name+"-"+b, b
		pass.f = &f
		pass.o.Algorithm = withoutKey(x.o.Algorithm, "budget")
		res := fr
		if i > 0 {
			cp := base
			res = &cp
			fr.Passes = append(fr.Passes, res)
		}
		res.Name, res.Budget, res.Runs = f.name, b, nil
		if err := pass.trainPass(ctx, res); err != nil {
			return err
		}
	}
	return nil
}

// trainPass trains every algorithm × seed into fr.Runs, in the order of
// the suite's lists, c.Parallel runs at a time. A run's figures do not
// depend on how many run beside it (the CPU kernels' results do not depend
// on the thread count); with more than one at a time the runs log lines
// but draw no progress bars. The first failure stops the pass.
func (x *runner) trainPass(ctx context.Context, fr *FamilyResult) error {
	c := x.f.cfg
	type slot struct {
		algo string
		seed int
	}
	var slots []slot
	for _, algo := range c.Algorithms {
		for _, seed := range c.Seeds {
			slots = append(slots, slot{algo, seed})
		}
	}
	results := make([]RunResult, len(slots))
	errs := make([]error, len(slots))
	px := *x
	if c.Parallel > 1 {
		px.noProgress = true
		if px.o.Log != nil {
			px.o.Log = &lockedWriter{w: px.o.Log} // runs side by side write whole lines, one at a time
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(1, c.Parallel))
	var wg sync.WaitGroup
	for i, s := range slots {
		sem <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if results[i], errs[i] = px.train(ctx, s.algo, s.seed, false); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for i, s := range slots {
		if errs[i] != nil {
			return fmt.Errorf("%s: %s seed %d: %w", x.f.name, s.algo, s.seed, errs[i])
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fr.Runs = append(fr.Runs, results...)
	return nil
}

// withoutKey is o without key (a copy; nil stays nil).
func withoutKey(o algorithms.Overrides, key string) algorithms.Overrides {
	if o == nil {
		return nil
	}
	out := algorithms.Overrides{}
	for k, v := range o {
		if k != key {
			out[k] = v
		}
	}
	return out
}
