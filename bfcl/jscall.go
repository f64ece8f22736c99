package bfcl

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The JavaScript reply decoder: upstream's parse_javascript_function_call,
// which parses the reply with tree-sitter-javascript (0.21.4) and reads
// the first top-level expression statement that is a call. This file
// parses the subset of JavaScript such replies use (expression, variable,
// return, if, throw and block statements with automatic semicolons;
// literals, templates, arrays, objects, functions and arrow functions,
// member access, calls, new, unary, binary, conditional, assignment and
// sequence expressions) and keeps of each node what upstream reads: its
// type where it matters and its source span.

// jsnode is a node of the JavaScript tree.
type jsnode struct {
	typ        string // call_expression, assignment_expression, identifier, true, or "" for the others
	start, end int
	// call_expression: callee and the arguments' nodes; noArgs when the
	// call's second child is not its argument list (foo?.(…), foo`…`).
	callee *jsnode
	args   []*jsnode
	noArgs bool
	// assignment_expression: the left and right sides.
	left, right *jsnode
}

var jsReserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`break case catch class const continue debugger default delete do else export
		extends finally for function if import in instanceof new return super switch this throw try typeof var void
		while with true false null undefined`) {
		jsReserved[w] = true
	}
}

func jsSyntaxError() error {
	return &py.Exception{Kind: "SyntaxError", Msg: "Error js parsing the source code."}
}

type jsparser struct {
	src string
	tokCursor
}

func (p *jsparser) next() ctok {
	t := p.peek(0)
	if t.kind == ctEOF {
		p.fail = true
		return t
	}
	p.pos++
	return t
}

func (p *jsparser) expect(text string) ctok {
	if !p.is(0, text) {
		p.fail = true
		return p.peek(0)
	}
	return p.next()
}

func (p *jsparser) isIdent(k int) bool {
	t := p.peek(k)
	return t.kind == ctIdent && !jsReserved[t.text]
}

// last is the end of the token just taken.
func (p *jsparser) last() int {
	if p.pos == 0 {
		return 0
	}
	return p.toks[p.pos-1].end
}

// span makes a node from start to the end of the last token taken.
func (p *jsparser) span(typ string, start int) *jsnode {
	return &jsnode{typ: typ, start: start, end: p.last()}
}

// endStatement takes ";" or accepts an automatic semicolon: before "}",
// at the end, or before a token on a new line.
func (p *jsparser) endStatement() {
	switch {
	case p.is(0, ";"):
		p.next()
	case p.is(0, "}") || p.peek(0).kind == ctEOF || p.peek(0).nl:
	default:
		p.fail = true
	}
}

// statement parses one statement and returns its expression when it is
// an expression statement.
func (p *jsparser) statement() *jsnode {
	switch {
	case p.is(0, ";"):
		p.next()
	case p.is(0, "{"):
		p.block()
	case p.is(0, "var", "let", "const") && (p.isIdent(1) || p.peek(0).text != "let"):
		p.next()
		for !p.fail {
			p.bindingName()
			if p.is(0, "=") {
				p.next()
				p.assign()
			}
			if !p.is(0, ",") {
				break
			}
			p.next()
		}
		p.endStatement()
	case p.is(0, "return"):
		p.next()
		if !p.is(0, ";", "}") && p.peek(0).kind != ctEOF && !p.peek(0).nl {
			p.expr()
		}
		p.endStatement()
	case p.is(0, "throw"):
		p.next()
		p.expr()
		p.endStatement()
	case p.is(0, "if"):
		p.next()
		p.expect("(")
		p.expr()
		p.expect(")")
		p.statement()
		if !p.fail && p.is(0, "else") {
			p.next()
			p.statement()
		}
	case p.peek(0).kind == ctIdent && jsReserved[p.peek(0).text] && !p.is(0, "this", "true", "false", "null",
		"undefined", "function", "new", "typeof", "void", "delete", "super"):
		p.fail = true
	default:
		e := p.expr()
		p.endStatement()
		return e
	}
	return nil
}

func (p *jsparser) block() {
	p.expect("{")
	for !p.fail && !p.is(0, "}") {
		if p.peek(0).kind == ctEOF {
			p.fail = true
			return
		}
		p.statement()
	}
	p.expect("}")
}

func (p *jsparser) bindingName() {
	if !p.isIdent(0) {
		p.fail = true
		return
	}
	p.next()
}

// expr is an expression with the comma operator.
func (p *jsparser) expr() *jsnode {
	start := p.peek(0).start
	e := p.assign()
	if !p.is(0, ",") {
		return e
	}
	for !p.fail && p.is(0, ",") {
		p.next()
		p.assign()
	}
	return p.span("", start)
}

var jsAssignOps = []string{"=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", "&=", "|=", "^=", "&&=", "||=", "??="}

func (p *jsparser) assign() *jsnode {
	if p.fail {
		return &jsnode{}
	}
	start := p.peek(0).start
	if p.arrowAhead() {
		p.arrow()
		return p.span("", start)
	}
	left := p.conditional()
	if p.fail {
		return left.jsnode
	}
	if n := p.shiftAssign(); n > 0 || p.is(0, jsAssignOps...) {
		if !left.assignable {
			p.fail = true
			return left.jsnode
		}
		plain := n == 0 && p.is(0, "=")
		for i := 0; i < max(n, 1); i++ {
			p.next()
		}
		right := p.assign()
		if plain {
			return &jsnode{typ: "assignment_expression", start: start, end: right.end, left: left.jsnode, right: right}
		}
		return p.span("", start)
	}
	return left.jsnode
}

// shiftAssign counts the tokens of ">>=" or ">>>=" (">" comes alone).
func (p *jsparser) shiftAssign() int {
	for n := 3; n >= 2; n-- {
		if p.adjacent(n, ">") && p.is(n, "=") && p.peek(n).start == p.peek(n-1).end {
			return n + 1
		}
	}
	return 0
}

// adjacent says tokens 0..n-1 are text with nothing between them.
func (p *jsparser) adjacent(n int, text string) bool {
	for i := 0; i < n; i++ {
		if !p.is(i, text) || i > 0 && p.peek(i).start != p.peek(i-1).end {
			return false
		}
	}
	return true
}

// arrowAhead says an arrow function starts here.
func (p *jsparser) arrowAhead() bool {
	k := 0
	if p.is(0, "async") && !p.peek(1).nl && (p.isIdent(1) || p.is(1, "(")) {
		k = 1
	}
	if p.isIdent(k) && p.is(k+1, "=>") {
		return true
	}
	if !p.is(k, "(") {
		return false
	}
	depth := 0
	for ; p.peek(k).kind != ctEOF; k++ {
		switch {
		case p.is(k, "(", "[", "{"):
			depth++
		case p.is(k, ")", "]", "}"):
			depth--
			if depth == 0 {
				return p.is(k+1, "=>")
			}
		}
	}
	return false
}

func (p *jsparser) arrow() {
	if p.is(0, "async") && !p.is(1, "=>") {
		p.next()
	}
	if p.isIdent(0) {
		p.next()
	} else {
		p.params()
	}
	p.expect("=>")
	if p.is(0, "{") {
		p.block()
		return
	}
	p.assign()
}

// params reads (a, b = 1, ...rest).
func (p *jsparser) params() {
	p.expect("(")
	for !p.fail && !p.is(0, ")") {
		if p.is(0, "...") {
			p.next()
		}
		p.bindingName()
		if p.is(0, "=") {
			p.next()
			p.assign()
		}
		if !p.is(0, ",") {
			break
		}
		p.next()
	}
	p.expect(")")
}

// lhs is an expression and whether it may stand left of "=".
type lhs struct {
	*jsnode
	assignable bool
}

func (p *jsparser) conditional() lhs {
	start := p.peek(0).start
	c := p.binary(0)
	if p.fail || !p.is(0, "?") {
		return c
	}
	p.next()
	p.assign()
	p.expect(":")
	p.assign()
	return lhs{jsnode: p.span("", start)}
}

var jsBinaryLevels = [][]string{{"??"}, {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!=", "===", "!=="},
	{"<", ">", "<=", ">=", "instanceof", "in"}, {"<<", ">>", ">>>"}, {"+", "-"}, {"*", "/", "%"}, {"**"}}

func (p *jsparser) binary(level int) lhs {
	if level == len(jsBinaryLevels) {
		return p.unary()
	}
	start := p.peek(0).start
	left := p.binary(level + 1)
	for !p.fail {
		n := p.binaryOp(jsBinaryLevels[level])
		if n == 0 {
			return left
		}
		for i := 0; i < n; i++ {
			p.next()
		}
		if level == len(jsBinaryLevels)-1 {
			p.binary(level) // ** is right-associative
		} else {
			p.binary(level + 1)
		}
		left = lhs{jsnode: p.span("", start)}
	}
	return left
}

// binaryOp says how many tokens the next operator of the level takes
// (0: none), joining adjacent ">" into ">>", ">>>" and ">=".
func (p *jsparser) binaryOp(ops []string) int {
	text, n := p.peek(0).text, 1
	if p.is(0, ">") {
		switch {
		case p.adjacent(3, ">"):
			text, n = ">>>", 3
		case p.adjacent(2, ">"):
			text, n = ">>", 2
		case p.is(1, "=") && p.peek(1).start == p.peek(0).end:
			text, n = ">=", 2
		}
		if p.shiftAssign() > 0 {
			return 0
		}
	} else if p.peek(0).kind != ctPunct && text != "instanceof" && text != "in" {
		return 0
	}
	for _, o := range ops {
		if o == text {
			return n
		}
	}
	return 0
}

func (p *jsparser) unary() lhs {
	start := p.peek(0).start
	if p.is(0, "!", "~", "+", "-", "typeof", "void", "delete", "await", "++", "--") {
		p.next()
		p.unary()
		return lhs{jsnode: p.span("", start)}
	}
	e := p.member()
	if !p.fail && p.is(0, "++", "--") && !p.peek(0).nl {
		p.next()
		return lhs{jsnode: p.span("", start)}
	}
	return e
}

// member reads a primary expression and its member accesses, calls and
// tagged templates; "new" takes the member expression after it.
func (p *jsparser) member() lhs {
	start := p.peek(0).start
	var e lhs
	if p.is(0, "new") {
		p.next()
		if p.is(0, ".") {
			p.next()
			p.expect("target")
		} else {
			p.newCallee()
			if p.is(0, "(") {
				p.arguments()
			}
		}
		e = lhs{jsnode: p.span("", start)}
	} else {
		e = p.primary()
	}
	for !p.fail {
		switch {
		case p.is(0, "."):
			p.next()
			p.propertyName()
			e = lhs{jsnode: p.span("", start), assignable: true}
		case p.is(0, "?.") && p.is(1, "("):
			p.next()
			p.arguments()
			e = lhs{jsnode: &jsnode{typ: "call_expression", start: start, end: p.last(), callee: e.jsnode, noArgs: true}}
		case p.is(0, "?.") && p.is(1, "["):
			p.next()
			p.subscript()
			e = lhs{jsnode: p.span("", start)}
		case p.is(0, "?."):
			p.next()
			p.propertyName()
			e = lhs{jsnode: p.span("", start)}
		case p.is(0, "["):
			p.subscript()
			e = lhs{jsnode: p.span("", start), assignable: true}
		case p.is(0, "("):
			args := p.arguments()
			e = lhs{jsnode: &jsnode{typ: "call_expression", start: start, end: p.last(), callee: e.jsnode, args: args}}
		case p.peek(0).kind == ctTemplate:
			p.next()
			e = lhs{jsnode: &jsnode{typ: "call_expression", start: start, end: p.last(), callee: e.jsnode, noArgs: true}}
		default:
			return e
		}
	}
	return e
}

// newCallee reads the constructor of a new expression: a primary
// expression or nested new, then member accesses (no calls).
func (p *jsparser) newCallee() {
	if p.is(0, "new") {
		p.next()
		p.newCallee()
		if p.is(0, "(") {
			p.arguments()
		}
	} else {
		p.primary()
	}
	for !p.fail {
		switch {
		case p.is(0, "."):
			p.next()
			p.propertyName()
		case p.is(0, "["):
			p.subscript()
		default:
			return
		}
	}
}

func (p *jsparser) subscript() {
	p.expect("[")
	p.expr()
	p.expect("]")
}

func (p *jsparser) propertyName() {
	if p.peek(0).kind != ctIdent {
		p.fail = true
		return
	}
	p.next()
}

// arguments reads (a, b=1, ...c) and returns the arguments' nodes.
func (p *jsparser) arguments() []*jsnode {
	p.expect("(")
	var out []*jsnode
	for !p.fail && !p.is(0, ")") {
		if p.is(0, "...") {
			start := p.next().start
			p.assign()
			out = append(out, p.span("", start))
		} else {
			out = append(out, p.assign())
		}
		if !p.is(0, ",") {
			break
		}
		p.next()
	}
	p.expect(")")
	return out
}

func (p *jsparser) primary() lhs {
	t := p.peek(0)
	start := t.start
	switch {
	case t.kind == ctNumber || t.kind == ctString || t.kind == ctTemplate:
		p.next()
		return lhs{jsnode: p.span("", start)}
	case p.is(0, "function") || p.is(0, "async") && p.is(1, "function") && !p.peek(1).nl:
		p.function()
	case p.isIdent(0):
		p.next()
		return lhs{jsnode: p.span("identifier", start), assignable: true}
	case p.is(0, "true"):
		p.next()
		return lhs{jsnode: p.span("true", start)}
	case p.is(0, "false", "null", "undefined", "this", "super"):
		p.next()
		return lhs{jsnode: p.span("", start)}
	case p.is(0, "("):
		p.next()
		inner := p.expr()
		p.expect(")")
		return lhs{jsnode: p.span("", start), assignable: inner.typ == "identifier"}
	case p.is(0, "["):
		p.array()
	case p.is(0, "{"):
		p.object()
	case p.is(0, "/", "/="):
		p.regex()
	default:
		p.fail = true
	}
	return lhs{jsnode: p.span("", start)}
}

// regex reads a regular expression literal from the source (its body
// lexed as other tokens) and skips the tokens inside it.
func (p *jsparser) regex() {
	src, j, class := p.src, p.peek(0).start+1, false
	for ; j < len(src); j++ {
		c := src[j]
		if c == '\\' {
			j++
			continue
		}
		if c == '\n' || c == '/' && !class {
			break
		}
		class = c == '[' || class && c != ']'
	}
	if j >= len(src) || src[j] != '/' {
		p.fail = true
		return
	}
	end := j + 1
	for end < len(src) && (src[end] >= 'a' && src[end] <= 'z') {
		end++
	}
	for p.peek(0).kind != ctEOF && p.peek(0).start < end {
		if p.peek(0).end > end {
			p.fail = true
			return
		}
		p.next()
	}
}

func (p *jsparser) function() {
	if p.is(0, "async") {
		p.next()
	}
	p.next()
	if p.is(0, "*") {
		p.next()
	}
	if p.isIdent(0) {
		p.next()
	}
	p.params()
	p.block()
}

// array reads [a, , ...b,] (holes allowed).
func (p *jsparser) array() {
	p.expect("[")
	for !p.fail && !p.is(0, "]") {
		if p.is(0, ",") {
			p.next()
			continue
		}
		if p.is(0, "...") {
			p.next()
		}
		p.assign()
		if !p.is(0, ",") {
			break
		}
		p.next()
	}
	p.expect("]")
}

// object reads {key: value, "key": value, [k]: value, short, ...spread,
// method() {…}}.
func (p *jsparser) object() {
	p.expect("{")
	for !p.fail && !p.is(0, "}") {
		p.property()
		if !p.is(0, ",") {
			break
		}
		p.next()
	}
	p.expect("}")
}

func (p *jsparser) property() {
	if p.is(0, "...") {
		p.next()
		p.assign()
		return
	}
	t := p.peek(0)
	switch {
	case p.is(0, "["):
		p.subscript()
	case t.kind == ctIdent || t.kind == ctString || t.kind == ctNumber:
		p.next()
		if t.kind == ctIdent && !jsReserved[t.text] && (p.is(0, ",") || p.is(0, "}")) {
			return // shorthand
		}
	default:
		p.fail = true
		return
	}
	if p.is(0, "(") {
		p.params()
		p.block()
		return
	}
	p.expect(":")
	p.assign()
}

// DecodeJavaScript is upstream's default_decode_ast_prompting with the
// JavaScript return format: the reply bracketed as for Python, its first
// and last characters dropped, then parse_javascript_function_call. The
// result is the first top-level expression statement that is a call, as
// [{callee: {parameter: text}}], or None when there is none.
func DecodeJavaScript(reply string, hasToolCallTag bool) (py.Value, error) {
	s, err := bracketReply(reply, hasToolCallTag)
	if err != nil {
		return nil, err
	}
	src := dropEnds(s)
	toks, err := lexCall(src, true)
	if err != nil {
		return nil, jsSyntaxError()
	}
	p := &jsparser{src: src, tokCursor: tokCursor{toks: toks}}
	var first *jsnode
	for !p.fail && p.peek(0).kind != ctEOF {
		e := p.statement()
		if first == nil && e != nil && e.typ == "call_expression" {
			first = e
		}
	}
	if p.fail {
		return nil, jsSyntaxError()
	}
	if first == nil {
		return py.None, nil
	}
	return jsCall(src, first)
}

// jsCall is upstream's extract_arguments on the call's argument list:
// name=value arguments by name (quotes around a value dropped), bare
// identifiers and true under None, the others left out.
func jsCall(src string, c *jsnode) (py.Value, error) {
	args := py.NewDict()
	multi := false
	put := func(k, v py.Value) {
		if has, _ := args.Has(k); has {
			multi = true
		}
		_ = args.Set(k, v) // str and None keys always hash
	}
	if !c.noArgs {
		for _, a := range c.args {
			text := src[a.start:a.end]
			switch a.typ {
			case "assignment_expression":
				v := src[a.right.start:a.right.end]
				if strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) || strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") {
					v = dropEnds(v)
				}
				put(py.Str(src[a.left.start:a.left.end]), py.Str(v))
			case "identifier", "true":
				put(py.None, py.Str(text))
			}
		}
	}
	if multi {
		return nil, &py.Exception{Kind: "Exception", Msg: "Error: Multiple arguments with the same name are not supported."}
	}
	name := src[c.callee.start:c.callee.end]
	return &py.List{Items: []py.Value{py.NewDict().With(name, args)}}, nil
}
