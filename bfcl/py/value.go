// Package py is the Python value model the BFCL backends compute with, so
// that their outputs and states match CPython's byte for byte.
//
// Values are of the interface type Value. The concrete types are:
//
//	None (NoneType)     Bool            Int (int64)      *BigInt (larger ints)
//	Float (float64)     Str (UTF-8)     *List            Tuple
//	*Dict (ordered, mixed key types)    *Set             Ellipsis
//
// plus any type a package defines that implements Value (class instances
// such as a file system's File, or Decimal-like numbers): such a type may
// implement Object (public attributes for the canonical state encoding),
// Reprer (its Python repr), Stringer-like PyStr (its str when it differs from
// repr) and Equaler (Python ==). Lists, dicts and sets are pointers, so
// aliasing behaves as in Python: two names for one *List see each other's
// appends.
//
// The package renders values the way CPython 3.11 does: Repr and StrOf
// (repr() and str()), Dumps (json.dumps with its defaults, including
// ensure_ascii), EncodeState (the canonical state encoding of the BFCL golden
// traces). It implements Python ==, <, arithmetic and the str methods the
// backends use, returning *Exception errors whose Error() is exactly CPython's
// str(exception).
//
// # Writing backend code with py
//
// Port a Python method line by line: values the user passes are Values of
// any type, so every operation that Python could fail on goes through a
// helper here that returns the same error text (Contains for `in`, Eq for
// ==, Less for <, Add/Sub/Mul/TrueDiv for arithmetic, Index for x[k], the
// Str* functions for str methods). For example
//
//	// if file_name in self._current_dir.contents:
//	ok, err := py.Contains(dir.Contents, fileName)
//	if err != nil {
//		return nil, err
//	}
//
// Build results with NewDict().With("key", value) and return them; the
// executor renders them (json.dumps for a dict, str otherwise).
package py

import (
	"math"
	"math/big"
)

// Value is a Python value. TypeName is Python's type(x).__name__.
type Value interface {
	TypeName() string
}

// NoneType is the type of None.
type NoneType struct{}

// None is Python's None.
var None Value = NoneType{}

// EllipsisType is the type of Ellipsis.
type EllipsisType struct{}

// Ellipsis is Python's Ellipsis (`...`).
var Ellipsis Value = EllipsisType{}

// Bool is a Python bool.
type Bool bool

// Int is a Python int that fits in 64 bits. Arithmetic helpers promote to
// *BigInt on overflow, and BigInt results that fit are demoted back.
type Int int64

// BigInt is a Python int outside the int64 range. It is immutable.
type BigInt struct{ V *big.Int }

// Float is a Python float.
type Float float64

// Str is a Python str, held as UTF-8.
type Str string

// List is a Python list; use a pointer for identity.
//
// Items may be borrowed from a FrozenList (FrozenList.Copy): appending to
// it is safe (its capacity ends at its length, so append moves it), but
// a write in place (an item set, a removal that shifts the tail) must
// call Own first.
type List struct {
	Items []Value

	// frozen is the FrozenList the list was copied from, whose stored
	// texts render it while its items are unchanged.
	frozen *FrozenList
	// borrowed says Items is still the frozen list's array, shared with
	// every other copy: Own replaces it with the list's own copy.
	borrowed bool
}

// Own gives l its own items array when they are borrowed from a
// FrozenList, so that l can change them in place. Every write to
// l.Items other than an append calls it first.
func (l *List) Own() {
	if l.borrowed {
		l.Items = append([]Value(nil), l.Items...)
		l.borrowed = false
	}
}

// Tuple is a Python tuple.
type Tuple []Value

// Attr is one public attribute of an object.
type Attr struct {
	Name  string
	Value Value
}

// Object is a class instance whose public attributes form its state
// (vars(x) without the names starting with "_"). ClassName is
// type(x).__name__ (TypeName returns the same).
type Object interface {
	Value
	Attrs() []Attr
}

// Reprer is implemented by values with their own repr().
type Reprer interface {
	Repr() string
}

// PyStr is implemented by values whose str() differs from their repr().
type PyStr interface {
	PyStr() string
}

// Equaler is implemented by values with their own ==. It is called with the
// other operand; returning false means "not equal".
type Equaler interface {
	PyEq(other Value) bool
}

// Ref is a reference to an object by path in the canonical state encoding
// ({"__ref__": path}); objects return it from Attrs for back-pointers that
// must not be recursed into (a directory's parent).
type Ref string

// TypeName implements Value.
func (NoneType) TypeName() string { return "NoneType" }

// TypeName implements Value.
func (EllipsisType) TypeName() string { return "ellipsis" }

// TypeName implements Value.
func (Bool) TypeName() string { return "bool" }

// TypeName implements Value.
func (Int) TypeName() string { return "int" }

// TypeName implements Value.
func (BigInt) TypeName() string { return "int" }

// TypeName implements Value.
func (Float) TypeName() string { return "float" }

// TypeName implements Value.
func (Str) TypeName() string { return "str" }

// TypeName implements Value.
func (*List) TypeName() string { return "list" }

// TypeName implements Value.
func (Tuple) TypeName() string { return "tuple" }

// TypeName implements Value.
func (Ref) TypeName() string { return "ref" }

// NewList makes a list holding items (the slice is used as is).
func NewList(items ...Value) *List { return &List{Items: items} }

// StrList makes a list of strings.
func StrList(items ...string) *List {
	l := &List{Items: make([]Value, len(items))}
	for i, s := range items {
		l.Items[i] = Str(s)
	}
	return l
}

// Append appends v.
func (l *List) Append(v Value) { l.Items = append(l.Items, v) }

// Len is len(l).
func (l *List) Len() int { return len(l.Items) }

// Copy is l.copy() (shallow).
func (l *List) Copy() *List { return &List{Items: append([]Value(nil), l.Items...)} }

// IsNone reports whether v is None (a nil Value counts as None too).
func IsNone(v Value) bool {
	if v == nil {
		return true
	}
	_, ok := v.(NoneType)
	return ok
}

// MakeInt returns an Int when b fits in int64 and a BigInt otherwise.
func MakeInt(b *big.Int) Value {
	if b.IsInt64() {
		return Int(b.Int64())
	}
	return BigInt{V: new(big.Int).Set(b)}
}

// bigOf returns the integer value of an Int, BigInt or Bool.
func bigOf(v Value) (*big.Int, bool) {
	switch x := v.(type) {
	case Int:
		return big.NewInt(int64(x)), true
	case BigInt:
		return x.V, true
	case Bool:
		if x {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	}
	return nil, false
}

// IsInt reports whether v is an int (bool excluded).
func IsInt(v Value) bool {
	switch v.(type) {
	case Int, BigInt:
		return true
	}
	return false
}

// IsNumber reports whether v is a bool, int or float.
func IsNumber(v Value) bool {
	switch v.(type) {
	case Bool, Int, BigInt, Float:
		return true
	}
	return false
}

// AsFloat converts a bool, int or float to float64 as Python's float() does
// for those types (ok false otherwise). Huge ints give ±Inf and ok false.
func AsFloat(v Value) (float64, bool) {
	switch x := v.(type) {
	case Float:
		return float64(x), true
	case Int:
		return float64(x), true
	case Bool:
		if x {
			return 1, true
		}
		return 0, true
	case BigInt:
		f, _ := new(big.Float).SetInt(x.V).Float64()
		return f, !math.IsInf(f, 0)
	}
	return 0, false
}

// Truthy is Python's bool(v).
func Truthy(v Value) bool {
	switch x := v.(type) {
	case nil, NoneType:
		return false
	case Bool:
		return bool(x)
	case Int:
		return x != 0
	case BigInt:
		return x.V.Sign() != 0
	case Float:
		return x != 0
	case Str:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case Tuple:
		return len(x) > 0
	case *Dict:
		return x.Len() > 0
	case *Set:
		return x.Len() > 0
	}
	return true
}
