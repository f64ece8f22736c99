package models

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

func testTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.Train([]string{"user\nhello there", "assistant\n[add(a=1, b=2)]", "tool\n3"}, 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestChatMLTemplateMatchesChatML renders ChatMLTemplate with Debian's
// python3-jinja2 (the engine transformers' apply_chat_template uses) and
// compares the text with tokenizer.ChatML's, with and without the
// generation prompt.
func TestChatMLTemplateMatchesChatML(t *testing.T) {
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import jinja2").CombinedOutput(); err != nil {
		t.Skipf("needs %s with jinja2 (apt-get install python3-jinja2): %v\n%s", py, err, out)
	}
	msgs := []tokenizer.Message{{Role: "system", Content: "Use the tools."}, {Role: "user", Content: "2+2?\nThen stop."},
		{Role: "assistant", Content: "[add(a=2, b=2)]"}, {Role: "tool", Content: `{"result": 4}`}, {Role: "assistant", Content: ""}}
	type jm struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	var in []jm
	for _, m := range msgs {
		in = append(in, jm{m.Role, m.Content})
	}
	b, _ := json.Marshal(map[string]any{"template": ChatMLTemplate, "messages": in})
	script := `import json, sys, jinja2
d = json.load(sys.stdin)
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
t = env.from_string(d["template"])
json.dump([t.render(messages=d["messages"], add_generation_prompt=g) for g in (False, True)], sys.stdout)`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jinja2: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i, gen := range []bool{false, true} {
		want, err := tokenizer.ChatML(msgs, gen)
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != want {
			t.Errorf("add_generation_prompt=%v: jinja2 renders %q, ChatML %q", gen, got[i], want)
		}
	}
}

// TestSaveDirFiles saves a model without a source (the tokenizer's files
// are written) and again with that directory as source (they are copied
// byte for byte, whatever the tokenizer would write).
func TestSaveDirFiles(t *testing.T) {
	tok := testTokenizer(t)
	cfg, _ := transformer.Preset("tiny")
	cfg.VocabSize = 320
	m, err := CPU(1).New(cfg, 1, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := t.TempDir()
	if err := SaveDir(first, m, tok, "", safetensors.BF16); err != nil {
		t.Fatal(err)
	}
	var tc map[string]any
	b, err := os.ReadFile(filepath.Join(first, TokenizerConfigFile))
	if err != nil || json.Unmarshal(b, &tc) != nil {
		t.Fatalf("tokenizer_config.json: %v", err)
	}
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	if tc["chat_template"] != ChatMLTemplate || tc["eos_token"] != tokenizer.IMEnd || tc["tokenizer_class"] != "Qwen2Tokenizer" {
		t.Errorf("tokenizer_config.json: %v", tc)
	}
	var gc struct {
		EOS []int `json:"eos_token_id"`
	}
	b, _ = os.ReadFile(filepath.Join(first, GenerationConfigFile))
	if json.Unmarshal(b, &gc) != nil || len(gc.EOS) == 0 || gc.EOS[0] != end {
		t.Errorf("generation_config.json: %s", b)
	}
	// A source's files win, unchanged.
	custom := []byte(`{"chat_template": "{{ messages }}", "eos_token": "<|im_end|>"}`)
	os.WriteFile(filepath.Join(first, TokenizerConfigFile), custom, 0o644)
	os.WriteFile(filepath.Join(first, ChatTemplateFile), []byte("{{ x }}"), 0o644)
	second := t.TempDir()
	if err := SaveDir(second, m, tok, first, safetensors.F32); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TokenizerFile, TokenizerConfigFile, GenerationConfigFile, ChatTemplateFile} {
		a, _ := os.ReadFile(filepath.Join(first, name))
		b, err := os.ReadFile(filepath.Join(second, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s not copied from the source (%v)", name, err)
		}
	}
	loaded, _, err := CPU(1).LoadDir(second, transformer.Options{Inference: true})
	if err != nil {
		t.Fatal(err)
	}
	if loaded.NumParams() != m.NumParams() {
		t.Errorf("reloaded %d parameters, saved %d", loaded.NumParams(), m.NumParams())
	}
}
