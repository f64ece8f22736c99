package bfcl

import (
	"math/big"
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Literals the lexer takes on its fast paths (strings without escapes,
// int64 decimals) and beside them (escapes, big ints) have Python's values.
func TestLiteralValues(t *testing.T) {
	big2to63, _ := new(big.Int).SetString("9223372036854775808", 10)
	cases := []struct {
		src  string
		want py.Value
	}{
		{`'a"b'`, py.Str(`a"b`)},
		{`"x'y"`, py.Str(`x'y`)},
		{`''`, py.Str("")},
		{`u'é'`, py.Str("é")},
		{`r'a\nb'`, py.Str(`a\nb`)},
		{`R"ab"`, py.Str("ab")},
		{`'a\nb'`, py.Str("a\nb")},
		{`'a' "b" 'c\x41'`, py.Str("abcA")},
		{`'''tri'ple'''`, py.Str("tri'ple")},
		{`"""x"""`, py.Str("x")},
		{`0`, py.Int(0)},
		{`123`, py.Int(123)},
		{`1_000`, py.Int(1000)},
		{`9223372036854775807`, py.Int(9223372036854775807)},
		{`9223372036854775808`, py.MakeInt(big2to63)},
		{`-5`, py.Int(-5)},
	}
	for _, c := range cases {
		x, err := ParseExpr(c.src, "<string>")
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		got, err := literalEvaluator{budget: py.NewBudget(1 << 20)}.eval(x, 0)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got.TypeName() != c.want.TypeName() || !py.Eq(got, c.want) {
			t.Errorf("%s = %s, want %s", c.src, py.Repr(got), py.Repr(c.want))
		}
	}
	for _, src := range []string{`'abc`, `'ab` + "\n" + `c'`, `"x'`} {
		if _, err := ParseExpr(src, "<string>"); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}
