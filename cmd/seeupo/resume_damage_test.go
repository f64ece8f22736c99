package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

// TestResumeRejectsOrRepairsDamage damages a completed run directory the
// way crashes, disks and hands do, then runs train --resume: each damage
// is either an error naming the file and what is wrong, or is repaired
// (an older verified checkpoint, a rebuilt warm start, a truncated log)
// so that the run ends exactly as the undamaged run did.
func TestResumeRejectsOrRepairsDamage(t *testing.T) {
	root := t.TempDir()
	suite := filepath.Join(root, "micro.yaml")
	if err := os.WriteFile(suite, []byte(crashSuiteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(root, "base")
	if _, stderr, err := runCLI(t, "train", "--suite", suite, "--out", base, "--algo", "ppo", "--threads", "1"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want := readRunOutcome(t, filepath.Join(base, crashRunPath))
	last := "step-" + strconv.Itoa(crashSteps)
	cases := []struct {
		name    string
		damage  func(t *testing.T, run, warm string)
		wantErr []string // nil: the run must complete as the undamaged one
		wantLog []string
	}{
		{"flipped bit in the newest checkpoint's weights", func(t *testing.T, run, _ string) {
			flipBit(t, ckptFile(run, last, "policy/model.safetensors"))
		}, nil, []string{"checkpoint " + last + " skipped", "model.safetensors: SHA-256", "does not match the manifest",
			"resuming from step 3"}},
		{"flipped bits in every checkpoint", func(t *testing.T, run, _ string) {
			for s := 1; s <= crashSteps; s++ {
				flipBit(t, ckptFile(run, "step-"+strconv.Itoa(s), "policy/optimizer.safetensors"))
			}
		}, []string{"no checkpoint of", "verifies", "step-1/policy/optimizer.safetensors: SHA-256"}, nil},
		{"trainer.json step disagrees with its manifest", func(t *testing.T, run, _ string) {
			setTrainerStep(t, ckptDir(run, last), 3)
		}, []string{last + "/trainer.json: step 3 disagrees with MANIFEST.json (step 4)"}, nil},
		{"trainer.json step disagrees with its weights", func(t *testing.T, run, _ string) {
			copyDir(t, filepath.Join(ckptDir(run, "step-3"), "policy"), filepath.Join(ckptDir(run, last), "policy"))
			reseal(t, ckptDir(run, last))
		}, []string{last + "/trainer.json: optimizer_steps", "disagrees with the policy's weights"}, nil},
		{"negative step", func(t *testing.T, run, _ string) {
			setTrainerStep(t, ckptDir(run, last), -3)
		}, []string{last + "/trainer.json: step -3 is not a positive step"}, nil},
		{"checkpoint write cut short", func(t *testing.T, run, _ string) {
			os.Remove(ckptFile(run, last, "MANIFEST.json"))
			os.Remove(ckptFile(run, last, "trainer.json"))
			os.MkdirAll(filepath.Join(run, metrics.DirCheckpoints, ".tmp-step-4-123", "policy"), 0o755)
		}, nil, []string{".tmp-step-4-123, a checkpoint write cut short", last + "/MANIFEST.json is missing",
			"resuming from step 3"}},
		{"torn line in the middle of metrics.jsonl", func(t *testing.T, run, _ string) {
			lines := strings.SplitAfter(string(readFileT(t, filepath.Join(run, metrics.FileMetrics))), "\n")
			lines[1] = lines[1][:len(lines[1])/2] + "\n"
			writeFileT(t, filepath.Join(run, metrics.FileMetrics), strings.Join(lines, ""))
		}, []string{metrics.FileMetrics + ":2: invalid JSON", "damaged"}, nil},
		{"torn last line of metrics.jsonl after a crash", func(t *testing.T, run, _ string) {
			killedAfterStep3(t, run)
			b := readFileT(t, filepath.Join(run, metrics.FileMetrics))
			writeFileT(t, filepath.Join(run, metrics.FileMetrics), string(b[:len(b)-20]))
		}, nil, []string{"resuming from step 3"}},
		{"summary after a resume counts every segment", func(t *testing.T, run, _ string) {
			killedAfterStep3(t, run) // metrics.jsonl keeps step 4, which the resumed run logs again
		}, nil, []string{"resuming from step 3"}},
		{"corrupted warm start", func(t *testing.T, run, warm string) {
			flipBit(t, filepath.Join(warm, "model.safetensors"))
			os.RemoveAll(run)
		}, nil, []string{"cannot reuse", "model.safetensors: SHA-256", "training it again", "starting the run"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			copyDir(t, base, out)
			run, warm := filepath.Join(out, crashRunPath), filepath.Join(out, crashWarmPath)
			c.damage(t, run, warm)
			_, stderr, err := runCLI(t, "train", "--suite", suite, "--out", out, "--algo", "ppo", "--resume", "--threads", "1")
			if c.wantErr != nil {
				if err == nil {
					t.Fatalf("damage accepted:\n%s", stderr)
				}
				t.Logf("error: %v", err)
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			for _, w := range c.wantLog {
				if !strings.Contains(stderr, w) {
					t.Errorf("log lacks %q:\n%s", w, stderr)
				}
			}
			compareOutcomes(t, c.name, want, readRunOutcome(t, run))
		})
	}
}

func ckptDir(run, step string) string { return filepath.Join(run, metrics.DirCheckpoints, step) }

func ckptFile(run, step, rel string) string { return filepath.Join(ckptDir(run, step), rel) }

// killedAfterStep3 leaves the run as a kill after step 4's metrics and
// before its checkpoint does.
func killedAfterStep3(t *testing.T, run string) {
	t.Helper()
	if err := os.RemoveAll(ckptDir(run, "step-4")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(run, metrics.FileSummary)); err != nil {
		t.Fatal(err)
	}
}

// flipBit flips one bit in the middle of a file.
func flipBit(t *testing.T, path string) {
	t.Helper()
	b := readFileT(t, path)
	b[len(b)/2] ^= 0x10
	writeFileT(t, path, string(b))
}

// setTrainerStep rewrites a checkpoint's trainer.json with another step
// and seals the checkpoint again, as a bug or a hand edit would.
func setTrainerStep(t *testing.T, dir string, step int) {
	t.Helper()
	path := filepath.Join(dir, "trainer.json")
	var st map[string]any
	if err := json.Unmarshal(readFileT(t, path), &st); err != nil {
		t.Fatal(err)
	}
	st["step"] = step
	b, _ := json.Marshal(st)
	writeFileT(t, path, string(b))
	reseal(t, dir)
}

// reseal writes a checkpoint's manifest for the files it now holds (the
// format of docs/reports.md, written here independently of the code).
func reseal(t *testing.T, dir string) {
	t.Helper()
	type entry struct {
		Path   string `json:"path"`
		Size   int    `json:"size"`
		SHA256 string `json:"sha256"`
	}
	var man struct {
		Step  int     `json:"step"`
		Files []entry `json:"files"`
	}
	path := filepath.Join(dir, "MANIFEST.json")
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
	} else if man.Step, err = strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), "step-")); err != nil {
		t.Fatal(err)
	}
	man.Files = nil
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "MANIFEST.json" {
			return err
		}
		b := readFileT(t, p)
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		man.Files = append(man.Files, entry{filepath.ToSlash(rel), len(b), hex.EncodeToString(sum[:])})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(man)
	writeFileT(t, path, string(b))
}

func writeFileT(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
