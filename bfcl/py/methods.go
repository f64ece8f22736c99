package py

import "strings"

// Iterate returns what a for loop over v visits: the characters of a str,
// the items of a list, tuple or set, the keys of a dict; other types are
// "'int' object is not iterable".
func Iterate(v Value) ([]Value, error) {
	switch x := v.(type) {
	case Str:
		out := make([]Value, 0, len(x))
		for _, r := range string(x) {
			out = append(out, Str(string(r)))
		}
		return out, nil
	case *List:
		return append([]Value(nil), x.Items...), nil
	case Tuple:
		return append([]Value(nil), x...), nil
	case *Dict:
		return x.Keys(), nil
	case *Set:
		return x.Items(), nil
	}
	return nil, TypeErrorf("'%s' object is not iterable", v.TypeName())
}

// ListAppend is v.append(item) for a v that should be a list.
func ListAppend(v, item Value) error {
	l, ok := v.(*List)
	if !ok {
		return AttributeError(v, "append")
	}
	l.Append(item)
	return nil
}

// ListExtend is v.extend(iterable).
func ListExtend(v, iterable Value) error {
	l, ok := v.(*List)
	if !ok {
		return AttributeError(v, "extend")
	}
	items, err := Iterate(iterable)
	if err != nil {
		return err
	}
	l.Items = append(l.Items, items...)
	return nil
}

// ListRemove is v.remove(item): the first item that is or equals item.
func ListRemove(v, item Value) error {
	l, ok := v.(*List)
	if !ok {
		return AttributeError(v, "remove")
	}
	for i, it := range l.Items {
		if Is(it, item) || Eq(it, item) {
			l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
			return nil
		}
	}
	return ValueErrorf("list.remove(x): x not in list")
}

// DictOf returns v as a dict, or the AttributeError of calling method on
// another type.
func DictOf(v Value, method string) (*Dict, error) {
	d, ok := v.(*Dict)
	if !ok {
		return nil, AttributeError(v, method)
	}
	return d, nil
}

// FirstItem is list(v.items())[0] for a dict v.
func FirstItem(v Value) (Value, Value, error) {
	d, err := DictOf(v, "items")
	if err != nil {
		return nil, nil, err
	}
	if d.Len() == 0 {
		return nil, nil, Errorf("IndexError", "list index out of range")
	}
	return d.KeyAt(0), d.ValueAt(0), nil
}

// Zfill is str.zfill(width).
func Zfill(s string, width int) string {
	n := StrLen(s)
	if n >= width {
		return s
	}
	pad := strings.Repeat("0", width-n)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[:1] + pad + s[1:]
	}
	return pad + s
}

// StrMethodLower is v.lower() for a v that should be a str.
func StrMethodLower(v Value) (string, error) {
	s, ok := v.(Str)
	if !ok {
		return "", AttributeError(v, "lower")
	}
	return Lower(string(s)), nil
}

// DictGet is d.get(key, def) for a v that should be a dict.
func DictGet(v, key, def Value) (Value, error) {
	d, err := DictOf(v, "get")
	if err != nil {
		return nil, err
	}
	val, ok, err := d.Get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return def, nil
	}
	return val, nil
}

// SetItem is v[key] = val for a dict or list v.
func SetItem(v, key, val Value) error {
	switch x := v.(type) {
	case *Dict:
		return x.Set(key, val)
	case *List:
		i, ok := key.(Int)
		if !ok {
			return TypeErrorf("list indices must be integers or slices, not %s", key.TypeName())
		}
		if i < 0 {
			i += Int(len(x.Items))
		}
		if i < 0 || int(i) >= len(x.Items) {
			return Errorf("IndexError", "list assignment index out of range")
		}
		x.Own()
		x.Items[i] = val
		return nil
	}
	return TypeErrorf("'%s' object does not support item assignment", v.TypeName())
}
