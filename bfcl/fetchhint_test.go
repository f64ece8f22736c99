package bfcl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/internal/testdata"
)

// mirrorWithout links every file of the data directory into a fresh one,
// except the file named missing.
func mirrorWithout(t *testing.T, data, missing string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		if filepath.ToSlash(rel) == missing {
			return nil
		}
		target := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.Symlink(p, target)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// A loader that misses a file names the file and the command that
// provides it.
func TestLoadersNameMissingFileAndFetchCommand(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	tests := []struct {
		missing string
		load    func(dir string) error
	}{
		{"splits.json", func(dir string) error { _, err := bfcl.Load(dir); return err }},
		{"long_context_constants.json", func(dir string) error { _, err := bfcl.Load(dir); return err }},
		{"possible_answer/BFCL_v4_multi_turn_base.json", func(dir string) error { _, err := bfcl.Load(dir); return err }},
		{"BFCL_v4_live_simple.json", func(dir string) error {
			_, err := bfcl.Upstream{Dir: dir}.Entries("live_simple", false, false)
			return err
		}},
		{"BFCL_v4_simple_python.json", func(dir string) error {
			_, err := bfcl.NewSingleTurn(dir).Entry("simple_python_0")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.missing, func(t *testing.T) {
			err := tc.load(mirrorWithout(t, data, tc.missing))
			if err == nil {
				t.Fatal("loaded without the file")
			}
			for _, want := range []string{filepath.Base(tc.missing), "seeupo data fetch bfcl"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}
