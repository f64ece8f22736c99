package benchmarks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// RunOptions say where a suite runs.
type RunOptions struct {
	Out     string    // root of run directories
	DataDir string    // data directory; the reference split is evaluated when it holds bfcl_v4
	Threads int       // CPU threads (0: all)
	Log     io.Writer // progress and log lines (nil: quiet)
	// Algorithm are the algorithm settings the configuration sets
	// explicitly (a file, SEEUPO_* variables or flags): a layer over the
	// algorithm's defaults and the suite's learning rates. Nil: none.
	Algorithm algorithms.Overrides
	// Device is the compute backend the models run on (kernels.Names;
	// empty: cpu, the configuration's default).
	Device string
	// AppWorld are the appworld suite's params from the configuration's
	// appworld section (servers, interpreter, per-cell limits).
	AppWorld map[string]string
	// Versions are recorded in every run's meta.json.
	Versions map[string]string
	// Servers, when set, generate the training runs' rollouts and
	// evaluations (rl.generator remote): the trainer pushes its weights to
	// them before the first rollout and after every step.
	Servers *harness.ServerOptions
	// WeightsDir is where the pushed weights are saved, under
	// <experiment>/<family>/<algorithm>/seed-<n>/ (empty: weights/ in the
	// run directory).
	WeightsDir string

	initialEval *metrics.Eval // the warm start's evaluation, shared by the runs
}

// backend opens the compute backend of o.Device with o.Threads.
func (o RunOptions) backend() (kernels.Backend, error) {
	name := o.Device
	if name == "" {
		name = "cpu"
	}
	be, err := kernels.Open(name, kernels.Options{Threads: o.Threads})
	if err != nil {
		return nil, fmt.Errorf("device %q: %w", name, err)
	}
	return be, nil
}

// evalSeed seeds every evaluation of a suite, so all its runs are
// evaluated on the same samples (a paired comparison).
func (c SuiteConfig) evalSeed() uint64 { return uint64(c.Tasks.Seed)*0x9e3779b97f4a7c15 + 0xe7a1 }

// warmStartEvaluation evaluates the warm start as every run's trainer
// would before its first step.
func warmStartEvaluation(ctx context.Context, f *family, ws *WarmStart, be kernels.Backend) (metrics.Eval, error) {
	c := f.cfg
	settings, _, err := runSettings(c, c.Algorithms[0], c.Seeds[0], RunOptions{})
	if err != nil {
		return metrics.Eval{}, err
	}
	tr, err := newTrainer(f, ws, be, c.Algorithms[0], c.Seeds[0], settings)
	if err != nil {
		return metrics.Eval{}, err
	}
	return tr.Evaluation(ctx)
}

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
	be, err := o.backend()
	if err != nil {
		return nil, err
	}
	res := &SuiteResult{Experiment: c.Experiment, Dir: filepath.Join(o.Out, c.Experiment)}
	for _, f := range fams {
		fr := &FamilyResult{Name: f.name, Rejected: f.rejected, Train: len(f.train), Test: len(f.test)}
		res.Families = append(res.Families, fr)
		if err := runFamily(ctx, f, be, o, fr); err != nil {
			return res, err
		}
	}
	return res, nil
}

// runFamily trains one family's warm start and every algorithm × seed
// from it.
func runFamily(ctx context.Context, f *family, be kernels.Backend, o RunOptions, fr *FamilyResult) error {
	c := f.cfg
	logf(o.Log, "suite %s: %s", c.Name, f.describe)
	var err error
	if fr.WarmStart, err = prepareWarmStart(ctx, f, be, o.Out, o.Log); err != nil {
		return err
	}
	// Every run starts from the warm start and is evaluated with the same
	// seeds, so the evaluation before training is one and the same: it is
	// computed once here and logged by each run.
	initial, err := warmStartEvaluation(ctx, f, fr.WarmStart, be)
	if err != nil {
		return err
	}
	fr.Initial = initial.Aggregates
	logf(o.Log, "warm start (%s) on the evaluation tasks: %s", f.name, formatAggregates(initial.Aggregates))
	o.initialEval = &initial
	for _, algo := range c.Algorithms {
		for _, seed := range c.Seeds {
			r, err := runLLM(ctx, f, fr.WarmStart, be, algo, seed, o)
			if err != nil {
				return fmt.Errorf("%s: %s seed %d: %w", f.name, algo, seed, err)
			}
			fr.Runs = append(fr.Runs, r)
		}
	}
	return nil
}

// runLLM trains one algorithm with one seed from the warm start.
func runLLM(ctx context.Context, f *family, ws *WarmStart, be kernels.Backend, algo string, seed int, o RunOptions) (RunResult, error) {
	c := f.cfg
	id := metrics.ID{Experiment: c.Experiment, Suite: f.name, Algorithm: algo, Seed: seed}
	r := RunResult{Algorithm: algo, Seed: seed, Dir: id.Dir(o.Out)}
	settings, cfgYAML, err := runSettings(c, algo, seed, o)
	if err != nil {
		return r, err
	}
	switch state, err := priorRun(r.Dir, cfgYAML); {
	case err != nil:
		return r, err
	case state == priorComplete:
		r.Summary, r.Skipped = readSummary(r.Dir), true
		r.Initial, r.Final = firstAndLastEval(r.Dir)
		logf(o.Log, "%s %s seed %d: complete from an earlier run, kept", f.name, algo, seed)
		return r, nil
	case state == priorCheckpointed:
		return resumeLLM(ctx, f, ws, be, algo, seed, o)
	}
	tr, err := newTrainer(f, ws, be, algo, seed, settings)
	if err != nil {
		return r, err
	}
	if err := generateOnServers(ctx, tr, id, o); err != nil {
		return r, err
	}
	// An earlier attempt that stopped before its first checkpoint starts
	// over.
	if err := os.RemoveAll(r.Dir); err != nil {
		return r, err
	}
	run, err := metrics.OpenRun(o.Out, id, runMeta(o, settings))
	if err != nil {
		return r, err
	}
	defer run.Close()
	if err := run.WriteConfig(cfgYAML); err != nil {
		return r, err
	}
	tr.Output, tr.Progress, tr.Log = run, o.Log, o.Log
	tr.InitialEval = o.initialEval
	return finishRun(ctx, f, tr, run, r, o)
}

// generateOnServers makes the options' servers the trainer's generator,
// when there are any; a run's weights go under WeightsDir in the run
// directories' layout, so runs never share a directory.
func generateOnServers(ctx context.Context, tr *harness.Trainer, id metrics.ID, o RunOptions) error {
	if o.Servers == nil {
		return nil
	}
	servers, err := harness.NewServers(ctx, *o.Servers)
	if err != nil {
		return err
	}
	tr.Roller.Policy = servers
	if o.WeightsDir != "" {
		tr.WeightsDir = id.Dir(o.WeightsDir)
	}
	return nil
}

// interruptOn makes the models' long computations (scoring and updates
// over many micro-batches) stop part way when ctx is cancelled.
func interruptOn(ctx context.Context, models ...any) {
	for _, m := range models {
		if im, ok := m.(policy.Interruptible); ok {
			im.SetInterrupt(ctx.Err)
		}
	}
}

// runSettings are one run's algorithm settings: the algorithm's defaults,
// then the suite's layer (its learning rates), then the configuration's
// explicit values (o.Algorithm: whatever it sets wins, the reference
// values, zero and false included); and the run's config.yaml, which
// records the suite and them.
func runSettings(c SuiteConfig, algo string, seed int, o RunOptions) (algorithms.Settings, []byte, error) {
	s, err := algorithms.Resolve(algo, c.AlgorithmLayer(), o.Algorithm)
	if err != nil {
		return s, nil, err
	}
	s.Seed = uint64(seed)
	b, err := yaml.Marshal(struct {
		Suite     SuiteConfig         `yaml:"suite"`
		Algorithm algorithms.Settings `yaml:"algorithm"`
	}{c, s})
	return s, b, err
}

// Settings are the algorithm settings a run of algo gets with the options'
// configuration (see runSettings); the seed is left 0.
func (c SuiteConfig) Settings(algo string, o RunOptions) (algorithms.Settings, error) {
	s, _, err := runSettings(c, algo, 0, o)
	return s, err
}

// runMeta is a run's meta.json: versions, command line, and the budget
// its comparison table names.
func runMeta(o RunOptions, s algorithms.Settings) metrics.Meta {
	extra := map[string]string{"budget": s.Budget, "generator": "native"}
	if o.Servers != nil {
		extra["generator"] = "remote"
	}
	return metrics.Meta{Versions: o.Versions, Command: os.Args, Extra: extra}
}

// newTrainer assembles the models, algorithm and agent loop of one run.
func newTrainer(f *family, ws *WarmStart, be kernels.Backend, algo string, seed int,
	settings algorithms.Settings) (*harness.Trainer, error) {
	c := f.cfg
	opts := transformer.Options{MicroBatchTokens: c.Model.MicroBatchTokens}
	m, err := transformer.Load(ws.Dir, be, opts)
	if err != nil {
		return nil, err
	}
	a, err := algorithms.New(algo, settings)
	if err != nil {
		return nil, err
	}
	pol := &harness.NativePolicy{Model: m, Tok: ws.Tokenizer}
	tr := &harness.Trainer{
		Schedule: harness.Schedule{Steps: c.RL.Steps, TasksPerStep: c.RL.TasksPerStep, GroupSize: c.RL.GroupSize,
			EvalEvery: c.RL.EvalEvery, EvalSamples: c.RL.EvalSamples, EvalTasks: c.RL.EvalTasks,
			CheckpointEvery: c.RL.CheckpointEvery, KeepTrajectories: c.RL.KeepTrajectories},
		Seed: uint64(seed), EvalSeed: c.evalSeed(), Train: f.train, Eval: f.test,
		Roller: &harness.Roller{Suite: f.suite, Policy: pol, Codec: harness.ChatCodec{Tok: ws.Tokenizer},
			Limits:      harness.Limits{MaxTurns: c.RL.MaxTurns, MaxTokensPerTurn: c.RL.MaxTokensPerTurn, MaxContext: c.RL.MaxContext},
			Temperature: c.RL.Temperature, Rewards: harness.DefaultRewards()},
		EvalSampling: harness.Sampling{Temperature: c.RL.EvalTemperature},
		Policy:       pol,
		Ref:          m.Frozen(),
		Algorithm:    a,
	}
	if cu, ok := a.(algorithms.CriticUser); ok && cu.NeedsCritic() {
		if tr.Critic, err = criticFrom(m, be, opts, uint64(seed)); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// criticFrom builds a value model whose trunk starts from the policy's
// weights and whose scalar head starts fresh.
func criticFrom(m *transformer.Model, be kernels.Backend, opts transformer.Options, seed uint64) (*transformer.Model, error) {
	opts.ValueHead = true
	critic, err := transformer.New(m.Config(), be, seed, opts)
	if err != nil {
		return nil, err
	}
	weights, err := m.Weights()
	if err != nil {
		return nil, err
	}
	for name, vals := range weights {
		if err := critic.SetWeight(name, vals); err != nil {
			return nil, err
		}
	}
	return critic, nil
}

// What an earlier invocation left in a run directory.
const (
	priorNone         = iota // nothing (or nothing worth keeping)
	priorCheckpointed        // stopped after a checkpoint: resume
	priorComplete            // finished: keep
)

// priorRun inspects a run directory. A run of another configuration is
// never touched: that is an error asking for another experiment name.
func priorRun(dir string, cfgYAML []byte) (int, error) {
	meta, err := metrics.ReadMeta(dir)
	if err != nil {
		return priorNone, nil
	}
	if meta.ConfigSHA256 != "" && meta.ConfigSHA256 != metrics.ConfigDigest(cfgYAML) {
		return priorNone, fmt.Errorf("%s holds a run of another configuration; set another experiment name or remove it", dir)
	}
	if sum, err := metrics.ReadSummary(dir); err == nil && sum.Status == metrics.StatusCompleted {
		return priorComplete, nil
	}
	if steps, err := metrics.Checkpoints(dir); err == nil && len(steps) > 0 {
		return priorCheckpointed, nil
	}
	return priorNone, nil
}

func readSummary(dir string) metrics.Summary {
	sum, _ := metrics.ReadSummary(dir)
	return sum
}

func firstAndLastEval(dir string) (first, last metrics.Data) {
	evals, _, err := metrics.ReadEvals(filepath.Join(dir, metrics.FileEval))
	if err != nil || len(evals) == 0 {
		return nil, nil
	}
	return evals[0].Aggregates, evals[len(evals)-1].Aggregates
}

// LoadPolicy reads a model directory (a warm start, or the policy of a
// checkpoint) with its tokenizer.
func LoadPolicy(dir string, be kernels.Backend) (*harness.NativePolicy, error) {
	m, err := transformer.Load(dir, be, transformer.Options{})
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(filepath.Join(dir, harness.TokenizerFile))
	if err != nil {
		return nil, err
	}
	return &harness.NativePolicy{Model: m, Tok: tok}, nil
}
