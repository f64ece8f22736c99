package bfcl_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/internal/testdata"
)

// untar extracts a .tar.gz of regular files and folders into dir.
func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// filesUnder lists the files below dir, relative and sorted.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func testModelInfo(t *testing.T) func(string) (bfcl.ModelInfo, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "scores", "model_info.json"))
	if err != nil {
		t.Fatal(err)
	}
	var known map[string]bfcl.ModelInfo
	if err := json.Unmarshal(data, &known); err != nil {
		t.Fatal(err)
	}
	return func(folder string) (bfcl.ModelInfo, error) {
		if mi, ok := known[folder]; ok {
			return mi, nil
		}
		return bfcl.DefaultModelInfo(folder), nil
	}
}

// TestScoreFilesMatchUpstream scores the result folders of
// testdata/scores/results.tar.gz (ground-truth answers with some perturbed,
// made by make_results.py) and compares every score file and CSV, byte for
// byte, with the files upstream's evaluation runner wrote for the same
// results (testdata/scores/expected, made by run_upstream.py; see
// docs/bfcl.md).
func TestScoreFilesMatchUpstream(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	work := t.TempDir()
	untar(t, filepath.Join("testdata", "scores", "results.tar.gz"), work)
	scoreDir := filepath.Join(work, "score")
	if err := os.MkdirAll(scoreDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	scores, err := bfcl.NewScorer(bfcl.Upstream{Dir: data}).Evaluate(bfcl.ScoreOptions{
		ResultDir: filepath.Join(work, "result"), ScoreDir: scoreDir, Info: testModelInfo(t), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d categories scored\n%s", len(scores), log.String())
	expectedDir := filepath.Join("testdata", "scores", "expected")
	want, got := filesUnder(t, expectedDir), filesUnder(t, scoreDir)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("score files differ:\nwant %v\ngot  %v", want, got)
	}
	for _, rel := range want {
		w, err := os.ReadFile(filepath.Join(expectedDir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		g, err := os.ReadFile(filepath.Join(scoreDir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(w, g) {
			continue
		}
		wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var a, b string
			if i < len(wl) {
				a = wl[i]
			}
			if i < len(gl) {
				b = gl[i]
			}
			if a != b {
				t.Errorf("%s line %d:\nwant %.600s\ngot  %.600s", rel, i+1, a, b)
				break
			}
		}
	}
}
