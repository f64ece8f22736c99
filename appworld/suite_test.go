package appworld

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/tasks"
	"github.com/seeupo/seeupo/harness/env"
)

func TestParams(t *testing.T) {
	cases := []struct {
		params map[string]string
		errHas string
	}{
		{map[string]string{}, ""},
		{map[string]string{"mode": "remote", "urls": "http://127.0.0.1:8000, http://127.0.0.1:8001"}, ""},
		{map[string]string{"mode": "cloud"}, "allowed: native, remote"},
		{map[string]string{"mode": "remote"}, "needs param urls"},
		{map[string]string{"max_turns": "0"}, "positive integer"},
		{map[string]string{"colour": "blue"}, "unknown param \"colour\""},
	}
	for _, c := range cases {
		_, err := env.Open("appworld", env.Options{Params: c.params})
		switch {
		case c.errHas == "" && err != nil:
			t.Errorf("%v: %v", c.params, err)
		case c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)):
			t.Errorf("%v: error %v, want one containing %q", c.params, err, c.errHas)
		}
	}
}

func TestSplits(t *testing.T) {
	s, err := env.Open("appworld", env.Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, split := range s.Splits() {
		ts, err := s.Tasks(split)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range ts {
			if task.Group != strings.Split(task.ID, "_")[0] || len(task.Group) != 7 || task.Split != split {
				t.Errorf("task %+v: want a 7-hex scenario group and split %s", task, split)
			}
		}
		total += len(ts)
	}
	if total < 120 {
		t.Errorf("%d tasks, want >= 120", total)
	}
	if _, err := s.Tasks("valid"); err == nil || !strings.Contains(err.Error(), "test_challenge") {
		t.Errorf("unknown split: %v", err)
	}
}

// runEpisode plays a task's reference solution through the env contract,
// as an agent would (one fenced code block per turn).
func runEpisode(t *testing.T, s env.Suite, task env.Task, cells []string, completes bool) env.Evaluation {
	t.Helper()
	ctx := context.Background()
	e, err := s.NewEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	msgs, err := e.Reset(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Role != "system" || !strings.Contains(msgs[1].Content, "Task: ") {
		t.Fatalf("opening messages %+v", msgs)
	}
	for i, c := range cells {
		r, err := e.Step(ctx, "I will do this.\n```python\n"+c+"\n```")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Messages[0].Content, "Execution failed") {
			t.Fatalf("cell %d: %s", i, r.Messages[0].Content)
		}
		if r.Done != (completes && i == len(cells)-1) {
			t.Fatalf("cell %d of %d: done=%v", i+1, len(cells), r.Done)
		}
	}
	ev, err := e.Evaluate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEpisodesNativeAndRemote(t *testing.T) {
	srv := native.New(native.Options{})
	defer srv.Shutdown()
	ts := httptest.NewServer(protocol.Handler(srv))
	defer ts.Close()
	suites := map[string]map[string]string{
		"native": {"max_turns": "10"},
		"remote": {"mode": "remote", "urls": ts.URL, "max_turns": "10"},
	}
	for name, params := range suites {
		t.Run(name, func(t *testing.T) {
			s, err := env.Open("appworld", env.Options{Params: params})
			if err != nil {
				t.Fatal(err)
			}
			dev, err := s.Tasks("dev")
			if err != nil {
				t.Fatal(err)
			}
			results := map[env.Task]env.Evaluation{}
			for i, task := range dev[:6] {
				full, err := tasks.Default.Get(task.ID)
				if err != nil {
					t.Fatal(err)
				}
				cells := full.Solution()
				if i == 5 {
					cells = cells[:len(cells)-1] // one scenario's variant fails
				}
				ev := runEpisode(t, s, task, cells, i != 5)
				results[task] = ev
				var d Details
				if err := json.Unmarshal(ev.Details, &d); err != nil {
					t.Fatal(err)
				}
				wantReward := 1.5
				if i == 5 {
					wantReward = 0.5 * float64(ev.Passed) / float64(ev.Total)
					if ev.Success || ev.Passed >= ev.Total {
						t.Fatalf("cut-short episode succeeded: %+v", ev)
					}
				}
				if Reward(ev) != wantReward || d.Reward != wantReward {
					t.Errorf("%s: reward %v (details %v), want %v", task.ID, Reward(ev), d.Reward, wantReward)
				}
				// The evaluation carries the task's difficulty level, as
				// the catalogue defines it, for the per-level figures.
				if ev.Level != full.Scenario.Difficulty || ev.Level < 1 || ev.Level > 3 {
					t.Errorf("%s: level %d, want the task's difficulty %d", task.ID, ev.Level, full.Scenario.Difficulty)
				}
			}
			g := Goals(results)
			// Six tasks, five succeed; two scenarios, one with a failure.
			if g.TaskGoalCompletion != 100*5.0/6 || g.ScenarioGoalCompletion != 50 {
				t.Errorf("goals %+v, want TGC 83.33 and SGC 50", g)
			}
		})
	}
}

func TestExtractCode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"```python\nprint(1)\n```", "print(1)"},
		{"text\n```py\na = 1\n```\nmore\n```python\nprint(a)\n```", "a = 1\nprint(a)"},
		{"print(2)", "print(2)"},
		// The agent's thinking never runs: fenced blocks inside <think> are
		// left out, as is everything before a lone </think> (a template
		// that opened the block in the prompt) and after an unclosed one.
		{"<think>\n```python\napis.todo.delete_project(project_id=1)\n```\n</think>\n```python\nprint(1)\n```", "print(1)"},
		{"<think>maybe\n```python\nx = 1\n```</think>ok\n```python\nprint(2)\n```\n<think>\n```python\ny = 2\n```\n</think>", "print(2)"},
		{"planning\n```python\nx = 1\n```\n</think>\n```python\nprint(3)\n```", "print(3)"},
		{"```python\nprint(4)\n```\n<think>and then\n```python\nrm()\n```", "print(4)"},
		{"<think>```python\nx = 1\n```</think>print(5)", "print(5)"},
		{"<think>still thinking ```python\nx = 1\n```", ""},
	}
	for _, c := range cases {
		if got, _ := ExtractCode(c.in); got != c.want {
			t.Errorf("ExtractCode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSuiteCapacity(t *testing.T) {
	cases := []struct {
		params map[string]string
		want   int
	}{
		{map[string]string{}, 0},
		{map[string]string{"mode": "remote", "urls": "http://a:1,http://b:2"}, 2},
		{map[string]string{"mode": "remote", "image": "img", "replicas": "3"}, 3},
	}
	for _, c := range cases {
		s, err := Open(env.Options{Params: c.params})
		if err != nil {
			t.Fatal(err)
		}
		if got := env.CapacityOf(s); got != c.want {
			t.Errorf("%v: capacity %d, want %d", c.params, got, c.want)
		}
	}
}
