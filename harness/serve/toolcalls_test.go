package serve

import (
	"reflect"
	"testing"
)

func TestParseCallList(t *testing.T) {
	cases := []struct {
		text string
		want []call
		ok   bool
	}{
		{"[get_weather(city='Paris')]", []call{{"get_weather", `{"city":"Paris"}`}}, true},
		{" [a(n=1, x=-2.5, b=True, z=None), b()] ", []call{{"a", `{"n":1,"x":-2.5,"b":true,"z":null}`}, {"b", `{}`}}, true},
		{`f(items=[1, "two"], d={'k': (3, 4)}, s='it\'s')`, []call{{"f", `{"items":[1,"two"],"d":{"k":[3,4]},"s":"it's"}`}}, true},
		{"[]", nil, false},
		{"The weather is fine.", nil, false},
		{"[f(1)]", nil, false},            // positional arguments are not the agent format
		{"[f(a=1)] and more", nil, false}, // trailing text
		{"[f(a=x)]", nil, false},          // a name is not a literal
	}
	for _, c := range cases {
		got, ok := parseCallList(c.text)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseCallList(%q) = %v, %v; want %v, %v", c.text, got, ok, c.want, c.ok)
		}
	}
}

func TestPyCallListRendersHistory(t *testing.T) {
	calls := []toolCall{{Function: functionCall{Name: "cd", Arguments: `{"folder":"a'b","deep":true,"n":2,"tags":["x"]}`}},
		{Function: functionCall{Name: "ls"}}}
	got, err := pyCallList(calls)
	want := `[cd(deep=True, folder='a\'b', n=2, tags=['x']), ls()]`
	if err != nil || got != want {
		t.Errorf("pyCallList = %q, %v; want %q", got, err, want)
	}
	if _, err := pyCallList([]toolCall{{Function: functionCall{Name: "f", Arguments: "[1]"}}}); err == nil {
		t.Error("arguments that are not an object: no error")
	}
}
