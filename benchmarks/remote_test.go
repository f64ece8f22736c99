package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/harness/serve/servetest"
	"github.com/seeupo/seeupo/policy/models"
)

// startServer serves a model directory until the test ends and returns its
// API root.
func startServer(t *testing.T, dir string) string { return servetest.Start(t, dir) }

// A run stopped after step 1 and resumed with its rollouts on two servers
// that start from the warm start ends as the uninterrupted run in process:
// the resumed trainer loads the checkpoint's weights into the servers
// before its first rollout, and generates on them. The weights it pushes
// go under rl.weights_dir in the run directories' layout.
func TestTrainOneResumesOnServers(t *testing.T) {
	c := microSuite(t)
	c.RL.Steps, c.RL.CheckpointEvery, c.RL.LR = 3, 1, 0.01
	full, err := TrainOne(context.Background(), c, TrainSpec{Algorithm: "grpo", Seed: 1}, RunOptions{Out: t.TempDir(), Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = TrainOne(ctx, c, TrainSpec{Algorithm: "grpo", Seed: 1}, RunOptions{Out: out, Models: models.CPU(1),
		Log: &cancelOn{marker: "1/3", cancel: cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	warm := filepath.Join(out, c.Experiment, "warm-start")
	urls := []string{startServer(t, warm), startServer(t, warm)}
	weights := t.TempDir()
	resumed, err := TrainOne(context.Background(), c, TrainSpec{Algorithm: "grpo", Seed: 1, Resume: true}, RunOptions{Out: out, Models: models.CPU(1),
		Servers: &harness.ServerOptions{URLs: urls}, WeightsDir: weights})
	if err != nil {
		t.Fatal(err)
	}
	a, b := readMetrics(t, full.Dir), readMetrics(t, resumed.Dir)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("%d and %d steps logged, want 3", len(a), len(b))
	}
	for i := range a {
		for k, v := range a[i].Data {
			w, ok := b[i].Data[k]
			if !ok || k == metrics.LogprobDiffMean && math.Abs(v-w) > 1e-6 || k != metrics.LogprobDiffMean && v != w {
				t.Errorf("step %d: %s = %v resumed on the servers, %v uninterrupted", i+1, k, w, v)
			}
		}
		if _, remote := b[i].Data[metrics.RolloutRemoteRequests]; remote != (i > 0) {
			t.Errorf("step %d: generated on the servers: %v, want %v", i+1, remote, i > 0)
		}
	}
	if !bytes.Equal(finalWeights(t, full.Dir), finalWeights(t, resumed.Dir)) {
		t.Fatal("final weights differ")
	}
	kept, _ := filepath.Glob(filepath.Join(weights, c.Experiment, "bfcl_gen", "grpo", "seed-1", "step-*"))
	if len(kept) != 1 || filepath.Base(kept[0]) != "step-3" {
		t.Errorf("pushed weights kept under rl.weights_dir: %v, want step-3 only", kept)
	}
}
