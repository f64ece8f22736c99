package appworld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/appworld/world"
)

// This file is what the `seeupo appworld` commands do with the native
// world (serve it, list its tasks and APIs, check its reference
// solutions, probe a server), so that other packages reach the world's
// internals through this package alone.

// SeccompProfile is Docker's default seccomp profile extended by what the
// native world's sandbox needs, as JSON.
func SeccompProfile() ([]byte, error) { return pyexec.SeccompProfile() }

// nativeOptions are the native world's options of the settings.
func (s Settings) nativeOptions() native.Options {
	return native.Options{Python: s.Python, Sandbox: s.Sandbox, MaxAPICalls: s.MaxAPICalls,
		TimeoutSeconds: s.TimeoutSeconds, MaxOutput: s.MaxOutput}
}

// Server is the native world served over AppWorld's environment-server
// protocol; like AppWorld's server it holds one world at a time.
type Server struct {
	world   *native.Server
	sandbox pyexec.Sandbox
}

// NewServer starts the native world with the settings' interpreter,
// sandbox and limits, and checks that it runs code cells (its sandbox
// included); Close stops it. With the settings' Root the experiments'
// outputs are kept under <Root>/experiments/outputs/, as the official
// server keeps them under its root; without one, in memory.
func NewServer(ctx context.Context, s Settings) (*Server, error) {
	mode, err := pyexec.ParseSandbox(string(s.Sandbox))
	if err != nil {
		return nil, err
	}
	opts := s.nativeOptions()
	opts.Root = s.Root
	w := native.New(opts)
	if err := w.Check(ctx); err != nil {
		w.Shutdown()
		return nil, err
	}
	return &Server{world: w, sandbox: mode}, nil
}

// Sandbox names the sandbox the world's code cells run in.
func (s *Server) Sandbox() string { return string(s.sandbox) }

// Serve answers AppWorld's protocol on ln until ctx ends, giving a client
// readTimeout to send a request.
func (s *Server) Serve(ctx context.Context, ln net.Listener, readTimeout time.Duration) error {
	hs := protocol.NewServer(protocol.Handler(s.world), readTimeout)
	stop := context.AfterFunc(ctx, func() { hs.Close() })
	defer stop()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the world's interpreters.
func (s *Server) Close() { s.world.Shutdown() }

// TaskInfo is a native task as `seeupo appworld tasks` lists it.
type TaskInfo struct {
	ID          string   `json:"task_id"`
	Scenario    string   `json:"scenario"`
	Apps        []string `json:"apps"`
	Supervisor  string   `json:"supervisor"`
	Instruction string   `json:"instruction"`
}

// Splits are the native world's task splits.
func Splits() []string { return append([]string(nil), tasks.Splits...) }

// NativeTasks lists the native world's tasks of a split; an unknown split
// names the known ones.
func NativeTasks(split string) ([]TaskInfo, error) {
	ids, err := tasks.IDs(split)
	if err != nil {
		return nil, err
	}
	var out []TaskInfo
	for _, id := range ids {
		t, err := tasks.Default.Get(id)
		if err != nil {
			return nil, err
		}
		out = append(out, TaskInfo{id, t.Scenario.Name, t.Scenario.Apps, t.Supervisor.Email, t.Instruction()})
	}
	return out, nil
}

// App is one of the native world's apps.
type App struct {
	Name, Description string
	APIs              []API
}

// API is one API of an app: its name, HTTP method, description and its
// documentation entry as AppWorld's api_docs give it.
type API struct {
	Name, Method, Description string
	Doc                       map[string]any
}

// Apps lists the native world's apps, sorted by name.
func Apps() []App {
	var out []App
	for _, info := range world.Apps() {
		app := App{Name: info.Name, Description: info.Description}
		for _, api := range info.APIs {
			app.APIs = append(app.APIs, API{Name: api.Name, Method: api.Method, Description: api.Description, Doc: api.Doc()})
		}
		out = append(out, app)
	}
	return out
}

// CheckOptions say which reference solutions Check replays, and where.
type CheckOptions struct {
	Splits []string
	// URLs are AppWorld-protocol servers, one worker each; without them
	// Workers in-process native worlds with Settings' options run the
	// solutions.
	URLs     []string
	Workers  int
	Settings Settings
	// Cut drops each solution's last cell: every task is then expected to
	// fail.
	Cut bool
}

// CheckSplit is one split's figures in a check.
type CheckSplit struct {
	Split     string
	Tasks     int
	Scenarios int // three tasks a scenario
	// TGC and SGC are task and scenario goal completion, in percent.
	TGC, SGC   float64
	MeanReward float64
	// Report is the split's evaluation as `appworld evaluate` reports it
	// (TGC and SGC per difficulty level too).
	Report Report
}

// CheckReport is the outcome of Check: per split, then every task that
// did not behave as expected (an error, or success when cut / failure
// when whole), sorted.
type CheckReport struct {
	Splits     []CheckSplit
	Tasks      int
	Unexpected []string
}

// checkResult is one task's replay.
type checkResult struct {
	task *tasks.Task
	ev   protocol.Evaluation
	err  error
}

// Check replays every task's reference solution of the splits against
// the native world (in process, or on the servers of URLs) and reports
// goal completion and reward per split.
func Check(ctx context.Context, o CheckOptions) (CheckReport, error) {
	var backends []protocol.Backend
	for _, u := range o.URLs {
		backends = append(backends, protocol.NewClient(u, 5*time.Minute))
	}
	if len(o.URLs) == 0 {
		for range max(0, o.Workers) {
			w := native.New(o.Settings.nativeOptions())
			defer w.Shutdown()
			backends = append(backends, w)
		}
	}
	if len(backends) == 0 {
		return CheckReport{}, errors.New("appworld check: no server to run the solutions on (give URLs or at least one worker)")
	}
	var all []*tasks.Task
	for _, s := range o.Splits {
		ids, err := tasks.IDs(s)
		if err != nil {
			return CheckReport{}, err
		}
		for _, id := range ids {
			t, err := tasks.Default.Get(id)
			if err != nil {
				return CheckReport{}, err
			}
			all = append(all, t)
		}
	}
	results := make([]checkResult, len(all))
	work := make(chan int)
	var wg sync.WaitGroup
	for _, b := range backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				cells := all[i].Solution()
				if o.Cut {
					cells = cells[:len(cells)-1]
				}
				ev, err := Replay(ctx, b, all[i].ID, "check", cells)
				results[i] = checkResult{task: all[i], ev: ev, err: err}
			}
		}()
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
	return checkReport(results, o.Splits, o.Cut), nil
}

// checkReport sums the replays up per split and lists the tasks that did
// not behave as expected.
func checkReport(results []checkResult, splits []string, cut bool) CheckReport {
	rep := CheckReport{Tasks: len(results)}
	for _, split := range splits {
		ok := map[string]bool{}
		reward, n := 0.0, 0
		var evals []TaskEvaluation
		for _, r := range results {
			if r.task.Scenario.Split != split {
				continue
			}
			n++
			ev := r.ev
			if r.err != nil {
				ev = protocol.Evaluation{}
			}
			if ev.Difficulty == 0 { // the task knows its level where the server did not say
				ev.Difficulty = r.task.Scenario.Difficulty
			}
			evals = append(evals, TaskEvaluation{TaskID: r.task.ID, Evaluation: ev})
			ok[r.task.ID] = r.err == nil && r.ev.Success
			reward += r.ev.Reward()
			switch {
			case r.err != nil:
				rep.Unexpected = append(rep.Unexpected, fmt.Sprintf("%s (%s): %v", r.task.ID, r.task.Scenario.Name, r.err))
			case r.ev.Success == cut:
				rep.Unexpected = append(rep.Unexpected, fmt.Sprintf("%s (%s): success=%v with cut=%v", r.task.ID, r.task.Scenario.Name, r.ev.Success, cut))
			}
		}
		g := protocol.Goals(ok)
		rep.Splits = append(rep.Splits, CheckSplit{Split: split, Tasks: n, Scenarios: n / 3, TGC: g.TaskGoalCompletion,
			SGC: g.ScenarioGoalCompletion, MeanReward: reward / float64(max(n, 1)), Report: NewReport(split, evals)})
	}
	sort.Strings(rep.Unexpected)
	return rep
}

// Probe runs one short episode of taskID against the AppWorld-protocol
// server at url (GET /, initialize, one cell of code, task_completed,
// evaluate, close) and says each answer through printf as it comes.
func Probe(ctx context.Context, url, taskID, code string, printf func(format string, args ...any)) error {
	cl := protocol.NewClient(url, 5*time.Minute)
	welcome, err := cl.Health(ctx)
	if err != nil {
		return fmt.Errorf("GET /: %w", err)
	}
	printf("GET /: %s\n", welcome)
	init, err := cl.Initialize(ctx, protocol.InitRequest{TaskID: taskID, ExperimentName: "seeupo-probe"})
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	defer cl.Close(ctx, taskID)
	printf("task %s for %s %s <%s> at %s:\n  %s\n", init.TaskID, init.Supervisor.FirstName, init.Supervisor.LastName,
		init.Supervisor.Email, init.Datetime, init.Instruction)
	obs, err := cl.Execute(ctx, taskID, code)
	if err != nil {
		return fmt.Errorf("execute: %w", err)
	}
	printf("execute %q:\n%s\n", code, obs)
	done, err := cl.TaskCompleted(ctx, taskID)
	if err != nil {
		return fmt.Errorf("task_completed: %w", err)
	}
	ev, err := cl.Evaluate(ctx, taskID)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	js, _ := json.Marshal(ev)
	printf("task_completed: %v\nevaluate: %s\nreward: %.3f\n", done, js, ev.Reward())
	return nil
}
