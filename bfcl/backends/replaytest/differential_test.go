package replaytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	_ "github.com/seeupo/seeupo/bfcl/backends/mathapi"
	_ "github.com/seeupo/seeupo/bfcl/backends/trading"
	_ "github.com/seeupo/seeupo/bfcl/backends/travel"
	_ "github.com/seeupo/seeupo/bfcl/backends/vehicle"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

var (
	diffSeed      = flag.Int("diff.seed", 11, "seed of the differential call sequences")
	diffSequences = flag.Int("diff.sequences", 40, "differential sequences per class")
)

// knownDeviation names the documented differences a differential
// mismatch may be due to, or "" when it is a failure.
func knownDeviation(call, got, want string) string {
	if strings.HasPrefix(call, "logarithm(") &&
		(strings.Contains(got, "precision above 4000 digits") ||
			strings.Contains(want, "too many digits in integer") ||
			strings.Contains(want, "maximum recursion depth")) {
		return "logarithm precision bound"
	}
	if strings.ReplaceAll(want, "-0.0", "0.0") == got {
		return "sign of a zero int/int quotient (bfcl/py TrueDiv)"
	}
	return ""
}

// TestDifferentialAgainstUpstream runs random call sequences through the
// upstream Python classes (SEEUPO_BFCL_UPSTREAM: a checkout of
// ShishirPatil/gorilla at the pinned commit; needs python3 with mpmath) and
// through the Go classes, and compares every output and the public state
// after every call.
func TestDifferentialAgainstUpstream(t *testing.T) {
	root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
	if root == "" {
		t.Skip("comparing with the upstream classes needs their source: git clone https://github.com/ShishirPatil/gorilla, check out 6ea5797 and set SEEUPO_BFCL_UPSTREAM to it (python3 with mpmath)")
	}
	dir := testdata.Dir(t, "bfcl_v4")
	cmd := exec.Command("python3", filepath.Join("testdata", "differential.py"), dir,
		strconv.Itoa(*diffSeed), strconv.Itoa(*diffSequences))
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python3 testdata/differential.py: %v", err)
	}
	ds, err := bfcl.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	total, tolerated := 0, map[string]int{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var l struct {
			Class, ID string
			Calls     []struct{ Call, Output, State string }
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		e, ok := ds.Entry(l.ID)
		if !ok {
			t.Fatalf("unknown entry %s", l.ID)
		}
		ex, err := bfcl.NewExecutor(bfcl.ExecutorConfig{Classes: []string{l.Class}, InitialConfig: e.InitialConfig,
			LongContext: e.LongContext(), ModelName: "differential", EntryID: e.ID, Constants: ds.Constants})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range l.Calls {
			total++
			got := ex.ExecuteOne(c.Call)
			if got != c.Output {
				// A tolerated output difference still has its state
				// compared below.
				if why := knownDeviation(c.Call, got, c.Output); why != "" {
					tolerated[why]++
				} else {
					t.Errorf("%s %s: %s\n got  %s\n want %s", l.Class, l.ID, c.Call, clip(got), clip(c.Output))
				}
			}
			if st := stateRepr(ex, l.Class); st != c.State {
				t.Errorf("%s %s: %s: state\n got  %s\n want %s", l.Class, l.ID, c.Call, clip(st), clip(c.State))
			}
		}
	}
	t.Logf("%d calls compared; known deviations: %v", total, tolerated)
	if total == 0 {
		t.Fatal("no calls produced")
	}
}

// stateRepr is Python's repr of the public attributes, sorted by name.
func stateRepr(ex *bfcl.Executor, class string) string {
	attrs := ex.Instance(class).State()
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = py.Repr(py.Str(a.Name)) + ": " + py.Repr(a.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
