package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// echoSuite: the user says a word; the episode succeeds when the reply is
// that word. Two turns: the second user turn asks for the word again.
type echoSuite struct{}

var echoWords = []string{"apple", "river", "stone", "cloud", "maple", "tiger"}

func (echoSuite) Name() string     { return "echo" }
func (echoSuite) Splits() []string { return []string{"train", "test"} }
func (echoSuite) Tasks(split string) ([]env.Task, error) {
	var out []env.Task
	for _, w := range echoWords {
		out = append(out, env.Task{ID: w, Group: w, Suite: "echo", Split: split})
	}
	return out, nil
}
func (echoSuite) NewEnv(context.Context) (env.Env, error) { return &echoEnv{}, nil }

type echoEnv struct {
	word    string
	turn    int
	correct int
}

func (e *echoEnv) Reset(_ context.Context, t env.Task) ([]env.Message, error) {
	e.word = t.ID
	return []env.Message{{Role: "system", Content: "Repeat the word."}, {Role: "user", Content: t.ID}}, nil
}

func (e *echoEnv) Step(_ context.Context, action string) (env.StepResult, error) {
	e.turn++
	if strings.TrimSpace(action) == e.word {
		e.correct++
	}
	if e.turn >= 2 {
		return env.StepResult{Done: true}, nil
	}
	return env.StepResult{Messages: []env.Message{{Role: "user", Content: "again"}}}, nil
}

func (e *echoEnv) Evaluate(context.Context) (env.Evaluation, error) {
	return env.Evaluation{Success: e.correct == 2, Passed: e.correct, Total: 2}, nil
}
func (e *echoEnv) Close() error { return nil }

// toyTokenizer is trained on the words and the chat scaffolding.
func toyTokenizer(t testing.TB) *tokenizer.Tokenizer {
	corpus := []string{"system\nRepeat the word.", "user\nagain", "assistant\n"}
	for _, w := range echoWords {
		corpus = append(corpus, "user\n"+w, w, w+"\n")
	}
	tok, err := tokenizer.Train(corpus, 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// newToyModel builds the tiny preset deterministically from seed.
func newToyModel(t testing.TB, seed uint64, valueHead bool) *transformer.Model {
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.CPU(1).New(cfg, seed, transformer.Options{ValueHead: valueHead})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// toyTrainer assembles a trainer over the echo suite in dir. A nil model
// means a fresh one from the fixed seed.
func toyTrainer(t testing.TB, algo string, dir string, steps int, m *transformer.Model, critic *transformer.Model) *Trainer {
	tok := toyTokenizer(t)
	if m == nil {
		m = newToyModel(t, 11, false)
	}
	settings, err := algorithms.Defaults(algo)
	if err != nil {
		t.Fatal(err)
	}
	a, err := algorithms.New(algo, settings)
	if err != nil {
		t.Fatal(err)
	}
	run, err := metrics.OpenRun(dir, metrics.ID{Experiment: "test", Suite: "echo", Algorithm: algo, Seed: 1}, metrics.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	pol := &NativePolicy{Model: m, Tok: tok}
	tasks, _ := echoSuite{}.Tasks("train")
	tr := &Trainer{
		Schedule: Schedule{Steps: steps, TasksPerStep: 2, GroupSize: 2, EvalEvery: 2, EvalSamples: 2,
			CheckpointEvery: 2, KeepTrajectories: 1},
		Seed: 5, Train: tasks, Eval: tasks[:2],
		Roller: &Roller{Suite: echoSuite{}, Policy: pol, Codec: ChatCodec{Tok: tok},
			Limits: Limits{MaxTurns: 3, MaxTokensPerTurn: 6, MaxContext: 200}, Temperature: 1, Rewards: DefaultRewards()},
		EvalSampling: Sampling{Temperature: 1},
		Policy:       pol,
		Ref:          newToyModel(t, 11, false).Frozen(),
		Algorithm:    a,
		Output:       run,
	}
	if cu, ok := a.(algorithms.CriticUser); ok && cu.NeedsCritic() {
		if critic == nil {
			critic = newToyModel(t, 12, true)
		}
		tr.Critic = critic
	}
	return tr
}

func TestOneStepOfEveryAlgorithmOnTheNativePolicy(t *testing.T) {
	for _, name := range algorithms.Names() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tr := toyTrainer(t, name, dir, 1, nil, nil)
			sum, err := tr.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if sum.Steps != 1 || sum.OptimizerSteps < 1 || sum.Tokens == 0 {
				t.Fatalf("summary = %+v", sum)
			}
			recs, problems, err := metrics.ReadMetrics(filepath.Join(tr.Output.Dir, metrics.FileMetrics))
			if err != nil || len(problems) > 0 || len(recs) != 1 {
				t.Fatalf("metrics: %v %v %d records", err, problems, len(recs))
			}
			for _, k := range []string{metrics.ScoreMean, metrics.ResponseLengthMean, metrics.NumTurnsMean,
				metrics.ActorGradNorm, metrics.TimingStep, metrics.PerfThroughput} {
				if _, ok := recs[0].Data[k]; !ok {
					t.Errorf("step metrics lack %s: %v", k, recs[0].Data)
				}
			}
			evals, _, _ := metrics.ReadEvals(filepath.Join(tr.Output.Dir, metrics.FileEval))
			if len(evals) != 2 || evals[0].Step != 0 || evals[1].Step != 1 {
				t.Fatalf("evaluations: %+v", evals)
			}
			if _, err := os.Stat(filepath.Join(tr.Output.Dir, "checkpoints", "step-1", policyDir, "model.safetensors")); err != nil {
				t.Errorf("no checkpoint: %v", err)
			}
		})
	}
}

// stopAfter cancels the context when the update of step n begins, as a
// kill would, so the step never completes.
type stopAfter struct {
	algorithms.Algorithm
	n, calls int
	cancel   func()
}

func (s *stopAfter) Update(ctx context.Context, m algorithms.Models, b *algorithms.Batch) (algorithms.Metrics, error) {
	s.calls++
	if s.calls == s.n {
		s.cancel()
		return nil, context.Canceled
	}
	return s.Algorithm.Update(ctx, m, b)
}

func TestResumeEqualsUninterruptedRun(t *testing.T) {
	const algo = "seeupo"
	// Uninterrupted: 4 steps.
	full := toyTrainer(t, algo, t.TempDir(), 4, nil, nil)
	full.Schedule.EvalEvery = 1
	if _, err := full.Run(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Interrupted during step 4: step 3 and its evaluation were logged
	// after the checkpoint of step 2, and must be dropped and redone.
	dir := t.TempDir()
	cut := toyTrainer(t, algo, dir, 4, nil, nil)
	cut.Schedule.EvalEvery = 1
	ctx, cancel := context.WithCancel(context.Background())
	cut.Algorithm = &stopAfter{Algorithm: cut.Algorithm, n: 4, cancel: cancel}
	if _, err := cut.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	cut.Output.Close()

	// Resume from the checkpoint of step 2.
	ckpt := filepath.Join(cut.Output.Dir, "checkpoints", "step-2")
	pDir, _ := CheckpointModels(ckpt)
	m, err := models.CPU(1).LoadCheckpoint(pDir)
	if err != nil {
		t.Fatal(err)
	}
	resumed := toyTrainer(t, algo, dir, 4, m, nil)
	resumed.Schedule.EvalEvery = 1
	if err := resumed.Resume(ckpt); err != nil {
		t.Fatal(err)
	}
	if _, err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}

	evA, _, _ := metrics.ReadEvals(filepath.Join(full.Output.Dir, metrics.FileEval))
	evB, _, _ := metrics.ReadEvals(filepath.Join(resumed.Output.Dir, metrics.FileEval))
	if !reflect.DeepEqual(evA, evB) || len(evA) != 5 {
		t.Fatalf("evaluations differ:\n%+v\n%+v", evA, evB)
	}
	a := stepMetrics(t, full.Output.Dir)
	b := stepMetrics(t, resumed.Output.Dir)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("metrics differ:\nuninterrupted %v\nresumed       %v", a, b)
	}
	wa, _ := full.Policy.(*NativePolicy).Weights()
	wb, _ := resumed.Policy.(*NativePolicy).Weights()
	if !reflect.DeepEqual(wa, wb) {
		t.Fatal("final weights differ")
	}
}

// stepMetrics reads metrics.jsonl without the wall-clock figures.
func stepMetrics(t *testing.T, dir string) []metrics.Record {
	recs, problems, err := metrics.ReadMetrics(filepath.Join(dir, metrics.FileMetrics))
	if err != nil || len(problems) > 0 {
		t.Fatalf("%v %v", err, problems)
	}
	for _, r := range recs {
		for k := range r.Data {
			if strings.HasPrefix(k, "timing_s/") || k == metrics.PerfThroughput {
				delete(r.Data, k)
			}
		}
	}
	return recs
}

var _ policy.Scorer = (*transformer.Model)(nil)
