package appworld

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/harness/env"
)

// Difficulties are the difficulty levels AppWorld's tasks carry; its
// evaluation report has a row for each.
var Difficulties = []int{1, 2, 3}

// TaskEvaluation is one task's entry in an evaluation report.
type TaskEvaluation struct {
	TaskID     string
	Evaluation protocol.Evaluation
}

// Report is an evaluation of a set of tasks as `appworld evaluate`
// reports it: TGC and SGC over all tasks and per difficulty level, and
// every task's evaluation. Goal completions are percentages rounded as
// AppWorld rounds them (the mean to four places, then the percentage to
// one).
type Report struct {
	Dataset string
	// Overall is the aggregate row; ByDifficulty[d] the row of level d (a
	// level without tasks has zeros, as in AppWorld's report).
	Overall      protocol.Aggregate
	ByDifficulty map[int]protocol.Aggregate
	// Count and CountByDifficulty are the numbers of tasks.
	Count             int
	CountByDifficulty map[int]int
	Tasks             []TaskEvaluation
}

// NewReport makes the report of dataset (a split's name) from the
// tasks' evaluations, kept in the order given.
func NewReport(dataset string, evals []TaskEvaluation) Report {
	r := Report{Dataset: dataset, Tasks: evals, Count: len(evals), Overall: roundedGoals(evals),
		ByDifficulty: map[int]protocol.Aggregate{}, CountByDifficulty: map[int]int{}}
	for _, d := range Difficulties {
		var level []TaskEvaluation
		for _, e := range evals {
			if e.Evaluation.Difficulty == d {
				level = append(level, e)
			}
		}
		r.ByDifficulty[d], r.CountByDifficulty[d] = roundedGoals(level), len(level)
	}
	return r
}

// ReportOf makes the report of dataset from the suite's episode results
// (whose Details hold AppWorld's /evaluate output),
// in the order of tasks; a task without a result is left out.
func ReportOf(dataset string, tasks []env.Task, results map[env.Task]env.Evaluation) (Report, error) {
	var evals []TaskEvaluation
	for _, t := range tasks {
		ev, ok := results[t]
		if !ok {
			continue
		}
		pe, err := protocolEvaluation(ev)
		if err != nil {
			return Report{}, fmt.Errorf("appworld: report of %s: task %s: %w", dataset, t.ID, err)
		}
		evals = append(evals, TaskEvaluation{TaskID: t.ID, Evaluation: pe})
	}
	return NewReport(dataset, evals), nil
}

// protocolEvaluation reads AppWorld's /evaluate output from an episode's
// evaluation details (see Details).
func protocolEvaluation(ev env.Evaluation) (protocol.Evaluation, error) {
	var d Details
	if err := json.Unmarshal(ev.Details, &d); err != nil {
		return protocol.Evaluation{}, fmt.Errorf("the evaluation's details: %w", err)
	}
	return d.Evaluation, nil
}

// roundedGoals are TGC and SGC over evals, rounded as AppWorld rounds
// them: 0 for no tasks.
func roundedGoals(evals []TaskEvaluation) protocol.Aggregate {
	ok := make(map[string]bool, len(evals))
	for _, e := range evals {
		ok[e.TaskID] = e.Evaluation.Success
	}
	g := protocol.Goals(ok)
	return protocol.Aggregate{TaskGoalCompletion: roundPercent(g.TaskGoalCompletion),
		ScenarioGoalCompletion: roundPercent(g.ScenarioGoalCompletion)}
}

// roundPercent rounds a percentage as AppWorld does: the underlying
// fraction to four places, then the percentage to one.
func roundPercent(p float64) float64 {
	frac := math.Round(p/100*1e4) / 1e4
	return math.Round(frac*100*10) / 10
}

// pyFloat is a number written as Python writes a float (100.0, 66.7).
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) { return []byte(pyFloatString(float64(f))), nil }

func pyFloatString(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// The official report's JSON, field for field in AppWorld's order.
type (
	officialPass struct {
		Requirement string `json:"requirement"`
		Label       string `json:"label"`
	}
	officialFailure struct {
		Requirement string `json:"requirement"`
		Trace       string `json:"trace"`
		Label       string `json:"label"`
	}
	officialTask struct {
		Success    bool              `json:"success"`
		Difficulty int               `json:"difficulty"`
		NumTests   int               `json:"num_tests"`
		Passes     []officialPass    `json:"passes"`
		Failures   []officialFailure `json:"failures"`
	}
	officialAggregate struct {
		TaskGoalCompletion     pyFloat `json:"task_goal_completion"`
		ScenarioGoalCompletion pyFloat `json:"scenario_goal_completion"`
	}
)

// JSON is the report as `appworld evaluate` writes
// experiments/outputs/<experiment>/evaluations/<dataset>.json:
// {"aggregate": {"task_goal_completion", "scenario_goal_completion"},
// "individual": {task_id: {"success", "difficulty", "num_tests", "passes",
// "failures"}}}, indented by four spaces, tasks in the report's order.
func (r Report) JSON() ([]byte, error) {
	agg, err := pyJSON(officialAggregate{pyFloat(r.Overall.TaskGoalCompletion),
		pyFloat(r.Overall.ScenarioGoalCompletion)}, "    ")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("{\n    \"aggregate\": ")
	b.Write(agg)
	b.WriteString(",\n    \"individual\": {")
	for i, t := range r.Tasks {
		entry, err := pyJSON(officialTaskOf(t.Evaluation), "        ")
		if err != nil {
			return nil, err
		}
		key, _ := pyJSON(t.TaskID, "")
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n        %s: %s", key, entry)
	}
	if len(r.Tasks) > 0 {
		b.WriteString("\n    ")
	}
	b.WriteString("}\n}")
	return b.Bytes(), nil
}

// pyJSON writes v as Python's json.dumps(v, indent=4) does, each line
// after the first led by prefix: no HTML escapes, every non-ASCII
// character as a \u escape (surrogate pairs beyond the BMP).
func pyJSON(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "    ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, r := range strings.TrimSuffix(b.String(), "\n") {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&out, "\\u%04x\\u%04x", hi, lo)
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.Bytes(), nil
}

func officialTaskOf(e protocol.Evaluation) officialTask {
	t := officialTask{Success: e.Success, Difficulty: e.Difficulty, NumTests: e.NumTests,
		Passes: []officialPass{}, Failures: []officialFailure{}}
	for _, p := range e.Passes {
		t.Passes = append(t.Passes, officialPass{Requirement: p.Requirement, Label: p.Label})
	}
	for _, f := range e.Failures {
		t.Failures = append(t.Failures, officialFailure{Requirement: f.Requirement, Trace: f.Trace, Label: f.Label})
	}
	return t
}

// Text is the report's table as `appworld evaluate` prints it and writes
// <dataset>.txt: columns type, task_goal_completion and
// scenario_goal_completion; rows aggregate and difficulty_1 to
// difficulty_3; every cell centred in its column.
func (r Report) Text() string {
	rows := [][]string{{"type", "task_goal_completion", "scenario_goal_completion"},
		{"aggregate", pyFloatString(r.Overall.TaskGoalCompletion), pyFloatString(r.Overall.ScenarioGoalCompletion)}}
	for _, d := range Difficulties {
		g := r.ByDifficulty[d]
		rows = append(rows, []string{fmt.Sprintf("difficulty_%d", d), emptyAsZero(g.TaskGoalCompletion, r.CountByDifficulty[d]),
			emptyAsZero(g.ScenarioGoalCompletion, r.CountByDifficulty[d])})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	for n, row := range rows {
		cells := make([]string, len(row))
		for i, cell := range row {
			cells[i] = centre(cell, widths[i])
		}
		b.WriteString(strings.Join(cells, " | ") + "\n")
		if n == 0 {
			dashes := make([]string, len(widths))
			for i, w := range widths {
				dashes[i] = strings.Repeat("-", w)
			}
			b.WriteString(strings.Join(dashes, "-+-") + "\n")
		}
	}
	return b.String()
}

// emptyAsZero writes a level's figure; AppWorld writes a level without
// tasks as the integer 0.
func emptyAsZero(v float64, tasks int) string {
	if tasks == 0 {
		return "0"
	}
	return pyFloatString(v)
}

// centre pads s to width as Python's str.center does: of an odd padding,
// the extra space goes left when the width is odd, right otherwise.
func centre(s string, width int) string {
	pad := width - len(s)
	if pad <= 0 {
		return s
	}
	left := pad/2 + (pad & width & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left)
}

// Write writes the report where `appworld evaluate` writes its own, in
// dir (an experiment's evaluations directory): <dataset>.json and
// <dataset>.txt. It returns the two paths.
func (r Report) Write(dir string) (jsonPath, textPath string, err error) {
	if r.Dataset == "" || strings.ContainsAny(r.Dataset, `/\`) {
		return "", "", fmt.Errorf("appworld: report dataset name %q", r.Dataset)
	}
	js, err := r.JSON()
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	jsonPath, textPath = filepath.Join(dir, r.Dataset+".json"), filepath.Join(dir, r.Dataset+".txt")
	if err := os.WriteFile(jsonPath, js, 0o644); err != nil {
		return "", "", err
	}
	return jsonPath, textPath, os.WriteFile(textPath, []byte(r.Text()), 0o644)
}
