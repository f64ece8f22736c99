package memory_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Argument palettes of the random call sequences: valid and wrong-typed
// values, limits, keys that are and are not snake_case.
var (
	diffKeys = []string{"'user_name'", "'pet'", "'a'", "'b_2'", "'Bad Key'", "'x_1'", `'note\n'`, "''", "'ü_x'", "'_a'",
		"'a__b'", "'pet_name'", "1", "None", "['l']"}
	diffValues = []string{"'v'", "'Ann'", `"it's"`, "'" + strings.Repeat("x", 300) + "'", "'" + strings.Repeat("x", 301) + "'",
		"'" + strings.Repeat("y", 2001) + "'", "42", "3.5", "None", "True", "['l']", "{'d': 1}"}
	diffQueries  = []string{"'user name'", "'pet'", "''", "'Pet NAME'", "'user_name pet'", "'zz'", "'a b 2'", "3", "None"}
	diffK        = []string{"", ", k=1", ", k=0", ", k=-1", ", k=2", ", 100", ", k=2.5", ", k=None", ", k=True"}
	diffOldTexts = []string{"'abc'", "'b'", "' '", `"it's"`, "'zz'", "'q'", "42", "None"}
	diffTexts    = []string{"'abc'", "''", "'b'", "' '", `"it's"`, "'" + strings.Repeat("x", 5000) + "'",
		"'" + strings.Repeat("y", 9999) + "'", "42", "None", "['l']"}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func kvCall(r *rand.Rand) string {
	mem := []string{"core_memory", "archival_memory"}[r.IntN(2)]
	switch n := r.IntN(20); {
	case n < 8:
		return fmt.Sprintf("%s_add(key=%s, value=%s)", mem, pick(r, diffKeys), pick(r, diffValues))
	case n < 10:
		return fmt.Sprintf("%s_key_search(query=%s%s)", mem, pick(r, diffQueries), pick(r, diffK))
	case n < 11:
		return fmt.Sprintf("%s_remove(key=%s)", mem, pick(r, diffKeys))
	case n < 13:
		return fmt.Sprintf("%s_replace(%s, %s)", mem, pick(r, diffKeys), pick(r, diffValues))
	case n < 14:
		return fmt.Sprintf("%s_retrieve(key=%s)", mem, pick(r, diffKeys))
	case n < 15:
		return mem + "_list_keys()"
	case n < 16:
		return "core_memory_retrieve_all()"
	case n < 17:
		return mem + "_clear()"
	case n < 18:
		return mem + "_add(key='only_key')"
	default:
		return fmt.Sprintf("%s_retrieve(key=%s, extra=1)", mem, pick(r, diffKeys))
	}
}

func recSumCall(r *rand.Rand) string {
	switch n := r.IntN(12); {
	case n < 4:
		return fmt.Sprintf("memory_append(text=%s)", pick(r, diffTexts))
	case n < 5:
		return fmt.Sprintf("memory_update(text=%s)", pick(r, diffTexts))
	case n < 8:
		// An empty old text inserts the new one between every character,
		// which upstream allows; it is left out to keep the texts small.
		return fmt.Sprintf("memory_replace(old_text=%s, new_text=%s)", pick(r, diffOldTexts), pick(r, diffTexts))
	case n < 10:
		return "memory_retrieve()"
	case n < 11:
		return "memory_clear()"
	default:
		return "memory_append()"
	}
}

type diffCase struct {
	Class string   `json:"class"`
	Calls []string `json:"calls"`
}

func state(t *testing.T, attrs []py.Attr, names ...string) string {
	d := py.NewDict()
	for _, n := range names {
		for _, a := range attrs {
			if a.Name == n {
				d.SetStr(n, a.Value)
			}
		}
	}
	s, err := py.Dumps(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMemoryDifferentialAgainstUpstream runs random call sequences on
// upstream's MemoryAPI_kv and MemoryAPI_rec_sum through upstream's
// executor (testdata/memory_differential.py, SEEUPO_BFCL_UPSTREAM) and on
// the port, and compares every output and the memory after every call.
func TestMemoryDifferentialAgainstUpstream(t *testing.T) {
	root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
	if root == "" {
		t.Skip("SEEUPO_BFCL_UPSTREAM is not set: point it at the berkeley-function-call-leaderboard folder of ShishirPatil/gorilla at 6ea5797 (or the checkout holding it); python3 runs its memory classes")
	}
	if sub := filepath.Join(root, "berkeley-function-call-leaderboard"); isDir(sub) {
		root = sub
	}
	r := rand.New(rand.NewPCG(20, 4))
	var cases []diffCase
	for i := 0; i < 400; i++ {
		c := diffCase{Class: memory.KVClassName}
		gen := kvCall
		if i%4 == 3 {
			c.Class, gen = memory.RecSumClassName, recSumCall
		}
		for j := 0; j < 30; j++ {
			c.Calls = append(c.Calls, gen(r))
		}
		cases = append(cases, c)
	}
	var in bytes.Buffer
	for _, c := range cases {
		b, _ := json.Marshal(c)
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command("python3", filepath.Join("..", "..", "testdata", "memory_differential.py"), root)
	cmd.Stdin, cmd.Stderr = &in, os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 testdata/memory_differential.py: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	calls, differ, n := 0, 0, 0
	kinds := map[string]int{}
	for ; sc.Scan(); n++ {
		var want struct{ Outputs, States []string }
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		c := cases[n]
		ex := executor(t, c.Class, nil, nil)
		names := []string{"core_memory", "archival_memory"}
		if c.Class == memory.RecSumClassName {
			names = []string{"memory"}
		}
		for i, call := range c.Calls {
			calls++
			got := ex.ExecuteOne(call)
			for _, k := range []string{"ranked_results", "Error during execution", "\"error\"", "\"status\""} {
				if strings.Contains(got, k) {
					kinds[k]++
				}
			}
			st := state(t, ex.Instance(c.Class).State(), names...)
			if got != want.Outputs[i] || st != want.States[i] {
				differ++
				if differ <= 10 {
					t.Errorf("%s sequence %d call %d %s:\n got %.300s\nwant %.300s\n state %.300s\n want %.300s", c.Class, n, i, call, got, want.Outputs[i], st, want.States[i])
				}
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(cases) {
		t.Fatalf("%d answers for %d sequences", n, len(cases))
	}
	t.Logf("%d sequences, %d calls, %d sequences differ; outputs by kind: %v", n, calls, differ, kinds)
	for _, k := range []string{"ranked_results", "Error during execution", "\"error\"", "\"status\""} {
		if kinds[k] < 50 {
			t.Errorf("only %d outputs with %s: the sequences do not exercise it", kinds[k], k)
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
