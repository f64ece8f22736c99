package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchTheoryWritesRunsAndTable(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := runCLI(t, "bench", "theory", "--quick", "--out", out, "--families", "trap,lock",
		"--algorithms", "seeupo,grpo", "--seeds", "2", "--iterations", "5", "--cases", "lr-sweep,per-history", "--lrs", "0.1,1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== Case per-history", "softmax policy, token spelling", "What it can test:",
		"All families (4 runs per algorithm, 5 iterations each)", "final J/J*", "iters to 0.99", "drops of J", "Family trap",
		"Family lock", "(case per-history: 8 runs in", "Learning-rate sweep (families lock, trap, 5 iterations)", "lr 1",
		"(case lr-sweep: 16 runs in", "2 cases in"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Index(stdout, "== Case per-history") > strings.Index(stdout, "== Case lr-sweep") {
		t.Error("cases are not in suite order")
	}
	for _, f := range []string{"config.yaml", "metrics.jsonl", "summary.json", "meta.json"} {
		p := filepath.Join(out, "theory-quick-per-history", "bandit-trap", "seeupo", "seed-2", f)
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func TestBenchTheoryRejectsUnknownNames(t *testing.T) {
	for _, c := range []struct{ flag, value, want string }{
		{"--algorithms", "dapo", `unknown variant "dapo"`},
		{"--cases", "maze", `unknown case "maze"`},
		{"--spelling", "morse", `spelling "morse" unknown`},
	} {
		_, _, err := runCLI(t, "bench", "theory", "--quick", "--out", t.TempDir(), c.flag, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: got %v, want %q", c.flag, c.value, err, c.want)
		}
	}
}
