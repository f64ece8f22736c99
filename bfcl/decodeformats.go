package bfcl

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// pySpace is Python's \s on str patterns (the characters str.isspace
// accepts), which Go's \s (ASCII only, no \v) is not.
const pySpace = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

var (
	functionsRE = regexp.MustCompile(`(?s)<functions>(.*?)</functions>`)
	jsonListRE  = regexp.MustCompile(`(?s)\[.*\]`)
	jsonCallsRE = regexp.MustCompile(`(?s)\[` + pySpace + `*\{.*?\}` + pySpace + `*(?:,` + pySpace + `*\{.*?\}` + pySpace + `*)*\]`)
)

// DecodeASTFormat is upstream's default_decode_ast_prompting for a return
// format of the prompt-format configurations (python, json, verbose_xml,
// concise_xml) and of the Java and JavaScript categories (java,
// javascript): the reply stripped and wrapped in [ ], the <TOOLCALL>
// block taken when hasToolCallTag, then parsed as that format.
func DecodeASTFormat(reply, format string, hasToolCallTag bool) (py.Value, error) {
	switch format {
	case ReturnPython:
		return DecodeAST(reply, hasToolCallTag)
	case ReturnJava:
		return DecodeJava(reply, hasToolCallTag)
	case ReturnJavaScript:
		return DecodeJavaScript(reply, hasToolCallTag)
	}
	s, err := bracketReply(reply, hasToolCallTag)
	if err != nil {
		return nil, err
	}
	switch format {
	case ReturnVerboseXML, ReturnConciseXML:
		m := functionsRE.FindString(s)
		if m == "" {
			return nil, py.ValueErrorf("No XML function call found in input string: %s. Missing <functions> tag.", s)
		}
		root, err := parseXML(m)
		if err != nil {
			return nil, err
		}
		return xmlCalls(root, format == ReturnVerboseXML)
	case ReturnJSON:
		if m := jsonListRE.FindString(s); m != "" {
			s = m
		}
		return jsonCalls(s)
	}
	return nil, py.Errorf("NotImplementedError", "Unsupported language: %s", format)
}

// jsonCalls is upstream's parse_json_function_call: the first list of
// objects in the text, loaded as JSON ([] when it is not JSON), each
// object's "function" and "parameters" as {function: parameters}.
func jsonCalls(s string) (py.Value, error) {
	if m := jsonCallsRE.FindString(s); m != "" {
		s = m
	}
	v, err := py.FromJSON([]byte(s))
	if err != nil {
		return &py.List{Items: []py.Value{}}, nil
	}
	items, err := iterateResult(v)
	if err != nil {
		return nil, err
	}
	out := &py.List{Items: []py.Value{}}
	for _, it := range items {
		d, ok := it.(*py.Dict)
		if !ok {
			continue
		}
		name, err := d.Item(py.Str("function"))
		if err != nil {
			return nil, err
		}
		args, err := d.Item(py.Str("parameters"))
		if err != nil {
			return nil, err
		}
		call := py.NewDict()
		if err := call.Set(name, args); err != nil {
			return nil, err
		}
		out.Append(call)
	}
	return out, nil
}

// xmlElement is an element as xml.etree.ElementTree holds it: tag,
// attributes, the text before the first child, and the children.
type xmlElement struct {
	tag      string
	attrs    map[string]string
	text     *string
	children []*xmlElement
}

func (e *xmlElement) attr(k string) (string, bool) {
	v, ok := e.attrs[k]
	return v, ok
}

func (e *xmlElement) findAll(tag string) []*xmlElement {
	var out []*xmlElement
	for _, c := range e.children {
		if c.tag == tag {
			out = append(out, c)
		}
	}
	return out
}

// parseXML is ElementTree.fromstring on a well-formed document (errors
// are a ParseError, with Go's wording rather than expat's).
func parseXML(s string) (*xmlElement, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var stack []*xmlElement
	var root *xmlElement
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, py.Errorf("ParseError", "%s", err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, py.Errorf("ParseError", "junk after document element")
			}
			el := &xmlElement{tag: xmlName(t.Name), attrs: map[string]string{}}
			for _, a := range t.Attr {
				el.attrs[xmlName(a.Name)] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, el)
			} else {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].tag != xmlName(t.Name) {
				return nil, py.Errorf("ParseError", "mismatched tag")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				el := stack[len(stack)-1]
				if len(el.children) == 0 {
					txt := ""
					if el.text != nil {
						txt = *el.text
					}
					txt += string(t)
					el.text = &txt
				}
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, py.Errorf("ParseError", "syntax error")
			}
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, py.Errorf("ParseError", "no element found")
	}
	return root, nil
}

func xmlName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// xmlCalls is upstream's parse_verbose_xml_function_call (values in the
// value attribute, params inside <params> when present) and
// parse_concise_xml_function_call (values as the param's text, stripped).
func xmlCalls(root *xmlElement, verbose bool) (py.Value, error) {
	out := &py.List{Items: []py.Value{}}
	for _, fn := range root.findAll("function") {
		name, ok := fn.attr("name")
		if !ok {
			return nil, py.Errorf("KeyError", "'name'")
		}
		params := fn.findAll("param")
		if verbose {
			if c := fn.findAll("params"); len(c) > 0 {
				params = c[0].findAll("param")
			}
		}
		args := py.NewDict()
		for _, p := range params {
			var key py.Value = py.None
			if n, ok := p.attr("name"); ok {
				key = py.Str(n)
			} else if !verbose {
				return nil, py.Errorf("KeyError", "'name'")
			}
			var raw string
			if verbose {
				raw, _ = p.attr("value")
			} else {
				if p.text != nil {
					raw = *p.text
				}
				raw = strings.TrimFunc(raw, py.IsSpace)
			}
			typ, ok := p.attr("type")
			if !ok {
				typ = "string"
			}
			v, err := convertXMLValue(raw, typ)
			if err != nil {
				return nil, err
			}
			if err := args.Set(key, v); err != nil {
				return nil, err
			}
		}
		out.Append(py.NewDict().With(name, args))
	}
	return out, nil
}

// convertXMLValue is upstream's convert_value_by_type.
func convertXMLValue(raw, typ string) (py.Value, error) {
	switch typ {
	case "integer":
		return pynum.ToInt(py.Str(raw))
	case "float":
		return pynum.ToFloat(py.Str(raw))
	case "boolean":
		return py.Bool(strings.ToLower(raw) == "true"), nil
	case "null":
		return py.None, nil
	case "array", "tuple", "object", "dict":
		return LiteralEval(raw)
	}
	return py.Str(raw), nil
}

// LiteralEval is Python's ast.literal_eval on a string: literals,
// tuples, lists, sets, dicts, set(), signed numbers and complex sums.
// Anything else is a ValueError (Python's message names the node's
// address, which this one cannot).
func LiteralEval(s string) (py.Value, error) {
	x, err := ParseFull(strings.TrimLeft(s, " \t"))
	if err != nil {
		return nil, err
	}
	if err := literalOnly(x); err != nil {
		return nil, err
	}
	return literalEvaluator{budget: py.NewBudget(MaxCallValueSize)}.eval(x, 0)
}

func literalOnly(x Expr) error {
	malformed := py.ValueErrorf("malformed node or string: %T", x)
	switch n := x.(type) {
	case *Const:
		return nil
	case *ListExpr:
		return literalAll(n.Elts)
	case *TupleExpr:
		return literalAll(n.Elts)
	case *SetExpr:
		return literalAll(n.Elts)
	case *DictExpr:
		for _, k := range n.Keys {
			if k == nil {
				return malformed
			}
		}
		if err := literalAll(n.Keys); err != nil {
			return err
		}
		return literalAll(n.Values)
	case *Call:
		if f, ok := n.Func.(*Name); ok && f.ID == "set" && len(n.Args) == 0 && len(n.Keywords) == 0 {
			return nil
		}
	case *UnaryOp:
		if c, ok := n.X.(*Const); ok && (n.Op == "-" || n.Op == "+") && isNumber(c.Value) {
			return nil
		}
	case *BinOp:
		if n.Op == "+" || n.Op == "-" {
			l, r := n.X, n.Y
			if u, ok := l.(*UnaryOp); ok && (u.Op == "-" || u.Op == "+") {
				l = u.X
			}
			lc, lok := l.(*Const)
			rc, rok := r.(*Const)
			if lok && rok && isReal(lc.Value) && rc.Value.TypeName() == "complex" {
				return nil
			}
		}
	}
	return malformed
}

func literalAll(xs []Expr) error {
	for _, x := range xs {
		if err := literalOnly(x); err != nil {
			return err
		}
	}
	return nil
}

func isReal(v py.Value) bool {
	switch v.TypeName() {
	case "int", "float":
		return true
	}
	return false
}

func isNumber(v py.Value) bool { return isReal(v) || v.TypeName() == "complex" }
