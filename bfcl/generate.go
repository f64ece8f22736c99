package bfcl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/backends/websearch"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// ChatMessage is one message of a conversation a Responder answers. An
// assistant message may carry tool calls; a tool message answers the call
// named by ToolCallID.
type ChatMessage struct {
	Role       string
	Content    string
	ToolCalls  []env.ToolCall
	ToolCallID string
}

// Response is a Responder's answer with what it cost.
type Response struct {
	Content                   string
	ToolCalls                 []env.ToolCall
	InputTokens, OutputTokens int
}

// Responder is the policy of `seeupo bfcl generate`: it answers a
// conversation, with tools offered in function-calling mode (tools is nil
// in prompting mode).
type Responder interface {
	Respond(ctx context.Context, msgs []ChatMessage, tools []env.Tool) (Response, error)
}

// EntryPolicy is a policy that answers each entry with its own
// Responder (the ground-truth policy knows the entry it answers).
type EntryPolicy interface {
	ForEntry(category, id string) (Responder, error)
}

// GenerateOptions say what to generate.
type GenerateOptions struct {
	// ResultDir receives <ModelName>/<group>/BFCL_v4_<category>_result.json.
	ResultDir, ModelName string
	Categories           []string
	// FC runs function-calling mode (tools offered, tool calls recorded
	// as [{name: arguments}]); otherwise prompting mode (upstream's
	// default system prompt, replies recorded as text).
	FC bool
	// Overwrite regenerates entries already in the result files (else
	// they are kept and skipped, as upstream does without
	// --allow-overwrite).
	Overwrite bool
	// Workers run entries concurrently (1 when < 1).
	Workers int
	// Limit generates only the first Limit entries of each category (0:
	// all; memory: the first Limit questions, with the prerequisite
	// conversations of their scenarios).
	Limit int
	Log   io.Writer
	// Embedder serves the vector memory backend (memory_vector).
	Embedder memory.Embedder
	// Search serves the web-search backend (web_search_*).
	Search websearch.Provider
}

// GeneratableCategories says which categories generate can run and why
// the others cannot. Every category can; the agentic ones need their
// services (NeededService), which Generate checks.
func GeneratableCategories(category string) error {
	if !contains(AllTestCategories, category) {
		return fmt.Errorf("unknown test category %q", category)
	}
	return nil
}

// Generate runs a policy on the entries of the categories and writes
// upstream's result files.
// The policy is a Responder or an EntryPolicy.
func (s *Scorer) Generate(ctx context.Context, policy any, opts GenerateOptions) error {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	if opts.ModelName == "" || strings.ContainsAny(opts.ModelName, `/\`) {
		return fmt.Errorf("model name %q: want a folder name (no / or \\)", opts.ModelName)
	}
	for _, cat := range opts.Categories {
		if err := GeneratableCategories(cat); err != nil {
			return fmt.Errorf("category %s: %w", cat, err)
		}
		if err := checkServices(cat, opts); err != nil {
			return fmt.Errorf("category %s: %w", cat, err)
		}
	}
	for _, cat := range opts.Categories {
		if opts.FC && isFormatSensitivity(cat) {
			fmt.Fprintf(logw, "%s: skipped: format sensitivity is for prompting mode only (upstream skips it for function-calling models)\n", cat)
			continue
		}
		entries, err := s.data.Entries(cat, true, true)
		if err != nil {
			return err
		}
		if opts.Limit > 0 && len(entries) > opts.Limit && !isAgentic(cat) {
			entries = entries[:opts.Limit]
		}
		files := []string{cat}
		if isAgentic(cat) {
			files = agenticResultFiles(cat)
		}
		dir := filepath.Join(opts.ResultDir, opts.ModelName, filepath.FromSlash(GroupDir(cat)))
		existing := map[string]*py.Dict{}
		if opts.Overwrite {
			if err := removeSnapshots(opts, cat); err != nil {
				return err
			}
		} else {
			for _, f := range files {
				old, err := ReadJSONLines(filepath.Join(dir, ResultFileName(f)))
				if err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				for _, o := range old {
					id, _ := dictString(o, "id")
					existing[id] = o
				}
			}
		}
		var todo []*py.Dict
		for _, e := range entries {
			id, _ := dictString(e, "id")
			if existing[id] == nil {
				todo = append(todo, e)
			}
		}
		var results []*py.Dict
		if isAgentic(cat) {
			if todo, err = agenticTodo(cat, todo, opts.Limit); err != nil {
				return err
			}
			results, err = s.runAgentic(ctx, policy, cat, todo, opts)
		} else {
			results, err = s.runEntries(ctx, policy, cat, todo, opts)
		}
		if err != nil {
			return err
		}
		all := make([]*py.Dict, 0, len(existing)+len(results))
		for _, o := range existing {
			all = append(all, o)
		}
		all = append(all, results...)
		byFile := splitByCategory(all, files)
		for _, f := range files {
			if len(byFile[f]) == 0 {
				continue
			}
			if err := SortByID(byFile[f]); err != nil {
				return err
			}
			path := filepath.Join(dir, ResultFileName(f))
			if err := writeResultFile(path, byFile[f]); err != nil {
				return err
			}
			fmt.Fprintf(logw, "%s: %d entries generated, %d kept, in %s\n", f, countIn(results, f, files), countIn(all, f, files)-countIn(results, f, files), path)
		}
	}
	return nil
}

// countIn counts the entries of file f among entries split by files.
func countIn(entries []*py.Dict, f string, files []string) int {
	return len(splitByCategory(entries, files)[f])
}

// writeResultFile writes entries as upstream's handler does: one
// json.dumps(entry) a line.
func writeResultFile(p string, entries []*py.Dict) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range entries {
		s, err := py.Dumps(py.JSONSafe(e))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return os.WriteFile(p, []byte(b.String()), 0o644)
}

func (s *Scorer) runEntries(ctx context.Context, policy any, cat string, entries []*py.Dict, opts GenerateOptions) ([]*py.Dict, error) {
	var d *Dataset
	if isMultiTurn(cat) {
		var err error
		if d, err = s.multiTurn(); err != nil {
			return nil, err
		}
	}
	out := make([]*py.Dict, len(entries))
	errs := make([]error, len(entries))
	err := runParallel(ctx, len(entries), opts.Workers, func(i int) {
		id, _ := dictString(entries[i], "id")
		r, err := responderFor(policy, cat, id)
		if err == nil {
			if isMultiTurn(cat) {
				out[i], err = generateMultiTurn(ctx, r, d, entries[i], opts)
			} else {
				out[i], err = generateSingleTurn(ctx, r, entries[i], opts.FC)
			}
		}
		if rec := inferenceErrorResult(entries[i], err, opts.Log); rec != nil {
			out[i], err = rec, nil
		}
		errs[i] = err
	})
	if err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			id, _ := dictString(entries[i], "id")
			return nil, fmt.Errorf("entry %s: %w", id, err)
		}
	}
	return out, nil
}

// runParallel calls do(i) for every i in [0, n) on workers goroutines (at
// least one), handing the indices out in order until ctx is cancelled; it
// returns ctx's error.
func runParallel(ctx context.Context, n, workers int, do func(i int)) error {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return ctx.Err()
}

// DefaultSystemPrompt is upstream's default prompting system prompt
// (DefaultPromptFormat) for the given function docs.
func DefaultSystemPrompt(functions py.Value) (string, error) {
	return FormulateSystemPrompt(DefaultPromptFormat, functions)
}

// questionTurn is entry["question"][t] as chat messages.
func questionTurn(e *py.Dict, t int) ([]ChatMessage, error) {
	q, _ := e.GetStr("question")
	turns, ok := q.(*py.List)
	if !ok || t >= len(turns.Items) {
		return nil, fmt.Errorf("field question: want a list with turn %d", t)
	}
	msgs, ok := turns.Items[t].(*py.List)
	if !ok {
		return nil, fmt.Errorf("field question[%d]: want a list of messages", t)
	}
	var out []ChatMessage
	for _, m := range msgs.Items {
		md, ok := m.(*py.Dict)
		if !ok {
			return nil, fmt.Errorf("field question[%d]: want message objects", t)
		}
		role, _ := md.GetStr("role")
		content, _ := md.GetStr("content")
		out = append(out, ChatMessage{Role: py.StrOf(role), Content: py.StrOf(content)})
	}
	return out, nil
}

// withSystemPrompt is upstream's system_prompt_pre_processing_chat_model.
func withSystemPrompt(msgs []ChatMessage, sys string) []ChatMessage {
	if len(msgs) > 0 && msgs[0].Role == "system" {
		out := append([]ChatMessage(nil), msgs...)
		out[0].Content = sys + "\n\n" + out[0].Content
		return out
	}
	return append([]ChatMessage{{Role: "system", Content: sys}}, msgs...)
}

// toolsOf converts single-turn function docs to tools, with "." in names
// replaced by "_" as upstream's OpenAI-style handlers do.
func toolsOf(functions py.Value) ([]env.Tool, error) {
	l, ok := functions.(*py.List)
	if !ok {
		return nil, fmt.Errorf("field function: want a list")
	}
	var tools []env.Tool
	for _, f := range l.Items {
		d, ok := f.(*py.Dict)
		if !ok {
			return nil, fmt.Errorf("field function: want objects")
		}
		raw, err := py.Dumps(d)
		if err != nil {
			return nil, err
		}
		name, _ := d.GetStr("name")
		t, err := ToolSchema(FuncDoc{Name: py.StrOf(name), Raw: json.RawMessage(raw), Value: d}, "")
		if err != nil {
			return nil, err
		}
		t.Name = strings.ReplaceAll(t.Name, ".", "_")
		tools = append(tools, t)
	}
	return tools, nil
}

// fcRecord is how upstream's function-calling handlers record a reply:
// [{name: arguments}, ...] when it has tool calls, else its text.
func fcRecord(resp Response) py.Value {
	if len(resp.ToolCalls) == 0 {
		return py.Str(resp.Content)
	}
	l := &py.List{}
	for _, c := range resp.ToolCalls {
		l.Items = append(l.Items, py.NewDict().With(c.Name, py.Str(c.Arguments)))
	}
	return l
}

func generateSingleTurn(ctx context.Context, r Responder, e *py.Dict, fc bool) (*py.Dict, error) {
	id, _ := dictString(e, "id")
	fns, _ := e.GetStr("function")
	msgs, err := questionTurn(e, 0)
	if err != nil {
		return nil, err
	}
	var tools []env.Tool
	if fc {
		if tools, err = toolsOf(fns); err != nil {
			return nil, err
		}
	} else {
		sys, err := FormulateSystemPrompt(PromptFormatOfID(id), fns)
		if err != nil {
			return nil, err
		}
		msgs = withSystemPrompt(msgs, sys)
	}
	start := time.Now()
	resp, err := respond(ctx, r, msgs, tools)
	if err != nil {
		return nil, err
	}
	latency := time.Since(start).Seconds()
	var result py.Value = py.Str(resp.Content)
	if fc {
		result = fcRecord(resp)
	}
	return py.NewDict().With("id", py.Str(id)).With("result", result).
		With("input_token_count", py.Int(resp.InputTokens)).With("output_token_count", py.Int(resp.OutputTokens)).
		With("latency", py.Float(latency)), nil
}

// generateMultiTurn plays one multi-turn entry on the bfcl environment,
// recording each step's reply by turn as upstream's
// inference_multi_turn_prompting / _FC do.
func generateMultiTurn(ctx context.Context, r Responder, d *Dataset, e *py.Dict, opts GenerateOptions) (*py.Dict, error) {
	id, _ := dictString(e, "id")
	suite := NewSuite(d, SuiteOptions{Categories: Categories, PromptForm: PromptOfficial, ModelName: DefaultModelName, MaxSteps: MaxSteps})
	ev, err := suite.NewEnv(ctx)
	if err != nil {
		return nil, err
	}
	v := ev.(*Env)
	defer v.Close()
	task := env.Task{ID: id, Group: id}
	var msgs []ChatMessage
	var first []env.Message
	if opts.FC {
		first, err = v.ResetTools(ctx, task)
	} else {
		first, err = v.Reset(ctx, task)
	}
	if err != nil {
		return nil, err
	}
	for _, m := range first {
		msgs = append(msgs, ChatMessage{Role: m.Role, Content: m.Content})
	}
	result, inTok, outTok, lat := &py.List{}, &py.List{}, &py.List{}, &py.List{}
	turn := -1
	for n := 0; ; n++ {
		if v.turn != turn {
			turn = v.turn
			for _, l := range []*py.List{result, inTok, outTok, lat} {
				l.Items = append(l.Items, &py.List{})
			}
		}
		var tools []env.Tool
		if opts.FC {
			if tools, err = v.ToolSchemas(ctx); err != nil {
				return nil, err
			}
			for i := range tools {
				tools[i].Name = strings.ReplaceAll(tools[i].Name, ".", "_")
			}
		}
		start := time.Now()
		resp, err := respond(ctx, r, msgs, tools)
		if err != nil {
			return nil, err
		}
		appendLast(lat, py.Float(time.Since(start).Seconds()))
		appendLast(inTok, py.Int(resp.InputTokens))
		appendLast(outTok, py.Int(resp.OutputTokens))
		var step env.StepResult
		if opts.FC {
			appendLast(result, fcRecord(resp))
			msgs = append(msgs, ChatMessage{Role: "assistant", Content: resp.Content, ToolCalls: resp.ToolCalls})
			res, err := v.StepTools(ctx, resp.Content, resp.ToolCalls)
			if err != nil {
				return nil, err
			}
			for i, c := range resp.ToolCalls {
				if i < len(res.Outputs) {
					msgs = append(msgs, ChatMessage{Role: "tool", Content: res.Outputs[i], ToolCallID: c.ID})
				}
			}
			step = res.StepResult
		} else {
			appendLast(result, py.Str(resp.Content))
			msgs = append(msgs, ChatMessage{Role: "assistant", Content: resp.Content})
			if step, err = v.Step(ctx, resp.Content); err != nil {
				return nil, err
			}
		}
		for _, m := range step.Messages {
			msgs = append(msgs, ChatMessage{Role: m.Role, Content: m.Content})
		}
		if step.Done {
			break
		}
	}
	return py.NewDict().With("id", py.Str(id)).With("result", result).With("input_token_count", inTok).
		With("output_token_count", outTok).With("latency", lat), nil
}

func appendLast(l *py.List, v py.Value) {
	last := l.Items[len(l.Items)-1].(*py.List)
	last.Items = append(last.Items, v)
}
