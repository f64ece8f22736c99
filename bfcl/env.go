package bfcl

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/seeupo/seeupo/harness/env"
)

// SuiteName is the name the BFCL suite registers under.
const SuiteName = "bfcl"

// MaxSteps is upstream's MAXIMUM_STEP_LIMIT: a turn that reaches more
// steps is force-terminated.
const MaxSteps = 20

// Splits of the suite.
const (
	SplitTrain = "train"
	SplitTest  = "test"
	SplitAll   = "all"
)

// SuiteOptions configure the suite. They come from env.Options.Params:
// "category" (base, miss_func, miss_param, long_context, or all; default
// all), "prompt" (official or compact), "honour_excluded" (true/false),
// "model_name" and "max_steps".
type SuiteOptions struct {
	Categories     []string
	PromptForm     string
	HonourExcluded bool
	ModelName      string
	MaxSteps       int
}

// ParseSuiteOptions reads the suite's Params, naming the bad key and the
// allowed values on error.
func ParseSuiteOptions(params map[string]string) (SuiteOptions, error) {
	o := SuiteOptions{Categories: Categories, PromptForm: PromptOfficial, ModelName: DefaultModelName, MaxSteps: MaxSteps}
	for k, v := range params {
		switch k {
		case "category":
			cats, err := ParseCategories(v)
			if err != nil {
				return o, fmt.Errorf("bfcl param category: %w", err)
			}
			o.Categories = cats
		case "prompt":
			if v != PromptOfficial && v != PromptCompact {
				return o, fmt.Errorf("bfcl param prompt: %q; allowed: %s, %s", v, PromptOfficial, PromptCompact)
			}
			o.PromptForm = v
		case "honour_excluded":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, fmt.Errorf("bfcl param honour_excluded: %q; allowed: true, false", v)
			}
			o.HonourExcluded = b
		case "model_name":
			o.ModelName = v
		case "max_steps":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return o, fmt.Errorf("bfcl param max_steps: %q; want a positive integer", v)
			}
			o.MaxSteps = n
		default:
			return o, fmt.Errorf("unknown bfcl param %q; known: category, prompt, honour_excluded, model_name, max_steps", k)
		}
	}
	return o, nil
}

// ParseCategories reads "all" or a comma-separated list of categories
// (with or without the "multi_turn_" prefix).
func ParseCategories(s string) ([]string, error) {
	if s == "" || s == "all" {
		return Categories, nil
	}
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "multi_turn_")
		ok := false
		for _, k := range Categories {
			ok = ok || k == c
		}
		if !ok {
			return nil, fmt.Errorf("unknown category %q; allowed: all, %s", c, strings.Join(Categories, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

// Suite is the BFCL v4 multi-turn suite.
type Suite struct {
	data *Dataset
	opts SuiteOptions
}

func init() {
	env.Register(SuiteName, func(o env.Options) (env.Suite, error) {
		opts, err := ParseSuiteOptions(o.Params)
		if err != nil {
			return nil, err
		}
		d, err := Load(filepath.Join(o.DataDir, "bfcl_v4"))
		if err != nil {
			return nil, err
		}
		return NewSuite(d, opts), nil
	})
}

// NewSuite makes a suite over loaded data.
func NewSuite(d *Dataset, opts SuiteOptions) *Suite {
	if opts.MaxSteps == 0 {
		opts.MaxSteps = MaxSteps
	}
	if len(opts.Categories) == 0 {
		opts.Categories = Categories
	}
	return &Suite{data: d, opts: opts}
}

// Name implements env.Suite.
func (s *Suite) Name() string { return SuiteName }

// Splits implements env.Suite: train and test follow the reference split of
// multi_turn_base (splits.json) by scenario index, for every category.
func (s *Suite) Splits() []string { return []string{SplitTrain, SplitTest, SplitAll} }

// scenario is the entry's index ("multi_turn_miss_func_17" → "17").
func scenario(id string) string {
	return id[strings.LastIndexByte(id, '_')+1:]
}

// Tasks implements env.Suite.
func (s *Suite) Tasks(split string) ([]env.Task, error) {
	var keep map[string]bool
	switch split {
	case SplitAll:
	case SplitTrain, SplitTest:
		keep = map[string]bool{}
		for _, id := range s.data.Splits["multi_turn_base"][split] {
			keep[scenario(id)] = true
		}
	default:
		return nil, fmt.Errorf("unknown split %q; known: %s", split, strings.Join(s.Splits(), ", "))
	}
	var tasks []env.Task
	for _, c := range s.opts.Categories {
		for _, e := range s.data.Entries[c] {
			if keep != nil && !keep[scenario(e.ID)] {
				continue
			}
			tasks = append(tasks, env.Task{ID: e.ID, Group: "multi_turn_base_" + scenario(e.ID), Suite: SuiteName, Split: split})
		}
	}
	return tasks, nil
}

// NewEnv implements env.Suite.
func (s *Suite) NewEnv(context.Context) (env.Env, error) {
	return &Env{data: s.data, opts: s.opts}, nil
}

// Dataset returns the suite's data.
func (s *Suite) Dataset() *Dataset { return s.data }

// Env is one BFCL episode in prompting mode.
type Env struct {
	data  *Dataset
	opts  SuiteOptions
	mu    sync.Mutex
	entry *Entry
	exec  *Executor
	turn  int
	step  int
	// steps[t] are the decoded, non-empty call lists of turn t's steps.
	steps      [][][]string
	fc         bool // function-calling mode (ResetTools)
	forceQuit  bool
	done       bool
	callsTotal int
}

// Reset implements env.Env: the system prompt with the function docs and
// the first user turn.
func (v *Env) Reset(_ context.Context, task env.Task) ([]env.Message, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(task, false); err != nil {
		return nil, err
	}
	sys, err := SystemPrompt(v.data.Functions(v.entry, v.opts.HonourExcluded), v.opts.PromptForm)
	if err != nil {
		return nil, err
	}
	msgs := v.turnMessages(0)
	if len(msgs) > 0 && msgs[0].Role == "system" {
		msgs[0].Content = sys + "\n\n" + msgs[0].Content
		return msgs, nil
	}
	return append([]env.Message{{Role: "system", Content: sys}}, msgs...), nil
}

// start begins an episode of task; fc selects function-calling mode.
func (v *Env) start(task env.Task, fc bool) error {
	e, ok := v.data.Entry(task.ID)
	if !ok {
		return fmt.Errorf("bfcl: unknown task %q", task.ID)
	}
	ex, err := v.data.NewExecutor(e, v.opts.ModelName, nil)
	if err != nil {
		return err
	}
	v.entry, v.exec, v.steps, v.fc = e, ex, [][][]string{{}}, fc
	v.turn, v.step, v.callsTotal, v.forceQuit, v.done = 0, 0, 0, false, false
	return nil
}

// turnMessages are the messages that open turn t. A miss_func hand-out
// turn carries the new docs in prompting mode; in function-calling mode
// they join the tools and the message only says so.
func (v *Env) turnMessages(t int) []env.Message {
	if docs := v.data.HandedOut(v.entry, t); docs != nil {
		if v.fc {
			return []env.Message{{Role: "user", Content: AdditionalFunctionPrompt}}
		}
		return []env.Message{{Role: "user", Content: HandOutMessage(docs, v.opts.PromptForm)}}
	}
	var out []env.Message
	for _, m := range v.entry.Question[t] {
		out = append(out, env.Message{Role: m.Role, Content: m.Content})
	}
	return out
}

// Step implements env.Env: the reply's calls are executed and their
// outputs returned; a reply without calls (or that cannot be decoded) ends
// the user turn and the next one follows.
func (v *Env) Step(_ context.Context, action string) (env.StepResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.stepping("Step"); err != nil {
		return env.StepResult{Done: v.done}, err
	}
	calls, derr := DecodeExecute(action)
	if derr != nil || len(calls) == 0 || len(calls) == 1 && calls[0] == "" {
		info := map[string]any{"turn": v.turn, "calls": 0, "end_of_turn": true}
		if derr != nil {
			info["decode_error"] = derr.Error()
		}
		return v.nextTurn(info), nil
	}
	outs, res := v.execute(calls)
	res.Messages = []env.Message{{Role: "user", Content: ToolResultsMessage(calls, outs)}}
	return res, nil
}

// stepping checks that the episode can take a step of the named kind.
func (v *Env) stepping(kind string) error {
	switch {
	case v.entry == nil:
		return fmt.Errorf("bfcl: %s before Reset", kind)
	case v.done:
		return fmt.Errorf("bfcl: %s after the episode ended", kind)
	}
	return nil
}

// execute runs one step's calls and records them for the checker; more
// than MaxSteps steps in a turn force-quit the episode.
func (v *Env) execute(calls []string) ([]string, env.StepResult) {
	outs := v.exec.Execute(calls)
	v.steps[v.turn] = append(v.steps[v.turn], calls)
	v.callsTotal += len(calls)
	v.step++
	info := map[string]any{"turn": v.turn, "calls": len(calls), "outputs": outs}
	res := env.StepResult{Info: info}
	if v.step > v.opts.MaxSteps {
		v.forceQuit, v.done = true, true
		res.Done = true
		info["force_quit"] = true
	}
	return outs, res
}

func (v *Env) nextTurn(info map[string]any) env.StepResult {
	v.turn++
	v.step = 0
	if v.turn >= len(v.entry.Question) {
		v.done = true
		return env.StepResult{Done: true, Info: info}
	}
	v.steps = append(v.steps, [][]string{})
	return env.StepResult{Messages: v.turnMessages(v.turn), Info: info}
}

// EvalDetails is the JSON in Evaluation.Details.
type EvalDetails struct {
	ID     string      `json:"id"`
	Result CheckResult `json:"result"`
	Turns  int         `json:"turns_played"`
	Calls  int         `json:"calls"`
}

// Evaluate implements env.Env: upstream's verdict (force_terminated when
// the episode stopped before its last turn, else the multi-turn checker).
func (v *Env) Evaluate(context.Context) (env.Evaluation, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entry == nil {
		return env.Evaluation{}, fmt.Errorf("bfcl: Evaluate before Reset")
	}
	var r CheckResult
	played := len(v.steps)
	if v.forceQuit && played < len(v.entry.GroundTruth) || !v.done && played < len(v.entry.GroundTruth) {
		r = CheckResult{ErrorType: ErrForceTerminated, Turn: played - 1,
			ErrorMessage: fmt.Sprintf("Model was force-terminated during inference phase. The length of the model result turns (%d) does not match the length of the ground truth turns (%d).", played, len(v.entry.GroundTruth))}
	} else {
		var err error
		if r, err = v.data.Check(v.entry, v.steps, CheckOptions{ModelName: v.opts.ModelName}); err != nil {
			return env.Evaluation{}, err
		}
	}
	details, _ := json.Marshal(EvalDetails{ID: v.entry.ID, Result: r, Turns: played, Calls: v.callsTotal})
	total := 1
	passed := 0
	if r.Valid {
		passed = 1
	}
	ev := env.Evaluation{Success: r.Valid, Passed: passed, Total: total, Details: details}
	if !r.Valid && r.Turn >= 0 {
		ev.FailedTurn = r.Turn + 1
	}
	return ev, nil
}

// Close implements env.Env.
func (v *Env) Close() error { return nil }
