package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

// remoteSuiteYAML is a three-step run on generated BFCL tasks, with a
// learning rate at which every step changes what the next samples.
const remoteSuiteYAML = `experiment: remote
algorithms: [grpo]
seeds: [1]
reference: false
tasks: {n: 40, classes: [MathAPI]}
warm_start: {steps: 2, batch: 4}
rl: {steps: 3, tasks_per_step: 2, group_size: 2, eval_every: 1, eval_samples: 2, eval_tasks: 2, max_tokens_per_turn: 8, lr: 0.01}
`

// `seeupo train` with rl.generator remote against two `seeupo serve`
// servers gives the run that generates in process: the same step metrics
// (the servers' own figures aside, the sampler log-prob gap within float32
// rounding), the same evaluations and, bit for bit, the same final weights.
func TestTrainOnServersEqualsInProcess(t *testing.T) {
	dir := t.TempDir()
	suite := filepath.Join(dir, "remote.yaml")
	if err := os.WriteFile(suite, []byte(remoteSuiteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	train := func(out string, config ...string) string {
		args := append(config, "train", "--suite", suite, "--algo", "grpo", "--out", out, "--threads", "1")
		if _, stderr, err := runCLI(t, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		return filepath.Join(out, "remote", "bfcl_gen", "grpo", "seed-1")
	}
	native := train(filepath.Join(dir, "native"))
	warm := filepath.Join(dir, "native", "remote", "warm-start")
	a, b := startServe(t, warm), startServe(t, warm)
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("rl:\n  generator: remote\n  servers: "+a+","+b+"\n  server_model: tiny\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	served := train(filepath.Join(dir, "served"), "--config", cfg)

	recA, recB := readSteps(t, native), readSteps(t, served)
	if len(recA) != 3 || len(recB) != 3 {
		t.Fatalf("%d and %d steps logged, want 3", len(recA), len(recB))
	}
	for i := range recA {
		for k, v := range recA[i].Data {
			w, ok := recB[i].Data[k]
			if !ok || k == metrics.LogprobDiffMean && math.Abs(v-w) > 1e-6 || k != metrics.LogprobDiffMean && v != w {
				t.Errorf("step %d: %s = %v on the servers, %v in process", i+1, k, w, v)
			}
		}
		if d := recB[i].Data; d[metrics.RolloutRemoteServers] != 2 || d[metrics.RolloutRemoteRequests] == 0 {
			t.Errorf("step %d: %v servers, %v requests: want both servers used", i+1, d[metrics.RolloutRemoteServers], d[metrics.RolloutRemoteRequests])
		}
	}
	evA, _, _ := metrics.ReadEvals(filepath.Join(native, metrics.FileEval))
	evB, _, _ := metrics.ReadEvals(filepath.Join(served, metrics.FileEval))
	if len(evA) != 4 || !reflect.DeepEqual(evA, evB) {
		t.Errorf("evaluations differ:\nin process %+v\nservers    %+v", evA, evB)
	}
	weights := func(run string) []byte {
		b, err := os.ReadFile(filepath.Join(run, "checkpoints", "step-3", "policy", "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(weights(native), weights(served)) {
		t.Error("the final weights differ")
	}
}

// readSteps reads metrics.jsonl without the wall-clock figures.
func readSteps(t *testing.T, run string) []metrics.Record {
	t.Helper()
	recs, problems, err := metrics.ReadMetrics(filepath.Join(run, metrics.FileMetrics))
	if err != nil || len(problems) > 0 {
		t.Fatalf("%s: %v %v", run, err, problems)
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
