package bfcl

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// Whenever parseSimpleCall takes a call, ParseExpr parses it without error
// into the same tree: on every rewritten ground-truth call and on random
// near-simple calls (odd spacing, keywords, numbers, strings with quotes
// and escapes, lists, words the parser refuses, non-ASCII and invalid
// UTF-8).
func TestSimpleCallsParseLikeParseExpr(t *testing.T) {
	d := loadDataset(t)
	var srcs []string
	for _, e := range d.All() {
		ex, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, turn := range e.GroundTruth {
			for _, c := range turn {
				srcs = append(srcs, ex.rewrite(c))
			}
		}
	}
	gt := len(srcs)
	pieces := []string{"a", "b_1", "x.y", "(", ")", "=", "==", ",", " ", "  ", "\t", "'s'", `"d"`, `'it''s'`, `'''t'''`, `'a\nb'`,
		"u'x'", "b'x'", "1", "0", "00", "007", "1.5", "1.", ".5", "1e3", "1_0", "-2", "99999999999999999999", "True", "False",
		"None", "not", "if", "lambda", "[", "]", "[1, 'a']", "[[1]]", "[]", "é", "\xff", "**", "*", "x=1", "y='v'",
		`'a\'b'`, `"x\"y"`, `'t\\n'`, `'\t\r\v\f\a\b'`, `'\x41'`, `'\q'`, "'a\\\nb'", `'\`, `"\\"`, `'é\n'`, `'\é'`}
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		b.WriteString("inst.m(")
		for n := rng.Intn(6); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		if rng.Intn(4) > 0 {
			b.WriteString(")")
		}
		srcs = append(srcs, b.String())
	}
	fast, fuzzed := 0, 0
	for i, src := range srcs {
		got, ok := parseSimpleCall(src, nil)
		if !ok {
			continue
		}
		if i < gt {
			fast++
		} else {
			fuzzed++
		}
		want, err := ParseExpr(src, "<string>")
		if err != nil {
			t.Fatalf("%q: the fast path took it, ParseExpr fails: %v", src, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: the fast path's tree differs from ParseExpr's", src)
		}
	}
	t.Logf("%d of %d ground-truth calls and %d of %d random calls take the fast path", fast, gt, fuzzed, len(srcs)-gt)
}
