package bfcl

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

// agreement counts lines or cases per class and the disagreements.
type agreement struct {
	total, agree map[string]int
	failures     []string
}

func newAgreement() *agreement {
	return &agreement{total: map[string]int{}, agree: map[string]int{}}
}

func (a *agreement) add(class, label, problem string) {
	a.total[class]++
	if problem == "" {
		a.agree[class]++
		return
	}
	a.failures = append(a.failures, label+": "+problem)
}

func (a *agreement) report(t *testing.T) {
	var classes []string
	sum, ok := 0, 0
	for c := range a.total {
		classes = append(classes, c)
		sum += a.total[c]
		ok += a.agree[c]
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("%-26s %5d, %5d agree", c, a.total[c], a.agree[c])
	}
	t.Logf("%-26s %5d, %5d agree", "all", sum, ok)
	for i, f := range a.failures {
		if i == 40 {
			t.Errorf("... and %d more", len(a.failures)-40)
			break
		}
		t.Error(f)
	}
}

// goldenValue is obj[name] decoded from the golden encoding (nil when the
// field is absent).
func goldenValue(t *testing.T, obj *py.Dict, name string) py.Value {
	v, ok := obj.GetStr(name)
	if !ok {
		return nil
	}
	u, err := ast.Untag(v)
	if err != nil {
		t.Fatalf("field %s: %v", name, err)
	}
	return u
}

// compareErrors compares error lists as values, ignoring what follows
// prefix in a string (a CPython exception message).
func compareErrors(got, want py.Value, prefix string) string {
	cut := func(v py.Value) string {
		l, ok := v.(*py.List)
		if !ok {
			return ast.Encode(v)
		}
		items := make([]py.Value, len(l.Items))
		for i, it := range l.Items {
			items[i] = it
			if s, ok := it.(py.Str); ok && prefix != "" {
				if j := strings.Index(string(s), prefix); j >= 0 {
					items[i] = py.Str(string(s)[:j+len(prefix)] + "…")
				}
			}
		}
		return ast.Encode(&py.List{Items: items})
	}
	if g, w := cut(got), cut(want); g != w {
		return fmt.Sprintf("error %s, upstream %s", g, w)
	}
	return ""
}

// compareVerdict applies the equality rules of section 11.5 to a
// relevance or evaluation verdict.
func compareVerdict(got Verdict, want *py.Dict, prefix string) string {
	valid, _ := want.GetStr("valid")
	if py.Bool(got.Valid) != valid {
		return fmt.Sprintf("valid %v, upstream %s (port error %s)", got.Valid, py.Repr(valid), ast.Encode(got.Error))
	}
	if got.Valid {
		return ""
	}
	wantType, _ := want.GetStr("error_type")
	if !py.Eq(got.ErrorType, wantType) {
		return fmt.Sprintf("error_type %s, upstream %s", py.Repr(got.ErrorType), py.Repr(wantType))
	}
	raw, _ := want.GetStr("error")
	wantErr, err := ast.Untag(raw)
	if err != nil {
		return "upstream error field: " + err.Error()
	}
	return compareErrors(got.Error, wantErr, prefix)
}

// compareDecoded compares a decoder result with a line's ok/decoded (or
// decode_error) fields; "" means agreement.
func compareDecoded(t *testing.T, got *py.List, err error, line *py.Dict, okField bool) string {
	wantOK := true
	if okField {
		ok, _ := line.GetStr("ok")
		wantOK = ok == py.Bool(true)
	} else if _, failed := line.GetStr("decode_error"); failed {
		wantOK = false
	}
	if (err == nil) != wantOK {
		return fmt.Sprintf("decoded ok=%v (%v), upstream ok=%v", err == nil, err, wantOK)
	}
	if !wantOK {
		return ""
	}
	want := goldenValue(t, line, "decoded")
	if want == nil {
		return "upstream line has no decoded field"
	}
	if g, w := ast.Encode(got), ast.Encode(want); g != w {
		return fmt.Sprintf("decoded\n  port     %s\n  upstream %s", g, w)
	}
	return ""
}

// TestGoldenRelevance runs every "check": "relevance" case of
// ast_checker_cases.jsonl through the relevance rule.
func TestGoldenRelevance(t *testing.T) {
	path := testdata.SingleTurnGolden(t, "ast_checker_cases.jsonl")
	a := newAgreement()
	lines := 0
	testdata.EachLine(t, path, func(raw []byte) {
		obj, err := jsonObject(raw)
		if err != nil {
			t.Fatal(err)
		}
		if kind, _ := obj.GetStr("check"); kind != py.Str("relevance") {
			return
		}
		lines++
		id, _ := obj.GetStr("id")
		cat, _ := obj.GetStr("test_category")
		cases, _ := obj.GetStr("cases")
		for i, cv := range cases.(*py.List).Items {
			cs := cv.(*py.Dict)
			reply, _ := cs.GetStr("model_result_raw")
			label := fmt.Sprintf("%s case %d %s", py.StrOf(id), i, py.Repr(reply))
			decoded, derr := DecodeAST(string(reply.(py.Str)), false)
			problem := compareDecoded(t, decoded, derr, cs, false)
			if problem == "" {
				problem = compareVerdict(EvaluateRelevance(string(reply.(py.Str)), py.StrOf(cat)), cs,
					"Failed to decode AST when it should have. ")
			}
			a.add(py.StrOf(cat), label, problem)
		}
	})
	a.report(t)
	if lines != 1140 {
		t.Errorf("%d relevance lines, golden/README.md says 1140", lines)
	}
}

// TestGoldenDecode runs every line of ast_decode_cases.jsonl through
// DecodeAST and, where the line names an entry, the whole evaluation.
func TestGoldenDecode(t *testing.T) {
	path := testdata.SingleTurnGolden(t, "ast_decode_cases.jsonl")
	st := NewSingleTurn(filepath.Join(testdata.Dir(t, "bfcl_v4")))
	a := newAgreement()
	testdata.EachLine(t, path, func(raw []byte) {
		obj, err := jsonObject(raw)
		if err != nil {
			t.Fatal(err)
		}
		kind, _ := obj.GetStr("kind")
		input, _ := obj.GetStr("input")
		tag, _ := obj.GetStr("has_tool_call_tag")
		class, _, _ := strings.Cut(py.StrOf(kind), ":")
		label := fmt.Sprintf("%s %s", py.StrOf(kind), py.Repr(input))
		decoded, derr := DecodeAST(string(input.(py.Str)), tag == py.Bool(true))
		problem := compareDecoded(t, decoded, derr, obj, true)
		if ev, ok := obj.GetStr("eval"); ok {
			class = "derived+eval"
			if problem == "" {
				problem = evalProblem(st, obj, ev.(*py.Dict))
			}
		}
		a.add(class, label, problem)
	})
	a.report(t)
	if n := a.total["derived+eval"]; n != 2351 {
		t.Errorf("%d lines with an evaluation, golden/README.md says 2351", n)
	}
}

func evalProblem(st *SingleTurn, line, want *py.Dict) string {
	id, _ := line.GetStr("id")
	cat, _ := line.GetStr("category")
	input, _ := line.GetStr("input")
	tag, _ := line.GetStr("has_tool_call_tag")
	e, err := st.Entry(py.StrOf(id))
	if err != nil {
		return err.Error()
	}
	got, err := EvaluateAST(string(input.(py.Str)), tag == py.Bool(true), e.Functions, e.PossibleAnswer, py.StrOf(cat), py.StrOf(id), false)
	if err != nil {
		return "port raised " + err.Error()
	}
	return compareVerdict(got, want, "Failed to decode AST. ")
}
