package ast

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Language is the language a category's values are checked in.
type Language int

// The languages of upstream's Language enum.
const (
	Python Language = iota
	Java
	JavaScript
)

// String is the name the golden files use: python, java or javascript.
func (l Language) String() string {
	switch l {
	case Java:
		return "java"
	case JavaScript:
		return "javascript"
	}
	return "python"
}

// ParseLanguage reads a language name (python, java or javascript).
func ParseLanguage(s string) (Language, error) {
	for _, l := range []Language{Python, Java, JavaScript} {
		if l.String() == s {
			return l, nil
		}
	}
	return Python, fmt.Errorf("unknown language %q (want python, java or javascript)", s)
}

// LanguageOf is upstream's is_java / is_js on a category name.
func LanguageOf(category string) Language {
	switch {
	case strings.Contains(category, "javascript"):
		return JavaScript
	case strings.Contains(category, "java"):
		return Java
	}
	return Python
}

// pythonTypes is upstream's PYTHON_TYPE_MAPPING.
var pythonTypes = map[string]string{
	"string": "str", "integer": "int", "float": "float", "boolean": "bool",
	"array": "list", "tuple": "list", "dict": "dict", "any": "str",
}

// Result is what ast_checker returns: Valid, ErrorType (a str, or None
// when upstream's result had no error_type) and Error (the list of
// messages; for the parallel checker also per-call objects).
type Result struct {
	Valid     bool
	ErrorType py.Value
	Error     *py.List
}

// result mirrors upstream's result dicts, which later steps mutate.
type result struct {
	valid      bool
	errs       []py.Value
	errType    string
	hasType    bool
	isVariable bool
}

func failed(errType, msg string) *result {
	return &result{errs: []py.Value{py.Str(msg)}, errType: errType, hasType: true}
}

func passed() *result { return &result{valid: true, errs: []py.Value{}} }

func (r *result) fail(errType, msg string) *result {
	r.valid = false
	r.errs = append(r.errs, py.Str(msg))
	r.errType, r.hasType = errType, true
	return r
}

func (r *result) public() Result {
	out := Result{Valid: r.valid, ErrorType: py.None, Error: &py.List{Items: append([]py.Value{}, r.errs...)}}
	if r.hasType {
		out.ErrorType = py.Str(r.errType)
	}
	return out
}

// checker holds what stays fixed over one ast_checker call.
type checker struct {
	lang            Language
	underscoreToDot bool
}

// Check is upstream's ast_checker(func_description, model_output,
// possible_answer, language, test_category, model_name), where the model
// matters only through underscoreToDot (true for upstream's function-
// calling models). The checker is chosen by substring of testCategory:
// "parallel" (order-free), else "multiple", else simple. An error is a
// *py.Exception: what upstream would raise for malformed inputs.
func Check(functions, modelOutput, possibleAnswer py.Value, lang Language, testCategory string, underscoreToDot bool) (Result, error) {
	c := checker{lang: lang, underscoreToDot: underscoreToDot}
	var r *result
	var err error
	switch {
	case strings.Contains(testCategory, "parallel"):
		r, err = c.parallelNoOrder(functions, modelOutput, possibleAnswer)
	case strings.Contains(testCategory, "multiple"):
		r, err = c.multiple(functions, modelOutput, possibleAnswer)
	default:
		r, err = c.single(functions, modelOutput, possibleAnswer)
	}
	if err != nil {
		return Result{}, err
	}
	return r.public(), nil
}

func (c checker) single(functions, modelOutput, possibleAnswer py.Value) (*result, error) {
	n, err := py.Len(modelOutput)
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return failed("simple_function_checker:wrong_count", "Wrong number of functions."), nil
	}
	args, err := indexAll(py.Int(0), functions, modelOutput, possibleAnswer)
	if err != nil {
		return nil, err
	}
	return c.simple(args[0], args[1], args[2])
}

// indexAll is x[i] for each x, in order.
func indexAll(i py.Value, xs ...py.Value) ([]py.Value, error) {
	out := make([]py.Value, len(xs))
	for j, x := range xs {
		v, err := py.Index(x, i)
		if err != nil {
			return nil, err
		}
		out[j] = v
	}
	return out, nil
}

// item is x[k1][k2]...
func item(x py.Value, keys ...string) (py.Value, error) {
	for _, k := range keys {
		v, err := py.Index(x, py.Str(k))
		if err != nil {
			return nil, err
		}
		x = v
	}
	return x, nil
}

// dictOf is x when it is a dict, else the AttributeError of x.method().
func dictOf(x py.Value, method string) (*py.Dict, error) {
	d, ok := x.(*py.Dict)
	if !ok {
		return nil, py.AttributeError(x, method)
	}
	return d, nil
}

// firstKey is list(x.keys())[0].
func firstKey(x py.Value) (py.Value, error) {
	d, err := dictOf(x, "keys")
	if err != nil {
		return nil, err
	}
	if d.Len() == 0 {
		return nil, py.Errorf("IndexError", "list index out of range")
	}
	return d.KeyAt(0), nil
}

// findDescription is upstream's find_description: the doc named name in a
// list of docs (None when absent), or the doc itself when not a list.
func findDescription(functions py.Value, name py.Value) (py.Value, error) {
	l, ok := functions.(*py.List)
	if !ok {
		return functions, nil
	}
	for _, f := range l.Items {
		n, err := py.Index(f, py.Str("name"))
		if err != nil {
			return nil, err
		}
		if py.Eq(n, name) {
			return f, nil
		}
	}
	return py.None, nil
}

func (c checker) multiple(functions, modelOutput, answers py.Value) (*result, error) {
	if err := sameLen(modelOutput, answers); err != nil {
		if err == errCount {
			return failed("multiple_function_checker:wrong_count", "Wrong number of functions."), nil
		}
		return nil, err
	}
	first, err := py.Index(answers, py.Int(0))
	if err != nil {
		return nil, err
	}
	name, err := firstKey(first)
	if err != nil {
		return nil, err
	}
	doc, err := findDescription(functions, name)
	if err != nil {
		return nil, err
	}
	out0, err := py.Index(modelOutput, py.Int(0))
	if err != nil {
		return nil, err
	}
	return c.simple(doc, out0, first)
}

// errCount marks lengths that differ (not a Python error).
var errCount = fmt.Errorf("lengths differ")

func sameLen(a, b py.Value) error {
	na, err := py.Len(a)
	if err != nil {
		return err
	}
	nb, err := py.Len(b)
	if err != nil {
		return err
	}
	if na != nb {
		return errCount
	}
	return nil
}

func (c checker) parallelNoOrder(functions, modelOutput, answers py.Value) (*result, error) {
	if err := sameLen(modelOutput, answers); err != nil {
		if err == errCount {
			return failed("parallel_function_checker_no_order:wrong_count", "Wrong number of functions."), nil
		}
		return nil, err
	}
	nOut, _ := py.Len(modelOutput)
	nAns, _ := py.Len(answers)
	matched := make([]bool, nOut)
	var last *result
	for i := 0; i < nAns; i++ {
		answer, err := py.Index(answers, py.Int(i))
		if err != nil {
			return nil, err
		}
		name, err := firstKey(answer)
		if err != nil {
			return nil, err
		}
		doc, err := findDescription(functions, name)
		if err != nil {
			return nil, err
		}
		var allErrors []py.Value
		for index := 0; index < nOut; index++ {
			if matched[index] {
				continue
			}
			out, err := py.Index(modelOutput, py.Int(index))
			if err != nil {
				return nil, err
			}
			r, err := c.simple(doc, out, answer)
			if err != nil {
				return nil, err
			}
			last = r
			if r.valid {
				matched[index] = true
				break
			}
			if !r.hasType {
				return nil, py.KeyError(py.Str("error_type"))
			}
			sub := py.NewDict().
				With("sub_error", &py.List{Items: r.errs}).
				With("sub_error_type", py.Str(r.errType)).
				With("model_output_item", out).
				With("possible_answer_item", answer)
			allErrors = append(allErrors, py.NewDict().With(fmt.Sprintf("Model Result Index %d", index), sub))
		}
		if last == nil {
			return nil, py.Errorf("UnboundLocalError", "cannot access local variable 'result' where it is not associated with a value")
		}
		if !last.valid {
			var considered []py.Value
			for j := 0; j < nOut; j++ {
				if !matched[j] {
					considered = append(considered, py.Int(j))
				}
			}
			head := py.Str(fmt.Sprintf("Could not find a matching function among index %s of model output for index %d of possible answers.",
				py.Repr(&py.List{Items: considered}), i))
			return &result{errs: append([]py.Value{head}, allErrors...),
				errType: "parallel_function_checker_no_order:cannot_find_match", hasType: true}, nil
		}
	}
	return passed(), nil
}

// ConvertArgument is the conversion the checker applies to a Java or
// JavaScript argument (its decoded text) for a parameter whose doc type is
// typ (and itemsType for the items of Array, ArrayList and array): upstream's
// java_type_converter or js_type_converter. Python arguments come back
// unchanged.
func ConvertArgument(lang Language, text, typ, itemsType string) (py.Value, error) {
	switch lang {
	case Java:
		return javaConvert(text, typ, itemsType)
	case JavaScript:
		return jsConvert(text, typ, itemsType)
	}
	return py.Str(text), nil
}
