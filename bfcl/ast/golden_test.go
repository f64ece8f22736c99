package ast

import (
	"fmt"
	"sort"
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

// field returns obj[name] decoded from the golden encoding.
func field(obj *py.Dict, name string) (py.Value, error) {
	v, ok := obj.GetStr(name)
	if !ok {
		return nil, fmt.Errorf("field %s missing", name)
	}
	return Untag(v)
}

// counts tallies cases per category.
type counts struct{ cases, agree int }

// TestGoldenChecker runs every "check": "ast" case of
// ast_checker_cases.jsonl through Check and compares with upstream's
// verdict under golden/README.md section 11.5: valid always; error_type
// and the error list (as values) when invalid.
func TestGoldenChecker(t *testing.T) {
	path := testdata.SingleTurnGolden(t, "ast_checker_cases.jsonl")
	perCat := map[string]*counts{}
	var failures []string
	astLines, otherLines := 0, 0
	testdata.EachLine(t, path, func(line []byte) {
		v, err := py.FromJSON(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		obj := v.(*py.Dict)
		if kind, _ := obj.GetStr("check"); kind != py.Str("ast") {
			otherLines++
			return
		}
		astLines++
		id, _ := obj.GetStr("id")
		cat, _ := obj.GetStr("category")
		c := perCat[string(cat.(py.Str))]
		if c == nil {
			c = &counts{}
			perCat[string(cat.(py.Str))] = c
		}
		msgs, n, agree := checkLine(obj)
		c.cases += n
		c.agree += agree
		for _, m := range msgs {
			failures = append(failures, fmt.Sprintf("%s: %s", py.StrOf(id), m))
		}
	})
	logCounts(t, perCat)
	t.Logf("%d ast lines; %d relevance lines are checked by package bfcl's test", astLines, otherLines)
	if astLines != 2701 {
		t.Errorf("%d ast lines, golden/README.md says 2701", astLines)
	}
	for i, f := range failures {
		if i == 30 {
			t.Errorf("... and %d more", len(failures)-30)
			break
		}
		t.Error(f)
	}
}

func logCounts(t *testing.T, perCat map[string]*counts) {
	var cats []string
	total := counts{}
	for c, n := range perCat {
		cats = append(cats, c)
		total.cases += n.cases
		total.agree += n.agree
	}
	sort.Strings(cats)
	for _, c := range cats {
		t.Logf("%-24s %5d cases, %5d agree", c, perCat[c].cases, perCat[c].agree)
	}
	t.Logf("%-24s %5d cases, %5d agree", "all", total.cases, total.agree)
}

// checkLine checks every case of one line and returns the disagreements.
func checkLine(obj *py.Dict) (msgs []string, n, agree int) {
	var lineVals [4]py.Value
	for i, name := range []string{"functions", "possible_answer", "language", "test_category"} {
		v, err := field(obj, name)
		if err != nil {
			return []string{err.Error()}, 0, 0
		}
		lineVals[i] = v
	}
	lang, err := ParseLanguage(py.StrOf(lineVals[2]))
	if err != nil {
		return []string{err.Error()}, 0, 0
	}
	casesV, _ := obj.GetStr("cases")
	cases, ok := casesV.(*py.List)
	if !ok || len(cases.Items) == 0 {
		return []string{"no cases"}, 0, 0
	}
	for i, cv := range cases.Items {
		n++
		cs := cv.(*py.Dict)
		if m := checkCase(cs, lineVals[0], lineVals[1], lang, py.StrOf(lineVals[3])); m != "" {
			kind, _ := cs.GetStr("kind")
			msgs = append(msgs, fmt.Sprintf("case %d (%s): %s", i, py.StrOf(kind), m))
			continue
		}
		agree++
	}
	return msgs, n, agree
}

// checkCase compares one case; "" means agreement.
func checkCase(cs *py.Dict, functions, answer py.Value, lang Language, category string) string {
	output, err := field(cs, "model_output")
	if err != nil {
		return err.Error()
	}
	flag, _ := cs.GetStr("underscore_to_dot")
	got, err := Check(functions, output, answer, lang, category, flag == py.Bool(true))
	want, _ := cs.GetStr("valid")
	if want == py.None {
		exc, _ := cs.GetStr("exception")
		return fmt.Sprintf("upstream raised %s; port: %v %v", py.Repr(exc), got, err)
	}
	if err != nil {
		return fmt.Sprintf("port raised %v, upstream valid=%s", err, py.Repr(want))
	}
	if py.Bool(got.Valid) != want {
		return fmt.Sprintf("valid %v, upstream %s; port error %s", got.Valid, py.Repr(want), Encode(got.Error))
	}
	if got.Valid {
		return ""
	}
	wantType, _ := cs.GetStr("error_type")
	if !py.Eq(got.ErrorType, wantType) {
		return fmt.Sprintf("error_type %s, upstream %s", py.Repr(got.ErrorType), py.Repr(wantType))
	}
	wantErr, err := field(cs, "error")
	if err != nil {
		return err.Error()
	}
	if g, w := Encode(got.Error), Encode(wantErr); g != w {
		return fmt.Sprintf("error\n  port     %s\n  upstream %s", g, w)
	}
	return ""
}
