package backend

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The expected texts were printed by CPython 3.11 for a class C with
// methods m(self, a, b=1), n(self) and o(self, a, b, c).
func TestBindErrors(t *testing.T) {
	m := &Method{Name: "m", Params: []Param{Req("a"), Opt("b", py.Int(1))}}
	n := &Method{Name: "n"}
	o := &Method{Name: "o", Params: []Param{Req("a"), Req("b"), Req("c")}}
	one, two := py.Int(1), py.Int(2)
	cases := []struct {
		m    *Method
		pos  []py.Value
		kw   []KwArg
		want string
	}{
		{m, []py.Value{one, two, one}, nil, "C.m() takes from 2 to 3 positional arguments but 4 were given"},
		{m, []py.Value{one, two, one}, []KwArg{{"a", one}}, "C.m() got multiple values for argument 'a'"},
		{m, []py.Value{one}, []KwArg{{"z", two}}, "C.m() got an unexpected keyword argument 'z'"},
		{m, nil, nil, "C.m() missing 1 required positional argument: 'a'"},
		{m, nil, []KwArg{{"b", two}}, "C.m() missing 1 required positional argument: 'a'"},
		{n, []py.Value{one}, nil, "C.n() takes 1 positional argument but 2 were given"},
		{n, []py.Value{one, two}, nil, "C.n() takes 1 positional argument but 3 were given"},
		{o, nil, nil, "C.o() missing 3 required positional arguments: 'a', 'b', and 'c'"},
		{o, []py.Value{one}, nil, "C.o() missing 2 required positional arguments: 'b' and 'c'"},
		{o, []py.Value{one, one, one, one}, nil, "C.o() takes 4 positional arguments but 5 were given"},
	}
	stale := []py.Value{two, two, two, two}
	for i, c := range cases {
		_, err := Bind("C", c.m, c.pos, c.kw)
		if err == nil || err.Error() != c.want {
			t.Errorf("case %d: %v, want %q", i, err, c.want)
		}
		for _, buf := range [][]py.Value{stale[:0], stale[:0:1]} {
			_, err := BindInto(buf, "C", c.m, c.pos, c.kw)
			if err == nil || err.Error() != c.want {
				t.Errorf("case %d, BindInto with cap %d: %v, want %q", i, cap(buf), err, c.want)
			}
		}
	}
	args, err := Bind("C", m, []py.Value{two}, nil)
	if err != nil || len(args) != 2 || args[0] != two || args[1] != one {
		t.Fatalf("Bind with default = %v, %v", args, err)
	}
}

// BindInto binds into the buffer when it is large enough, whatever it
// held, and into a new slice otherwise.
func TestBindInto(t *testing.T) {
	m := &Method{Name: "m", Params: []Param{Req("a"), Opt("b", py.Int(1)), OptShared("c")}}
	one, two := py.Int(1), py.Int(2)
	for _, size := range []int{0, 2, 3, 8} {
		buf := make([]py.Value, size)
		for i := range buf {
			buf[i] = py.Str("stale")
		}
		args, err := BindInto(buf[:0], "C", m, []py.Value{two}, nil)
		if err != nil || len(args) != 3 || args[0] != two || args[1] != one || args[2] != nil {
			t.Fatalf("cap %d: BindInto = %v, %v", size, args, err)
		}
		reused := size > 0 && &args[0] == &buf[0]
		if want := size >= 3; reused != want {
			t.Errorf("cap %d: buffer reused %v, want %v", size, reused, want)
		}
	}
}

// SliceTo is Python's items[:stop].
func TestSliceTo(t *testing.T) {
	items := []py.Value{py.Int(1), py.Int(2), py.Int(3)}
	tests := []struct {
		stop py.Value
		want int
		err  string
	}{
		{py.None, 3, ""}, {py.Int(2), 2, ""}, {py.Int(0), 0, ""}, {py.Int(-1), 2, ""}, {py.Int(-5), 0, ""},
		{py.Int(9), 3, ""}, {py.Bool(true), 1, ""}, {py.Float(1), 0, "slice indices must be integers or None or have an __index__ method"},
	}
	for _, tc := range tests {
		got, err := SliceTo(items, tc.stop)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("[:%s]: error %v, want %q", py.Repr(tc.stop), err, tc.err)
			}
		case err != nil || len(got) != tc.want:
			t.Errorf("[:%s]: %d items (%v), want %d", py.Repr(tc.stop), len(got), err, tc.want)
		}
	}
}
