package ast

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// funcName is upstream's convert_func_name: function-calling models
// cannot use "." in names, so theirs are compared with "_".
func (c checker) funcName(name py.Value) (py.Value, error) {
	s, ok := name.(py.Str)
	if !ok {
		if _, err := py.Contains(name, py.Str(".")); err != nil {
			return nil, err
		}
		return name, nil
	}
	if c.underscoreToDot && strings.Contains(string(s), ".") {
		return py.Str(strings.ReplaceAll(string(s), ".", "_")), nil
	}
	return s, nil
}

// simple is upstream's simple_function_checker for one call.
func (c checker) simple(doc, modelOutput, possibleAnswer py.Value) (*result, error) {
	pa, err := dictOf(possibleAnswer, "values")
	if err != nil {
		return nil, err
	}
	if pa.Len() == 0 {
		return nil, py.Errorf("IndexError", "list index out of range")
	}
	answer := pa.ValueAt(0)
	name, err := item(doc, "name")
	if err != nil {
		return nil, err
	}
	details, err := item(doc, "parameters", "properties")
	if err != nil {
		return nil, err
	}
	required, err := item(doc, "parameters", "required")
	if err != nil {
		return nil, err
	}
	r := &result{valid: true, errs: []py.Value{}, errType: "simple_function_checker:unclear", hasType: true}
	if name, err = c.funcName(name); err != nil {
		return nil, err
	}
	has, err := py.Contains(modelOutput, name)
	if err != nil {
		return nil, err
	}
	if !has {
		return r.fail("simple_function_checker:wrong_func_name", fmt.Sprintf("Function name %s not found in model output.", py.Repr(name))), nil
	}
	params, err := py.Index(modelOutput, name)
	if err != nil {
		return nil, err
	}
	reqs, err := iterate(required)
	if err != nil {
		return nil, err
	}
	for _, p := range reqs {
		has, err := py.Contains(params, p)
		if err != nil {
			return nil, err
		}
		if !has {
			return r.fail("simple_function_checker:missing_required", fmt.Sprintf("Missing required parameter: %s.", py.Repr(p))), nil
		}
	}
	pd, err := dictOf(params, "items")
	if err != nil {
		return nil, err
	}
	for i := 0; i < pd.Len(); i++ {
		next, stop, err := c.param(r, details, answer, pd.KeyAt(i), pd.ValueAt(i))
		if err != nil || stop {
			return next, err
		}
		r = next
	}
	return c.optionalsGiven(r, answer, params)
}

// optionalsGiven is the final loop: every parameter of the possible answer
// the model left out must allow "".
func (c checker) optionalsGiven(r *result, answer, params py.Value) (*result, error) {
	names, err := iterate(answer)
	if err != nil {
		return nil, err
	}
	for _, p := range names {
		given, err := py.Contains(params, p)
		if err != nil {
			return nil, err
		}
		if given {
			continue
		}
		allowed, err := py.Index(answer, p)
		if err != nil {
			return nil, err
		}
		optional, err := py.Contains(allowed, py.Str(""))
		if err != nil {
			return nil, err
		}
		if !optional {
			return r.fail("simple_function_checker:missing_optional",
				fmt.Sprintf("Optional parameter %s not provided and not marked as optional.", py.Repr(p))), nil
		}
	}
	return r, nil
}

// paramTypes is what the language branch of simple_function_checker
// computes for one parameter: the converted value and the Python types.
type paramTypes struct {
	value      py.Value
	desc       py.Value // the doc's type, as written
	expected   string   // Python type name
	nested     string   // Python type name of the items, "" for None
	earlyError *result  // type_error:java / type_error:js
}

// param checks one parameter of the model's call. It returns the result
// to carry on with, or stop with the result to return.
func (c checker) param(r *result, details, answer, name, value py.Value) (*result, bool, error) {
	known, err := py.Contains(details, name)
	if err != nil {
		return nil, true, err
	}
	if known {
		known, err = py.Contains(answer, name)
		if err != nil {
			return nil, true, err
		}
	}
	if !known {
		return r.fail("simple_function_checker:unexpected_param", fmt.Sprintf("Unexpected parameter: %s.", py.Repr(name))), true, nil
	}
	full, err := py.Index(details, name)
	if err != nil {
		return nil, true, err
	}
	pt, err := c.types(r, full, name, value)
	if err != nil || pt.earlyError != nil {
		return pt.earlyError, true, err
	}
	value = pt.value
	if s, ok := pt.desc.(py.Str); ok && s == "tuple" {
		if t, ok := value.(py.Tuple); ok {
			value = &py.List{Items: append([]py.Value{}, t...)}
		}
	}
	if c.lang == Python && pt.desc == py.Str("float") && py.IsInt(value) {
		f, ok := py.AsFloat(value)
		if !ok {
			return nil, true, py.Errorf("OverflowError", "int too large to convert to float")
		}
		value = py.Float(f)
	}
	allowed, err := py.Index(answer, name)
	if err != nil {
		return nil, true, err
	}
	tc, err := typeCheck(name, value, allowed, py.StrOf(pt.desc), pt.expected, pt.nested)
	if err != nil || !tc.valid {
		return tc, true, err
	}
	if !tc.isVariable {
		next, handled, err := valueCheck(name, value, allowed, pt)
		if err != nil || handled && !next.valid {
			return next, true, err
		}
		if handled {
			return next, false, nil
		}
	}
	in, err := py.Contains(allowed, value)
	if err != nil {
		return nil, true, err
	}
	if !in {
		return r.fail("value_error:others", fmt.Sprintf("Invalid value for parameter %s: %s. Expected one of %s.",
			py.Repr(name), py.Repr(value), py.StrOf(allowed))), true, nil
	}
	return r, false, nil
}

// valueCheck runs the checker for dicts, lists of dicts, strings and lists;
// handled is false for the other types (compared with `in` by the caller).
func valueCheck(name, value, allowed py.Value, pt paramTypes) (*result, bool, error) {
	var r *result
	var err error
	switch {
	case pt.expected == "dict":
		r, err = dictCheck(value, allowed)
	case pt.expected == "list" && pt.nested == "dict":
		r, err = listDictCheck(value, allowed)
	case pt.expected == "str":
		r, err = stringCheck(name, value, allowed)
	case pt.expected == "list":
		r, err = listCheck(name, value, allowed)
	default:
		return nil, false, nil
	}
	return r, true, err
}

// types is the language branch: the Python types the doc's type maps to,
// and the value converted from its Java or JavaScript string.
func (c checker) types(r *result, full, name, value py.Value) (paramTypes, error) {
	desc, err := item(full, "type")
	if err != nil {
		return paramTypes{}, err
	}
	pt := paramTypes{value: value, desc: desc}
	table, errType := pythonTypes, ""
	switch c.lang {
	case Java:
		table, errType = javaTypes, "type_error:java"
	case JavaScript:
		table, errType = jsTypes, "type_error:js"
	}
	if pt.expected, err = lookupType(table, desc); err != nil {
		return pt, err
	}
	nestedList := []string{"array", "tuple"}
	if c.lang != Python {
		nestedList = []string{"Array", "ArrayList", "array"}
		if _, isStr := value.(py.Str); !isStr {
			pt.earlyError = r.fail(errType, fmt.Sprintf("Incorrect type for parameter %s. Expected type String, got %s. Parameter value: %s.",
				py.Repr(name), value.TypeName(), py.Repr(value)))
			return pt, nil
		}
	}
	descName, _ := desc.(py.Str)
	var nestedDesc string
	isNested := false
	for _, n := range nestedList {
		if string(descName) == n {
			isNested = true
		}
	}
	if isNested {
		nd, err := item(full, "items", "type")
		if err != nil {
			return pt, err
		}
		if pt.nested, err = lookupType(table, nd); err != nil {
			return pt, err
		}
		nestedDesc = py.StrOf(nd)
	}
	switch c.lang {
	case Java:
		pt.value, err = javaConvert(string(value.(py.Str)), string(descName), nestedDesc)
	case JavaScript:
		pt.value, err = jsConvert(string(value.(py.Str)), string(descName), nestedDesc)
	}
	return pt, err
}

// lookupType is table[desc], with Python's KeyError (or TypeError for an
// unhashable type description).
func lookupType(table map[string]string, desc py.Value) (string, error) {
	if _, err := py.HashKey(desc); err != nil {
		return "", err
	}
	s, ok := desc.(py.Str)
	t, found := table[string(s)]
	if !ok || !found {
		return "", py.KeyError(desc)
	}
	return t, nil
}

// iterate is a Python for loop's items.
func iterate(v py.Value) ([]py.Value, error) {
	switch x := v.(type) {
	case py.Str:
		var out []py.Value
		for _, r := range string(x) {
			out = append(out, py.Str(string(r)))
		}
		return out, nil
	case *py.List:
		return x.Items, nil
	case py.Tuple:
		return x, nil
	case *py.Dict:
		return x.Keys(), nil
	case *py.Set:
		return x.Items(), nil
	}
	return nil, py.TypeErrorf("'%s' object is not iterable", v.TypeName())
}

// indexed is [x[i] for i in range(len(x))], the way upstream walks lists.
func indexed(x py.Value) ([]py.Value, error) {
	n, err := py.Len(x)
	if err != nil {
		return nil, err
	}
	out := make([]py.Value, n)
	for i := 0; i < n; i++ {
		if out[i], err = py.Index(x, py.Int(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
