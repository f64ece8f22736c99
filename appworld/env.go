package appworld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/harness/env"
)

// Env is one AppWorld episode over a protocol backend.
type Env struct {
	settings Settings
	backend  protocol.Backend
	release  func()
	docs     *toolCache // the suite's API docs as tools (function-calling mode)
	tools    []env.Tool
	task     env.Task
	name     string // the episode's experiment name
	turns    int
	started  bool
	done     bool
	closed   bool
}

func newEnv(s Settings, b protocol.Backend, release func(), docs *toolCache) *Env {
	return &Env{settings: s, backend: b, release: release, docs: docs}
}

// SystemPrompt tells the agent how to act in AppWorld.
const SystemPrompt = `You are a coding agent working for a person (your supervisor) in a world of apps.
Each turn, write one Python code block (` + "```python ... ```" + `); it runs in a persistent interpreter and
you see its printed output. Call app APIs as apis.<app>.<api>(**kwargs); they return dicts and lists.
Find apps and APIs with apis.api_docs.show_app_descriptions(), apis.api_docs.show_api_descriptions(app_name=...)
and apis.api_docs.show_api_doc(app_name=..., api_name=...). Get your supervisor's account passwords with
apis.supervisor.show_account_passwords() and log in to an app with apis.<app>.login(username=..., password=...);
pass the returned access_token to that app's other APIs. Usernames are the supervisor's e-mail address
(the phone app uses the phone number). Print what you need to see. When the task is done, call
apis.supervisor.complete_task(answer=...) with the answer if the task asks a question, or
apis.supervisor.complete_task() otherwise; call it with status="fail" if the task cannot be done.`

// Reset implements env.Env.
func (e *Env) Reset(ctx context.Context, task env.Task) ([]env.Message, error) {
	user, err := e.begin(ctx, task, e.settings.MaxTurns)
	if err != nil {
		return nil, err
	}
	return []env.Message{{Role: "system", Content: SystemPrompt}, {Role: "user", Content: user}}, nil
}

// begin initializes task's world on the backend with a cap of
// interactions and returns the opening user message.
func (e *Env) begin(ctx context.Context, task env.Task, interactions int) (string, error) {
	if e.closed {
		return "", errors.New("appworld: Reset on a closed environment")
	}
	if e.started && !e.done {
		e.backend.Close(ctx, e.task.ID)
	}
	name := ExperimentName(ctx, e.settings.Experiment, task.ID)
	init, err := e.backend.Initialize(ctx, protocol.InitRequest{TaskID: task.ID, ExperimentName: name,
		MaxInteractions: interactions, MaxAPICallsPerInteraction: e.settings.MaxAPICalls, TimeoutSeconds: e.settings.TimeoutSeconds})
	if err != nil {
		return "", fmt.Errorf("appworld: initialize %s: %w", task.ID, err)
	}
	e.task, e.name, e.turns, e.started, e.done = task, name, 0, true, false
	sup := init.Supervisor
	return fmt.Sprintf("My name is %s %s, my e-mail is %s and my phone number is %s. It is %s.\nTask: %s",
		sup.FirstName, sup.LastName, sup.Email, sup.PhoneNumber, init.Datetime, init.Instruction), nil
}

// Experiment is the experiment name the episode was initialized with.
func (e *Env) Experiment() string { return e.name }

// episodeSeq numbers the episodes that carry no env.EpisodeLabel.
var episodeSeq atomic.Int64

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ExperimentName is an episode's experiment name: base, then the run and
// step (when the run is named), the task and the sample of the
// env.EpisodeLabel in ctx, e.g. "seeupo-1a2b3c4d-train-step3-50e1ac9_1-sample5".
// An official server keeps a task's state and evaluates it under
// experiments/outputs/<experiment>/tasks/<task>/, so episodes of one task
// that run at once on servers sharing a root must not share a name.
// Without a label the episodes of this process are numbered instead.
func ExperimentName(ctx context.Context, base, taskID string) string {
	parts := []string{base}
	if l, ok := env.EpisodeLabelOf(ctx); ok {
		if l.Run != "" {
			parts = append(parts, l.Run, fmt.Sprintf("step%d", l.Step))
		}
		parts = append(parts, taskID, fmt.Sprintf("sample%d", l.Sample))
	} else {
		parts = append(parts, taskID, fmt.Sprintf("episode%d", episodeSeq.Add(1)))
	}
	for i, p := range parts {
		parts[i] = strings.Trim(unsafeChars.ReplaceAllString(p, "-"), "-")
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "-")
}

var codeBlock = regexp.MustCompile("(?s)```(?:python|py)?[ \\t]*\\n(.*?)```")

var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// withoutThinking is the reply less its thinking: every <think>…</think>
// block, the text up to a lone </think> (the template opened the block)
// and the text from an unclosed <think> on (the reply was cut short).
func withoutThinking(reply string) string {
	reply = thinkBlock.ReplaceAllString(reply, "")
	if i := strings.LastIndex(reply, "</think>"); i >= 0 {
		reply = reply[i+len("</think>"):]
	}
	if i := strings.Index(reply, "<think>"); i >= 0 {
		reply = reply[:i]
	}
	return reply
}

// ExtractCode returns the Python code of an agent's reply: its fenced
// code blocks joined, or the whole reply when it has none. The agent's
// thinking is left out first, so code it only thought about never runs.
func ExtractCode(reply string) (string, bool) {
	reply = withoutThinking(reply)
	ms := codeBlock.FindAllStringSubmatch(reply, -1)
	if len(ms) == 0 {
		return strings.TrimSpace(reply), false
	}
	var parts []string
	for _, m := range ms {
		parts = append(parts, strings.TrimRight(m[1], "\n"))
	}
	return strings.Join(parts, "\n"), true
}

// Step implements env.Env: the reply's code runs as one cell.
func (e *Env) Step(ctx context.Context, action string) (env.StepResult, error) {
	if !e.started || e.closed {
		return env.StepResult{}, errors.New("appworld: Step before Reset or after Close")
	}
	if e.done {
		return env.StepResult{Done: true}, nil
	}
	code, fenced := ExtractCode(action)
	obs, err := e.backend.Execute(ctx, e.task.ID, code)
	if err != nil {
		return env.StepResult{}, fmt.Errorf("appworld: execute in %s: %w", e.task.ID, err)
	}
	completed, err := e.endTurn(ctx)
	if err != nil {
		return env.StepResult{}, err
	}
	return env.StepResult{
		Messages: []env.Message{{Role: "user", Content: "Output:\n```\n" + obs + "\n```"}},
		Done:     e.done,
		Info:     map[string]any{"code_fenced": fenced, "turn": e.turns, "task_completed": completed},
	}, nil
}

// endTurn counts a turn after a cell ran and asks the backend whether the
// task was completed; the episode is done then or after MaxTurns turns.
func (e *Env) endTurn(ctx context.Context) (completed bool, err error) {
	e.turns++
	completed, err = e.backend.TaskCompleted(ctx, e.task.ID)
	if err != nil {
		return false, fmt.Errorf("appworld: task_completed in %s: %w", e.task.ID, err)
	}
	e.done = completed || e.turns >= e.settings.MaxTurns
	return completed, nil
}

// Details is the JSON in env.Evaluation.Details.
type Details struct {
	TaskID     string              `json:"task_id"`
	Reward     float64             `json:"reward"`
	Turns      int                 `json:"turns"`
	Evaluation protocol.Evaluation `json:"evaluation"`
}

// Evaluate implements env.Env.
func (e *Env) Evaluate(ctx context.Context) (env.Evaluation, error) {
	if !e.started || e.closed {
		return env.Evaluation{}, errors.New("appworld: Evaluate before Reset or after Close")
	}
	ev, err := e.backend.Evaluate(ctx, e.task.ID)
	if err != nil {
		return env.Evaluation{}, fmt.Errorf("appworld: evaluate %s: %w", e.task.ID, err)
	}
	d, _ := json.Marshal(Details{TaskID: e.task.ID, Reward: ev.Reward(), Turns: e.turns, Evaluation: ev})
	return env.Evaluation{Success: ev.Success, Passed: len(ev.Passes), Total: ev.NumTests, Details: d, Level: ev.Difficulty}, nil
}

// Close implements env.Env.
func (e *Env) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	var err error
	if e.started {
		err = e.backend.Close(context.Background(), e.task.ID)
	}
	if e.release != nil {
		e.release()
	}
	return err
}

// Reward is the SeeUPO reference's reward of an evaluation: 1.5 when it
// succeeds, otherwise 0.5 × passed / total.
func Reward(ev env.Evaluation) float64 {
	if ev.Success {
		return 1.5
	}
	if ev.Total == 0 {
		return 0
	}
	return 0.5 * float64(ev.Passed) / float64(ev.Total)
}

// Goals computes TGC and SGC (percent) from episode results: TGC is the
// share of tasks that succeed, SGC the share of scenarios (task groups)
// all of whose tasks succeed.
func Goals(results map[env.Task]env.Evaluation) protocol.Aggregate {
	if len(results) == 0 {
		return protocol.Aggregate{}
	}
	ok, groups := 0, map[string]bool{}
	for t, ev := range results {
		if ev.Success {
			ok++
		}
		prev, seen := groups[t.Group]
		groups[t.Group] = ev.Success && (!seen || prev)
	}
	gok := 0
	for _, s := range groups {
		if s {
			gok++
		}
	}
	return protocol.Aggregate{TaskGoalCompletion: 100 * float64(ok) / float64(len(results)),
		ScenarioGoalCompletion: 100 * float64(gok) / float64(len(groups))}
}
