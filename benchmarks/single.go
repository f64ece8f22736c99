package benchmarks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/remote"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// TrainSpec names one run of a suite.
type TrainSpec struct {
	// Family is the task family: bfcl_gen, or appworld when the suite
	// enables it ("": bfcl_gen).
	Family    string
	Algorithm string
	Seed      int
	// Resume continues the run from its last checkpoint (and starts it
	// when there is none).
	Resume bool
}

// EvalSpec names what an evaluation samples: a split of a task family of
// the suite (see Evaluate) and the samples per task (k).
type EvalSpec struct {
	Family  string // as TrainSpec's
	Split   string
	Samples int
}

// TrainOne trains one algorithm with one seed on a task family of a
// suite; the family's warm start is reused or made first. With Resume, it
// continues the run from its last checkpoint: the same random numbers, the
// same metrics and weights as a run that was never stopped.
func TrainOne(ctx context.Context, c SuiteConfig, spec TrainSpec, o RunOptions) (RunResult, error) {
	if err := c.Validate(); err != nil {
		return RunResult{}, err
	}
	if _, err := algorithms.Lookup(spec.Algorithm); err != nil {
		return RunResult{}, fmt.Errorf("--algo: %w", err)
	}
	if _, err := o.models(); err != nil {
		return RunResult{}, err
	}
	f, err := openFamily(c, spec.Family, o)
	if err != nil {
		return RunResult{}, err
	}
	defer f.Close()
	if err := checkPlan(f, o); err != nil {
		return RunResult{}, err
	}
	ws, err := prepareWarmStart(ctx, f, o)
	if err != nil {
		return RunResult{}, err
	}
	x := &runner{f: f, ws: ws, o: o}
	return x.train(ctx, spec.Algorithm, spec.Seed, spec.Resume)
}

// Evaluation splits of EvaluatePolicy besides the generated train and test.
const SplitReference = "reference"

// EvaluatePolicy evaluates a model directory (a checkpoint's policy or a
// warm start) on a split of a task family of the suite: train and test
// are the family's training and evaluation tasks; reference is the BFCL
// reference test split (multi_turn_base_100…199, which needs the BFCL data
// in dataDir); AppWorld's own splits (dev, test_normal, test_challenge)
// name themselves.
func EvaluatePolicy(ctx context.Context, c SuiteConfig, modelDir string, spec EvalSpec, o RunOptions) (metrics.Eval, error) {
	return Evaluate(ctx, c, PolicySource{ModelDir: modelDir}, spec, o)
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

// policy opens the source as a generator with its chat codec: the model
// directory's chat template when it has one other than the project's
// ChatML (harness.NewCodec; for a remote policy, the directory of
// ModelDir, else of its tokenizer.json), as the run that trained it used.
func (s PolicySource) policy(o RunOptions) (harness.Generator, harness.Codec, error) {
	if s.Remote == nil {
		mf, err := o.models()
		if err != nil {
			return nil, nil, err
		}
		m, tok, err := mf.LoadDir(s.ModelDir, transformer.Options{})
		if err != nil {
			return nil, nil, err
		}
		codec, err := harness.NewCodec(s.ModelDir, tok)
		if err != nil {
			return nil, nil, err
		}
		return &harness.NativePolicy{Model: m, Tok: tok}, codec, nil
	}
	if s.Tokenizer == "" {
		return nil, nil, fmt.Errorf("a remote policy in token mode needs the served model's tokenizer.json (--tokenizer)")
	}
	tok, err := tokenizer.Load(s.Tokenizer)
	if err != nil {
		return nil, nil, fmt.Errorf("--tokenizer: %w", err)
	}
	dir := s.ModelDir
	if dir == "" {
		dir = filepath.Dir(s.Tokenizer)
	}
	codec, err := harness.NewCodec(dir, tok)
	if err != nil {
		return nil, nil, err
	}
	return &harness.RemotePolicy{Client: s.Remote}, codec, nil
}

// Evaluate evaluates a policy source on a split of a task family of the
// suite, as EvaluatePolicy does: with the same seeds, a server over the
// same weights gives the same samples as the model in process.
func Evaluate(ctx context.Context, c SuiteConfig, src PolicySource, spec EvalSpec, o RunOptions) (metrics.Eval, error) {
	var suite env.Suite
	var tasks []env.Task
	split := spec.Split
	f, err := openFamily(c, spec.Family, o)
	if err != nil {
		return metrics.Eval{}, err
	}
	defer f.Close()
	c = f.cfg
	if split == SplitReference && f.name == bfcl.GeneratedSuiteName {
		if suite, tasks, err = referenceTasks(o.DataDir); err != nil {
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
	ev, err := harness.Evaluate(ctx, roller, harness.Sampling{Temperature: c.RL.EvalTemperature}, tasks, spec.Samples, 0xe7a1)
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
