package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"
)

// field is one field of a request body of AppWorld's official server:
// its JSON type ("string", "integer", "boolean", "strings" for a list of
// strings, with "|null" where the model allows None) and whether the
// server requires it.
type field struct {
	typ      string
	required bool
}

// officialRequests are the request bodies of AppWorld's official
// environment server (appworld/serve/environment.py: the AppWorldArgs
// model, AppWorldInitDefaults plus task_id, for /initialize; the Body(...)
// parameters of the other routes), written out by hand.
var officialRequests = map[string]map[string]field{
	"/initialize": {
		"task_id": {"string", true}, "experiment_name": {"string", false},
		"remote_apis_url": {"string|null", false}, "remote_environment_url": {"string|null", false},
		"remote_mcp_url": {"string|null", false}, "remote_docker": {"boolean", false},
		"max_interactions": {"integer", false}, "max_api_calls_per_interaction": {"integer", false},
		"raise_on_unsafe_syntax": {"boolean", false}, "raise_on_unsafe_execution": {"boolean", false},
		"load_ground_truth": {"boolean", false}, "ground_truth_mode": {"string", false},
		"raise_on_failure": {"boolean", false}, "random_seed": {"integer|null", false},
		"timeout_seconds": {"integer|null", false}, "show_api_response_schemas": {"boolean", false},
		"gc_threshold": {"integer|null", false}, "include_direct_functions": {"boolean", false},
		"direct_function_separator": {"string", false}, "raise_on_extra_parameters": {"boolean", false},
		"import_utils": {"boolean", false}, "parse_datetimes": {"boolean", false},
		"allow_datetime_change": {"boolean", false}, "add_login_shortcut": {"boolean", false},
		"wrap_response": {"boolean", false}, "unwrap_response": {"boolean", false},
		"munchify_response": {"boolean", false},
	},
	"/execute":        {"task_id": {"string", true}, "code": {"string", true}},
	"/batch_execute":  {"task_id": {"string", true}, "codes": {"strings", true}},
	"/task_completed": {"task_id": {"string", true}},
	"/close":          {"task_id": {"string", true}},
	"/close_all":      {},
	"/evaluate": {"task_id": {"string", true}, "suppress_errors": {"boolean", false}, "report": {"boolean", false},
		"experiment_name": {"string|null", false}},
	"/evaluate_all": {"task_ids": {"strings", true}, "experiment_name": {"string", true},
		"suppress_errors": {"boolean", false}, "include_details": {"boolean", false}},
	"/save":       {"task_id": {"string", true}},
	"/save_logs":  {"task_id": {"string", true}},
	"/save_state": {"task_id": {"string", true}, "state_id": {"string", true}},
	"/load_state": {"task_id": {"string", true}, "state_id": {"string", true}},
}

// jsonType names the JSON type of v as officialRequests does.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return "array"
			}
		}
		return "strings"
	}
	return "object"
}

func typeAllowed(want, got string) bool {
	return got == want || (got == "null" && len(want) > 5 && want[len(want)-5:] == "|null") ||
		(len(want) > 5 && want[:len(want)-5] == got && want[len(want)-5:] == "|null")
}

// recorder answers every POST with a plausible output and keeps the
// bodies by path.
type recorder struct {
	mu     sync.Mutex
	bodies map[string][]map[string]any
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if len(raw) > 0 {
		dec.Decode(&body)
	}
	r.mu.Lock()
	r.bodies[req.URL.Path] = append(r.bodies[req.URL.Path], body)
	r.mu.Unlock()
	outputs := map[string]any{"/initialize": map[string]any{"task_id": "x_1"}, "/execute": "ok", "/batch_execute": []string{"ok"},
		"/task_completed": false, "/evaluate": map[string]any{"success": true}, "/evaluate_all": map[string]any{},
		"/save_state": "s1"}
	writeJSON(w, 200, map[string]any{"output": outputs[req.URL.Path]})
}

// TestRequestsMatchOfficialFields sends every request of the client and
// compares each body with the official server's field names and types:
// no field the official server does not know, every field it requires,
// and each value of the type its model declares.
func TestRequestsMatchOfficialFields(t *testing.T) {
	rec := &recorder{bodies: map[string][]map[string]any{}}
	ts := httptest.NewServer(rec)
	defer ts.Close()
	c := NewClient(ts.URL, time.Minute)
	ctx := context.Background()
	every := InitRequest{TaskID: "x_1", ExperimentName: "e", RemoteAPIsURL: "http://a", RemoteEnvironmentURL: "http://b",
		RemoteMCPURL: "http://c", RemoteDocker: Bool(false), MaxInteractions: 10, MaxAPICallsPerInteraction: 20,
		RaiseOnUnsafeSyntax: Bool(true), RaiseOnUnsafeExecution: Bool(true), LoadGroundTruth: Bool(true),
		GroundTruthMode: "full", RaiseOnFailure: Bool(true), RandomSeed: Int(0), TimeoutSeconds: 30,
		ShowAPIResponseSchemas: Bool(true), GCThreshold: Int(1000), IncludeDirectFunctions: Bool(false),
		DirectFunctionSeparator: "__", RaiseOnExtraParameters: Bool(true), ImportUtils: Bool(false),
		ParseDatetimes: Bool(false), AllowDatetimeChange: Bool(false), AddLoginShortcut: Bool(false),
		WrapResponse: Bool(false), UnwrapResponse: Bool(false), MunchifyResponse: Bool(false)}
	calls := []func() error{
		func() error { _, err := c.Initialize(ctx, every); return err },
		func() error { _, err := c.Initialize(ctx, InitRequest{TaskID: "x_1"}); return err },
		func() error { _, err := c.Execute(ctx, "x_1", "print(1)"); return err },
		func() error { _, err := c.BatchExecute(ctx, "x_1", []string{"print(1)"}); return err },
		func() error { _, err := c.TaskCompleted(ctx, "x_1"); return err },
		func() error { _, err := c.Evaluate(ctx, "x_1"); return err },
		func() error { _, err := c.EvaluateSaved(ctx, "x_1", "e"); return err },
		func() error { _, err := c.EvaluateAll(ctx, []string{"x_1"}, "e"); return err },
		func() error { return c.Save(ctx, "x_1") },
		func() error { return c.SaveLogs(ctx, "x_1") },
		func() error { _, err := c.SaveState(ctx, "x_1", "s1"); return err },
		func() error { return c.LoadState(ctx, "x_1", "s1") },
		func() error { return c.Close(ctx, "x_1") },
		func() error { return c.CloseAll(ctx) },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	for path, want := range officialRequests {
		bodies := rec.bodies[path]
		if len(bodies) == 0 {
			t.Errorf("%s: the client never sent it", path)
		}
		for _, body := range bodies {
			for _, p := range bodyProblems(path, body, want) {
				t.Error(p)
			}
		}
	}
	if n := len(rec.bodies["/initialize"]); n == 2 && len(rec.bodies["/initialize"][0]) != len(officialRequests["/initialize"]) {
		t.Errorf("/initialize with every option sent %d fields, the official model has %d", len(rec.bodies["/initialize"][0]), len(officialRequests["/initialize"]))
	}
}

// bodyProblems lists how body differs from the official request want.
func bodyProblems(path string, body map[string]any, want map[string]field) []string {
	var keys []string
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		f, ok := want[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s: field %q is not in the official request", path, k))
			continue
		}
		if got := jsonType(body[k]); !typeAllowed(f.typ, got) {
			out = append(out, fmt.Sprintf("%s: field %q is %s, the official server takes %s", path, k, got, f.typ))
		}
	}
	for k, f := range want {
		if _, ok := body[k]; f.required && !ok {
			out = append(out, fmt.Sprintf("%s: required field %q is missing", path, k))
		}
	}
	return out
}

// TestFieldCheckerCatches checks the checker itself on bodies that must
// fail: an unknown field, a missing required one, a wrong type.
func TestFieldCheckerCatches(t *testing.T) {
	cases := []struct {
		name string
		body map[string]any
	}{
		{"unknown field", map[string]any{"task_id": "x", "code": "c", "cell": "c"}},
		{"missing field", map[string]any{"task_id": "x"}},
		{"wrong type", map[string]any{"task_id": "x", "code": json.Number("3")}},
		{"float for integer", map[string]any{"task_id": "x", "random_seed": json.Number("1.5")}},
	}
	for _, c := range cases {
		path := "/execute"
		if _, ok := c.body["random_seed"]; ok {
			path = "/initialize"
		}
		if p := bodyProblems(path, c.body, officialRequests[path]); len(p) == 0 {
			t.Errorf("%s: the checker accepted %v", c.name, c.body)
		}
	}
}
