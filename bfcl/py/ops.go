package py

import (
	"math"
	"math/big"
	"strings"
)

// maxEqDepth stands in for CPython's recursion limit: comparing structures
// nested deeper (a directory copied into itself) is "not equal" here where
// CPython raises RecursionError.
const maxEqDepth = 1000

// DeepEqualer is implemented by objects whose == recurses into Values; the
// depth must be passed on to EqDepth.
type DeepEqualer interface {
	PyEqDepth(other Value, depth int) bool
}

// Eq is Python's a == b.
func Eq(a, b Value) bool { return EqDepth(a, b, 0) }

// EqStr is Eq(v, Str(s)) without boxing s when v is a str.
func EqStr(v Value, s string) bool {
	if x, ok := v.(Str); ok {
		return string(x) == s
	}
	return Eq(v, Str(s))
}

// EqDepth is Eq at a nesting depth, for DeepEqualer implementations.
func EqDepth(a, b Value, depth int) bool {
	if depth > maxEqDepth {
		return false
	}
	depth++
	if a == nil {
		a = None
	}
	if b == nil {
		b = None
	}
	if IsNumber(a) && IsNumber(b) {
		return numCompare(a, b) == 0
	}
	switch x := a.(type) {
	case NoneType:
		_, ok := b.(NoneType)
		return ok
	case Str:
		y, ok := b.(Str)
		return ok && x == y
	case EllipsisType:
		_, ok := b.(EllipsisType)
		return ok
	case *List:
		y, ok := b.(*List)
		return ok && (x == y || itemsEq(x.Items, y.Items, depth))
	case Tuple:
		y, ok := b.(Tuple)
		return ok && itemsEq(x, y, depth)
	case *Dict:
		y, ok := b.(*Dict)
		return ok && (x == y || dictEq(x, y, depth))
	case *Set:
		y, ok := b.(*Set)
		return ok && (x == y || dictKeysEq(x.d, y.d))
	}
	if e, ok := a.(DeepEqualer); ok {
		return e.PyEqDepth(b, depth)
	}
	if e, ok := b.(DeepEqualer); ok {
		return e.PyEqDepth(a, depth)
	}
	if e, ok := a.(Equaler); ok {
		return e.PyEq(b)
	}
	if e, ok := b.(Equaler); ok {
		return e.PyEq(a)
	}
	return Is(a, b)
}

func itemsEq(a, b []Value, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Is(a[i], b[i]) && !EqDepth(a[i], b[i], depth) {
			return false
		}
	}
	return true
}

func dictEq(a, b *Dict, depth int) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i, k := range a.keys {
		v, ok, _ := b.Get(k)
		if !ok {
			return false
		}
		if !Is(a.vals[i], v) && !EqDepth(a.vals[i], v, depth) {
			return false
		}
	}
	return true
}

func dictKeysEq(a, b *Dict) bool {
	if a.Len() != b.Len() {
		return false
	}
	for _, k := range a.keys {
		if ok, _ := b.Has(k); !ok {
			return false
		}
	}
	return true
}

// numCompare compares two numbers (bool, int, float) exactly, as Python
// does; NaN compares unequal to everything (it returns 2).
func numCompare(a, b Value) int {
	fa, aIsFloat := a.(Float)
	fb, bIsFloat := b.(Float)
	if aIsFloat && math.IsNaN(float64(fa)) || bIsFloat && math.IsNaN(float64(fb)) {
		return 2
	}
	if aIsFloat && bIsFloat {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	if !aIsFloat && !bIsFloat {
		ia, _ := a.(Int)
		ib, _ := b.(Int)
		_, aBig := a.(BigInt)
		_, bBig := b.(BigInt)
		if !aBig && !bBig {
			if bv, ok := a.(Bool); ok {
				ia = boolInt(bv)
			}
			if bv, ok := b.(Bool); ok {
				ib = boolInt(bv)
			}
			switch {
			case ia < ib:
				return -1
			case ia > ib:
				return 1
			}
			return 0
		}
		x, _ := bigOf(a)
		y, _ := bigOf(b)
		return x.Cmp(y)
	}
	if f, i, ok := floatAndSmallInt(a, b); ok {
		// i converts to float exactly, so float comparison is exact.
		switch fi := float64(i); {
		case fi < f:
			return -1
		case fi > f:
			return 1
		}
		return 0
	} else if f, i, ok := floatAndSmallInt(b, a); ok {
		switch fi := float64(i); {
		case f < fi:
			return -1
		case f > fi:
			return 1
		}
		return 0
	}
	return exactRat(a).Cmp(exactRat(b))
}

// floatAndSmallInt returns b as a float and a as an int when b is a float
// and a an int or bool of magnitude at most 2^53 (exact as a float).
func floatAndSmallInt(a, b Value) (float64, int64, bool) {
	f, ok := b.(Float)
	if !ok {
		return 0, 0, false
	}
	var i int64
	switch x := a.(type) {
	case Int:
		i = int64(x)
	case Bool:
		i = int64(boolInt(x))
	default:
		return 0, 0, false
	}
	const exact = 1 << 53
	if i > exact || i < -exact {
		return 0, 0, false
	}
	return float64(f), i, true
}

func boolInt(b Bool) Int {
	if b {
		return 1
	}
	return 0
}

func exactRat(v Value) *big.Rat {
	if f, ok := v.(Float); ok {
		if math.IsInf(float64(f), 0) {
			// Infinity is beyond any int: stand in with a huge value.
			r := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 20000))
			if f < 0 {
				r.Neg(r)
			}
			return r
		}
		return new(big.Rat).SetFloat64(float64(f))
	}
	b, _ := bigOf(v)
	return new(big.Rat).SetInt(b)
}

// Compare applies a rich comparison op ("<", "<=", ">", ">=") with
// Python's TypeError for unorderable operands.
func Compare(op string, a, b Value) (bool, error) {
	if IsNumber(a) && IsNumber(b) {
		c := numCompare(a, b)
		if c == 2 {
			return false, nil
		}
		return cmpResult(op, c), nil
	}
	switch x := a.(type) {
	case Str:
		if y, ok := b.(Str); ok {
			return cmpResult(op, strings.Compare(string(x), string(y))), nil
		}
	case *List:
		if y, ok := b.(*List); ok {
			return seqCompare(op, x.Items, y.Items)
		}
	case Tuple:
		if y, ok := b.(Tuple); ok {
			return seqCompare(op, x, y)
		}
	}
	return false, TypeErrorf("'%s' not supported between instances of '%s' and '%s'", op, a.TypeName(), b.TypeName())
}

func seqCompare(op string, a, b []Value) (bool, error) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if !Eq(a[i], b[i]) {
			return Compare(op, a[i], b[i])
		}
	}
	c := 0
	switch {
	case len(a) < len(b):
		c = -1
	case len(a) > len(b):
		c = 1
	}
	return cmpResult(op, c), nil
}

func cmpResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// Less is a < b.
func Less(a, b Value) (bool, error) { return Compare("<", a, b) }

// Contains is Python's `item in container`.
func Contains(container, item Value) (bool, error) {
	switch c := container.(type) {
	case Str:
		s, ok := item.(Str)
		if !ok {
			return false, TypeErrorf("'in <string>' requires string as left operand, not %s", item.TypeName())
		}
		return strings.Contains(string(c), string(s)), nil
	case *List:
		return containsItem(c.Items, item), nil
	case Tuple:
		return containsItem(c, item), nil
	case *Dict:
		return c.Has(item)
	case *Set:
		return c.Has(item)
	}
	return false, TypeErrorf("argument of type '%s' is not iterable", container.TypeName())
}

func containsItem(items []Value, item Value) bool {
	for _, it := range items {
		if Is(it, item) || Eq(it, item) {
			return true
		}
	}
	return false
}

// Len is len(v).
func Len(v Value) (int, error) {
	switch x := v.(type) {
	case Str:
		return StrLen(string(x)), nil
	case *List:
		return len(x.Items), nil
	case Tuple:
		return len(x), nil
	case *Dict:
		return x.Len(), nil
	case *Set:
		return x.Len(), nil
	}
	return 0, TypeErrorf("object of type '%s' has no len()", v.TypeName())
}

// Index is v[key] for dicts (KeyError when absent), lists and tuples (int
// index, negative from the end) and strs.
func Index(v, key Value) (Value, error) {
	switch x := v.(type) {
	case *Dict:
		return x.Item(key)
	case *List:
		return seqIndex(x.Items, key, "list")
	case Tuple:
		return seqIndex(x, key, "tuple")
	case Str:
		runes := []rune(string(x))
		items := make([]Value, len(runes))
		for i, r := range runes {
			items[i] = Str(string(r))
		}
		switch key.(type) {
		case Int, Bool, BigInt:
			return seqIndex(items, key, "string")
		}
		return nil, TypeErrorf("string indices must be integers, not '%s'", key.TypeName())
	case NoneType:
		return nil, TypeErrorf("'NoneType' object is not subscriptable")
	}
	return nil, TypeErrorf("'%s' object is not subscriptable", v.TypeName())
}

func seqIndex(items []Value, key Value, kind string) (Value, error) {
	var i int64
	switch k := key.(type) {
	case Int:
		i = int64(k)
	case Bool:
		i = int64(boolInt(k))
	case BigInt:
		return nil, Errorf("IndexError", "cannot fit 'int' into an index-sized integer")
	default:
		return nil, TypeErrorf("%s indices must be integers or slices, not %s", kind, key.TypeName())
	}
	if i < 0 {
		i += int64(len(items))
	}
	if i < 0 || i >= int64(len(items)) {
		return nil, Errorf("IndexError", "%s index out of range", kind)
	}
	return items[i], nil
}
