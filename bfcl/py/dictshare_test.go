package py

import (
	"fmt"
	"testing"
)

func sampleDict(n int) *Dict {
	d := NewDict()
	for i := 0; i < n; i++ {
		d.SetStr(fmt.Sprintf("k%d", i), Int(i))
	}
	_ = d.Set(Int(7), NewList(Int(1)))
	return d
}

// Copies made by Copy and DeepCopy share their key arrays with the
// original until one of them changes its keys: a key added, popped or
// re-set in one is never seen in the other, for small dicts and for dicts
// with an index, whichever side changes, and again after a second change.
func TestDictCopiesKeepTheirOwnKeys(t *testing.T) {
	copiers := map[string]func(*Dict) *Dict{
		"Copy":     (*Dict).Copy,
		"DeepCopy": func(d *Dict) *Dict { return DeepCopy(d).(*Dict) },
	}
	edits := map[string]func(*Dict){
		"add":      func(d *Dict) { d.SetStr("new", Int(-1)) },
		"pop":      func(d *Dict) { _, _, _ = d.Pop(Str("k0")) },
		"pop last": func(d *Dict) { _, _, _ = d.Pop(Int(7)) },
		"set":      func(d *Dict) { d.SetStr("k1", Str("x")) },
		"pop, add": func(d *Dict) { _, _, _ = d.Pop(Str("k1")); d.SetStr("k1", Int(1)) },
	}
	for _, n := range []int{2, 3, 6, 7, 20} {
		for cname, cp := range copiers {
			for ename, edit := range edits {
				for _, editCopy := range []bool{true, false} {
					orig := sampleDict(n)
					c := cp(orig)
					sibling := cp(orig)
					changed, other := c, orig
					if !editCopy {
						changed, other = orig, c
					}
					want := Repr(sampleDict(n))
					edit(changed)
					edit(changed)
					for name, d := range map[string]*Dict{"other": other, "sibling": sibling} {
						if got := Repr(d); got != want {
							t.Errorf("n=%d %s, %s on the copy=%v: %s is %s, want %s", n, cname, ename, editCopy, name, got, want)
						}
						// Lookups must agree with the printed keys.
						for i := 0; i < d.Len(); i++ {
							if v, ok, _ := d.Get(d.KeyAt(i)); !ok || v != d.ValueAt(i) && Repr(v) != Repr(d.ValueAt(i)) {
								t.Errorf("n=%d %s, %s: %s lost key %s", n, cname, ename, name, Repr(d.KeyAt(i)))
							}
						}
					}
					ref := sampleDict(n)
					edit(ref)
					edit(ref)
					if got, want := Repr(changed), Repr(ref); got != want {
						t.Errorf("n=%d %s, %s on the copy=%v: the edited dict is %s, want %s", n, cname, ename, editCopy, got, want)
					}
				}
			}
		}
	}
}

// A str key and a key of another type whose HashKey text equals the
// string (the str "i5" and the int 5) stay two keys, in small dicts and in
// indexed ones, through sets, lookups and removals; 5, 5.0 and True-like
// equal numbers stay one key.
func TestDictStrKeysApartFromOtherKeys(t *testing.T) {
	for _, filler := range []int{0, 20} {
		d := NewDict()
		for i := 0; i < filler; i++ {
			d.SetStr(fmt.Sprintf("f%d", i), Int(i))
		}
		_ = d.Set(Str("i5"), Str("str"))
		_ = d.Set(Int(5), Str("int"))
		_ = d.Set(Float(5.0), Str("float"))
		_ = d.Set(Str("N"), Str("str N"))
		_ = d.Set(None, Str("none"))
		if d.Len() != filler+4 {
			t.Fatalf("filler %d: %d keys, want %d: %s", filler, d.Len(), filler+4, Repr(d))
		}
		check := func(k Value, want string) {
			t.Helper()
			v, ok, err := d.Get(k)
			if err != nil || !ok || v != Str(want) {
				t.Errorf("filler %d: d[%s] = %v, %v, %v; want %q", filler, Repr(k), v, ok, err, want)
			}
		}
		check(Str("i5"), "str")
		check(Int(5), "float")
		check(Str("N"), "str N")
		check(None, "none")
		if _, ok, _ := d.Pop(Int(5)); !ok {
			t.Fatalf("filler %d: pop 5 failed", filler)
		}
		check(Str("i5"), "str")
		if _, ok, _ := d.Get(Int(5)); ok {
			t.Errorf("filler %d: 5 still there after pop", filler)
		}
	}
}

// DeepCopy keeps sharing inside the value (a container reachable twice
// is copied once) whether few or many containers come before the second
// path to it, and a value holding itself is copied with the cycle.
func TestDeepCopyKeepsSharing(t *testing.T) {
	for _, before := range []int{0, 5, 40} {
		shared := NewList(Int(1))
		outer := NewList()
		outer.Append(shared)
		for i := 0; i < before; i++ {
			outer.Append(NewDict().With("i", Int(i)))
		}
		outer.Append(shared)
		outer.Append(outer)
		c := DeepCopy(outer).(*List)
		first, last := c.Items[0].(*List), c.Items[len(c.Items)-2].(*List)
		if first != last {
			t.Errorf("%d containers between: the shared list was copied twice", before)
		}
		if first == shared {
			t.Errorf("%d containers between: the shared list was not copied", before)
		}
		if c.Items[len(c.Items)-1] != Value(c) {
			t.Errorf("%d containers between: the self-reference does not point at the copy", before)
		}
	}
}

// Whatever the order in which str and other keys come (a dict keeps no
// key texts while all its keys are str), lookups, copies and removals
// find each key.
func TestDictKeyOrderMixes(t *testing.T) {
	orders := [][]Value{
		{Int(1), Str("a"), Str("i1"), None},
		{Str("a"), Str("b"), Int(1), Str("i1")},
		{Str("a"), Str("b"), Str("c"), Str("d"), Str("e"), Str("f"), Str("g"), Str("h"), Str("i"), Int(1), Str("i1")},
	}
	for _, keys := range orders {
		d := NewDict()
		for i, k := range keys {
			_ = d.Set(k, Int(i))
		}
		for _, d := range []*Dict{d, d.Copy(), DeepCopy(d).(*Dict)} {
			for i, k := range keys {
				if v, ok, _ := d.Get(k); !ok || v != Int(i) {
					t.Errorf("%s: d[%s] = %v, %v; want %d", Repr(d), Repr(k), v, ok, i)
				}
			}
			_, _, _ = d.Pop(keys[0])
			if _, ok, _ := d.Get(keys[0]); ok {
				t.Errorf("%s: %s still there after pop", Repr(d), Repr(keys[0]))
			}
			for i, k := range keys[1:] {
				if v, ok, _ := d.Get(k); !ok || v != Int(i+1) {
					t.Errorf("after pop %s: d[%s] = %v, %v", Repr(d), Repr(k), v, ok)
				}
			}
		}
	}
}
