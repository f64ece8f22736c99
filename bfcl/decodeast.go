package bfcl

import (
	"regexp"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// toolCallRe finds upstream's <TOOLCALL>...</TOOLCALL> block.
var toolCallRe = regexp.MustCompile(`(?s)<TOOLCALL>(.*?)</TOOLCALL>`)

// DecodeAST is upstream's default_decode_ast_prompting with the Python
// return format: strip "`", newlines and spaces, wrap in [ ], take the
// first <TOOLCALL> block when hasToolCallTag, strip white space and single
// quotes, parse as a Python expression and resolve each call into
// {name: {keyword: value}} (positional arguments are dropped). The result
// is a list of such one-key dicts; an error is what upstream would raise
// (any error means "failed to decode").
func DecodeAST(reply string, hasToolCallTag bool) (*py.List, error) {
	s, err := bracketReply(reply, hasToolCallTag)
	if err != nil {
		return nil, err
	}
	s = strings.Trim(strings.TrimFunc(s, py.IsSpace), "'")
	body, err := ParseFull(s)
	if err != nil {
		return nil, err
	}
	elts, err := replyElements(body)
	if err != nil {
		return nil, err
	}
	out := &py.List{Items: []py.Value{}}
	for _, el := range elts {
		c, ok := el.(*Call)
		if !ok {
			return nil, &py.Exception{Kind: "AssertionError"}
		}
		name, args, err := resolver{budget: py.NewBudget(MaxCallValueSize), full: true}.call(c)
		if err != nil {
			return nil, err
		}
		out.Append(py.NewDict().With(name, args))
	}
	return out, nil
}

// IsFunctionCallingFormat is upstream's is_function_calling_format_output:
// a list of one-key dicts whose value is a dict ([] included).
func IsFunctionCallingFormat(v py.Value) bool {
	l, ok := v.(*py.List)
	if !ok {
		return false
	}
	for _, it := range l.Items {
		d, ok := it.(*py.Dict)
		if !ok || d.Len() != 1 {
			return false
		}
		if _, ok := d.ValueAt(0).(*py.Dict); !ok {
			return false
		}
	}
	return true
}

// isEmptyOutput is upstream's is_empty_output: not in the function-calling
// format, [], or one call that is an empty dict.
func isEmptyOutput(v py.Value) bool {
	if !IsFunctionCallingFormat(v) {
		return true
	}
	l := v.(*py.List)
	return len(l.Items) == 0 || len(l.Items) == 1 && l.Items[0].(*py.Dict).Len() == 0
}

// bracketReply is the first step of upstream's prompting decoders: the
// reply without surrounding backticks, newlines and spaces, wrapped in
// [ ] where it lacks them, and, with a tool-call tag, the text inside
// <TOOLCALL>…</TOOLCALL>.
func bracketReply(reply string, hasToolCallTag bool) (string, error) {
	s := strings.Trim(reply, "`\n ")
	if !strings.HasPrefix(s, "[") {
		s = "[" + s
	}
	if !strings.HasSuffix(s, "]") {
		s += "]"
	}
	if hasToolCallTag {
		m := toolCallRe.FindStringSubmatch(s)
		if m == nil {
			return "", py.ValueErrorf("No tool call tag found in input string: %s", s)
		}
		s = strings.TrimFunc(m[1], py.IsSpace)
	}
	return s, nil
}
