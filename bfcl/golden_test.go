package bfcl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/internal/testdata"
)

var (
	datasetOnce sync.Once
	dataset     *Dataset
	datasetErr  error
)

func loadDataset(t testing.TB) *Dataset {
	t.Helper()
	dir := testdata.Dir(t, "bfcl_v4")
	datasetOnce.Do(func() { dataset, datasetErr = Load(dir) })
	if datasetErr != nil {
		t.Fatal(datasetErr)
	}
	return dataset
}

// readLines calls f for each line of a golden file; a file without lines
// fails the test (nothing would be checked).
func readLines(t testing.TB, name string, f func(line []byte)) {
	t.Helper()
	testdata.EachLine(t, filepath.Join(testdata.Dir(t, "bfcl_v4"), "golden", name), f)
}

// tally counts golden lines per class and the mismatches blamed on each.
type tally struct {
	lines, bad map[string]int
	examples   map[string][]string
	total, ok  int
}

func newTally() *tally {
	return &tally{lines: map[string]int{}, bad: map[string]int{}, examples: map[string][]string{}}
}

func (ta *tally) add(classes []string, blamed map[string]string) {
	ta.total++
	for _, c := range classes {
		ta.lines[c]++
	}
	if len(blamed) == 0 {
		ta.ok++
		return
	}
	for c, msg := range blamed {
		ta.bad[c]++
		if len(ta.examples[c]) < 3 {
			ta.examples[c] = append(ta.examples[c], msg)
		}
	}
}

func (ta *tally) report(t *testing.T, what string) {
	t.Logf("%s: %d/%d identical", what, ta.ok, ta.total)
	classes := make([]string, 0, len(ta.lines))
	for c := range ta.lines {
		classes = append(classes, c)
	}
	for c := range ta.bad {
		if _, ok := ta.lines[c]; !ok {
			classes = append(classes, c)
		}
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("  %-18s %4d lines, %4d with a mismatch blamed on it", c, ta.lines[c], ta.bad[c])
	}
	for _, c := range classes {
		t.Run(c, func(t *testing.T) {
			if ta.bad[c] > 0 {
				t.Errorf("%d %s lines differ for %s; first: %s", ta.bad[c], what, c, strings.Join(ta.examples[c], "\n---\n"))
			}
		})
	}
}

// stateDiff compares an executor's state with a golden state object class
// by class and blames the classes that differ, the involved classes the
// recording lacks and the classes the executor lacks or adds.
func stateDiff(ex *Executor, golden json.RawMessage, involved []string, where string, blamed map[string]string) {
	var want map[string]json.RawMessage
	if err := json.Unmarshal(golden, &want); err != nil || len(golden) == 0 {
		blamed["(golden)"] = fmt.Sprintf("%s: no recorded state object (%v)", where, err)
		return
	}
	for _, c := range involved {
		if _, ok := want[c]; !ok {
			blame(blamed, "(golden)", fmt.Sprintf("%s: the recorded state lacks involved class %s", where, c))
		}
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(ex.State()), &got); err != nil {
		blamed["(encoding)"] = err.Error()
		return
	}
	for class := range got {
		if _, ok := want[class]; !ok {
			blame(blamed, class, fmt.Sprintf("%s: state of %s not in the recording", where, class))
		}
	}
	for class, w := range want {
		if _, ok := got[class]; !ok {
			// A class that is not registered is blamed already.
			blame(blamed, class, fmt.Sprintf("%s: %s missing from the executor's state", where, class))
			continue
		}
		var wc bytes.Buffer
		_ = json.Compact(&wc, w)
		if !bytes.Equal(wc.Bytes(), got[class]) {
			if _, dup := blamed[class]; !dup {
				blamed[class] = fmt.Sprintf("%s: state differs\n got %s\nwant %s", where, clip(string(got[class])), clip(wc.String()))
			}
		}
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// ownerOf names the class that receives a call (its method's owner), for
// blaming an output mismatch.
// partialExecutor builds the executor over the registered classes only,
// blaming the missing ones, so that the others can still be checked.
func partialExecutor(d *Dataset, e *Entry, blamed map[string]string) (*Executor, error) {
	var present []string
	for _, c := range e.InvolvedClasses {
		if _, err := backend.Lookup(c); err != nil {
			blamed[c] = "class not registered"
			continue
		}
		present = append(present, c)
	}
	return NewExecutor(ExecutorConfig{Classes: present, InitialConfig: e.InitialConfig, LongContext: e.LongContext(),
		ModelName: DefaultModelName, EntryID: e.ID, Constants: d.Constants})
}

func ownerOf(ex *Executor, call string, classes []string) string {
	name := call
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = strings.TrimSpace(name[:i])
	}
	if i, ok := ex.owner(name); ok {
		return ex.classes[i].Name
	}
	owner := ""
	for _, c := range classes {
		for _, doc := range dataset.Docs[c] {
			if doc.Name == name {
				owner = c
			}
		}
	}
	if owner != "" {
		return owner
	}
	return "(unknown method) " + strings.Join(classes, "+")
}

type gtTrace struct {
	ID           string          `json:"id"`
	InitialState json.RawMessage `json:"initial_state"`
	Turns        []struct {
		Calls      []string        `json:"calls"`
		Outputs    []string        `json:"outputs"`
		StateAfter json.RawMessage `json:"state_after"`
	} `json:"turns"`
}

func TestGoldenGTTraces(t *testing.T) {
	d := loadDataset(t)
	ta := newTally()
	readLines(t, "gt_traces.jsonl", func(line []byte) {
		var tr gtTrace
		if err := json.Unmarshal(line, &tr); err != nil {
			t.Fatal(err)
		}
		replayEntry(t, d, ta, tr.ID, func(ex *Executor, e *Entry, blamed map[string]string) {
			stateDiff(ex, tr.InitialState, e.InvolvedClasses, tr.ID+" initial", blamed)
			for ti, turn := range tr.Turns {
				where := fmt.Sprintf("%s turn %d", tr.ID, ti)
				compareOutputs(ex, e, turn.Calls, ex.Execute(turn.Calls), turn.Outputs, where, blamed)
				stateDiff(ex, turn.StateAfter, e.InvolvedClasses, where, blamed)
			}
		})
	})
	ta.report(t, "gt traces")
}

// compareOutputs walks the recorded outputs of a turn and blames each one
// that differs or is missing, and any output beyond the recorded ones.
func compareOutputs(ex *Executor, e *Entry, calls, got, want []string, where string, blamed map[string]string) {
	if len(want) != len(calls) {
		blame(blamed, "(golden)", fmt.Sprintf("%s: %d calls recorded with %d outputs", where, len(calls), len(want)))
	}
	for i, w := range want {
		call := "(no call)"
		if i < len(calls) {
			call = calls[i]
		}
		switch {
		case i >= len(got):
			blame(blamed, ownerOf(ex, call, e.InvolvedClasses), fmt.Sprintf("%s %s: no output, want %s", where, call, clip(w)))
		case got[i] != w:
			blame(blamed, ownerOf(ex, call, e.InvolvedClasses),
				fmt.Sprintf("%s %s:\n got %s\nwant %s", where, call, clip(got[i]), clip(w)))
		}
	}
	if len(got) > len(want) {
		blame(blamed, "(executor)", fmt.Sprintf("%s: %d outputs for %d recorded", where, len(got), len(want)))
	}
}

// replayEntry runs check on a fresh executor for entry id and tallies the
// classes it blames; an executor that cannot be built blames every class.
func replayEntry(t *testing.T, d *Dataset, ta *tally, id string, check func(ex *Executor, e *Entry, blamed map[string]string)) {
	t.Helper()
	e, ok := d.Entry(id)
	if !ok {
		t.Fatalf("unknown id %s", id)
	}
	blamed := map[string]string{}
	ta.add(e.InvolvedClasses, blamed)
	defer ta.fix(e.InvolvedClasses, blamed)
	ex, err := partialExecutor(d, e, blamed)
	if err != nil {
		for _, c := range e.InvolvedClasses {
			blamed[c] = err.Error()
		}
		return
	}
	check(ex, e, blamed)
}

// blame records the first mismatch found for a class.
func blame(blamed map[string]string, class, msg string) {
	if _, dup := blamed[class]; !dup {
		blamed[class] = msg
	}
}

// fix moves the last line's verdict from "ok" to "bad" when blames were
// added after add was called.
func (ta *tally) fix(classes []string, blamed map[string]string) {
	if len(blamed) == 0 {
		return
	}
	ta.ok--
	for c, msg := range blamed {
		ta.bad[c]++
		if len(ta.examples[c]) < 3 {
			ta.examples[c] = append(ta.examples[c], msg)
		}
	}
}

type randomTrace struct {
	ID    string `json:"id"`
	Seq   int    `json:"seq"`
	Calls []struct {
		Call       string          `json:"call"`
		Kind       string          `json:"kind"`
		Output     string          `json:"output"`
		StateAfter json.RawMessage `json:"state_after"`
	} `json:"calls"`
}

func TestGoldenRandomTraces(t *testing.T) {
	d := loadDataset(t)
	ta := newTally()
	readLines(t, "random_traces.jsonl", func(line []byte) {
		var tr randomTrace
		if err := json.Unmarshal(line, &tr); err != nil {
			t.Fatal(err)
		}
		replayEntry(t, d, ta, tr.ID, func(ex *Executor, e *Entry, blamed map[string]string) {
			for i, c := range tr.Calls {
				if out := ex.ExecuteOne(c.Call); out != c.Output {
					blame(blamed, ownerOf(ex, c.Call, e.InvolvedClasses),
						fmt.Sprintf("%s seq %d call %d %s [%s]:\n got %s\nwant %s", tr.ID, tr.Seq, i, c.Call, c.Kind, clip(out), clip(c.Output)))
				}
				stateDiff(ex, c.StateAfter, e.InvolvedClasses, fmt.Sprintf("%s seq %d call %d %s", tr.ID, tr.Seq, i, c.Call), blamed)
			}
		})
	})
	ta.report(t, "random traces")
}
