package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/harness/progress"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/transformer"
)

// Schedule says how long a run trains and how often it evaluates,
// checkpoints and keeps sample trajectories.
type Schedule struct {
	Steps            int // training steps
	TasksPerStep     int // B
	GroupSize        int // G rollouts per task
	EvalEvery        int // 0: only at the start and the end
	EvalSamples      int // k of avg@k and pass@k
	EvalTasks        int // held-out tasks per evaluation (0: all)
	CheckpointEvery  int // 0: only at the end
	KeepTrajectories int // trajectories saved per step (0: none)
}

// Validate names the first bad field.
func (s Schedule) Validate() error {
	checks := []struct {
		name string
		v    int
		min  int
	}{{"steps", s.Steps, 0}, {"tasks_per_step", s.TasksPerStep, 1}, {"group_size", s.GroupSize, 1},
		{"eval_every", s.EvalEvery, 0}, {"eval_samples", s.EvalSamples, 1}, {"eval_tasks", s.EvalTasks, 0},
		{"checkpoint_every", s.CheckpointEvery, 0}, {"keep_trajectories", s.KeepTrajectories, 0}}
	for _, c := range checks {
		if c.v < c.min {
			return fmt.Errorf("train.%s must be an integer >= %d, got %d", c.name, c.min, c.v)
		}
	}
	return nil
}

// Checkpointer is a model that can save everything needed to resume.
type Checkpointer interface {
	SaveCheckpoint(dir string) error
}

// WeightsSaver is a policy that saves its weights alone as a model
// directory (config, weights, tokenizer; no optimiser state).
type WeightsSaver interface {
	SaveWeights(dir string) error
}

// RemoteGenerator is a generator outside the process, on servers that hold
// their own copy of the weights (Servers). Used as the Roller's policy, it
// is given the trained policy's weights before the first rollout and after
// every update, and its figures go into each step's metrics.
type RemoteGenerator interface {
	Generator
	// LoadWeights makes the servers generate with the weights of a model
	// directory.
	LoadWeights(ctx context.Context, dir string) error
	// ResetStats starts the counts of Stats afresh.
	ResetStats()
	// Stats are the figures since ResetStats (requests, failovers, …).
	Stats() metrics.Data
}

// BatchSource makes each training step's batch in place of the Roller's
// episodes. The theory suite's bandits are one: their batches are drawn
// from the policy's exact next-action probabilities with the suite's own
// random stream, or stratified by them, which no sampled rollout of the
// agent loop reproduces.
type BatchSource interface {
	// Batch is the batch of step (0-based).
	Batch(ctx context.Context, step int) (*algorithms.Batch, error)
}

// Probe measures the policy, before the first step of a fresh run (its
// figures logged as step 0) and after every update (logged with the
// step's metrics): the theory suite's exact objective J.
type Probe interface {
	Measure(ctx context.Context) (metrics.Data, error)
}

// Trainer runs the training loop of one run: sample B tasks, roll out G
// episodes each (or take the Source's batch), update, log, evaluate and
// checkpoint.
type Trainer struct {
	Schedule     Schedule
	Seed         uint64
	Train        []env.Task // training tasks
	Eval         []env.Task // held-out tasks
	Roller       *Roller    // its Policy: the trained policy's generator, or a RemoteGenerator kept in step with it
	EvalSampling Sampling   // sampling for evaluation
	// Policy is the trained policy; checkpoints need it to be a
	// Checkpointer, a RemoteGenerator a WeightsSaver or Checkpointer.
	Policy policy.Trainable
	Ref    policy.Scorer
	// Critic is PPO's value model (nil for the others); checkpoints need it
	// to be a Checkpointer.
	Critic    policy.ValueModel
	Algorithm algorithms.Algorithm
	Output    *metrics.Run // the run directory (nil: nothing is written)
	// Source, when set, makes every step's batch; Train and Roller are
	// then unused, and a step logs the update's and the Probe's figures
	// only (no rollout, timing or throughput figures of its own).
	Source BatchSource
	// Probe, when set, measures the policy before the first step and after
	// every update.
	Probe Probe
	// NoCheckpoints: the run is never checkpointed and starts over when
	// interrupted (the theory suite's runs, seconds long, of policies that
	// do not save themselves).
	NoCheckpoints bool
	// Progress receives the progress bar (nil: none).
	Progress io.Writer
	// Log receives one line per notable event (nil: none).
	Log io.Writer
	// EvalSeed seeds the evaluation samples (0: derived from Seed). Runs
	// that share it are evaluated on the same samples, which pairs their
	// comparison.
	EvalSeed uint64
	// InitialEval, when set, is logged as the step-0 evaluation instead of
	// being computed: runs that start from one warm start with one
	// EvalSeed share it.
	InitialEval *metrics.Eval
	// WeightsDir is where the weights for a RemoteGenerator are saved, one
	// directory per step, of which the newest is kept (empty: weights/ in
	// the run directory). The servers must read it at the same path.
	WeightsDir string

	rng   *rand.Rand
	pcg   *rand.PCG
	start int    // first step to run (after a resume)
	total totals // of every step run so far, earlier segments included
}

// totals are the run's counts up to a step, kept in checkpoints so that the
// summary of a resumed run counts every segment.
type totals struct {
	OptimizerSteps int64   `json:"optimizer_steps"`
	Tokens         int64   `json:"tokens"`
	WallClockS     float64 `json:"wall_clock_s"` // training time up to the checkpoint
}

// Sampling are generation settings.
type Sampling struct {
	Temperature float64
	TopP        float64
	TopK        int
}

// trainerState is what a checkpoint holds besides the models.
type trainerState struct {
	Step int    `json:"step"` // steps done (the checkpoint's step)
	RNG  []byte `json:"rng"`
	totals
}

const (
	policyDir        = "policy"
	criticDir        = "critic"
	trainerStateFile = "trainer.json"
	weightsDir       = "weights"
)

// init prepares the task sampler; Resume replaces its state.
func (t *Trainer) init() {
	if t.pcg == nil {
		t.pcg = rand.NewPCG(t.Seed, 0x7a5c)
		t.rng = rand.New(t.pcg)
	}
}

// Resume continues from the checkpoint in dir, taken at the end of a step:
// the task sampler's state, the step cursor and the run's totals are
// restored (the models were loaded from the same directory by the caller,
// see CheckpointModels), and the run's metrics and evaluations logged
// after that step are dropped. trainer.json must agree with the
// checkpoint's manifest and with the policy's optimiser step count.
func (t *Trainer) Resume(dir string) error {
	t.init()
	st, err := t.readTrainerState(dir)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if err := t.pcg.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("resume: %s: rng: %w", filepath.Join(dir, trainerStateFile), err)
	}
	t.start, t.total = st.Step, st.totals
	if t.Output == nil {
		return nil
	}
	if err := t.Output.Metrics.TruncateAfter(int64(st.Step)); err != nil {
		return err
	}
	return truncateEvals(t.Output, int64(st.Step))
}

// readTrainerState reads trainer.json and checks it against the manifest,
// the schedule and the policy's own optimiser state.
func (t *Trainer) readTrainerState(dir string) (trainerState, error) {
	var st trainerState
	path := filepath.Join(dir, trainerStateFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	man, err := metrics.ReadManifest(dir)
	if err != nil {
		return st, err
	}
	switch {
	case st.Step < 1:
		return st, fmt.Errorf("%s: step %d is not a positive step", path, st.Step)
	case int64(st.Step) != man.Step:
		return st, fmt.Errorf("%s: step %d disagrees with %s (step %d)", path, st.Step, metrics.ManifestFile, man.Step)
	case st.Step > t.Schedule.Steps:
		return st, fmt.Errorf("%s: step %d is beyond the run's %d steps", path, st.Step, t.Schedule.Steps)
	case st.OptimizerSteps < 0 || st.Tokens < 0:
		return st, fmt.Errorf("%s: optimizer_steps %d and tokens %d must not be negative", path, st.OptimizerSteps, st.Tokens)
	}
	return st, checkPolicySteps(dir, st)
}

// checkPolicySteps compares trainer.json's optimiser step count with the
// one the native policy's checkpoint keeps beside its weights (other
// policies keep none).
func checkPolicySteps(dir string, st trainerState) error {
	pDir, _ := CheckpointModels(dir)
	path := filepath.Join(pDir, transformer.TrainStateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var ps struct {
		Step *int64 `json:"step"`
	}
	if err := json.Unmarshal(b, &ps); err != nil || ps.Step == nil {
		return fmt.Errorf("%s: no optimiser step count (%v)", path, err)
	}
	if *ps.Step != st.OptimizerSteps {
		return fmt.Errorf("%s: optimizer_steps %d disagrees with the policy's weights, which were saved after %d optimiser steps (%s)",
			filepath.Join(dir, trainerStateFile), st.OptimizerSteps, *ps.Step, path)
	}
	return nil
}

// truncateEvals drops evaluations logged after step (by a run killed
// before its next checkpoint), so the resumed run logs them once.
func truncateEvals(run *metrics.Run, step int64) error {
	path := run.Evals.Path()
	evals, problems, err := metrics.ReadEvals(path)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: the log is damaged (a crash can tear only its last line); repair or remove that line", problems[0])
	}
	keep := evals[:0]
	for _, ev := range evals {
		if ev.Step <= step {
			keep = append(keep, ev)
		}
	}
	if len(keep) == len(evals) {
		return nil
	}
	if err := run.Evals.Close(); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	w, err := metrics.OpenJSONL(tmp)
	if err != nil {
		return err
	}
	for _, ev := range keep {
		if err := w.Write(ev); err != nil {
			w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	run.Evals, err = metrics.OpenJSONL(path)
	return err
}

// CheckpointModels are the model directories inside a checkpoint.
func CheckpointModels(dir string) (policyCkpt, criticCkpt string) {
	return filepath.Join(dir, policyDir), filepath.Join(dir, criticDir)
}

// Run trains until Schedule.Steps; it evaluates before the first step of
// a fresh run, every EvalEvery steps and at the end.
func (t *Trainer) Run(ctx context.Context) (metrics.Summary, error) {
	t.init()
	if err := t.Schedule.Validate(); err != nil {
		return metrics.Summary{}, err
	}
	if err := t.check(); err != nil {
		return metrics.Summary{}, err
	}
	sum := metrics.Summary{Status: metrics.StatusRunning}
	began, before := time.Now(), t.total.WallClockS
	if err := t.pushWeights(ctx, t.start); err != nil {
		return sum, fmt.Errorf("before step %d: %w", t.start+1, err)
	}
	if t.start == 0 {
		if err := t.initialEvaluation(ctx); err != nil {
			return sum, err
		}
		if err := t.initialProbe(ctx); err != nil {
			return sum, err
		}
	}
	var bar *progress.Bar
	if t.Progress != nil {
		bar = progress.New(t.Progress, "train "+t.Algorithm.Name(), t.Schedule.Steps-t.start)
	}
	for step := t.start; step < t.Schedule.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("before step %d: %w", step+1, err)
		}
		data, err := t.step(ctx, step)
		if err != nil {
			return sum, fmt.Errorf("step %d: %w", step+1, err)
		}
		t.total.OptimizerSteps += int64(data[metrics.PerfOptimizerSteps])
		t.total.Tokens += int64(data[metrics.PerfTotalTokens])
		sum.OptimizerSteps, sum.Tokens = t.total.OptimizerSteps, t.total.Tokens
		done := step + 1
		if t.Schedule.EvalEvery > 0 && done%t.Schedule.EvalEvery == 0 || done == t.Schedule.Steps {
			if err := t.evaluate(ctx, done); err != nil {
				return sum, err
			}
		}
		if !t.NoCheckpoints && (t.Schedule.CheckpointEvery > 0 && done%t.Schedule.CheckpointEvery == 0 || done == t.Schedule.Steps) {
			t.total.WallClockS = before + time.Since(began).Seconds()
			if err := t.checkpoint(done); err != nil {
				return sum, err
			}
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	sum.OptimizerSteps, sum.Tokens = t.total.OptimizerSteps, t.total.Tokens
	sum.Status, sum.Steps, sum.WallClockS = metrics.StatusCompleted, int64(t.Schedule.Steps), before+time.Since(began).Seconds()
	return sum, nil
}

// check names what the trainer lacks for the run it is set up for.
func (t *Trainer) check() error {
	if t.Source == nil && len(t.Train) == 0 {
		return errors.New("no training tasks")
	}
	if t.Source == nil && t.Roller == nil {
		return errors.New("no agent loop (Roller) and no batch source")
	}
	if t.NoCheckpoints {
		return nil
	}
	if t.Output == nil {
		return errors.New("checkpoints need a run directory (Output), or set NoCheckpoints")
	}
	if _, ok := t.Policy.(Checkpointer); !ok {
		return fmt.Errorf("the policy (%T) cannot save a checkpoint; set NoCheckpoints", t.Policy)
	}
	if _, ok := t.Critic.(Checkpointer); t.Critic != nil && !ok {
		return fmt.Errorf("the critic (%T) cannot save a checkpoint; set NoCheckpoints", t.Critic)
	}
	return nil
}

// initialProbe logs the Probe's figures of the policy before any update
// as step 0.
func (t *Trainer) initialProbe(ctx context.Context) error {
	if t.Probe == nil {
		return nil
	}
	data, err := t.Probe.Measure(ctx)
	if err != nil {
		return fmt.Errorf("before step 1: %w", err)
	}
	return t.logStep(0, data)
}

// logStep appends a step's metrics to the run directory, if there is one.
func (t *Trainer) logStep(step int, data metrics.Data) error {
	if t.Output == nil {
		return nil
	}
	return t.Output.LogStep(int64(step), data)
}

// step runs one training step and logs its metrics.
func (t *Trainer) step(ctx context.Context, step int) (metrics.Data, error) {
	if t.Source != nil {
		return t.sourceStep(ctx, step)
	}
	t0 := time.Now()
	eps := t.episodes(step)
	rg, remote := t.Roller.Policy.(RemoteGenerator)
	if remote {
		rg.ResetStats()
	}
	trajs, err := t.Roller.Run(env.WithEpisodeLabel(ctx, env.EpisodeLabel{Run: t.runLabel("train"), Step: step}), eps)
	if err != nil {
		return nil, err
	}
	tRoll := time.Since(t0).Seconds()
	data := metrics.Data{}
	if remote {
		data = rg.Stats()
	}
	batch, err := ToBatch(trajs)
	if err != nil {
		return nil, err
	}
	batch.TurnLimit = t.Roller.Limits.MaxTurns
	t1 := time.Now()
	m, err := t.Algorithm.Update(ctx, algorithms.Models{Policy: t.Policy, Ref: t.Ref, Critic: t.Critic}, batch)
	if err != nil {
		return nil, fmt.Errorf("%s update: %w", t.Algorithm.Name(), err)
	}
	data[metrics.TimingUpdateActor] = time.Since(t1).Seconds()
	if remote {
		t2 := time.Now()
		if err := t.pushWeights(ctx, step+1); err != nil {
			return nil, err
		}
		data[metrics.TimingPushWeights] = time.Since(t2).Seconds()
	}
	for k, v := range m {
		data[k] = v
	}
	for k, v := range RolloutMetrics(trajs) {
		data[k] = v
	}
	data[metrics.TimingGen] = tRoll
	data[metrics.TimingStep] = time.Since(t0).Seconds()
	if s := data[metrics.TimingStep]; s > 0 {
		data[metrics.PerfThroughput] = data[metrics.PerfTotalTokens] / s
	}
	if err := t.probe(ctx, data); err != nil {
		return nil, err
	}
	if err := t.keepTrajectories(step+1, trajs); err != nil {
		return nil, err
	}
	return data, t.logStep(step+1, data)
}

// sourceStep runs one training step on the Source's batch and logs the
// update's and the Probe's figures.
func (t *Trainer) sourceStep(ctx context.Context, step int) (metrics.Data, error) {
	batch, err := t.Source.Batch(ctx, step)
	if err != nil {
		return nil, err
	}
	m, err := t.Algorithm.Update(ctx, algorithms.Models{Policy: t.Policy, Ref: t.Ref, Critic: t.Critic}, batch)
	if err != nil {
		return nil, fmt.Errorf("%s update: %w", t.Algorithm.Name(), err)
	}
	data := metrics.Data{}
	for k, v := range m {
		data[k] = v
	}
	if err := t.probe(ctx, data); err != nil {
		return nil, err
	}
	return data, t.logStep(step+1, data)
}

// probe adds the Probe's figures of the updated policy to data.
func (t *Trainer) probe(ctx context.Context, data metrics.Data) error {
	if t.Probe == nil {
		return nil
	}
	m, err := t.Probe.Measure(ctx)
	if err != nil {
		return err
	}
	for k, v := range m {
		data[k] = v
	}
	return nil
}

// pushWeights saves the policy's weights after done steps and loads them
// into the remote generator, when the roller has one; the directory of the
// previous push is removed once the servers hold the new weights.
func (t *Trainer) pushWeights(ctx context.Context, done int) error {
	if t.Roller == nil {
		return nil
	}
	rg, ok := t.Roller.Policy.(RemoteGenerator)
	if !ok {
		return nil
	}
	root := t.WeightsDir
	if root == "" {
		if t.Output == nil {
			return errors.New("remote generation: no directory for the weights (set WeightsDir or Output)")
		}
		root = filepath.Join(t.Output.Dir, weightsDir)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, fmt.Sprintf("step-%d", done))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := saveWeights(t.Policy, dir); err != nil {
		return fmt.Errorf("saving the weights for the servers: %w", err)
	}
	if err := rg.LoadWeights(ctx, dir); err != nil {
		return err
	}
	return removeOtherSteps(root, dir)
}

// saveWeights saves the policy as a model directory, with its optimiser
// state when it cannot save the weights alone.
func saveWeights(p policy.Trainable, dir string) error {
	switch p := p.(type) {
	case WeightsSaver:
		return p.SaveWeights(dir)
	case Checkpointer:
		return p.SaveCheckpoint(dir)
	}
	return fmt.Errorf("the policy (%T) cannot save its weights", p)
}

// removeOtherSteps removes the step-N directories in root but keep.
func removeOtherSteps(root, keep string) error {
	old, err := filepath.Glob(filepath.Join(root, "step-*"))
	if err != nil {
		return err
	}
	for _, d := range old {
		if d != keep {
			if err := os.RemoveAll(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// episodes samples B training tasks (with replacement) and makes G episodes
// of each; seeds are a pure function of the run seed, step and slot.
func (t *Trainer) episodes(step int) []Episode {
	s := t.Schedule
	eps := make([]Episode, 0, s.TasksPerStep*s.GroupSize)
	for b := 0; b < s.TasksPerStep; b++ {
		task := t.Train[t.rng.IntN(len(t.Train))]
		for g := 0; g < s.GroupSize; g++ {
			id := len(eps)
			eps = append(eps, Episode{ID: id, Group: b, Task: task,
				Seed: mixSeed(t.Seed, uint64(step), uint64(id))})
		}
	}
	return eps
}

// runLabel names the run's episodes of a phase ("train", "eval") in
// their environments' labels: a digest of the run directory, so that two
// runs differ and a resumed run keeps its names.
func (t *Trainer) runLabel(phase string) string {
	if t.Output == nil || t.Output.Dir == "" {
		return phase
	}
	dir, err := filepath.Abs(t.Output.Dir)
	if err != nil {
		dir = t.Output.Dir
	}
	h := sha256.Sum256([]byte(dir))
	return hex.EncodeToString(h[:4]) + "-" + phase
}

// mixSeed derives an independent 64-bit seed (splitmix64 finaliser).
func mixSeed(parts ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, p := range parts {
		h ^= p + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9
		h = (h ^ (h >> 27)) * 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}

// ToBatch converts rollouts into the algorithms' batch: one trajectory per
// episode, ids and groups as strings. Episodes lost to an infrastructure
// failure (InfraFailed) are left out, so they never enter their group's
// statistics as a failure reward; a group that lost every episode is left
// out whole. Other episodes that ended with an error (a cancelled rollout)
// keep their failure reward and turns. An episode without any turn cannot
// be trained on; it is an error only if no episode is left.
func ToBatch(trajs []Trajectory) (*algorithms.Batch, error) {
	b := &algorithms.Batch{}
	lost := 0
	for _, tr := range trajs {
		if tr.InfraFailed {
			lost++
			continue
		}
		if len(tr.Turns) == 0 {
			continue
		}
		at := algorithms.Trajectory{ID: strconv.Itoa(tr.ID), Group: strconv.Itoa(tr.Group), Reward: tr.Reward}
		for _, turn := range tr.Turns {
			at.Turns = append(at.Turns, algorithms.Turn{Context: turn.Context, Response: turn.Response,
				SamplerLogProbs: turn.LogProbs})
		}
		b.Trajectories = append(b.Trajectories, at)
	}
	if len(b.Trajectories) == 0 {
		return nil, fmt.Errorf("no episode produced a turn to train on (%d of %d lost to infrastructure failures%s)",
			lost, len(trajs), firstInfraError(trajs))
	}
	return b, b.Validate()
}

// firstInfraError is ": " and the first infrastructure failure's error, or "".
func firstInfraError(trajs []Trajectory) string {
	for _, tr := range trajs {
		if tr.InfraFailed {
			return ": " + tr.Err
		}
	}
	return ""
}

// RolloutMetrics summarises a step's rollouts in verl's names. Episodes
// lost to infrastructure failures count only in rollout/infra_failed_rate
// (lost / attempted); the other figures are over the episodes that ran.
// rollout/retokenize_mismatch (mismatched turns / turns compared) is there
// only when the episodes carry a Retokenization.
func RolloutMetrics(trajs []Trajectory) metrics.Data {
	var score, success, turns, respLen, garbled, lost, genS, envS float64
	var nTurns float64
	maxLen := 0.0
	retok, retokTurns, retokBad := false, 0.0, 0.0
	for _, tr := range trajs {
		if tr.InfraFailed {
			lost++
			continue
		}
		if tr.Retokenize != nil {
			retok = true
			retokTurns += float64(tr.Retokenize.Turns)
			retokBad += float64(tr.Retokenize.MismatchedTurns)
		}
		score += tr.Reward
		if tr.Evaluation.Success {
			success++
		}
		if tr.Garbled {
			garbled++
		}
		turns += float64(len(tr.Turns))
		for _, t := range tr.Turns {
			n := float64(len(t.Response))
			respLen += n
			maxLen = math.Max(maxLen, n)
			genS += t.GenSeconds
			envS += t.EnvSeconds
			nTurns++
		}
	}
	n := float64(len(trajs)) - lost
	d := metrics.Data{
		metrics.ScoreMean:              score / n,
		metrics.SuccessMean:            success / n,
		metrics.NumTurnsMean:           turns / n,
		"rollout/garbled_frac":         garbled / n,
		metrics.RolloutInfraFailedRate: lost / float64(len(trajs)),
	}
	if nTurns > 0 {
		d[metrics.ResponseLengthMean] = respLen / nTurns
		d[metrics.ResponseLengthMax] = maxLen
		d["timing_s/gen_per_turn"] = genS / nTurns
		d["timing_s/env_per_turn"] = envS / nTurns
	}
	if retok {
		d[metrics.RolloutRetokenizeMismatch] = 0
		if retokTurns > 0 {
			d[metrics.RolloutRetokenizeMismatch] = retokBad / retokTurns
		}
	}
	return d
}

// evaluate runs k samples of every held-out task and logs the evaluation.
func (t *Trainer) evaluate(ctx context.Context, step int) error {
	if len(t.Eval) == 0 {
		return nil
	}
	ev, err := t.Evaluation(env.WithEpisodeLabel(ctx, env.EpisodeLabel{Run: t.runLabel("eval"), Step: step}))
	if err != nil {
		return fmt.Errorf("evaluation at step %d: %w", step, err)
	}
	return t.logEval(ev, step)
}

// initialEvaluation logs the shared step-0 evaluation or computes it.
func (t *Trainer) initialEvaluation(ctx context.Context) error {
	if t.InitialEval != nil {
		return t.logEval(*t.InitialEval, 0)
	}
	return t.evaluate(ctx, 0)
}

// Evaluation runs the trainer's evaluation of the current policy: k
// samples of each held-out task with the evaluation seeds.
func (t *Trainer) Evaluation(ctx context.Context) (metrics.Eval, error) {
	seed := t.EvalSeed
	if seed == 0 {
		seed = mixSeed(t.Seed, 0xe7a1)
	}
	return Evaluate(ctx, t.Roller, t.EvalSampling, t.evalTasks(), t.Schedule.EvalSamples, seed)
}

// GreedyEvaluation evaluates the current policy greedily (temperature 0,
// one sample of each held-out task) with the evaluation seeds.
func (t *Trainer) GreedyEvaluation(ctx context.Context) (metrics.Eval, error) {
	seed := t.EvalSeed
	if seed == 0 {
		seed = mixSeed(t.Seed, 0xe7a1)
	}
	return Evaluate(ctx, t.Roller, Sampling{}, t.evalTasks(), 1, seed)
}

func (t *Trainer) logEval(ev metrics.Eval, step int) error {
	ev.Step = int64(step)
	if t.Log != nil {
		fmt.Fprintf(t.Log, "%s step %d: %s\n", t.Algorithm.Name(), step, EvalLine(ev))
	}
	if t.Output == nil {
		return nil
	}
	return t.Output.LogEval(ev)
}

// EvalLine is an evaluation's figures on one line: avg@k, pass@k, pass^k
// and, when some sample was lost, the infrastructure failure rate.
func EvalLine(ev metrics.Eval) string {
	line := fmt.Sprintf("%s %.3f %s %.3f %s %.3f", metrics.AvgAt(ev.K), ev.Aggregates[metrics.AvgAt(ev.K)],
		metrics.PassAt(ev.K), ev.Aggregates[metrics.PassAt(ev.K)], metrics.PassHat(ev.K), ev.Aggregates[metrics.PassHat(ev.K)])
	if rate := ev.Aggregates[metrics.AggInfraFailedRate]; rate > 0 {
		line += fmt.Sprintf(" (infra_failed_rate %.3f)", rate)
	}
	return line
}

func (t *Trainer) evalTasks() []env.Task {
	if n := t.Schedule.EvalTasks; n > 0 && n < len(t.Eval) {
		return t.Eval[:n]
	}
	return t.Eval
}

// Evaluate rolls out k samples of each task with the given sampling and the
// same seeds every time (so evaluations at different steps differ only by
// the policy) and aggregates them (metrics.Aggregate: avg@k, pass@k,
// pass^k, the mean reward). A sample lost to an infrastructure failure is
// left out of its task's samples and counted in infra_failed_rate.
func Evaluate(ctx context.Context, r *Roller, s Sampling, tasks []env.Task, k int, seed uint64) (metrics.Eval, error) {
	er := *r
	er.Temperature, er.TopP, er.TopK = s.Temperature, s.TopP, s.TopK
	eps := make([]Episode, 0, len(tasks)*k)
	for i, task := range tasks {
		for j := 0; j < k; j++ {
			eps = append(eps, Episode{ID: len(eps), Group: i, Task: task, Seed: mixSeed(seed, uint64(i), uint64(j))})
		}
	}
	trajs, err := er.Run(ctx, eps)
	if err != nil {
		return metrics.Eval{}, err
	}
	results := make([]metrics.TaskResult, len(tasks))
	for i, task := range tasks {
		results[i].Task, results[i].Group = task.ID, task.Group
		for j, tr := range trajs[i*k : (i+1)*k] {
			if tr.InfraFailed {
				results[i].InfraFailed = append(results[i].InfraFailed, j)
				continue
			}
			results[i].Success = append(results[i].Success, tr.Evaluation.Success)
			results[i].Reward = append(results[i].Reward, tr.Reward)
			results[i].FailedTurn = append(results[i].FailedTurn, tr.Evaluation.FailedTurn)
			results[i].Level = max(results[i].Level, tr.Evaluation.Level)
		}
		if !slices.ContainsFunc(results[i].FailedTurn, func(n int) bool { return n > 0 }) {
			results[i].FailedTurn = nil
		}
	}
	return metrics.Eval{K: k, Tasks: results, Aggregates: metrics.Aggregate(results)}, nil
}

// checkpoint saves models, sampler state, the step cursor and the run's
// totals atomically (see metrics.Run.BeginCheckpoint).
func (t *Trainer) checkpoint(done int) error {
	w, err := t.Output.BeginCheckpoint(int64(done))
	if err != nil {
		return err
	}
	if err := t.saveCheckpoint(w.Dir, done); err != nil {
		w.Abort()
		return err
	}
	if err := w.Commit(); err != nil {
		w.Abort()
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func (t *Trainer) saveCheckpoint(dir string, done int) error {
	pDir, cDir := CheckpointModels(dir)
	if err := t.Policy.(Checkpointer).SaveCheckpoint(pDir); err != nil {
		return fmt.Errorf("checkpoint policy: %w", err)
	}
	if t.Critic != nil {
		if err := t.Critic.(Checkpointer).SaveCheckpoint(cDir); err != nil {
			return fmt.Errorf("checkpoint critic: %w", err)
		}
	}
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(trainerState{Step: done, RNG: rng, totals: t.total}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, trainerStateFile), append(b, '\n'), 0o644)
}

func (t *Trainer) keepTrajectories(step int, trajs []Trajectory) error {
	n := min(t.Schedule.KeepTrajectories, len(trajs))
	if n == 0 || t.Output == nil {
		return nil
	}
	w, err := t.Output.Trajectories(int64(step))
	if err != nil {
		return err
	}
	for _, tr := range trajs[:n] {
		if err := w.Write(tr); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}
