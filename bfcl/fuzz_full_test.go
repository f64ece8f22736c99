package bfcl

import (
	"testing"
)

// FuzzDecodeAST checks the single-turn decoder on arbitrary replies: it
// never panics, a tree ParseFull accepts is unparsed to text that parses
// again to a tree with the same unparse (ast.unparse is a fixed point),
// and a decoded reply is in the function-calling format.
func FuzzDecodeAST(f *testing.F) {
	for _, s := range []string{
		"[f(a=1, b='x')]", "f(1, 2, x=h(y=[1, (2,)], z={1: 'a'}))", "[f(a=not True, b=~5, c=+2.5)]",
		"[f(a=x[1:2, ::3], b=g(lambda x, *a, **k: x if a else k), c=[y for y in z if y])]",
		"<TOOLCALL>[f(a=b'\\x00', c=2j, d=f'{x!r}')]</TOOLCALL>", "[f(a='%s-%d' % ('a', 3), b=2 ** -1, c=7 // -2)]",
		"[f(a={**d}, b={*s}, c=(yield), d=await g(), e=(w := 1))]", "```\n[f(a=1 < 2 <= 3, b=x is not None)]\n```",
		"[f(a=1 if c else 2, b=a and b or c, d=-(1 + 2))]", "'[f()]'", "[f(a=1) g(b=2)]",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, reply string, tag bool) {
		if x, err := ParseFull(reply); err == nil {
			text := Unparse(x)
			y, err := ParseFull(text)
			if err != nil {
				t.Fatalf("Unparse(%q) = %q, which does not parse: %v", reply, text, err)
			}
			if again := Unparse(y); again != text {
				t.Fatalf("unparse not stable for %q: %q then %q", reply, text, again)
			}
		}
		if decoded, err := DecodeAST(reply, tag); err == nil && !IsFunctionCallingFormat(decoded) {
			t.Fatalf("DecodeAST(%q) = %v, not in the function-calling format", reply, decoded)
		}
	})
}
