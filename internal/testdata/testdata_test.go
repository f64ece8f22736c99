package testdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestDirPrefersSEEUPO_DATA(t *testing.T) {
	d := t.TempDir()
	os.MkdirAll(filepath.Join(d, "bfcl_v4"), 0o755)
	t.Setenv("SEEUPO_DATA", d)
	if got := Dir(t, "bfcl_v4"); got != filepath.Join(d, "bfcl_v4") {
		t.Fatalf("Dir = %q", got)
	}
}

// skipRecorder records a skip instead of ending the test.
type skipRecorder struct {
	testing.TB
	skip string
}

func (r *skipRecorder) Skipf(format string, args ...any) { r.skip = fmt.Sprintf(format, args...) }

func TestSingleTurnGolden(t *testing.T) {
	d := t.TempDir()
	golden := filepath.Join(d, "bfcl_v4", "golden")
	os.MkdirAll(golden, 0o755)
	os.WriteFile(filepath.Join(golden, "cases.jsonl"), []byte("{}\n"), 0o644)
	t.Setenv("SEEUPO_DATA", d)
	for _, c := range []struct {
		file, skip string
	}{
		{"cases.jsonl", ""},
		{"other.jsonl", "golden file " + filepath.Join(golden, "other.jsonl") + " not found (it ships with the shared BFCL v4 data, see golden/README.md section 11)"},
	} {
		r := &skipRecorder{TB: t}
		got := SingleTurnGolden(r, c.file)
		if want := filepath.Join(golden, c.file); got != want || r.skip != c.skip {
			t.Errorf("%s: returned %q, skip %q; want %q, skip %q", c.file, got, r.skip, want, c.skip)
		}
	}
}
