package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/internal/testdata"
	"github.com/seeupo/seeupo/reports"
)

// How the scripted server answers.
const (
	scriptFC         = "fc"          // the turn's ground-truth calls as tool_calls
	scriptFCWrong    = "fc-wrong"    // the same without the entry's last call
	scriptPrompt     = "prompt"      // the calls as a Python list in the content
	scriptTaggedText = "tagged-text" // <think>…</think> and <tool_call> blocks in the content
)

// scriptedServer is an OpenAI-compatible chat server that plays BFCL
// entries: it finds the entry by the conversation's first user message and
// the turn by the user messages so far, answers the turn's ground-truth
// calls, then "Done." once their outputs are back.
type scriptedServer struct {
	t       *testing.T
	mode    string
	byQuest map[string]*bfcl.Entry

	mu       sync.Mutex
	requests int
	problems []string
	systems  map[string]int // first system message → requests
}

func newScriptedServer(t *testing.T, d *bfcl.Dataset, mode string) (*scriptedServer, string) {
	s := &scriptedServer{t: t, mode: mode, byQuest: map[string]*bfcl.Entry{}, systems: map[string]int{}}
	for _, e := range d.Entries["base"] {
		q := e.Question[0][len(e.Question[0])-1].Content
		if _, dup := s.byQuest[q]; dup {
			s.byQuest[q] = nil // ambiguous: never answered
			continue
		}
		s.byQuest[q] = e
	}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(ts.Close)
	return s, ts.URL + "/v1"
}

type chatMsg struct {
	Role       string `json:"role"`
	Content    any    `json:"content"`
	ToolCallID string `json:"tool_call_id"`
	ToolCalls  []struct {
		ID string `json:"id"`
	} `json:"tool_calls"`
}

func (m chatMsg) text() string { s, _ := m.Content.(string); return s }

func (s *scriptedServer) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *scriptedServer) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Messages []chatMsg        `json:"messages"`
		Tools    []map[string]any `json:"tools"`
	}
	if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, `{"error": {"message": "bad request"}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests++
	if len(req.Messages) > 0 && req.Messages[0].Role == "system" {
		s.systems[req.Messages[0].text()]++
	}
	s.mu.Unlock()
	s.checkToolMessages(req.Messages)
	content, calls := s.answer(req.Messages, len(req.Tools) > 0)
	msg := map[string]any{"role": "assistant", "content": content}
	finish := "stop"
	if len(calls) > 0 {
		var tcs []map[string]any
		for i, c := range calls {
			tcs = append(tcs, map[string]any{"id": fmt.Sprintf("call_%d_%d", len(req.Messages), i), "type": "function",
				"function": map[string]any{"name": c.Name, "arguments": c.Arguments}})
		}
		msg["tool_calls"], finish = tcs, "tool_calls"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "scripted",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}})
}

// checkToolMessages checks that every tool message answers a call of the
// assistant message before it, by id.
func (s *scriptedServer) checkToolMessages(msgs []chatMsg) {
	ids := map[string]bool{}
	for _, m := range msgs {
		switch m.Role {
		case "assistant":
			ids = map[string]bool{}
			for _, tc := range m.ToolCalls {
				ids[tc.ID] = true
			}
		case "tool":
			if !ids[m.ToolCallID] {
				s.problem("tool message with tool_call_id %q answers no call of the assistant message before it", m.ToolCallID)
			}
		}
	}
}

// answer is the scripted reply to a conversation.
func (s *scriptedServer) answer(msgs []chatMsg, withTools bool) (string, []env.ToolCall) {
	var e *bfcl.Entry
	turn := -1
	for _, m := range msgs {
		if m.Role != "user" || strings.HasPrefix(m.text(), "[{'role': 'tool'") {
			continue
		}
		if turn++; turn == 0 {
			for q, entry := range s.byQuest {
				if entry != nil && strings.HasSuffix(m.text(), q) {
					e = entry
				}
			}
		}
	}
	last := msgs[len(msgs)-1]
	if e == nil || turn >= len(e.GroundTruth) {
		s.problem("no entry or turn for a conversation of %d messages", len(msgs))
		return "I cannot tell.", nil
	}
	if withTools != (s.mode != scriptPrompt) {
		s.problem("tools offered: %v, in mode %s", withTools, s.mode)
	}
	truth := e.GroundTruth
	if s.mode == scriptFCWrong {
		truth = bfcl.DropLastCall(truth)
	}
	if last.Role != "user" || strings.HasPrefix(last.text(), "[{'role': 'tool'") || len(truth[turn]) == 0 {
		if s.mode == scriptTaggedText {
			return "<think>The turn is done.</think>\nDone.", nil
		}
		return "Done.", nil
	}
	calls := make([]env.ToolCall, len(truth[turn]))
	for i, c := range truth[turn] {
		tc, err := bfcl.ToolCallOf(c)
		if err != nil {
			s.t.Errorf("ground truth %q: %v", c, err)
		}
		calls[i] = tc
	}
	switch s.mode {
	case scriptPrompt:
		strs := make([]string, len(calls))
		for i, c := range calls {
			cs, err := bfcl.CallString(c)
			if err != nil {
				s.t.Error(err)
			}
			strs[i] = cs
		}
		return "[" + strings.Join(strs, ", ") + "]", nil
	case scriptTaggedText:
		var b strings.Builder
		b.WriteString("<think>Call the functions.</think>\n")
		for _, c := range calls {
			fmt.Fprintf(&b, "<tool_call>\n{\"name\": %q, \"arguments\": %s}\n</tool_call>\n", c.Name, c.Arguments)
		}
		return b.String(), nil
	}
	return "", calls
}

// chatEvalRun runs `seeupo eval --mode chat` on the first tasks of the
// BFCL reference split against a scripted server and returns the
// evaluation's run.
func chatEvalRun(t *testing.T, mode, name string, flags ...string) (*scriptedServer, *reports.Run) {
	t.Helper()
	bfclDir := testdata.Dir(t, "bfcl_v4")
	d, err := bfcl.Load(bfclDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, base := newScriptedServer(t, d, mode)
	out := t.TempDir()
	args := append([]string{"eval", "--policy", "openai", "--mode", "chat", "--base-url", base, "--model", "scripted",
		"--data-dir", filepath.Dir(bfclDir), "--split", "reference", "--samples", "1", "--tasks", "25",
		"--out", out, "--name", name}, flags...)
	stdout, stderr, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	if !strings.Contains(stderr, "remote policy: ") || !strings.Contains(stdout, "run directory: ") {
		t.Errorf("output lacks the usage line or the run directory:\n%s\n%s", stdout, stderr)
	}
	for _, p := range srv.problems {
		t.Error(p)
	}
	set, err := reports.Load([]string{out})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 || set.Runs[0].ID.Algorithm != name || set.Runs[0].ID.Suite != "bfcl_gen-reference" {
		t.Fatalf("runs found: %+v", set.Runs)
	}
	run := set.Runs[0]
	if len(run.Evals) != 1 || len(run.Evals[0].Tasks) != 25 || run.Summary == nil {
		t.Fatalf("run %s: %d evaluations, summary %v", run.Path, len(run.Evals), run.Summary)
	}
	if got := run.Summary.Figures["remote/requests"]; got != float64(srv.requests) || got == 0 {
		t.Errorf("summary counts %v requests, the server answered %d", got, srv.requests)
	}
	return srv, run
}

func avgAt1(run *reports.Run) float64 { return run.Evals[0].Aggregates[metrics.AvgAt(1)] }

// A served model that answers every turn with its ground-truth calls as
// tool_calls solves every task through the real BFCL checker; one that
// leaves out each task's last call solves none.
func TestEvalChatFunctionCalling(t *testing.T) {
	_, run := chatEvalRun(t, scriptFC, "served-fc")
	if got := avgAt1(run); got != 1 {
		t.Errorf("avg@1 %v with the ground truth as tool calls, want 1", got)
	}
	if run.Summary.Figures["chat/tool_calls_mean"] == 0 || run.Meta.Extra["tool_format"] != "fc" {
		t.Errorf("summary %v, meta %v: want tool calls counted and the tool format recorded", run.Summary.Figures, run.Meta.Extra)
	}
	_, wrong := chatEvalRun(t, scriptFCWrong, "served-fc-wrong")
	if got := avgAt1(wrong); got != 0 {
		t.Errorf("avg@1 %v without each task's last call, want 0", got)
	}
}

// In prompting mode the environment's system prompt describes the
// functions and the reply's text is parsed as the environment parses it.
func TestEvalChatPrompting(t *testing.T) {
	srv, run := chatEvalRun(t, scriptPrompt, "served-prompt", "--tool-format", "prompt")
	if got := avgAt1(run); got != 1 {
		t.Errorf("avg@1 %v with the ground truth as text, want 1", got)
	}
	for sys := range srv.systems {
		if !strings.Contains(sys, "Here is a list of functions in json format") {
			t.Errorf("system prompt %.120q is not BFCL's official prompting prompt", sys)
		}
	}
}

// <think> blocks are stripped and <tool_call> blocks in the content read
// as tool calls when asked; without the options nothing is called.
func TestEvalChatModelOptions(t *testing.T) {
	srv, run := chatEvalRun(t, scriptTaggedText, "served-tags", "--strip-think", "--parse-tool-call-tags", "--system-prompt", "Be brief.")
	if got := avgAt1(run); got != 1 {
		t.Errorf("avg@1 %v with tagged tool calls parsed, want 1", got)
	}
	if srv.systems["Be brief."] != srv.requests {
		t.Errorf("the system prompt opened %d of %d requests", srv.systems["Be brief."], srv.requests)
	}
	_, plain := chatEvalRun(t, scriptTaggedText, "served-tags-unparsed")
	if got := avgAt1(plain); got != 0 {
		t.Errorf("avg@1 %v with the tags left in the content, want 0", got)
	}
}

func TestEvalChatFlags(t *testing.T) {
	openai := []string{"eval", "--policy", "openai", "--base-url", "http://127.0.0.1:1/v1", "--model", "m"}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--mode", "chat"}, "--mode chat needs --policy openai"},
		{append(openai, "--mode", "talk"), `--mode "talk": known modes are tokens, chat`},
		{append(openai, "--mode", "chat", "--tool-format", "xml"), `--tool-format "xml": allowed: fc, prompt`},
		{append(openai, "--mode", "chat", "--tool-format", "prompt", "--parse-tool-call-tags"), "only --tool-format fc uses"},
		{append(openai, "--mode", "chat", "--temperature", "-1"), "--temperature must be >= 0"},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}

// appWorldServer answers an AppWorld conversation in function-calling
// mode: first the account passwords, then complete_task giving up.
func appWorldServer(t *testing.T) (string, *scriptedServer) {
	s := &scriptedServer{t: t, systems: map[string]int{}}
	h := func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []chatMsg `json:"messages"`
			Tools    []struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tools"`
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.requests++
		s.mu.Unlock()
		s.checkToolMessages(req.Messages)
		offered := map[string]bool{}
		for _, tool := range req.Tools {
			offered[tool.Function.Name] = true
		}
		call := map[string]any{"name": "supervisor__show_account_passwords", "arguments": "{}"}
		if last := req.Messages[len(req.Messages)-1]; last.Role == "tool" {
			if !strings.Contains(last.text(), `"password"`) {
				s.problem("the passwords call answered %.200q", last.text())
			}
			call = map[string]any{"name": "supervisor__complete_task", "arguments": `{"status": "fail"}`}
		}
		if !offered[call["name"].(string)] {
			s.problem("%s is not among the %d tools offered", call["name"], len(offered))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "c", "object": "chat.completion", "created": 1, "model": "scripted",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls", "message": map[string]any{
				"role": "assistant", "content": nil,
				"tool_calls": []any{map[string]any{"id": fmt.Sprintf("call_%d", len(req.Messages)), "type": "function", "function": call}}}}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}})
	}
	ts := httptest.NewServer(http.HandlerFunc(h))
	t.Cleanup(ts.Close)
	return ts.URL + "/v1", s
}

// On the native AppWorld world in function-calling mode the APIs are the
// tools, each call runs and is answered, and complete_task ends the
// episode.
func TestEvalChatAppWorld(t *testing.T) {
	base, srv := appWorldServer(t)
	out := t.TempDir()
	suite := filepath.Join(out, "with-appworld.yaml")
	if err := os.WriteFile(suite, []byte("appworld: {enabled: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "eval", "--policy", "openai", "--mode", "chat", "--base-url", base, "--model", "scripted",
		"--suite", suite, "--family", "appworld", "--split", "test", "--samples", "1", "--tasks", "3", "--out", out, "--max-turns", "5")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, p := range srv.problems {
		t.Error(p)
	}
	set, err := reports.Load([]string{out})
	if err != nil {
		t.Fatal(err)
	}
	run := set.Runs[0]
	if run.ID.Suite != "appworld" || run.ID.Algorithm != "scripted-fc" || len(run.Evals[0].Tasks) != 3 {
		t.Fatalf("run %+v", run.ID)
	}
	f := run.Summary.Figures
	if f["chat/replies_mean"] != 2 || f["chat/tool_calls_mean"] != 2 || f["eval/avg@1"] != 0 || srv.requests != 6 {
		t.Errorf("figures %v after %d requests: want two calls per episode, the last ending it, and no task solved", f, srv.requests)
	}
}
