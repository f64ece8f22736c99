// Package native serves the native AppWorld-style world as an AppWorld
// environment server backend: one world at a time, each episode with its
// own python3 interpreter in a sandbox (see pyexec), whose API calls the
// server answers from the episode's world.
package native

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/appworld/world"
)

// Observations that are not the cell's own output. The first three are
// AppWorld's; the output cap and a crashed interpreter are this world's.
const (
	ObsSuccess     = "Execution successful."
	ObsTimeout     = "Execution timed out after %d seconds."
	ObsCallLimit   = "Number of requests exceeded the limit of %d"
	ObsMaxExec     = "Maximum number of executions (%d) reached."
	ObsOutputLimit = "Output exceeded the limit of %d characters; the cell was stopped."
	ObsRestarted   = "The interpreter had to be restarted; variables from earlier cells are lost."
	ObsExit        = "Execution failed. Traceback:\nSystemExit: exiting the interpreter is not allowed."
	ObsBroken      = "Execution failed: the cell broke the interpreter's result channel (%s)."
)

// Options configure the server; zero values take AppWorld's defaults.
type Options struct {
	// Root is the directory under which experiments keep their tasks'
	// outputs, experiments/outputs/<experiment>/tasks/<task>/, as under
	// the official server's root; empty keeps them in memory (the last 64
	// tasks').
	Root   string
	Python string
	// Sandbox isolates the interpreters: pyexec.Namespaces (the default)
	// or, by name only, the weaker pyexec.HookOnly.
	Sandbox         pyexec.Sandbox
	MaxInteractions int
	MaxAPICalls     int
	TimeoutSeconds  int
	MaxOutput       int
	MemoryBytes     int64
	FileBytes       int64
}

func (o Options) merged(r protocol.InitRequest) Options {
	if r.MaxInteractions > 0 {
		o.MaxInteractions = r.MaxInteractions
	}
	if r.MaxAPICallsPerInteraction > 0 {
		o.MaxAPICalls = r.MaxAPICallsPerInteraction
	}
	if r.TimeoutSeconds > 0 {
		o.TimeoutSeconds = r.TimeoutSeconds
	}
	if o.MaxInteractions <= 0 {
		o.MaxInteractions = 1000
	}
	if o.MaxAPICalls <= 0 {
		o.MaxAPICalls = 1000
	}
	if o.TimeoutSeconds <= 0 {
		o.TimeoutSeconds = 100
	}
	if o.MaxOutput <= 0 {
		o.MaxOutput = 100_000
	}
	if o.MemoryBytes == 0 {
		o.MemoryBytes = 2 << 30
	}
	if o.FileBytes == 0 {
		o.FileBytes = 64 << 20
	}
	return o
}

// Server is a native environment server. It is safe for concurrent use,
// but like AppWorld's it holds one world at a time.
type Server struct {
	opts      Options
	catalogue *tasks.Catalogue

	outputs *outputs

	mu     sync.Mutex
	active *episode
}

// New makes a server over the default task catalogue.
func New(opts Options) *Server {
	return &Server{opts: opts, catalogue: tasks.Default, outputs: newOutputs(opts.Root)}
}

type episode struct {
	task        *tasks.Task
	dir         string // the task's output directory in its experiment
	opts        Options
	groundTruth bool
	world       atomic.Pointer[world.World]
	interp      *pyexec.Interpreter
	executions  int
	io          []ioEntry // the cells run and their observations
	mu          sync.Mutex

	callsMu sync.Mutex
	calls   []apiCall
}

// Initialize starts task_id's world, closing any previous one. The
// task's output directory in the experiment is emptied and the start
// state saved in it.
func (s *Server) Initialize(ctx context.Context, req protocol.InitRequest) (protocol.InitResponse, error) {
	if err := supported(req.Defaults()); err != nil {
		return protocol.InitResponse{}, err
	}
	t, err := s.catalogue.Get(req.TaskID)
	if err != nil {
		return protocol.InitResponse{}, fmt.Errorf("%w: %w", protocol.ErrNotFound, err)
	}
	s.mu.Lock()
	prev := s.active
	s.active = nil
	s.mu.Unlock()
	if prev != nil {
		prev.close()
	}
	ep, err := s.start(ctx, t, req)
	if err != nil {
		return protocol.InitResponse{}, err
	}
	s.mu.Lock()
	s.active = ep
	s.mu.Unlock()
	return taskInfo(t), nil
}

func taskInfo(t *tasks.Task) protocol.InitResponse {
	sup := t.Supervisor
	return protocol.InitResponse{TaskID: t.ID, Instruction: t.Instruction(),
		Supervisor: protocol.Supervisor{FirstName: sup.FirstName, LastName: sup.LastName, Email: sup.Email, PhoneNumber: sup.Phone},
		Datetime:   world.BaseTime.Format(world.TimeLayout)}
}

func (s *Server) start(ctx context.Context, t *tasks.Task, req protocol.InitRequest) (*episode, error) {
	store, err := world.NewStore(t.Start)
	if err != nil {
		return nil, err
	}
	// The server's own options stand where the request leaves one out.
	full := req.Defaults()
	ep := &episode{task: t, dir: taskDir(full.ExperimentName, t.ID), opts: s.opts.merged(req), groundTruth: *full.LoadGroundTruth}
	ep.world.Store(world.New(store, t.Supervisor.ID, world.BaseTime))
	if err := s.outputs.reset(ep.dir); err != nil {
		ep.close()
		return nil, err
	}
	if err := s.outputs.saveState(ep.dir, "dbs", ep.world.Load()); err != nil {
		ep.close()
		return nil, err
	}
	cfg := ep.opts.interpreter()
	cfg.API = ep.api
	cfg.Clock = world.BaseTime.Format(world.TimeLayout) // the task's date-time, as AppWorld freezes it
	ep.interp, err = pyexec.Start(ctx, cfg)
	if err != nil {
		ep.close()
		return nil, err
	}
	return ep, nil
}

// interpreter is the configuration of an episode's interpreter, without
// its API.
func (o Options) interpreter() pyexec.Config {
	return pyexec.Config{Python: o.Python, Sandbox: o.Sandbox, LimitStatus: world.CallLimitStatus,
		MaxOutput: o.MaxOutput, Timeout: time.Duration(o.TimeoutSeconds) * time.Second,
		MemoryBytes: o.MemoryBytes, FileBytes: o.FileBytes, OpenFiles: 256}
}

// api answers a cell's calls from the episode's current world, as its
// HTTP handler would, and logs them.
func (ep *episode) api(ctx context.Context, app, api string, args json.RawMessage) (int, []byte) {
	status, body := callWorld(ctx, ep.world.Load(), app, api, args)
	ep.callsMu.Lock()
	ep.calls = append(ep.calls, apiCall{App: app, API: api, Arguments: args, Status: status})
	ep.callsMu.Unlock()
	return status, body
}

func callWorld(ctx context.Context, w *world.World, app, api string, args json.RawMessage) (int, []byte) {
	raw := map[string]any{}
	if len(args) > 0 && json.Unmarshal(args, &raw) != nil {
		return 422, []byte(`{"message":"The request body must be a JSON object of arguments."}`)
	}
	out, aerr := w.Call(ctx, app, api, raw)
	if aerr != nil {
		b, _ := json.Marshal(map[string]any{"message": aerr.Message})
		return aerr.Status, b
	}
	b, err := json.Marshal(out)
	if err != nil {
		return 500, []byte(`{"message":"The answer could not be encoded."}`)
	}
	return 200, b
}

// Check starts and closes one interpreter with the server's options: an
// error says what this machine lacks (for the sandbox, what is missing and
// how to opt into the weaker mode).
func (s *Server) Check(ctx context.Context) error {
	return pyexec.Check(ctx, s.opts.merged(protocol.InitRequest{}).interpreter())
}

func (ep *episode) close() {
	if ep.interp != nil {
		ep.interp.Close()
	}
	ep.world.Load().Store().Close()
}

func (s *Server) episode(taskID string) (*episode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil || s.active.task.ID != taskID {
		return nil, fmt.Errorf("%w (task %q)", protocol.ErrWrongTask, taskID)
	}
	return s.active, nil
}

// Execute runs one code cell and returns the observation; the state and
// the logs are saved after it, as AppWorld's server saves them.
func (s *Server) Execute(ctx context.Context, taskID, code string) (string, error) {
	out, err := s.BatchExecute(ctx, taskID, []string{code})
	if err != nil {
		return "", err
	}
	return out[0], nil
}

// BatchExecute runs codes one after another as one interaction.
func (s *Server) BatchExecute(ctx context.Context, taskID string, codes []string) ([]string, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return nil, err
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	over := ep.executions >= ep.opts.MaxInteractions
	ep.executions++
	n := ep.executions
	out := make([]string, len(codes))
	for i, code := range codes {
		if over {
			out[i] = fmt.Sprintf(ObsMaxExec, ep.opts.MaxInteractions)
		} else if out[i], err = ep.run(ctx, code); err != nil {
			return nil, err
		}
		num := strconv.Itoa(n)
		if len(codes) > 1 {
			num += "." + strconv.Itoa(i+1)
		}
		ep.io = append(ep.io, ioEntry{Number: num, Input: code, Output: out[i]})
	}
	if err := s.outputs.saveState(ep.dir, "dbs", ep.world.Load()); err != nil {
		return nil, err
	}
	return out, s.saveLogs(ep)
}

// run runs one cell with the per-cell call cap. ep.mu is held.
func (ep *episode) run(ctx context.Context, code string) (string, error) {
	w := ep.world.Load()
	w.LimitCalls(ep.opts.MaxAPICalls)
	res, err := ep.interp.Run(ctx, code)
	w.LimitCalls(0)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return "", err
	}
	return observation(res, ep.opts), nil
}

func observation(r pyexec.Result, o Options) string {
	out := r.Output
	var tail string
	switch r.Status {
	case pyexec.OK:
		if out == "" {
			return ObsSuccess
		}
		return out
	case pyexec.Failed:
		tail = r.Failure
	case pyexec.TimedOut:
		tail = fmt.Sprintf(ObsTimeout, o.TimeoutSeconds)
	case pyexec.CallLimit:
		tail = fmt.Sprintf(ObsCallLimit, o.MaxAPICalls)
	case pyexec.OutputLimit:
		tail = fmt.Sprintf(ObsOutputLimit, o.MaxOutput)
	case pyexec.Exited:
		tail = ObsExit
	case pyexec.Broken:
		tail = fmt.Sprintf(ObsBroken, r.Failure)
	default:
		tail = ObsRestarted
	}
	if r.Restarted && r.Status != pyexec.Crashed {
		tail += "\n" + ObsRestarted
	}
	if out != "" && !endsWithNewline(out) {
		out += "\n"
	}
	return out + tail
}

func endsWithNewline(s string) bool { return len(s) > 0 && s[len(s)-1] == '\n' }

// TaskCompleted reports whether the supervisor's complete_task was called.
func (s *Server) TaskCompleted(_ context.Context, taskID string) (bool, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return false, err
	}
	return ep.world.Load().Completion() != nil, nil
}

// Evaluate runs the task's state checks on the state the active world
// saved in its experiment (after its last cell), as AppWorld's server
// evaluates the saved state rather than the live one.
func (s *Server) Evaluate(_ context.Context, taskID string) (protocol.Evaluation, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return protocol.Evaluation{}, err
	}
	if !ep.groundTruth {
		return protocol.Evaluation{}, fmt.Errorf("task %s was initialized without its ground truth (load_ground_truth: false), so it cannot be evaluated", taskID)
	}
	return s.evaluate(ep.task, ep.dir)
}

// EvaluateSaved runs the task's state checks on the state an experiment
// saved for it.
func (s *Server) EvaluateSaved(_ context.Context, taskID, experiment string) (protocol.Evaluation, error) {
	if err := validName(experiment, true); err != nil {
		return protocol.Evaluation{}, err
	}
	t, err := s.catalogue.Get(taskID)
	if err != nil {
		return protocol.Evaluation{}, fmt.Errorf("%w: %w", protocol.ErrNotFound, err)
	}
	return s.evaluate(t, taskDir(experiment, taskID))
}

func (s *Server) evaluate(t *tasks.Task, dir string) (protocol.Evaluation, error) {
	store, done, err := s.outputs.loadState(dir, "dbs")
	if err != nil {
		return protocol.Evaluation{}, err
	}
	defer store.Close()
	return tasks.Evaluate(t, store, done)
}

// Close ends the active episode.
func (s *Server) Close(_ context.Context, taskID string) error {
	ep, err := s.episode(taskID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.active = nil
	s.mu.Unlock()
	ep.close()
	return nil
}

// CloseAll closes the active episode, if any.
func (s *Server) CloseAll(context.Context) error {
	s.Shutdown()
	return nil
}

// EvaluateAll evaluates the states an experiment saved for the tasks; a
// task without one counts as failed.
func (s *Server) EvaluateAll(ctx context.Context, taskIDs []string, experiment string) (protocol.AllResult, error) {
	out := protocol.AllResult{Individual: map[string]protocol.Evaluation{}}
	ok := map[string]bool{}
	for _, id := range taskIDs {
		ev, err := s.EvaluateSaved(ctx, id, experiment)
		switch {
		case errors.Is(err, protocol.ErrNotFound):
			ev = protocol.Evaluation{Passes: []protocol.Test{}, Failures: []protocol.Test{{Requirement: "the task was evaluated", Trace: "no saved state of task " + id + " in experiment " + experiment}}, NumTests: 1}
		case err != nil:
			return protocol.AllResult{}, err
		}
		out.Individual[id] = ev
		ok[id] = ev.Success
	}
	out.Aggregate = protocol.Goals(ok)
	return out, nil
}

// Shutdown closes the active episode, if any.
func (s *Server) Shutdown() {
	s.mu.Lock()
	ep := s.active
	s.active = nil
	s.mu.Unlock()
	if ep != nil {
		ep.close()
	}
}
