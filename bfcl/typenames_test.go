package bfcl

import "testing"

// TestErrorMessagesNameTypesAsCPython runs calls whose errors name a
// type, and expects CPython 3.11's messages (written by hand from its
// output): argument parsers call None "None" (not "NoneType"), str
// indexing quotes the type, and * and ** name the called method with its
// upstream module.
func TestErrorMessagesNameTypesAsCPython(t *testing.T) {
	ex, err := NewExecutor(ExecutorConfig{Classes: []string{"TravelAPI", "MathAPI"}, ModelName: "m", EntryID: "e"})
	if err != nil {
		t.Fatal(err)
	}
	const module = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"
	for _, c := range []struct{ call, want string }{
		{"verify_traveler_information(first_name=None, last_name=None, date_of_birth=None, passport_number='US1')",
			"strptime() argument 1 must be str, not None"},
		{"verify_traveler_information(first_name=None, last_name=None, date_of_birth=5, passport_number='US1')",
			"strptime() argument 1 must be str, not int"},
		{"add(**None)", module + ".math_api.MathAPI.add() argument after ** must be a mapping, not NoneType"},
		{"add(a=1, **[1])", module + ".math_api.MathAPI.add() argument after ** must be a mapping, not list"},
		{"add(*None)", module + ".math_api.MathAPI.add() argument after * must be an iterable, not NoneType"},
		{"add(1, *None)", "Value after * must be an iterable, not NoneType"},
		{"add(*None, **None)", module + ".math_api.MathAPI.add() argument after ** must be a mapping, not NoneType"},
	} {
		if got := ex.ExecuteOne(c.call); got != errorPrefix+c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.call, got, errorPrefix+c.want)
		}
	}
}
