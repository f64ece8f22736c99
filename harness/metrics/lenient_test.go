package metrics

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestUnmarshalLenient(t *testing.T) {
	type figures map[string]json.RawMessage
	cases := []struct {
		name, in string
		want     figures
		err      string
	}{
		{"plain", `{"a":1,"b":"x"}`, figures{"a": json.RawMessage(`1`), "b": json.RawMessage(`"x"`)}, ""},
		{"bare non-finite tokens are quoted", `{"a":NaN,"b":[Infinity,-Infinity]}`,
			figures{"a": json.RawMessage(`"NaN"`), "b": json.RawMessage(`["Infinity","-Infinity"]`)}, ""},
		{"tokens inside strings stay", `{"NaN":"NaN \"Infinity\" -Infinity"}`,
			figures{"NaN": json.RawMessage(`"NaN \"Infinity\" -Infinity"`)}, ""},
		{"escaped backslash ends the string", `{"a":"\\","b":NaN}`,
			figures{"a": json.RawMessage(`"\\"`), "b": json.RawMessage(`"NaN"`)}, ""},
		{"syntax error names the byte", `{"a":nul}`, nil, "invalid JSON at byte 9: invalid character '}' in literal null (expecting 'l')"},
		{"not an object", `[1,2]`, nil, "got JSON array, want an object"},
	}
	for _, c := range cases {
		var got figures
		err := UnmarshalLenient([]byte(c.in), &got)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %s, %v; want %s", c.name, got, err, c.want)
		}
	}
	var typed struct {
		Step int `json:"step"`
	}
	if err := UnmarshalLenient([]byte(`{"step":NaN}`), &typed); err == nil || err.Error() != `field "step": got JSON string` {
		t.Errorf("non-finite step: %v", err)
	}
	var x float64
	if err := UnmarshalLenient([]byte(`Infinity`), &x); err == nil || err.Error() != "got JSON string, want a number" {
		t.Errorf("bare Infinity into a float64: %v (x %v)", err, x)
	}
}
