package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

const systemPython = "/usr/bin/python3"

// needTorch skips a test without Debian's python3 and its torch
// (apt-get install python3-torch), naming what is missing.
func needTorch(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("needs %s with torch (apt-get install python3-torch): %v", systemPython, err)
	}
	if out, err := exec.Command(systemPython, "-c", "import torch, numpy").CombinedOutput(); err != nil {
		t.Skipf("needs torch and numpy for %s (apt-get install python3-torch): %v\n%s", systemPython, err, out)
	}
}

// hfScript runs testdata/hf_checkpoint.py.
func hfScript(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(systemPython, append([]string{filepath.Join("testdata", "hf_checkpoint.py")}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("hf_checkpoint.py %s: %v\n%s", args[0], err, out)
	}
}

// tinyCheckpoint writes a tiny Qwen3 checkpoint: the project's tokenizer
// (a byte-level BPE trained here, saved as a Hugging Face tokenizer.json)
// and, written by PyTorch, config.json, BF16 weights in two shards,
// tokenizer_config.json with a chat template and generation_config.json.
func tinyCheckpoint(t *testing.T) (string, *tokenizer.Tokenizer) {
	t.Helper()
	needTorch(t)
	dir := t.TempDir()
	corpus := []string{
		"system\nYou are a helpful assistant. Call the functions you are given.",
		"user\nWhat is the square root of 16? Then add 3 to the result.",
		"assistant\n[square_root(number=16)]", "assistant\n[add(a=4, b=3)]", "tool\n{\"result\": 4.0}",
		"Available functions: add(a: float, b: float), mean(numbers: list), square_root(number: float)",
	}
	tok, err := tokenizer.Train(corpus, 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(filepath.Join(dir, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	hfScript(t, "write", dir)
	return dir, tok
}

// TestPretrainedCheckpointTrainsAndExports is the acceptance test of
// model.checkpoint: a tiny Qwen3 checkpoint written by PyTorch (BF16,
// sharded, with a Hugging Face tokenizer.json) trains for two GRPO steps
// from `seeupo train --checkpoint`, without a warm start, after a memory
// estimate; its checkpoint is a Hugging Face directory carrying the source's
// tokenizer files, which `seeupo export` writes again in BF16. Both load in
// the PyTorch reference (hf_checkpoint.py: its own safetensors reader and
// the plain-torch Qwen3 forward of hf_reference.py, float64) with the
// logits the Go model computes from the same files: max |Δ| ≤ 1e-4 (the
// float32 forward's error on logits of magnitude ~10; measured below).
func TestPretrainedCheckpointTrainsAndExports(t *testing.T) {
	src, tok := tinyCheckpoint(t)
	dir := t.TempDir()
	suite := filepath.Join(dir, "tiny.yaml")
	os.WriteFile(suite, []byte(`experiment: tiny
algorithms: [grpo]
seeds: [1]
reference: false
tasks: {n: 40, classes: [MathAPI]}
rl: {steps: 2, tasks_per_step: 2, group_size: 2, eval_every: 2, eval_samples: 1, eval_tasks: 2, checkpoint_every: 2, max_tokens_per_turn: 8, max_context: 1024}
appworld: {enabled: false}
`), 0o644)
	out := filepath.Join(dir, "runs")
	_, stderr, err := runCLI(t, "train", "--suite", suite, "--checkpoint", src, "--algo", "grpo", "--seed", "1",
		"--out", out, "--threads", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"memory: bfcl_gen: qwen3 model", "KV cache", "no warm start"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("log lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "tiny", "warm-start")); err == nil {
		t.Errorf("a warm start was made for a checkpoint")
	}
	policyDir := filepath.Join(out, "tiny", "bfcl_gen", "grpo", "seed-1", "checkpoints", "step-2", "policy")
	for _, name := range []string{"tokenizer.json", "tokenizer_config.json", "generation_config.json"} {
		a, _ := os.ReadFile(filepath.Join(src, name))
		b, err := os.ReadFile(filepath.Join(policyDir, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: the checkpoint's differs from the source's (%v)", name, err)
		}
	}
	// Training moved the weights.
	be := kernels.NewCPU(1)
	before, err := transformer.Load(src, be, transformer.Options{Inference: true})
	if err != nil {
		t.Fatal(err)
	}
	after, err := transformer.Load(policyDir, be, transformer.Options{Inference: true})
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := before.Weights()
	wa, _ := after.Weights()
	moved := 0.0
	for name, v := range wa {
		for i := range v {
			moved = math.Max(moved, math.Abs(float64(v[i]-wb[name][i])))
		}
	}
	if moved == 0 {
		t.Fatalf("two GRPO steps left every weight as the checkpoint had it")
	}
	exported := filepath.Join(dir, "exported")
	if _, stderr, err := runCLI(t, "export", policyDir, "--out", exported, "--dtype", "bf16"); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	// Token sequences: chat text the tokenizer encodes, and random ids
	// over the whole vocabulary (padding rows included).
	chat, err := tok.EncodeChat([]tokenizer.Message{{Role: "user", Content: "What is the square root of 16?"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	seqs := [][]int{chat, make([]int, 40)}
	for i := range seqs[1] {
		seqs[1][i] = rng.IntN(after.Config().VocabSize)
	}
	idsPath := filepath.Join(dir, "ids.json")
	b, _ := json.Marshal(seqs)
	os.WriteFile(idsPath, b, 0o644)
	for _, tc := range []struct {
		name, dir string
		dtype     safetensors.DType
	}{{"checkpoint (F32)", policyDir, safetensors.F32}, {"export (BF16)", exported, safetensors.BF16}} {
		cfg, err := os.ReadFile(filepath.Join(tc.dir, "config.json"))
		if err != nil || !strings.Contains(string(cfg), `"torch_dtype": "`+tc.dtype.TorchName()+`"`) {
			t.Errorf("%s: config.json does not say torch_dtype %s (%v)", tc.name, tc.dtype.TorchName(), err)
		}
		ref := filepath.Join(dir, "ref-"+string(tc.dtype)+".safetensors")
		hfScript(t, "logits", tc.dir, ref, idsPath)
		want, _, err := safetensors.Read(ref)
		if err != nil {
			t.Fatal(err)
		}
		m, err := transformer.Load(tc.dir, be, transformer.Options{Inference: true})
		if err != nil {
			t.Fatal(err)
		}
		worst, scale := 0.0, 0.0
		for i, ids := range seqs {
			got, err := m.Logits(ids)
			if err != nil {
				t.Fatal(err)
			}
			w := want["logits."+strconv.Itoa(i)].Data
			if len(got) != len(w) {
				t.Fatalf("%s: %d logits, the reference %d", tc.name, len(got), len(w))
			}
			for j := range got {
				worst = math.Max(worst, math.Abs(float64(got[j]-w[j])))
				scale = math.Max(scale, math.Abs(float64(w[j])))
			}
		}
		t.Logf("%s: max |logit − PyTorch reference| = %.2e (logits up to %.1f)", tc.name, worst, scale)
		if worst > 1e-4 {
			t.Errorf("%s: logits differ from the PyTorch reference by %.2e > 1e-4", tc.name, worst)
		}
	}
}
