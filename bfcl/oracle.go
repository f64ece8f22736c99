package bfcl

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// GroundTruthPolicy answers every entry from its possible answer, the
// reference for a 100% score: an AST entry with each parameter's first
// allowed value (optional parameters whose first allowed value is ""
// left out; dicts, also inside lists, resolved the same way; in prompting
// mode written in Java or JavaScript for those categories, see
// oraclelang.go), an irrelevance entry with text, a relevance entry with a
// call of its first function, a multi-turn entry with each turn's
// ground-truth calls in one step (positional arguments named) followed by
// a reply without calls.
func (s *Scorer) GroundTruthPolicy() EntryPolicy {
	return &groundTruth{s: s, gt: map[string]map[string]py.Value{}}
}

type groundTruth struct {
	s    *Scorer
	mu   sync.Mutex
	gt   map[string]map[string]py.Value // category → id → ground_truth
	docs map[string]map[string]py.Value // Java and JavaScript category → id → function docs
}

// functions is an entry's function docs (Java and JavaScript categories).
func (g *groundTruth) functions(cat, id string) (py.Value, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.docs == nil {
		g.docs = map[string]map[string]py.Value{}
	}
	if g.docs[cat] == nil {
		entries, err := g.s.data.Entries(cat, false, false)
		if err != nil {
			return nil, err
		}
		m := map[string]py.Value{}
		for _, e := range entries {
			eid, _ := dictString(e, "id")
			m[eid], _ = e.GetStr("function")
		}
		g.docs[cat] = m
	}
	return g.docs[cat][id], nil
}

func (g *groundTruth) answer(cat, id string) (py.Value, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gt[cat] == nil {
		m := map[string]py.Value{}
		if !isRelevanceOrIrrelevance(cat) && !isMultiTurn(cat) {
			list, err := g.s.data.GroundTruth(cat)
			if err != nil {
				return nil, err
			}
			for _, e := range list {
				eid, _ := dictString(e, "id")
				m[eid] = groundTruthOf(e)
			}
		}
		g.gt[cat] = m
	}
	return g.gt[cat][id], nil
}

// ForEntry implements EntryPolicy.
func (g *groundTruth) ForEntry(cat, id string) (Responder, error) {
	switch {
	case isMultiTurn(cat):
		d, err := g.s.multiTurn()
		if err != nil {
			return nil, err
		}
		e, ok := d.Entry(id)
		if !ok {
			return nil, fmt.Errorf("no multi-turn entry %s", id)
		}
		return &groundTruthTurns{turns: e.GroundTruth}, nil
	case isAgentic(cat):
		return g.agentic(cat, id)
	case strings.Contains(cat, "irrelevance"):
		return fixedResponse{Response{Content: "None of the given functions can be used for this request."}}, nil
	case isRelevanceOrIrrelevance(cat):
		return firstFunctionCall{}, nil
	}
	format := PromptFormat{Return: ReturnPython}
	gtID := id
	if isFormatSensitivity(cat) {
		parts := strings.Split(id, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("entry %s: want a format sensitivity id", id)
		}
		f, err := ParsePromptFormat(parts[1])
		if err != nil {
			return nil, err
		}
		format, gtID = f, parts[2]
	}
	gt, err := g.answer(cat, gtID)
	if err != nil {
		return nil, err
	}
	list, ok := gt.(*py.List)
	if !ok {
		return nil, fmt.Errorf("entry %s: no possible answer", id)
	}
	var calls []env.ToolCall
	for _, item := range list.Items {
		d, ok := item.(*py.Dict)
		if !ok || d.Len() != 1 {
			return nil, fmt.Errorf("entry %s: possible answer: want {function: {param: [allowed values]}}", id)
		}
		params, _ := d.ValueAt(0).(*py.Dict)
		args := py.NewDict()
		if params != nil {
			for i := 0; i < params.Len(); i++ {
				if v, ok := firstAllowed(params.ValueAt(i)); ok {
					_ = args.Set(params.KeyAt(i), v)
				}
			}
		}
		text, err := py.Dumps(args)
		if err != nil {
			return nil, err
		}
		calls = append(calls, env.ToolCall{Name: py.StrOf(d.KeyAt(0)), Arguments: text})
	}
	if format.Return != ReturnPython || format.ToolCallTag {
		text, err := callsText(calls, format)
		if err != nil {
			return nil, err
		}
		return fixedResponse{Response{Content: text}}, nil
	}
	r, err := callsResponse(calls)
	if lang := ast.LanguageOf(cat); err == nil && lang != ast.Python {
		return g.langResponse(lang, cat, id, calls, r.(fixedResponse))
	}
	return r, err
}

// langResponse is r with the prompting reply written in the category's
// language and the function-calling calls' arguments as its texts.
func (g *groundTruth) langResponse(lang ast.Language, cat, id string, calls []env.ToolCall, r fixedResponse) (Responder, error) {
	fns, err := g.functions(cat, id)
	if err != nil {
		return nil, err
	}
	text, fc, err := langCalls(lang, calls, fns)
	if err != nil {
		return nil, err
	}
	r.r.Content, r.r.ToolCalls = text, fc
	return r, nil
}

// firstAllowed is a parameter's first allowed value that is not the
// optional marker "", with nested dicts of allowed values resolved.
func firstAllowed(options py.Value) (py.Value, bool) {
	l, ok := options.(*py.List)
	if !ok {
		return concreteValue(options), true
	}
	for _, o := range l.Items {
		if s, isStr := o.(py.Str); isStr && s == "" {
			continue
		}
		return concreteValue(o), true
	}
	return nil, false
}

func concreteValue(v py.Value) py.Value {
	if l, ok := v.(*py.List); ok {
		out := &py.List{Items: make([]py.Value, len(l.Items))}
		for i, it := range l.Items {
			if _, isDict := it.(*py.Dict); isDict {
				it = concreteValue(it)
			}
			out.Items[i] = it
		}
		return out
	}
	d, ok := v.(*py.Dict)
	if !ok {
		return v
	}
	out := py.NewDict()
	for i := 0; i < d.Len(); i++ {
		if c, ok := firstAllowed(d.ValueAt(i)); ok {
			_ = out.Set(d.KeyAt(i), c)
		}
	}
	return out
}

// callsResponse is a reply making the calls: tool calls for the
// function-calling mode (names with "." as "_"), Python call syntax as
// text for prompting mode.
func callsResponse(calls []env.ToolCall) (Responder, error) {
	parts := make([]string, len(calls))
	fc := make([]env.ToolCall, len(calls))
	for i, c := range calls {
		s, err := callSyntax(c)
		if err != nil {
			return nil, err
		}
		parts[i] = s
		fc[i] = env.ToolCall{ID: fmt.Sprintf("call_%d", i), Name: strings.ReplaceAll(c.Name, ".", "_"), Arguments: c.Arguments}
	}
	return fixedResponse{Response{Content: "[" + strings.Join(parts, ", ") + "]", ToolCalls: fc}}, nil
}

// callArgs decodes a call's JSON arguments, which must be an object.
func callArgs(c env.ToolCall) (*py.Dict, error) {
	v, err := py.FromJSON([]byte(c.Arguments))
	if err != nil {
		return nil, err
	}
	args, ok := v.(*py.Dict)
	if !ok {
		return nil, fmt.Errorf("call %s: arguments are not an object", c.Name)
	}
	return args, nil
}

// callSyntax renders a call as name(k=repr(v), ...).
func callSyntax(c env.ToolCall) (string, error) {
	args, err := callArgs(c)
	if err != nil {
		return "", err
	}
	parts := make([]string, args.Len())
	for i := 0; i < args.Len(); i++ {
		parts[i] = py.StrOf(args.KeyAt(i)) + "=" + py.Repr(args.ValueAt(i))
	}
	return c.Name + "(" + strings.Join(parts, ", ") + ")", nil
}

// fixedResponse answers every request the same way; in prompting mode
// (no tools offered) the tool calls are dropped and the text is the reply.
type fixedResponse struct{ r Response }

func (f fixedResponse) Respond(_ context.Context, _ []ChatMessage, tools []env.Tool) (Response, error) {
	if tools == nil {
		return Response{Content: f.r.Content}, nil
	}
	if len(f.r.ToolCalls) > 0 {
		return Response{ToolCalls: f.r.ToolCalls}, nil
	}
	return Response{Content: f.r.Content}, nil
}

// firstFunctionCall calls the first function offered (its name read from
// the tools, or from the docs in the system prompt in prompting mode).
type firstFunctionCall struct{}

func (firstFunctionCall) Respond(_ context.Context, msgs []ChatMessage, tools []env.Tool) (Response, error) {
	if tools != nil {
		if len(tools) == 0 {
			return Response{Content: "no function"}, nil
		}
		return Response{ToolCalls: []env.ToolCall{{ID: "call_0", Name: tools[0].Name, Arguments: "{}"}}}, nil
	}
	const marker = "\"name\": \""
	for _, m := range msgs {
		if i := strings.Index(m.Content, marker); m.Role == "system" && i >= 0 {
			rest := m.Content[i+len(marker):]
			return Response{Content: "[" + rest[:strings.IndexByte(rest, '"')] + "()]"}, nil
		}
	}
	return Response{Content: "no function"}, nil
}

// groundTruthTurns plays a multi-turn entry's ground truth: each turn's
// calls in one step, then a reply without calls that ends the turn.
type groundTruthTurns struct {
	turns    [][]string
	turn     int
	answered bool
}

func (g *groundTruthTurns) Respond(ctx context.Context, msgs []ChatMessage, tools []env.Tool) (Response, error) {
	if g.turn < len(g.turns) && !g.answered && len(g.turns[g.turn]) > 0 {
		g.answered = true
		calls := make([]env.ToolCall, len(g.turns[g.turn]))
		for i, c := range g.turns[g.turn] {
			tc, err := ToolCallOf(c)
			if err != nil {
				return Response{}, err
			}
			calls[i] = tc
		}
		r, err := callsResponse(calls)
		if err != nil {
			return Response{}, err
		}
		return r.Respond(ctx, msgs, tools)
	}
	g.turn++
	g.answered = false
	return Response{Content: "Done."}, nil
}

// callsText writes calls in a configuration's return format, inside
// <TOOLCALL> tags when it asks for them.
func callsText(calls []env.ToolCall, f PromptFormat) (string, error) {
	var b strings.Builder
	switch f.Return {
	case ReturnPython:
		parts := make([]string, len(calls))
		for i, c := range calls {
			s, err := callSyntax(c)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		b.WriteString("[" + strings.Join(parts, ", ") + "]")
	case ReturnJSON:
		l := &py.List{}
		for _, c := range calls {
			args, err := py.FromJSON([]byte(c.Arguments))
			if err != nil {
				return "", err
			}
			l.Append(py.NewDict().With("function", py.Str(c.Name)).With("parameters", args))
		}
		s, err := py.Dumps(l)
		if err != nil {
			return "", err
		}
		b.WriteString("```json\n" + s + "\n```")
	case ReturnVerboseXML, ReturnConciseXML:
		b.WriteString("<functions>")
		for _, c := range calls {
			args, err := callArgs(c)
			if err != nil {
				return "", err
			}
			b.WriteString(`<function name="` + xmlEscape(c.Name) + `">`)
			if f.Return == ReturnVerboseXML {
				b.WriteString("<params>")
			}
			for i := 0; i < args.Len(); i++ {
				name, val := xmlEscape(py.StrOf(args.KeyAt(i))), args.ValueAt(i)
				typ, text := xmlTyped(val)
				if f.Return == ReturnVerboseXML {
					b.WriteString(`<param name="` + name + `" value="` + xmlEscape(text) + `" type="` + typ + `"/>`)
				} else {
					b.WriteString(`<param name="` + name + `" type="` + typ + `">` + xmlEscape(text) + `</param>`)
				}
			}
			if f.Return == ReturnVerboseXML {
				b.WriteString("</params>")
			}
			b.WriteString("</function>")
		}
		b.WriteString("</functions>")
	default:
		return "", fmt.Errorf("unknown return format %q", f.Return)
	}
	if f.ToolCallTag {
		return "<TOOLCALL>" + b.String() + "</TOOLCALL>", nil
	}
	return b.String(), nil
}

// xmlTyped is a value's type name in the XML return formats and its text
// (Python literals for containers).
func xmlTyped(v py.Value) (string, string) {
	switch x := v.(type) {
	case py.Str:
		return "string", string(x)
	case py.Bool:
		if x {
			return "boolean", "true"
		}
		return "boolean", "false"
	case py.NoneType:
		return "null", ""
	case *py.Dict:
		return "dict", py.Repr(v)
	case *py.List:
		return "array", py.Repr(v)
	}
	switch v.TypeName() {
	case "int":
		return "integer", py.Repr(v)
	case "float":
		return "float", py.Repr(v)
	}
	return "string", py.StrOf(v)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// agentic answers a memory prerequisite conversation with a text reply
// per turn (no memory call), and a question with its first possible
// answer in upstream's answer format.
func (g *groundTruth) agentic(cat, id string) (Responder, error) {
	if isMemoryPrereq(id) {
		return fixedResponse{Response{Content: "Noted."}}, nil
	}
	base := "web_search"
	if isMemory(cat) {
		base = "memory"
	}
	gtID := base + strings.TrimPrefix(id, cat)
	answer, err := g.answer(cat, gtID)
	if err != nil {
		return nil, err
	}
	l, ok := answer.(*py.List)
	if !ok || len(l.Items) == 0 {
		return nil, fmt.Errorf("entry %s: no possible answer %s", id, gtID)
	}
	return fixedResponse{Response{Content: AgenticAnswer(py.StrOf(l.Items[0]), "From the possible answers.")}}, nil
}

// AgenticAnswer is a final answer in the format upstream's agentic system
// prompt asks for: {'answer': ..., 'context': ...} (Python repr).
func AgenticAnswer(answer, context string) string {
	return py.Repr(py.NewDict().With("answer", py.Str(answer)).With("context", py.Str(context)))
}
