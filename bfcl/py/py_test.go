package py

import (
	"math"
	"math/big"
	"testing"
)

// The expected strings below were printed by CPython 3.11.

func TestFloatRepr(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0.1, "0.1"}, {1e16, "1e+16"}, {1e-05, "1e-05"}, {10000.0, "10000.0"},
		{1.5e20, "1.5e+20"}, {123456789012345.6, "123456789012345.6"}, {0.0001, "0.0001"},
		{-2.5, "-2.5"}, {1e22, "1e+22"}, {5e-324, "5e-324"}, {3.0, "3.0"}, {1.0 / 3, "0.3333333333333333"},
	}
	for _, c := range cases {
		if got := FloatRepr(c.in); got != c.want {
			t.Errorf("FloatRepr(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDumps(t *testing.T) {
	d := NewDict().With("a", Str("é🚀\n\x01\x7f/"))
	_ = d.Set(Int(1), Bool(true))
	_ = d.Set(Float(1.5), None)
	_ = d.Set(None, NewList(Int(1), Float(2)))
	_ = d.Set(Bool(true), Str("x"))
	_ = d.Set(Bool(false), Tuple{Int(1)})
	got, err := Dumps(d)
	want := `{"a": "\u00e9\ud83d\ude80\n\u0001\u007f/", "1": "x", "1.5": null, "null": [1, 2.0], "false": [1]}`
	if err != nil || got != want {
		t.Fatalf("Dumps = %s, %v\nwant %s", got, err, want)
	}
	s, _ := NewSet(Int(1))
	if _, err := Dumps(NewDict().With("s", s)); err == nil || err.Error() != "Object of type set is not JSON serializable" {
		t.Fatalf("Dumps(set) error = %v", err)
	}
}

func TestRepr(t *testing.T) {
	cases := []struct {
		in   Value
		want string
	}{
		{Str("it's"), `"it's"`},
		{Str(`a"b'c`), `'a"b\'c'`},
		{Str("\x00\u200b\u00a0é\t"), `'\x00\u200b\xa0é\t'`},
		{Str("🚀"), `'🚀'`},
		{Str("\U0001fa75\U00031350\u0cf3"), `'\U0001fa75\U00031350\u0cf3'`}, // assigned in Unicode 15
		{NewList(Int(1), Str("a"), None, Bool(false), Float(2)), `[1, 'a', None, False, 2.0]`},
		{Tuple{Int(1)}, `(1,)`},
		{NewDict().With("result", Float(2)), `{'result': 2.0}`},
		{BigInt{V: new(big.Int).Lsh(big.NewInt(1), 70)}, "1180591620717411303424"},
	}
	for _, c := range cases {
		if got := Repr(c.in); got != c.want {
			t.Errorf("Repr = %s, want %s", got, c.want)
		}
	}
}

func TestEqAndKeys(t *testing.T) {
	if !Eq(Int(1), Float(1)) || !Eq(Bool(true), Int(1)) || Eq(Int(1), Str("1")) {
		t.Fatal("numeric equality")
	}
	d := NewDict()
	_ = d.Set(Str("1"), Int(0))
	_ = d.Set(Int(1), Int(1))
	_ = d.Set(Float(1), Int(2))
	if d.Len() != 2 || Repr(d) != "{'1': 0, 1: 2}" {
		t.Fatalf("mixed keys: %s", Repr(d))
	}
	a := NewDict().With("x", Int(1)).With("y", Int(2))
	b := NewDict().With("y", Int(2)).With("x", Float(1))
	if !Eq(a, b) {
		t.Fatal("dict equality ignores order")
	}
	if _, err := HashKey(NewList()); err == nil || err.Error() != "unhashable type: 'list'" {
		t.Fatalf("HashKey(list) = %v", err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{func() error { _, e := Add(Str("a"), Int(1)); return e }(), `can only concatenate str (not "int") to str`},
		{func() error { _, e := Add(Int(1), Str("a")); return e }(), `unsupported operand type(s) for +: 'int' and 'str'`},
		{func() error { _, e := Mul(NewList(Int(1)), Float(1.5)); return e }(), `can't multiply sequence by non-int of type 'float'`},
		{func() error { _, e := Less(Str("a"), Int(1)); return e }(), `'<' not supported between instances of 'str' and 'int'`},
		{func() error { _, e := Contains(Str("abc"), Int(5)); return e }(), `'in <string>' requires string as left operand, not int`},
		{func() error { _, e := Contains(Int(5), Str("a")); return e }(), `argument of type 'int' is not iterable`},
		{func() error { _, e := Contains(NewDict(), NewList()); return e }(), `unhashable type: 'list'`},
		{func() error { _, e := NewDict().Item(Str("x")); return e }(), `'x'`},
		{AttributeError(None, "lower"), `'NoneType' object has no attribute 'lower'`},
		{func() error { _, e := RStrip("a", Int(1)); return e }(), `rstrip arg must be None or str`},
		{func() error { _, e := Len(Int(5)); return e }(), `object of type 'int' has no len()`},
		{func() error { _, e := TrueDiv(Int(1), Int(0)); return e }(), `division by zero`},
		{func() error { _, e := TrueDiv(Float(1), Int(0)); return e }(), `float division by zero`},
	}
	for i, c := range cases {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("case %d: error %v, want %q", i, c.err, c.want)
		}
	}
}

func TestSplitLines(t *testing.T) {
	got := SplitLines("a\r\nb\rc\x0bd\x1ce\u2028f\n")
	want := []string{"a", "b", "c", "d", "e", "f"}
	if len(got) != len(want) {
		t.Fatalf("SplitLines = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SplitLines = %q", got)
		}
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	in := `{"a":[1,2.0,"x",{"__python__":"Ellipsis"}],"d":{"__dict__":[[1,"one"],["1","str"]]},"s":{"__set__":[1,2]}}`
	v, err := DecodeCanonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodeState(v); got != in {
		t.Fatalf("round trip:\n got %s\nwant %s", got, in)
	}
}

// The expected strings were printed by CPython 3.11's str.lower().
func TestLower(t *testing.T) {
	cases := map[string]string{
		"ΑΣ": "ας", "Σ": "σ", "ΑΣ Β": "ας β", "ΑΣΑ": "ασα", "Α.Σ": "α.ς", "ΑΣ.": "ας.",
		"ὈΔΥΣΣΕΎΣ": "ὀδυσσεύς", "aΣ\u0301": "aς\u0301", "İstanbul": "i\u0307stanbul", "ǅ": "ǆ", "ΑΣ'": "ας'", "ABC": "abc",
	}
	for in, want := range cases {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBytesAndComplexRepr(t *testing.T) {
	cases := []struct {
		v    Value
		want string
	}{
		{Bytes("a'b\"c\x00\x7f\x80\t\n\r\\"), `b'a\'b"c\x00\x7f\x80\t\n\r\\'`},
		{Bytes("it's"), `b"it's"`},
		{Complex(1i), "1j"},
		{Complex(2.5i), "2.5j"},
		{Complex(1 + 2i), "(1+2j)"},
		{Complex(complex(1, 0)), "(1+0j)"},
		{Complex(complex(math.Copysign(0, -1), -1)), "(-0-1j)"},
		{Complex(complex(0, math.Copysign(0, -1))), "-0j"},
		{Complex(complex(1e16, 1e-5)), "(1e+16+1e-05j)"},
	}
	for _, c := range cases {
		if got := Repr(c.v); got != c.want {
			t.Errorf("Repr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
	d := NewDict()
	_ = d.Set(Complex(1i), Int(1))
	_ = d.Set(Complex(1+0i), Int(2))
	_ = d.Set(Int(1), Int(3))
	if got := Repr(d); got != "{1j: 1, (1+0j): 3}" {
		t.Errorf("dict with complex keys = %s, want {1j: 1, (1+0j): 3}", got)
	}
	if !Eq(Int(1), Complex(1)) || Eq(Bytes("a"), Str("a")) {
		t.Error("1 == 1+0j must hold and b'a' == 'a' must not")
	}
}

// TestStrIndexErrorsQuoteTheType: CPython 3.11 words str indexing errors
// differently from list and tuple indexing.
func TestStrIndexErrorsQuoteTheType(t *testing.T) {
	for _, c := range []struct {
		v, key Value
		want   string
	}{
		{Str("abc"), None, "string indices must be integers, not 'NoneType'"},
		{Str("abc"), Float(1.5), "string indices must be integers, not 'float'"},
		{Str("abc"), Str("x"), "string indices must be integers, not 'str'"},
		{NewList(Int(1)), None, "list indices must be integers or slices, not NoneType"},
		{Tuple{Int(1)}, None, "tuple indices must be integers or slices, not NoneType"},
	} {
		if _, err := Index(c.v, c.key); err == nil || err.Error() != c.want {
			t.Errorf("%s[%s]: %v, want %s", Repr(c.v), Repr(c.key), err, c.want)
		}
	}
}
