package bfcl

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
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
		writePieces(&b, rng, pieces, rng.Intn(6))
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

// scanOwnedByName is scanOwned reading the method name with
// simpleScanner.name, as parseSimpleCall does.
func scanOwnedByName(call string, args *simpleArgs) (method string, paren, ok bool) {
	if !utf8.ValidString(call) {
		return "", false, false
	}
	s := simpleScanner{src: call}
	method, ok = s.name()
	if !ok || !s.byte('(') || !args.scan(&s) {
		return "", false, false
	}
	return method, s.paren, true
}

// scanOwned, given the "(" after an ASCII identifier at the start, reads
// what the scanner reading the name itself reads: the ground truth, words
// the parser refuses or reads otherwise, and random arguments with "(" in
// str literals.
func TestScanOwnedMatchesNameScan(t *testing.T) {
	d := loadDataset(t)
	var calls []string
	for _, e := range d.All() {
		for _, turn := range e.GroundTruth {
			calls = append(calls, turn...)
		}
	}
	for _, w := range []string{"True", "False", "None", "not", "lambda", "if", "in", "r", "f", "b", "rb", "x", "_a1"} {
		calls = append(calls, w+"()", w+"('a')", w+"(1, k='(')")
	}
	pieces := []string{"'(", "('", "'a(b'", `"c (d"`, `'\t('`, "1", "x=", "[", "]", ", ", " ", ")", "(", "\xff", "é"}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		b.WriteString("m(")
		writePieces(&b, rng, pieces, rng.Intn(6))
		b.WriteString(")")
		calls = append(calls, b.String())
	}
	for _, call := range calls {
		open := strings.IndexByte(call, '(')
		if open <= 0 || asciiClass[call[0]&0x7f]&identStart == 0 || call[0] >= 0x80 {
			continue
		}
		if strings.IndexFunc(call[:open], func(r rune) bool { return r >= 0x80 || asciiClass[r]&wordChar == 0 }) >= 0 {
			continue
		}
		var got, want simpleArgs
		gm, gp, gok := scanOwned(call, open, &got)
		wm, wp, wok := scanOwnedByName(call, &want)
		if gm != wm || gp != wp || gok != wok || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: scanOwned = %q, %v, %v, %+v; by name %q, %v, %v, %+v", call, gm, gp, gok, got, wm, wp, wok, want)
		}
	}
}
