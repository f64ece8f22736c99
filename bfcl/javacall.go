package bfcl

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The Java reply decoder: upstream's parse_java_function_call, which
// parses the reply with tree-sitter-java (0.21.0) and reads the first
// method invocation of the tree. This file parses the subset of Java that
// such replies use (expression statements and local variable
// declarations; literals, names, field and
// array access, method invocations, class literals, object and array
// creation, lambdas, method references, casts, unary, binary and
// conditional operators, assignments) into the nodes upstream's walk
// looks at, and walks them as upstream does.

// jnode is a node of the Java tree: typ is the tree-sitter node type where
// upstream's walk looks at it ("" for the others), kids the children in
// source order (tokens are leaves).
type jnode struct {
	typ        string
	start, end int
	kids       []*jnode
	leaf       bool
	tok        string // a leaf's token text
	// method_invocation: object (nil without one), name and arguments;
	// object_creation_expression: typeN and args; array_creation_expression:
	// typeN and value (nil with dimension expressions).
	object, name, args, typeN, value *jnode
}

func (n *jnode) add(kids ...*jnode) *jnode {
	for _, k := range kids {
		if k == nil {
			continue
		}
		if len(n.kids) == 0 {
			n.start = k.start
		}
		n.kids = append(n.kids, k)
		n.end = k.end
	}
	return n
}

func jgroup(typ string, kids ...*jnode) *jnode { return (&jnode{typ: typ}).add(kids...) }

var javaReserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`abstract assert boolean break byte case catch char class const continue default do
		double else enum extends final finally float for goto if implements import instanceof int interface long native
		new package private protected public return short static strictfp super switch synchronized this throw throws
		transient try void volatile while true false null`) {
		javaReserved[w] = true
	}
}

var javaPrimitive = map[string]bool{"byte": true, "short": true, "int": true, "long": true, "char": true,
	"float": true, "double": true, "boolean": true, "void": true}

// javaSyntaxError is what upstream raises when the tree has an ERROR node.
func javaSyntaxError() error {
	return &py.Exception{Kind: "SyntaxError", Msg: "Error parsing java the source code."}
}

type jparser struct{ tokCursor }

func (p *jparser) next() *jnode {
	t := p.peek(0)
	if t.kind == ctEOF {
		p.fail = true
		return &jnode{leaf: true, start: t.start, end: t.end}
	}
	p.pos++
	return &jnode{leaf: true, start: t.start, end: t.end, tok: t.text}
}

func (p *jparser) expect(text string) *jnode {
	if !p.is(0, text) {
		p.fail = true
		return nil
	}
	return p.next()
}

func (p *jparser) isIdent(k int) bool {
	t := p.peek(k)
	return t.kind == ctIdent && !javaReserved[t.text]
}

// parseJavaProgram parses the reply's statements. A program whose last
// statement lacks its ";" is accepted as tree-sitter recovers it (with a
// MISSING node, not an ERROR) unless it is the only statement, an
// expression statement, and short: tree-sitter then prefers an ERROR node
// around the expression, whose cost (its bytes plus 30 per line break) is
// at most the 10 that separate the two recoveries. (An ERROR node around a
// declaration would hold two trees, 100 more, so a declaration always
// gets the MISSING node.)
func parseJavaProgram(src string) (*jnode, error) {
	toks, err := lexCall(src, false)
	if err != nil {
		return nil, javaSyntaxError()
	}
	p := &jparser{tokCursor{toks: toks}}
	prog := &jnode{}
	statements := 0
	for p.peek(0).kind != ctEOF && !p.fail {
		statements++
		if p.is(0, ";") {
			p.next()
			continue
		}
		e := p.statement()
		if p.fail {
			break
		}
		prog.kids = append(prog.kids, e)
		if p.is(0, ";") {
			p.next()
			continue
		}
		if p.peek(0).kind != ctEOF || statements == 1 && e.typ != "local_variable_declaration" && missingTooCheap(src, e) {
			p.fail = true
		}
	}
	if p.fail {
		return nil, javaSyntaxError()
	}
	return prog, nil
}

// statement is an expression statement's expression or a local
// variable declaration (Type name [= value], …), without the ";".
func (p *jparser) statement() *jnode {
	if !p.declarationAhead() {
		return p.expr()
	}
	n := jgroup("local_variable_declaration", p.typ())
	for !p.fail {
		n.add(p.identifier())
		if p.is(0, "=") {
			n.add(p.next())
			if p.is(0, "{") {
				n.add(p.arrayInit())
			} else {
				n.add(p.expr())
			}
		}
		if !p.is(0, ",") {
			break
		}
		n.add(p.next())
	}
	return n
}

// declarationAhead says a type and a name start here (a declaration).
func (p *jparser) declarationAhead() bool {
	if t := p.peek(0); t.kind != ctIdent || javaReserved[t.text] && !javaPrimitive[t.text] || t.text == "void" {
		return false
	}
	save, failed := p.pos, p.fail
	p.typ()
	ok := !p.fail && p.isIdent(0) && (p.is(1, "=", ";", ",") || p.peek(1).kind == ctEOF)
	p.pos, p.fail = save, failed
	return ok
}

func missingTooCheap(src string, e *jnode) bool {
	text := src[e.start:e.end]
	return len(text)+30*strings.Count(text, "\n") <= 10
}

func (p *jparser) expr() *jnode {
	if p.fail {
		return &jnode{}
	}
	if p.lambdaAhead() {
		return p.lambda()
	}
	left := p.ternary()
	if p.fail {
		return left
	}
	if op := p.assignOp(); op != nil {
		if left.typ != "identifier" && left.typ != "field_access" && left.typ != "array_access" {
			p.fail = true
			return left
		}
		right := p.expr()
		return jgroup("assignment_expression", left, op, right)
	}
	return left
}

// assignOp takes an assignment operator (">>=" and ">>>=" come as
// separate ">" tokens).
func (p *jparser) assignOp() *jnode {
	if p.is(0, "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=") {
		return p.next()
	}
	for n := 2; n <= 3; n++ {
		if p.adjacentGreater(n-1) && p.is(n, "=") && p.peek(n).start == p.peek(n-1).end {
			op := p.next()
			for i := 0; i < n; i++ {
				op.end = p.next().end
			}
			return op
		}
	}
	return nil
}

// adjacentGreater says tokens 0..k are ">" with nothing between them.
func (p *jparser) adjacentGreater(k int) bool {
	for i := 0; i <= k; i++ {
		if !p.is(i, ">") || i > 0 && p.peek(i).start != p.peek(i-1).end {
			return false
		}
	}
	return true
}

func (p *jparser) lambdaAhead() bool {
	if p.isIdent(0) && p.is(1, "->") {
		return true
	}
	if !p.is(0, "(") {
		return false
	}
	depth := 0
	for k := 0; p.peek(k).kind != ctEOF; k++ {
		switch {
		case p.is(k, "("):
			depth++
		case p.is(k, ")"):
			depth--
			if depth == 0 {
				return p.is(k+1, "->")
			}
		}
	}
	return false
}

func (p *jparser) lambda() *jnode {
	n := &jnode{}
	if p.isIdent(0) {
		n.add(p.identifier())
	} else {
		params := jgroup("", p.next())
		for !p.fail && !p.is(0, ")") {
			if len(params.kids) > 1 {
				params.add(p.expect(","))
			}
			if p.isIdent(0) && (p.is(1, ",") || p.is(1, ")")) {
				params.add(p.identifier())
				continue
			}
			params.add(p.typ(), p.identifier())
		}
		n.add(params, p.expect(")"))
	}
	n.add(p.expect("->"))
	if p.is(0, "{") {
		return n.add(p.block())
	}
	return n.add(p.expr())
}

// block is { statement* } with expression, return and empty statements
// and nested blocks.
func (p *jparser) block() *jnode {
	n := jgroup("", p.expect("{"))
	for !p.fail && !p.is(0, "}") {
		switch {
		case p.peek(0).kind == ctEOF:
			p.fail = true
		case p.is(0, "{"):
			n.add(p.block())
		case p.is(0, ";"):
			n.add(p.next())
		case p.is(0, "return"):
			s := jgroup("", p.next())
			if !p.is(0, ";") {
				s.add(p.expr())
			}
			n.add(s.add(p.expect(";")))
		default:
			n.add(jgroup("", p.expr(), p.expect(";")))
		}
	}
	return n.add(p.expect("}"))
}

func (p *jparser) ternary() *jnode {
	c := p.binary(0)
	if p.fail || !p.is(0, "?") {
		return c
	}
	q := p.next()
	a := p.expr()
	colon := p.expect(":")
	var b *jnode
	if p.lambdaAhead() {
		b = p.lambda()
	} else {
		b = p.ternary()
	}
	return jgroup("", c, q, a, colon, b)
}

var javaBinaryLevels = [][]string{{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="},
	{"<", ">", "<=", ">=", "instanceof"}, {"<<", ">>", ">>>"}, {"+", "-"}, {"*", "/", "%"}}

func (p *jparser) binary(level int) *jnode {
	if level == len(javaBinaryLevels) {
		return p.unary()
	}
	left := p.binary(level + 1)
	for !p.fail {
		op := p.binaryOp(javaBinaryLevels[level])
		if op == nil {
			return left
		}
		if p.toks[p.pos-1].text == "instanceof" {
			left = jgroup("", left, op, p.typ())
			continue
		}
		left = jgroup("", left, op, p.binary(level+1))
	}
	return left
}

// binaryOp takes an operator of the level, joining adjacent ">" tokens
// into ">>", ">>>" and ">=".
func (p *jparser) binaryOp(ops []string) *jnode {
	text, n := p.peek(0).text, 1
	if p.is(0, ">") {
		switch {
		case p.adjacentGreater(2):
			text, n = ">>>", 3
		case p.adjacentGreater(1):
			text, n = ">>", 2
		case p.is(1, "=") && p.peek(1).start == p.peek(0).end:
			text, n = ">=", 2
		}
		if n > 1 && p.is(n, "=") && p.peek(n).start == p.peek(n-1).end {
			return nil // a shift assignment
		}
	} else if p.peek(0).kind != ctPunct && text != "instanceof" {
		return nil
	}
	for _, o := range ops {
		if o == text {
			op := p.next()
			for i := 1; i < n; i++ {
				op.end = p.next().end
			}
			return op
		}
	}
	return nil
}

func (p *jparser) unary() *jnode {
	if p.is(0, "+", "-", "!", "~", "++", "--") {
		op := p.next()
		return jgroup("", op, p.unary())
	}
	if p.castAhead() {
		n := jgroup("", p.next(), p.typ(), p.expect(")"))
		if p.lambdaAhead() {
			return n.add(p.lambda())
		}
		return n.add(p.unary())
	}
	e := p.postfix()
	for !p.fail && p.is(0, "++", "--") {
		e = jgroup("", e, p.next())
	}
	return e
}

// castAhead says "(" starts a cast: a primitive type, or a type name
// followed by something that cannot continue a parenthesised expression.
func (p *jparser) castAhead() bool {
	if !p.is(0, "(") {
		return false
	}
	if t := p.peek(1); t.kind == ctIdent && javaPrimitive[t.text] && t.text != "void" {
		k := 2
		for p.is(k, "[") && p.is(k+1, "]") {
			k += 2
		}
		return p.is(k, ")")
	}
	save := p.pos
	p.pos++
	failed := p.fail
	if !p.isIdent(0) {
		p.pos = save
		return false
	}
	p.typ()
	ok := !p.fail && p.is(0, ")")
	if ok {
		t := p.peek(1)
		ok = t.kind == ctIdent && !(javaReserved[t.text] && t.text != "new" && t.text != "this" && t.text != "super" &&
			t.text != "true" && t.text != "false" && t.text != "null") ||
			t.kind == ctNumber || t.kind == ctString || t.kind == ctChar || p.is(1, "(", "!", "~")
	}
	p.pos, p.fail = save, failed
	return ok
}

func (p *jparser) identifier() *jnode {
	if !p.isIdent(0) {
		p.fail = true
		return nil
	}
	n := p.next()
	n.typ = "identifier"
	return n
}

func (p *jparser) postfix() *jnode {
	e := p.primary()
	for !p.fail {
		switch {
		case p.is(0, ".") && p.is(1, "<"):
			dot := p.next()
			targs := p.typeArgs()
			e = p.invocation(e, dot, targs)
		case p.is(0, ".") && p.is(1, "class"):
			if !isNameChain(e) {
				p.fail = true
				return e
			}
			e = jgroup("class_literal", e, p.next(), p.next())
		case p.is(0, ".") && p.isIdent(1) && p.is(2, "("):
			e = p.invocation(e, p.next(), nil)
		case p.is(0, ".") && p.isIdent(1):
			e = jgroup("field_access", e, p.next(), p.identifier())
		case p.is(0, "[") && p.is(1, "]"):
			if !isNameChain(e) {
				p.fail = true
				return e
			}
			return p.arrayTypeTail(e)
		case p.is(0, "["):
			e = jgroup("array_access", e, p.next(), p.expr(), p.expect("]"))
		case p.is(0, "::"):
			e = p.methodRef(e)
		default:
			return e
		}
	}
	return e
}

// arrayTypeTail reads "[]"… after a type name: T[].class or T[]::new.
func (p *jparser) arrayTypeTail(e *jnode) *jnode {
	t := jgroup("", e)
	for p.is(0, "[") && p.is(1, "]") {
		t.add(p.next(), p.next())
	}
	if p.is(0, ".") && p.is(1, "class") {
		return jgroup("class_literal", t, p.next(), p.next())
	}
	if p.is(0, "::") {
		return p.methodRef(t)
	}
	p.fail = true
	return t
}

func (p *jparser) methodRef(e *jnode) *jnode {
	n := jgroup("", e, p.next())
	if p.is(0, "new") {
		return n.add(p.next())
	}
	return n.add(p.identifier())
}

func isNameChain(e *jnode) bool {
	switch e.typ {
	case "identifier":
		return true
	case "field_access":
		return isNameChain(e.kids[0])
	}
	return false
}

// invocation reads ".name(args)" (after optional type arguments) on
// object, or "name(args)" when object is nil.
func (p *jparser) invocation(object, dot, targs *jnode) *jnode {
	n := &jnode{typ: "method_invocation", object: object}
	n.add(object, dot, targs)
	n.name = p.identifier()
	n.args = p.arguments()
	return n.add(n.name, n.args)
}

func (p *jparser) arguments() *jnode {
	n := jgroup("argument_list", p.expect("("))
	for !p.fail && !p.is(0, ")") {
		if len(n.kids) > 1 {
			n.add(p.expect(","))
		}
		n.add(p.expr())
	}
	return n.add(p.expect(")"))
}

func (p *jparser) primary() *jnode {
	t := p.peek(0)
	switch t.kind {
	case ctNumber:
		return p.next()
	case ctString:
		n := p.next()
		n.typ = "string_literal"
		return n
	case ctChar:
		n := p.next()
		n.typ = "character_literal"
		return n
	case ctIdent:
		return p.primaryWord(t.text)
	}
	if p.is(0, "(") {
		return jgroup("", p.next(), p.expr(), p.expect(")"))
	}
	p.fail = true
	return &jnode{start: t.start, end: t.end}
}

func (p *jparser) primaryWord(w string) *jnode {
	switch {
	case w == "true" || w == "false" || w == "null" || w == "this":
		return p.next()
	case w == "new":
		return p.creation()
	case w == "super":
		n := p.next()
		if !p.is(0, ".") && !p.is(0, "::") {
			p.fail = true
		}
		return n
	case javaPrimitive[w]:
		t := jgroup("", p.next())
		return p.arrayTypeTail(t)
	case javaReserved[w]:
		p.fail = true
		return p.next()
	case p.is(1, "("):
		return p.invocation(nil, nil, nil)
	}
	return p.identifier()
}

// typ reads a type: a primitive type or a dotted name with type
// arguments, then any "[]".
func (p *jparser) typ() *jnode {
	n := &jnode{}
	if t := p.peek(0); t.kind == ctIdent && javaPrimitive[t.text] {
		n.add(p.next())
	} else {
		n.add(p.typeName())
	}
	for !p.fail && p.is(0, "[") && p.is(1, "]") {
		n.add(p.next(), p.next())
	}
	return n
}

// typeName reads a class type: Name(.Name)* with type arguments on any part.
func (p *jparser) typeName() *jnode {
	n := &jnode{}
	for {
		id := p.identifier()
		if id != nil {
			id.typ = "type_identifier"
		}
		n.add(id)
		if p.is(0, "<") {
			n.add(p.typeArgs())
		}
		if p.fail || !p.is(0, ".") || !p.isIdent(1) {
			return n
		}
		n.add(p.next())
	}
}

// typeArgs reads <T, ? extends U, …> and the diamond <>.
func (p *jparser) typeArgs() *jnode {
	n := jgroup("", p.expect("<"))
	for !p.fail && !p.is(0, ">") {
		if len(n.kids) > 1 {
			n.add(p.expect(","))
		}
		if p.is(0, "?") {
			n.add(p.next())
			if p.is(0, "extends", "super") {
				n.add(p.next(), p.typ())
			}
			continue
		}
		n.add(p.typ())
	}
	return n.add(p.expect(">"))
}

// creation reads "new T[]…{…}", "new T[n]…" or "new T(args) [{ body }]".
func (p *jparser) creation() *jnode {
	kw := p.next()
	var t *jnode
	if tk := p.peek(0); tk.kind == ctIdent && javaPrimitive[tk.text] && tk.text != "void" {
		t = jgroup("", p.next())
	} else {
		t = p.typeName()
	}
	if p.fail {
		return t
	}
	if p.is(0, "[") {
		return p.arrayCreation(kw, t)
	}
	n := &jnode{typ: "object_creation_expression", typeN: t}
	n.add(kw, t)
	n.args = p.arguments()
	n.add(n.args)
	if p.is(0, "{") {
		n.add(p.classBody())
	}
	return n
}

func (p *jparser) arrayCreation(kw, t *jnode) *jnode {
	n := &jnode{typ: "array_creation_expression", typeN: t}
	n.add(kw, t)
	exprDims := false
	for !p.fail && p.is(0, "[") && !p.is(1, "]") {
		exprDims = true
		n.add(p.next(), p.expr(), p.expect("]"))
	}
	for !p.fail && p.is(0, "[") && p.is(1, "]") {
		n.add(p.next(), p.next())
	}
	if exprDims {
		return n
	}
	n.value = p.arrayInit()
	return n.add(n.value)
}

func (p *jparser) arrayInit() *jnode {
	n := jgroup("", p.expect("{"))
	for !p.fail && !p.is(0, "}") {
		if len(n.kids) > 1 {
			n.add(p.expect(","))
			if p.is(0, "}") {
				break
			}
		}
		if p.is(0, "{") {
			n.add(p.arrayInit())
		} else {
			n.add(p.expr())
		}
	}
	return n.add(p.expect("}"))
}

// classBody reads an anonymous class body made of initializer blocks
// (the "double brace" form); declarations are not parsed.
func (p *jparser) classBody() *jnode {
	n := jgroup("", p.expect("{"))
	for !p.fail && !p.is(0, "}") {
		switch {
		case p.is(0, "{"):
			n.add(p.block())
		case p.is(0, ";"):
			n.add(p.next())
		default:
			p.fail = true
		}
	}
	return n.add(p.expect("}"))
}

// DecodeJava is upstream's default_decode_ast_prompting with the Java
// return format: the reply bracketed as for Python, its first and last
// characters dropped, then parse_java_function_call. The result is the
// first method invocation as [{name: {parameter: text}}] (an empty dict
// when there is none).
func DecodeJava(reply string, hasToolCallTag bool) (py.Value, error) {
	s, err := bracketReply(reply, hasToolCallTag)
	if err != nil {
		return nil, err
	}
	prog, err := parseJavaProgram(dropEnds(s))
	if err != nil {
		return nil, err
	}
	w := javaWalker{runes: []rune(dropEnds(s))}
	call := w.firstInvocation(prog)
	if call == nil {
		return py.NewDict(), nil
	}
	return w.call(call)
}

// dropEnds is Python's s[1:-1].
func dropEnds(s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return ""
	}
	return string(r[1 : len(r)-1])
}

// javaWalker is upstream's walk of the tree. Its get_text slices the
// Python string by the nodes' byte offsets, so text after a non-ASCII
// character is shifted; the walker does the same.
type javaWalker struct{ runes []rune }

func (w javaWalker) text(n *jnode) string {
	a, b := min(n.start, len(w.runes)), min(n.end, len(w.runes))
	if a >= b {
		return ""
	}
	return string(w.runes[a:b])
}

func (w javaWalker) firstInvocation(n *jnode) *jnode {
	if n.typ == "method_invocation" {
		return n
	}
	for _, k := range n.kids {
		if f := w.firstInvocation(k); f != nil {
			return f
		}
	}
	return nil
}

func (w javaWalker) call(n *jnode) (py.Value, error) {
	name := w.text(n.name)
	if n.object != nil {
		name = w.text(n.object) + "." + name
	}
	args := py.NewDict()
	multi := false
	put := func(k, v py.Value) {
		if has, _ := args.Has(k); has {
			multi = true
		}
		_ = args.Set(k, v) // str and None keys always hash
	}
	for _, a := range n.args.kids {
		switch a.typ {
		case "assignment_expression":
			v, err := w.node(a.kids[2], false)
			if err != nil {
				return nil, err
			}
			put(py.Str(w.text(a.kids[0])), py.Str(v))
		case "identifier", "class_literal":
			v, err := w.node(a, false)
			if err != nil {
				return nil, err
			}
			put(py.None, py.Str(v))
		}
	}
	if multi {
		return nil, &py.Exception{Kind: "Exception", Msg: "Error: Multiple arguments with the same name are not supported."}
	}
	return &py.List{Items: []py.Value{py.NewDict().With(name, args)}}, nil
}

// node is upstream's traverse_node: the text an argument's value becomes.
func (w javaWalker) node(n *jnode, nested bool) (string, error) {
	if n == nil {
		return "", &py.Exception{Kind: "AttributeError", Msg: "'NoneType' object has no attribute 'type'"}
	}
	switch n.typ {
	case "string_literal", "character_literal":
		if nested {
			return w.text(n), nil
		}
		return dropEnds(w.text(n)), nil
	case "identifier", "class_literal", "type_identifier", "method_invocation":
		return w.text(n), nil
	case "array_creation_expression":
		t, err := w.node(n.typeN, true)
		if err != nil {
			return "", err
		}
		v, err := w.node(n.value, true)
		return "new " + t + "[]" + v, err
	case "object_creation_expression":
		return w.objectCreation(n)
	}
	if n.leaf {
		return w.text(n), nil
	}
	var b strings.Builder
	for _, k := range n.kids {
		s, err := w.node(k, true)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (w javaWalker) objectCreation(n *jnode) (string, error) {
	t, err := w.node(n.typeN, true)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, a := range n.args.kids {
		if a.leaf && (a.tok == "(" || a.tok == ")" || a.tok == ",") {
			continue
		}
		s, err := w.node(a, true)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return "new " + t + "(" + strings.Join(parts, ", ") + ")", nil
}
