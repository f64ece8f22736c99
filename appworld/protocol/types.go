// Package protocol is AppWorld's environment-server protocol: the request
// and response types, an HTTP handler that serves any Backend with it, and
// a client that speaks it to a remote server (the official one or
// seeupo's native one). Every response body is {"output": ...}.
package protocol

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// InitRequest is the body of POST /initialize: the official server's
// options (AppWorldInitDefaults in AppWorld's environment.py), all but
// TaskID optional. A nil pointer, empty string or zero int is left out of
// the request, and the server takes its default (InitRequest.Defaults
// says which).
type InitRequest struct {
	TaskID                    string `json:"task_id"`
	ExperimentName            string `json:"experiment_name,omitempty"`
	RemoteAPIsURL             string `json:"remote_apis_url,omitempty"`
	RemoteEnvironmentURL      string `json:"remote_environment_url,omitempty"`
	RemoteMCPURL              string `json:"remote_mcp_url,omitempty"`
	RemoteDocker              *bool  `json:"remote_docker,omitempty"`
	MaxInteractions           int    `json:"max_interactions,omitempty"`
	MaxAPICallsPerInteraction int    `json:"max_api_calls_per_interaction,omitempty"`
	RaiseOnUnsafeSyntax       *bool  `json:"raise_on_unsafe_syntax,omitempty"`
	RaiseOnUnsafeExecution    *bool  `json:"raise_on_unsafe_execution,omitempty"`
	LoadGroundTruth           *bool  `json:"load_ground_truth,omitempty"`
	GroundTruthMode           string `json:"ground_truth_mode,omitempty"` // "minimal" or "full"
	RaiseOnFailure            *bool  `json:"raise_on_failure,omitempty"`
	RandomSeed                *int   `json:"random_seed,omitempty"`
	TimeoutSeconds            int    `json:"timeout_seconds,omitempty"`
	ShowAPIResponseSchemas    *bool  `json:"show_api_response_schemas,omitempty"`
	GCThreshold               *int   `json:"gc_threshold,omitempty"`
	IncludeDirectFunctions    *bool  `json:"include_direct_functions,omitempty"`
	DirectFunctionSeparator   string `json:"direct_function_separator,omitempty"`
	RaiseOnExtraParameters    *bool  `json:"raise_on_extra_parameters,omitempty"`
	ImportUtils               *bool  `json:"import_utils,omitempty"`
	ParseDatetimes            *bool  `json:"parse_datetimes,omitempty"`
	AllowDatetimeChange       *bool  `json:"allow_datetime_change,omitempty"`
	AddLoginShortcut          *bool  `json:"add_login_shortcut,omitempty"`
	WrapResponse              *bool  `json:"wrap_response,omitempty"`
	UnwrapResponse            *bool  `json:"unwrap_response,omitempty"`
	MunchifyResponse          *bool  `json:"munchify_response,omitempty"`
}

// DefaultExperiment is the official server's experiment name when a
// request gives none.
const DefaultExperiment = "default"

// Bool and Int point at a value, for InitRequest's optional fields.
func Bool(b bool) *bool { return &b }

// Int points at n.
func Int(n int) *int { return &n }

// Defaults returns r with every option it leaves out set to the official
// server's default.
func (r InitRequest) Defaults() InitRequest {
	str := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	num := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	flag := func(p **bool, v bool) {
		if *p == nil {
			*p = Bool(v)
		}
	}
	str(&r.ExperimentName, DefaultExperiment)
	str(&r.GroundTruthMode, "minimal")
	str(&r.DirectFunctionSeparator, "__")
	num(&r.MaxInteractions, 1000)
	num(&r.MaxAPICallsPerInteraction, 1000)
	num(&r.TimeoutSeconds, 100)
	if r.RandomSeed == nil {
		r.RandomSeed = Int(100)
	}
	if r.GCThreshold == nil {
		r.GCThreshold = Int(500000)
	}
	for _, f := range []struct {
		p **bool
		v bool
	}{{&r.RemoteDocker, false}, {&r.RaiseOnUnsafeSyntax, true}, {&r.RaiseOnUnsafeExecution, true},
		{&r.LoadGroundTruth, true}, {&r.RaiseOnFailure, true}, {&r.ShowAPIResponseSchemas, true},
		{&r.IncludeDirectFunctions, false}, {&r.RaiseOnExtraParameters, true}, {&r.ImportUtils, false},
		{&r.ParseDatetimes, false}, {&r.AllowDatetimeChange, false}, {&r.AddLoginShortcut, false},
		{&r.WrapResponse, false}, {&r.UnwrapResponse, false}, {&r.MunchifyResponse, false}} {
		flag(f.p, f.v)
	}
	return r
}

// Supervisor is the task owner.
type Supervisor struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phone_number"`
}

// InitResponse is the output of POST /initialize and of GET
// /tasks/{task_id}.
type InitResponse struct {
	TaskID      string     `json:"task_id"`
	Instruction string     `json:"instruction"`
	Supervisor  Supervisor `json:"supervisor"`
	Datetime    string     `json:"datetime"`
}

// Test is one evaluation test.
type Test struct {
	Requirement string `json:"requirement"`
	Label       string `json:"label,omitempty"`
	Trace       string `json:"trace,omitempty"`
}

// Evaluation is the output of POST /evaluate.
type Evaluation struct {
	Success    bool   `json:"success"`
	Difficulty int    `json:"difficulty"`
	NumTests   int    `json:"num_tests"`
	Passes     []Test `json:"passes"`
	Failures   []Test `json:"failures"`
}

// Reward is the SeeUPO reference's reward: 1.5 when every test passes,
// otherwise 0.5 × the fraction passed.
func (e Evaluation) Reward() float64 {
	if e.NumTests == 0 {
		return 0
	}
	if e.Success && len(e.Failures) == 0 {
		return 1.5
	}
	return 0.5 * float64(len(e.Passes)) / float64(e.NumTests)
}

// Report is the evaluation as text (POST /evaluate with report: true).
func (e Evaluation) Report(taskID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "task %s: success %v, difficulty %d, %d of %d tests passed\n", taskID, e.Success, e.Difficulty, len(e.Passes), e.NumTests)
	for _, p := range e.Passes {
		fmt.Fprintf(&b, "PASS %s\n", p.Requirement)
	}
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "FAIL %s\n%s\n", f.Requirement, f.Trace)
	}
	return b.String()
}

// Aggregate is the aggregate part of POST /evaluate_all's output, in percent.
type Aggregate struct {
	TaskGoalCompletion     float64 `json:"task_goal_completion"`
	ScenarioGoalCompletion float64 `json:"scenario_goal_completion"`
}

// AllResult is the output of POST /evaluate_all.
type AllResult struct {
	Aggregate  Aggregate             `json:"aggregate"`
	Individual map[string]Evaluation `json:"individual,omitempty"`
}

// ScenarioOf is the scenario part of an AppWorld task id ("<scenario>_<n>").
func ScenarioOf(taskID string) string {
	for i := len(taskID) - 1; i >= 0; i-- {
		if taskID[i] == '_' {
			return taskID[:i]
		}
	}
	return taskID
}

// Goals computes TGC and SGC (percentages) from per-task successes: TGC is
// the share of tasks that succeed, SGC the share of scenarios all of whose
// tasks succeed.
func Goals(success map[string]bool) Aggregate {
	if len(success) == 0 {
		return Aggregate{}
	}
	ok, scen := 0, map[string]bool{}
	for id, s := range success {
		if s {
			ok++
		}
		sc := ScenarioOf(id)
		prev, seen := scen[sc]
		scen[sc] = s && (!seen || prev)
	}
	sok := 0
	for _, s := range scen {
		if s {
			sok++
		}
	}
	return Aggregate{TaskGoalCompletion: 100 * float64(ok) / float64(len(success)),
		ScenarioGoalCompletion: 100 * float64(sok) / float64(len(scen))}
}

// ErrWrongTask is returned for a request naming another task than the
// active one (HTTP 400).
var ErrWrongTask = errors.New("the request's task_id is not the active task of this server")

// ErrInvalid is returned for a request the server refuses (HTTP 422),
// such as an option it does not offer.
var ErrInvalid = errors.New("invalid request")

// ErrNotFound is returned for an unknown task, experiment output or saved
// state (HTTP 404).
var ErrNotFound = errors.New("not found")

// Backend is one AppWorld environment server: one world at a time.
type Backend interface {
	Initialize(ctx context.Context, req InitRequest) (InitResponse, error)
	Execute(ctx context.Context, taskID, code string) (string, error)
	TaskCompleted(ctx context.Context, taskID string) (bool, error)
	Evaluate(ctx context.Context, taskID string) (Evaluation, error)
	Close(ctx context.Context, taskID string) error
	EvaluateAll(ctx context.Context, taskIDs []string, experiment string) (AllResult, error)
}

// Server is a Backend that offers the rest of the official server's
// protocol. The task, state and log calls act on the active world and
// fail with ErrWrongTask for another task, as the official server does.
type Server interface {
	Backend
	// BatchExecute runs codes one after another as one interaction and
	// returns their observations.
	BatchExecute(ctx context.Context, taskID string, codes []string) ([]string, error)
	// EvaluateSaved evaluates the state an experiment saved for a task,
	// without an active world (POST /evaluate with experiment_name).
	EvaluateSaved(ctx context.Context, taskID, experiment string) (Evaluation, error)
	// Save saves the world's state and logs.
	Save(ctx context.Context, taskID string) error
	// SaveLogs writes the world's logs (the code cells with their
	// observations, and the API calls).
	SaveLogs(ctx context.Context, taskID string) error
	// SaveState saves the state as the checkpoint stateID and returns it;
	// with an empty stateID it saves the task's output state and returns "".
	SaveState(ctx context.Context, taskID, stateID string) (string, error)
	// LoadState restores the checkpoint stateID.
	LoadState(ctx context.Context, taskID, stateID string) error
	// CloseAll closes every world of the server.
	CloseAll(ctx context.Context) error
	// ShowTask describes a task without starting it.
	ShowTask(ctx context.Context, taskID string) (InitResponse, error)
	// APIDocs is every app's API documentation: app → API → entry.
	APIDocs(ctx context.Context) (map[string]map[string]any, error)
}
