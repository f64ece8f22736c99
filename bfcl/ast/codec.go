package ast

import (
	"encoding/hex"
	"fmt"
	"math"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The tags of the golden files' value encoding: one-key objects standing
// for Python values JSON has no form for.
const (
	tagTuple   = "__tuple__"
	tagDict    = "__dict__"
	tagFloat   = "__float__"
	tagBytes   = "__bytes__"
	tagComplex = "__complex__"
	tagRepr    = "__repr__"
)

func isTag(k string) bool {
	switch k {
	case tagTuple, tagDict, tagFloat, tagBytes, tagComplex, tagRepr:
		return true
	}
	return false
}

// Opaque is a value the encoding could only write as its repr
// ({"__repr__": "..."}); it compares equal to nothing but itself.
type Opaque string

// TypeName implements py.Value.
func (Opaque) TypeName() string { return "object" }

// Repr implements py.Reprer.
func (o Opaque) Repr() string { return string(o) }

// Untag turns a value decoded from JSON (py.FromJSON) into the Python value
// it encodes: {"__tuple__": [...]} is a tuple, {"__dict__": [[k, v], ...]}
// a dict with any keys, {"__float__": "inf"|"-inf"|"nan"} a float,
// {"__bytes__": hex} bytes, {"__complex__": [re, im]} a complex number.
func Untag(v py.Value) (py.Value, error) {
	switch x := v.(type) {
	case *py.List:
		out := make([]py.Value, len(x.Items))
		for i, it := range x.Items {
			u, err := Untag(it)
			if err != nil {
				return nil, err
			}
			out[i] = u
		}
		return &py.List{Items: out}, nil
	case *py.Dict:
		if x.Len() == 1 {
			if k, ok := x.KeyAt(0).(py.Str); ok && isTag(string(k)) {
				return untagOne(string(k), x.ValueAt(0))
			}
		}
		out := py.NewDict()
		for i := 0; i < x.Len(); i++ {
			u, err := Untag(x.ValueAt(i))
			if err != nil {
				return nil, err
			}
			if err := out.Set(x.KeyAt(i), u); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

func untagOne(tag string, payload py.Value) (py.Value, error) {
	bad := func() (py.Value, error) {
		return nil, fmt.Errorf("value encoding: bad %s payload %s", tag, py.Repr(payload))
	}
	switch tag {
	case tagTuple:
		l, ok := payload.(*py.List)
		if !ok {
			return bad()
		}
		items, err := Untag(l)
		if err != nil {
			return nil, err
		}
		return py.Tuple(items.(*py.List).Items), nil
	case tagDict:
		return untagDict(payload)
	case tagFloat:
		switch payload {
		case py.Str("inf"):
			return py.Float(math.Inf(1)), nil
		case py.Str("-inf"):
			return py.Float(math.Inf(-1)), nil
		case py.Str("nan"):
			return py.Float(math.NaN()), nil
		}
		return bad()
	case tagBytes:
		s, ok := payload.(py.Str)
		b, err := hex.DecodeString(string(s))
		if !ok || err != nil {
			return bad()
		}
		return py.Bytes(b), nil
	case tagComplex:
		l, ok := payload.(*py.List)
		if !ok || len(l.Items) != 2 {
			return bad()
		}
		parts := [2]float64{}
		for i, it := range l.Items {
			u, err := Untag(it)
			if err != nil {
				return nil, err
			}
			f, ok := u.(py.Float)
			if !ok {
				return bad()
			}
			parts[i] = float64(f)
		}
		return py.Complex(complex(parts[0], parts[1])), nil
	case tagRepr:
		s, ok := payload.(py.Str)
		if !ok {
			return bad()
		}
		return Opaque(s), nil
	}
	return bad()
}

func untagDict(payload py.Value) (py.Value, error) {
	pairs, ok := payload.(*py.List)
	if !ok {
		return nil, fmt.Errorf("value encoding: bad %s payload %s", tagDict, py.Repr(payload))
	}
	out := py.NewDict()
	for _, p := range pairs.Items {
		kv, ok := p.(*py.List)
		if !ok || len(kv.Items) != 2 {
			return nil, fmt.Errorf("value encoding: bad %s pair %s", tagDict, py.Repr(p))
		}
		k, err := Untag(kv.Items[0])
		if err != nil {
			return nil, err
		}
		v, err := Untag(kv.Items[1])
		if err != nil {
			return nil, err
		}
		if err := out.Set(k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Tag is the inverse of Untag: it returns a value made of JSON types only
// (None, bool, int, finite float, str, list, dict with str keys) that
// encodes v.
func Tag(v py.Value) py.Value {
	switch x := v.(type) {
	case nil:
		return py.None
	case py.NoneType, py.Bool, py.Int, py.BigInt, py.Str:
		return x
	case py.Float:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			return tagged(tagFloat, py.Str("nan"))
		case math.IsInf(f, 1):
			return tagged(tagFloat, py.Str("inf"))
		case math.IsInf(f, -1):
			return tagged(tagFloat, py.Str("-inf"))
		}
		return x
	case *py.List:
		return &py.List{Items: tagAll(x.Items)}
	case py.Tuple:
		return tagged(tagTuple, &py.List{Items: tagAll(x)})
	case *py.Dict:
		return tagDictValue(x)
	case py.Bytes:
		return tagged(tagBytes, py.Str(hex.EncodeToString([]byte(x))))
	case py.Complex:
		return tagged(tagComplex, py.NewList(Tag(py.Float(real(x))), Tag(py.Float(imag(x)))))
	case Opaque:
		return tagged(tagRepr, py.Str(x))
	}
	return tagged(tagRepr, py.Str(py.Repr(v)))
}

func tagged(tag string, payload py.Value) py.Value {
	return py.NewDict().With(tag, payload)
}

func tagAll(items []py.Value) []py.Value {
	out := make([]py.Value, len(items))
	for i, it := range items {
		out[i] = Tag(it)
	}
	return out
}

func tagDictValue(d *py.Dict) py.Value {
	plain := true
	for i := 0; i < d.Len(); i++ {
		if _, ok := d.KeyAt(i).(py.Str); !ok {
			plain = false
			break
		}
	}
	if plain && d.Len() == 1 && isTag(string(d.KeyAt(0).(py.Str))) {
		plain = false
	}
	if plain {
		out := py.NewDict()
		for i := 0; i < d.Len(); i++ {
			out.SetStr(string(d.KeyAt(i).(py.Str)), Tag(d.ValueAt(i)))
		}
		return out
	}
	pairs := make([]py.Value, d.Len())
	for i := 0; i < d.Len(); i++ {
		pairs[i] = py.NewList(Tag(d.KeyAt(i)), Tag(d.ValueAt(i)))
	}
	return tagged(tagDict, &py.List{Items: pairs})
}

// Encode writes v in the golden files' encoding: compact JSON, non-ASCII
// characters as themselves, floats as Python's repr, tagged objects for
// the values JSON cannot hold.
func Encode(v py.Value) string { return py.EncodeState(Tag(v)) }
