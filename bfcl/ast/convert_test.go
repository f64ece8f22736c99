package ast

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The expected values below were computed with CPython 3.11 (re.findall,
// int, float, str.lower) or follow golden/README.md section 11.6.

func TestJSPairsFollowsPythonFindall(t *testing.T) {
	cases := []struct {
		in   string
		want [][2]string
	}{
		{"a: 1, b: 2", [][2]string{{"a", "1"}, {"b", "2"}}},
		{"'k': 'v', n: [1, 2], m: {x: 1}", [][2]string{{"'k'", "'v'"}, {"n", "[1, 2]"}, {"m", "{x: 1}"}}},
		{"a:1,b", [][2]string{{"a", "1,b"}}},
		{"a: x, y, b: 2", [][2]string{{"a", "x, y"}, {"b", "2"}}},
		{"a:  , b: 3", [][2]string{{"a", ""}, {"b", "3"}}},
		{"a: 1\n, b: 2", [][2]string{{" 1\n, b", "2"}}},
		{"a: 1, :b", [][2]string{{"a", "1"}, {" ", "b"}}},
		{"key: 'v,w', other: 3\n", [][2]string{{"key", "'v,w'"}, {"other", "3"}}},
		{"a: b: c", [][2]string{{"a", "b: c"}}},
		{" : x", [][2]string{{" ", "x"}}},
		{"a:\n1, b: 2", [][2]string{{"a", "1"}, {"b", "2"}}},
		{"no colon", nil},
	}
	for _, c := range cases {
		got := jsPairs(c.in)
		if len(got) != len(c.want) {
			t.Errorf("jsPairs(%q) = %q, want %q", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("jsPairs(%q) = %q, want %q", c.in, got, c.want)
				break
			}
		}
	}
}

func TestConverters(t *testing.T) {
	cases := []struct {
		lang             Language
		value, typ, item string
		want             string // Encode of the converted value
	}{
		{Java, "42", "long", "", `"42"`},
		{Java, "42L", "long", "", `42`},
		{Java, "-7", "integer", "", `-7`},
		{Java, "42\n", "integer", "", `42`},
		{Java, "٤٢", "integer", "", `42`},
		{Java, "3.5", "float", "", `"3.5"`},
		{Java, "3.5f", "float", "", `3.5`},
		{Java, "5", "double", "", `5.0`},
		{Java, "True", "boolean", "", `"True"`},
		{Java, "'a'", "char", "", `"'a'"`},
		{Java, `new String[]{"-v", "-p"}`, "Array", "String", `["\"-v\"","\"-p\""]`},
		{Java, "new String[]{-v, -p}", "Array", "String", `["-v","-p"]`},
		{Java, "new int[]{1, 2, }", "Array", "integer", `[1,2]`},
		{Java, "new ArrayList<>(Arrays.asList(101L, 202L))", "ArrayList", "long", `[101,202]`},
		{Java, `new ArrayList<String>(Arrays.asList("a", "b"))`, "ArrayList", "String", `["a","b"]`},
		{Java, `new ArrayList<Object>(Arrays.asList("a", 1))`, "ArrayList", "any", `["\"a\"","1"]`},
		{Java, "new ArrayList<Integer>() {{ add(1); add(2); }}", "ArrayList", "integer", `[1,2]`},
		{Java, "new ArrayList<>()", "ArrayList", "integer", `[]`},
		{Java, `new HashMap<String, Object>() {{ put("limit", 50); put("s", "x"); put("b", true); }}`, "HashMap", "", `{"limit":50,"s":"x","b":true}`},
		{Java, "new HashMap<>()", "HashMap", "", `{}`},
		{Java, "map", "HashMap", "", `"map"`},
		{JavaScript, `"x"`, "String", "", `"x"`},
		{JavaScript, `'x'`, "String", "", `"x"`},
		{JavaScript, "5", "float", "", `5.0`},
		{JavaScript, "1e3", "float", "", `"1e3"`},
		{JavaScript, "12n", "Bigint", "", `12`},
		{JavaScript, `["a", "b"]`, "array", "String", `["a","b"]`},
		{JavaScript, "new Array(1, 2)", "array", "integer", `[1,2]`},
		{JavaScript, "[[1, 2], [3]]", "array", "", `[[1,2],[3]]`},
		{JavaScript, `{key: "v", n: 2, on: true}`, "dict", "", `{"key":"v","n":2,"on":true}`},
		{JavaScript, `{'a': [1, 2], b: {c: 1}}`, "dict", "", `{"a":[1,2],"b":"{c: 1"}`},
		{JavaScript, "{}", "dict", "", `{}`},
	}
	for _, c := range cases {
		var got py.Value
		var err error
		if c.lang == Java {
			got, err = javaConvert(c.value, c.typ, c.item)
		} else {
			got, err = jsConvert(c.value, c.typ, c.item)
		}
		if err != nil || Encode(got) != c.want {
			t.Errorf("%s %s %q = %s, %v; want %s", c.lang, c.typ, c.value, Encode(got), err, c.want)
		}
	}
	if _, err := javaConvert("x", "Queue", ""); err == nil || err.Error() != "Queue conversion is not implemented" {
		t.Errorf("Queue: %v, want NotImplementedError", err)
	}
}

func TestStandardize(t *testing.T) {
	cases := map[string]string{
		"New York, NY!":         "newyorkny!",
		"ÉCOLE\u00a0'x'\tİ":     "école\u00a0\"x\"\ti\u0307",
		"a-b_c*d^e/f.g h":       "abcdefgh",
		`"quoted"` + "'single'": `"quoted""single"`,
	}
	for in, want := range cases {
		if got := Standardize(in); got != want {
			t.Errorf("Standardize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTagRoundTrip(t *testing.T) {
	for _, enc := range []string{
		`{"__tuple__":[1,{"__tuple__":[]}]}`,
		`{"__dict__":[[1,"c"],[null,"n"],[{"__tuple__":[1,2]},"t"]]}`,
		`{"__dict__":[["__tuple__",[1]]]}`,
		`[{"__float__":"inf"},{"__float__":"-inf"},-0.0,1e+16]`,
		`{"s":{"__bytes__":"00ff"},"c":{"__complex__":[0.0,2.5]}}`,
	} {
		v, err := py.FromJSON([]byte(enc))
		if err != nil {
			t.Fatal(err)
		}
		u, err := Untag(v)
		if err != nil {
			t.Fatalf("Untag(%s): %v", enc, err)
		}
		if got := Encode(u); got != enc {
			t.Errorf("Encode(Untag(%s)) = %s", enc, got)
		}
	}
}
