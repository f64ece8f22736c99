package bfcl

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The nodes below occur only in ParseFull's trees: the rest of Python's
// expression grammar, which the single-turn decoder must parse (to drop
// positional arguments, or to render calls without keywords as text) even
// where it then refuses the value.

// Compare is Left op1 C1 op2 C2 ... (==, !=, <, <=, >, >=, in, not in, is,
// is not).
type Compare struct {
	Left        Expr
	Ops         []string
	Comparators []Expr
}

// BoolOp is V1 and V2 ... (Op "and") or V1 or V2 ... (Op "or").
type BoolOp struct {
	Op     string
	Values []Expr
}

// IfExp is Body if Test else Else.
type IfExp struct{ Test, Body, Else Expr }

// Lambda is lambda Params: Body; Params are rendered as ast.unparse writes
// them.
type Lambda struct {
	Params []LambdaParam
	Body   Expr
}

// LambdaParam is one parameter of a lambda: Name with its prefix ("*",
// "**", or "/" and "*" alone) and an optional default.
type LambdaParam struct {
	Name    string
	Default Expr
}

// Starred is *Value.
type Starred struct{ Value Expr }

// Slice is Lower:Upper:Step (each may be nil).
type Slice struct {
	Lower, Upper, Step Expr
	HasStep            bool
}

// NamedExpr is Target := Value.
type NamedExpr struct{ Target, Value Expr }

// Yield is (yield Value) or (yield from Value).
type Yield struct {
	Value Expr
	From  bool
}

// Await is await Value.
type Await struct{ Value Expr }

// Comprehension is a list, set or dict comprehension or a generator
// expression (Kind "ListComp", "SetComp", "DictComp", "GeneratorExp").
type Comprehension struct {
	Kind       string
	Elt, Value Expr // Value only for DictComp
	Generators []CompFor
}

// CompFor is one "for Target in Iter if ..." clause.
type CompFor struct {
	Target, Iter Expr
	Ifs          []Expr
	Async        bool
}

// JoinedStr is an f-string; Src is its source text.
type JoinedStr struct{ Src string }

func (*Compare) exprNode()       {}
func (*BoolOp) exprNode()        {}
func (*IfExp) exprNode()         {}
func (*Lambda) exprNode()        {}
func (*Starred) exprNode()       {}
func (*Slice) exprNode()         {}
func (*NamedExpr) exprNode()     {}
func (*Yield) exprNode()         {}
func (*Await) exprNode()         {}
func (*Comprehension) exprNode() {}
func (*JoinedStr) exprNode()     {}

// hardKeywords are Python 3.11's reserved words: never names.
var hardKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// ParseFull parses src as ast.parse(src, mode="eval") does, with the whole
// expression grammar of Python 3.11 (comparisons, boolean operators,
// conditional expressions, lambdas, comprehensions, slices, starred items,
// walrus, yield and await, bytes, complex and f-string literals). Errors
// are *SyntaxError values for file "<unknown>"; their messages follow
// CPython's for the common cases only.
func ParseFull(src string) (Expr, error) {
	toks, serr := lexMode(src, true)
	if serr != nil {
		serr.File = "<unknown>"
		return nil, serr
	}
	p := &parser{toks: toks, file: "<unknown>"}
	e, err := p.fTupleOf(p.fExpr, true)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errAt(p.peek())
	}
	return e, nil
}

func (p *parser) isName(s string) bool {
	t := p.peek()
	return t.kind == tokName && t.text == s
}

func (p *parser) acceptName(s string) bool {
	if p.isName(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectOp(s string) error {
	if !p.accept(s) {
		return p.errAt(p.peek())
	}
	return nil
}

// fTupleOf parses item (',' item)* [','] and makes a tuple when there is
// a comma; after a comma the list may end before a closing bracket or
// "in".
func (p *parser) fTupleOf(item func() (Expr, error), allowEmptyEnd bool) (Expr, error) {
	first, err := item()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []Expr{first}
	for p.accept(",") {
		if p.endsList() && allowEmptyEnd {
			break
		}
		e, err := item()
		if err != nil {
			return nil, err
		}
		elts = append(elts, e)
	}
	return &TupleExpr{Elts: elts}, nil
}

func (p *parser) endsList() bool {
	t := p.peek()
	switch t.kind {
	case tokEOF, tokNewline:
		return true
	case tokOp:
		return t.text == ")" || t.text == "]" || t.text == "}"
	case tokName:
		return t.text == "in"
	}
	return false
}

// fExpr is Python's "expression": a lambda, or a disjunction with an
// optional "if ... else ...".
func (p *parser) fExpr() (Expr, error) {
	if p.isName("lambda") {
		return p.fLambda()
	}
	body, err := p.fOr()
	if err != nil {
		return nil, err
	}
	if !p.acceptName("if") {
		return body, nil
	}
	test, err := p.fOr()
	if err != nil {
		return nil, err
	}
	if !p.acceptName("else") {
		return nil, p.errAt(p.peek())
	}
	orelse, err := p.fExpr()
	if err != nil {
		return nil, err
	}
	return &IfExp{Test: test, Body: body, Else: orelse}, nil
}

// fNamed is "named_expression": NAME := expression, or an expression.
func (p *parser) fNamed() (Expr, error) {
	t := p.peek()
	if t.kind == tokName && !hardKeywords[t.text] && p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == ":=" {
		p.i += 2
		v, err := p.fExpr()
		if err != nil {
			return nil, err
		}
		return &NamedExpr{Target: &Name{ID: t.text}, Value: v}, nil
	}
	return p.fExpr()
}

// fStarNamed is an item of a list, tuple or set display.
func (p *parser) fStarNamed() (Expr, error) {
	if p.accept("*") {
		v, err := p.fBinary(0)
		if err != nil {
			return nil, err
		}
		return &Starred{Value: v}, nil
	}
	return p.fNamed()
}

func (p *parser) fLambda() (Expr, error) {
	p.i++ // lambda
	var params []LambdaParam
	for !p.accept(":") {
		var prm LambdaParam
		switch {
		case p.accept("**"):
			prm.Name = "**"
		case p.accept("*"):
			prm.Name = "*"
		case p.accept("/"):
			prm.Name = "/"
		}
		if t := p.peek(); t.kind == tokName && !hardKeywords[t.text] {
			prm.Name += t.text
			p.i++
		} else if prm.Name != "*" && prm.Name != "/" {
			return nil, p.errAt(t)
		}
		if p.accept("=") {
			d, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			prm.Default = d
		}
		params = append(params, prm)
		if !p.isOp(":") && !p.accept(",") {
			return nil, p.errAt(p.peek())
		}
	}
	body, err := p.fExpr()
	if err != nil {
		return nil, err
	}
	return &Lambda{Params: params, Body: body}, nil
}

func (p *parser) fOr() (Expr, error)  { return p.fBool("or", p.fAnd) }
func (p *parser) fAnd() (Expr, error) { return p.fBool("and", p.fNot) }

func (p *parser) fBool(op string, next func() (Expr, error)) (Expr, error) {
	x, err := next()
	if err != nil {
		return nil, err
	}
	if !p.isName(op) {
		return x, nil
	}
	values := []Expr{x}
	for p.acceptName(op) {
		y, err := next()
		if err != nil {
			return nil, err
		}
		values = append(values, y)
	}
	return &BoolOp{Op: op, Values: values}, nil
}

func (p *parser) fNot() (Expr, error) {
	if p.acceptName("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.fNot()
		if err != nil {
			return nil, err
		}
		return &UnaryOp{Op: "not", X: x}, nil
	}
	return p.fCompare()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxParseDepth {
		return py.Errorf("RecursionError", "maximum recursion depth exceeded during compilation")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// compareOp reads a comparison operator, or returns "".
func (p *parser) compareOp() string {
	t := p.peek()
	switch {
	case t.kind == tokOp && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.i++
		return t.text
	case p.isName("in"):
		p.i++
		return "in"
	case p.isName("is"):
		p.i++
		if p.acceptName("not") {
			return "is not"
		}
		return "is"
	case p.isName("not") && p.toks[p.i+1].kind == tokName && p.toks[p.i+1].text == "in":
		p.i += 2
		return "not in"
	}
	return ""
}

func (p *parser) fCompare() (Expr, error) {
	x, err := p.fBinary(0)
	if err != nil {
		return nil, err
	}
	var c *Compare
	for {
		op := p.compareOp()
		if op == "" {
			break
		}
		y, err := p.fBinary(0)
		if err != nil {
			return nil, err
		}
		if c == nil {
			c = &Compare{Left: x}
		}
		c.Ops = append(c.Ops, op)
		c.Comparators = append(c.Comparators, y)
	}
	if c == nil {
		return x, nil
	}
	return c, nil
}

// binaryLevels are the binary operators from the loosest to the tightest.
var binaryLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

// fBinary parses the left-associative binary operators from binaryLevels
// [level] on, then unary operators and powers.
func (p *parser) fBinary(level int) (Expr, error) {
	if level == len(binaryLevels) {
		return p.fFactor()
	}
	x, err := p.fBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || !contains(binaryLevels[level], t.text) {
			return x, nil
		}
		p.i++
		y, err := p.fBinary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &BinOp{Op: t.text, X: x, Y: y}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) fFactor() (Expr, error) {
	if p.isOp("-") || p.isOp("+") || p.isOp("~") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		op := p.advance().text
		x, err := p.fFactor()
		if err != nil {
			return nil, err
		}
		return &UnaryOp{Op: op, X: x}, nil
	}
	x, err := p.fAwait()
	if err != nil {
		return nil, err
	}
	if p.accept("**") {
		y, err := p.fFactor()
		if err != nil {
			return nil, err
		}
		return &BinOp{Op: "**", X: x, Y: y}, nil
	}
	return x, nil
}

func (p *parser) fAwait() (Expr, error) {
	if p.acceptName("await") {
		x, err := p.fPrimary()
		if err != nil {
			return nil, err
		}
		return &Await{Value: x}, nil
	}
	return p.fPrimary()
}

func (p *parser) fPrimary() (Expr, error) {
	x, err := p.fAtom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.accept("."):
			t := p.advance()
			if t.kind != tokName || hardKeywords[t.text] {
				return nil, p.errAt(t)
			}
			x = &Attribute{Value: x, Attr: t.text}
		case p.accept("("):
			if x, err = p.fCallArgs(x); err != nil {
				return nil, err
			}
		case p.accept("["):
			idx, err := p.fTupleOf(p.fSliceItem, true)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			x = &Subscript{Value: x, Index: idx}
		default:
			return x, nil
		}
	}
}

// fSliceItem is one item of a subscript: a slice or an expression.
func (p *parser) fSliceItem() (Expr, error) {
	var lower Expr
	if !p.isOp(":") {
		e, err := p.fNamed()
		if err != nil {
			return nil, err
		}
		if !p.isOp(":") {
			return e, nil
		}
		lower = e
	}
	p.i++ // ':'
	s := &Slice{Lower: lower}
	if !p.isOp(":") && !p.isOp(",") && !p.isOp("]") {
		e, err := p.fExpr()
		if err != nil {
			return nil, err
		}
		s.Upper = e
	}
	if p.accept(":") {
		s.HasStep = true
		if !p.isOp(",") && !p.isOp("]") {
			e, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			s.Step = e
		}
	}
	return s, nil
}

func (p *parser) fCallArgs(fn Expr) (Expr, error) {
	c := &Call{Func: fn}
	for !p.accept(")") {
		t := p.peek()
		switch {
		case p.accept("**"):
			v, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			c.Keywords = append(c.Keywords, Keyword{Value: v})
		case p.accept("*"):
			if n := len(c.Keywords); n > 0 && c.Keywords[n-1].Name == "" {
				return nil, p.syntax(t.line, "iterable argument unpacking follows keyword argument unpacking")
			}
			v, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			c.Args, c.Starred = append(c.Args, v), append(c.Starred, true)
		case t.kind == tokName && p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == "=":
			if hardKeywords[t.text] {
				return nil, p.syntax(t.line, "invalid syntax")
			}
			p.i += 2
			v, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			c.Keywords = append(c.Keywords, Keyword{Name: t.text, Value: v})
		default:
			v, err := p.fPositional(c)
			if err != nil {
				return nil, err
			}
			c.Args, c.Starred = append(c.Args, v), append(c.Starred, false)
		}
		if p.accept(")") {
			break
		}
		if err := p.expectOp(","); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// fPositional is a positional argument; a generator expression without
// parentheses is allowed as the only argument.
func (p *parser) fPositional(c *Call) (Expr, error) {
	t := p.peek()
	v, err := p.fNamed()
	if err != nil {
		return nil, err
	}
	if len(c.Keywords) > 0 {
		return nil, p.syntax(t.line, "positional argument follows keyword argument")
	}
	if p.isName("for") || p.isName("async") {
		gens, err := p.fGenerators()
		if err != nil {
			return nil, err
		}
		v = &Comprehension{Kind: "GeneratorExp", Elt: v, Generators: gens}
		if len(c.Args) > 0 || !p.isOp(")") {
			return nil, p.syntax(t.line, "Generator expression must be parenthesized")
		}
	}
	return v, nil
}

// fGenerators parses the for ... in ... if ... clauses of a comprehension.
func (p *parser) fGenerators() ([]CompFor, error) {
	var gens []CompFor
	for p.isName("for") || p.isName("async") {
		var g CompFor
		if p.acceptName("async") {
			g.Async = true
		}
		if !p.acceptName("for") {
			return nil, p.errAt(p.peek())
		}
		target, err := p.fTupleOf(p.fStarTarget, true)
		if err != nil {
			return nil, err
		}
		if !p.acceptName("in") {
			return nil, p.errAt(p.peek())
		}
		if g.Iter, err = p.fOr(); err != nil {
			return nil, err
		}
		g.Target = target
		for p.acceptName("if") {
			cond, err := p.fOr()
			if err != nil {
				return nil, err
			}
			g.Ifs = append(g.Ifs, cond)
		}
		gens = append(gens, g)
	}
	return gens, nil
}

func (p *parser) fStarTarget() (Expr, error) {
	if p.accept("*") {
		v, err := p.fBinary(0)
		if err != nil {
			return nil, err
		}
		return &Starred{Value: v}, nil
	}
	return p.fBinary(0)
}

func (p *parser) fAtom() (Expr, error) {
	t := p.advance()
	switch t.kind {
	case tokNumber:
		return &Const{Value: t.val}, nil
	case tokString:
		return p.fStrings(t)
	case tokName:
		switch t.text {
		case "True":
			return &Const{Value: py.Bool(true)}, nil
		case "False":
			return &Const{Value: py.Bool(false)}, nil
		case "None":
			return &Const{Value: py.None}, nil
		}
		if hardKeywords[t.text] {
			return nil, p.syntax(t.line, "invalid syntax")
		}
		return &Name{ID: t.text}, nil
	case tokOp:
		switch t.text {
		case "...":
			return &Const{Value: py.Ellipsis}, nil
		case "(":
			return p.fParen()
		case "[":
			return p.fList()
		case "{":
			return p.fBrace()
		}
	}
	return nil, p.syntax(t.line, "invalid syntax")
}

// fStrings joins adjacent string literals: str with str, bytes with bytes;
// an f-string among them makes the whole an f-string.
func (p *parser) fStrings(first token) (Expr, error) {
	toks := []token{first}
	for p.peek().kind == tokString {
		toks = append(toks, p.advance())
	}
	_, isBytes := first.val.(py.Bytes)
	var b strings.Builder
	var src []string
	fstr := false
	for _, t := range toks {
		if _, ok := t.val.(py.Bytes); ok != isBytes {
			return nil, p.syntax(first.line, "cannot mix bytes and nonbytes literals")
		}
		fstr = fstr || t.fstr
		src = append(src, p.source(t))
		switch v := t.val.(type) {
		case py.Bytes:
			b.WriteString(string(v))
		case py.Str:
			b.WriteString(string(v))
		}
	}
	switch {
	case fstr:
		return &JoinedStr{Src: strings.Join(src, " ")}, nil
	case isBytes:
		return &Const{Value: py.Bytes(b.String())}, nil
	}
	return &Const{Value: py.Str(b.String()), U: first.uStr}, nil
}

// source is a string token's text as written.
func (p *parser) source(t token) string {
	if t.fstr {
		return t.text
	}
	return py.Repr(t.val)
}

func (p *parser) fParen() (Expr, error) {
	if p.accept(")") {
		return &TupleExpr{}, nil
	}
	if p.acceptName("yield") {
		y := &Yield{}
		if p.acceptName("from") {
			y.From = true
			v, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			y.Value = v
		} else if !p.isOp(")") {
			v, err := p.fTupleOf(p.fStarNamed, true)
			if err != nil {
				return nil, err
			}
			y.Value = v
		}
		return y, p.expectOp(")")
	}
	first, err := p.fStarNamed()
	if err != nil {
		return nil, err
	}
	if p.isName("for") || p.isName("async") {
		gens, err := p.fGenerators()
		if err != nil {
			return nil, err
		}
		return &Comprehension{Kind: "GeneratorExp", Elt: first, Generators: gens}, p.expectOp(")")
	}
	if p.accept(")") {
		if _, starred := first.(*Starred); starred {
			return nil, p.syntax(p.peek().line, "cannot use starred expression here")
		}
		return first, nil
	}
	elts := []Expr{first}
	for p.accept(",") {
		if p.isOp(")") {
			break
		}
		e, err := p.fStarNamed()
		if err != nil {
			return nil, err
		}
		elts = append(elts, e)
	}
	return &TupleExpr{Elts: elts}, p.expectOp(")")
}

func (p *parser) fList() (Expr, error) {
	if p.accept("]") {
		return &ListExpr{Elts: []Expr{}}, nil
	}
	first, err := p.fStarNamed()
	if err != nil {
		return nil, err
	}
	if p.isName("for") || p.isName("async") {
		gens, err := p.fGenerators()
		if err != nil {
			return nil, err
		}
		return &Comprehension{Kind: "ListComp", Elt: first, Generators: gens}, p.expectOp("]")
	}
	elts, err := p.fRest(first, "]")
	return &ListExpr{Elts: elts}, err
}

// fRest reads the items after first up to end.
func (p *parser) fRest(first Expr, end string) ([]Expr, error) {
	elts := []Expr{first}
	for !p.accept(end) {
		if err := p.expectOp(","); err != nil {
			return nil, err
		}
		if p.accept(end) {
			break
		}
		e, err := p.fStarNamed()
		if err != nil {
			return nil, err
		}
		elts = append(elts, e)
	}
	return elts, nil
}

func (p *parser) fBrace() (Expr, error) {
	if p.accept("}") {
		return &DictExpr{}, nil
	}
	if p.isOp("**") {
		return p.fDictItems(nil, nil)
	}
	first, err := p.fStarNamed()
	if err != nil {
		return nil, err
	}
	if _, starred := first.(*Starred); !starred && p.accept(":") {
		v, err := p.fExpr()
		if err != nil {
			return nil, err
		}
		if p.isName("for") || p.isName("async") {
			gens, err := p.fGenerators()
			if err != nil {
				return nil, err
			}
			return &Comprehension{Kind: "DictComp", Elt: first, Value: v, Generators: gens}, p.expectOp("}")
		}
		return p.fDictItems(first, v)
	}
	if p.isName("for") || p.isName("async") {
		gens, err := p.fGenerators()
		if err != nil {
			return nil, err
		}
		return &Comprehension{Kind: "SetComp", Elt: first, Generators: gens}, p.expectOp("}")
	}
	elts, err := p.fRest(first, "}")
	return &SetExpr{Elts: elts}, err
}

// fDictItems reads a dict display after its first key and value (nil when
// it starts with **).
func (p *parser) fDictItems(k, v Expr) (Expr, error) {
	d := &DictExpr{}
	if k != nil {
		d.Keys, d.Values = append(d.Keys, k), append(d.Values, v)
		if p.accept("}") {
			return d, nil
		}
		if err := p.expectOp(","); err != nil {
			return nil, err
		}
	}
	for !p.accept("}") {
		if p.accept("**") {
			x, err := p.fBinary(0)
			if err != nil {
				return nil, err
			}
			d.Keys, d.Values = append(d.Keys, nil), append(d.Values, x)
		} else {
			key, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(":"); err != nil {
				return nil, err
			}
			val, err := p.fExpr()
			if err != nil {
				return nil, err
			}
			d.Keys, d.Values = append(d.Keys, key), append(d.Values, val)
		}
		if p.accept("}") {
			break
		}
		if err := p.expectOp(","); err != nil {
			return nil, err
		}
	}
	return d, nil
}
