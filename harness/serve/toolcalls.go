package serve

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// The native models speak the project's agent format for calls: a Python
// list of calls with keyword arguments, [f(a='x', n=1), g()], as the BFCL
// and AppWorld environments parse it. A reply that is such a list (or
// <tool_call>{"name": …, "arguments": …}</tool_call> blocks, the Hermes
// form) becomes tool_calls; history messages with tool_calls are rendered
// back into the list form.

// call is one parsed call with its arguments as a JSON object.
type call struct {
	Name string
	Args string
}

// parseCallList parses text that is exactly a Python call list (or one
// bare call) with literal keyword arguments; ok is false otherwise.
func parseCallList(text string) ([]call, bool) {
	p := &pyParser{s: strings.TrimSpace(text)}
	if p.s == "" {
		return nil, false
	}
	bracketed := p.s[0] == '['
	if bracketed {
		p.i++
	}
	var calls []call
	for {
		p.space()
		if bracketed && p.peek() == ']' {
			p.i++
			break
		}
		c, ok := p.call()
		if !ok {
			return nil, false
		}
		calls = append(calls, c)
		p.space()
		if !bracketed {
			break
		}
		if p.peek() == ',' {
			p.i++
			continue
		}
		if p.peek() != ']' {
			return nil, false
		}
	}
	p.space()
	if p.i != len(p.s) || len(calls) == 0 {
		return nil, false
	}
	return calls, true
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

func (p *pyParser) ident() string {
	start := p.i
	for p.i < len(p.s) {
		c := rune(p.s[p.i])
		if c == '_' || c == '.' || unicode.IsLetter(c) || (p.i > start && unicode.IsDigit(c)) {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *pyParser) call() (call, bool) {
	name := p.ident()
	if name == "" || p.peek() != '(' {
		return call{}, false
	}
	p.i++
	args := map[string]any{}
	var order []string
	for {
		p.space()
		if p.peek() == ')' {
			p.i++
			break
		}
		key := p.ident()
		p.space()
		if key == "" || p.peek() != '=' {
			return call{}, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return call{}, false
		}
		args[key] = v
		order = append(order, key)
		p.space()
		if p.peek() == ',' {
			p.i++
		} else if p.peek() != ')' {
			return call{}, false
		}
	}
	return call{Name: name, Args: orderedJSON(args, order)}, true
}

// orderedJSON writes an object with its keys in the order given.
func orderedJSON(m map[string]any, order []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String()
}

// value parses a Python literal: a string, number, True/False/None, list,
// tuple or dict.
func (p *pyParser) value() (any, bool) {
	p.space()
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		return p.str()
	case c == '[' || c == '(':
		return p.seq(map[byte]byte{'[': ']', '(': ')'}[c])
	case c == '{':
		return p.dict()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	switch p.ident() {
	case "True":
		return true, true
	case "False":
		return false, true
	case "None":
		return nil, true
	}
	return nil, false
}

func (p *pyParser) str() (any, bool) {
	q := p.s[p.i]
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), true
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			b.WriteByte(unescape(p.s[p.i]))
		default:
			b.WriteByte(c)
		}
	}
	return nil, false
}

// unescape is the byte a backslash escape stands for.
func unescape(e byte) byte {
	switch e {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return e
}

func (p *pyParser) number() (any, bool) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
		p.i++
	}
	lit := p.s[start:p.i]
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(lit, 64)
	return f, err == nil
}

func (p *pyParser) seq(end byte) (any, bool) {
	p.i++
	out := []any{}
	for {
		p.space()
		if p.peek() == end {
			p.i++
			return out, true
		}
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		p.space()
		if p.peek() == ',' {
			p.i++
		} else if p.peek() != end {
			return nil, false
		}
	}
}

func (p *pyParser) dict() (any, bool) {
	p.i++
	out := map[string]any{}
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			return out, true
		}
		k, ok := p.value()
		key, isStr := k.(string)
		if !ok || !isStr {
			return nil, false
		}
		p.space()
		if p.peek() != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		out[key] = v
		p.space()
		if p.peek() == ',' {
			p.i++
		} else if p.peek() != '}' {
			return nil, false
		}
	}
}

// pyCallList renders calls with JSON arguments as the agent format.
func pyCallList(calls []toolCall) (string, error) {
	parts := make([]string, len(calls))
	for i, c := range calls {
		var args map[string]any
		if s := strings.TrimSpace(c.Function.Arguments); s != "" {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(&args); err != nil {
				return "", fmt.Errorf("tool_calls[%d].function.arguments is not a JSON object: %v", i, err)
			}
		}
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		kv := make([]string, len(keys))
		for j, k := range keys {
			kv[j] = k + "=" + pyRepr(args[k])
		}
		parts[i] = c.Function.Name + "(" + strings.Join(kv, ", ") + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}

// pyRepr writes a decoded JSON value as a Python literal.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		return x.String()
	case string:
		r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
		return "'" + r.Replace(x) + "'"
	case []any:
		items := make([]string, len(x))
		for i, e := range x {
			items[i] = pyRepr(e)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		items := make([]string, len(keys))
		for i, k := range keys {
			items[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(items, ", ") + "}"
	}
	return fmt.Sprint(v)
}
