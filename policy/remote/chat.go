package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// Message is one chat message. An assistant message may carry tool
// calls; a tool message answers the call named by ToolCallID.
type Message struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

// ToolCall is one function call; Arguments is a JSON object.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Tool is a function the model may call; Parameters is a JSON schema.
type Tool struct {
	Name        string
	Description string
	Parameters  map[string]any
}

// ChatOptions are the per-model handling of chat mode.
type ChatOptions struct {
	// StripThink removes <think>…</think> (and a reply's text up to a
	// lone </think>, when the template opened the block) from replies.
	StripThink bool
	// ParseToolCallTags reads <tool_call>{"name", "arguments"}</tool_call>
	// blocks in the content as tool calls (Qwen and Hermes emit them).
	ParseToolCallTags bool
	// SystemPrompt, when set, is sent as the first system message, before
	// the conversation's own.
	SystemPrompt string
	// NoSystem folds system messages into the first user message, for
	// models without a system role.
	NoSystem    bool
	Temperature float64
	MaxTokens   int // 0: the server's default
	Seed        *int64
}

// Reply is the assistant's answer.
type Reply struct {
	Content      string
	ToolCalls    []ToolCall
	FinishReason string
	// PromptTokens and CompletionTokens are the request's usage as the
	// server reports it.
	PromptTokens, CompletionTokens int
}

// Chat sends one chat completion with the tools offered.
func (c *Client) Chat(ctx context.Context, msgs []Message, tools []Tool, o ChatOptions) (Reply, error) {
	if err := c.acquire(ctx); err != nil {
		return Reply{}, err
	}
	defer c.release()
	p := openai.ChatCompletionNewParams{Model: shared.ChatModel(c.model), Messages: chatParams(prepare(msgs, o)),
		Temperature: openai.Float(o.Temperature)}
	if o.MaxTokens > 0 {
		p.MaxTokens = openai.Int(int64(o.MaxTokens))
	}
	if o.Seed != nil {
		p.Seed = openai.Int(*o.Seed)
	}
	for _, t := range tools {
		def := shared.FunctionDefinitionParam{Name: t.Name, Parameters: shared.FunctionParameters(t.Parameters)}
		if t.Description != "" {
			def.Description = openai.String(t.Description)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(def))
	}
	start := time.Now()
	res, err := c.sdk.Chat.Completions.New(ctx, p)
	if err != nil {
		c.usage.record(start, 0, 0, err)
		return Reply{}, describe("/v1/chat/completions", err)
	}
	c.usage.record(start, int(res.Usage.PromptTokens), int(res.Usage.CompletionTokens), nil)
	if len(res.Choices) == 0 {
		return Reply{}, fmt.Errorf("/v1/chat/completions: no choices")
	}
	ch := res.Choices[0]
	r := Reply{Content: ch.Message.Content, FinishReason: ch.FinishReason,
		PromptTokens: int(res.Usage.PromptTokens), CompletionTokens: int(res.Usage.CompletionTokens)}
	for _, tc := range ch.Message.ToolCalls {
		r.ToolCalls = append(r.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return postprocess(r, o), nil
}

// prepare applies the system-prompt options to a conversation.
func prepare(msgs []Message, o ChatOptions) []Message {
	out := make([]Message, 0, len(msgs)+1)
	if o.SystemPrompt != "" {
		out = append(out, Message{Role: "system", Content: o.SystemPrompt})
	}
	out = append(out, msgs...)
	if !o.NoSystem {
		return out
	}
	var system []string
	var rest []Message
	for _, m := range out {
		if m.Role == "system" {
			system = append(system, m.Content)
			continue
		}
		rest = append(rest, m)
	}
	for i := range rest {
		if rest[i].Role == "user" && len(system) > 0 {
			rest[i].Content = strings.Join(system, "\n\n") + "\n\n" + rest[i].Content
			break
		}
	}
	return rest
}

func chatParams(msgs []Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, len(msgs))
	for i, m := range msgs {
		switch m.Role {
		case "system":
			out[i] = openai.SystemMessage(m.Content)
		case "assistant":
			a := &openai.ChatCompletionAssistantMessageParam{}
			if m.Content != "" || len(m.ToolCalls) == 0 {
				a.Content.OfString = openai.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: tc.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: tc.Arguments}}})
			}
			out[i] = openai.ChatCompletionMessageParamUnion{OfAssistant: a}
		case "tool":
			out[i] = openai.ToolMessage(m.Content, m.ToolCallID)
		default:
			out[i] = openai.UserMessage(m.Content)
		}
	}
	return out
}

var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// postprocess strips thinking and reads tool calls from the content.
func postprocess(r Reply, o ChatOptions) Reply {
	if o.StripThink {
		r.Content = thinkBlock.ReplaceAllString(r.Content, "")
		if i := strings.Index(r.Content, "</think>"); i >= 0 {
			r.Content = r.Content[i+len("</think>"):]
		}
		r.Content = strings.TrimSpace(r.Content)
	}
	if o.ParseToolCallTags && len(r.ToolCalls) == 0 {
		calls, rest := ParseToolCallTags(r.Content)
		if len(calls) > 0 {
			r.ToolCalls, r.Content = calls, rest
			if r.FinishReason == "stop" {
				r.FinishReason = "tool_calls"
			}
		}
	}
	return r
}

// ParseToolCallTags finds <tool_call>{"name": …, "arguments": {…}}</tool_call>
// blocks; rest is the text outside them. A block that is not such JSON
// ends the search (it and what follows stay in rest).
func ParseToolCallTags(text string) (calls []ToolCall, rest string) {
	const open, closing = "<tool_call>", "</tool_call>"
	var b strings.Builder
	for {
		i := strings.Index(text, open)
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], closing)
		if j < 0 {
			break
		}
		var c struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		}
		body := strings.TrimSpace(text[i+len(open) : i+j])
		if json.Unmarshal([]byte(body), &c) != nil || c.Name == "" {
			break
		}
		args := strings.TrimSpace(string(c.Arguments))
		if args == "" || args == "null" {
			args = "{}"
		}
		calls = append(calls, ToolCall{ID: fmt.Sprintf("call_%d", len(calls)), Name: c.Name, Arguments: args})
		b.WriteString(text[:i])
		text = text[i+j+len(closing):]
	}
	b.WriteString(text)
	return calls, strings.TrimSpace(b.String())
}
