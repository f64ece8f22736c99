package appworld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/harness/env"
)

// serveNative starts what `seeupo appworld serve --root root` starts and
// returns its URL.
func serveNative(t *testing.T, root string) string {
	t.Helper()
	s := DefaultSettings()
	s.Root, s.TimeoutSeconds = root, 30
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := NewServer(ctx, s)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln, 30*time.Second) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return "http://" + ln.Addr().String()
}

func firstTask(t *testing.T, split string) string {
	t.Helper()
	ids, err := tasks.IDs(split)
	if err != nil || len(ids) == 0 {
		t.Fatalf("split %s: %v", split, err)
	}
	return ids[0]
}

func fenced(code string) string { return "```python\n" + code + "\n```" }

// rollout is one episode of TestSharedRootRolloutsScoredApart: its cells,
// what its evaluation must say, and what it got.
type rollout struct {
	name    string
	cells   []string
	success bool

	env *Env
	ev  env.Evaluation
	err error
}

// TestSharedRootRolloutsScoredApart rolls out one task three times at once
// on three servers that share one root: one rollout solves it, one stops
// a cell short, one only looks around, and the idle one writes its state
// last. Each evaluation must be its own rollout's. The servers keep each
// experiment's state under <root>/experiments/outputs/<experiment>/ and
// evaluate it from there, as AppWorld's server does, so rollouts under one
// experiment name would be scored on whichever state was written last.
func TestSharedRootRolloutsScoredApart(t *testing.T) {
	root := t.TempDir()
	var urls []string
	for range 3 {
		urls = append(urls, serveNative(t, root))
	}
	taskID := firstTask(t, "train")
	cells, err := ReferenceSolution(taskID)
	if err != nil {
		t.Fatal(err)
	}
	st := DefaultSettings()
	st.Mode, st.URLs, st.MaxTurns, st.TimeoutSeconds = "remote", urls, 20, 30
	suite := New(st)
	defer suite.Close()
	rs := []*rollout{
		{name: "solves", cells: cells, success: true},
		{name: "stops short", cells: cells[:len(cells)-1]},
		{name: "looks around", cells: []string{"print(apis.supervisor.show_profile())"}},
	}
	ctx := env.WithEpisodeLabel(context.Background(), env.EpisodeLabel{Run: "r1", Step: 3})
	task := env.Task{ID: taskID, Group: protocol.ScenarioOf(taskID), Suite: SuiteName, Split: "train"}
	// Every rollout resets, then they step in turn (the last one's state
	// is written last), then all evaluate at once.
	reset, turn := &sync.WaitGroup{}, make([]chan struct{}, len(rs)+1)
	for i := range turn {
		turn[i] = make(chan struct{})
	}
	evaluate := &sync.WaitGroup{}
	reset.Add(len(rs))
	evaluate.Add(len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.err = r.play(env.WithSample(ctx, i), suite, task, reset, turn[i], turn[i+1], evaluate)
		}()
	}
	close(turn[0])
	wg.Wait()
	names := map[string]bool{}
	for _, r := range rs {
		if r.err != nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		names[r.env.Experiment()] = true
		if r.ev.Success != r.success {
			t.Errorf("rollout that %s: success %v, want %v (experiment %s)", r.name, r.ev.Success, r.success, r.env.Experiment())
		}
		if _, err := os.Stat(filepath.Join(root, "experiments", "outputs", r.env.Experiment(), "tasks", taskID, "dbs")); err != nil {
			t.Errorf("rollout that %s: no state under the shared root: %v", r.name, err)
		}
	}
	if len(names) != len(rs) {
		t.Errorf("experiment names %v: want one per rollout", names)
	}
	if rs[0].ev.Success && Reward(rs[0].ev) != 1.5 || Reward(rs[1].ev) >= 1 || Reward(rs[2].ev) >= 1 {
		t.Errorf("rewards %v, %v, %v: want 1.5 for the solver alone", Reward(rs[0].ev), Reward(rs[1].ev), Reward(rs[2].ev))
	}
}

// play runs the rollout: Reset, its cells when its turn comes, then
// Evaluate once every rollout has stepped.
func (r *rollout) play(ctx context.Context, s *Suite, task env.Task, reset *sync.WaitGroup, mine, next chan struct{}, evaluate *sync.WaitGroup) error {
	defer func() {
		select {
		case <-next:
		default:
			close(next)
		}
	}()
	e, err := s.NewEnv(ctx)
	if err != nil {
		reset.Done()
		evaluate.Done()
		return err
	}
	r.env = e.(*Env)
	defer e.Close()
	_, err = e.Reset(ctx, task)
	reset.Done()
	reset.Wait()
	if err != nil {
		evaluate.Done()
		return err
	}
	<-mine
	for _, c := range r.cells {
		if _, err := e.Step(ctx, fenced(c)); err != nil {
			close(next)
			evaluate.Done()
			return err
		}
	}
	close(next)
	evaluate.Done()
	evaluate.Wait()
	r.ev, err = e.Evaluate(ctx)
	return err
}

// TestSharedNameCollides is the control of
// TestSharedRootRolloutsScoredApart: the same solver and idler under one
// experiment name on servers sharing a root, the idler writing last. The
// solver's evaluation then reads the idler's state, which shows that the
// servers really share their outputs.
func TestSharedNameCollides(t *testing.T) {
	root := t.TempDir()
	a := protocol.NewClient(serveNative(t, root), time.Minute)
	b := protocol.NewClient(serveNative(t, root), time.Minute)
	taskID := firstTask(t, "train")
	cells, err := ReferenceSolution(taskID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []*protocol.Client{a, b} {
		if _, err := c.Initialize(ctx, protocol.InitRequest{TaskID: taskID, ExperimentName: "shared"}); err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx, taskID)
	}
	for _, code := range cells {
		if _, err := a.Execute(ctx, taskID, code); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Execute(ctx, taskID, "print(1)"); err != nil {
		t.Fatal(err)
	}
	if done, err := a.TaskCompleted(ctx, taskID); err != nil || !done {
		t.Fatalf("the solver's world: completed %v, %v", done, err)
	}
	ev, err := a.Evaluate(ctx, taskID)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Success {
		t.Error("under a shared name the solver's evaluation passed: the servers do not share their outputs")
	}
}

// TestServerEndpoints calls every endpoint of the official protocol on
// the native server with a root, in an episode's order.
func TestServerEndpoints(t *testing.T) {
	root := t.TempDir()
	url := serveNative(t, root)
	c := protocol.NewClient(url, time.Minute)
	ctx := context.Background()
	taskID := firstTask(t, "dev")
	other := firstTask(t, "train")
	cells, err := ReferenceSolution(taskID)
	if err != nil {
		t.Fatal(err)
	}
	info, err := NativeTasks("dev")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "experiments", "outputs", "e1", "tasks", taskID)
	status := func(err error) int {
		var se *protocol.StatusError
		if errors.As(err, &se) {
			return se.Status
		}
		return 0
	}
	solve := func() error {
		for _, code := range cells {
			if _, err := c.Execute(ctx, taskID, code); err != nil {
				return err
			}
		}
		return nil
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"GET /", func() error {
			msg, err := c.Health(ctx)
			return want(err == nil && strings.Contains(msg, "Welcome"), "welcome %q, %v", msg, err)
		}},
		{"GET /tasks/{task_id}", func() error {
			got, err := c.ShowTask(ctx, taskID)
			if err != nil {
				return err
			}
			_, err = c.ShowTask(ctx, "0000000_9")
			return want(got.TaskID == taskID && got.Instruction == info[0].Instruction && got.Supervisor.Email == info[0].Supervisor &&
				status(err) == 404, "task %+v; unknown task: %v", got, err)
		}},
		{"GET /api_docs", func() error {
			docs, err := c.APIDocs(ctx)
			if err != nil {
				return err
			}
			doc := docs["supervisor"]["complete_task"]
			var schemas map[string]any
			if m, ok := doc.(map[string]any); ok {
				schemas, _ = m["response_schemas"].(map[string]any)
			}
			ok, _ := schemas["success"].(string)
			return want(len(docs) == len(Apps()) && strings.HasPrefix(ok, "```json\n"), "%d apps, complete_task %v", len(docs), doc)
		}},
		{"POST /initialize", func() error {
			_, bad := c.Initialize(ctx, protocol.InitRequest{TaskID: taskID, RaiseOnFailure: protocol.Bool(false)})
			_, badName := c.Initialize(ctx, protocol.InitRequest{TaskID: taskID, ExperimentName: "../up"})
			got, err := c.Initialize(ctx, protocol.InitRequest{TaskID: taskID, ExperimentName: "e1", RandomSeed: protocol.Int(7),
				LoadGroundTruth: protocol.Bool(true), GroundTruthMode: "full", AllowDatetimeChange: protocol.Bool(false)})
			if err != nil {
				return err
			}
			_, serr := os.Stat(filepath.Join(dir, "dbs", "world.sqlite"))
			return want(got.TaskID == taskID && serr == nil && status(bad) == 422 && status(badName) == 422,
				"initialize %+v, start state %v, unsupported option %v, bad name %v", got, serr, bad, badName)
		}},
		{"POST /execute", func() error {
			obs, err := c.Execute(ctx, taskID, "print(6 * 7)")
			_, wrong := c.Execute(ctx, other, "print(1)")
			return want(err == nil && strings.TrimSpace(obs) == "42" && status(wrong) == 400, "observation %q, %v; other task %v", obs, err, wrong)
		}},
		{"frozen clock", func() error {
			obs, err := c.Execute(ctx, taskID, "import datetime\nprint(datetime.datetime.now().isoformat())")
			got, _ := c.ShowTask(ctx, taskID)
			return want(err == nil && strings.TrimSpace(obs) == got.Datetime && got.Datetime != "", "now %q, %v; the task's date-time %q", obs, err, got.Datetime)
		}},
		{"POST /batch_execute", func() error {
			obs, err := c.BatchExecute(ctx, taskID, []string{"x = 2", "print(x + 1)"})
			return want(err == nil && len(obs) == 2 && obs[0] == "Execution successful." && strings.TrimSpace(obs[1]) == "3",
				"observations %q, %v", obs, err)
		}},
		{"POST /save_logs", func() error {
			if err := c.SaveLogs(ctx, taskID); err != nil {
				return err
			}
			io, err := os.ReadFile(filepath.Join(dir, "logs", "environment_io.md"))
			_, cerr := os.Stat(filepath.Join(dir, "logs", "api_calls.jsonl"))
			return want(err == nil && cerr == nil && strings.Contains(string(io), "print(x + 1)") &&
				strings.Contains(string(io), "Environment Interaction 3.2"), "environment_io.md %q %v, api_calls %v", io, err, cerr)
		}},
		{"POST /save_state", func() error {
			id, err := c.SaveState(ctx, taskID, "start")
			_, serr := os.Stat(filepath.Join(dir, "checkpoints", "start", "world.sqlite"))
			_, bad := c.SaveState(ctx, taskID, "a/b")
			return want(err == nil && id == "start" && serr == nil && status(bad) == 422, "state %q %v, file %v, bad id %v", id, err, serr, bad)
		}},
		{"POST /task_completed", func() error {
			before, err := c.TaskCompleted(ctx, taskID)
			if err != nil {
				return err
			}
			if err := solve(); err != nil {
				return err
			}
			after, err := c.TaskCompleted(ctx, taskID)
			return want(err == nil && !before && after, "before %v, after %v, %v", before, after, err)
		}},
		{"POST /evaluate", func() error {
			ev, err := c.Evaluate(ctx, taskID)
			return want(err == nil && ev.Success && ev.Reward() == 1.5, "evaluation %+v, %v", ev, err)
		}},
		{"POST /evaluate report", func() error {
			var out struct{ Output string }
			err := postJSON(url+"/evaluate", map[string]any{"task_id": taskID, "report": true}, &out)
			return want(err == nil && strings.Contains(out.Output, "success true"), "report %q, %v", out.Output, err)
		}},
		{"POST /evaluate_all", func() error {
			all, err := c.EvaluateAll(ctx, []string{taskID, other}, "e1")
			return want(err == nil && all.Aggregate.TaskGoalCompletion == 50 && all.Individual[taskID].Success && !all.Individual[other].Success,
				"evaluate_all %+v, %v", all, err)
		}},
		{"POST /load_state", func() error {
			if err := c.LoadState(ctx, taskID, "start"); err != nil {
				return err
			}
			done, err := c.TaskCompleted(ctx, taskID)
			if err != nil {
				return err
			}
			ev, err := c.Evaluate(ctx, taskID)
			missing := c.LoadState(ctx, taskID, "never")
			return want(err == nil && !done && !ev.Success && status(missing) == 404, "completed %v, evaluation %+v %v, unknown state %v", done, ev, err, missing)
		}},
		{"POST /save", func() error {
			if err := c.Save(ctx, taskID); err != nil {
				return err
			}
			_, err := os.Stat(filepath.Join(dir, "logs", "environment_io.md"))
			return err
		}},
		{"POST /evaluate with experiment_name", func() error {
			if err := solve(); err != nil {
				return err
			}
			ev, err := c.EvaluateSaved(ctx, taskID, "e1")
			_, missing := c.EvaluateSaved(ctx, taskID, "never-ran")
			return want(err == nil && ev.Success && status(missing) == 404, "saved evaluation %+v %v, unknown experiment %v", ev, err, missing)
		}},
		{"POST /close", func() error {
			if err := c.Close(ctx, taskID); err != nil {
				return err
			}
			_, err := c.Execute(ctx, taskID, "print(1)")
			ev, serr := c.EvaluateSaved(ctx, taskID, "e1")
			return want(status(err) == 400 && serr == nil && ev.Success, "execute after close %v; saved evaluation %v %v", err, ev.Success, serr)
		}},
		{"POST /close_all", func() error {
			if _, err := c.Initialize(ctx, protocol.InitRequest{TaskID: other, ExperimentName: "e2"}); err != nil {
				return err
			}
			if err := c.CloseAll(ctx); err != nil {
				return err
			}
			_, err := c.Execute(ctx, other, "print(1)")
			return want(status(err) == 400, "execute after close_all: %v", err)
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
}

// want is nil when ok, else an error with the message.
func want(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}

func postJSON(url string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(url, "application/json", strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}
