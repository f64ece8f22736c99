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
	"sync"
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

	mu      sync.Mutex
	active  *episode
	results map[string]map[string]protocol.Evaluation // experiment → task → evaluation
}

// New makes a server over the default task catalogue.
func New(opts Options) *Server {
	return &Server{opts: opts, catalogue: tasks.Default, results: map[string]map[string]protocol.Evaluation{}}
}

type episode struct {
	task       *tasks.Task
	experiment string
	opts       Options
	world      *world.World
	interp     *pyexec.Interpreter
	executions int
	mu         sync.Mutex
}

// Initialize starts task_id's world, closing any previous one.
func (s *Server) Initialize(ctx context.Context, req protocol.InitRequest) (protocol.InitResponse, error) {
	t, err := s.catalogue.Get(req.TaskID)
	if err != nil {
		return protocol.InitResponse{}, err
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
	sup := t.Supervisor
	return protocol.InitResponse{TaskID: t.ID, Instruction: t.Instruction(),
		Supervisor: protocol.Supervisor{FirstName: sup.FirstName, LastName: sup.LastName, Email: sup.Email, PhoneNumber: sup.Phone},
		Datetime:   world.BaseTime.Format(world.TimeLayout)}, nil
}

func (s *Server) start(ctx context.Context, t *tasks.Task, req protocol.InitRequest) (*episode, error) {
	store, err := world.NewStore(t.Start)
	if err != nil {
		return nil, err
	}
	ep := &episode{task: t, experiment: req.ExperimentName, opts: s.opts.merged(req),
		world: world.New(store, t.Supervisor.ID, world.BaseTime)}
	ep.interp, err = pyexec.Start(ctx, ep.opts.interpreter(ep.world))
	if err != nil {
		ep.close()
		return nil, err
	}
	return ep, nil
}

// interpreter is the configuration of an episode's interpreter, whose
// calls go to w (nil for none).
func (o Options) interpreter(w *world.World) pyexec.Config {
	cfg := pyexec.Config{Python: o.Python, Sandbox: o.Sandbox, LimitStatus: world.CallLimitStatus,
		MaxOutput: o.MaxOutput, Timeout: time.Duration(o.TimeoutSeconds) * time.Second,
		MemoryBytes: o.MemoryBytes, FileBytes: o.FileBytes, OpenFiles: 256}
	if w != nil {
		cfg.API = worldAPI(w)
	}
	return cfg
}

// worldAPI answers a cell's calls from the world, as its HTTP handler
// would.
func worldAPI(w *world.World) pyexec.API {
	return func(ctx context.Context, app, api string, args json.RawMessage) (int, []byte) {
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
}

// Check starts and closes one interpreter with the server's options: an
// error says what this machine lacks (for the sandbox, what is missing and
// how to opt into the weaker mode).
func (s *Server) Check(ctx context.Context) error {
	return pyexec.Check(ctx, s.opts.merged(protocol.InitRequest{}).interpreter(nil))
}

func (ep *episode) close() {
	if ep.interp != nil {
		ep.interp.Close()
	}
	ep.world.Store().Close()
}

func (s *Server) episode(taskID string) (*episode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil || s.active.task.ID != taskID {
		return nil, fmt.Errorf("%w (task %q)", protocol.ErrWrongTask, taskID)
	}
	return s.active, nil
}

// Execute runs one code cell and returns the observation.
func (s *Server) Execute(ctx context.Context, taskID, code string) (string, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return "", err
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.executions >= ep.opts.MaxInteractions {
		return fmt.Sprintf(ObsMaxExec, ep.opts.MaxInteractions), nil
	}
	ep.executions++
	ep.world.LimitCalls(ep.opts.MaxAPICalls)
	res, err := ep.interp.Run(ctx, code)
	ep.world.LimitCalls(0)
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
	return ep.world.Completion() != nil, nil
}

// Evaluate runs the task's state checks on the current state.
func (s *Server) Evaluate(_ context.Context, taskID string) (protocol.Evaluation, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return protocol.Evaluation{}, err
	}
	ep.mu.Lock()
	ev, err := tasks.Evaluate(ep.task, ep.world.Store(), ep.world.Completion())
	ep.mu.Unlock()
	if err != nil {
		return protocol.Evaluation{}, err
	}
	s.mu.Lock()
	if s.results[ep.experiment] == nil {
		s.results[ep.experiment] = map[string]protocol.Evaluation{}
	}
	s.results[ep.experiment][taskID] = ev
	s.mu.Unlock()
	return ev, nil
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

// EvaluateAll aggregates the evaluations this server recorded for an
// experiment; a task never evaluated counts as failed.
func (s *Server) EvaluateAll(_ context.Context, taskIDs []string, experiment string) (protocol.AllResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := protocol.AllResult{Individual: map[string]protocol.Evaluation{}}
	ok := map[string]bool{}
	for _, id := range taskIDs {
		ev, found := s.results[experiment][id]
		if !found {
			ev = protocol.Evaluation{Passes: []protocol.Test{}, Failures: []protocol.Test{{Requirement: "the task was evaluated", Trace: "no evaluation recorded in experiment " + experiment}}, NumTests: 1}
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
