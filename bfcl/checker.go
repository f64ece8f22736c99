package bfcl

import (
	"fmt"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// Checker error types, as upstream names them.
const (
	ErrEmptyTurn        = "multi_turn:empty_turn_model_response"
	ErrStateMismatch    = "multi_turn:instance_state_mismatch"
	ErrResponseMismatch = "multi_turn:execution_response_mismatch"
	ErrForceTerminated  = "multi_turn:force_terminated"
	ErrInferenceError   = "multi_turn:inference_error"
)

// CheckResult is the multi-turn checker's verdict.
type CheckResult struct {
	Valid        bool   `json:"valid"`
	ErrorType    string `json:"error_type,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	// Turn is the turn that failed (-1 when valid).
	Turn int `json:"turn"`
	// Class is the first class whose state differs (state failures).
	Class string `json:"class,omitempty"`
	// Differences lists the differing public attributes of Class.
	Differences []string `json:"differences,omitempty"`
	// Missing lists the ground-truth outputs not found (response failures).
	Missing []string `json:"missing,omitempty"`
}

// CheckOptions tune the checker.
type CheckOptions struct {
	// ModelName forms the instance variable names (see ExecutorConfig);
	// "" means DefaultModelName.
	ModelName string
}

// Check runs upstream's multi_turn_checker: model[t] holds the steps of
// turn t, each a list of call strings (a turn beyond len(model) has no
// step). The model's and the ground truth's instances live in one process,
// as upstream's do.
func (d *Dataset) Check(e *Entry, model [][][]string, opts CheckOptions) (CheckResult, error) {
	r, _, err := d.CheckDetailed(e, model, opts)
	return r, err
}

// CheckDetailed is Check that also returns, for an invalid answer, the
// dict upstream's multi_turn_checker returns without its "valid" key
// (error_message, error_type, details and, for a state mismatch,
// execution_result), the form upstream's score files record.
func (d *Dataset) CheckDetailed(e *Entry, model [][][]string, opts CheckOptions) (CheckResult, *py.Dict, error) {
	name := opts.ModelName
	if name == "" {
		name = DefaultModelName
	}
	proc := backend.NewProcess(d.Constants)
	modelEx, err := d.NewExecutor(e, name+"_eval", proc)
	if err != nil {
		return CheckResult{}, nil, err
	}
	gtEx, err := d.NewExecutor(e, name+"_ground_truth_eval", proc)
	if err != nil {
		return CheckResult{}, nil, err
	}
	var allModel []string
	executions := &py.List{}
	for t, gtTurn := range e.GroundTruth {
		var steps [][]string
		if t < len(model) {
			steps = model[t]
		}
		stepOuts := &py.List{}
		for _, step := range steps {
			out := modelEx.Execute(step)
			allModel = append(allModel, out...)
			stepOuts.Items = append(stepOuts.Items, strList(out))
		}
		gtOut := gtEx.Execute(gtTurn)
		executions.Items = append(executions.Items, py.NewDict().With("model", stepOuts).With("ground_truth", strList(gtOut)))
		if len(gtTurn) > 0 && isEmptyResponse(steps) {
			r := CheckResult{ErrorType: ErrEmptyTurn, Turn: t,
				ErrorMessage: fmt.Sprintf("Model response list is empty for turn %d", t)}
			return r, upstreamResult(r).With("details", py.NewDict().With("execution_result", executions)), nil
		}
		if len(gtTurn) == 0 {
			continue
		}
		if r, ok := compareStates(modelEx, gtEx, t); !ok {
			return r, stateMismatchResult(r, modelEx, gtEx).With("execution_result", executions), nil
		}
		if missing := missingOutputs(gtOut, allModel); len(missing) > 0 {
			r := CheckResult{ErrorType: ErrResponseMismatch, Turn: t, Missing: missing,
				ErrorMessage: fmt.Sprintf("Model response execution results so far does not contain all the ground truth response execution results for turn %d.", t)}
			details := py.NewDict().With("missing_items", strList(missing)).
				With("model_response (including all previous turns)", strList(allModel)).
				With("ground_truth_response (only the current turn)", strList(gtOut))
			return r, upstreamResult(r).With("details", details), nil
		}
	}
	return CheckResult{Valid: true, Turn: -1}, nil, nil
}

func strList(ss []string) *py.List {
	l := &py.List{Items: make([]py.Value, len(ss))}
	for i, s := range ss {
		l.Items[i] = py.Str(s)
	}
	return l
}

func upstreamResult(r CheckResult) *py.Dict {
	return py.NewDict().With("error_message", py.Str(r.ErrorMessage)).With("error_type", py.Str(r.ErrorType))
}

// stateMismatchResult is upstream's state_checker verdict: the differing
// attributes and both instances' public attributes.
func stateMismatchResult(r CheckResult, model, gt *Executor) *py.Dict {
	var mi, gi backend.Instance
	for i, c := range gt.classes {
		if c.Name == r.Class {
			mi, gi = model.instances[i], gt.instances[i]
		}
	}
	diffs := py.NewDict()
	mState, gState := mi.State(), gi.State()
	for _, n := range r.Differences {
		diffs.SetStr(n, py.NewDict().With("model", attrValue(mState, n)).With("ground_truth", attrValue(gState, n)))
	}
	return upstreamResult(r).With("details", py.NewDict().With("differences", diffs).
		With("model_instance_state", attrDict(mState)).With("ground_truth_instance_state", attrDict(gState)))
}

func attrDict(attrs []py.Attr) *py.Dict {
	d := py.NewDict()
	for _, a := range attrs {
		d.SetStr(a.Name, a.Value)
	}
	return d
}

// isEmptyResponse is upstream's is_empty_execute_response for a turn's
// steps: no step, or a single empty step.
func isEmptyResponse(steps [][]string) bool {
	return len(steps) == 0 || len(steps) == 1 && len(steps[0]) == 0
}

// compareStates compares every public attribute, class by class in
// involved order, with Python ==.
func compareStates(model, gt *Executor, turn int) (CheckResult, bool) {
	for i, c := range gt.classes {
		want := gt.instances[i].State()
		got := model.instances[i].State()
		var diffs []string
		for _, w := range want {
			g := attrValue(got, w.Name)
			if !py.Eq(g, w.Value) {
				diffs = append(diffs, w.Name)
			}
		}
		if len(diffs) > 0 {
			return CheckResult{ErrorType: ErrStateMismatch, Turn: turn, Class: c.Name, Differences: diffs,
				ErrorMessage: fmt.Sprintf("Model instance for %s does not match the state with ground truth instance.", c.Name)}, false
		}
	}
	return CheckResult{}, true
}

func attrValue(attrs []py.Attr, name string) py.Value {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return nil
}

// missingOutputs is upstream's _is_subsequence_unordered: each expected
// output must be matched by a distinct model output.
func missingOutputs(want, got []string) []string {
	pool := map[string]int{}
	for _, g := range got {
		pool[g]++
	}
	var missing []string
	for _, w := range want {
		if pool[w] > 0 {
			pool[w]--
			continue
		}
		missing = append(missing, w)
	}
	return missing
}

// VerifyGroundTruth runs the ground truth of e through the checker as the
// model's answer (one step per non-empty turn).
func (d *Dataset) VerifyGroundTruth(e *Entry) (CheckResult, error) {
	return d.Check(e, GroundTruthAnswer(e.GroundTruth), CheckOptions{})
}

// GroundTruthAnswer turns per-turn call lists into checker input: one step
// per non-empty turn, no step for an empty one.
func GroundTruthAnswer(turns [][]string) [][][]string {
	out := make([][][]string, len(turns))
	for t, calls := range turns {
		if len(calls) > 0 {
			out[t] = [][]string{calls}
		}
	}
	return out
}

// DropLastCall returns a copy of turns without the entry's last call (the
// last call of the last non-empty turn).
func DropLastCall(turns [][]string) [][]string {
	out := make([][]string, len(turns))
	for i, t := range turns {
		out[i] = append([]string(nil), t...)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if len(out[i]) > 0 {
			out[i] = out[i][:len(out[i])-1]
			break
		}
	}
	return out
}
