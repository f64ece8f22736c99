package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/remote"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// TrainOne trains one algorithm with one seed on a task family of a suite
// (bfcl_gen, or appworld when the suite enables it; "" is bfcl_gen); the
// family's warm start is reused or made first. With resume, it continues
// the run from its last checkpoint: the same random numbers, the same
// metrics and weights as a run that was never stopped.
func TrainOne(ctx context.Context, c SuiteConfig, familyName, algo string, seed int, resume bool, o RunOptions) (RunResult, error) {
	if err := c.Validate(); err != nil {
		return RunResult{}, err
	}
	if _, err := algorithms.Lookup(algo); err != nil {
		return RunResult{}, fmt.Errorf("--algo: %w", err)
	}
	f, err := openFamily(c, familyName, o)
	if err != nil {
		return RunResult{}, err
	}
	defer f.Close()
	be, err := o.backend()
	if err != nil {
		return RunResult{}, err
	}
	ws, err := prepareWarmStart(ctx, f, be, o.Out, o.Log)
	if err != nil {
		return RunResult{}, err
	}
	if !resume {
		return runLLM(ctx, f, ws, be, algo, seed, o)
	}
	return resumeLLM(ctx, f, ws, be, algo, seed, o)
}

// resumeLLM continues a run from its newest checkpoint.
func resumeLLM(ctx context.Context, f *family, ws *WarmStart, be kernels.Backend, algo string, seed int, o RunOptions) (RunResult, error) {
	c := f.cfg
	id := metrics.ID{Experiment: c.Experiment, Suite: f.name, Algorithm: algo, Seed: seed}
	r := RunResult{Algorithm: algo, Seed: seed, Dir: id.Dir(o.Out)}
	settings, cfgYAML, err := runSettings(c, algo, seed, o)
	if err != nil {
		return r, err
	}
	sel, err := metrics.SelectCheckpoint(r.Dir)
	for _, note := range sel.Notes {
		logf(o.Log, "%s %s seed %d: resume: %s", f.name, algo, seed, note)
	}
	if err != nil {
		return r, fmt.Errorf("resume: %w", err)
	}
	if sel.Dir == "" {
		// A scheduler restarting a job passes the same flags every time:
		// with nothing to resume, the run starts.
		logf(o.Log, "%s %s seed %d: resume: no checkpoint in %s yet; starting the run", f.name, algo, seed, r.Dir)
		return runLLM(ctx, f, ws, be, algo, seed, o)
	}
	meta, err := metrics.ReadMeta(r.Dir)
	if err == nil && meta.ConfigSHA256 != metrics.ConfigDigest(cfgYAML) {
		return r, fmt.Errorf("resume: %s was started with another configuration (config.yaml differs)", r.Dir)
	}
	ckpt := sel.Dir
	tr, err := newTrainer(f, ws, be, algo, seed, settings)
	if err != nil {
		return r, err
	}
	pDir, cDir := harness.CheckpointModels(ckpt)
	m, err := transformer.LoadCheckpoint(pDir, be)
	if err != nil {
		return r, err
	}
	tr.Policy.(*harness.NativePolicy).Model = m // the roller's policy too, unless it generates on servers
	if err := generateOnServers(ctx, tr, id, o); err != nil {
		return r, err
	}
	if tr.Critic != nil {
		if tr.Critic, err = transformer.LoadCheckpoint(cDir, be); err != nil {
			return r, err
		}
	}
	run, err := metrics.OpenRun(o.Out, id, runMeta(o, settings))
	if err != nil {
		return r, err
	}
	defer run.Close()
	tr.Output, tr.Progress, tr.Log = run, o.Log, o.Log
	if err := tr.Resume(ckpt); err != nil {
		return r, err
	}
	logf(o.Log, "%s %s seed %d: resuming from step %d: %s (verified against its %s)", f.name, algo, seed,
		sel.Step, ckpt, metrics.ManifestFile)
	return finishRun(ctx, f, tr, run, r, o)
}

// finishRun trains to the end, evaluates on the reference split when the
// suite asks for it and the data is there, and writes the summary.
func finishRun(ctx context.Context, f *family, tr *harness.Trainer, run *metrics.Run, r RunResult, o RunOptions) (RunResult, error) {
	c := f.cfg
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
	if f.name == bfcl.GeneratedSuiteName && c.Reference && hasBFCLData(o.DataDir) {
		ref, err := evaluateReference(ctx, c, tr, o.DataDir)
		if err != nil {
			return r, err
		}
		for k, v := range ref.Aggregates {
			sum.Figures[metrics.EvalMetric(SplitReference+"/"+k)] = v
		}
		logf(o.Log, "%s seed %d: reference split %s", r.Algorithm, r.Seed, formatAggregates(ref.Aggregates))
	}
	r.Summary = sum
	return r, run.Finish(sum)
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

// Evaluation splits of EvaluatePolicy besides the generated train and test.
const SplitReference = "reference"

// EvaluatePolicy evaluates a model directory (a checkpoint's policy or a
// warm start) on a split of a task family of the suite: train and test
// are the family's training and evaluation tasks; reference is the BFCL
// reference test split (multi_turn_base_100…199, which needs the BFCL data
// in dataDir); AppWorld's own splits (dev, test_normal, test_challenge)
// name themselves.
func EvaluatePolicy(ctx context.Context, c SuiteConfig, familyName, modelDir, split, dataDir string, samples int, o RunOptions) (metrics.Eval, error) {
	return Evaluate(ctx, c, familyName, PolicySource{ModelDir: modelDir}, split, dataDir, samples, o)
}

// PolicySource is the policy an evaluation samples from: a model directory
// in process, or an OpenAI-compatible server in token mode (Remote), whose
// contexts are rendered with the tokenizer at Tokenizer.
type PolicySource struct {
	ModelDir  string
	Remote    *remote.Client
	Tokenizer string // tokenizer.json of the served model (Remote only)
	// Tasks keeps the split's first Tasks tasks (0: all).
	Tasks int
}

// policy opens the source as a generator with its chat codec.
func (s PolicySource) policy(o RunOptions) (harness.Generator, harness.Codec, error) {
	if s.Remote == nil {
		be, err := o.backend()
		if err != nil {
			return nil, nil, err
		}
		pol, err := LoadPolicy(s.ModelDir, be)
		if err != nil {
			return nil, nil, err
		}
		return pol, harness.ChatCodec{Tok: pol.Tok}, nil
	}
	if s.Tokenizer == "" {
		return nil, nil, fmt.Errorf("a remote policy in token mode needs the served model's tokenizer.json (--tokenizer)")
	}
	tok, err := tokenizer.Load(s.Tokenizer)
	if err != nil {
		return nil, nil, fmt.Errorf("--tokenizer: %w", err)
	}
	return &harness.RemotePolicy{Client: s.Remote}, harness.ChatCodec{Tok: tok}, nil
}

// Evaluate evaluates a policy source on a split of a task family of the
// suite, as EvaluatePolicy does: with the same seeds, a server over the
// same weights gives the same samples as the model in process.
func Evaluate(ctx context.Context, c SuiteConfig, familyName string, src PolicySource, split, dataDir string, samples int, o RunOptions) (metrics.Eval, error) {
	var suite env.Suite
	var tasks []env.Task
	f, err := openFamily(c, familyName, o)
	if err != nil {
		return metrics.Eval{}, err
	}
	defer f.Close()
	c = f.cfg
	if split == SplitReference && f.name == bfcl.GeneratedSuiteName {
		if suite, tasks, err = referenceTasks(dataDir); err != nil {
			return metrics.Eval{}, err
		}
	} else {
		if tasks, err = f.tasks(split); err != nil {
			if f.name == bfcl.GeneratedSuiteName {
				err = fmt.Errorf("split: %w (or %s)", err, SplitReference)
			}
			return metrics.Eval{}, err
		}
		suite = f.suite
	}
	if src.Tasks > 0 && src.Tasks < len(tasks) {
		tasks = tasks[:src.Tasks]
	}
	pol, codec, err := src.policy(o)
	if err != nil {
		return metrics.Eval{}, err
	}
	roller := &harness.Roller{Suite: suite, Policy: pol, Codec: codec,
		Limits:  harness.Limits{MaxTurns: c.RL.MaxTurns, MaxTokensPerTurn: c.RL.MaxTokensPerTurn, MaxContext: c.RL.MaxContext},
		Rewards: harness.DefaultRewards()}
	ev, err := harness.Evaluate(ctx, roller, harness.Sampling{Temperature: c.RL.EvalTemperature}, tasks, samples, 0xe7a1)
	ev.Split = split
	return ev, err
}

// referenceTasks opens the BFCL suite on the reference test split of
// multi_turn_base, with the compact prompt the trained models know.
func referenceTasks(dataDir string) (env.Suite, []env.Task, error) {
	return referenceTasksForm(dataDir, bfcl.PromptCompact)
}

// referenceTasksForm opens the reference split with a prompt form.
func referenceTasksForm(dataDir, prompt string) (env.Suite, []env.Task, error) {
	dir := filepath.Join(dataDir, "bfcl_v4")
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("split %s needs the BFCL v4 data, not found at %s: set data_dir (--data-dir or SEEUPO_DATA) or run `seeupo data fetch bfcl --dest %s`",
			SplitReference, dir, dir)
	}
	s, err := env.Open(bfcl.SuiteName, env.Options{DataDir: dataDir,
		Params: map[string]string{"category": "base", "prompt": prompt}})
	if err != nil {
		return nil, nil, err
	}
	tasks, err := s.Tasks(bfcl.SplitTest)
	return s, tasks, err
}
