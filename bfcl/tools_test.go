package bfcl

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
)

// The tool schemas of a few functions, written by hand from their docs in
// multi_turn_func_doc and upstream's conversion rules (type object at the
// top, float → number with format float and a description note, dict →
// object, nested properties and array items mapped, response left out).
var handWrittenTools = map[string]string{
	"absolute_value": `{"name": "absolute_value",
		"description": "This tool belongs to the Math API, which provides various mathematical operations. Tool description: Calculate the absolute value of a number. Note that the provided function is in Python 3 syntax.",
		"parameters": {"type": "object", "required": ["number"], "properties": {
			"number": {"type": "number", "format": "float", "description": "The number to calculate the absolute value of.  This is a float type value."}}}}`,
	"mean": `{"name": "mean",
		"description": "This tool belongs to the Math API, which provides various mathematical operations. Tool description: Calculate the mean of a list of numbers. Note that the provided function is in Python 3 syntax.",
		"parameters": {"type": "object", "required": ["numbers"], "properties": {
			"numbers": {"type": "array", "items": {"type": "number"}, "description": "List of numbers to calculate the mean of. "}}}}`,
	"edit_ticket": `{"name": "edit_ticket",
		"description": "This tool belongs to the ticketing system that is part of a company, which allows users to create, view, and manage support business tickets. Tool description: Modify the details of an existing ticket. Note that the provided function is in Python 3 syntax.",
		"parameters": {"type": "object", "required": ["ticket_id", "updates"], "properties": {
			"ticket_id": {"type": "integer", "description": "ID of the ticket to be changed."},
			"updates": {"type": "object", "description": "Dictionary containing the fields to be updated.", "properties": {
				"title": {"type": "string", "description": "[Optional] New title for the ticket."},
				"description": {"type": "string", "description": "[Optional] New description for the ticket."},
				"status": {"type": "string", "description": "[Optional] New status for the ticket."},
				"priority": {"type": "integer", "description": "[Optional] New priority for the ticket."}}}}}}`,
	"post_tweet": `{"name": "post_tweet",
		"description": "This tool belongs to the TwitterAPI, which provides core functionality for posting tweets, retweeting, commenting, and following users on Twitter. Tool description: Post a tweet for the authenticated user. Note that the provided function is in Python 3 syntax.",
		"parameters": {"type": "object", "required": ["content"], "properties": {
			"content": {"type": "string", "description": "Content of the tweet."},
			"tags": {"type": "array", "items": {"type": "string"}, "default": [], "description": "List of tags for the tweet. Tag name should start with #. This is only relevant if the user wants to add tags to the tweet."},
			"mentions": {"type": "array", "items": {"type": "string"}, "default": [], "description": "List of users mentioned in the tweet. Mention name should start with @. This is only relevant if the user wants to add mentions to the tweet."}}}}`,
}

func TestToolSchemaHandWritten(t *testing.T) {
	d := loadDataset(t)
	found := 0
	for _, docs := range d.Docs {
		for _, doc := range docs {
			want, ok := handWrittenTools[doc.Name]
			if !ok {
				continue
			}
			found++
			tool, err := ToolSchema(doc, PythonHint)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(tool)
			if !sameJSON(t, got, []byte(want)) {
				t.Errorf("%s:\n got %s\nwant %s", doc.Name, got, want)
			}
		}
	}
	if found != len(handWrittenTools) {
		t.Errorf("found %d of the %d functions in the docs", found, len(handWrittenTools))
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("hand-written JSON: %v", err)
	}
	return reflect.DeepEqual(x, y)
}

// jsonSchemaTypes are the type names JSON Schema defines.
var jsonSchemaTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true,
	"array": true, "object": true, "null": true}

// checkSchema checks a JSON Schema node: a known type, properties that are
// schemas themselves, required names among the properties, items a schema.
func checkSchema(path string, node any) []string {
	s, ok := node.(map[string]any)
	if !ok {
		return []string{path + ": not an object"}
	}
	var bad []string
	if ty, ok := s["type"].(string); !ok || !jsonSchemaTypes[ty] {
		bad = append(bad, path+": type "+strings.TrimSpace(jsonText(s["type"])))
	}
	props, hasProps := s["properties"].(map[string]any)
	if _, present := s["properties"]; present && !hasProps {
		bad = append(bad, path+": properties is not an object")
	}
	for name, p := range props {
		bad = append(bad, checkSchema(path+"."+name, p)...)
	}
	if req, present := s["required"]; present {
		list, ok := req.([]any)
		if !ok {
			bad = append(bad, path+": required is not a list")
		}
		for _, r := range list {
			if name, ok := r.(string); !ok || props[name] == nil {
				bad = append(bad, path+": required "+jsonText(r)+" is not a property")
			}
		}
	}
	if items, present := s["items"]; present {
		bad = append(bad, checkSchema(path+"[]", items)...)
	}
	return bad
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every multi-turn entry's tools, at every turn of a function-calling
// episode, are JSON Schema objects (type object, properties, required among
// them) with distinct names; a miss_func turn adds exactly its handed-out
// functions, without the language hint.
func TestToolSchemasValidForEveryEntry(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ctx := context.Background()
	entries, handOuts := 0, 0
	for _, e := range d.All() {
		entries++
		ev, _ := suite.NewEnv(ctx)
		te := ev.(env.ToolEnv)
		msgs, err := te.ResetTools(ctx, env.Task{ID: e.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Role == "system" && strings.Contains(m.Content, "Here is a list of functions") {
				t.Fatalf("%s: function-calling mode sent the prompting system prompt", e.ID)
			}
		}
		var prev []string
		for turn := range e.Question {
			tools, err := te.ToolSchemas(ctx)
			if err != nil {
				t.Fatal(err)
			}
			names := checkTools(t, e.ID, tools)
			if added := len(names) - len(prev); turn > 0 && added > 0 {
				handOuts++
				want := e.MissedFunction[turn]
				if !reflect.DeepEqual(names[len(prev):], want) {
					t.Errorf("%s turn %d: added %v, want the handed-out %v", e.ID, turn, names[len(prev):], want)
				}
				for _, tool := range tools[len(prev):] {
					if strings.HasSuffix(tool.Description, PythonHint) {
						t.Errorf("%s: handed-out %s carries the language hint", e.ID, tool.Name)
					}
				}
			}
			prev = names
			if _, err := te.StepTools(ctx, "Nothing to do.", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d entries checked, %d hand-out turns", entries, handOuts)
	if handOuts == 0 {
		t.Error("no miss_func turn added tools")
	}
}

// checkTools checks one turn's tools and returns their names in order.
func checkTools(t *testing.T, id string, tools []env.Tool) []string {
	t.Helper()
	seen := map[string]bool{}
	var names []string
	for _, tool := range tools {
		if tool.Name == "" || seen[tool.Name] {
			t.Errorf("%s: tool name %q empty or repeated", id, tool.Name)
		}
		seen[tool.Name] = true
		names = append(names, tool.Name)
		if ty := tool.Parameters["type"]; ty != "object" {
			t.Errorf("%s %s: parameters type %v, want object", id, tool.Name, ty)
		}
		if _, ok := tool.Parameters["properties"].(map[string]any); !ok {
			t.Errorf("%s %s: parameters without properties", id, tool.Name)
		}
		for _, problem := range checkSchema(tool.Name, tool.Parameters) {
			t.Errorf("%s: %s", id, problem)
		}
	}
	return names
}

// The ground truth, made into tool calls, played through the
// function-calling mode solves every entry the Env's prompting mode
// solves; without its last call it fails.
func TestToolEpisodesGroundTruth(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	played, solved := 0, 0
	for _, e := range d.All() {
		if !registered(e) {
			continue
		}
		played++
		full := playTools(t, suite, e, e.GroundTruth)
		cut := playTools(t, suite, e, DropLastCall(e.GroundTruth))
		if full.Success {
			solved++
		} else {
			t.Errorf("%s: the ground truth as tool calls is not solved: %s", e.ID, full.Details)
		}
		if cut.Success {
			t.Errorf("%s: solved without the last call", e.ID)
		}
	}
	t.Logf("ground truth as tool calls: %d/%d solved", solved, played)
}

func playTools(t *testing.T, suite *Suite, e *Entry, turns [][]string) env.Evaluation {
	t.Helper()
	ctx := context.Background()
	ev, _ := suite.NewEnv(ctx)
	te := ev.(env.ToolEnv)
	if _, err := te.ResetTools(ctx, env.Task{ID: e.ID}); err != nil {
		t.Fatal(err)
	}
	direct, _ := suite.data.NewExecutor(e, "", nil)
	for ti, calls := range turns {
		if len(calls) > 0 {
			tcs := make([]env.ToolCall, len(calls))
			for i, c := range calls {
				tc, err := ToolCallOf(c)
				if err != nil {
					t.Fatalf("%s: %v", e.ID, err)
				}
				tc.ID = "c" + string(rune('a'+i))
				tcs[i] = tc
			}
			res, err := te.StepTools(ctx, "", tcs)
			if err != nil {
				t.Fatal(err)
			}
			if want := direct.Execute(calls); !reflect.DeepEqual(res.Outputs, want) {
				t.Fatalf("%s turn %d: outputs %q, want %q", e.ID, ti, res.Outputs, want)
			}
		}
		res, err := te.StepTools(ctx, "Done.", nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Done != (ti == len(turns)-1) {
			t.Fatalf("%s turn %d: done = %v", e.ID, ti, res.Done)
		}
	}
	r, err := ev.Evaluate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCallString(t *testing.T) {
	cases := []struct {
		call    env.ToolCall
		want    string
		errHas  string
		comment string
	}{
		{env.ToolCall{Name: "cd", Arguments: `{"folder": "doc's"}`}, `cd(folder="doc's")`, "", "repr quoting"},
		{env.ToolCall{Name: "add", Arguments: `{"b": 2.0, "a": 1}`}, `add(b=2.0,a=1)`, "", "order kept, int and float"},
		{env.ToolCall{Name: "f", Arguments: `{"x": [true, null, {"k": "v"}]}`}, `f(x=[True, None, {'k': 'v'}])`, "", "nested values"},
		{env.ToolCall{Name: "ls", Arguments: ""}, `ls()`, "", "no arguments"},
		{env.ToolCall{Name: "ls", Arguments: `"{\"a\": true}"`}, `ls(a=True)`, "", "arguments as a JSON string"},
		{env.ToolCall{Name: "ls", Arguments: `[1]`}, "", "want a JSON object", "not an object"},
		{env.ToolCall{Name: "ls", Arguments: `{"a": `}, "", "arguments of ls", "malformed"},
		{env.ToolCall{Arguments: `{}`}, "", "without a function name", "no name"},
	}
	for _, c := range cases {
		got, err := CallString(c.call)
		switch {
		case c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)):
			t.Errorf("%s: error %v, want one containing %q", c.comment, err, c.errHas)
		case c.errHas == "" && (err != nil || got != c.want):
			t.Errorf("%s: %q, %v; want %q", c.comment, got, err, c.want)
		}
	}
}

// An undecodable tool call ends the user turn without running anything;
// every call is answered why.
func TestStepToolsUndecodable(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ctx := context.Background()
	e := d.Entries["base"][0]
	ev, _ := suite.NewEnv(ctx)
	te := ev.(env.ToolEnv)
	if _, err := te.ResetTools(ctx, env.Task{ID: e.ID}); err != nil {
		t.Fatal(err)
	}
	res, err := te.StepTools(ctx, "", []env.ToolCall{{ID: "a", Name: "ls", Arguments: "{}"}, {ID: "b", Name: "cd", Arguments: "[oops"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) != 2 || !strings.Contains(res.Outputs[0], "could not be decoded") || res.Info["end_of_turn"] != true {
		t.Errorf("outputs %q, info %v: want both answered with the decode error and the turn ended", res.Outputs, res.Info)
	}
	var det EvalDetails
	r, _ := ev.Evaluate(ctx)
	_ = json.Unmarshal(r.Details, &det)
	if det.Calls != 0 {
		t.Errorf("%d calls executed, want none", det.Calls)
	}
	keys := make([]string, 0, len(res.Info))
	for k := range res.Info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"calls", "decode_error", "end_of_turn", "turn"}) {
		t.Errorf("info keys %v", keys)
	}
}
