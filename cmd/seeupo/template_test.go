package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/tokenizer"
)

// templateCheckpoint writes a checkpoint directory holding Qwen3's chat
// template in tokenizer_config.json and the tokenizer fixture.
func templateCheckpoint(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile("../../policy/chattemplate/testdata/templates/qwen3.jinja")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "chat_template": string(src)})
	tok, err := os.ReadFile("../../policy/tokenizer/testdata/fidelity/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"tokenizer_config.json": cfg, "tokenizer.json": tok} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTemplateRender(t *testing.T) {
	dir := templateCheckpoint(t)
	conv := filepath.Join(t.TempDir(), "chat.json")
	os.WriteFile(conv, []byte(`{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
		{"role": "assistant", "content": "<think>\nR\n</think>\n\nA1"}, {"role": "user", "content": "Q2"}],
		"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]}`), 0o644)
	head := "<|im_start|>system\nS\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
		"You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
		`{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}` + "\n</tools>\n\n" +
		"For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
		"<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
		"<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n"
	cases := []struct {
		args []string
		want string
	}{
		{nil, head},
		{[]string{"--add-generation-prompt"}, head + "<|im_start|>assistant\n"},
		{[]string{"--add-generation-prompt", "--enable-thinking=false"}, head + "<|im_start|>assistant\n<think>\n\n</think>\n\n"},
		{[]string{"--add-generation-prompt", "--enable-thinking=true"}, head + "<|im_start|>assistant\n"},
	}
	for _, c := range cases {
		args := append([]string{"template", "render", "--checkpoint", dir, "--input", conv}, c.args...)
		out, _, err := runCLI(t, args...)
		if err != nil || out != c.want {
			t.Errorf("%v: %v\n got %q\nwant %q", c.args, err, out, c.want)
		}
	}
	out, _, err := runCLI(t, "template", "render", "--checkpoint", dir, "--input", conv, "--add-generation-prompt", "--ids")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := tok.Encode(head + "<|im_start|>assistant\n")
	if want := strings.ReplaceAll(fmt.Sprint(wantIDs), " ", ", ") + "\n"; out != want {
		t.Errorf("--ids printed %q, want %q", out, want)
	}
	if text, _ := tok.Decode(wantIDs); text != head+"<|im_start|>assistant\n" {
		t.Errorf("the ids decode to %q", text)
	}
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	if !strings.Contains(out, fmt.Sprintf(" %d,", end)) {
		t.Errorf("--ids output lacks <|im_end|> as its id %d: %s", end, out)
	}
}

func TestTemplateRenderErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "tokenizer_config.json"), []byte(`{"eos_token": "x"}`), 0o644)
	conv := filepath.Join(t.TempDir(), "chat.json")
	os.WriteFile(conv, []byte(`[{"content": "no role"}]`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"template", "render"}, "--checkpoint DIR is required"},
		{[]string{"template", "render", "--checkpoint", empty}, "no chat template"},
		{[]string{"template", "render", "--checkpoint", templateCheckpoint(t), "--input", conv}, "message 0 has no role"},
	}
	for _, c := range cases {
		if _, _, err := runCLI(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
		}
	}
}
