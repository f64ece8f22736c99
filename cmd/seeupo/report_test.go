package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

// writeReportRuns writes two algorithms × two seeds with a final success of
// seeupo 0.6/0.8 and grpo 0.2/0.4.
func writeReportRuns(t *testing.T, root string) {
	t.Helper()
	for alg, finals := range map[string][2]float64{"seeupo": {0.6, 0.8}, "grpo": {0.2, 0.4}} {
		for seed, final := range finals {
			r, err := metrics.OpenRun(root, metrics.ID{Experiment: "e", Suite: "bfcl", Algorithm: alg, Seed: seed}, metrics.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.WriteConfig([]byte("seed: 1\n")); err != nil {
				t.Fatal(err)
			}
			for step := int64(1); step <= 4; step++ {
				if err := r.LogStep(step, metrics.Data{metrics.ScoreMean: final * float64(step) / 4, metrics.ActorEntropy: 1 - 0.1*float64(step)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.LogEval(metrics.Eval{Step: 4, K: 4, Aggregates: metrics.Data{"avg@4": final}}); err != nil {
				t.Fatal(err)
			}
			if err := r.Finish(metrics.Summary{Steps: 4}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReportCommand(t *testing.T) {
	runs, out := t.TempDir(), t.TempDir()
	writeReportRuns(t, runs)
	os.WriteFile(filepath.Join(runs, "junk.jsonl"), []byte("not json\n"), 0o644)
	stdout, stderr, err := runCLI(t, "report", runs, "--out", out, "--metrics", "avg@k,reward", "--show", "markdown")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	// seeupo: mean 0.7, half = t(0.975,1)·s/√2 = 12.706·0.14142/1.4142 = 1.27;
	// grpo: mean 0.3; (0.3 − 0.7)/0.7 = −57.1%; U = 0 of 2+2 → p = 2/6.
	for _, want := range []string{"| seeupo    | 2     | **0.7 ± 1.3** | base", "~ -57.1% (p=0.333)",
		"4 runs", "2 input problems", "report.pdf"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "junk.jsonl:1: invalid JSON") {
		t.Errorf("stderr does not report the malformed log:\n%s", stderr)
	}
	for _, f := range []string{"report.pdf", "report.md", "problems.txt", "tables/comparison.tex",
		"tables/comparison.csv", "figures/curves-bfcl.png", "figures/curves-bfcl.svg", "figures/stability-bfcl.pdf"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestReportCommandErrors(t *testing.T) {
	runs := t.TempDir()
	writeReportRuns(t, runs)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", runs}, "--out is required"},
		{[]string{"report", runs, "--out", t.TempDir(), "--target", "avg@4"}, "want METRIC>=VALUE or METRIC<=VALUE"},
		{[]string{"report", runs, "--out", t.TempDir(), "--show", "html"}, `unknown table format "html" (known: csv, latex, markdown, text)`},
		{[]string{"report", filepath.Join(runs, "missing"), "--out", t.TempDir()}, "no usable runs found"},
		{[]string{"report", "--out", t.TempDir()}, "requires at least 1 arg"},
	} {
		_, _, err := runCLI(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want it to contain %q", tt.args[1:], err, tt.want)
		}
	}
}

// TestReportOnTheorySuite runs a small theory suite and reports on its run
// directories: the PDF opens, holds every section and a J figure, and
// pdftoppm renders every page.
func TestReportOnTheorySuite(t *testing.T) {
	for _, tool := range []string{"pdfinfo", "pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package poppler-utils): cannot check the PDF", tool)
		}
	}
	runs, out := t.TempDir(), t.TempDir()
	if _, stderr, err := runCLI(t, "bench", "theory", "--quick", "--families", "trap", "--seeds", "3",
		"--iterations", "30", "--algorithms", "seeupo,grpo", "--out", runs); err != nil {
		t.Fatalf("bench theory: %v\n%s", err, stderr)
	}
	// --quick runs four cases on the trap: per-history, multi-token and
	// shared (6 runs each) and the lr sweep (4 × 6): 42 runs.
	stdout, stderr, err := runCLI(t, "report", runs, "--out", out)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "suite bandit-trap (base: seeupo, budget: rollouts)") || !strings.Contains(stdout, "42 runs, 0 input problems") {
		t.Errorf("report output:\n%s\n%s", stdout, stderr)
	}
	pdf := filepath.Join(out, "report.pdf")
	info, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("no page count:\n%s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	text, err := exec.Command("pdftotext", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Runs", "1. Comparison tables", "2. Figures", "3. Input problems",
		"suite bandit-trap (base: seeupo, budget: rollouts", "(theory-J-bandit-trap)", "optimum"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	render := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "30", "-png", pdf, filepath.Join(render, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	if pngs, _ := filepath.Glob(filepath.Join(render, "p-*.png")); len(pngs) != pages {
		t.Errorf("pdftoppm rendered %d of %d pages", len(pngs), pages)
	}
}
