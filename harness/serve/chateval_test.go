package serve

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/remote"
)

// weatherSuite is one task in function-calling mode: the fixture's
// weather question with get_weather offered; it succeeds when
// get_weather is called for Paris.
type weatherSuite struct {
	mu    sync.Mutex
	calls []env.ToolCall
}

func (*weatherSuite) Name() string     { return "weather" }
func (*weatherSuite) Splits() []string { return []string{"test"} }
func (*weatherSuite) Tasks(string) ([]env.Task, error) {
	return []env.Task{{ID: "paris", Group: "paris", Suite: "weather", Split: "test"}}, nil
}
func (s *weatherSuite) NewEnv(context.Context) (env.Env, error) { return &weatherEnv{suite: s}, nil }

type weatherEnv struct {
	suite *weatherSuite
	paris bool
}

func (e *weatherEnv) Reset(context.Context, env.Task) ([]env.Message, error) { return nil, nil }
func (e *weatherEnv) Step(context.Context, string) (env.StepResult, error) {
	return env.StepResult{Done: true}, nil
}
func (e *weatherEnv) ResetTools(context.Context, env.Task) ([]env.Message, error) {
	return []env.Message{{Role: "system", Content: systemPrompt}, {Role: "user", Content: question}}, nil
}
func (e *weatherEnv) ToolSchemas(context.Context) ([]env.Tool, error) {
	wt := weatherTool()
	var params map[string]any
	if err := json.Unmarshal(wt.Function.Parameters, &params); err != nil {
		return nil, err
	}
	return []env.Tool{{Name: wt.Function.Name, Description: wt.Function.Description, Parameters: params}}, nil
}
func (e *weatherEnv) StepTools(_ context.Context, _ string, calls []env.ToolCall) (env.ToolStepResult, error) {
	e.suite.mu.Lock()
	e.suite.calls = append(e.suite.calls, calls...)
	e.suite.mu.Unlock()
	res := env.ToolStepResult{StepResult: env.StepResult{Done: len(calls) == 0}}
	for _, c := range calls {
		var args struct{ City string }
		_ = json.Unmarshal([]byte(c.Arguments), &args)
		e.paris = e.paris || c.Name == "get_weather" && args.City == "Paris"
		res.Outputs = append(res.Outputs, "sunny")
	}
	return res, nil
}
func (e *weatherEnv) Evaluate(context.Context) (env.Evaluation, error) {
	return env.Evaluation{Success: e.paris}, nil
}
func (e *weatherEnv) Close() error { return nil }

// The chat loop through seeupo serve: the taught model answers the
// weather question with a get_weather call, which the environment
// executes and answers under the call's id.
func TestChatLoopThroughServe(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	client, err := remote.New(remote.Options{BaseURL: base, Model: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	suite := &weatherSuite{}
	r := &harness.ChatRoller{Suite: suite, Model: client, ToolFormat: harness.ToolFormatFC, MaxReplies: 3,
		Options: remote.ChatOptions{MaxTokens: 16}, Rewards: harness.DefaultRewards()}
	tasks, _ := suite.Tasks("test")
	ev, trajs, err := harness.ChatEvaluate(context.Background(), r, tasks, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr := trajs[0]
	if ev.Aggregates["avg@1"] != 1 || len(suite.calls) == 0 || suite.calls[0].Arguments != `{"city":"Paris"}` {
		t.Fatalf("avg@1 %v, calls %+v, trajectory %+v", ev.Aggregates["avg@1"], suite.calls, tr)
	}
	if len(tr.Messages) < 4 || tr.Messages[3].Role != "tool" || tr.Messages[3].ToolCallID != tr.Messages[2].ToolCalls[0].ID {
		t.Errorf("messages %+v: want the call's output as a tool message under its id", tr.Messages)
	}
	if u := client.Usage(); u.Requests != tr.Replies || u.CompletionTokens == 0 {
		t.Errorf("usage %+v for %d replies", u, tr.Replies)
	}
}
