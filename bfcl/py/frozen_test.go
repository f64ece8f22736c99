package py

import "testing"

func frozenSample() *List {
	return NewList(Float(227.16), Float(0.1), Int(3), Str("é'x\""), Str("plain"), Bool(true), None, Float(1e22))
}

// A copy of a frozen list renders exactly as the same list built plainly,
// before and after its items change.
func TestFrozenListCopyRendersAsPlainList(t *testing.T) {
	f := Freeze(frozenSample())
	if f == nil {
		t.Fatal("Freeze refused a list of scalars")
	}
	mutations := []struct {
		name string
		do   func(l *List)
	}{
		{"unchanged", func(*List) {}},
		{"append", func(l *List) { l.Append(Float(2.5)) }},
		{"item set", func(l *List) { l.Own(); l.Items[0] = Float(1.25) }},
		{"item set to an equal value", func(l *List) { l.Own(); l.Items[2] = Int(3) }},
		{"remove", func(l *List) { l.Own(); l.Items = append(l.Items[:1], l.Items[2:]...) }},
		{"truncate and append", func(l *List) { l.Own(); l.Items = append(l.Items[:0], Int(5)) }},
		{"truncate", func(l *List) { l.Items = l.Items[:0] }},
	}
	for _, m := range mutations {
		got, want := f.Copy(), frozenSample()
		m.do(got)
		m.do(want)
		for _, r := range renderers {
			// Twice: the first rendering may drop the stored text.
			for i := 0; i < 2; i++ {
				if g, w := r.f(got), r.f(want); g != w {
					t.Errorf("%s, %s: %s, want %s", m.name, r.name, g, w)
				}
			}
		}
	}
}

// Copies are independent: changing one changes neither the others nor
// what a later copy holds.
func TestFrozenListCopiesAreIndependent(t *testing.T) {
	f := Freeze(frozenSample())
	a, b := f.Copy(), f.Copy()
	if err := SetItem(a, Int(0), Str("changed")); err != nil {
		t.Fatal(err)
	}
	a.Append(Int(9))
	if err := ListRemove(a, Int(9)); err != nil {
		t.Fatal(err)
	}
	want := Repr(frozenSample())
	for name, l := range map[string]*List{"other copy": b, "later copy": f.Copy()} {
		if got := Repr(l); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

// A copy borrows the frozen array until it changes it in place: an item
// set, a removal or an append changes neither the frozen items nor a copy
// made before or after.
func TestFrozenListCopyBorrowsUntilItChanges(t *testing.T) {
	f := Freeze(frozenSample())
	edits := []struct {
		name string
		do   func(l *List) error
	}{
		{"SetItem", func(l *List) error { return SetItem(l, Int(1), Str("x")) }},
		{"ListRemove", func(l *List) error { return ListRemove(l, Int(3)) }},
		{"Append", func(l *List) error { l.Append(Int(7)); return nil }},
		{"Own then truncate and append", func(l *List) error { l.Own(); l.Items = append(l.Items[:0], Int(5)); return nil }},
	}
	want := Repr(frozenSample())
	for _, e := range edits {
		before := f.Copy()
		edited := f.Copy()
		if &edited.Items[0] != &f.Items()[0] {
			t.Fatalf("%s: a fresh copy does not borrow the frozen array", e.name)
		}
		if err := e.do(edited); err != nil {
			t.Fatal(err)
		}
		if Repr(edited) == want {
			t.Fatalf("%s: the edit changed nothing", e.name)
		}
		for name, l := range map[string]*List{"copy made before": before, "copy made after": f.Copy(), "frozen items": NewList(f.Items()...)} {
			if got := Repr(l); got != want {
				t.Errorf("%s: %s holds %s, want %s", e.name, name, got, want)
			}
		}
	}
}

// Only lists of scalars freeze: a container item could change under the
// stored text.
func TestFreezeRefusesContainers(t *testing.T) {
	for _, l := range []*List{NewList(NewList()), NewList(Int(1), NewDict()), NewList(Tuple{Int(1)})} {
		if Freeze(l) != nil {
			t.Errorf("Freeze(%s) accepted a container item", Repr(l))
		}
	}
}

// A list holding Ellipsis (as the long-context watch list does) freezes;
// its copy renders as the plain list, and json.dumps refuses it as it
// refuses the plain list.
func TestFrozenListWithEllipsis(t *testing.T) {
	sample := func() *List { return NewList(Str("AAPL"), Ellipsis, Int(1)) }
	f := Freeze(sample())
	if f == nil {
		t.Fatal("Freeze refused a list holding Ellipsis")
	}
	got, want := f.Copy(), sample()
	for i := 0; i < 2; i++ {
		if g, w := Repr(got), Repr(want); g != w {
			t.Errorf("Repr %s, want %s", g, w)
		}
		for _, dump := range []func(Value) (string, error){Dumps, DumpsUnicode} {
			gs, gerr := dump(got)
			ws, werr := dump(want)
			if gs != ws || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Errorf("dumps %q, %v; want %q, %v", gs, gerr, ws, werr)
			}
			if werr == nil {
				t.Errorf("json.dumps accepted Ellipsis: %q", ws)
			}
		}
	}
}

// renderer is one of the ways a value is rendered, by name.
type renderer struct {
	name string
	f    func(Value) string
}

// renderers are repr, json.dumps and json.dumps(ensure_ascii=False).
var renderers = []renderer{
	{"Repr", Repr},
	{"Dumps", func(v Value) string { s, _ := Dumps(v); return s }},
	{"DumpsUnicode", func(v Value) string { s, _ := DumpsUnicode(v); return s }},
}
