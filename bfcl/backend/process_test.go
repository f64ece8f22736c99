package backend

import (
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

const testConstants = `{"PRICES": [1.5, 2.25, 3.0], "NAMES": ["a", "b"], "NESTED": [[1], {"k": 2}]}`

// Each process gets its own copy of a constant: a change made through one
// process's copy (as a backend's in-place list edit would) is seen by that
// process again, but not by another process nor by a later one, and the
// other copies still render as the file says.
func TestConstantCopiesArePerProcess(t *testing.T) {
	consts, err := ParseConstants([]byte(testConstants))
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(l *py.List){
		"PRICES": func(l *py.List) { _ = py.SetItem(l, py.Int(0), py.Float(99)); l.Append(py.Float(4)) },
		"NAMES":  func(l *py.List) { l.Own(); l.Items = append(l.Items[:0], py.Str("z")) },
		"NESTED": func(l *py.List) { l.Items[0].(*py.List).Append(py.Int(7)) },
	}
	for name, edit := range edits {
		a, b := NewProcess(consts), NewProcess(consts)
		want := constantText(t, b, name)
		va, _ := a.Constant(name)
		edit(va.(*py.List))
		edited := constantText(t, a, name)
		if edited == want {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		if got := constantText(t, a, name); got != edited {
			t.Errorf("%s: the same process sees %s, want its edit %s", name, got, edited)
		}
		if got := constantText(t, b, name); got != want {
			t.Errorf("%s: another process sees %s, want %s", name, got, want)
		}
		if got := constantText(t, NewProcess(consts), name); got != want {
			t.Errorf("%s: a later process sees %s, want %s", name, got, want)
		}
	}
}

func constantText(t *testing.T, p *Process, name string) string {
	t.Helper()
	v, err := p.Constant(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := py.Dumps(v)
	if err != nil {
		t.Fatal(err)
	}
	// EncodeState reads the items themselves, never a stored text.
	return py.Repr(v) + " " + s + " " + py.EncodeState(v)
}

// ConstantItems reads the file's items until the process has its own
// copy, and that copy, edits included, afterwards; other processes keep
// reading the file's items.
func TestConstantItemsFollowTheProcessCopy(t *testing.T) {
	consts, err := ParseConstants([]byte(testConstants))
	if err != nil {
		t.Fatal(err)
	}
	items := func(p *Process) string {
		t.Helper()
		it, err := p.ConstantItems("NAMES")
		if err != nil {
			t.Fatal(err)
		}
		return py.Repr(py.NewList(it...))
	}
	a, b := NewProcess(consts), NewProcess(consts)
	if got := items(a); got != "['a', 'b']" {
		t.Fatalf("before any copy: %s", got)
	}
	v, _ := a.Constant("NAMES")
	v.(*py.List).Append(py.Str("c"))
	if got := items(a); got != "['a', 'b', 'c']" {
		t.Errorf("after an edit of the process copy: %s, want the edit", got)
	}
	if got := items(b); got != "['a', 'b']" {
		t.Errorf("another process: %s", got)
	}
	if _, err := a.ConstantItems("NESTED"); err != nil {
		t.Errorf("a list of containers: %v", err)
	}
}

// JoinedConstant hands out fresh lists: one changed in place leaves the
// lists of later calls, in the same process or another, as head + the
// file's items; a process holding its own copy of the constant is left to
// join that copy itself.
func TestJoinedConstantListsAreFresh(t *testing.T) {
	consts, err := ParseConstants([]byte(testConstants))
	if err != nil {
		t.Fatal(err)
	}
	const want = "['x', 'y', 'a', 'b']"
	joined := func(p *Process) *py.List {
		t.Helper()
		l, ok := p.JoinedConstant([]string{"x", "y"}, "NAMES")
		if !ok {
			t.Fatal("JoinedConstant: not ok for a process without a copy")
		}
		return l
	}
	a, b := NewProcess(consts), NewProcess(consts)
	first := joined(a)
	if got := py.Repr(first); got != want {
		t.Fatalf("joined list %s, want %s", got, want)
	}
	for i := range first.Items {
		if err := py.SetItem(first, py.Int(i), py.Str("z")); err != nil {
			t.Fatal(err)
		}
	}
	first.Append(py.Str("w"))
	for name, p := range map[string]*Process{"same process": a, "another process": b} {
		l := joined(p)
		if got := py.Repr(l); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
		if got, _ := py.Dumps(l); got != `["x", "y", "a", "b"]` {
			t.Errorf("%s: json %s", name, got)
		}
	}
	if _, ok := a.JoinedConstant([]string{"x"}, "NESTED"); ok {
		t.Error("a list of containers is joined from a frozen list")
	}
	if _, err := a.Constant("NAMES"); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.JoinedConstant([]string{"x"}, "NAMES"); ok {
		t.Error("a process holding its own copy is joined from the file's items")
	}
}

// JoinedConstant keeps at most maxJoinedLists heads: past that, a new
// head is left to the caller, while the kept ones are still joined.
func TestJoinedConstantBounded(t *testing.T) {
	consts, err := ParseConstants([]byte(testConstants))
	if err != nil {
		t.Fatal(err)
	}
	p := NewProcess(consts)
	for i := 0; i < maxJoinedLists+10; i++ {
		head := []string{strconv.Itoa(i)}
		l, ok := p.JoinedConstant(head, "NAMES")
		if ok != (i < maxJoinedLists) {
			t.Fatalf("head %d: ok %v", i, ok)
		}
		if ok {
			if got, want := py.Repr(l), "['"+head[0]+"', 'a', 'b']"; got != want {
				t.Fatalf("head %d: %s, want %s", i, got, want)
			}
		}
	}
	if _, ok := p.JoinedConstant([]string{"0"}, "NAMES"); !ok {
		t.Error("a kept head is no longer joined")
	}
	if n := int(consts.joined.n.Load()); n != maxJoinedLists {
		t.Errorf("%d heads kept, want %d", n, maxJoinedLists)
	}
}

// ConstantsMemo keeps one value per key for all processes of the same
// constants, and keeps nothing for a process without constants.
func TestConstantsMemo(t *testing.T) {
	consts, err := ParseConstants([]byte(`{"A": [1]}`))
	if err != nil {
		t.Fatal(err)
	}
	builds := 0
	build := func() any { builds++; return &builds }
	tests := []struct {
		name       string
		proc       *Process
		key        string
		wantBuilds int
	}{
		{"first use", NewProcess(consts), "k", 1},
		{"other process, same constants", NewProcess(consts), "k", 1},
		{"other key", NewProcess(consts), "k2", 2},
		{"no constants", NewProcess(nil), "k", 3},
		{"no constants again", NewProcess(nil), "k", 4},
	}
	for _, tt := range tests {
		if got := tt.proc.ConstantsMemo(tt.key, build); got != &builds {
			t.Errorf("%s: got %v", tt.name, got)
		}
		if builds != tt.wantBuilds {
			t.Errorf("%s: %d builds, want %d", tt.name, builds, tt.wantBuilds)
		}
	}
}

// Memo keys of different key lists differ, even where the keys' texts
// run together the same way; a dict with a key other than a str has none.
func TestKeysMemoKey(t *testing.T) {
	dict := func(keys ...py.Value) *py.Dict {
		d := py.NewDict()
		for _, k := range keys {
			if err := d.Set(k, py.None); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	cases := []struct {
		name string
		d    *py.Dict
		key  string
		ok   bool
	}{
		{"no keys", dict(), "p", true},
		{"two keys", dict(py.Str("a"), py.Str("bc")), "p\x001:a\x002:bc", true},
		{"one key holding the separator", dict(py.Str("a\x001:b")), "p\x005:a\x001:b", true},
		{"an int key", dict(py.Str("a"), py.Int(1)), "", false},
	}
	for _, c := range cases {
		key, ok := KeysMemoKey("p", c.d)
		if key != c.key || ok != c.ok {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, key, ok, c.key, c.ok)
		}
	}
	a, _ := KeysMemoKey("p", dict(py.Str("a"), py.Str("b")))
	b, _ := KeysMemoKey("p", dict(py.Str("a\x001:b")))
	if a == b {
		t.Errorf("two key lists share the memo key %q", a)
	}
}

// Heads whose strs run together the same way (a head comes from a model's
// calls and may hold NUL bytes) get lists of their own.
func TestJoinedConstantKeepsHeadsApart(t *testing.T) {
	consts, err := ParseConstants([]byte(testConstants))
	if err != nil {
		t.Fatal(err)
	}
	p := NewProcess(consts)
	for _, head := range [][]string{{"a\x00", "b"}, {"a", "\x00b"}} {
		l, ok := p.JoinedConstant(head, "NAMES")
		if !ok {
			t.Fatalf("head %q: not joined", head)
		}
		want := py.Repr(py.StrList(append(head, "a", "b")...))
		if got := py.Repr(l); got != want {
			t.Errorf("head %q: %s, want %s", head, got, want)
		}
	}
}

// keyPartLen is the length writeKeyPart appends, for part lengths around
// each power of ten.
func TestKeyPartLen(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345} {
		part := strings.Repeat("k", n)
		var b strings.Builder
		writeKeyPart(&b, part)
		if got, want := keyPartLen(part), b.Len(); got != want {
			t.Errorf("length %d: %d, want %d", n, got, want)
		}
	}
}
