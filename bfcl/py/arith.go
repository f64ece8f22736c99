package py

import (
	"math"
	"math/big"
	"math/bits"
	"strings"
)

// Add is a + b (numbers, str + str, list + list, tuple + tuple).
func Add(a, b Value) (Value, error) {
	if IsNumber(a) && IsNumber(b) {
		return numOp('+', a, b)
	}
	switch x := a.(type) {
	case Str:
		if y, ok := b.(Str); ok {
			return x + y, nil
		}
		return nil, TypeErrorf("can only concatenate str (not \"%s\") to str", b.TypeName())
	case *List:
		if y, ok := b.(*List); ok {
			return &List{Items: append(append([]Value(nil), x.Items...), y.Items...)}, nil
		}
		return nil, TypeErrorf("can only concatenate list (not \"%s\") to list", b.TypeName())
	case Tuple:
		if y, ok := b.(Tuple); ok {
			return append(append(Tuple(nil), x...), y...), nil
		}
		return nil, TypeErrorf("can only concatenate tuple (not \"%s\") to tuple", b.TypeName())
	}
	return nil, unsupported("+", a, b)
}

// Sub is a - b.
func Sub(a, b Value) (Value, error) {
	if IsNumber(a) && IsNumber(b) {
		return numOp('-', a, b)
	}
	if x, ok := a.(*Set); ok {
		if y, ok := b.(*Set); ok {
			out, _ := NewSet()
			for _, it := range x.Items() {
				if has, _ := y.Has(it); !has {
					_ = out.Add(it)
				}
			}
			return out, nil
		}
	}
	return nil, unsupported("-", a, b)
}

// Mul is a * b (numbers; sequence * int).
func Mul(a, b Value) (Value, error) {
	if IsNumber(a) && IsNumber(b) {
		return numOp('*', a, b)
	}
	seq, n := a, b
	if isSeq(b) {
		seq, n = b, a
	}
	if isSeq(seq) {
		count, ok := n.(Int)
		if bv, isBool := n.(Bool); isBool {
			count, ok = boolInt(bv), true
		}
		if !ok {
			return nil, TypeErrorf("can't multiply sequence by non-int of type '%s'", n.TypeName())
		}
		return repeatSeq(seq, int(count))
	}
	return nil, unsupported("*", a, b)
}

func isSeq(v Value) bool {
	switch v.(type) {
	case Str, *List, Tuple:
		return true
	}
	return false
}

// maxRepeat caps the length of a repeated sequence ('a' * n); larger
// results are a MemoryError here (CPython would try to allocate them).
const maxRepeat = 1 << 20

func repeatSeq(seq Value, n int) (Value, error) {
	if n < 0 {
		n = 0
	}
	l, _ := Len(seq)
	if l > 0 && n > maxRepeat/l {
		return nil, Errorf("MemoryError", "")
	}
	switch x := seq.(type) {
	case Str:
		return Str(strings.Repeat(string(x), n)), nil
	case *List:
		out := &List{Items: []Value{}}
		for i := 0; i < n; i++ {
			out.Items = append(out.Items, x.Items...)
		}
		return out, nil
	case Tuple:
		var out Tuple
		for i := 0; i < n; i++ {
			out = append(out, x...)
		}
		return out, nil
	}
	return nil, nil
}

// TrueDiv is a / b.
func TrueDiv(a, b Value) (Value, error) {
	if !IsNumber(a) || !IsNumber(b) {
		return nil, unsupported("/", a, b)
	}
	_, aF := a.(Float)
	_, bF := b.(Float)
	y, _ := AsFloat(b)
	if y == 0 && isZero(b) {
		if aF || bF {
			return nil, Errorf("ZeroDivisionError", "float division by zero")
		}
		return nil, Errorf("ZeroDivisionError", "division by zero")
	}
	if !aF && !bF {
		return intTrueDiv(a, b)
	}
	x, ok1 := AsFloat(a)
	y, ok2 := AsFloat(b)
	if !ok1 || !ok2 {
		return nil, Errorf("OverflowError", "int too large to convert to float")
	}
	return Float(x / y), nil
}

// intTrueDiv is int / int: correctly rounded, a zero result signed as
// CPython signs it (negative when exactly one operand is negative, 0 / -1
// included), and OverflowError beyond the float range.
func intTrueDiv(a, b Value) (Value, error) {
	ba, _ := bigOf(a)
	bb, _ := bigOf(b)
	f, _ := new(big.Rat).SetFrac(ba, bb).Float64()
	if math.IsInf(f, 0) {
		return nil, Errorf("OverflowError", "integer division result too large for a float")
	}
	if f == 0 && (ba.Sign() < 0) != (bb.Sign() < 0) {
		f = math.Copysign(0, -1)
	}
	return Float(f), nil
}

func isZero(v Value) bool {
	switch x := v.(type) {
	case Int:
		return x == 0
	case Bool:
		return !bool(x)
	case Float:
		return x == 0
	case BigInt:
		return x.V.Sign() == 0
	}
	return false
}

// Neg is -a.
func Neg(a Value) (Value, error) {
	switch x := a.(type) {
	case Int:
		if x == math.MinInt64 {
			return MakeInt(new(big.Int).Neg(big.NewInt(int64(x)))), nil
		}
		return -x, nil
	case Bool:
		return -boolInt(x), nil
	case BigInt:
		return MakeInt(new(big.Int).Neg(x.V)), nil
	case Float:
		return -x, nil
	case Complex:
		return -x, nil
	}
	return nil, TypeErrorf("bad operand type for unary -: '%s'", a.TypeName())
}

func unsupported(op string, a, b Value) error {
	return TypeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", op, a.TypeName(), b.TypeName())
}

// numOp applies + - * to two numbers with Python's int/float rules.
func numOp(op byte, a, b Value) (Value, error) {
	_, aF := a.(Float)
	_, bF := b.(Float)
	if aF || bF {
		x, ok1 := AsFloat(a)
		y, ok2 := AsFloat(b)
		if !ok1 || !ok2 {
			return nil, Errorf("OverflowError", "int too large to convert to float")
		}
		switch op {
		case '+':
			return Float(x + y), nil
		case '-':
			return Float(x - y), nil
		default:
			return Float(x * y), nil
		}
	}
	if v, ok := smallIntOp(op, a, b); ok {
		return v, nil
	}
	x, _ := bigOf(a)
	y, _ := bigOf(b)
	r := new(big.Int)
	switch op {
	case '+':
		r.Add(x, y)
	case '-':
		r.Sub(x, y)
	default:
		r.Mul(x, y)
	}
	return MakeInt(r), nil
}

// smallIntOp is numOp on two ints or bools of 64 bits whose result fits
// in 64 bits; ok is false otherwise (the big-int path then decides).
func smallIntOp(op byte, a, b Value) (Value, bool) {
	x, ok1 := int64Of(a)
	y, ok2 := int64Of(b)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch op {
	case '+':
		r := x + y
		if (x >= 0) == (y >= 0) && (r >= 0) != (x >= 0) {
			return nil, false
		}
		return Int(r), true
	case '-':
		r := x - y
		if (x >= 0) != (y >= 0) && (r >= 0) != (x >= 0) {
			return nil, false
		}
		return Int(r), true
	}
	hi, lo := bits.Mul64(uint64(absInt64(x)), uint64(absInt64(y)))
	if hi != 0 || lo > math.MaxInt64 || x == math.MinInt64 || y == math.MinInt64 {
		return nil, false
	}
	if (x < 0) != (y < 0) {
		return Int(-int64(lo)), true
	}
	return Int(int64(lo)), true
}

// int64Of is the value of an Int or Bool.
func int64Of(v Value) (int64, bool) {
	switch x := v.(type) {
	case Int:
		return int64(x), true
	case Bool:
		return int64(boolInt(x)), true
	}
	return 0, false
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// DeepCopy is copy.deepcopy(v) for the built-in types: containers are
// copied recursively, and a container reachable twice is copied once (the
// copy keeps the sharing). Objects and other immutable values are shared.
func DeepCopy(v Value) Value {
	var memo copyMemo
	return deepCopy(v, &memo)
}

// Copier deep-copies several values as parts of one: a container
// reachable from two of them is copied once, as copy.deepcopy of a value
// holding them all would. The zero Copier is ready to use.
type Copier struct{ memo copyMemo }

// Copy is the deep copy of v within the Copier's values.
func (c *Copier) Copy(v Value) Value { return deepCopy(v, &c.memo) }

// copyMemo maps the identity of each container copied so far to its
// copy: a short list while few containers are copied (most values), a
// map beyond.
type copyMemo struct {
	n    int
	ids  [memoList]uintptr
	vals [memoList]Value
	m    map[uintptr]Value
}

const memoList = 48

func (m *copyMemo) get(id uintptr) (Value, bool) {
	if m.m != nil {
		v, ok := m.m[id]
		return v, ok
	}
	for i := 0; i < m.n; i++ {
		if m.ids[i] == id {
			return m.vals[i], true
		}
	}
	return nil, false
}

func (m *copyMemo) put(id uintptr, v Value) {
	if m.m == nil && m.n < memoList {
		m.ids[m.n], m.vals[m.n] = id, v
		m.n++
		return
	}
	if m.m == nil {
		m.m = make(map[uintptr]Value)
		for i := 0; i < m.n; i++ {
			m.m[m.ids[i]] = m.vals[i]
		}
	}
	m.m[id] = v
}

// copyItem is deepCopy(v, memo) with the common scalars, which deepCopy
// returns as they are, returned without the call.
func copyItem(v Value, memo *copyMemo) Value {
	switch v.(type) {
	case Str, Int, Float, Bool, NoneType:
		return v
	}
	return deepCopy(v, memo)
}

func deepCopy(v Value, memo *copyMemo) Value {
	id := identity(v)
	if id != 0 {
		if c, ok := memo.get(id); ok {
			return c
		}
	}
	switch x := v.(type) {
	case *List:
		c := &List{Items: make([]Value, len(x.Items))}
		memo.put(id, c)
		for i, it := range x.Items {
			c.Items[i] = copyItem(it, memo)
		}
		return c
	case Tuple:
		c := make(Tuple, len(x))
		for i, it := range x {
			c[i] = copyItem(it, memo)
		}
		return c
	case *Dict:
		c := x.withKeys()
		memo.put(id, c)
		for i, it := range x.vals {
			c.vals[i] = copyItem(it, memo)
		}
		return c
	case *Set:
		c := x.Copy()
		memo.put(id, c)
		return c
	}
	return v
}
