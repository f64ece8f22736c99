package appworld

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/seeupo/seeupo/harness/env"
)

// Function-calling mode: every API of every app is a tool named
// <app>__<api> (spotify__login), as AppWorld's function-calling agents
// name them, with its parameters from the API docs as a JSON Schema. The
// docs are read once per suite through the environment protocol itself (a
// code cell that walks apis.api_docs), so the native world and an official
// server give their own. A reply's tool calls run together as one code
// cell, one turn; each call's output is its JSON result or its error. The
// episode ends as in prompting mode: when supervisor__complete_task has
// been called, or after MaxTurns replies.

// ToolSeparator joins an app's name and an API's name into a tool name.
const ToolSeparator = "__"

// ToolSystemPrompt tells a function-calling agent how to act in AppWorld.
const ToolSystemPrompt = `You are an agent working for a person (your supervisor) in a world of apps.
Act by calling the apps' APIs, offered to you as tools: the tool <app>__<api> calls API <api> of app <app>
and returns its JSON result. Get your supervisor's account passwords with supervisor__show_account_passwords
and log in to an app with <app>__login(username=..., password=...); pass the returned access_token to that
app's other APIs. Usernames are the supervisor's e-mail address (the phone app uses the phone number).
When the task is done, call supervisor__complete_task with answer=... if the task asks a question, or without
arguments otherwise; call it with status="fail" if the task cannot be done.`

// NoCallsMessage answers a reply without tool calls.
const NoCallsMessage = "No API was called. Act by calling the APIs as tools; call supervisor__complete_task when the task is done."

// docsCell prints the docs of every app's APIs as one JSON list,
// compressed (zlib, then base64) so that the hundreds of entries stay far
// below an interpreter's output cap.
const docsCell = `import json as _seeupo_json, zlib as _seeupo_zlib, base64 as _seeupo_b64
_seeupo_docs = []
for _seeupo_app in apis.api_docs.show_app_descriptions():
    for _seeupo_api in apis.api_docs.show_api_descriptions(app_name=_seeupo_app["name"]):
        _seeupo_doc = apis.api_docs.show_api_doc(app_name=_seeupo_app["name"], api_name=_seeupo_api["name"])
        _seeupo_docs.append({"app_name": _seeupo_app["name"], "api_name": _seeupo_api["name"],
            "description": _seeupo_doc.get("description", ""), "parameters": _seeupo_doc.get("parameters", [])})
print(_seeupo_b64.b64encode(_seeupo_zlib.compress(_seeupo_json.dumps(_seeupo_docs, default=str).encode())).decode())`

// APIDoc is the part of an API's documentation entry a tool needs.
type APIDoc struct {
	AppName     string     `json:"app_name"`
	APIName     string     `json:"api_name"`
	Description string     `json:"description"`
	Parameters  []APIParam `json:"parameters"`
}

// APIParam documents one parameter, in AppWorld's format.
type APIParam struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
	Default     any      `json:"default"`
	Constraints []string `json:"constraints"`
}

// APITool converts an API's documentation into a tool: parameter types
// string, integer, number and boolean stay; list[T] becomes an array of T;
// object and dict become object; any other type (any) is left open. The
// constraints follow the parameter's description; a default other than
// null is kept.
func APITool(d APIDoc) env.Tool {
	props := map[string]any{}
	required := []any{}
	for _, p := range d.Parameters {
		s := paramSchema(p.Type)
		desc := p.Description
		if len(p.Constraints) > 0 {
			desc = strings.TrimSpace(desc + " Constraints: " + strings.Join(p.Constraints, "; ") + ".")
		}
		if desc != "" {
			s["description"] = desc
		}
		if p.Default != nil {
			s["default"] = p.Default
		}
		props[p.Name] = s
		if p.Required {
			required = append(required, p.Name)
		}
	}
	return env.Tool{Name: d.AppName + ToolSeparator + d.APIName, Description: d.Description,
		Parameters: map[string]any{"type": "object", "properties": props, "required": required}}
}

func paramSchema(t string) map[string]any {
	t = strings.TrimSpace(t)
	switch t {
	case "string", "integer", "number", "boolean":
		return map[string]any{"type": t}
	case "object", "dict":
		return map[string]any{"type": "object"}
	case "list", "array":
		return map[string]any{"type": "array"}
	}
	if inner, ok := strings.CutPrefix(t, "list["); ok && strings.HasSuffix(inner, "]") {
		return map[string]any{"type": "array", "items": paramSchema(strings.TrimSuffix(inner, "]"))}
	}
	return map[string]any{}
}

// toolCache holds a suite's tools once read.
type toolCache struct {
	mu    sync.Mutex
	tools []env.Tool
}

// get returns the cached tools, reading them with read on first use (a
// failed read is not cached).
func (c *toolCache) get(read func() ([]env.Tool, error)) ([]env.Tool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tools != nil {
		return c.tools, nil
	}
	tools, err := read()
	if err != nil {
		return nil, err
	}
	c.tools = tools
	return tools, nil
}

// ResetTools implements env.ToolEnv: a system prompt for function calling
// and the task. The world allows one interaction more than MaxTurns, for
// the cell that reads the API docs when the suite has not read them yet.
func (e *Env) ResetTools(ctx context.Context, task env.Task) ([]env.Message, error) {
	user, err := e.begin(ctx, task, e.settings.MaxTurns+1)
	if err != nil {
		return nil, err
	}
	if e.tools, err = e.docs.get(func() ([]env.Tool, error) { return e.readTools(ctx) }); err != nil {
		return nil, err
	}
	return []env.Message{{Role: "system", Content: ToolSystemPrompt}, {Role: "user", Content: user}}, nil
}

// readTools runs docsCell in the episode's world.
func (e *Env) readTools(ctx context.Context) ([]env.Tool, error) {
	obs, err := e.backend.Execute(ctx, e.task.ID, docsCell)
	if err != nil {
		return nil, fmt.Errorf("appworld: reading the API docs in %s: %w", e.task.ID, err)
	}
	docs, err := decodeDocs(obs)
	if err != nil || len(docs) == 0 {
		return nil, fmt.Errorf("appworld: reading the API docs in %s: the cell printed %.300q", e.task.ID, obs)
	}
	tools := make([]env.Tool, len(docs))
	for i, d := range docs {
		tools[i] = APITool(d)
	}
	return tools, nil
}

// ToolSchemas implements env.ToolEnv: every API of every app.
func (e *Env) ToolSchemas(context.Context) ([]env.Tool, error) {
	if e.tools == nil {
		return nil, errors.New("appworld: ToolSchemas before ResetTools")
	}
	return e.tools, nil
}

// StepTools implements env.ToolEnv: the calls run in order in one cell;
// a reply without calls runs nothing and is answered NoCallsMessage. Both
// count as a turn.
func (e *Env) StepTools(ctx context.Context, _ string, calls []env.ToolCall) (env.ToolStepResult, error) {
	if !e.started || e.closed {
		return env.ToolStepResult{}, errors.New("appworld: StepTools before Reset or after Close")
	}
	if e.done {
		return env.ToolStepResult{StepResult: env.StepResult{Done: true}}, nil
	}
	var outs []string
	var msgs []env.Message
	if len(calls) == 0 {
		msgs = []env.Message{{Role: "user", Content: NoCallsMessage}}
	} else {
		var err error
		if outs, err = e.runCalls(ctx, calls); err != nil {
			return env.ToolStepResult{}, err
		}
	}
	completed, err := e.endTurn(ctx)
	if err != nil {
		return env.ToolStepResult{}, err
	}
	return env.ToolStepResult{Outputs: outs, StepResult: env.StepResult{Messages: msgs, Done: e.done,
		Info: map[string]any{"calls": len(calls), "turn": e.turns, "task_completed": completed}}}, nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// callCell is a tool call that can run: its app, API and arguments (a
// JSON object's text).
type callCell struct {
	app, api, args string
}

// parseCall checks a call's name and arguments.
func parseCall(c env.ToolCall) (callCell, error) {
	app, api, ok := strings.Cut(c.Name, ToolSeparator)
	if !ok || !identifier.MatchString(app) || !identifier.MatchString(api) {
		return callCell{}, fmt.Errorf("unknown tool %q: tools are named <app>%s<api>", c.Name, ToolSeparator)
	}
	text := strings.TrimSpace(c.Arguments)
	if text == "" {
		text = "{}"
	}
	var s string
	if json.Unmarshal([]byte(text), &s) == nil {
		text = s // arguments given as a JSON string holding the object
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		return callCell{}, fmt.Errorf("arguments of %s: want a JSON object: %v", c.Name, err)
	}
	return callCell{app: app, api: api, args: text}, nil
}

// runCalls runs the calls that parse in one cell and returns every call's
// output: its JSON result, "Error: ..." for a failed or malformed call,
// or the cell's whole observation when the cell did not print its
// results (an interaction cap, a timeout).
func (e *Env) runCalls(ctx context.Context, calls []env.ToolCall) ([]string, error) {
	outs := make([]string, len(calls))
	var cells []callCell
	var at []int
	for i, c := range calls {
		cc, err := parseCall(c)
		if err != nil {
			outs[i] = "Error: " + err.Error()
			continue
		}
		cells, at = append(cells, cc), append(at, i)
	}
	if len(cells) == 0 {
		return outs, nil
	}
	obs, err := e.backend.Execute(ctx, e.task.ID, callsCode(cells))
	if err != nil {
		return nil, fmt.Errorf("appworld: execute in %s: %w", e.task.ID, err)
	}
	for k, out := range cellOutputs(obs, len(cells)) {
		outs[at[k]] = out
	}
	return outs, nil
}

// pyString writes s as a Python string literal: a JSON string literal
// without "\/" (which encoding/json never writes) means the same in
// Python.
func pyString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// callsCode is the cell that makes the calls and prints a JSON list with
// one {"result": …} or {"error": …} per call.
func callsCode(cells []callCell) string {
	var b strings.Builder
	b.WriteString("import json as _seeupo_json\n_seeupo_calls = [\n")
	for _, c := range cells {
		fmt.Fprintf(&b, "    (%s, %s, %s),\n", pyString(c.app), pyString(c.api), pyString(c.args))
	}
	b.WriteString(`]
_seeupo_out = []
for _seeupo_app, _seeupo_api, _seeupo_args in _seeupo_calls:
    try:
        _seeupo_result = getattr(getattr(apis, _seeupo_app), _seeupo_api)(**_seeupo_json.loads(_seeupo_args))
        _seeupo_out.append({"result": _seeupo_result})
    except Exception as _seeupo_error:
        _seeupo_out.append({"error": "%s: %s" % (type(_seeupo_error).__name__, _seeupo_error)})
print(_seeupo_json.dumps(_seeupo_out, default=str))`)
	return b.String()
}

// cellOutputs splits the cell's printed list into n outputs.
func cellOutputs(obs string, n int) []string {
	var parsed []struct {
		Result json.RawMessage `json:"result"`
		Error  *string         `json:"error"`
	}
	outs := make([]string, n)
	if err := json.Unmarshal([]byte(strings.TrimSpace(obs)), &parsed); err != nil || len(parsed) != n {
		for i := range outs {
			outs[i] = obs
		}
		return outs
	}
	for i, p := range parsed {
		if p.Error != nil {
			outs[i] = "Error: " + *p.Error
			continue
		}
		outs[i] = string(p.Result)
	}
	return outs
}

var _ env.ToolEnv = (*Env)(nil)

// decodeDocs reads docsCell's output: base64 of the zlib-compressed JSON.
func decodeDocs(obs string) ([]APIDoc, error) {
	packed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(obs))
	if err != nil {
		return nil, err
	}
	zr, err := zlib.NewReader(bytes.NewReader(packed))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var docs []APIDoc
	err = json.NewDecoder(io.LimitReader(zr, 64<<20)).Decode(&docs)
	return docs, err
}
