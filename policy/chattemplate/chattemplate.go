// Package chattemplate renders a conversation in the OpenAI messages
// format (system, user and assistant messages, tool calls, reasoning, tool
// results, a tools list) through a checkpoint's own Jinja chat template,
// as transformers' apply_chat_template does, so the policy sees exactly
// the text the model was trained on. The template runs in
// github.com/ardanlabs/jinja with transformers' settings (trim_blocks,
// lstrip_blocks) and globals; where that engine differs from Python's
// jinja2 on what chat templates use, the wrapper here supplies
// transformers' behaviour (see docs/policy.md, "Chat templates").
//
// CheckRetokenize compares the ids a multi-turn rollout sampled with the
// template's rendering of the same conversation, turn by turn.
package chattemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ardanlabs/jinja"
)

// The files of a Hugging Face checkpoint that hold the chat template.
const (
	TemplateFile        = "chat_template.jinja"
	TokenizerConfigFile = "tokenizer_config.json"
)

// ErrNoTemplate is Load's error for a directory without a chat template.
var ErrNoTemplate = errors.New("no chat template")

// Template is a compiled chat template with the special-token variables
// transformers passes to it (bos_token, eos_token, ...).
type Template struct {
	Source   string
	compiled *jinja.Template
	specials map[string]jinja.Value
	// named are the other templates of a tokenizer_config.json that holds
	// a list of named templates ("tool_use" is used when tools are given).
	named map[string]*Template
}

// Message is one message in the OpenAI chat format. Content is a pointer
// so an assistant message with only tool calls can carry "content": null.
type Message struct {
	Role             string     `json:"role"`
	Content          *string    `json:"content"`
	ReasoningContent *string    `json:"reasoning_content,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID       string     `json:"tool_call_id,omitempty"`
	Name             string     `json:"name,omitempty"`
}

// ToolCall is an assistant's call of a tool.
type ToolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function and its arguments: a JSON string (as
// the OpenAI API sends them) or a JSON object (as transformers users pass
// them); the template sees whichever is given.
type FunctionCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// Text returns a pointer to s, for Message.Content.
func Text(s string) *string { return &s }

// Options are apply_chat_template's keyword arguments.
type Options struct {
	// AddGenerationPrompt appends the start of an assistant turn.
	AddGenerationPrompt bool
	// EnableThinking is passed as enable_thinking when set (Qwen3: false
	// adds an empty <think></think> block); nil leaves it undefined, as
	// transformers does when the argument is not given.
	EnableThinking *bool
	// Now is the time strftime_now reports (zero: the current time).
	Now time.Time
}

// New compiles a template source. specials are the special-token
// variables (name → content) the template may use, such as eos_token.
func New(source string, specials map[string]string) (*Template, error) {
	c, err := jinja.Compile(rewriteTojson(source))
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	t := &Template{Source: source, compiled: c, specials: map[string]jinja.Value{}}
	for k, v := range specials {
		t.specials[k] = jinja.NewString(v)
	}
	return t, nil
}

// Load reads a checkpoint directory's chat template as transformers does:
// chat_template.jinja when present, else tokenizer_config.json's
// chat_template (a string, or a list of {name, template} of which
// "default" is used, and "tool_use" when tools are given). The special
// tokens of tokenizer_config.json become template variables. A directory
// with neither is an error that wraps ErrNoTemplate.
func Load(dir string) (*Template, error) {
	cfgPath := filepath.Join(dir, TokenizerConfigFile)
	var cfg map[string]json.RawMessage
	b, err := os.ReadFile(cfgPath)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", cfgPath, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	specials, err := specialTokens(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	jinjaPath := filepath.Join(dir, TemplateFile)
	if src, err := os.ReadFile(jinjaPath); err == nil {
		t, err := New(string(src), specials)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", jinjaPath, err)
		}
		return t, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	raw, ok := cfg["chat_template"]
	if !ok || string(raw) == "null" {
		return nil, fmt.Errorf("%s: %w: neither %s nor a chat_template field in %s", dir, ErrNoTemplate, TemplateFile, TokenizerConfigFile)
	}
	var src string
	if err := json.Unmarshal(raw, &src); err == nil {
		t, err := New(src, specials)
		if err != nil {
			return nil, fmt.Errorf("%s: chat_template: %w", cfgPath, err)
		}
		return t, nil
	}
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: chat_template is neither a string nor a list of {name, template}", cfgPath)
	}
	named := map[string]*Template{}
	for _, n := range list {
		t, err := New(n.Template, specials)
		if err != nil {
			return nil, fmt.Errorf("%s: chat_template %q: %w", cfgPath, n.Name, err)
		}
		named[n.Name] = t
	}
	def, ok := named["default"]
	if !ok {
		return nil, fmt.Errorf("%s: chat_template lists no template named \"default\"", cfgPath)
	}
	def.named = named
	return def, nil
}

// specialTokens reads the special-token fields of tokenizer_config.json
// (a string or an {"content": ...} object each; null ones are left out).
func specialTokens(cfg map[string]json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"} {
		raw, ok := cfg[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			out[name] = s
			continue
		}
		var obj struct {
			Content string `json:"content"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("%s: neither a string nor an object with content", name)
		}
		out[name] = obj.Content
	}
	return out, nil
}

// Render renders messages (and tools, each a JSON object such as
// {"type": "function", "function": {...}}) through the template.
func (t *Template) Render(messages []Message, tools []json.RawMessage, o Options) (string, error) {
	b, err := json.Marshal(messages)
	if err != nil {
		return "", err
	}
	var toolsJSON []byte
	if tools != nil {
		if toolsJSON, err = json.Marshal(tools); err != nil {
			return "", err
		}
	}
	return t.renderJSON(b, toolsJSON, o)
}

// RenderJSON renders a conversation given as JSON: either
// {"messages": [...], "tools": [...]} or a bare list of messages. The
// messages and tools reach the template as they are written, key order
// and unknown fields included.
func (t *Template) RenderJSON(conversation []byte, o Options) (string, error) {
	msgs, tools, err := SplitConversation(conversation)
	if err != nil {
		return "", err
	}
	return t.renderJSON(msgs, tools, o)
}

// SplitConversation returns the messages and tools (nil when absent or
// null) of a conversation JSON, checking that every message has a role.
func SplitConversation(conversation []byte) (messages, tools json.RawMessage, err error) {
	trimmed := strings.TrimSpace(string(conversation))
	if strings.HasPrefix(trimmed, "[") {
		messages = json.RawMessage(trimmed)
	} else {
		var c struct {
			Messages json.RawMessage `json:"messages"`
			Tools    json.RawMessage `json:"tools"`
		}
		if err := json.Unmarshal(conversation, &c); err != nil {
			return nil, nil, fmt.Errorf("conversation: %w (want {\"messages\": [...], \"tools\": [...]} or a list of messages)", err)
		}
		if c.Messages == nil {
			return nil, nil, fmt.Errorf("conversation: no \"messages\" list")
		}
		messages = c.Messages
		if string(c.Tools) != "null" {
			tools = c.Tools
		}
	}
	var roles []struct {
		Role *string `json:"role"`
	}
	if err := json.Unmarshal(messages, &roles); err != nil {
		return nil, nil, fmt.Errorf("conversation: messages: %w", err)
	}
	for i, r := range roles {
		if r.Role == nil {
			return nil, nil, fmt.Errorf("conversation: message %d has no role", i)
		}
	}
	if tools != nil {
		var list []json.RawMessage
		if err := json.Unmarshal(tools, &list); err != nil {
			return nil, nil, fmt.Errorf("conversation: tools must be a list: %w", err)
		}
	}
	return messages, tools, nil
}

func (t *Template) renderJSON(messages, tools []byte, o Options) (string, error) {
	msgs, err := decodeJSON(messages)
	if err != nil {
		return "", fmt.Errorf("messages: %w", err)
	}
	toolsValue := jinja.None()
	if tools != nil {
		if toolsValue, err = decodeJSON(tools); err != nil {
			return "", fmt.Errorf("tools: %w", err)
		}
	}
	use := t
	if tools != nil && t.named["tool_use"] != nil {
		use = t.named["tool_use"]
	}
	now := o.Now
	data := map[string]jinja.Value{
		"messages":              msgs,
		"tools":                 toolsValue,
		"documents":             jinja.None(),
		"add_generation_prompt": jinja.NewBool(o.AddGenerationPrompt),
		// transformers' globals and tojson filter, in place of the
		// engine's own (see docs/policy.md for why).
		"raise_exception": jinja.NewCallable("raise_exception", raiseException),
		"strftime_now": jinja.NewCallable("strftime_now", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
			if len(args) != 1 || !args[0].IsString() {
				return jinja.Undefined(), fmt.Errorf("strftime_now takes one format string")
			}
			at := now
			if at.IsZero() {
				at = time.Now()
			}
			return jinja.NewString(strftime(args[0].AsString(), at)), nil
		}),
		tojsonFunc: jinja.NewCallable("tojson", toJSON),
	}
	for k, v := range t.specials {
		data[k] = v
	}
	if o.EnableThinking != nil {
		data["enable_thinking"] = jinja.NewBool(*o.EnableThinking)
	}
	out, err := use.compiled.RenderValues(data)
	if err != nil {
		return "", fmt.Errorf("chat template: %w", err)
	}
	return out, nil
}

// TemplateError is what raise_exception raises inside a template.
type TemplateError struct{ Message string }

func (e *TemplateError) Error() string { return e.Message }

func raiseException(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 || !args[0].IsString() {
		return jinja.Undefined(), &TemplateError{Message: "raise_exception called without a message"}
	}
	return jinja.Undefined(), &TemplateError{Message: args[0].AsString()}
}
