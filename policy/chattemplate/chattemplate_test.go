package chattemplate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadPublished(t *testing.T, name string) *Template {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata/templates", name))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := New(string(src), qwenSpecials)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// Qwen3's template drops the reasoning of assistant turns before the last
// user query and keeps it after; the expected text is written out by hand.
func TestQwen3DropsEarlierThinking(t *testing.T) {
	tmpl := loadPublished(t, "qwen3.jinja")
	msgs := []Message{
		{Role: "user", Content: Text("Q1")},
		{Role: "assistant", Content: Text("<think>\nR1\n</think>\n\nA1")},
		{Role: "user", Content: Text("Q2")},
		{Role: "assistant", Content: Text("A2"), ReasoningContent: Text("R2")},
	}
	got, err := tmpl.Render(msgs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>user\nQ1<|im_end|>\n" +
		"<|im_start|>assistant\nA1<|im_end|>\n" +
		"<|im_start|>user\nQ2<|im_end|>\n" +
		"<|im_start|>assistant\n<think>\nR2\n</think>\n\nA2<|im_end|>\n"
	if got != want {
		t.Errorf("render:\n got %q\nwant %q", got, want)
	}
	off := false
	got, err = tmpl.Render(msgs[:3], nil, Options{AddGenerationPrompt: true, EnableThinking: &off})
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n" +
		"<|im_start|>assistant\n<think>\n\n</think>\n\n"; got != want {
		t.Errorf("generation prompt without thinking:\n got %q\nwant %q", got, want)
	}
}

// Tool calls with object and string arguments, and tool results, in the
// Qwen2.5 template; expected text written by hand.
func TestQwen25ToolCalls(t *testing.T) {
	tmpl := loadPublished(t, "qwen2.5-instruct.jinja")
	tools := []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"f","parameters":{"x":1.0}}}`)}
	msgs := []Message{
		{Role: "user", Content: Text("go")},
		{Role: "assistant", ToolCalls: []ToolCall{
			{Type: "function", Function: FunctionCall{Name: "f", Arguments: json.RawMessage(`{"b":2,"a":"é"}`)}},
			{Type: "function", Function: FunctionCall{Name: "f", Arguments: json.RawMessage(`"{\"a\":1}"`)}},
		}},
		{Role: "tool", Content: Text("r1")},
		{Role: "tool", Content: Text("r2")},
	}
	got, err := tmpl.Render(msgs, tools, Options{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\n" +
		"You may call one or more functions to assist with the user query.\n\n" +
		"You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
		`{"type": "function", "function": {"name": "f", "parameters": {"x": 1.0}}}` + "\n</tools>\n\n" +
		"For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
		"<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
		"<|im_start|>user\ngo<|im_end|>\n" +
		"<|im_start|>assistant\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"b\": 2, \"a\": \"é\"}}\n</tool_call>\n" +
		"<tool_call>\n{\"name\": \"f\", \"arguments\": \"{\\\"a\\\":1}\"}\n</tool_call><|im_end|>\n" +
		"<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response><|im_end|>\n" +
		"<|im_start|>assistant\n"
	if got != want {
		t.Errorf("render:\n got %q\nwant %q\nfirst difference at %d", got, want, firstDiff(got, want))
	}
}

func TestRewriteTojson(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{{ x | tojson }}", "{{ __seeupo_tojson(x) }}"},
		{"{{- tool|tojson -}}", "{{- __seeupo_tojson(tool) -}}"},
		{"{{ a.b[0]['c'] | tojson(indent=2) }}", "{{ __seeupo_tojson(a.b[0]['c'], indent=2) }}"},
		{"{{ f(x)[1] | tojson }}", "{{ __seeupo_tojson(f(x)[1]) }}"},
		{"{{ x | trim | tojson }}", "{{ __seeupo_tojson(x | trim) }}"},
		{"{{ x | tojson | tojson }}", "{{ __seeupo_tojson(__seeupo_tojson(x)) }}"},
		{"{{ 'a' ~ y | tojson }}", "{{ 'a' ~ __seeupo_tojson(y) }}"},
		{"{{ (a + b) | tojson }}", "{{ __seeupo_tojson((a + b)) }}"},
		{"{{ {} | tojson }}{{ [1] | tojson }}", "{{ __seeupo_tojson({}) }}{{ __seeupo_tojson([1]) }}"},
		{"{% set s = m.args | tojson %}", "{% set s = __seeupo_tojson(m.args) %}"},
		{"text | tojson {{ 'x | tojson' }}", "text | tojson {{ 'x | tojson' }}"},
		{"{# c | tojson #}{{ v | tojsonish }}", "{# c | tojson #}{{ v | tojsonish }}"},
	}
	for _, c := range cases {
		if got := rewriteTojson(c.in); got != c.want {
			t.Errorf("rewriteTojson(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPythonFloat(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {0.1, "0.1"}, {-2.5, "-2.5"}, {1e22, "1e+22"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{1234567, "1234567.0"}, {123456789012.5, "123456789012.5"}, {1e-7, "1e-07"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {1.5e300, "1.5e+300"}, {2.5e-7, "2.5e-07"}, {12345678.9, "12345678.9"},
	}
	for _, c := range cases {
		if got := pythonFloat(c.f, true); got != c.want {
			t.Errorf("pythonFloat(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestLoad(t *testing.T) {
	qwen3, _ := os.ReadFile("testdata/templates/qwen3.jinja")
	srcJSON, _ := json.Marshal(string(qwen3))
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	conv := []byte(`{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}`)
	cases := []struct {
		name    string
		files   map[string]string
		want    string // a substring of the rendering
		wantErr string
	}{
		{"tokenizer_config string", map[string]string{TokenizerConfigFile: `{"eos_token":"<|im_end|>","chat_template":` + string(srcJSON) + `}`},
			"# Tools", ""},
		{"chat_template.jinja wins", map[string]string{TokenizerConfigFile: `{"eos_token":"<|im_end|>","chat_template":"config"}`, TemplateFile: "file {{ eos_token }}"},
			"file <|im_end|>", ""},
		{"special token as an object", map[string]string{TokenizerConfigFile: `{"eos_token":{"content":"</s>","lstrip":false},"chat_template":"{{ eos_token }}"}`},
			"</s>", ""},
		{"named templates, tools given", map[string]string{TokenizerConfigFile: `{"chat_template":[{"name":"default","template":"D"},{"name":"tool_use","template":"T"}]}`},
			"T", ""},
		{"no template", map[string]string{TokenizerConfigFile: `{"eos_token":"x"}`}, "", "no chat template"},
		{"no default among named", map[string]string{TokenizerConfigFile: `{"chat_template":[{"name":"rag","template":"R"}]}`}, "", `no template named "default"`},
		{"bad source", map[string]string{TemplateFile: "{% if %}"}, "", TemplateFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Load(write(t, c.files))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Load: %v, want an error with %q", err, c.wantErr)
				}
				if want := c.wantErr == "no chat template"; errors.Is(err, ErrNoTemplate) != want {
					t.Errorf("Load: errors.Is(%v, ErrNoTemplate) = %v, want %v", err, !want, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.RenderJSON(conv, Options{})
			if err != nil || !strings.Contains(got, c.want) {
				t.Errorf("RenderJSON = %q, %v; want it to contain %q", got, err, c.want)
			}
		})
	}
}

func TestSplitConversationErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"tools": []}`, `no "messages" list`},
		{`[{"content": "x"}]`, "message 0 has no role"},
		{`{"messages": [], "tools": {}}`, "tools must be a list"},
		{`nonsense`, "conversation"},
	}
	for _, c := range cases {
		if _, _, err := SplitConversation([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SplitConversation(%s): %v, want an error with %q", c.in, err, c.want)
		}
	}
}
