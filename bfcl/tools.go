package bfcl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// Function-calling mode, as upstream's FC handlers run a multi-turn entry:
// the function docs go to the model as tools (converted to JSON Schema by
// ToolSchema), not in a system prompt; each tool call is turned into the
// call string upstream's convert_to_function_call makes and executed like a
// decoded prompting reply; a reply without tool calls ends the user turn.
// A miss_func hand-out turn adds the held-out docs to the tools and says
// AdditionalFunctionPrompt.

// PythonHint is the language hint upstream appends to the description of
// every function an entry lists when the data is loaded. The functions
// miss_func holds out are removed from that list before the hint is added,
// so upstream hands them out without it; ToolSchemas and the official
// system prompt do the same.
const PythonHint = " Note that the provided function is in Python 3 syntax."

// FloatHint follows the description of a float parameter in the tool
// schema (upstream's _cast_to_openai_type).
const FloatHint = " This is a float type value."

// openAPITypes maps the types of the function docs to JSON Schema types
// (upstream's GORILLA_TO_OPENAPI, Python entries); other types become
// "string".
var openAPITypes = map[string]string{
	"integer": "integer", "number": "number", "float": "number", "string": "string",
	"boolean": "boolean", "bool": "boolean", "array": "array", "list": "array",
	"dict": "object", "object": "object", "tuple": "array", "any": "string",
}

func jsonSchemaType(t any) string {
	if s, ok := t.(string); ok {
		if m, ok := openAPITypes[s]; ok {
			return m
		}
	}
	return "string"
}

// ToolSchema converts a function doc to a tool: the parameters become a
// JSON Schema object whose property types are mapped as upstream's
// convert_to_tool does (float: number with format float and FloatHint;
// dict: object; tuple: array; any and unknown types: string; nested
// properties and the items of arrays likewise). hint is appended to the
// description. The doc's "response" is not part of the tool.
func ToolSchema(doc FuncDoc, hint string) (env.Tool, error) {
	var raw struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters"`
	}
	if err := json.Unmarshal(doc.Raw, &raw); err != nil {
		return env.Tool{}, fmt.Errorf("bfcl: function doc %s: %w", doc.Name, err)
	}
	params := raw.Parameters
	if params == nil {
		params = map[string]any{}
	}
	params["type"] = "object"
	props, _ := params["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	params["properties"] = castProperties(props)
	if _, ok := params["required"]; !ok {
		params["required"] = []any{}
	}
	return env.Tool{Name: raw.Name, Description: raw.Description + hint, Parameters: params}, nil
}

// castProperties maps the types of a properties object in place.
func castProperties(props map[string]any) map[string]any {
	for name, v := range props {
		p, ok := v.(map[string]any)
		if !ok {
			p = map[string]any{}
			props[name] = p
		}
		if t, ok := p["type"]; ok && t == "float" {
			p["format"] = "float"
			desc, _ := p["description"].(string)
			p["description"] = desc + FloatHint
		}
		p["type"] = jsonSchemaType(p["type"])
		if p["type"] != "array" && p["type"] != "object" {
			continue
		}
		if sub, ok := p["properties"].(map[string]any); ok {
			p["properties"] = castProperties(sub)
		} else if items, ok := p["items"].(map[string]any); ok {
			castItems(items)
		}
	}
	return props
}

// castItems maps an array's item schema: its type, the items of an array
// of arrays, the properties of an array of objects.
func castItems(items map[string]any) {
	items["type"] = jsonSchemaType(items["type"])
	switch items["type"] {
	case "array":
		if inner, ok := items["items"].(map[string]any); ok {
			inner["type"] = jsonSchemaType(inner["type"])
		}
	case "object":
		if sub, ok := items["properties"].(map[string]any); ok {
			items["properties"] = castProperties(sub)
		}
	}
}

// CallString renders a tool call as the call string upstream executes,
// name(k1=repr(v1),k2=repr(v2)) with the arguments in the order given
// (convert_to_function_call). Arguments must be a JSON object, or a JSON
// string holding one.
func CallString(c env.ToolCall) (string, error) {
	if c.Name == "" {
		return "", errors.New("a tool call without a function name")
	}
	text := strings.TrimSpace(c.Arguments)
	if text == "" {
		text = "{}"
	}
	v, err := py.FromJSON([]byte(text))
	if err != nil {
		return "", fmt.Errorf("arguments of %s: %w", c.Name, err)
	}
	if s, ok := v.(py.Str); ok {
		if v, err = py.FromJSON([]byte(s)); err != nil {
			return "", fmt.Errorf("arguments of %s: %w", c.Name, err)
		}
	}
	args, ok := v.(*py.Dict)
	if !ok {
		return "", fmt.Errorf("arguments of %s: want a JSON object, got %s", c.Name, text)
	}
	parts := make([]string, args.Len())
	for i := range parts {
		parts[i] = py.StrOf(args.KeyAt(i)) + "=" + py.Repr(args.ValueAt(i))
	}
	return c.Name + "(" + strings.Join(parts, ",") + ")", nil
}

// ResetTools implements env.ToolEnv: the first user turn, without the
// system prompt of prompting mode.
func (v *Env) ResetTools(_ context.Context, task env.Task) ([]env.Message, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(task, true); err != nil {
		return nil, err
	}
	return v.turnMessages(0), nil
}

// ToolSchemas implements env.ToolEnv: the functions shown at the start
// (with PythonHint), then those handed out at the turns reached so far.
func (v *Env) ToolSchemas(context.Context) ([]env.Tool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entry == nil {
		return nil, errors.New("bfcl: ToolSchemas before Reset")
	}
	var tools []env.Tool
	add := func(docs []FuncDoc, hint string) error {
		for _, d := range docs {
			t, err := ToolSchema(d, hint)
			if err != nil {
				return err
			}
			tools = append(tools, t)
		}
		return nil
	}
	if err := add(v.data.Functions(v.entry, v.opts.HonourExcluded), PythonHint); err != nil {
		return nil, err
	}
	for t := 0; t <= v.turn && t < len(v.entry.Question); t++ {
		if err := add(v.data.HandedOut(v.entry, t), ""); err != nil {
			return nil, err
		}
	}
	return tools, nil
}

// StepTools implements env.ToolEnv: the calls run as one step, as the
// calls of a decoded prompting reply do; a reply without calls ends the
// user turn. When a call cannot be turned into a call string, the reply
// is undecodable as upstream sees it: nothing runs, every call's output
// says why, and the user turn ends.
func (v *Env) StepTools(_ context.Context, _ string, calls []env.ToolCall) (env.ToolStepResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.stepping("StepTools"); err != nil {
		return env.ToolStepResult{StepResult: env.StepResult{Done: v.done}}, err
	}
	if len(calls) == 0 {
		return env.ToolStepResult{StepResult: v.nextTurn(map[string]any{"turn": v.turn, "calls": 0, "end_of_turn": true})}, nil
	}
	strs := make([]string, len(calls))
	for i, c := range calls {
		s, err := CallString(c)
		if err != nil {
			outs := make([]string, len(calls))
			for j := range outs {
				outs[j] = "Error: the tool calls could not be decoded: " + err.Error()
			}
			info := map[string]any{"turn": v.turn, "calls": 0, "end_of_turn": true, "decode_error": err.Error()}
			return env.ToolStepResult{Outputs: outs, StepResult: v.nextTurn(info)}, nil
		}
		strs[i] = s
	}
	outs, res := v.execute(strs)
	return env.ToolStepResult{Outputs: outs, StepResult: res}, nil
}

var _ env.ToolEnv = (*Env)(nil)

// ToolCallOf renders a call string (a ground-truth call) as a function
// call with JSON arguments, as a function-calling model would make it:
// positional arguments are named after the parameters of the backend
// method of that name.
func ToolCallOf(call string) (env.ToolCall, error) {
	x, err := ParseExpr(call, "<string>")
	if err != nil {
		return env.ToolCall{}, err
	}
	c, ok := x.(*Call)
	if !ok {
		return env.ToolCall{}, fmt.Errorf("%q is not a call", call)
	}
	name, args, err := resolver{budget: py.NewBudget(MaxCallValueSize)}.call(c)
	if err != nil {
		return env.ToolCall{}, err
	}
	if len(c.Args) > 0 {
		params := methodParams(name)
		if len(params) < len(c.Args) {
			return env.ToolCall{}, fmt.Errorf("%q: %d positional arguments, and no method %s with that many parameters", call, len(c.Args), name)
		}
		named := py.NewDict()
		for i, a := range c.Args {
			v, err := resolver{budget: py.NewBudget(MaxCallValueSize)}.value(a)
			if err != nil {
				return env.ToolCall{}, err
			}
			named.SetStr(params[i], v)
		}
		for i := range args.Len() {
			if err := named.Set(args.KeyAt(i), args.ValueAt(i)); err != nil {
				return env.ToolCall{}, err
			}
		}
		args = named
	}
	text, err := py.Dumps(args)
	if err != nil {
		return env.ToolCall{}, err
	}
	return env.ToolCall{Name: name, Arguments: text}, nil
}

// methodParams are the parameter names of the first registered backend
// method called name.
func methodParams(name string) []string {
	for _, cn := range backend.Names() {
		cl, _ := backend.Lookup(cn)
		if m := cl.Method(name); m != nil {
			out := make([]string, len(m.Params))
			for i, p := range m.Params {
				out[i] = p.Name
			}
			return out
		}
	}
	return nil
}
