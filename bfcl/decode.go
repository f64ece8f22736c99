package bfcl

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// DecodeExecute turns a model's reply into call strings the way upstream's
// default_decode_execute_prompting does: strip "`", newlines and spaces,
// wrap in [ ], strip whitespace and single quotes, parse as a Python
// expression, keep each call's keyword arguments (positional arguments are
// dropped, as upstream does) and re-render them as name(k=repr(v), ...).
// An error means upstream would fail to decode the reply (the turn ends).
func DecodeExecute(reply string) ([]string, error) {
	s := strings.Trim(reply, "`\n ")
	if !strings.HasPrefix(s, "[") {
		s = "[" + s
	}
	if !strings.HasSuffix(s, "]") {
		s += "]"
	}
	s = strings.Trim(strings.TrimFunc(s, py.IsSpace), "'")
	body, err := ParseExpr(s, "<unknown>")
	if err != nil {
		return nil, err
	}
	elts, err := replyElements(body)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(elts))
	for _, el := range elts {
		c, ok := el.(*Call)
		if !ok {
			return nil, &py.Exception{Kind: "AssertionError"}
		}
		name, args, err := resolver{budget: py.NewBudget(MaxCallValueSize)}.call(c)
		if err != nil {
			return nil, err
		}
		parts := make([]string, 0, args.Len())
		for i := 0; i < args.Len(); i++ {
			v, err := nestedValue(args.ValueAt(i))
			if err != nil {
				return nil, err
			}
			parts = append(parts, py.StrOf(args.KeyAt(i))+"="+v)
		}
		out = append(out, name+"("+strings.Join(parts, ", ")+")")
	}
	return out, nil
}

// astNode stands for an AST node in error messages ("'Name' object has no
// attribute 'elts'").
type astNode string

func (a astNode) TypeName() string { return string(a) }

func astType(x Expr) astNode {
	switch n := x.(type) {
	case *Name:
		return "Name"
	case *Attribute:
		return "Attribute"
	case *Const:
		return "Constant"
	case *ListExpr:
		return "List"
	case *TupleExpr:
		return "Tuple"
	case *SetExpr:
		return "Set"
	case *DictExpr:
		return "Dict"
	case *UnaryOp:
		return "UnaryOp"
	case *BinOp:
		return "BinOp"
	case *Subscript:
		return "Subscript"
	case *Call:
		return "Call"
	case *Compare:
		return "Compare"
	case *BoolOp:
		return "BoolOp"
	case *IfExp:
		return "IfExp"
	case *Lambda:
		return "Lambda"
	case *Starred:
		return "Starred"
	case *Slice:
		return "Slice"
	case *NamedExpr:
		return "NamedExpr"
	case *Yield:
		if n.From {
			return "YieldFrom"
		}
		return "Yield"
	case *Await:
		return "Await"
	case *Comprehension:
		return astNode(n.Kind)
	case *JoinedStr:
		return "JoinedStr"
	}
	return "expr"
}

// resolver turns call expressions into values as upstream's
// resolve_ast_call and resolve_ast_by_type do. With full (trees of
// ParseFull) a binary operation is evaluated as Python's eval would;
// otherwise by the executor's evaluator, which knows literals only.
type resolver struct {
	budget *py.Budget
	full   bool
}

// call is upstream's resolve_ast_call: the dotted function name and
// the keyword arguments (a "**x" argument is keyed None).
func (r resolver) call(c *Call) (string, *py.Dict, error) {
	var parts []string
	f := c.Func
	for {
		a, ok := f.(*Attribute)
		if !ok {
			break
		}
		parts = append(parts, a.Attr)
		f = a.Value
	}
	if n, ok := f.(*Name); ok {
		parts = append(parts, n.ID)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	args := py.NewDict()
	for _, k := range c.Keywords {
		v, err := r.value(k.Value)
		if err != nil {
			return "", nil, err
		}
		var key py.Value = py.None
		if k.Name != "" {
			key = py.Str(k.Name)
		}
		if err := args.Set(key, v); err != nil {
			return "", nil, err
		}
	}
	return strings.Join(parts, "."), args, nil
}

// value is upstream's resolve_ast_by_type.
func (r resolver) value(x Expr) (py.Value, error) {
	switch n := x.(type) {
	case *Const:
		if n.Value == py.Ellipsis {
			return py.Str("..."), nil
		}
		return n.Value, nil
	case *UnaryOp:
		// Upstream negates operand.value whatever the operator is.
		c, ok := n.X.(*Const)
		if !ok {
			return nil, py.AttributeError(astType(n.X), "value")
		}
		return py.Neg(c.Value)
	case *ListExpr:
		items := make([]py.Value, len(n.Elts))
		for i, e := range n.Elts {
			v, err := r.value(e)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return &py.List{Items: items}, nil
	case *TupleExpr:
		items := make(py.Tuple, len(n.Elts))
		for i, e := range n.Elts {
			v, err := r.value(e)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return items, nil
	case *DictExpr:
		d := py.NewDict()
		for i, k := range n.Keys {
			if k == nil {
				return nil, fmt.Errorf("Unsupported AST type: <class 'NoneType'>")
			}
			kv, err := r.value(k)
			if err != nil {
				return nil, err
			}
			vv, err := r.value(n.Values[i])
			if err != nil {
				return nil, err
			}
			if err := d.Set(kv, vv); err != nil {
				return nil, err
			}
		}
		return d, nil
	case *BinOp:
		// Upstream evaluates ast.unparse(value).
		if r.full {
			return literalEvaluator{budget: r.budget}.eval(n, 0)
		}
		ev := evaluator{Executor: &Executor{}, budget: r.budget}
		v, err := ev.evalExpr(n, 0)
		if py.IsMemoryError(err) {
			// Too large to render: keep the expression, so that executing
			// the call reports the error for this call alone.
			return unevaluated(Unparse(n)), nil
		}
		return v, err
	case *Name:
		return py.Str(n.ID), nil
	case *Call:
		if len(n.Keywords) == 0 {
			return py.Str(Unparse(n)), nil
		}
		name, args, err := r.call(n)
		if err != nil {
			return nil, err
		}
		return py.NewDict().With(name, args), nil
	case *Subscript:
		return py.Str(Unparse(n.Value) + "[" + Unparse(n.Index) + "]"), nil
	case *Lambda:
		// Upstream evaluates value.body[0]: the body is not a list.
		return nil, py.TypeErrorf("'%s' object is not subscriptable", astType(n.Body))
	}
	return nil, fmt.Errorf("Unsupported AST type: <class 'ast.%s'>", astType(x))
}

// unevaluated is an argument expression whose value would be too large
// to render; its repr is the expression itself.
type unevaluated string

func (unevaluated) TypeName() string { return "expression" }

func (u unevaluated) Repr() string { return string(u) }

// nestedValue is upstream's parse_nested_value: a dict whose values are
// all dicts is rendered as a call of its first key, another dict as
// {'k': v, ...}, anything else as repr.
func nestedValue(v py.Value) (string, error) {
	d, ok := v.(*py.Dict)
	if !ok {
		return py.Repr(v), nil
	}
	allDicts := true
	for _, x := range d.Values() {
		if _, isDict := x.(*py.Dict); !isDict {
			allDicts = false
			break
		}
	}
	var parts []string
	if allDicts {
		if d.Len() == 0 {
			return "", py.Errorf("IndexError", "list index out of range")
		}
		args := d.ValueAt(0).(*py.Dict)
		for i := 0; i < args.Len(); i++ {
			s, err := nestedValue(args.ValueAt(i))
			if err != nil {
				return "", err
			}
			parts = append(parts, py.StrOf(args.KeyAt(i))+"="+s)
		}
		return py.StrOf(d.KeyAt(0)) + "(" + strings.Join(parts, ", ") + ")", nil
	}
	for i := 0; i < d.Len(); i++ {
		s, err := nestedValue(d.ValueAt(i))
		if err != nil {
			return "", err
		}
		parts = append(parts, "'"+py.StrOf(d.KeyAt(i))+"': "+s)
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

// replyElements are the calls a decoded reply lists, as upstream reads
// them: a lone call is one element, a list, tuple or set its elements;
// anything else has no `elts`, an AttributeError as in CPython.
func replyElements(body Expr) ([]Expr, error) {
	switch b := body.(type) {
	case *Call:
		return []Expr{b}, nil
	case *ListExpr:
		return b.Elts, nil
	case *TupleExpr:
		return b.Elts, nil
	case *SetExpr:
		return b.Elts, nil
	}
	return nil, py.AttributeError(astType(body), "elts")
}
