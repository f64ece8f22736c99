package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/transformer"
)

// runner trains the runs of one task family from its warm start, with
// the run options every run shares.
type runner struct {
	f  *family
	ws *WarmStart
	o  RunOptions
	// noProgress leaves the trainers' progress bars out (runs side by
	// side).
	noProgress bool
}

// job is one algorithm × seed of a family: where its run directory is and
// the algorithm settings and config.yaml it runs with.
type job struct {
	algo     string
	seed     int
	id       metrics.ID
	settings algorithms.Settings
	cfgYAML  []byte
	res      RunResult // Algorithm, Seed and Dir set
}

// job resolves the run's settings (runSettings) with the options'
// configuration.
func (x *runner) job(algo string, seed int, o RunOptions) (job, error) {
	c := x.f.cfg
	id := metrics.ID{Experiment: c.Experiment, Suite: x.f.name, Algorithm: algo, Seed: seed}
	j := job{algo: algo, seed: seed, id: id, res: RunResult{Algorithm: algo, Seed: seed, Dir: id.Dir(x.o.Out)}}
	var err error
	j.settings, j.cfgYAML, err = runSettings(c, algo, seed, o)
	return j, err
}

// train runs one algorithm with one seed. A run that an earlier
// invocation completed is kept; one it checkpointed continues from its
// newest checkpoint that verifies, and so does any run with resume; a run
// with nothing to continue from starts.
func (x *runner) train(ctx context.Context, algo string, seed int, resume bool) (RunResult, error) {
	j, err := x.job(algo, seed, x.o)
	if err != nil {
		return j.res, err
	}
	if !resume {
		switch state, err := priorRun(j.res.Dir, j.cfgYAML); {
		case err != nil:
			return j.res, err
		case state == priorComplete:
			return x.keep(j), nil
		case state == priorNone:
			return x.start(ctx, j)
		}
	}
	sel, err := metrics.SelectCheckpoint(j.res.Dir)
	for _, note := range sel.Notes {
		x.logf(j, "resume: %s", note)
	}
	if err != nil {
		return j.res, fmt.Errorf("resume: %w", err)
	}
	if sel.Dir != "" {
		return x.resume(ctx, j, sel)
	}
	// A scheduler restarting a job passes the same flags every time: with
	// nothing to resume, the run starts.
	x.logf(j, "resume: no checkpoint in %s yet; starting the run", j.res.Dir)
	switch state, err := priorRun(j.res.Dir, j.cfgYAML); {
	case err != nil:
		return j.res, err
	case state == priorComplete:
		return x.keep(j), nil
	}
	return x.start(ctx, j)
}

// progress is where the trainers draw their progress bars.
func (x *runner) progress() io.Writer {
	if x.noProgress {
		return nil
	}
	return x.o.Log
}

// trainerLog is where a run's trainer writes its lines: with runs side by
// side each line says which run it is about.
func (x *runner) trainerLog(j job) io.Writer {
	if !x.noProgress || x.o.Log == nil {
		return x.o.Log
	}
	return prefixWriter{w: x.o.Log, prefix: fmt.Sprintf("%s seed %d: ", x.f.name, j.seed)}
}

// prefixWriter writes each Write's bytes after a prefix (the trainer
// writes one line per Write).
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte(p.prefix), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// lockedWriter serialises the writes of runs trained side by side, so
// each line reaches the log whole and a writer that is not safe for
// concurrent use (a bytes.Buffer) is not raced.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (x *runner) logf(j job, format string, args ...any) {
	logf(x.o.Log, "%s %s seed %d: "+format, append([]any{x.f.name, j.algo, j.seed}, args...)...)
}

// keep returns the figures of a run an earlier invocation completed.
func (x *runner) keep(j job) RunResult {
	r := j.res
	r.Summary, r.Skipped = readSummary(r.Dir), true
	r.Initial, r.Final = firstAndLastEval(r.Dir)
	x.logf(j, "complete from an earlier run, kept")
	return r
}

// start trains the run from the warm start in a fresh run directory.
func (x *runner) start(ctx context.Context, j job) (RunResult, error) {
	tr, err := x.newTrainer(j)
	if err != nil {
		return j.res, err
	}
	if err := x.generateOnServers(ctx, tr, j); err != nil {
		return j.res, err
	}
	// An earlier attempt that stopped before its first checkpoint starts
	// over.
	if err := os.RemoveAll(j.res.Dir); err != nil {
		return j.res, err
	}
	run, err := metrics.OpenRun(x.o.Out, j.id, runMeta(x.o, j.settings))
	if err != nil {
		return j.res, err
	}
	defer run.Close()
	if err := run.WriteConfig(j.cfgYAML); err != nil {
		return j.res, err
	}
	tr.Output, tr.Progress, tr.Log = run, x.progress(), x.trainerLog(j)
	tr.InitialEval = x.o.initialEval
	return x.finish(ctx, j, tr, run)
}

// resume continues the run from the selected checkpoint.
func (x *runner) resume(ctx context.Context, j job, sel metrics.Selected) (RunResult, error) {
	meta, err := metrics.ReadMeta(j.res.Dir)
	if err == nil && meta.ConfigSHA256 != metrics.ConfigDigest(j.cfgYAML) {
		return j.res, fmt.Errorf("resume: %s was started with another configuration (config.yaml differs)", j.res.Dir)
	}
	tr, err := x.newTrainer(j)
	if err != nil {
		return j.res, err
	}
	pDir, cDir := harness.CheckpointModels(sel.Dir)
	m, err := x.o.Models.LoadCheckpoint(pDir)
	if err != nil {
		return j.res, err
	}
	tr.Policy.(*harness.NativePolicy).Model = m // the roller's policy too, unless it generates on servers
	if err := x.generateOnServers(ctx, tr, j); err != nil {
		return j.res, err
	}
	if tr.Critic != nil {
		if tr.Critic, err = x.o.Models.LoadCheckpoint(cDir); err != nil {
			return j.res, err
		}
	}
	run, err := metrics.OpenRun(x.o.Out, j.id, runMeta(x.o, j.settings))
	if err != nil {
		return j.res, err
	}
	defer run.Close()
	tr.Output, tr.Progress, tr.Log = run, x.progress(), x.trainerLog(j)
	if err := tr.Resume(sel.Dir); err != nil {
		return j.res, err
	}
	x.logf(j, "resuming from step %d: %s (verified against its %s)", sel.Step, sel.Dir, metrics.ManifestFile)
	return x.finish(ctx, j, tr, run)
}

// finish trains to the end, evaluates on the reference split when the
// suite asks for it and the data is there, and writes the summary.
func (x *runner) finish(ctx context.Context, j job, tr *harness.Trainer, run *metrics.Run) (RunResult, error) {
	c, r := x.f.cfg, j.res
	interruptOn(ctx, tr.Policy, tr.Ref, tr.Critic)
	sum, err := tr.Run(ctx)
	if err != nil {
		sum.Status, sum.Error = metrics.StatusFailed, err.Error()
		if errors.Is(err, context.Canceled) {
			sum.Status = metrics.StatusInterrupted // stopped on request, resumable
			sum.Steps, _ = run.Metrics.LastStep()
		}
		run.Finish(sum)
		return r, err
	}
	r.Initial, r.Final = firstAndLastEval(r.Dir)
	sum.Figures = metrics.Data{}
	for k, v := range r.Final {
		sum.Figures[metrics.EvalMetric(k)] = v
	}
	if c.RL.GreedyEval {
		ev, err := tr.GreedyEvaluation(ctx)
		if err != nil {
			return r, fmt.Errorf("greedy evaluation: %w", err)
		}
		for k, v := range ev.Aggregates {
			sum.Figures[metrics.EvalMetric(SplitGreedy+"/"+k)] = v
		}
		for k, v := range x.o.initialGreedy {
			sum.Figures[metrics.EvalMetric(SplitGreedyStart+"/"+k)] = v
		}
		logf(x.o.Log, "%s seed %d: greedy %s", r.Algorithm, r.Seed, formatAggregates(ev.Aggregates))
	}
	if strings.HasPrefix(x.f.name, bfcl.GeneratedSuiteName) && c.Reference && hasBFCLData(x.o.DataDir) {
		ref, err := evaluateReference(ctx, c, tr, x.o.DataDir)
		if err != nil {
			return r, err
		}
		for k, v := range ref.Aggregates {
			sum.Figures[metrics.EvalMetric(SplitReference+"/"+k)] = v
		}
		logf(x.o.Log, "%s seed %d: reference split %s", r.Algorithm, r.Seed, formatAggregates(ref.Aggregates))
	}
	r.Summary = sum
	return r, run.Finish(sum)
}

// warmStartEvaluation evaluates the warm start as every run's trainer
// would before its first step (that of the suite's first algorithm and
// seed, with the suite's settings alone).
func (x *runner) warmStartEvaluation(ctx context.Context) (metrics.Eval, error) {
	c := x.f.cfg
	j, err := x.job(c.Algorithms[0], c.Seeds[0], RunOptions{})
	if err != nil {
		return metrics.Eval{}, err
	}
	tr, err := x.newTrainer(j)
	if err != nil {
		return metrics.Eval{}, err
	}
	return tr.Evaluation(ctx)
}

// warmStartGreedy is the warm start's greedy evaluation (GreedyEval),
// shared by the runs like warmStartEvaluation.
func (x *runner) warmStartGreedy(ctx context.Context) (metrics.Data, error) {
	c := x.f.cfg
	j, err := x.job(c.Algorithms[0], c.Seeds[0], RunOptions{})
	if err != nil {
		return nil, err
	}
	tr, err := x.newTrainer(j)
	if err != nil {
		return nil, err
	}
	ev, err := tr.GreedyEvaluation(ctx)
	return ev.Aggregates, err
}

// SplitGreedy prefixes the figures of the greedy evaluation in a run's
// summary (eval/greedy/avg@1).
const SplitGreedy = "greedy"

// SplitGreedyStart prefixes the warm start's greedy figures in a run's
// summary (eval/greedy_start/avg@1), the start its gain is measured from.
const SplitGreedyStart = "greedy_start"

// newTrainer assembles the models, algorithm and agent loop of one run.
func (x *runner) newTrainer(j job) (*harness.Trainer, error) {
	c := x.f.cfg
	opts := transformer.Options{MicroBatchTokens: c.Model.MicroBatchTokens}
	m, err := x.o.Models.Load(x.ws.Dir, opts)
	if err != nil {
		return nil, err
	}
	a, err := algorithms.New(j.algo, j.settings)
	if err != nil {
		return nil, err
	}
	pol := &harness.NativePolicy{Model: m, Tok: x.ws.Tokenizer, Source: x.ws.Dir}
	codec, err := x.codec()
	if err != nil {
		return nil, err
	}
	tr := &harness.Trainer{
		Schedule: harness.Schedule{Steps: c.RL.Steps, TasksPerStep: c.RL.TasksPerStep, GroupSize: c.RL.GroupSize,
			EvalEvery: c.RL.EvalEvery, EvalSamples: c.RL.EvalSamples, EvalTasks: c.RL.EvalTasks,
			CheckpointEvery: c.RL.CheckpointEvery, KeepTrajectories: c.RL.KeepTrajectories},
		Seed: uint64(j.seed), EvalSeed: c.evalSeed(), Train: x.f.train, Eval: x.f.test,
		Roller: &harness.Roller{Suite: x.f.suite, Policy: pol, Codec: codec,
			Limits:      harness.Limits{MaxTurns: c.RL.MaxTurns, MaxTokensPerTurn: c.RL.MaxTokensPerTurn, MaxContext: c.RL.MaxContext},
			Temperature: c.RL.Temperature, Rewards: harness.DefaultRewards()},
		EvalSampling: harness.Sampling{Temperature: c.RL.EvalTemperature},
		Policy:       pol,
		Ref:          m.Frozen(),
		Algorithm:    a,
	}
	if cu, ok := a.(algorithms.CriticUser); ok && cu.NeedsCritic() {
		if tr.Critic, err = x.o.Models.Critic(m, uint64(j.seed), opts); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// codec renders the runs' contexts: a run from a checkpoint uses its
// start's chat template (harness.NewCodec: the checkpoint's, which a warm
// start made from it carries too); every other run ChatCodec.
func (x *runner) codec() (harness.Codec, error) {
	if x.f.cfg.Model.Checkpoint == "" {
		return harness.ChatCodec{Tok: x.ws.Tokenizer}, nil
	}
	codec, err := harness.NewCodec(x.ws.Dir, x.ws.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("model.checkpoint: %w", err)
	}
	return codec, nil
}

// generateOnServers makes the options' servers the trainer's generator,
// when there are any; a run's weights go under WeightsDir in the run
// directories' layout, so runs never share a directory.
func (x *runner) generateOnServers(ctx context.Context, tr *harness.Trainer, j job) error {
	if x.o.Servers == nil {
		return nil
	}
	so := *x.o.Servers
	if x.o.ServerMembers != nil {
		members, err := x.o.ServerMembers(ctx, x.ws.Dir)
		if err != nil {
			return err
		}
		so.Members = members
	}
	servers, err := harness.NewServers(ctx, so)
	if err != nil {
		return err
	}
	tr.Roller.Policy = servers
	if x.o.WeightsDir != "" {
		tr.WeightsDir = j.id.Dir(x.o.WeightsDir)
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
	// How many runs train at once, which other budgets the suite runs and
	// the question it asks do not change a run: they stay out of its
	// configuration.
	c.Parallel, c.Budgets, c.Question = 0, nil, ""
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

func hasBFCLData(dataDir string) bool {
	if dataDir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dataDir, "bfcl_v4", "splits.json"))
	return err == nil
}

// evaluateReference runs the trained policy on the BFCL reference test
// split with the suite's limits.
func evaluateReference(ctx context.Context, c SuiteConfig, tr *harness.Trainer, dataDir string) (metrics.Eval, error) {
	suite, tasks, err := referenceTasks(dataDir)
	if err != nil {
		return metrics.Eval{}, err
	}
	roller := *tr.Roller
	roller.Suite = suite
	return harness.Evaluate(ctx, &roller, harness.Sampling{Temperature: c.RL.EvalTemperature}, tasks,
		c.RL.EvalSamples, 0xe7a1)
}

func formatAggregates(d metrics.Data) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.3f", k, d[k])
	}
	return strings.Join(parts, ", ")
}
