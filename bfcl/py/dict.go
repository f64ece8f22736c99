package py

import (
	"maps"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"
)

// Dict is a Python dict: insertion-ordered, keyed by any hashable Value
// with Python's key equality (1, 1.0 and True are one key; 1 and "1" are
// two). Use a pointer for identity.
type Dict struct {
	keys []Value
	vals []Value
	// ext holds the key texts and the index, for the dicts that need
	// them (a key of another type than str, more than smallDict keys);
	// it is nil for most dicts, which keeps a dict small.
	ext *dictExt
	// sharedKeys says keys and ext may be shared with copies of the dict
	// (Copy, DeepCopy), which keep the same keys in the same order: they
	// are read-only, and the first change of the key set (a new key, a
	// removal) makes the dict its own copies first. Values are never
	// shared.
	sharedKeys atomic.Bool
	// lens holds, for each of the first smallDict keys, the keyTag of
	// its text (4 bits a key, the first key in the lowest): a scan
	// compares a key's text only where its tag matches, without loading
	// the key. It is only read while the dict has no index.
	lens uint32
	// inline is the first storage of keys and vals, so that a small dict
	// is one allocation.
	inline struct {
		kv [2 * firstDictCap]Value
	}
}

// dictExt is the part of a Dict that only some dicts need.
type dictExt struct {
	// hkeys holds, in the order of keys, each key's text: the string
	// itself for a str key (no copy), its HashKey for any other key.
	// A str key and another key with the same text differ by the type
	// of the key in keys. It is nil while every key is a str and there
	// are at most smallDict keys (most dicts): the texts are then the
	// keys themselves.
	hkeys []string
	// indexed says strs and others hold every key's position; it is
	// false while the dict has at most scanDict keys, which are found
	// by scanning.
	indexed bool
	// strs maps the text of each str key to its position, others the
	// HashKey text of each other key (others is nil until there is
	// one): two maps keyed by plain strings keep a str key apart from
	// another key with the same text.
	strs, others map[string]int
}

// smallDict is the size up to which an all-str dict has no key texts
// (hkeys): its scan reads the keys, with the length check of lens.
const smallDict = 8

// scanDict is the size up to which a dict has no index map: most dicts of
// the backends are small, and scanning the key texts (their lengths side
// by side) is cheaper than building, copying and probing a map.
const scanDict = 32

// lenBits is the number of bits of a key's tag in Dict.lens, lenMask
// their mask.
const (
	lenBits = 4
	lenMask = 1<<lenBits - 1
)

// firstDictCap is the room a dict's first key gets.
const firstDictCap = 4

// keyTag is the 4-bit tag of a key text in Dict.lens: its length mixed
// with its last and middle bytes, so that keys of one length (the
// fields of a record often are) mostly differ in it too. Equal texts
// have equal tags.
func keyTag(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	t := uint32(n) + uint32(s[n-1]) + uint32(s[n/2])<<2
	return (t ^ t>>4) & lenMask
}

// TypeName implements Value.
func (*Dict) TypeName() string { return "dict" }

// NewDict makes an empty dict.
func NewDict() *Dict { return &Dict{} }

// dictKey is a key as the index holds it: its text in hkeys and whether
// it is a str.
type dictKey struct {
	h   string
	str bool
}

// keyOf is the dictKey of k; unhashable k is an error.
func keyOf(k Value) (dictKey, error) {
	if s, ok := k.(Str); ok {
		return dictKey{string(s), true}, nil
	}
	h, err := HashKey(k)
	return dictKey{h, false}, err
}

// keyAt is the dictKey of the i-th key.
func (d *Dict) keyAt(i int) dictKey {
	if d.ext == nil || d.ext.hkeys == nil {
		return dictKey{string(d.keys[i].(Str)), true}
	}
	_, str := d.keys[i].(Str)
	return dictKey{d.ext.hkeys[i], str}
}

// find returns the position of key k, or -1.
func (d *Dict) find(k dictKey) int {
	x := d.ext
	if x == nil || x.hkeys == nil {
		if x != nil && x.indexed {
			return x.lookup(k)
		}
		if !k.str {
			return -1
		}
		want, lens := keyTag(k.h), d.lens
		for i, key := range d.keys {
			if lens&lenMask == want && string(key.(Str)) == k.h {
				return i
			}
			lens >>= lenBits
		}
		return -1
	}
	if x.indexed {
		return x.lookup(k)
	}
	for i, h := range x.hkeys {
		// The last bytes first: many keys of a dict have one length
		// (codes, ids), and this spares most of them the call that
		// compares whole texts.
		if len(h) == len(k.h) && (h == "" || h[len(h)-1] == k.h[len(h)-1]) && h == k.h {
			if _, str := d.keys[i].(Str); str == k.str {
				return i
			}
		}
	}
	return -1
}

// lookup returns the position of k in the index, or -1.
func (x *dictExt) lookup(k dictKey) int {
	m := x.strs
	if !k.str {
		m = x.others
	}
	if i, ok := m[k.h]; ok {
		return i
	}
	return -1
}

// remove takes k out of the index.
func (x *dictExt) remove(k dictKey) {
	if k.str {
		delete(x.strs, k.h)
	} else {
		delete(x.others, k.h)
	}
}

// put records k at position i in the index.
func (x *dictExt) put(k dictKey, i int) {
	if k.str {
		x.strs[k.h] = i
	} else {
		if x.others == nil {
			x.others = make(map[string]int)
		}
		x.others[k.h] = i
	}
}

// findStr returns the position of the str key k, or -1.
func (d *Dict) findStr(k string) int {
	return d.find(dictKey{k, true})
}

// findKey returns the position of key k, or -1; unhashable k is an error.
func (d *Dict) findKey(k Value) (int, error) {
	if n, ok := k.(Int); ok {
		// The text of an int key (as HashKey), built on the stack: a
		// lookup keeps nothing of it.
		var buf [24]byte
		t := strconv.AppendInt(append(buf[:0], 'i'), int64(n), 10)
		return d.find(dictKey{unsafe.String(&t[0], len(t)), false}), nil
	}
	dk, err := keyOf(k)
	if err != nil {
		return -1, err
	}
	return d.find(dk), nil
}

// buildIndex makes the index once the dict outgrows scanDict.
func (d *Dict) buildIndex() {
	if d.ext == nil {
		d.ext = &dictExt{}
	}
	x := d.ext
	x.indexed = true
	x.strs = make(map[string]int, 2*len(d.keys))
	for i := range d.keys {
		x.put(d.keyAt(i), i)
	}
}

// HashKey returns the key under which v is stored in a dict or set, or the
// TypeError "unhashable type: 'list'" for unhashable values.
func HashKey(v Value) (string, error) {
	switch x := v.(type) {
	case Str:
		return "s" + string(x), nil
	case Int:
		// One allocation: the text is built on the stack.
		var buf [24]byte
		buf[0] = 'i'
		return string(strconv.AppendInt(buf[:1], int64(x), 10)), nil
	}
	var b strings.Builder
	if err := writeHashKey(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeHashKey(b *strings.Builder, v Value) error {
	switch x := v.(type) {
	case nil, NoneType:
		b.WriteString("N")
	case Bool:
		if x {
			b.WriteString("i1")
		} else {
			b.WriteString("i0")
		}
	case Int:
		b.WriteString("i")
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case BigInt:
		b.WriteString("i")
		b.WriteString(x.V.String())
	case Float:
		f := float64(x)
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			bi, _ := new(big.Float).SetFloat64(f).Int(nil)
			b.WriteString("i")
			b.WriteString(bi.String())
			return nil
		}
		b.WriteString("f")
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	case Str:
		b.WriteString("s")
		b.WriteString(string(x))
	case Tuple:
		b.WriteString("t(")
		for i, it := range x {
			if i > 0 {
				b.WriteString("\x00,")
			}
			if err := writeHashKey(b, it); err != nil {
				return err
			}
		}
		b.WriteString("\x00)")
	case EllipsisType:
		b.WriteString("E")
	case Bytes:
		b.WriteString("b")
		b.WriteString(string(x))
	case Complex:
		if imag(x) == 0 {
			return writeHashKey(b, Float(real(x)))
		}
		b.WriteString("c")
		b.WriteString(strconv.FormatFloat(real(x), 'g', -1, 64))
		b.WriteString(",")
		b.WriteString(strconv.FormatFloat(imag(x), 'g', -1, 64))
	case *List, *Dict, *Set:
		return TypeErrorf("unhashable type: '%s'", v.TypeName())
	default:
		b.WriteString("o")
		b.WriteString(strconv.FormatUint(uint64(identity(v)), 16))
	}
	return nil
}

// Len is len(d).
func (d *Dict) Len() int { return len(d.keys) }

// Get returns d[k] and whether it exists; unhashable k is an error.
func (d *Dict) Get(k Value) (Value, bool, error) {
	i, err := d.findKey(k)
	if err != nil || i < 0 {
		return nil, false, err
	}
	return d.vals[i], true, nil
}

// GetStr returns d[k] for a string key.
func (d *Dict) GetStr(k string) (Value, bool) {
	i := d.findStr(k)
	if i < 0 {
		return nil, false
	}
	return d.vals[i], true
}

// Item is d[k] with Python's KeyError when k is absent.
func (d *Dict) Item(k Value) (Value, error) {
	v, ok, err := d.Get(k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, KeyError(k)
	}
	return v, nil
}

// Has is `k in d`.
func (d *Dict) Has(k Value) (bool, error) {
	_, ok, err := d.Get(k)
	return ok, err
}

// Set is d[k] = v: an existing equal key keeps its position and its
// original key object.
func (d *Dict) Set(k, v Value) error {
	dk, err := keyOf(k)
	if err != nil {
		return err
	}
	if i := d.find(dk); i >= 0 {
		d.vals[i] = v
		return nil
	}
	d.ownKeys()
	if d.keys == nil {
		// Most dicts stay small: start in the inline storage.
		d.keys = d.inline.kv[:0:firstDictCap]
		d.vals = d.inline.kv[firstDictCap : firstDictCap : 2*firstDictCap]
	}
	if (!dk.str || len(d.keys) >= smallDict) && (d.ext == nil || d.ext.hkeys == nil) {
		d.textKeys()
	}
	if len(d.keys) == cap(d.keys) || len(d.vals) == cap(d.vals) {
		d.grow()
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	x := d.ext
	if x != nil && x.hkeys != nil {
		x.hkeys = append(x.hkeys, dk.h)
	}
	if n := len(d.keys) - 1; n < smallDict {
		d.lens |= keyTag(dk.h) << (lenBits * n)
	}
	switch {
	case x != nil && x.indexed:
		x.put(dk, len(d.keys)-1)
	case len(d.keys) > scanDict:
		d.buildIndex()
	}
	return nil
}

// SetStr is d[k] = v for a string key.
func (d *Dict) SetStr(k string, v Value) {
	_ = d.Set(Str(k), v)
}

// With sets a string key and returns d, for building literals:
// NewDict().With("a", Int(1)).With("b", None).
func (d *Dict) With(k string, v Value) *Dict {
	d.SetStr(k, v)
	return d
}

// Pop removes k and returns its value (ok false when absent).
func (d *Dict) Pop(k Value) (Value, bool, error) {
	i, err := d.findKey(k)
	if err != nil || i < 0 {
		return nil, false, err
	}
	v := d.vals[i]
	d.ownKeys()
	x := d.ext
	if x != nil && x.indexed {
		x.remove(d.keyAt(i))
	}
	if i < smallDict {
		low := d.lens & (1<<(lenBits*i) - 1)
		d.lens = low | d.lens>>(lenBits*(i+1))<<(lenBits*i)
	}
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i], d.vals[i+1:]...)
	if x != nil && x.hkeys != nil {
		x.hkeys = append(x.hkeys[:i], x.hkeys[i+1:]...)
	}
	if x != nil && x.indexed {
		for j := i; j < len(d.keys); j++ {
			x.put(d.keyAt(j), j)
		}
	}
	return v, true, nil
}

// Keys returns the keys in insertion order (a fresh slice).
func (d *Dict) Keys() []Value { return append([]Value(nil), d.keys...) }

// Values returns the values in insertion order (a fresh slice).
func (d *Dict) Values() []Value { return append([]Value(nil), d.vals...) }

// KeyAt and ValueAt give the i-th entry in insertion order.
func (d *Dict) KeyAt(i int) Value { return d.keys[i] }

// ValueAt gives the i-th value in insertion order.
func (d *Dict) ValueAt(i int) Value { return d.vals[i] }

// SetValueAt sets the i-th value in insertion order; the keys stay as
// they are (a copy's keys may be shared, its values never are).
func (d *Dict) SetValueAt(i int, v Value) { d.vals[i] = v }

// Copy is d.copy() (shallow).
func (d *Dict) Copy() *Dict {
	c := d.withKeys()
	copy(c.vals, d.vals)
	return c
}

// withKeys is a dict with d's keys, shared, and values to be filled in
// (all nil).
func (d *Dict) withKeys() *Dict {
	if !d.sharedKeys.Load() {
		d.sharedKeys.Store(true)
	}
	c := &Dict{keys: d.keys, ext: d.ext, lens: d.lens}
	c.sharedKeys.Store(true)
	if n := len(d.vals); n <= len(c.inline.kv) {
		// The keys live elsewhere: all the inline storage is for the
		// values.
		c.vals = c.inline.kv[:n]
	} else {
		c.vals = make([]Value, n)
	}
	return c
}

// grow moves keys and vals into one new array with room for more keys
// (one allocation instead of one for each).
func (d *Dict) grow() {
	n := max(2*len(d.keys), firstDictCap)
	kv := make([]Value, 2*n)
	d.keys = append(kv[:0:n], d.keys...)
	d.vals = append(kv[n:n:2*n], d.vals...)
}

// textKeys makes hkeys for the str keys so far, before the first key of
// another type or the key after the smallDict-th is added (the keys are
// then d's own).
func (d *Dict) textKeys() {
	if d.ext == nil {
		d.ext = &dictExt{}
	}
	h := make([]string, len(d.keys), cap(d.keys))
	for i, k := range d.keys {
		h[i] = string(k.(Str))
	}
	d.ext.hkeys = h
}

// ownKeys gives d its own keys and ext before it changes them,
// when they may be shared.
func (d *Dict) ownKeys() {
	if !d.sharedKeys.Load() {
		return
	}
	d.keys = append(make([]Value, 0, len(d.keys)+1), d.keys...)
	if x := d.ext; x != nil {
		d.ext = &dictExt{
			indexed: x.indexed,
			strs:    maps.Clone(x.strs),
			others:  maps.Clone(x.others),
		}
		if x.hkeys != nil {
			d.ext.hkeys = append(make([]string, 0, len(x.hkeys)+1), x.hkeys...)
		}
	}
	d.sharedKeys.Store(false)
}

// Set is a Python set. Iteration follows insertion order (CPython's order
// depends on hashes; nothing the backends print depends on it).
type Set struct{ d *Dict }

// TypeName implements Value.
func (*Set) TypeName() string { return "set" }

// NewSet makes a set of the given items (unhashable items are an error).
func NewSet(items ...Value) (*Set, error) {
	s := &Set{d: NewDict()}
	for _, it := range items {
		if err := s.Add(it); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add is s.add(v).
func (s *Set) Add(v Value) error { return s.d.Set(v, None) }

// Has is `v in s`.
func (s *Set) Has(v Value) (bool, error) { return s.d.Has(v) }

// Remove is s.discard(v); it reports whether v was there.
func (s *Set) Remove(v Value) (bool, error) {
	_, ok, err := s.d.Pop(v)
	return ok, err
}

// Len is len(s).
func (s *Set) Len() int { return s.d.Len() }

// Items returns the members in insertion order.
func (s *Set) Items() []Value { return s.d.Keys() }

// Copy is s.copy().
func (s *Set) Copy() *Set { return &Set{d: s.d.Copy()} }
