// Package testdata locates the shared benchmark data for tests and
// benchmarks: $SEEUPO_DATA when set, else ../shared/data beside the source
// checkout. Where neither exists the test is skipped with a message naming
// the paths that were looked at.
//
// It is imported by _test.go files only.
package testdata

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/harness/config"
)

// Dir returns the data directory joined with sub (for example "bfcl_v4"),
// or skips tb when it does not exist.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	var tried []string
	if env := os.Getenv("SEEUPO_DATA"); env != "" {
		p := filepath.Join(env, sub)
		if exists(p) {
			return p
		}
		tried = append(tried, p+" (from SEEUPO_DATA)")
	}
	if root, ok := config.FindCheckout(""); ok {
		p := filepath.Join(filepath.Dir(root), "shared", "data", sub)
		if exists(p) {
			return p
		}
		tried = append(tried, p)
	}
	tb.Skipf("benchmark data not found; looked at %v. Set SEEUPO_DATA or run `seeupo data fetch`.", tried)
	return ""
}

// SingleTurnGolden returns the path of one of the BFCL single-turn golden
// files (bfcl_v4/golden/name, section 11 of golden/README.md), or skips tb
// naming the path when the data has no such file.
func SingleTurnGolden(tb testing.TB, name string) string {
	tb.Helper()
	path := filepath.Join(Dir(tb, "bfcl_v4"), "golden", name)
	if !exists(path) {
		tb.Skipf("golden file %s not found (it ships with the shared BFCL v4 data, see golden/README.md section 11)", path)
	}
	return path
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// EachLine calls f for each line of the data file at path. A file that
// cannot be read, or has no lines, fails tb: nothing would be checked.
func EachLine(tb testing.TB, path string, f func(line []byte)) {
	tb.Helper()
	file, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	n := 0
	for sc.Scan() {
		n++
		f(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		tb.Fatalf("data file %s has no lines", path)
	}
}
