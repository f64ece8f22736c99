package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tabular"
)

// armSource is a two-armed bandit in one turn: every batch holds one group
// of four trajectories, the arms 0, 1, 0, 1 (arm 1 pays 1, arm 0 pays 0),
// with the policy's log-probs as the sampler's. Its probe is the policy's
// probability of arm 1.
type armSource struct {
	pol   *tabular.Policy
	steps []int // the steps whose batch was asked for
}

var armContext = []int{7}

func (s *armSource) Batch(_ context.Context, step int) (*algorithms.Batch, error) {
	s.steps = append(s.steps, step)
	sc, err := s.pol.Score([]policy.Sample{{Context: armContext, Response: []int{0}}, {Context: armContext, Response: []int{1}}}, false)
	if err != nil {
		return nil, err
	}
	b := &algorithms.Batch{}
	for i := range 4 {
		arm := i % 2
		b.Trajectories = append(b.Trajectories, algorithms.Trajectory{ID: fmt.Sprint(i), Group: "g",
			Reward: float64(arm), Turns: []algorithms.Turn{{Context: armContext, Response: []int{arm},
				SamplerLogProbs: sc.LogProbs[arm]}}})
	}
	return b, nil
}

func (s *armSource) Measure(context.Context) (metrics.Data, error) {
	return metrics.Data{"probe/p1": s.pol.Probs(armContext)[1]}, nil
}

func newArmTrainer(t *testing.T, out *metrics.Run) (*Trainer, *armSource) {
	t.Helper()
	settings, err := algorithms.Resolve("reinforce", algorithms.Overrides{"lr": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	a, err := algorithms.New("reinforce", settings)
	if err != nil {
		t.Fatal(err)
	}
	pol := tabular.NewSoftmax(2)
	src := &armSource{pol: pol}
	return &Trainer{Schedule: Schedule{Steps: 3, TasksPerStep: 1, GroupSize: 4, EvalSamples: 1},
		Policy: pol, Ref: pol.Frozen(), Algorithm: a, Output: out, Source: src, Probe: src, NoCheckpoints: true}, src
}

func TestTrainerWithABatchSourceAndProbe(t *testing.T) {
	dir := t.TempDir()
	run, err := metrics.OpenRun(dir, metrics.ID{Experiment: "test", Suite: "arms", Algorithm: "reinforce", Seed: 1}, metrics.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	tr, src := newArmTrainer(t, run)
	sum, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(src.steps) != "[0 1 2]" {
		t.Errorf("batches asked for steps %v, want [0 1 2]", src.steps)
	}
	if sum.Steps != 3 || sum.OptimizerSteps != 3 || sum.Tokens != 12 {
		t.Errorf("summary = %+v, want 3 steps, 3 optimiser steps, 12 tokens", sum)
	}
	recs, problems, err := metrics.ReadMetrics(filepath.Join(run.Dir, metrics.FileMetrics))
	if err != nil || len(problems) > 0 || len(recs) != 4 {
		t.Fatalf("metrics: %v %v, %d records, want steps 0..3", err, problems, len(recs))
	}
	if recs[0].Step != 0 || len(recs[0].Data) != 1 || recs[0].Data["probe/p1"] != 0.5 {
		t.Errorf("step 0 = %+v, want the probe's figure of the uniform policy alone (p1 0.5)", recs[0])
	}
	p1 := 0.5
	for _, rec := range recs[1:] {
		if rec.Data["probe/p1"] <= p1 {
			t.Errorf("step %d: p1 %v did not rise above %v", rec.Step, rec.Data["probe/p1"], p1)
		}
		p1 = rec.Data["probe/p1"]
		if _, ok := rec.Data[metrics.ActorGradNorm]; !ok {
			t.Errorf("step %d lacks the update's figures: %v", rec.Step, rec.Data)
		}
		for _, k := range []string{metrics.RolloutInfraFailedRate, metrics.TimingStep, metrics.TimingGen, metrics.PerfThroughput} {
			if _, ok := rec.Data[k]; ok {
				t.Errorf("step %d has the rollout figure %s", rec.Step, k)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(run.Dir, "checkpoints")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run without checkpoints wrote %s (%v)", filepath.Join(run.Dir, "checkpoints"), err)
	}
}

func TestTrainerWithoutRunDirectory(t *testing.T) {
	tr, _ := newArmTrainer(t, nil)
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTrainerNamesWhatItLacks(t *testing.T) {
	tasks, _ := echoSuite{}.Tasks("train")
	for _, c := range []struct {
		name   string
		change func(*Trainer)
		want   string
	}{
		{"no source, no tasks", func(tr *Trainer) { tr.Source = nil }, "no training tasks"},
		{"no source, no roller", func(tr *Trainer) { tr.Source, tr.Train = nil, tasks }, "no agent loop"},
		{"checkpoints without a run directory", func(tr *Trainer) { tr.NoCheckpoints = false }, "checkpoints need a run directory"},
		{"checkpoints of a policy that cannot save", func(tr *Trainer) {
			tr.NoCheckpoints, tr.Output = false, &metrics.Run{}
		}, "the policy (*tabular.Policy) cannot save a checkpoint"},
		{"checkpoints of a critic that cannot save", func(tr *Trainer) {
			tr.NoCheckpoints, tr.Output = false, &metrics.Run{}
			tr.Policy = &savingPolicy{tr.Policy}
			tr.Critic = tabular.NewValues(tabular.History)
		}, "the critic (*tabular.Values) cannot save a checkpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, _ := newArmTrainer(t, nil)
			c.change(tr)
			_, err := tr.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// savingPolicy is a policy that claims to save checkpoints.
type savingPolicy struct{ policy.Trainable }

func (savingPolicy) SaveCheckpoint(string) error { return nil }
