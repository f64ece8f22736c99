package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeCheckpoints commits checkpoints of steps 1..n, each with a file
// a.bin and a sub-directory file, into a fresh run directory.
func writeCheckpoints(t *testing.T, n int) string {
	t.Helper()
	r, err := OpenRun(t.TempDir(), ID{Experiment: "e", Suite: "s", Algorithm: "a", Seed: 1}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for step := 1; step <= n; step++ {
		w, err := r.BeginCheckpoint(int64(step))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(w.Dir, "a.bin"), strings.Repeat("x", 100*step))
		os.MkdirAll(filepath.Join(w.Dir, "policy"), 0o755)
		writeFile(t, filepath.Join(w.Dir, "policy", "w.bin"), "weights")
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return r.Dir
}

func TestCheckpointCommitWritesAVerifiedManifest(t *testing.T) {
	run := writeCheckpoints(t, 2)
	man, err := VerifyCheckpoint(filepath.Join(run, DirCheckpoints, "step-2"))
	if err != nil {
		t.Fatal(err)
	}
	if man.Step != 2 || len(man.Files) != 2 || man.Files[0].Path != "a.bin" || man.Files[0].Size != 200 ||
		man.Files[1].Path != "policy/w.bin" ||
		man.Files[1].SHA256 != "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c" {
		t.Fatalf("manifest %+v", man)
	}
	entries, _ := os.ReadDir(filepath.Join(run, DirCheckpoints))
	if len(entries) != 2 {
		t.Errorf("checkpoints/ holds %d entries, want step-1 and step-2 only", len(entries))
	}
	r := &Run{Dir: run}
	if _, err := r.BeginCheckpoint(-3); err == nil || !strings.Contains(err.Error(), "step -3") {
		t.Errorf("a negative checkpoint step: %v", err)
	}
}

// TestSelectCheckpoint: the newest checkpoint that verifies is chosen;
// what is skipped, removed or moved aside is named with the reason.
func TestSelectCheckpoint(t *testing.T) {
	ck := func(run, step, rel string) string { return filepath.Join(run, DirCheckpoints, step, rel) }
	cases := []struct {
		name     string
		damage   func(t *testing.T, run string)
		wantStep int64
		wantErr  string
		notes    []string
	}{
		{"intact", func(*testing.T, string) {}, 3, "", nil},
		{"write cut short", func(t *testing.T, run string) {
			os.MkdirAll(filepath.Join(run, DirCheckpoints, ".tmp-step-4-77"), 0o755)
		}, 3, "", []string{".tmp-step-4-77, a checkpoint write cut short"}},
		{"flipped bit", func(t *testing.T, run string) {
			writeFile(t, ck(run, "step-3", "policy/w.bin"), "weighta")
		}, 2, "", []string{"checkpoint step-3 skipped", "policy/w.bin: SHA-256", "moved the damaged checkpoint", ".damaged-step-3"}},
		{"truncated file", func(t *testing.T, run string) {
			writeFile(t, ck(run, "step-3", "a.bin"), "x")
		}, 2, "", []string{"a.bin: size 1 bytes, the manifest says 300"}},
		{"missing file", func(t *testing.T, run string) {
			os.Remove(ck(run, "step-3", "a.bin"))
		}, 2, "", []string{"a.bin is missing"}},
		{"file added", func(t *testing.T, run string) {
			writeFile(t, ck(run, "step-3", "extra.json"), "{}")
		}, 2, "", []string{"extra.json is not in MANIFEST.json"}},
		{"no manifest", func(t *testing.T, run string) {
			os.Remove(ck(run, "step-3", ManifestFile))
		}, 2, "", []string{"MANIFEST.json is missing: the checkpoint is incomplete"}},
		{"manifest of another step", func(t *testing.T, run string) {
			setManifestStep(t, ck(run, "step-3", ManifestFile), 1)
		}, 2, "", []string{"step 1 does not match the directory name step-3"}},
		{"negative manifest step", func(t *testing.T, run string) {
			setManifestStep(t, ck(run, "step-3", ManifestFile), -3)
		}, 2, "", []string{"step -3 is not a positive step"}},
		{"every checkpoint damaged", func(t *testing.T, run string) {
			for _, s := range []string{"step-1", "step-2", "step-3"} {
				os.Remove(ck(run, s, "a.bin"))
			}
		}, 0, "no checkpoint of", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := writeCheckpoints(t, 3)
			c.damage(t, run)
			sel, err := SelectCheckpoint(run)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "step-1/a.bin is missing") {
					t.Fatalf("got %v, want an error naming each checkpoint", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sel.Step != c.wantStep || sel.Dir != filepath.Join(run, DirCheckpoints, "step-"+strconv.FormatInt(c.wantStep, 10)) {
				t.Errorf("selected %+v, want step %d", sel, c.wantStep)
			}
			notes := strings.Join(sel.Notes, "\n")
			for _, w := range c.notes {
				if !strings.Contains(notes, w) {
					t.Errorf("notes lack %q:\n%s", w, notes)
				}
			}
			if len(c.notes) == 0 && notes != "" {
				t.Errorf("unexpected notes:\n%s", notes)
			}
			steps, _ := Checkpoints(run)
			if len(steps) != int(c.wantStep) {
				t.Errorf("checkpoints after selection: %v, want 1..%d (damaged ones moved aside, temporary ones removed)", steps, c.wantStep)
			}
			if again, err := SelectCheckpoint(run); err != nil || again.Step != c.wantStep || len(again.Notes) != 0 {
				t.Errorf("second selection: %+v %v, want step %d with nothing left to note", again, err, c.wantStep)
			}
		})
	}
}

func setManifestStep(t *testing.T, path string, step int64) {
	t.Helper()
	var m Manifest
	if err := json.Unmarshal([]byte(readFile(t, path)), &m); err != nil {
		t.Fatal(err)
	}
	m.Step = step
	b, _ := json.Marshal(m)
	writeFile(t, path, string(b))
}
