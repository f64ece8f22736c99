package bfcl

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Expr is a node of a parsed Python expression. The parser never
// evaluates anything; the executor walks these nodes itself.
type Expr interface{ exprNode() }

// Name is an identifier.
type Name struct{ ID string }

// Attribute is Value.Attr.
type Attribute struct {
	Value Expr
	Attr  string
}

// Const is a literal str, int, float, bool, None or Ellipsis (and, from
// ParseFull, bytes or complex). U marks a str written u'...'.
type Const struct {
	Value py.Value
	U     bool
}

// ListExpr is [a, b].
type ListExpr struct{ Elts []Expr }

// TupleExpr is (a, b) or a, b.
type TupleExpr struct{ Elts []Expr }

// SetExpr is {a, b}.
type SetExpr struct{ Elts []Expr }

// DictExpr is {k: v}; a nil key stands for **value.
type DictExpr struct{ Keys, Values []Expr }

// UnaryOp is -x, +x, ~x or not x.
type UnaryOp struct {
	Op string
	X  Expr
}

// BinOp is x op y for + - * / // % **.
type BinOp struct {
	Op   string
	X, Y Expr
}

// Subscript is Value[Index].
type Subscript struct{ Value, Index Expr }

// Keyword is one keyword argument; Name "" stands for **value.
type Keyword struct {
	Name  string
	Value Expr
}

// Call is Func(Args..., Keywords...). Starred marks positional arguments
// written *x.
type Call struct {
	Func     Expr
	Args     []Expr
	Starred  []bool
	Keywords []Keyword
}

func (*Name) exprNode()      {}
func (*Attribute) exprNode() {}
func (*Const) exprNode()     {}
func (*ListExpr) exprNode()  {}
func (*TupleExpr) exprNode() {}
func (*SetExpr) exprNode()   {}
func (*DictExpr) exprNode()  {}
func (*UnaryOp) exprNode()   {}
func (*BinOp) exprNode()     {}
func (*Subscript) exprNode() {}
func (*Call) exprNode()      {}

// ParseExpr parses one Python expression (an expression list becomes a
// tuple), as eval() or ast.parse(mode="eval") would. file names the source
// in error messages ("<string>" for eval, "<unknown>" for ast.parse).
// Constructs outside the supported subset (lambda, comprehensions,
// comparisons, f-strings, bytes, complex numbers) are syntax errors here.
func ParseExpr(src, file string) (Expr, error) {
	return parseExpr(src, file, nil)
}

// parseExpr is ParseExpr with the nodes in ar when it is not nil.
func parseExpr(src, file string, ar *astArena) (Expr, error) {
	lx := lexers.Get().(*lexer)
	toks, serr := lexWith(lx, src, false)
	defer releaseLexer(lx)
	if serr != nil {
		serr.File = file
		return nil, serr
	}
	p := &parser{toks: toks, file: file, ar: ar}
	if ar != nil {
		p.argStack, p.starStack, p.kwStack = ar.argStack[:0], ar.starStack[:0], ar.kwStack[:0]
		defer func() { ar.argStack, ar.starStack, ar.kwStack = p.argStack[:0], p.starStack[:0], p.kwStack[:0] }()
	}
	e, err := p.exprList()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errAt(p.peek())
	}
	return e, nil
}

type parser struct {
	toks  []token
	i     int
	file  string
	depth int
	// ar, when set, holds the nodes (see astArena).
	ar *astArena
	// Stacks of the arguments of the calls being parsed.
	argStack  []Expr
	starStack []bool
	kwStack   []Keyword
}

// maxParseDepth bounds the recursion of the parser (long chains of unary
// operators); CPython's compiler stops such input with a RecursionError.
const maxParseDepth = 1000

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tokOp && t.text == s
}

func (p *parser) accept(s string) bool {
	if p.isOp(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) syntax(line int, format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), File: p.file, Line: line}
}

// errAt is the error for an unexpected token: CPython suggests a missing
// comma when two expressions touch.
func (p *parser) errAt(t token) error {
	if t.kind == tokNewline && p.i+1 < len(p.toks) {
		return p.syntax(p.toks[p.i+1].line, "invalid syntax")
	}
	if t.kind == tokEOF {
		return p.syntax(t.line, "invalid syntax")
	}
	if p.i > 0 {
		prev := p.toks[p.i-1]
		if startsExpr(t) && endsExpr(prev) {
			return p.syntax(t.line, "invalid syntax. Perhaps you forgot a comma?")
		}
	}
	return p.syntax(t.line, "invalid syntax")
}

func startsExpr(t token) bool {
	switch t.kind {
	case tokName, tokNumber, tokString:
		return true
	case tokOp:
		return t.text == "(" || t.text == "[" || t.text == "{"
	}
	return false
}

func endsExpr(t token) bool {
	switch t.kind {
	case tokName, tokNumber, tokString:
		return true
	case tokOp:
		return t.text == ")" || t.text == "]" || t.text == "}"
	}
	return false
}

func (p *parser) exprList() (Expr, error) {
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []Expr{first}
	for p.accept(",") {
		if t := p.peek(); t.kind == tokEOF || t.kind == tokOp && (t.text == ")" || t.text == "]" || t.text == "}") {
			break
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		elts = append(elts, e)
	}
	return &TupleExpr{Elts: elts}, nil
}

// unsupportedWord reports whether the parser refuses the name w: the
// keywords of the expressions it does not support.
func unsupportedWord(w string) bool {
	switch w {
	case "lambda", "if", "for", "and", "or", "in", "is", "yield", "await":
		return true
	}
	return false
}

func (p *parser) expr() (Expr, error) {
	e, err := p.arith()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tokOp && strings.Contains("==!=<=>=<>", t.text) && t.text != "=" || t.kind == tokName && unsupportedWord(t.text) {
		return nil, p.syntax(t.line, "unsupported expression: %s", t.text)
	}
	return e, nil
}

func (p *parser) arith() (Expr, error) {
	x, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.advance().text
		y, err := p.term()
		if err != nil {
			return nil, err
		}
		x = &BinOp{Op: op, X: x, Y: y}
	}
	return x, nil
}

func (p *parser) term() (Expr, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%") {
		op := p.advance().text
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		x = &BinOp{Op: op, X: x, Y: y}
	}
	return x, nil
}

func (p *parser) unary() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, py.Errorf("RecursionError", "maximum recursion depth exceeded during compilation")
	}
	if p.isOp("-") || p.isOp("+") || p.isOp("~") {
		op := p.advance().text
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &UnaryOp{Op: op, X: x}, nil
	}
	if t := p.peek(); t.kind == tokName && t.text == "not" {
		p.advance()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &UnaryOp{Op: "not", X: x}, nil
	}
	return p.power()
}

func (p *parser) power() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.accept("**") {
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &BinOp{Op: "**", X: x, Y: y}, nil
	}
	return x, nil
}

func (p *parser) primary() (Expr, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.accept("."):
			t := p.advance()
			if t.kind != tokName {
				return nil, p.errAt(t)
			}
			x = p.newAttribute(x, t.text)
		case p.accept("("):
			c, err := p.callArgs(x)
			if err != nil {
				return nil, err
			}
			x = c
		case p.accept("["):
			idx, err := p.exprList()
			if err != nil {
				return nil, err
			}
			if !p.accept("]") {
				return nil, p.errAt(p.peek())
			}
			x = &Subscript{Value: x, Index: idx}
		default:
			return x, nil
		}
	}
}

func (p *parser) callArgs(fn Expr) (Expr, error) {
	// The arguments go on the parser's stacks (a nested call pushes and
	// pops its own above them) and are copied out at the end.
	argBase, kwBase := len(p.argStack), len(p.kwStack)
	defer func() {
		p.argStack, p.starStack, p.kwStack = p.argStack[:argBase], p.starStack[:argBase], p.kwStack[:kwBase]
	}()
	lastKwIsUnpack := func() bool {
		return len(p.kwStack) > kwBase && p.kwStack[len(p.kwStack)-1].Name == ""
	}
	for !p.accept(")") {
		t := p.peek()
		switch {
		case p.accept("**"):
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.kwStack = append(p.kwStack, Keyword{Value: v})
		case p.accept("*"):
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if lastKwIsUnpack() {
				return nil, p.syntax(t.line, "iterable argument unpacking follows keyword argument unpacking")
			}
			p.argStack, p.starStack = append(p.argStack, v), append(p.starStack, true)
		case t.kind == tokName && p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == "=":
			p.i += 2
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.kwStack = append(p.kwStack, Keyword{Name: t.text, Value: v})
		default:
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if len(p.kwStack) > kwBase {
				if lastKwIsUnpack() {
					return nil, p.syntax(t.line, "positional argument follows keyword argument unpacking")
				}
				return nil, p.syntax(t.line, "positional argument follows keyword argument")
			}
			p.argStack, p.starStack = append(p.argStack, v), append(p.starStack, false)
		}
		if p.accept(")") {
			break
		}
		if !p.accept(",") {
			return nil, p.errAt(p.peek())
		}
	}
	return p.newCall(fn, p.argStack[argBase:], p.starStack[argBase:], p.kwStack[kwBase:]), nil
}

// newCall makes a Call node with copies of the argument lists, in the
// parser's arena when it has one.
func (p *parser) newCall(fn Expr, args []Expr, starred []bool, kws []Keyword) *Call {
	if p.ar == nil {
		return &Call{Func: fn, Args: copyOrNil(args), Starred: copyOrNil(starred), Keywords: copyOrNil(kws)}
	}
	c := p.ar.calls.new()
	c.Func, c.Args, c.Starred, c.Keywords = fn, p.ar.exprs.slice(args), p.ar.starred.slice(starred), p.ar.keywords.slice(kws)
	return c
}

// copyOrNil is a copy of items, nil when there are none.
func copyOrNil[T any](items []T) []T {
	if len(items) == 0 {
		return nil
	}
	return append([]T(nil), items...)
}

func (p *parser) atom() (Expr, error) {
	t := p.advance()
	switch t.kind {
	case tokNumber:
		return p.newConst(Const{Value: t.val}), nil
	case tokString:
		if p.peek().kind != tokString {
			return p.newConst(Const{Value: t.val}), nil
		}
		s := string(t.val.(py.Str))
		for p.peek().kind == tokString { // implicit concatenation
			s += string(p.advance().val.(py.Str))
		}
		return p.newConst(Const{Value: py.Str(s)}), nil
	case tokName:
		switch t.text {
		case "True":
			return p.newConst(Const{Value: py.Bool(true)}), nil
		case "False":
			return p.newConst(Const{Value: py.Bool(false)}), nil
		case "None":
			return p.newConst(Const{Value: py.None}), nil
		}
		if unsupportedWord(t.text) || t.text == "not" {
			return nil, p.syntax(t.line, "invalid syntax")
		}
		return p.newName(t.text), nil
	case tokOp:
		switch t.text {
		case "...":
			return &Const{Value: py.Ellipsis}, nil
		case "(":
			if p.accept(")") {
				return &TupleExpr{}, nil
			}
			e, err := p.exprList()
			if err != nil {
				return nil, err
			}
			if !p.accept(")") {
				return nil, p.errAt(p.peek())
			}
			return e, nil
		case "[":
			elts, err := p.items("]")
			if err != nil {
				return nil, err
			}
			return &ListExpr{Elts: elts}, nil
		case "{":
			return p.dictOrSet()
		}
	}
	p.i--
	if t.kind == tokEOF {
		return nil, p.syntax(t.line, "invalid syntax")
	}
	p.i++
	return nil, p.syntax(t.line, "invalid syntax")
}

func (p *parser) items(end string) ([]Expr, error) {
	elts := []Expr{}
	for !p.accept(end) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		elts = append(elts, e)
		if p.accept(end) {
			break
		}
		if !p.accept(",") {
			return nil, p.errAt(p.peek())
		}
	}
	return elts, nil
}

func (p *parser) dictOrSet() (Expr, error) {
	if p.accept("}") {
		return &DictExpr{}, nil
	}
	d := &DictExpr{}
	var set []Expr
	for first := true; ; first = false {
		if p.accept("**") {
			if set != nil {
				return nil, p.syntax(p.peek().line, "invalid syntax")
			}
			v, err := p.arith()
			if err != nil {
				return nil, err
			}
			d.Keys, d.Values = append(d.Keys, nil), append(d.Values, v)
		} else {
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.accept(":") {
				if set != nil {
					return nil, p.syntax(p.peek().line, "invalid syntax")
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				d.Keys, d.Values = append(d.Keys, k), append(d.Values, v)
			} else {
				if !first && set == nil {
					return nil, p.errAt(p.peek())
				}
				set = append(set, k)
			}
		}
		if p.accept("}") {
			break
		}
		if !p.accept(",") {
			return nil, p.errAt(p.peek())
		}
		if p.accept("}") {
			break
		}
	}
	if set != nil {
		return &SetExpr{Elts: set}, nil
	}
	return d, nil
}
