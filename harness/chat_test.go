package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/remote"
)

// adderSuite: the user asks for a sum; the agent has the tool add(a, b)
// and succeeds when its final answer (a reply without calls) holds the
// sum and it called add with the task's numbers.
type adderSuite struct{}

func (adderSuite) Name() string     { return "adder" }
func (adderSuite) Splits() []string { return []string{"test"} }
func (adderSuite) Tasks(string) ([]env.Task, error) {
	var out []env.Task
	for _, id := range []string{"2+3", "4+5", "10+20"} {
		out = append(out, env.Task{ID: id, Group: id, Suite: "adder", Split: "test"})
	}
	return out, nil
}
func (adderSuite) NewEnv(context.Context) (env.Env, error) { return &adderEnv{}, nil }

type adderEnv struct {
	a, b   int
	called bool
	answer string
	done   bool
}

func (e *adderEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	return nil, errors.New("adder: prompting mode is not used")
}
func (e *adderEnv) Step(context.Context, string) (env.StepResult, error) {
	return env.StepResult{}, errors.New("adder: Step in function-calling mode")
}

func (e *adderEnv) ResetTools(_ context.Context, t env.Task) ([]env.Message, error) {
	if _, err := fmt.Sscanf(t.ID, "%d+%d", &e.a, &e.b); err != nil {
		return nil, err
	}
	return []env.Message{{Role: "user", Content: "What is " + t.ID + "?"}}, nil
}

func (e *adderEnv) ToolSchemas(context.Context) ([]env.Tool, error) {
	return []env.Tool{{Name: "add", Description: "Add two integers.", Parameters: map[string]any{"type": "object",
		"properties": map[string]any{"a": map[string]any{"type": "integer"}, "b": map[string]any{"type": "integer"}},
		"required":   []any{"a", "b"}}}}, nil
}

func (e *adderEnv) StepTools(_ context.Context, content string, calls []env.ToolCall) (env.ToolStepResult, error) {
	if e.done {
		return env.ToolStepResult{}, errors.New("adder: step after the end")
	}
	if len(calls) == 0 {
		e.answer, e.done = content, true
		return env.ToolStepResult{StepResult: env.StepResult{Done: true}}, nil
	}
	var res env.ToolStepResult
	for _, c := range calls {
		var args struct{ A, B int }
		if c.Name != "add" || json.Unmarshal([]byte(c.Arguments), &args) != nil {
			res.Outputs = append(res.Outputs, "Error: unknown call")
			continue
		}
		e.called = e.called || args.A == e.a && args.B == e.b
		res.Outputs = append(res.Outputs, fmt.Sprint(args.A+args.B))
	}
	return res, nil
}

func (e *adderEnv) Evaluate(context.Context) (env.Evaluation, error) {
	return env.Evaluation{Success: e.called && strings.Contains(e.answer, fmt.Sprint(e.a+e.b))}, nil
}
func (e *adderEnv) Close() error { return nil }

// adderModel calls add with the question's numbers, then answers with the
// last tool output; it records what it was sent.
type adderModel struct {
	mu    sync.Mutex
	seeds map[int64]bool
	seen  [][]remote.Message
	fail  string // a question whose requests fail
	loop  bool   // never stop calling
}

func (m *adderModel) Chat(_ context.Context, msgs []remote.Message, tools []remote.Tool, o remote.ChatOptions) (remote.Reply, error) {
	m.mu.Lock()
	m.seen = append(m.seen, msgs)
	if m.seeds == nil {
		m.seeds = map[int64]bool{}
	}
	m.seeds[*o.Seed] = true
	m.mu.Unlock()
	if len(tools) != 1 || tools[0].Name != "add" {
		return remote.Reply{}, fmt.Errorf("tools %+v", tools)
	}
	if msgs[0].Content == m.fail {
		return remote.Reply{}, errors.New("503 Service Unavailable")
	}
	last := msgs[len(msgs)-1]
	if last.Role == "tool" && !m.loop {
		return remote.Reply{Content: "It is " + last.Content + "."}, nil
	}
	var a, b int
	fmt.Sscanf(msgs[0].Content, "What is %d+%d?", &a, &b)
	return remote.Reply{ToolCalls: []remote.ToolCall{{Name: "add", Arguments: fmt.Sprintf(`{"a": %d, "b": %d}`, a, b)}}}, nil
}

func TestChatRollerFunctionCalling(t *testing.T) {
	model := &adderModel{}
	r := &ChatRoller{Suite: adderSuite{}, Model: model, ToolFormat: ToolFormatFC, Rewards: DefaultRewards()}
	tasks, _ := adderSuite{}.Tasks("test")
	ev, trajs, err := ChatEvaluate(context.Background(), r, tasks, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Aggregates["avg@2"] != 1 || len(trajs) != 6 {
		t.Fatalf("avg@2 %v over %d episodes, want every episode solved", ev.Aggregates["avg@2"], len(trajs))
	}
	tr := trajs[0]
	roles := make([]string, len(tr.Messages))
	for i, m := range tr.Messages {
		roles[i] = m.Role
	}
	if !reflect.DeepEqual(roles, []string{"user", "assistant", "tool", "assistant"}) || tr.Replies != 2 || tr.ToolCalls != 1 ||
		tr.EndReason != "done" || tr.Reward != 1.5 {
		t.Fatalf("trajectory %+v", tr)
	}
	call, out := tr.Messages[1].ToolCalls[0], tr.Messages[2]
	if call.ID == "" || out.ToolCallID != call.ID || out.Content != "5" {
		t.Errorf("tool call %+v answered by %+v: want the output under the call's id", call, out)
	}
	// Every request had a seed of its own (2 requests × 6 episodes).
	if len(model.seeds) != 12 {
		t.Errorf("%d distinct seeds over 12 requests", len(model.seeds))
	}
	m := ChatMetrics(trajs)
	if m["chat/replies_mean"] != 2 || m["chat/tool_calls_mean"] != 1 {
		t.Errorf("metrics %v", m)
	}
}

// A request that fails loses its episode (counted apart), not the
// evaluation; an episode that never stops calling ends at MaxReplies.
func TestChatRollerFailuresAndLimits(t *testing.T) {
	tasks, _ := adderSuite{}.Tasks("test")
	r := &ChatRoller{Suite: adderSuite{}, Model: &adderModel{fail: "What is 4+5?"}, ToolFormat: ToolFormatFC, Rewards: DefaultRewards()}
	ev, trajs, err := ChatEvaluate(context.Background(), r, tasks, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !trajs[1].InfraFailed || !strings.Contains(trajs[1].Err, "503") || trajs[0].InfraFailed {
		t.Errorf("trajectories %+v", trajs)
	}
	if got := ev.Aggregates["infra_failed_rate"]; got != 1.0/3 || ev.Aggregates["avg@1"] != 1 {
		t.Errorf("aggregates %v: want one of three lost and the others solved", ev.Aggregates)
	}

	r = &ChatRoller{Suite: adderSuite{}, Model: &adderModel{loop: true}, ToolFormat: ToolFormatFC, MaxReplies: 4, Rewards: DefaultRewards()}
	ev, trajs, err = ChatEvaluate(context.Background(), r, tasks, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	if trajs[0].EndReason != "max_replies" || trajs[0].Replies != 4 || ev.Aggregates["avg@1"] != 0 {
		t.Errorf("looping model: %+v, aggregates %v", trajs[0], ev.Aggregates)
	}

	r = &ChatRoller{Suite: adderSuite{}, Model: &adderModel{fail: "What is 2+3?"}, ToolFormat: ToolFormatFC}
	if _, _, err := ChatEvaluate(context.Background(), r, tasks[:1], 1, 7); err == nil || !strings.Contains(err.Error(), "every one of 1 episodes failed") {
		t.Errorf("every episode lost: error %v", err)
	}
}

// echoModel repeats the last user message.
type echoModel struct{}

func (echoModel) Chat(_ context.Context, msgs []remote.Message, tools []remote.Tool, _ remote.ChatOptions) (remote.Reply, error) {
	if len(tools) != 0 {
		return remote.Reply{}, errors.New("tools offered in prompting mode")
	}
	return remote.Reply{Content: msgs[1].Content}, nil
}

// Prompting mode steps the environment with the reply's text; function
// calling needs an env.ToolEnv.
func TestChatRollerPrompting(t *testing.T) {
	tasks, _ := echoSuite{}.Tasks("test")
	r := &ChatRoller{Suite: echoSuite{}, Model: echoModel{}, ToolFormat: ToolFormatPrompt, Rewards: DefaultRewards()}
	ev, trajs, err := ChatEvaluate(context.Background(), r, tasks, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Aggregates["avg@1"] != 1 || trajs[0].Replies != 2 {
		t.Errorf("aggregates %v, trajectory %+v", ev.Aggregates, trajs[0])
	}
	r.ToolFormat = ToolFormatFC
	if _, _, err := ChatEvaluate(context.Background(), r, tasks, 1, 1); err == nil || !strings.Contains(err.Error(), "no function-calling mode") {
		t.Errorf("function calling on a suite without tools: %v", err)
	}
	r.ToolFormat = "xml"
	if _, _, err := ChatEvaluate(context.Background(), r, tasks, 1, 1); err == nil || !strings.Contains(err.Error(), "allowed: fc, prompt") {
		t.Errorf("unknown tool format: %v", err)
	}
}
