package bfcl

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Unparse renders an expression the way ast.unparse does (CPython 3.11):
// operators spaced, parentheses only where precedence needs them, literals
// as their repr (an infinite float as 1e309).
func Unparse(x Expr) string {
	var b strings.Builder
	unparse(&b, x, precTest)
	return b.String()
}

// Operator precedences, in the order of CPython's unparser (_Precedence).
const (
	precNamed = iota
	precTuple
	precYield
	precTest
	precOr
	precAnd
	precNot
	precCmp
	precBor // also "expr"
	precBxor
	precBand
	precShift
	precArith
	precTerm
	precFactor
	precPower
	precAwait
	precAtom
)

func binPrec(op string) int {
	switch op {
	case "|":
		return precBor
	case "^":
		return precBxor
	case "&":
		return precBand
	case "<<", ">>":
		return precShift
	case "+", "-":
		return precArith
	case "**":
		return precPower
	}
	return precTerm
}

// parens writes "(" now and returns a function writing ")" when the
// context's precedence is above the node's.
func parens(b *strings.Builder, ctx, node int) func() {
	if ctx > node {
		b.WriteString("(")
		return func() { b.WriteString(")") }
	}
	return func() {}
}

func unparse(b *strings.Builder, x Expr, prec int) {
	switch n := x.(type) {
	case *Name:
		b.WriteString(n.ID)
	case *Const:
		unparseConst(b, n)
	case *JoinedStr:
		b.WriteString(n.Src)
	case *Attribute:
		unparse(b, n.Value, precAtom)
		if c, ok := n.Value.(*Const); ok && (py.IsInt(c.Value) || isBool(c.Value)) {
			b.WriteString(" ") // "1 .real": "1." would start a float
		}
		b.WriteString(".")
		b.WriteString(n.Attr)
	case *Call:
		unparseCall(b, n)
	case *ListExpr:
		b.WriteString("[")
		unparseItems(b, n.Elts)
		b.WriteString("]")
	case *TupleExpr:
		if prec > precTuple || len(n.Elts) == 0 {
			b.WriteString("(")
			defer b.WriteString(")")
		}
		unparseItemsView(b, n.Elts)
	case *SetExpr:
		if len(n.Elts) == 0 {
			b.WriteString("{*()}")
			return
		}
		b.WriteString("{")
		unparseItems(b, n.Elts)
		b.WriteString("}")
	case *DictExpr:
		unparseDict(b, n)
	case *UnaryOp:
		unparseUnary(b, n, prec)
	case *BinOp:
		p := binPrec(n.Op)
		defer parens(b, prec, p)()
		left, right := p, p+1
		if n.Op == "**" {
			left, right = p+1, p
		}
		unparse(b, n.X, left)
		b.WriteString(" " + n.Op + " ")
		unparse(b, n.Y, right)
	case *Subscript:
		unparse(b, n.Value, precAtom)
		b.WriteString("[")
		if t, ok := n.Index.(*TupleExpr); ok && len(t.Elts) > 0 {
			unparseItemsView(b, t.Elts)
		} else {
			unparse(b, n.Index, precTest)
		}
		b.WriteString("]")
	default:
		unparseFull(b, x, prec)
	}
}

func isBool(v py.Value) bool {
	_, ok := v.(py.Bool)
	return ok
}

func unparseConst(b *strings.Builder, n *Const) {
	switch v := n.Value.(type) {
	case py.EllipsisType:
		b.WriteString("...")
	case py.Float, py.Complex:
		// Infinities as an overflowing literal, NaN as inf - inf.
		s := strings.ReplaceAll(py.Repr(v), "inf", "1e309")
		b.WriteString(strings.ReplaceAll(s, "nan", "(1e309-1e309)"))
	default:
		if n.U {
			b.WriteString("u")
		}
		b.WriteString(py.Repr(v))
	}
}

func unparseCall(b *strings.Builder, n *Call) {
	unparse(b, n.Func, precAtom)
	b.WriteString("(")
	first := true
	sep := func() {
		if !first {
			b.WriteString(", ")
		}
		first = false
	}
	for i, a := range n.Args {
		sep()
		if n.Starred[i] {
			b.WriteString("*")
			unparse(b, a, precBor)
			continue
		}
		unparse(b, a, precTest)
	}
	for _, k := range n.Keywords {
		sep()
		if k.Name == "" {
			b.WriteString("**")
		} else {
			b.WriteString(k.Name + "=")
		}
		unparse(b, k.Value, precTest)
	}
	b.WriteString(")")
}

func unparseDict(b *strings.Builder, n *DictExpr) {
	b.WriteString("{")
	for i, k := range n.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		if k == nil {
			b.WriteString("**")
			unparse(b, n.Values[i], precBor)
			continue
		}
		unparse(b, k, precTest)
		b.WriteString(": ")
		unparse(b, n.Values[i], precTest)
	}
	b.WriteString("}")
}

func unparseUnary(b *strings.Builder, n *UnaryOp, prec int) {
	p := precFactor
	if n.Op == "not" {
		p = precNot
	}
	defer parens(b, prec, p)()
	b.WriteString(n.Op)
	if n.Op == "not" {
		b.WriteString(" ")
	}
	unparse(b, n.X, p)
}

// unparseItems writes comma-separated items.
func unparseItems(b *strings.Builder, xs []Expr) {
	for i, e := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		unparse(b, e, precTest)
	}
}

// unparseItemsView is unparseItems with a trailing comma for one item.
func unparseItemsView(b *strings.Builder, xs []Expr) {
	unparseItems(b, xs)
	if len(xs) == 1 {
		b.WriteString(",")
	}
}

// unparseFull renders the nodes only ParseFull makes.
func unparseFull(b *strings.Builder, x Expr, prec int) {
	switch n := x.(type) {
	case *Compare:
		defer parens(b, prec, precCmp)()
		unparse(b, n.Left, precCmp+1)
		for i, op := range n.Ops {
			b.WriteString(" " + op + " ")
			unparse(b, n.Comparators[i], precCmp+1)
		}
	case *BoolOp:
		p := precOr
		if n.Op == "and" {
			p = precAnd
		}
		defer parens(b, prec, p)()
		for i, v := range n.Values {
			if i > 0 {
				b.WriteString(" " + n.Op + " ")
			}
			p++ // each operand one level tighter than the last, as CPython writes it
			unparse(b, v, p)
		}
	case *IfExp:
		defer parens(b, prec, precTest)()
		unparse(b, n.Body, precTest+1)
		b.WriteString(" if ")
		unparse(b, n.Test, precTest+1)
		b.WriteString(" else ")
		unparse(b, n.Else, precTest)
	case *Lambda:
		defer parens(b, prec, precTest)()
		b.WriteString("lambda")
		for i, prm := range n.Params {
			if i == 0 {
				b.WriteString(" ")
			} else {
				b.WriteString(", ")
			}
			b.WriteString(prm.Name)
			if prm.Default != nil {
				b.WriteString("=")
				unparse(b, prm.Default, precTest)
			}
		}
		b.WriteString(": ")
		unparse(b, n.Body, precTest)
	case *NamedExpr:
		defer parens(b, prec, precNamed)()
		unparse(b, n.Target, precAtom)
		b.WriteString(" := ")
		unparse(b, n.Value, precAtom)
	case *Starred:
		b.WriteString("*")
		unparse(b, n.Value, precBor)
	case *Slice:
		if n.Lower != nil {
			unparse(b, n.Lower, precTest)
		}
		b.WriteString(":")
		if n.Upper != nil {
			unparse(b, n.Upper, precTest)
		}
		if n.Step != nil {
			b.WriteString(":")
			unparse(b, n.Step, precTest)
		}
	case *Yield:
		defer parens(b, prec, precYield)()
		b.WriteString("yield")
		if n.From {
			b.WriteString(" from")
		}
		if n.Value != nil {
			b.WriteString(" ")
			unparse(b, n.Value, precAtom)
		}
	case *Await:
		defer parens(b, prec, precAwait)()
		b.WriteString("await")
		if n.Value != nil {
			b.WriteString(" ")
			unparse(b, n.Value, precAtom)
		}
	case *Comprehension:
		unparseComprehension(b, n)
	}
}

func unparseComprehension(b *strings.Builder, n *Comprehension) {
	open, close := "[", "]"
	switch n.Kind {
	case "GeneratorExp":
		open, close = "(", ")"
	case "SetComp", "DictComp":
		open, close = "{", "}"
	}
	b.WriteString(open)
	unparse(b, n.Elt, precTest)
	if n.Kind == "DictComp" {
		b.WriteString(": ")
		unparse(b, n.Value, precTest)
	}
	for _, g := range n.Generators {
		if g.Async {
			b.WriteString(" async for ")
		} else {
			b.WriteString(" for ")
		}
		unparse(b, g.Target, precTuple)
		b.WriteString(" in ")
		unparse(b, g.Iter, precTest+1)
		for _, cond := range g.Ifs {
			b.WriteString(" if ")
			unparse(b, cond, precTest+1)
		}
	}
	b.WriteString(close)
}
