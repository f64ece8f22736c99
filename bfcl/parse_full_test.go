package bfcl

import "testing"

// The expected texts were printed by CPython 3.11's
// ast.unparse(ast.parse(src, mode="eval").body).
func TestParseFullUnparse(t *testing.T) {
	cases := map[string]string{
		"(1,2)":                             "(1, 2)",
		"x[1,2]":                            "x[1, 2]",
		"x[1:2, ::3]":                       "x[1:2, ::3]",
		`f("it's")`:                         `f("it's")`,
		`f(1e400, 2j, -1e400j, b'x\'"')`:    `f(1e309, 2j, -1e309j, b'x\'"')`,
		"f(x for x in y)":                   "f((x for x in y))",
		"f(*a, **k)":                        "f(*a, **k)",
		"f(lambda x, y=1, *a, z, **k: x+1)": "f(lambda x, y=1, *a, z, **k: x + 1)",
		"f(1 if a else 2)":                  "f(1 if a else 2)",
		"f(a and b or c and not d)":         "f(a and b or (c and (not d)))",
		"f((a or b) and c)":                 "f((a or b) and c)",
		"f(a < b == c, x not in y, x is not None)": "f(a < b == c, x not in y, x is not None)",
		"f((b:=5))":                         "f((b := 5))",
		"f((yield))":                        "f((yield))",
		"f(await g())":                      "f(await g())",
		"f([x async for x in y if x if z])": "f([x async for x in y if x if z])",
		"f({k: v for k, v in d.items()})":   "f({k: v for k, v in d.items()})",
		"f({*a, 1})":                        "f({*a, 1})",
		"f({**a, 'b': 1})":                  "f({**a, 'b': 1})",
		"f(-x ** 2, (-x) ** 2, -(1 + 2), not not x)": "f(-x ** 2, (-x) ** 2, -(1 + 2), not not x)",
		"f(a|b^c&d<<e>>f@g)":                         "f(a | b ^ c & d << e >> f @ g)",
		"f(x[1:], x[:], x[::], x[a:b:c])":            "f(x[1:], x[:], x[:], x[a:b:c])",
		"f(1 .real, 1.5.real)":                       "f(1 .real, 1.5.real)",
		"f(True .real, (1).imag, 1.0 .real)":         "f(True .real, 1 .imag, 1.0.real)",
		`f('\x00\u20ac\U0001f600 é')`:                `f('\x00€😀 é')`,
		"x[(1,2)]":                                   "x[1, 2]",
		"x[()]":                                      "x[()]",
		"(lambda: 1)":                                "lambda: 1",
		`f(u'x', r'\d', rb'\d')`:                     `f(u'x', '\\d', b'\\d')`,
		"f('a' 'b', b'a' b'b')":                      "f('ab', b'ab')",
		"f(1_000, 0x1F, 0o17, 0b101, 1e3, .5, 5.)":   "f(1000, 31, 15, 5, 1000.0, 0.5, 5.0)",
		"f(x if y else z if w else v)":               "f(x if y else z if w else v)",
		"f((x if y else z) if w else v)":             "f((x if y else z) if w else v)",
		"f((x := 1 + 2))":                            "f((x := (1 + 2)))",
		"f(lambda *, a=1, **k: a)":                   "f(lambda *, a=1, **k: a)",
		"f(lambda a, /, b: 0)":                       "f(lambda a, /, b: 0)",
		"f(*a or b)":                                 "f(*(a or b))",
		"f(**(a or b))":                              "f(**a or b)",
		"{**(a or b)}":                               "{**(a or b)}",
		"f((yield a, b))":                            "f((yield (a, b)))",
		"f(-(-x))":                                   "f(--x)",
		"f(a if b else (lambda: c))":                 "f(a if b else lambda: c)",
		"x[1,]":                                      "x[1,]",
		"f(2 ** -1, (-2) ** 2, 2 ** 3 ** 4, (2 ** 3) ** 4)": "f(2 ** (-1), (-2) ** 2, 2 ** 3 ** 4, (2 ** 3) ** 4)",
		"f(a - (b - c), (a - b) - c, a * (b + c))":          "f(a - (b - c), a - b - c, a * (b + c))",
		"f(a < (b < c))": "f(a < (b < c))",
		"f(u'a' 'b')":    "f(u'ab')",
	}
	for src, want := range cases {
		x, err := ParseFull(src)
		if err != nil {
			t.Errorf("ParseFull(%q): %v", src, err)
			continue
		}
		if got := Unparse(x); got != want {
			t.Errorf("Unparse(ParseFull(%q)) = %q, want %q", src, got, want)
		}
	}
	for _, bad := range []string{"f(a=x := 1)", "[def(a=1)]", "f(**a, *b)", "f(a=1, 2)", "f(x for x in y, 1)", "b'é'", "'a' b'b'", "[f(a=1) g(b=2)]"} {
		if _, err := ParseFull(bad); err == nil {
			t.Errorf("ParseFull(%q) succeeded; CPython rejects it", bad)
		}
	}
}
