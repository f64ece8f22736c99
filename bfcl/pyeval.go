package bfcl

import (
	"github.com/seeupo/seeupo/bfcl/py"
)

// literalEvaluator evaluates an expression of ParseFull's grammar as
// Python's eval() would in a namespace without variables: literals,
// displays, arithmetic and bit operators, comparisons, boolean operators,
// conditional expressions and subscripts. Names are NameErrors; calls,
// attributes, lambdas and comprehensions are not evaluated (an error).
type literalEvaluator struct {
	budget *py.Budget
}

func (e literalEvaluator) eval(x Expr, depth int) (py.Value, error) {
	if depth > maxEvalDepth {
		return nil, py.Errorf("RecursionError", "maximum recursion depth exceeded")
	}
	depth++
	switch n := x.(type) {
	case *Const:
		return n.Value, nil
	case *Name:
		return nil, py.Errorf("NameError", "name '%s' is not defined", n.ID)
	case *ListExpr:
		items, err := e.items(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		return e.built(&py.List{Items: items})
	case *TupleExpr:
		items, err := e.items(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		return e.built(py.Tuple(items))
	case *SetExpr:
		items, err := e.items(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		s, err := py.NewSet(items...)
		if err != nil {
			return nil, err
		}
		return e.built(s)
	case *DictExpr:
		return e.dict(n, depth)
	case *UnaryOp:
		v, err := e.eval(n.X, depth)
		if err != nil {
			return nil, err
		}
		return unaryFull(n.Op, v)
	case *BinOp:
		a, err := e.eval(n.X, depth)
		if err != nil {
			return nil, err
		}
		b, err := e.eval(n.Y, depth)
		if err != nil {
			return nil, err
		}
		v, err := py.BinaryOp(n.Op, a, b)
		if err != nil {
			return nil, err
		}
		return e.built(v)
	}
	return e.evalMore(x, depth)
}

// evalMore evaluates comparisons, boolean operators, conditional
// expressions and subscripts.
func (e literalEvaluator) evalMore(x Expr, depth int) (py.Value, error) {
	switch n := x.(type) {
	case *Compare:
		return e.compare(n, depth)
	case *BoolOp:
		var v py.Value
		for _, operand := range n.Values {
			var err error
			if v, err = e.eval(operand, depth); err != nil {
				return nil, err
			}
			if py.Truthy(v) == (n.Op == "or") {
				return v, nil
			}
		}
		return v, nil
	case *IfExp:
		test, err := e.eval(n.Test, depth)
		if err != nil {
			return nil, err
		}
		if py.Truthy(test) {
			return e.eval(n.Body, depth)
		}
		return e.eval(n.Else, depth)
	case *Subscript:
		if _, isSlice := n.Index.(*Slice); isSlice {
			break
		}
		v, err := e.eval(n.Value, depth)
		if err != nil {
			return nil, err
		}
		k, err := e.eval(n.Index, depth)
		if err != nil {
			return nil, err
		}
		return py.Index(v, k)
	}
	return nil, py.Errorf("NotImplementedError", "cannot evaluate %s here", astType(x))
}

func (e literalEvaluator) built(v py.Value) (py.Value, error) {
	if err := e.budget.Charge(v); err != nil {
		return nil, err
	}
	return v, nil
}

// items evaluates display items, unpacking starred ones.
func (e literalEvaluator) items(xs []Expr, depth int) ([]py.Value, error) {
	out := make([]py.Value, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(*Starred); ok {
			v, err := e.eval(s.Value, depth)
			if err != nil {
				return nil, err
			}
			items, err := iterate(v, "'%s' object is not iterable")
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
			continue
		}
		v, err := e.eval(x, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (e literalEvaluator) dict(n *DictExpr, depth int) (py.Value, error) {
	d := py.NewDict()
	for i, kx := range n.Keys {
		v, err := e.eval(n.Values[i], depth)
		if err != nil {
			return nil, err
		}
		if kx == nil {
			src, ok := v.(*py.Dict)
			if !ok {
				return nil, py.TypeErrorf("'%s' object is not a mapping", v.TypeName())
			}
			for j := 0; j < src.Len(); j++ {
				if err := d.Set(src.KeyAt(j), src.ValueAt(j)); err != nil {
					return nil, err
				}
			}
			continue
		}
		k, err := e.eval(kx, depth)
		if err != nil {
			return nil, err
		}
		if err := d.Set(k, v); err != nil {
			return nil, err
		}
	}
	return e.built(d)
}

func (e literalEvaluator) compare(n *Compare, depth int) (py.Value, error) {
	left, err := e.eval(n.Left, depth)
	if err != nil {
		return nil, err
	}
	for i, op := range n.Ops {
		right, err := e.eval(n.Comparators[i], depth)
		if err != nil {
			return nil, err
		}
		ok, err := compareOp(op, left, right)
		if err != nil || !ok {
			return py.Bool(false), err
		}
		left = right
	}
	return py.Bool(true), nil
}

func compareOp(op string, a, b py.Value) (bool, error) {
	switch op {
	case "==":
		return py.Eq(a, b), nil
	case "!=":
		return !py.Eq(a, b), nil
	case "in", "not in":
		in, err := py.Contains(b, a)
		return in == (op == "in"), err
	case "is", "is not":
		return py.Is(a, b) == (op == "is"), nil
	}
	return py.Compare(op, a, b)
}

// unaryFull is Python's unary operators on a value.
func unaryFull(op string, v py.Value) (py.Value, error) {
	switch op {
	case "not":
		return py.Bool(!py.Truthy(v)), nil
	case "~":
		switch v.(type) {
		case py.Int, py.BigInt, py.Bool:
			one, _ := py.Add(v, py.Int(1))
			return py.Neg(one)
		}
		return nil, py.TypeErrorf("bad operand type for unary ~: '%s'", v.TypeName())
	case "+":
		if c, ok := v.(py.Complex); ok {
			return c, nil
		}
	}
	return unaryOp(op, v)
}
