package ast

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// classRepr is str() of a Python type: <class 'int'>.
func classRepr(name string) string { return "<class '" + name + "'>" }

// answerType is upstream's get_possible_answer_type: the type of the first
// allowed value that is not "" (ok false when there is none).
func answerType(allowed py.Value) (string, bool, error) {
	items, err := iterate(allowed)
	if err != nil {
		return "", false, err
	}
	for _, a := range items {
		if !py.Eq(a, py.Str("")) {
			return a.TypeName(), true, nil
		}
	}
	return "", false, nil
}

// typeCheck is upstream's type_checker. A possible answer whose type
// differs from the doc's marks a "variable" (compared exactly later);
// nested types are checked one level deep against list answers.
func typeCheck(param, value, allowed py.Value, desc, expected, nested string) (*result, error) {
	r := &result{valid: true, errs: []py.Value{}, errType: "type_error:simple", hasType: true}
	aType, hasAType, err := answerType(allowed)
	if err != nil {
		return nil, err
	}
	isVariable := hasAType && aType != expected
	if value.TypeName() == expected {
		if nested == "" {
			r.isVariable = isVariable
			return r, nil
		}
		ok, err := nestedTypesMatch(param, value, allowed, nested)
		if err != nil {
			return nil, err
		}
		if ok {
			return &result{valid: true, errs: []py.Value{}, isVariable: isVariable}, nil
		}
		r.valid = false
		r.errs = []py.Value{py.Str(fmt.Sprintf("Nested type checking failed for parameter %s. Expected outer type %s with inner type %s. Parameter value: %s.",
			py.Repr(param), desc, classRepr(nested), py.Repr(value)))}
		r.errType = "type_error:nested"
	}
	if hasAType && value.TypeName() == aType {
		r.isVariable = true
		return r, nil
	}
	return r.fail("type_error:simple", fmt.Sprintf("Incorrect type for parameter %s. Expected type %s, got %s. Parameter value: %s.",
		py.Repr(param), desc, value.TypeName(), py.Repr(value))), nil
}

// nestedTypesMatch reports whether, for some allowed value, every item of
// value passes the inner type check (an allowed value that is not a list
// passes at once).
func nestedTypesMatch(param, value, allowed py.Value, nested string) (bool, error) {
	answers, err := iterate(allowed)
	if err != nil {
		return false, err
	}
	for _, a := range answers {
		if _, isList := a.(*py.List); !isList {
			return true, nil
		}
		items, err := iterate(value)
		if err != nil {
			return false, err
		}
		all := true
		for _, it := range items {
			r, err := typeCheck(param, it, a, classRepr(nested), nested, "")
			if err != nil {
				return false, err
			}
			if !r.valid {
				all = false
				break
			}
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

// standardizeRe is the character class standardize_string deletes.
var standardizeRe = regexp.MustCompile(`[ ,./\-_*^]`)

// Standardize is upstream's standardize_string: delete every one of
// ` ,./-_*^`, lower-case (Unicode), then ' becomes ".
func Standardize(s string) string {
	return strings.ReplaceAll(py.Lower(standardizeRe.ReplaceAllString(s, "")), "'", `"`)
}

// standardized is the list with its str items standardised.
func standardized(items []py.Value) *py.List {
	out := make([]py.Value, len(items))
	for i, it := range items {
		if s, ok := it.(py.Str); ok {
			out[i] = py.Str(Standardize(string(s)))
		} else {
			out[i] = it
		}
	}
	return &py.List{Items: out}
}

// stringCheck is upstream's string_checker.
func stringCheck(param, value, allowed py.Value) (*result, error) {
	items, err := indexed(allowed)
	if err != nil {
		return nil, err
	}
	var std []py.Value
	for _, a := range items {
		if s, ok := a.(py.Str); ok {
			std = append(std, py.Str(Standardize(string(s))))
		}
	}
	s, _ := value.(py.Str)
	in, err := py.Contains(&py.List{Items: std}, py.Str(Standardize(string(s))))
	if err != nil {
		return nil, err
	}
	if !in {
		return failed("value_error:string", fmt.Sprintf("Invalid value for parameter %s: %s. Expected one of %s. Case insensitive.",
			py.Repr(param), py.Repr(value), py.StrOf(allowed))), nil
	}
	return passed(), nil
}

// listCheck is upstream's list_checker: str items are standardised on both
// sides, and the list must equal one allowed list.
func listCheck(param, value, allowed py.Value) (*result, error) {
	items, err := iterate(value)
	if err != nil {
		return nil, err
	}
	mine := standardized(items)
	answers, err := indexed(allowed)
	if err != nil {
		return nil, err
	}
	std := make([]py.Value, len(answers))
	for i, a := range answers {
		inner, err := indexed(a)
		if err != nil {
			return nil, err
		}
		std[i] = standardized(inner)
	}
	in, err := py.Contains(&py.List{Items: std}, mine)
	if err != nil {
		return nil, err
	}
	if !in {
		return failed("value_error:list/tuple", fmt.Sprintf("Invalid value for parameter %s: %s. Expected one of %s.",
			py.Repr(param), py.Repr(value), py.StrOf(allowed))), nil
	}
	return passed(), nil
}

// dictCheck is upstream's dict_checker: the first allowed dict (allowed
// values "" skipped) that the model's dict satisfies makes it valid; else
// the errors of the last one tried.
func dictCheck(value, allowed py.Value) (*result, error) {
	r := &result{errs: []py.Value{}, errType: "dict_checker:unclear", hasType: true}
	answers, err := indexed(allowed)
	if err != nil {
		return nil, err
	}
	for _, answer := range answers {
		if py.Eq(answer, py.Str("")) {
			continue
		}
		r = &result{errs: []py.Value{}, errType: "dict_checker:unclear", hasType: true}
		ok, err := dictMatches(r, value, answer)
		if err != nil {
			return nil, err
		}
		if ok {
			return passed(), nil
		}
	}
	return r, nil
}

// dictMatches checks the model's dict against one allowed dict, recording
// the first bad key or value and the first missing key in r.
func dictMatches(r *result, value, answer py.Value) (bool, error) {
	model, err := dictOf(value, "items")
	if err != nil {
		return false, err
	}
	ok := true
	for i := 0; i < model.Len(); i++ {
		good, err := dictEntryMatches(r, model.KeyAt(i), model.ValueAt(i), answer)
		if err != nil {
			return false, err
		}
		if !good {
			ok = false
			break
		}
	}
	ans, err := dictOf(answer, "items")
	if err != nil {
		return false, err
	}
	for i := 0; i < ans.Len(); i++ {
		key := ans.KeyAt(i)
		present, err := model.Has(key)
		if err != nil {
			return false, err
		}
		if present {
			continue
		}
		optional, err := py.Contains(ans.ValueAt(i), py.Str(""))
		if err != nil {
			return false, err
		}
		if !optional {
			r.fail("value_error:dict_key", fmt.Sprintf("Missing dict key parameter: '%s'.", py.StrOf(key)))
			ok = false
			break
		}
	}
	return ok, nil
}

func dictEntryMatches(r *result, key, v, answer py.Value) (bool, error) {
	known, err := py.Contains(answer, key)
	if err != nil {
		return false, err
	}
	if !known {
		r.fail("value_error:dict_key", fmt.Sprintf("Unexpected dict key parameter: '%s'.", py.StrOf(key)))
		return false, nil
	}
	std := v
	if s, ok := v.(py.Str); ok {
		std = py.Str(Standardize(string(s)))
	}
	allowedV, err := py.Index(answer, key)
	if err != nil {
		return false, err
	}
	items, err := indexed(allowedV)
	if err != nil {
		return false, err
	}
	stdAllowed := standardized(items)
	in, err := py.Contains(stdAllowed, std)
	if err != nil {
		return false, err
	}
	if !in {
		r.fail("value_error:dict_value", fmt.Sprintf("Invalid value for parameter %s: %s. Expected one of %s.",
			py.Repr(key), py.Repr(v), py.StrOf(stdAllowed)))
		return false, nil
	}
	return true, nil
}

// listDictCheck is upstream's list_dict_checker: the same number of dicts
// as some allowed list, each matching its counterpart.
func listDictCheck(value, allowed py.Value) (*result, error) {
	r := &result{errs: []py.Value{}, errType: "list_dict_checker:unclear", hasType: true}
	answers, err := indexed(allowed)
	if err != nil {
		return nil, err
	}
	models, err := indexed(value)
	if err != nil {
		return nil, err
	}
	for _, answer := range answers {
		n, err := py.Len(answer)
		if err != nil {
			return nil, err
		}
		if len(models) != n {
			r.valid, r.errType, r.hasType = false, "value_error:list_dict_count", true
			r.errs = []py.Value{py.Str("Wrong number of dictionaries in the list.")}
			continue
		}
		ok := true
		for i, m := range models {
			a, err := py.Index(answer, py.Int(i))
			if err != nil {
				return nil, err
			}
			if r, err = dictCheck(m, py.NewList(a)); err != nil {
				return nil, err
			}
			if !r.valid {
				ok = false
				break
			}
		}
		if ok {
			return passed(), nil
		}
	}
	return r, nil
}
