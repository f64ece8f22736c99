package bfcl

import (
	"errors"
	"fmt"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
)

// IsSingleTurnCheckLine reports whether a JSON line has a "check" field,
// the mark of the single-turn lines of golden/ast_checker_cases.jsonl.
func IsSingleTurnCheckLine(line []byte) bool {
	obj, err := jsonObject(line)
	if err != nil {
		return false
	}
	_, ok := obj.GetStr("check")
	return ok
}

// CheckSingleTurnLine processes one line shaped like
// golden/ast_checker_cases.jsonl. For "check": "ast" each case's
// model_output is judged by the AST checker (with the line's functions,
// possible_answer, language and test_category and the case's
// underscore_to_dot); for "check": "relevance" each case's
// model_result_raw by the relevance rule, and decoded (or decode_error)
// is what the decoder gives. Each case gets valid, error_type and error
// (values in the golden encoding); a case whose check raises gets valid
// null and an exception object instead. The line comes back with its
// other fields as they were; a line that cannot be processed comes back
// with an "error" field.
func CheckSingleTurnLine(line []byte) ([]byte, bool) {
	obj, err := jsonObject(line)
	if err != nil {
		return errorLine(nil, err), false
	}
	kind, _ := obj.GetStr("check")
	switch kind {
	case py.Str("ast"):
		err = checkASTCases(obj)
	case py.Str("relevance"):
		err = checkRelevanceCases(obj)
	default:
		err = fmt.Errorf("field check: %s, want \"ast\" or \"relevance\"", py.Repr(kind))
	}
	if err != nil {
		return errorLine(obj, err), false
	}
	return []byte(py.EncodeState(obj)), true
}

// lineField is obj[name] decoded from the golden encoding.
func lineField(obj *py.Dict, name string) (py.Value, error) {
	v, ok := obj.GetStr(name)
	if !ok {
		return nil, fmt.Errorf("field %s: missing", name)
	}
	u, err := ast.Untag(v)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", name, err)
	}
	return u, nil
}

func lineString(obj *py.Dict, name string) (string, error) {
	v, ok := obj.GetStr(name)
	s, isStr := v.(py.Str)
	if !ok || !isStr {
		return "", fmt.Errorf("field %s: missing or not a string", name)
	}
	return string(s), nil
}

// lineCases returns the objects of obj["cases"].
func lineCases(obj *py.Dict) ([]*py.Dict, error) {
	v, _ := obj.GetStr("cases")
	l, ok := v.(*py.List)
	if !ok {
		return nil, fmt.Errorf("field cases: want a list of objects")
	}
	out := make([]*py.Dict, len(l.Items))
	for i, it := range l.Items {
		d, ok := it.(*py.Dict)
		if !ok {
			return nil, fmt.Errorf("field cases[%d]: want an object", i)
		}
		out[i] = d
	}
	return out, nil
}

func checkASTCases(obj *py.Dict) error {
	var vals [2]py.Value
	for i, name := range []string{"functions", "possible_answer"} {
		v, err := lineField(obj, name)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	langName, err := lineString(obj, "language")
	if err != nil {
		return err
	}
	lang, err := ast.ParseLanguage(langName)
	if err != nil {
		return fmt.Errorf("field language: %w", err)
	}
	category, err := lineString(obj, "test_category")
	if err != nil {
		return err
	}
	cases, err := lineCases(obj)
	if err != nil {
		return err
	}
	for i, cs := range cases {
		output, err := lineField(cs, "model_output")
		if err != nil {
			return fmt.Errorf("cases[%d]: %w", i, err)
		}
		flag, _ := cs.GetStr("underscore_to_dot")
		r, err := ast.Check(vals[0], output, vals[1], lang, category, flag == py.Bool(true))
		if err != nil {
			setException(cs, err)
			continue
		}
		setVerdict(cs, Verdict{Valid: r.Valid, ErrorType: r.ErrorType, Error: r.Error})
	}
	return nil
}

func checkRelevanceCases(obj *py.Dict) error {
	category, err := lineString(obj, "test_category")
	if err != nil {
		return err
	}
	cases, err := lineCases(obj)
	if err != nil {
		return err
	}
	for i, cs := range cases {
		raw, err := lineString(cs, "model_result_raw")
		if err != nil {
			return fmt.Errorf("cases[%d]: %w", i, err)
		}
		decoded, derr := DecodeAST(raw, false)
		setDecoded(cs, decoded, derr, "decode_error")
		setVerdict(cs, EvaluateRelevance(raw, category))
	}
	return nil
}

// setDecoded writes the decoder's result: "decoded", or the exception
// under errField; the other of the two fields goes.
func setDecoded(obj *py.Dict, decoded py.Value, err error, errField string) {
	if err != nil {
		obj.Pop(py.Str("decoded"))
		obj.SetStr(errField, exceptionObject(err))
		return
	}
	obj.Pop(py.Str(errField))
	obj.SetStr("decoded", ast.Tag(decoded))
}

// setVerdict writes valid, error_type and error into a case.
func setVerdict(cs *py.Dict, v Verdict) {
	cs.Pop(py.Str("exception"))
	cs.SetStr("valid", py.Bool(v.Valid))
	cs.SetStr("error_type", v.ErrorType)
	cs.SetStr("error", ast.Tag(v.Error))
}

// setException marks a case whose check raised.
func setException(cs *py.Dict, err error) {
	cs.SetStr("valid", py.None)
	cs.SetStr("error_type", py.None)
	cs.SetStr("error", py.None)
	cs.SetStr("exception", exceptionObject(err))
}

// exceptionObject is {"type": Python exception class, "message": str(e)}.
func exceptionObject(err error) *py.Dict {
	kind := "Exception"
	var pe *py.Exception
	var se *SyntaxError
	switch {
	case errors.As(err, &pe):
		kind = pe.Kind
	case errors.As(err, &se):
		kind = "SyntaxError"
	}
	return py.NewDict().With("type", py.Str(kind)).With("message", py.Str(err.Error()))
}

// DecodeLine processes one line shaped like golden/ast_decode_cases.jsonl:
// input is decoded as upstream's default_decode_ast_prompting does (with
// the <TOOLCALL> tag when has_tool_call_tag; in the Java or JavaScript
// return format when the line names an entry of those categories), giving
// ok and decoded (or an exception object); a line that names an entry
// (id) also gets eval, the
// whole single-entry evaluation against that entry's docs and possible
// answer. A line that cannot be processed comes back with an "error"
// field.
func (s *SingleTurn) DecodeLine(line []byte) ([]byte, bool) {
	obj, err := jsonObject(line)
	if err != nil {
		return errorLine(nil, err), false
	}
	input, err := lineString(obj, "input")
	if err != nil {
		return errorLine(obj, err), false
	}
	tagV, _ := obj.GetStr("has_tool_call_tag")
	tag := tagV == py.Bool(true)
	idV, hasID := obj.GetStr("id")
	format := ReturnPython
	if hasID {
		if category, err := s.lineCategory(obj, idV); err == nil {
			format = returnFormatOf(category) // else evalLine reports the error
		}
	}
	decoded, derr := DecodeASTFormat(input, format, tag)
	obj.SetStr("ok", py.Bool(derr == nil))
	setDecoded(obj, decoded, derr, "exception")
	if hasID {
		if err := s.evalLine(obj, idV, input, tag); err != nil {
			return errorLine(obj, err), false
		}
	}
	return []byte(py.EncodeState(obj)), true
}

// lineCategory is the category a line's entry is evaluated as: the
// line's "category", else the entry's.
func (s *SingleTurn) lineCategory(obj *py.Dict, idV py.Value) (string, error) {
	id, ok := idV.(py.Str)
	if !ok {
		return "", fmt.Errorf("field id: not a string")
	}
	e, err := s.Entry(string(id))
	if err != nil {
		return "", err
	}
	if c, ok := obj.GetStr("category"); ok {
		return py.StrOf(c), nil
	}
	return e.Category, nil
}

func (s *SingleTurn) evalLine(obj *py.Dict, idV py.Value, input string, tag bool) error {
	category, err := s.lineCategory(obj, idV)
	if err != nil {
		return err
	}
	id := idV.(py.Str)
	e, err := s.Entry(string(id))
	if err != nil {
		return err
	}
	v, err := EvaluateAST(input, tag, e.Functions, e.PossibleAnswer, category, string(id), false)
	if err != nil {
		return err
	}
	obj.SetStr("eval", py.NewDict().With("valid", py.Bool(v.Valid)).With("error_type", v.ErrorType).With("error", ast.Tag(v.Error)))
	return nil
}

// ErrorLine returns line with an "error" field set to err (a line that is
// not a JSON object becomes {"error": ...}).
func ErrorLine(line []byte, err error) []byte {
	obj, jerr := jsonObject(line)
	if jerr != nil {
		obj = nil
	}
	return errorLine(obj, err)
}
