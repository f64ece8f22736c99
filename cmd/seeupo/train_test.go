package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrainAndEvalRejectBadInput(t *testing.T) {
	dir := t.TempDir()
	neg := filepath.Join(dir, "neg.yaml")
	os.WriteFile(neg, []byte("name: neg\nalgorithms: [grpo]\nseeds: [1]\ntasks: {n: 10}\nrl: {tasks_per_step: -4}\n"), 0o644)
	off := filepath.Join(dir, "off.yaml")
	os.WriteFile(off, []byte("appworld: {enabled: false}\n"), 0o644)
	noServers := filepath.Join(dir, "no-servers.yaml")
	os.WriteFile(noServers, []byte("rl: {generator: remote}\n"), 0o644)
	badURL := filepath.Join(dir, "bad-url.yaml")
	os.WriteFile(badURL, []byte("rl: {generator: remote, servers: 'localhost:8100'}\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--algo", "a2c"}, `unknown algorithm "a2c"`},
		{[]string{"train", "--suite", neg}, "rl.tasks_per_step is -4; allowed: an integer in [1, 100000]"},
		{[]string{"train", "--suite", "nightly"}, "unknown suite"},
		{[]string{"eval"}, "--checkpoint"},
		{[]string{"eval", "--checkpoint", dir, "--split", "reference", "--data-dir", filepath.Join(dir, "none")},
			"needs the BFCL v4 data"},
		{[]string{"bench", "--suite", "nightly"}, "unknown suite"},
		{[]string{"train", "--suite", off, "--family", "appworld"}, `has no task family "appworld"`},
		{[]string{"eval", "--checkpoint", dir, "--family", "webshop"}, `has no task family "webshop"`},
		{[]string{"--config", noServers, "train"}, "rl.generator is remote but rl.servers is empty"},
		{[]string{"--config", badURL, "train"}, `rl.servers: "localhost:8100" is not an http or https URL with a host`},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}

// microSuiteYAML shrinks the quick preset, both task families, to seconds.
const microSuiteYAML = `experiment: micro
algorithms: [seeupo, grpo]
seeds: [1]
reference: false
tasks: {n: 40, classes: [MathAPI]}
warm_start: {steps: 2, batch: 4}
rl: {steps: 1, tasks_per_step: 2, group_size: 2, eval_every: 1, eval_samples: 2, eval_tasks: 2, max_tokens_per_turn: 8}
appworld:
  enabled: true
  eval: dev
  warm_start: {steps: 2, batch: 4}
  rl: {steps: 1, tasks_per_step: 2, group_size: 2, eval_every: 1, eval_samples: 2, eval_tasks: 6, max_turns: 3, max_tokens_per_turn: 8}
`

func TestBenchSuiteRunsBothFamilies(t *testing.T) {
	dir := t.TempDir()
	suite := filepath.Join(dir, "micro.yaml")
	if err := os.WriteFile(suite, []byte(microSuiteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, "bench", "--suite", suite, "--out", dir, "--threads", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"bfcl_gen: warm start", "appworld: warm start", "suite bfcl_gen", "suite appworld", "sgc@2", "level1/avg@2", "level1/sgc@2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "in the native world") {
		t.Errorf("log does not say where AppWorld episodes run:\n%s", stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "micro", "report", "comparison.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(md, []byte("**suite bfcl_gen")) || !bytes.Contains(md, []byte("**suite appworld")) {
		t.Errorf("comparison.md should hold one table per family:\n%s", md)
	}
	for _, run := range []string{"bfcl_gen/grpo/seed-1", "appworld/seeupo/seed-1", "appworld/grpo/seed-1"} {
		if _, err := os.Stat(filepath.Join(dir, "micro", run, "summary.json")); err != nil {
			t.Errorf("run %s: %v", run, err)
		}
	}
}
