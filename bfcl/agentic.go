package bfcl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/backends/websearch"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// The services an agentic category needs.
var (
	// ErrNoEmbedder: memory_vector needs GenerateOptions.Embedder.
	ErrNoEmbedder = errors.New("the vector memory backend needs an embedding service, and none is configured")
	// ErrNoSearch: web search needs GenerateOptions.Search.
	ErrNoSearch = errors.New("web search needs a search provider, and none is configured")
)

// Service names returned by NeededService.
const (
	ServiceEmbeddings = "embeddings"
	ServiceSearch     = "search"
)

// NeededService names the outside service a category's generation needs
// ("" for none): ServiceEmbeddings for memory_vector, ServiceSearch for
// the web-search categories.
func NeededService(category string) string {
	switch {
	case isWebSearch(category):
		return ServiceSearch
	case isMemory(category) && strings.Contains(category, "vector"):
		return ServiceEmbeddings
	}
	return ""
}

// checkServices says whether opts configure what category needs.
func checkServices(category string, opts GenerateOptions) error {
	switch NeededService(category) {
	case ServiceEmbeddings:
		if opts.Embedder == nil {
			return ErrNoEmbedder
		}
	case ServiceSearch:
		if opts.Search == nil {
			return ErrNoSearch
		}
	}
	return nil
}

// memoryPromptSettings are upstream's MEMORY_AGENT_SETTINGS.
var memoryPromptSettings = map[string]string{
	"student":    "You are an academic-support assistant for college student. Remember key personal and academic details discussed across sessions, and draw on them to answer questions or give guidance.",
	"customer":   "You are a general customer support assistant for an e-commerce platform. Your task is to understand and remember information that can be used to provide information about user inquiries, preferences, and offer consistent, helpful assistance over multiple interactions.",
	"finance":    "You are a high-level executive assistant supporting a senior finance professional. Retain and synthesize both personal and professional information including facts, goals, prior decisions, and family life across sessions to provide strategic, context-rich guidance and continuity.",
	"healthcare": "You are a healthcare assistant supporting a patient across appointments. Retain essential medical history, treatment plans, and personal preferences to offer coherent, context-aware guidance and reminders.",
	"notetaker":  "You are a personal organization assistant. Capture key information from conversations, like tasks, deadlines, and preferences, and use it to give reliable reminders and answers in future sessions.",
}

// Upstream's memory system prompts: core and archival memory (kv,
// vector), and one memory (rec_sum).
const (
	memoryPromptCoreArchival = "%s\n\nYou have access to an advanced memory system, consisting of two memory types 'Core Memory' and 'Archival Memory'. Both type of memory is persistent across multiple conversations with the user, and can be accessed in a later interactions. You should actively manage your memory data to keep track of important information, ensure that it is up-to-date and easy to retrieve to provide personalized responses to the user later.\n\nThe Core memory is limited in size, but always visible to you in context. The Archival Memory has a much larger capacity, but will be held outside of your immediate context due to its size.\n\nHere is the content of your Core Memory from previous interactions:\n%s\n"
	memoryPromptUnified      = "%s\n\nYou have access to an advanced memory system, which is persistent across multiple conversations with the user, and can be accessed in a later interactions. You should actively manage your memory data to keep track of important information, ensure that it is up-to-date and easy to retrieve to provide personalized responses to the user later.\n\nHere is the content of your memory system from previous interactions:\n%s\n"
)

// MemorySystemPrompt is the system prompt upstream's
// add_memory_instruction_system_prompt builds for a memory category's
// scenario from the memory's context dump.
func MemorySystemPrompt(category, scenario, memoryContent string) (string, error) {
	setting, ok := memoryPromptSettings[scenario]
	if !ok {
		return "", fmt.Errorf("unknown memory scenario %q", scenario)
	}
	tmpl := memoryPromptCoreArchival
	if strings.Contains(category, "rec_sum") {
		tmpl = memoryPromptUnified
	}
	return fmt.Sprintf(tmpl, setting, memoryContent), nil
}

// memorySnapshotDir is where a memory category's snapshots go.
func memorySnapshotDir(opts GenerateOptions, category string) string {
	return filepath.Join(opts.ResultDir, opts.ModelName, filepath.FromSlash(GroupDir(category)), "memory_snapshot")
}

// agenticTodo prepares a memory category's entries as upstream's
// clean_up_memory_prereq_entries does: without a question left to
// generate, the prerequisite conversations are dropped. With limit, only
// the first questions (by id) are kept, with their scenarios'
// prerequisites.
func agenticTodo(category string, todo []*py.Dict, limit int) ([]*py.Dict, error) {
	if !isMemory(category) {
		if err := SortByID(todo); err != nil {
			return nil, err
		}
		if limit > 0 && len(todo) > limit {
			todo = todo[:limit]
		}
		return todo, nil
	}
	var prereq, questions []*py.Dict
	for _, e := range todo {
		id, _ := dictString(e, "id")
		if isMemoryPrereq(id) {
			prereq = append(prereq, e)
		} else {
			questions = append(questions, e)
		}
	}
	if err := SortByID(questions); err != nil {
		return nil, err
	}
	if limit > 0 && len(questions) > limit {
		questions = questions[:limit]
	}
	scenarios := map[string]bool{}
	for _, q := range questions {
		sc, _ := dictString(q, "scenario")
		scenarios[sc] = true
	}
	var out []*py.Dict
	for _, p := range prereq {
		if sc, _ := dictString(p, "scenario"); scenarios[sc] || limit <= 0 && len(questions) > 0 {
			out = append(out, p)
		}
	}
	if err := SortByID(out); err != nil {
		return nil, err
	}
	return append(out, questions...), nil
}

// runAgentic generates a memory or web-search category's entries:
// memory prerequisites first, each scenario's in order (one after the
// other: each starts from the snapshot the previous one left), then the
// questions, concurrently.
func (s *Scorer) runAgentic(ctx context.Context, policy any, cat string, entries []*py.Dict, opts GenerateOptions) ([]*py.Dict, error) {
	var chains [][]*py.Dict
	byScenario := map[string]int{}
	var questions []*py.Dict
	for _, e := range entries {
		id, _ := dictString(e, "id")
		if !isMemoryPrereq(id) {
			questions = append(questions, e)
			continue
		}
		sc, _ := dictString(e, "scenario")
		i, ok := byScenario[sc]
		if !ok {
			i = len(chains)
			byScenario[sc] = i
			chains = append(chains, nil)
		}
		chains[i] = append(chains[i], e)
	}
	var out []*py.Dict
	for _, phase := range [][][]*py.Dict{chains, singletons(questions)} {
		res, err := s.runChains(ctx, policy, cat, phase, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func singletons(entries []*py.Dict) [][]*py.Dict {
	out := make([][]*py.Dict, len(entries))
	for i, e := range entries {
		out[i] = []*py.Dict{e}
	}
	return out
}

// runChains runs chains of entries concurrently, each chain's entries in
// order; an entry's failure stops its chain and is returned.
func (s *Scorer) runChains(ctx context.Context, policy any, cat string, chains [][]*py.Dict, opts GenerateOptions) ([]*py.Dict, error) {
	results := make([][]*py.Dict, len(chains))
	errs := make([]error, len(chains))
	err := runParallel(ctx, len(chains), opts.Workers, func(i int) {
		for _, e := range chains[i] {
			r, err := s.agenticEntry(ctx, policy, cat, e, opts)
			if rec := inferenceErrorResult(e, err, opts.Log); rec != nil {
				r, err = rec, nil
			}
			if err != nil {
				id, _ := dictString(e, "id")
				errs[i] = fmt.Errorf("entry %s: %w", id, err)
				return
			}
			results[i] = append(results[i], r)
		}
	})
	if err != nil {
		return nil, err
	}
	var out []*py.Dict
	for i := range chains {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

func responderFor(policy any, cat, id string) (Responder, error) {
	switch p := policy.(type) {
	case EntryPolicy:
		return p.ForEntry(cat, id)
	case Responder:
		return p, nil
	}
	return nil, fmt.Errorf("policy %T is neither a Responder nor an EntryPolicy", policy)
}

// agenticConfig is the initial config upstream gives an agentic entry
// (populate_initial_settings_for_memory_test_cases / _web_search_).
func agenticConfig(id, class string, e *py.Dict, opts GenerateOptions) (*py.Dict, error) {
	cfg := py.NewDict()
	if isWebSearch(id) {
		cfg.SetStr("show_snippet", py.Bool(!strings.Contains(id, "no_snippet")))
	} else {
		sc, err := dictString(e, "scenario")
		if err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(filepath.Join(opts.ResultDir, opts.ModelName))
		if err != nil {
			return nil, err
		}
		cfg.SetStr("model_result_dir", py.Str(abs))
		cfg.SetStr("scenario", py.Str(sc))
		cfg.SetStr("test_id", py.Str(id))
		cfg.SetStr("test_category", py.Str(CategoryOfEntryID(id)))
	}
	return py.NewDict().With(class, cfg), nil
}

// agenticEpisode is one agentic entry in play.
type agenticEpisode struct {
	r     Responder
	exec  *Executor
	fc    bool
	tools []env.Tool
	msgs  []ChatMessage
	// result, inTok, outTok, lat are recorded per turn and step.
	result, inTok, outTok, lat *py.List
}

// agenticEntry plays one entry as upstream's inference_multi_turn_FC /
// _prompting do, and flushes the memory after a prerequisite
// conversation.
func (s *Scorer) agenticEntry(ctx context.Context, policy any, cat string, e *py.Dict, opts GenerateOptions) (*py.Dict, error) {
	id, _ := dictString(e, "id")
	r, err := responderFor(policy, cat, id)
	if err != nil {
		return nil, err
	}
	cv, _ := e.GetStr("involved_classes")
	classList, _ := cv.(*py.List)
	if classList == nil || len(classList.Items) != 1 {
		return nil, fmt.Errorf("field involved_classes: want one class")
	}
	class := py.StrOf(classList.Items[0])
	cfg, err := agenticConfig(id, class, e, opts)
	if err != nil {
		return nil, err
	}
	proc := backend.NewProcess(nil)
	if opts.Embedder != nil {
		proc.SetService(memory.EmbedderKey, opts.Embedder)
	}
	if opts.Search != nil {
		proc.SetService(websearch.ProviderKey, opts.Search)
	}
	ex, err := NewExecutor(ExecutorConfig{Classes: []string{class}, InitialConfig: cfg, ModelName: opts.ModelName, EntryID: id, Process: proc})
	if err != nil {
		return nil, err
	}
	q, _ := e.GetStr("question")
	turns, _ := q.(*py.List)
	if turns == nil || len(turns.Items) == 0 {
		return nil, fmt.Errorf("field question: want a non-empty list of turns")
	}
	first, err := questionTurn(e, 0)
	if err != nil {
		return nil, err
	}
	mem, _ := ex.Instance(class).(memory.Snapshotter)
	if mem != nil {
		sc, _ := dictString(e, "scenario")
		dump, err := mem.CoreMemoryContext()
		if err != nil {
			return nil, err
		}
		sys, err := MemorySystemPrompt(cat, sc, dump)
		if err != nil {
			return nil, err
		}
		first = withSystemPrompt(first, sys)
	}
	fns, _ := e.GetStr("function")
	ep := &agenticEpisode{r: r, exec: ex, fc: opts.FC, result: &py.List{}, inTok: &py.List{}, outTok: &py.List{}, lat: &py.List{}}
	if opts.FC {
		if ep.tools, err = toolsOf(fns); err != nil {
			return nil, err
		}
	} else {
		sys, err := DefaultSystemPrompt(fns)
		if err != nil {
			return nil, err
		}
		first = withSystemPrompt(first, sys)
	}
	for t := range turns.Items {
		msgs := first
		if t > 0 {
			if msgs, err = questionTurn(e, t); err != nil {
				return nil, err
			}
		}
		ep.msgs = append(ep.msgs, msgs...)
		quit, err := ep.playTurn(ctx)
		if err != nil {
			return nil, err
		}
		if quit {
			break
		}
	}
	if mem != nil && isMemoryPrereq(id) {
		if err := mem.Flush(); err != nil {
			return nil, err
		}
	}
	return py.NewDict().With("id", py.Str(id)).With("result", ep.result).With("input_token_count", ep.inTok).
		With("output_token_count", ep.outTok).With("latency", ep.lat), nil
}

// playTurn asks for steps until a reply without calls; it reports a
// force quit after more than MaxSteps steps.
func (ep *agenticEpisode) playTurn(ctx context.Context) (bool, error) {
	for _, l := range []*py.List{ep.result, ep.inTok, ep.outTok, ep.lat} {
		l.Items = append(l.Items, &py.List{})
	}
	for count := 0; ; {
		start := time.Now()
		resp, err := respond(ctx, ep.r, ep.msgs, ep.tools)
		if err != nil {
			return false, err
		}
		appendLast(ep.lat, py.Float(time.Since(start).Seconds()))
		appendLast(ep.inTok, py.Int(resp.InputTokens))
		appendLast(ep.outTok, py.Int(resp.OutputTokens))
		var more bool
		if ep.fc {
			more = ep.stepFC(resp)
		} else {
			more = ep.stepPrompting(resp)
		}
		if !more {
			return false, nil
		}
		count++
		if count > MaxSteps {
			return true, nil
		}
	}
}

// stepPrompting records a prompting reply and runs its calls; false when
// it has none (or cannot be decoded), which ends the turn.
func (ep *agenticEpisode) stepPrompting(resp Response) bool {
	appendLast(ep.result, py.Str(resp.Content))
	ep.msgs = append(ep.msgs, ChatMessage{Role: "assistant", Content: resp.Content})
	calls, err := DecodeExecute(resp.Content)
	if err != nil || isEmptyCalls(calls) {
		return false
	}
	outs := ep.exec.Execute(calls)
	ep.msgs = append(ep.msgs, ChatMessage{Role: "user", Content: ToolResultsMessage(calls, outs)})
	return true
}

// stepFC records a function-calling reply and runs its calls; false when
// it has none, or when a call cannot be turned into a call string (then
// every call's output says why).
func (ep *agenticEpisode) stepFC(resp Response) bool {
	appendLast(ep.result, fcRecord(resp))
	ep.msgs = append(ep.msgs, ChatMessage{Role: "assistant", Content: resp.Content, ToolCalls: resp.ToolCalls})
	if len(resp.ToolCalls) == 0 {
		return false
	}
	strs := make([]string, len(resp.ToolCalls))
	var bad error
	for i, c := range resp.ToolCalls {
		if strs[i], bad = CallString(c); bad != nil {
			break
		}
	}
	var outs []string
	if bad == nil {
		outs = ep.exec.Execute(strs)
	}
	for i, c := range resp.ToolCalls {
		out := "Error: the tool calls could not be decoded: "
		if bad != nil {
			out += bad.Error()
		} else {
			out = outs[i]
		}
		ep.msgs = append(ep.msgs, ChatMessage{Role: "tool", Content: out, ToolCallID: c.ID})
	}
	return bad == nil
}

// agenticResultFiles are the result files of a category's entries:
// memory prerequisites go to <category>_prereq.
func agenticResultFiles(category string) []string {
	if isMemory(category) {
		return []string{category, category + "_prereq"}
	}
	return []string{category}
}

// removeSnapshots drops a memory category's snapshots before it is
// generated again from scratch.
func removeSnapshots(opts GenerateOptions, category string) error {
	if !isMemory(category) {
		return nil
	}
	return os.RemoveAll(memorySnapshotDir(opts, category))
}

// splitByCategory groups result entries by the category of their ids,
// in the order of cats.
func splitByCategory(entries []*py.Dict, cats []string) map[string][]*py.Dict {
	out := map[string][]*py.Dict{}
	for _, e := range entries {
		id, _ := dictString(e, "id")
		c := CategoryOfEntryID(id)
		if !contains(cats, c) {
			c = cats[0]
		}
		out[c] = append(out[c], e)
	}
	return out
}
