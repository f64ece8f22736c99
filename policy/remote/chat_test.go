package remote

import (
	"reflect"
	"testing"
)

func TestPostprocess(t *testing.T) {
	cases := []struct {
		name string
		in   Reply
		o    ChatOptions
		want Reply
	}{
		{"think stripped", Reply{Content: "<think>plan</think>\n[f()]", FinishReason: "stop"}, ChatOptions{StripThink: true},
			Reply{Content: "[f()]", FinishReason: "stop"}},
		{"opened by the template", Reply{Content: "plan</think> done", FinishReason: "stop"}, ChatOptions{StripThink: true},
			Reply{Content: "done", FinishReason: "stop"}},
		{"think kept", Reply{Content: "<think>x</think>y"}, ChatOptions{}, Reply{Content: "<think>x</think>y"}},
		{"tool call tags", Reply{Content: "ok <tool_call>{\"name\": \"cd\", \"arguments\": {\"folder\": \"a\"}}</tool_call>", FinishReason: "stop"},
			ChatOptions{ParseToolCallTags: true},
			Reply{Content: "ok", ToolCalls: []ToolCall{{ID: "call_0", Name: "cd", Arguments: `{"folder": "a"}`}}, FinishReason: "tool_calls"}},
		{"malformed tag kept", Reply{Content: "<tool_call>{oops}</tool_call>"}, ChatOptions{ParseToolCallTags: true},
			Reply{Content: "<tool_call>{oops}</tool_call>"}},
	}
	for _, c := range cases {
		if got := postprocess(c.in, c.o); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestPrepareSystemOptions(t *testing.T) {
	conv := []Message{{Role: "system", Content: "S"}, {Role: "user", Content: "U"}}
	got := prepare(conv, ChatOptions{SystemPrompt: "P", NoSystem: true})
	want := []Message{{Role: "user", Content: "P\n\nS\n\nU"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prepare = %+v, want %+v", got, want)
	}
	if got := prepare(conv, ChatOptions{}); !reflect.DeepEqual(got, conv) {
		t.Errorf("prepare without options changed the conversation: %+v", got)
	}
}

func TestParseTokenID(t *testing.T) {
	for s, want := range map[string]int{"token_id:0": 0, "token_id:151645": 151645} {
		if got, ok := ParseTokenID(s); !ok || got != want {
			t.Errorf("ParseTokenID(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"hello", "token_id:", "token_id:-1", "token_id:x"} {
		if _, ok := ParseTokenID(s); ok {
			t.Errorf("ParseTokenID(%q) accepted", s)
		}
	}
}
