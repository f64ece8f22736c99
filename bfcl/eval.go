package bfcl

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// instanceValue is an involved instance as a Python value (what an
// instance variable name evaluates to).
type instanceValue struct {
	class *backend.Class
	inst  backend.Instance
}

func (v instanceValue) TypeName() string { return v.class.Name }

func (v instanceValue) Repr() string { return "<" + v.class.Name + " object>" }

// boundMethod is instance.method before the call.
type boundMethod struct {
	class  *backend.Class
	inst   backend.Instance
	method *backend.Method
}

func (boundMethod) TypeName() string { return "method" }

func (m boundMethod) Repr() string {
	return "<bound method " + m.class.Name + "." + m.method.Name + ">"
}

// maxEvalDepth bounds the nesting the evaluator follows (CPython's parser
// has a similar limit).
const maxEvalDepth = 200

// MaxCallValueSize bounds the values one call's evaluation builds, in
// characters and items counted as they would be written out (see
// py.Budget). The longest call of the BFCL data is under 2,000
// characters; a call that builds more gets a MemoryError observation
// instead of taking the process's memory.
const MaxCallValueSize = 1 << 22

// eval parses and evaluates one rewritten call string as Python's eval,
// with a fresh budget for the values it builds.
func (e *Executor) eval(src string) (py.Value, error) {
	ar := astArenas.Get().(*astArena)
	defer ar.release()
	expr, ok := parseSimpleCall(src, ar)
	if !ok {
		var err error
		if expr, err = parseExpr(src, "<string>", ar); err != nil {
			return nil, err
		}
	}
	return e.evalParsed(expr)
}

// evalParsed evaluates a parsed call string, with a fresh budget for the
// values it builds.
func (e *Executor) evalParsed(expr Expr) (py.Value, error) {
	if err := checkCompile(expr, 0); err != nil {
		return nil, err
	}
	ev := evaluator{Executor: e, budget: py.NewBudget(MaxCallValueSize)}
	if c, ok := expr.(*Call); ok && !e.general {
		if m, ok := ev.directMethod(c.Func); ok && plainArgs(c) {
			// The buffer is passed apart from ev: deriving it from ev
			// would make the budget escape with it.
			return ev.callDirect(m, c, 0, e.argBuf[:0])
		}
	}
	return ev.evalExpr(expr, 0)
}

// evaluator evaluates the expressions of one call on an executor's
// instances, charging what it builds to the call's budget.
type evaluator struct {
	*Executor
	budget *py.Budget
}

// built charges a value just built to the budget.
func (e evaluator) built(v py.Value, err error) (py.Value, error) {
	if err != nil {
		return nil, err
	}
	if err := e.budget.Charge(v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkCompile finds what CPython's compiler rejects after parsing:
// repeated keyword arguments and too deep nesting.
func checkCompile(x Expr, depth int) error {
	if depth > maxEvalDepth {
		return py.Errorf("RecursionError", "maximum recursion depth exceeded during compilation")
	}
	depth++
	switch n := x.(type) {
	case *Call:
		for i, k := range n.Keywords {
			if k.Name != "" && repeatedKeyword(n.Keywords[:i], k.Name) {
				return keywordRepeated(k.Name)
			}
		}
		for _, k := range n.Keywords {
			if err := checkCompile(k.Value, depth); err != nil {
				return err
			}
		}
		if err := checkCompile(n.Func, depth); err != nil {
			return err
		}
		return checkAll(n.Args, depth)
	case *Attribute:
		return checkCompile(n.Value, depth)
	case *ListExpr:
		return checkAll(n.Elts, depth)
	case *TupleExpr:
		return checkAll(n.Elts, depth)
	case *SetExpr:
		return checkAll(n.Elts, depth)
	case *DictExpr:
		if err := checkAll(n.Values, depth); err != nil {
			return err
		}
		for _, k := range n.Keys {
			if k != nil {
				if err := checkCompile(k, depth); err != nil {
					return err
				}
			}
		}
	case *UnaryOp:
		return checkCompile(n.X, depth)
	case *BinOp:
		if err := checkCompile(n.X, depth); err != nil {
			return err
		}
		return checkCompile(n.Y, depth)
	case *Subscript:
		if err := checkCompile(n.Value, depth); err != nil {
			return err
		}
		return checkCompile(n.Index, depth)
	}
	return nil
}

// keywordRepeated is CPython's compile error for a keyword argument
// given twice.
func keywordRepeated(name string) error {
	return &SyntaxError{Msg: "keyword argument repeated: " + name, File: "<string>", Line: 1}
}

// checkAll is checkCompile of each expression in order.
func checkAll(xs []Expr, depth int) error {
	for _, x := range xs {
		if err := checkCompile(x, depth); err != nil {
			return err
		}
	}
	return nil
}

// repeatedKeyword reports whether name is among the named keywords.
func repeatedKeyword(kws []Keyword, name string) bool {
	for _, k := range kws {
		if k.Name == name {
			return true
		}
	}
	return false
}

func (e evaluator) evalExpr(x Expr, depth int) (py.Value, error) {
	switch n := x.(type) {
	case *Const:
		return n.Value, nil
	case *Name:
		if i, ok := e.byVar(n.ID); ok {
			return instanceValue{e.classes[i], e.instances[i]}, nil
		}
		return nil, py.Errorf("NameError", "name '%s' is not defined", n.ID)
	case *Attribute:
		base, err := e.evalExpr(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if iv, ok := base.(instanceValue); ok {
			if m := iv.class.Method(n.Attr); m != nil {
				return boundMethod{iv.class, iv.inst, m}, nil
			}
			for _, a := range iv.inst.State() {
				if a.Name == n.Attr {
					return a.Value, nil
				}
			}
		}
		return nil, py.AttributeError(base, n.Attr)
	case *Call:
		return e.evalCall(n, depth)
	case *ListExpr:
		items, err := e.evalAll(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		return e.built(&py.List{Items: items}, nil)
	case *TupleExpr:
		items, err := e.evalAll(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		return e.built(py.Tuple(items), nil)
	case *SetExpr:
		items, err := e.evalAll(n.Elts, depth)
		if err != nil {
			return nil, err
		}
		return e.built(py.NewSet(items...))
	case *DictExpr:
		return e.built(e.evalDict(n, depth))
	case *UnaryOp:
		v, err := e.evalExpr(n.X, depth+1)
		if err != nil {
			return nil, err
		}
		return unaryOp(n.Op, v)
	case *BinOp:
		a, err := e.evalExpr(n.X, depth+1)
		if err != nil {
			return nil, err
		}
		b, err := e.evalExpr(n.Y, depth+1)
		if err != nil {
			return nil, err
		}
		return e.built(binOp(n.Op, a, b))
	case *Subscript:
		v, err := e.evalExpr(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		k, err := e.evalExpr(n.Index, depth+1)
		if err != nil {
			return nil, err
		}
		return py.Index(v, k)
	}
	return nil, py.Errorf("SyntaxError", "unsupported expression")
}

func (e evaluator) evalAll(xs []Expr, depth int) ([]py.Value, error) {
	out := make([]py.Value, 0, len(xs))
	for _, x := range xs {
		v, err := e.evalExpr(x, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (e evaluator) evalDict(n *DictExpr, depth int) (py.Value, error) {
	d := py.NewDict()
	for i, kx := range n.Keys {
		if kx == nil {
			v, err := e.evalExpr(n.Values[i], depth+1)
			if err != nil {
				return nil, err
			}
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
		k, err := e.evalExpr(kx, depth+1)
		if err != nil {
			return nil, err
		}
		v, err := e.evalExpr(n.Values[i], depth+1)
		if err != nil {
			return nil, err
		}
		if err := d.Set(k, v); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// upstreamModules are the Python modules of upstream's backend classes
// (CLASS_FILE_PATH_MAPPING), which CPython names in some call errors.
var upstreamModules = map[string]string{
	"GorillaFileSystem": "gorilla_file_system", "MathAPI": "math_api", "MessageAPI": "message_api",
	"TwitterAPI": "posting_api", "TicketAPI": "ticket_api", "TradingBot": "trading_bot",
	"TravelAPI": "travel_booking", "VehicleControlAPI": "vehicle_control",
}

// funcStr is CPython's _PyObject_FunctionStr of a bound method:
// "module.Class.method()".
func (m boundMethod) funcStr() string {
	return "bfcl_eval.eval_checker.multi_turn_eval.func_source_code." + upstreamModules[m.class.Name] +
		"." + m.class.Name + "." + m.method.Name + "()"
}

// callPrefix is what CPython puts before "argument after ..." errors.
func callPrefix(fn py.Value) string {
	if m, ok := fn.(boundMethod); ok {
		return m.funcStr() + " "
	}
	return ""
}

// evalCall evaluates a call in CPython's order: the function, the
// positional arguments (a *x among others is unpacked as it comes), the
// keyword arguments (**x merged as it comes), and last the check of a
// lone *x.
func (e evaluator) evalCall(n *Call, depth int) (py.Value, error) {
	if m, ok := e.directMethod(n.Func); ok && plainArgs(n) {
		return e.callDirect(m, n, depth, nil)
	}
	fn, err := e.evalExpr(n.Func, depth+1)
	if err != nil {
		return nil, err
	}
	lone := len(n.Args) == 1 && n.Starred[0]
	var pos []py.Value
	var loneArg py.Value
	for i, a := range n.Args {
		v, err := e.evalExpr(a, depth+1)
		if err != nil {
			return nil, err
		}
		switch {
		case lone:
			loneArg = v
		case n.Starred[i]:
			items, err := iterate(v, "Value after * must be an iterable, not %s")
			if err != nil {
				return nil, err
			}
			pos = append(pos, items...)
		default:
			pos = append(pos, v)
		}
	}
	kw, err := e.keywordArgs(fn, n, depth)
	if err != nil {
		return nil, err
	}
	if lone {
		items, err := iterate(loneArg, callPrefix(fn)+"argument after * must be an iterable, not %s")
		if err != nil {
			return nil, err
		}
		pos = items
	}
	m, ok := fn.(boundMethod)
	if !ok {
		return nil, py.TypeErrorf("'%s' object is not callable", fn.TypeName())
	}
	args, err := backend.Bind(m.class.Name, m.method, pos, kw)
	if err != nil {
		return nil, err
	}
	return m.method.Call(m.inst, args)
}

// directMethod resolves instance.method, the callee of almost every
// call, without making the intermediate values; ok is false for any
// other callee, which evalExpr then evaluates (with its errors).
func (e evaluator) directMethod(fn Expr) (boundMethod, bool) {
	a, ok := fn.(*Attribute)
	if !ok {
		return boundMethod{}, false
	}
	name, ok := a.Value.(*Name)
	if !ok {
		return boundMethod{}, false
	}
	i, ok := e.byVar(name.ID)
	if !ok {
		return boundMethod{}, false
	}
	m := e.classes[i].Method(a.Attr)
	if m == nil {
		return boundMethod{}, false
	}
	return boundMethod{e.classes[i], e.instances[i], m}, true
}

// plainArgs reports whether a call has neither *args nor **kwargs.
func plainArgs(n *Call) bool {
	for _, s := range n.Starred {
		if s {
			return false
		}
	}
	for _, k := range n.Keywords {
		if k.Name == "" {
			return false
		}
	}
	return true
}

// maxDirectArgs bounds the arguments callDirect gathers without
// allocating.
const maxDirectArgs = 8

// callDirect is evalCall for a resolved method and plain arguments:
// positional arguments, then keyword arguments, evaluated in order. The
// arguments are bound into buf when it is large enough (nil: a new
// slice); it is cleared when the method returns.
func (e evaluator) callDirect(m boundMethod, n *Call, depth int, buf []py.Value) (py.Value, error) {
	var posBuf [maxDirectArgs]py.Value
	var kwBuf [maxDirectArgs]backend.KwArg
	pos, kw := posBuf[:0], kwBuf[:0]
	for _, a := range n.Args {
		v, err := e.evalExpr(a, depth+1)
		if err != nil {
			return nil, err
		}
		pos = append(pos, v)
	}
	for _, k := range n.Keywords {
		v, err := e.evalExpr(k.Value, depth+1)
		if err != nil {
			return nil, err
		}
		kw = append(kw, backend.KwArg{Name: k.Name, Value: v})
	}
	args, err := backend.BindInto(buf, m.class.Name, m.method, pos, kw)
	if err != nil {
		return nil, err
	}
	v, err := m.method.Call(m.inst, args)
	if buf != nil {
		clear(args) // a backend that kept the slice sees the change
	}
	return v, err
}

func (e evaluator) keywordArgs(fn py.Value, n *Call, depth int) ([]backend.KwArg, error) {
	var kw []backend.KwArg
	for _, k := range n.Keywords {
		v, err := e.evalExpr(k.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if k.Name != "" {
			kw = append(kw, backend.KwArg{Name: k.Name, Value: v})
			continue
		}
		d, ok := v.(*py.Dict)
		if !ok {
			return nil, py.TypeErrorf("%sargument after ** must be a mapping, not %s", callPrefix(fn), v.TypeName())
		}
		for j := 0; j < d.Len(); j++ {
			name, ok := d.KeyAt(j).(py.Str)
			if !ok {
				return nil, py.TypeErrorf("keywords must be strings")
			}
			kw = append(kw, backend.KwArg{Name: string(name), Value: d.ValueAt(j)})
		}
	}
	return kw, nil
}

func iterate(v py.Value, format string) ([]py.Value, error) {
	switch x := v.(type) {
	case *py.List:
		return x.Items, nil
	case py.Tuple:
		return x, nil
	case *py.Set:
		return x.Items(), nil
	case *py.Dict:
		return x.Keys(), nil
	case py.Str:
		var out []py.Value
		for _, r := range string(x) {
			out = append(out, py.Str(string(r)))
		}
		return out, nil
	}
	return nil, py.TypeErrorf(format, v.TypeName())
}

func unaryOp(op string, v py.Value) (py.Value, error) {
	switch op {
	case "-":
		return py.Neg(v)
	case "not":
		return py.Bool(!py.Truthy(v)), nil
	case "+":
		if py.IsNumber(v) {
			if b, ok := v.(py.Bool); ok {
				if b {
					return py.Int(1), nil
				}
				return py.Int(0), nil
			}
			return v, nil
		}
		return nil, py.TypeErrorf("bad operand type for unary +: '%s'", v.TypeName())
	}
	if i, ok := v.(py.Int); ok {
		return ^i, nil
	}
	return nil, py.TypeErrorf("bad operand type for unary ~: '%s'", v.TypeName())
}

func binOp(op string, a, b py.Value) (py.Value, error) {
	switch op {
	case "+":
		return py.Add(a, b)
	case "-":
		return py.Sub(a, b)
	case "*":
		return py.Mul(a, b)
	case "/":
		return py.TrueDiv(a, b)
	}
	return nil, py.TypeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", op, a.TypeName(), b.TypeName())
}
