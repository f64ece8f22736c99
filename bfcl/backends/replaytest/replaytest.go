// Package replaytest replays the BFCL golden traces for one backend class:
// every call of gt_traces.jsonl and random_traces.jsonl that upstream
// dispatches to that class is executed on a fresh instance per trace, and
// its output and the class's state after it are compared with the
// recorded ones. Calls that go to other classes are skipped; they cannot
// change this class's state.
//
// It is used by the backend packages' tests.
package replaytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/internal/testdata"
)

// Report counts the traces that involve the class and those replayed
// identically (every output byte-identical, every state equal).
type Report struct {
	Traces, Identical int
	Calls, CallsOK    int
	Failures          []string
}

type gtLine struct {
	ID           string                     `json:"id"`
	InitialState map[string]json.RawMessage `json:"initial_state"`
	Turns        []struct {
		Calls      []string                   `json:"calls"`
		Outputs    []string                   `json:"outputs"`
		StateAfter map[string]json.RawMessage `json:"state_after"`
	} `json:"turns"`
}

type randomLine struct {
	ID    string `json:"id"`
	Seq   int    `json:"seq"`
	Calls []struct {
		Call       string                     `json:"call"`
		Output     string                     `json:"output"`
		StateAfter map[string]json.RawMessage `json:"state_after"`
	} `json:"calls"`
}

// replayer holds what every trace needs.
type replayer struct {
	class string
	ds    *bfcl.Dataset
	// methods maps a class to its public method names (from the docs).
	methods map[string]map[string]bool
}

// Run replays both trace files for class and reports the figures with
// t.Logf; mismatches are test errors (the first few are printed).
func Run(t *testing.T, class string) Report {
	t.Helper()
	dir := testdata.Dir(t, "bfcl_v4")
	ds, err := bfcl.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &replayer{class: class, ds: ds, methods: map[string]map[string]bool{}}
	for c, docs := range ds.Docs {
		r.methods[c] = map[string]bool{}
		for _, d := range docs {
			r.methods[c][d.Name] = true
		}
	}
	var rep Report
	testdata.EachLine(t, filepath.Join(dir, "golden", "gt_traces.jsonl"), func(line []byte) {
		var l gtLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		r.gt(t, l, &rep)
	})
	testdata.EachLine(t, filepath.Join(dir, "golden", "random_traces.jsonl"), func(line []byte) {
		var l randomLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		r.random(t, l, &rep)
	})
	t.Logf("%s: traces identical %d/%d, calls identical %d/%d", class, rep.Identical, rep.Traces, rep.CallsOK, rep.Calls)
	for i, f := range rep.Failures {
		if i == 15 {
			t.Errorf("... %d more mismatches", len(rep.Failures)-15)
			break
		}
		t.Error(f)
	}
	return rep
}

// owner is the involved class that receives a call of name: the last one
// that has such a method, as upstream's rewriting does.
func (r *replayer) owner(e *bfcl.Entry, call string) string {
	name := strings.TrimSpace(strings.SplitN(call, "(", 2)[0])
	owner := ""
	for _, c := range e.InvolvedClasses {
		if r.methods[c][name] {
			owner = c
		}
	}
	return owner
}

func (r *replayer) executor(t *testing.T, e *bfcl.Entry) *bfcl.Executor {
	t.Helper()
	ex, err := bfcl.NewExecutor(bfcl.ExecutorConfig{
		Classes: []string{r.class}, InitialConfig: e.InitialConfig, LongContext: e.LongContext(),
		ModelName: "golden", EntryID: e.ID, Constants: r.ds.Constants,
	})
	if err != nil {
		t.Fatalf("%s: %v", e.ID, err)
	}
	return ex
}

func (r *replayer) involved(e *bfcl.Entry) bool {
	for _, c := range e.InvolvedClasses {
		if c == r.class {
			return true
		}
	}
	return false
}

// classState extracts this class's state from the executor's encoding.
func (r *replayer) classState(ex *bfcl.Executor) json.RawMessage {
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(ex.State()), &all); err != nil {
		return json.RawMessage(fmt.Sprintf("%q", err.Error()))
	}
	return all[r.class]
}

func compact(b []byte) string {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return string(b)
	}
	return out.String()
}

func (r *replayer) gt(t *testing.T, l gtLine, rep *Report) {
	e, ok := r.ds.Entry(l.ID)
	if !ok || !r.involved(e) {
		return
	}
	rep.Traces++
	ex := r.executor(t, e)
	ok = r.sameState(ex, l.InitialState, l.ID+" initial state", rep)
	for ti, turn := range l.Turns {
		where := fmt.Sprintf("%s turn %d", l.ID, ti)
		if len(turn.Outputs) != len(turn.Calls) {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %d calls recorded with %d outputs", where, len(turn.Calls), len(turn.Outputs)))
			ok = false
			continue
		}
		for ci, call := range turn.Calls {
			if r.owner(e, call) != r.class {
				continue
			}
			ok = r.sameOutput(ex, call, turn.Outputs[ci], where, rep) && ok
		}
		ok = r.sameState(ex, turn.StateAfter, fmt.Sprintf("%s after turn %d", l.ID, ti), rep) && ok
	}
	if ok {
		rep.Identical++
	}
}

func (r *replayer) random(t *testing.T, l randomLine, rep *Report) {
	e, ok := r.ds.Entry(l.ID)
	if !ok || !r.involved(e) {
		return
	}
	rep.Traces++
	ex := r.executor(t, e)
	ok = true
	for ci, c := range l.Calls {
		if r.owner(e, c.Call) != r.class {
			continue
		}
		where := fmt.Sprintf("%s seq %d call %d", l.ID, l.Seq, ci)
		ok = r.sameOutput(ex, c.Call, c.Output, where, rep) && ok
		ok = r.sameState(ex, c.StateAfter, where, rep) && ok
	}
	if ok {
		rep.Identical++
	}
}

func (r *replayer) sameOutput(ex *bfcl.Executor, call, want, where string, rep *Report) bool {
	rep.Calls++
	got := ex.ExecuteOne(call)
	if got == want {
		rep.CallsOK++
		return true
	}
	rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %s\n  got  %s\n  want %s", where, call, clip(got), clip(want)))
	return false
}

func (r *replayer) sameState(ex *bfcl.Executor, want map[string]json.RawMessage, where string, rep *Report) bool {
	w, ok := want[r.class]
	if !ok {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%s: the recorded state has no %s", where, r.class))
		return false
	}
	got := compact(r.classState(ex))
	if got == compact(w) {
		return true
	}
	rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %s state\n  got  %s\n  want %s", where, r.class, clip(got), clip(compact(w))))
	return false
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
