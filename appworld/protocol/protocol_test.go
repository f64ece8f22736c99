package protocol

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReward(t *testing.T) {
	cases := []struct {
		ev   Evaluation
		want float64
	}{
		{Evaluation{Success: true, NumTests: 3, Passes: make([]Test, 3)}, 1.5},
		{Evaluation{NumTests: 4, Passes: make([]Test, 1), Failures: make([]Test, 3)}, 0.125},
		{Evaluation{NumTests: 2, Failures: make([]Test, 2)}, 0},
		{Evaluation{}, 0},
	}
	for _, c := range cases {
		if got := c.ev.Reward(); got != c.want {
			t.Errorf("Reward(%+v) = %v, want %v", c.ev, got, c.want)
		}
	}
}

func TestGoals(t *testing.T) {
	g := Goals(map[string]bool{"aaaaaaa_1": true, "aaaaaaa_2": true, "aaaaaaa_3": true, "bbbbbbb_1": true, "bbbbbbb_2": false})
	if g.TaskGoalCompletion != 80 || g.ScenarioGoalCompletion != 50 {
		t.Errorf("goals %+v, want TGC 80, SGC 50", g)
	}
	if ScenarioOf("50e1ac9_3") != "50e1ac9" || ScenarioOf("plain") != "plain" {
		t.Error("ScenarioOf")
	}
}

// stub answers every route with fixed outputs; it records the last task id.
type stub struct{ last string }

func (s *stub) Initialize(_ context.Context, r InitRequest) (InitResponse, error) {
	s.last = r.TaskID
	return InitResponse{TaskID: r.TaskID, Instruction: "do it", Supervisor: Supervisor{FirstName: "A"}}, nil
}
func (s *stub) Execute(_ context.Context, id, code string) (string, error) {
	if id != s.last {
		return "", ErrWrongTask
	}
	return "ran " + code, nil
}
func (s *stub) TaskCompleted(context.Context, string) (bool, error) { return true, nil }
func (s *stub) Evaluate(context.Context, string) (Evaluation, error) {
	return Evaluation{Success: true, NumTests: 1, Passes: []Test{{Requirement: "r"}}, Failures: []Test{}}, nil
}
func (s *stub) Close(context.Context, string) error { return errors.New("boom") }
func (s *stub) EvaluateAll(context.Context, []string, string) (AllResult, error) {
	return AllResult{Aggregate: Aggregate{TaskGoalCompletion: 100}}, nil
}

func TestHandlerAndClient(t *testing.T) {
	ts := httptest.NewServer(Handler(&stub{}))
	defer ts.Close()
	c := NewClient(ts.URL+"/", time.Minute)
	ctx := context.Background()
	if msg, err := c.Health(ctx); err != nil || !strings.Contains(msg, "Welcome") {
		t.Fatalf("health %q %v", msg, err)
	}
	if r, err := c.Initialize(ctx, InitRequest{TaskID: "x_1"}); err != nil || r.Instruction != "do it" || r.Supervisor.FirstName != "A" {
		t.Fatalf("initialize %+v %v", r, err)
	}
	if obs, err := c.Execute(ctx, "x_1", "print(1)"); err != nil || obs != "ran print(1)" {
		t.Fatalf("execute %q %v", obs, err)
	}
	if _, err := c.Execute(ctx, "y_1", "print(1)"); !errors.Is(err, ErrWrongTask) {
		t.Fatalf("another task: %v, want ErrWrongTask", err)
	}
	if done, err := c.TaskCompleted(ctx, "x_1"); err != nil || !done {
		t.Fatalf("task_completed %v %v", done, err)
	}
	if ev, err := c.Evaluate(ctx, "x_1"); err != nil || !ev.Success || ev.Passes[0].Requirement != "r" {
		t.Fatalf("evaluate %+v %v", ev, err)
	}
	var se *StatusError
	if err := c.Close(ctx, "x_1"); !errors.As(err, &se) || se.Status != 500 || !strings.Contains(se.Body, `{"output":"boom"}`) {
		t.Fatalf("close: %v, want HTTP 500 with the error as output", err)
	}
	if all, err := c.EvaluateAll(ctx, []string{"x_1"}, "e"); err != nil || all.Aggregate.TaskGoalCompletion != 100 {
		t.Fatalf("evaluate_all %+v %v", all, err)
	}
	resp, err := http.Post(ts.URL+"/execute", "application/json", strings.NewReader("{"))
	if err != nil || resp.StatusCode != 422 {
		t.Fatalf("bad body: %v %v", resp.StatusCode, err)
	}
}

// TestHandlerOfPlainBackend checks that a Backend that is not a Server
// gets the episode routes alone: the rest are 404, and /evaluate of a
// saved experiment is refused.
func TestHandlerOfPlainBackend(t *testing.T) {
	ts := httptest.NewServer(Handler(&stub{}))
	defer ts.Close()
	c := NewClient(ts.URL, time.Minute)
	ctx := context.Background()
	status := func(err error) int {
		var se *StatusError
		if errors.As(err, &se) {
			return se.Status
		}
		return 0
	}
	_, batch := c.BatchExecute(ctx, "x_1", []string{"1"})
	_, task := c.ShowTask(ctx, "x_1")
	_, saved := c.EvaluateSaved(ctx, "x_1", "e")
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"batch_execute", batch, 404},
		{"save_state", func() error { _, err := c.SaveState(ctx, "x_1", "s"); return err }(), 404},
		{"close_all", c.CloseAll(ctx), 404},
		{"tasks", task, 404},
		{"evaluate with experiment_name", saved, 500},
	}
	for _, k := range cases {
		if got := status(k.err); got != k.want {
			t.Errorf("%s: %v, want HTTP %d", k.name, k.err, k.want)
		}
	}
}
