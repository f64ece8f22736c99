package appworld

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/native"
	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/harness/env"
)

// toolEpisode starts a function-calling episode of the suite's first dev
// task.
func toolEpisode(t *testing.T, params map[string]string) (env.ToolEnv, []env.Message) {
	t.Helper()
	s, err := env.Open("appworld", env.Options{Params: params})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := s.Tasks("dev")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := s.NewEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	te := e.(env.ToolEnv)
	msgs, err := te.ResetTools(ctx, dev[0])
	if err != nil {
		t.Fatal(err)
	}
	return te, msgs
}

// The native world's tools, read through the protocol, hold the APIs an
// agent needs, named <app>__<api>, with their parameters as JSON Schema;
// an official-protocol server over the same world gives the same tools.
func TestToolSchemasNativeWorld(t *testing.T) {
	te, msgs := toolEpisode(t, map[string]string{"max_turns": "5"})
	if len(msgs) != 2 || msgs[0].Content != ToolSystemPrompt || !strings.Contains(msgs[1].Content, "Task: ") {
		t.Fatalf("opening messages %+v", msgs)
	}
	tools, err := te.ToolSchemas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]env.Tool{}
	for _, tool := range tools {
		byName[tool.Name] = tool
	}
	for _, name := range []string{"supervisor__complete_task", "supervisor__show_account_passwords",
		"api_docs__show_api_doc", "phone__login", "simple_note__login", "file_system__login"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("no tool %s among %d", name, len(tools))
		}
	}
	// Written by hand from complete_task's documentation.
	want := `{"name": "supervisor__complete_task",
		"description": "Mark the task complete, giving the answer when the task asks a question.",
		"parameters": {"type": "object", "required": [], "properties": {
			"answer": {"description": "The answer to the task's question, if it asks one."},
			"status": {"type": "string", "default": "success",
				"description": "Whether you succeeded or gave up. Constraints: value in ['success', 'fail']."}}}}`
	got, _ := json.Marshal(byName["supervisor__complete_task"])
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("complete_task:\n got %s\nwant %s", got, want)
	}
	login := byName["phone__login"].Parameters
	if req, _ := login["required"].([]any); len(req) != 2 {
		t.Errorf("phone__login required %v, want username and password", login["required"])
	}
	for _, tool := range tools {
		props, ok := tool.Parameters["properties"].(map[string]any)
		if tool.Parameters["type"] != "object" || !ok {
			t.Errorf("%s: parameters %v", tool.Name, tool.Parameters)
		}
		for _, r := range tool.Parameters["required"].([]any) {
			if props[r.(string)] == nil {
				t.Errorf("%s: required %v is not a property", tool.Name, r)
			}
		}
	}

	srv := native.New(native.Options{})
	defer srv.Shutdown()
	ts := httptest.NewServer(protocol.Handler(srv))
	defer ts.Close()
	rte, _ := toolEpisode(t, map[string]string{"mode": "remote", "urls": ts.URL, "max_turns": "5"})
	remoteTools, err := rte.ToolSchemas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(remoteTools, tools) {
		t.Errorf("the remote client read %d tools, the native world %d; want the same", len(remoteTools), len(tools))
	}
}

// Tool calls run in one cell and each gets its own output; a bad name or
// bad arguments are answered without running; complete_task ends the
// episode.
func TestStepToolsNativeWorld(t *testing.T) {
	te, _ := toolEpisode(t, map[string]string{"max_turns": "5"})
	ctx := context.Background()
	res, err := te.StepTools(ctx, "", []env.ToolCall{
		{ID: "1", Name: "supervisor__show_account_passwords", Arguments: "{}"},
		{ID: "2", Name: "phone__login", Arguments: `{"username": "nobody", "password": "x"}`},
		{ID: "3", Name: "no_such_tool", Arguments: "{}"},
		{ID: "4", Name: "simple_note__login", Arguments: `["x"]`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) != 4 || res.Done {
		t.Fatalf("outputs %q, done %v", res.Outputs, res.Done)
	}
	var passwords []map[string]any
	if err := json.Unmarshal([]byte(res.Outputs[0]), &passwords); err != nil || len(passwords) == 0 || passwords[0]["password"] == nil {
		t.Errorf("show_account_passwords output %q: want the JSON list of passwords", res.Outputs[0])
	}
	for i, wantHas := range map[int]string{1: "Error: ", 2: "unknown tool", 3: "want a JSON object"} {
		if !strings.Contains(res.Outputs[i], wantHas) {
			t.Errorf("output %d %q, want it to contain %q", i, res.Outputs[i], wantHas)
		}
	}
	res, err = te.StepTools(ctx, "I think I am done.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) != 1 || res.Messages[0].Content != NoCallsMessage || res.Done {
		t.Errorf("a reply without calls: %+v", res)
	}
	res, err = te.StepTools(ctx, "", []env.ToolCall{{ID: "5", Name: "supervisor__complete_task", Arguments: `{"status": "fail"}`}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done || res.Info["task_completed"] != true || !strings.Contains(res.Outputs[0], "complete") {
		t.Errorf("complete_task: %+v, want the episode done", res)
	}
	ev, err := te.Evaluate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Success {
		t.Errorf("a task given up on succeeded: %+v", ev)
	}
}

func TestParamSchema(t *testing.T) {
	cases := map[string]string{
		"string": `{"type":"string"}`, "integer": `{"type":"integer"}`, "number": `{"type":"number"}`,
		"boolean": `{"type":"boolean"}`, "list[string]": `{"items":{"type":"string"},"type":"array"}`,
		"list[list[integer]]": `{"items":{"items":{"type":"integer"},"type":"array"},"type":"array"}`,
		"dict":                `{"type":"object"}`, "any": `{}`,
	}
	for in, want := range cases {
		got, _ := json.Marshal(paramSchema(in))
		if string(got) != want {
			t.Errorf("paramSchema(%q) = %s, want %s", in, got, want)
		}
	}
}
