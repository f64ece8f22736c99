package py

import (
	"sync"
	"unsafe"
)

// FrozenList is a list of scalars (str, int, float, bool, None, Ellipsis)
// that never changes, such as a long-context constant, with its json.dumps
// and repr texts made once. Copy hands out ordinary, independent lists; until such
// a copy's items are changed, rendering it writes the stored text instead
// of formatting every item again.
type FrozenList struct {
	items []Value
	// dumpable says json.dumps accepts every item (no Ellipsis): only
	// then is there a stored json text.
	dumpable bool

	jsonOnce, reprOnce sync.Once
	json, repr         string
}

// Freeze returns the FrozenList of l's current items, or nil when an item
// is not a scalar (a container could change under the stored text). l
// itself must not change afterwards.
func Freeze(l *List) *FrozenList {
	dumpable := true
	for _, it := range l.Items {
		switch it.(type) {
		case Str, Int, Float, Bool, NoneType:
		case EllipsisType:
			dumpable = false
		default:
			return nil
		}
	}
	return &FrozenList{items: l.Items, dumpable: dumpable}
}

// Copy is a fresh list with the frozen items (list(l)), which renders from
// the stored texts while its items stay the same. It borrows the frozen
// array until it changes it in place (List.Own); its capacity ends at its
// length, so an append moves it.
func (f *FrozenList) Copy() *List {
	n := len(f.items)
	return &List{Items: f.items[:n:n], frozen: f, borrowed: true}
}

// Items returns the frozen items, which the caller must not change.
func (f *FrozenList) Items() []Value { return f.items }

// jsonText is json.dumps(items) with ensure_ascii; only for a dumpable
// list.
func (f *FrozenList) jsonText() string {
	f.jsonOnce.Do(func() {
		b := getBuf()
		_ = dumpItems(b, f.items, nil, true)
		f.json = b.release()
	})
	return f.json
}

// reprText is repr(items).
func (f *FrozenList) reprText() string {
	f.reprOnce.Do(func() {
		b := getBuf()
		b.WriteByte('[')
		writeItems(b, f.items, nil)
		b.WriteByte(']')
		f.repr = b.release()
	})
	return f.repr
}

// frozenOf returns the FrozenList l was copied from when l still holds
// exactly its items (the same values in the same order), else nil.
func frozenOf(l *List) *FrozenList {
	f := l.frozen
	if f == nil || len(l.Items) != len(f.items) {
		return nil
	}
	if len(f.items) > 0 && &l.Items[0] == &f.items[0] {
		// Still the frozen array (borrowed): the same items.
		return f
	}
	for i, it := range l.Items {
		if !sameValue(it, f.items[i]) {
			return nil
		}
	}
	return f
}

// sameValue reports whether a and b are the same interface value: the
// same dynamic type and the same data word. For the scalars a FrozenList
// holds, this means the same value (a replaced item, even an equal one,
// counts as a change; that only costs the fast path).
func sameValue(a, b Value) bool {
	type eface struct{ typ, data unsafe.Pointer }
	ea := (*eface)(unsafe.Pointer(&a))
	eb := (*eface)(unsafe.Pointer(&b))
	return ea.typ == eb.typ && ea.data == eb.data
}
