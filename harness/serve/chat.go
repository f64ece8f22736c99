package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seeupo/seeupo/policy/remote"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, err)
		return
	}
	ld, treq, err := s.chatRequest(req)
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := s.submit(r.Context(), treq)
	if err != nil {
		writeError(w, err)
		return
	}
	msg, finish := s.answer(ld, req, res.comp)
	use := newUsage(len(treq.Prompt), len(res.comp.Tokens))
	id, created := s.newID("chatcmpl"), time.Now().Unix()
	if req.Stream {
		s.stream(w, ld, chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: s.name},
			msg, finish, res.comp, req.Options != nil && req.Options.IncludeUsage, use)
		return
	}
	writeJSON(w, http.StatusOK, chatResponse{ID: id, Object: "chat.completion", Created: created, Model: s.name,
		SystemFingerprint: res.fingerprint, Choices: []chatChoice{{Message: msg, FinishReason: finish}}, Usage: use})
}

// chatRequest validates a chat request and renders its prompt.
func (s *Server) chatRequest(req chatRequest) (*loaded, transformer.Request, error) {
	if err := s.checkModel(req.Model); err != nil {
		return nil, transformer.Request{}, err
	}
	if len(req.Messages) == 0 {
		return nil, transformer.Request{}, badRequest("messages", "", "messages is empty")
	}
	ld := s.current.Load()
	msgs, err := chatMessages(req)
	if err != nil {
		return nil, transformer.Request{}, err
	}
	prompt, err := ld.tok.EncodeChat(msgs, true)
	if err != nil {
		return nil, transformer.Request{}, badRequest("messages", "", "%v", err)
	}
	maxTokens := req.MaxTokens
	if req.MaxCompletionTokens != nil {
		maxTokens = req.MaxCompletionTokens
	}
	treq, err := s.request(ld, req.sampling, prompt, maxTokens, 0, "messages")
	return ld, treq, err
}

// chatMessages turns the request's messages into the template's, with the
// tool list in the system message and tool calls in the agent format.
func chatMessages(req chatRequest) ([]tokenizer.Message, error) {
	var out []tokenizer.Message
	for i, m := range req.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			return nil, badRequest(fmt.Sprintf("messages[%d].content", i), "", "%v", err)
		}
		role := m.Role
		switch role {
		case "developer":
			role = "system"
		case "system", "user", "tool":
		case "assistant":
			if len(m.ToolCalls) > 0 {
				calls, err := pyCallList(m.ToolCalls)
				if err != nil {
					return nil, badRequest(fmt.Sprintf("messages[%d].tool_calls", i), "", "%v", err)
				}
				text = strings.TrimSpace(text + "\n" + calls)
			}
		default:
			return nil, badRequest(fmt.Sprintf("messages[%d].role", i), "",
				"role %q: allowed roles are system, developer, user, assistant, tool", m.Role)
		}
		out = append(out, tokenizer.Message{Role: role, Content: text})
	}
	if len(req.Tools) > 0 {
		listing := toolListing(req.Tools)
		if out[0].Role == "system" {
			out[0].Content += "\n\n" + listing
		} else {
			out = append([]tokenizer.Message{{Role: "system", Content: listing}}, out...)
		}
	}
	return out, nil
}

// contentText reads a message's content: a string, null, or text parts.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content must be a string or a list of text parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q: only text parts are supported", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// toolListing lists the tools one per line, name(arg: type, …):
// description, and asks for calls in the agent format.
func toolListing(tools []tool) string {
	var b strings.Builder
	b.WriteString("Reply with the calls to make as a Python list, [func(arg='value'), other()], or in words when no call is needed.\n\nFunctions:\n")
	for _, t := range tools {
		var schema struct {
			Properties map[string]struct {
				Type any `json:"type"`
			} `json:"properties"`
		}
		_ = json.Unmarshal(t.Function.Parameters, &schema)
		names := make([]string, 0, len(schema.Properties))
		for n := range schema.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		args := make([]string, len(names))
		for i, n := range names {
			args[i] = fmt.Sprintf("%s: %v", n, schema.Properties[n].Type)
		}
		fmt.Fprintf(&b, "%s(%s): %s\n", t.Function.Name, strings.Join(args, ", "), t.Function.Description)
	}
	return b.String()
}

// answer turns a completion into the assistant message: with tools
// offered (and tool_choice not "none"), a reply that is a call list or
// holds <tool_call> blocks naming offered tools becomes tool_calls.
func (s *Server) answer(ld *loaded, req chatRequest, c transformer.Completion) (answerMessage, string) {
	text := s.decodeReply(ld, c.Tokens)
	msg := answerMessage{Role: "assistant", Content: &text}
	if len(req.Tools) == 0 || req.ToolChoice == "none" {
		return msg, c.FinishReason
	}
	var calls []call
	tagged, rest := remote.ParseToolCallTags(text)
	for _, tc := range tagged {
		calls = append(calls, call{Name: tc.Name, Args: tc.Arguments})
	}
	if len(calls) == 0 {
		var ok bool
		if calls, ok = parseCallList(text); !ok {
			return msg, c.FinishReason
		}
		rest = ""
	}
	offered := map[string]bool{}
	for _, t := range req.Tools {
		offered[t.Function.Name] = true
	}
	for _, cl := range calls {
		if !offered[cl.Name] {
			return msg, c.FinishReason
		}
	}
	msg.Content = nil
	if rest != "" {
		msg.Content = &rest
	}
	for i, cl := range calls {
		msg.ToolCalls = append(msg.ToolCalls, toolCall{ID: fmt.Sprintf("call_%s_%d", s.newID("t"), i), Type: "function",
			Function: functionCall{Name: cl.Name, Arguments: cl.Args}})
	}
	return msg, "tool_calls"
}

// stream writes the answer as server-sent events: the role, the content
// token by token (or the tool calls), the finish reason, the usage when
// asked, and [DONE]. Generation finishes before the first event.
func (s *Server) stream(w http.ResponseWriter, ld *loaded, base chatChunk, msg answerMessage, finish string,
	c transformer.Completion, withUsage bool, use usage) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(ch chatChunk) {
		b, _ := json.Marshal(ch)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	chunk := func(d chunkDelta, fin *string) chatChunk {
		ch := base
		ch.Choices = []chunkChoice{{Delta: d, FinishReason: fin}}
		return ch
	}
	empty := ""
	send(chunk(chunkDelta{Role: "assistant", Content: &empty}, nil))
	if len(msg.ToolCalls) > 0 {
		calls := make([]toolCall, len(msg.ToolCalls))
		for i, tc := range msg.ToolCalls {
			idx := i
			calls[i] = tc
			calls[i].Index = &idx
		}
		send(chunk(chunkDelta{ToolCalls: calls}, nil))
	} else {
		for _, piece := range textPieces(ld, c.Tokens) {
			send(chunk(chunkDelta{Content: &piece}, nil))
		}
	}
	send(chunk(chunkDelta{}, &finish))
	if withUsage {
		ch := base
		ch.Choices = []chunkChoice{}
		ch.Usage = &use
		send(ch)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// textPieces splits a reply's text at token boundaries, holding back
// bytes until they form whole UTF-8 characters.
func textPieces(ld *loaded, ids []int) []string {
	if n := len(ids); n > 0 && ids[n-1] == ld.end {
		ids = ids[:n-1]
	}
	var out []string
	sent := 0
	for i := range ids {
		text, _ := ld.tok.Decode(ids[:i+1])
		if len(text) > sent && utf8.ValidString(text[sent:]) {
			out = append(out, text[sent:])
			sent = len(text)
		}
	}
	return out
}
