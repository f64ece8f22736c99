package bfcl

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Prompt forms.
const (
	// PromptOfficial is upstream's default prompting system prompt
	// (python return format, JSON function docs, plaintext, classic style).
	PromptOfficial = "official"
	// PromptCompact lists the functions one per line, for small models.
	PromptCompact = "compact"
)

// The pieces of upstream's default system prompt (constants/default_prompts.py,
// format "ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=plaintext&style=classic").
const (
	promptPersona  = "You are an expert in composing functions."
	promptTask     = "You are given a question and a set of possible functions. Based on the question, you will need to make one or more function/tool calls to achieve the purpose. If none of the functions can be used, point it out. If the given question lacks the parameters required by the function, also point it out."
	promptToolCall = "You should only return the function calls in your response.\n\nIf you decide to invoke any of the function(s), you MUST put it in the format of [func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)].  You SHOULD NOT include any other text in the response."
	promptMulti    = "At each turn, you should try your best to complete the tasks requested by the user within the current turn. Continue to output functions to call until you have fulfilled the user's request to the best of your ability. Once you have no more functions to call, the system will consider the current turn complete and proceed to the next turn or task."
	// AdditionalFunctionPrompt follows the handed-out function docs in a
	// miss_func turn.
	AdditionalFunctionPrompt = "I have updated some more functions you can choose from. What about now?"
)

// Functions returns the function docs the model sees at the start of an
// episode: the docs of the involved classes in order, without the
// functions miss_func hands out later, and without excluded_function when
// honourExcluded is set (upstream ignores excluded_function).
func (d *Dataset) Functions(e *Entry, honourExcluded bool) []FuncDoc {
	hidden := map[string]bool{}
	for _, fns := range e.MissedFunction {
		for _, f := range fns {
			hidden[f] = true
		}
	}
	if honourExcluded {
		for _, f := range e.ExcludedFunction {
			hidden[f] = true
		}
	}
	var out []FuncDoc
	for _, c := range e.InvolvedClasses {
		for _, doc := range d.Docs[c] {
			if hidden[doc.Name] {
				hidden[doc.Name] = false // upstream removes the first match only
				continue
			}
			out = append(out, doc)
		}
	}
	return out
}

// HandedOut returns the docs miss_func gives at turn t (nil for other
// turns), in the order upstream finds them.
func (d *Dataset) HandedOut(e *Entry, t int) []FuncDoc {
	names, ok := e.MissedFunction[t]
	if !ok {
		return nil
	}
	var all []FuncDoc
	for _, c := range e.InvolvedClasses {
		all = append(all, d.Docs[c]...)
	}
	var out []FuncDoc
	for _, n := range names {
		for _, doc := range all {
			if doc.Name == n {
				out = append(out, doc)
				break
			}
		}
	}
	return out
}

// SystemPrompt renders the system prompt for the given docs in a form. The
// official form shows each description with PythonHint, as upstream's
// prompt does (its loader adds the hint to the docs an entry lists).
func SystemPrompt(docs []FuncDoc, form string) (string, error) {
	switch form {
	case PromptOfficial, "":
		return DefaultSystemPrompt(withHint(docs, PythonHint))
	case PromptCompact:
		return "You call functions to do what the user asks. Reply with calls only, as a Python list: " +
			"[func(arg='value', n=1), other()]. Reply with no calls when the request is done.\n\nFunctions:\n" +
			CompactDocs(docs), nil
	}
	return "", fmt.Errorf("unknown prompt form %q; known: %s, %s", form, PromptOfficial, PromptCompact)
}

// withHint is the docs as a list with hint appended to each description,
// as upstream's loader leaves the functions an entry lists (the docs are
// copied; the dataset's stay as they are).
func withHint(docs []FuncDoc, hint string) *py.List {
	list := &py.List{Items: make([]py.Value, len(docs))}
	for i, d := range docs {
		c := d.Value.Copy()
		desc, _ := c.GetStr("description")
		c.SetStr("description", py.Str(py.StrOf(desc)+hint))
		list.Items[i] = c
	}
	return list
}

// HandOutMessage is the user message of a miss_func hand-out turn: the
// held-out docs as upstream hands them out, without the language hint.
func HandOutMessage(docs []FuncDoc, form string) string {
	if form == PromptCompact {
		return "New functions:\n" + CompactDocs(docs) + "\n" + AdditionalFunctionPrompt
	}
	list := &py.List{Items: make([]py.Value, len(docs))}
	for i, d := range docs {
		list.Items[i] = d.Value
	}
	return py.Repr(list) + "\n" + AdditionalFunctionPrompt
}

// CompactDocs lists functions one per line: name(arg: type, opt: type = default): description.
func CompactDocs(docs []FuncDoc) string {
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("- ")
		b.WriteString(compactSignature(d.Value))
		if desc, ok := d.Value.GetStr("description"); ok {
			s := py.StrOf(desc)
			if i := strings.Index(s, "Tool description: "); i >= 0 {
				s = s[i+len("Tool description: "):]
			}
			b.WriteString(": ")
			b.WriteString(strings.TrimSpace(s))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func compactSignature(doc *py.Dict) string {
	name, _ := doc.GetStr("name")
	params, _ := doc.GetStr("parameters")
	var parts []string
	if pd, ok := params.(*py.Dict); ok {
		required := map[string]bool{}
		if req, ok := pd.GetStr("required"); ok {
			if rl, ok := req.(*py.List); ok {
				for _, r := range rl.Items {
					required[py.StrOf(r)] = true
				}
			}
		}
		if props, ok := pd.GetStr("properties"); ok {
			if pp, ok := props.(*py.Dict); ok {
				for i := 0; i < pp.Len(); i++ {
					pname := py.StrOf(pp.KeyAt(i))
					part := pname
					if meta, ok := pp.ValueAt(i).(*py.Dict); ok {
						if typ, ok := meta.GetStr("type"); ok {
							part += ": " + py.StrOf(typ)
						}
						if !required[pname] {
							if def, ok := meta.GetStr("default"); ok {
								part += " = " + py.Repr(def)
							} else {
								part += " = None"
							}
						}
					}
					parts = append(parts, part)
				}
			}
		}
	}
	return py.StrOf(name) + "(" + strings.Join(parts, ", ") + ")"
}

// ToolResultsMessage is the user message that carries a step's outputs in
// prompting mode: repr([{"role": "tool", "name": call, "content": output}, ...]).
func ToolResultsMessage(calls, outputs []string) string {
	list := &py.List{Items: make([]py.Value, len(calls))}
	for i := range calls {
		list.Items[i] = py.NewDict().With("role", py.Str("tool")).With("name", py.Str(calls[i])).With("content", py.Str(outputs[i]))
	}
	return py.Repr(list)
}
