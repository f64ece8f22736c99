package py

import "testing"

// The expected strings were printed by CPython 3.11.

func TestPercentFormat(t *testing.T) {
	cases := []struct {
		format string
		args   Value
		want   string
	}{
		{"%s-%r-%d-%5.2f-%x-%%-%c", Tuple{Str("a"), Str("b"), Float(3.7), Float(2.345), Int(255), Int(65)}, "a-'b'-3- 2.35-ff-%-A"},
		{"%(a)s %(b)r", NewDict().With("a", Int(1)).With("b", Str("x")), "1 'x'"},
		{"%-5s|%05d|%+d|% d|%.3s", Tuple{Str("ab"), Int(42), Int(5), Int(5), Str("abcdef")}, "ab   |00042|+5| 5|abc"},
		{"%e %g %G %E", Tuple{Float(12345.678), Float(0.00001234), Float(1e20), Float(1.5)}, "1.234568e+04 1.234e-05 1E+20 1.500000E+00"},
		{"%i %u %o %X %#x %#o", Tuple{Float(1.9), Int(2), Int(8), Int(255), Int(255), Int(8)}, "1 2 10 FF 0xff 0o10"},
		{"%5.1f|%-8.3e|%+.2g|%#.0f|%.0f|%.0f", Tuple{Float(3.14159), Float(1234.5), Float(0.000123), Float(2), Float(2.5), Float(3.5)}, "  3.1|1.234e+03|+0.00012|2.|2|4"},
		{"%s", NewList(Int(1), Int(2)), "[1, 2]"},
		{"abc", NewList(Int(5)), "abc"},
		{"%*d", Tuple{Int(5), Int(3)}, "    3"},
		{"%a", Str("é"), `'\xe9'`},
		{"%.3d|%10.4s|", Tuple{Int(5), Str("abcdefg")}, "005|      abcd|"},
		{"%g %g %.2g %f", Tuple{Float(100000), Float(1e16), Float(0.5), Float(1e400 * 0)}, "100000 1e+16 0.5 0.000000"},
	}
	for _, c := range cases {
		got, err := PercentFormat(c.format, c.args)
		if err != nil || got != c.want {
			t.Errorf("%q %% %s = %q, %v; want %q", c.format, Repr(c.args), got, err, c.want)
		}
	}
	for _, c := range []struct {
		format string
		args   Value
		want   string
	}{
		{"%s %s", Tuple{Int(1)}, "not enough arguments for format string"},
		{"%s", Tuple{Int(1), Int(2)}, "not all arguments converted during string formatting"},
		{"abc", Int(5), "not all arguments converted during string formatting"},
		{"%d", Str("x"), "%d format: a real number is required, not str"},
		{"%x", Float(255), "%x format: an integer is required, not float"},
		{"%", Tuple{}, "incomplete format"},
	} {
		if _, err := PercentFormat(c.format, c.args); err == nil || err.Error() != c.want {
			t.Errorf("%q %% %s: error %v, want %q", c.format, Repr(c.args), err, c.want)
		}
	}
}

func TestBinaryOp(t *testing.T) {
	cases := []struct {
		op   string
		a, b Value
		want string // repr, or the error text
	}{
		{"//", Int(7), Int(-2), "-4"},
		{"%", Int(-7), Int(3), "2"},
		{"//", Float(7.5), Int(-2), "-4.0"},
		{"%", Float(-7.5), Int(2), "0.5"},
		{"%", Float(-0.0), Int(2), "0.0"},
		{"//", Int(1), Int(0), "integer division or modulo by zero"},
		{"%", Int(1), Int(0), "integer modulo by zero"},
		{"//", Float(1), Int(0), "float floor division by zero"},
		{"%", Int(5), Float(-0.0), "float modulo"},
		{"**", Int(2), Int(100), "1267650600228229401496703205376"},
		{"**", Int(2), Int(-1), "0.5"},
		{"**", Int(0), Int(-1), "0.0 cannot be raised to a negative power"},
		{"**", Float(2), Int(10000), "(34, 'Numerical result out of range')"},
		{"<<", Int(1), Int(4), "16"},
		{"<<", Int(1), Int(-1), "negative shift count"},
		{"&", Int(6), Int(3), "2"},
		{"|", Bool(true), Bool(false), "True"},
		{"&", Bool(true), Int(1), "1"},
		{"^", Int(6), Int(3), "5"},
		{"|", NewDict().With("k", Int(1)), NewDict().With("j", Int(2)), "{'k': 1, 'j': 2}"},
		{"@", Int(1), Int(2), "unsupported operand type(s) for @: 'int' and 'int'"},
		{"+", Int(1), Complex(2i), "(1+2j)"},
		{"*", Float(1e308), Int(10), "inf"},
		{"%", Str("%s"), Int(5), "'5'"},
	}
	for _, c := range cases {
		v, err := BinaryOp(c.op, c.a, c.b)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = Repr(v)
		}
		if got != c.want {
			t.Errorf("%s %s %s = %s, want %s", Repr(c.a), c.op, Repr(c.b), got, c.want)
		}
	}
}
