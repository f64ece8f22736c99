package bfcl

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/ast"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
)

// The ground-truth policy's replies for the Java and JavaScript
// categories in prompting mode: each argument written as source text of
// that language which upstream's parser and type converter turn back
// into the possible answer's value. A value with no such text (upstream's
// walk drops the body of new HashMap<>() {{ put(…); }}, and a Java array
// of strings must hold bare words) is written in its most natural form,
// and the entry then scores as invalid.

// langCalls writes the calls for the Java and JavaScript categories: the
// prompting reply [name(param=text, …), …] and the function-calling
// calls, whose arguments are the texts upstream's parser would have
// decoded (strings: upstream's docs for these languages ask for every
// argument as a string). Each call's parameter types come from its doc
// among functions.
func langCalls(lang ast.Language, calls []env.ToolCall, functions py.Value) (string, []env.ToolCall, error) {
	parts := make([]string, len(calls))
	fc := make([]env.ToolCall, len(calls))
	for i, c := range calls {
		var doc py.Value
		if l, ok := functions.(*py.List); ok {
			for _, f := range l.Items {
				if d, ok := f.(*py.Dict); ok {
					if n, _ := d.GetStr("name"); n == py.Str(c.Name) {
						doc = d
					}
				}
			}
		}
		text, decoded, err := langCall(lang, c, doc)
		if err != nil {
			return "", nil, err
		}
		parts[i] = text
		fc[i] = env.ToolCall{ID: fmt.Sprintf("call_%d", i), Name: strings.ReplaceAll(c.Name, ".", "_"), Arguments: decoded}
	}
	return "[" + strings.Join(parts, ", ") + "]", fc, nil
}

// langCall is name(param=text, …) for one call and its arguments as a
// JSON object of decoded texts.
func langCall(lang ast.Language, c env.ToolCall, doc py.Value) (string, string, error) {
	args, err := callArgs(c)
	if err != nil {
		return "", "", err
	}
	parts := make([]string, args.Len())
	decoded := py.NewDict()
	for i := 0; i < args.Len(); i++ {
		name := py.StrOf(args.KeyAt(i))
		typ, items := docParamTypes(doc, name)
		text, dec := argumentText(lang, typ, items, args.ValueAt(i))
		parts[i] = name + "=" + text
		decoded.SetStr(name, py.Str(dec))
	}
	js, err := py.Dumps(decoded)
	return c.Name + "(" + strings.Join(parts, ", ") + ")", js, err
}

// docParamTypes is a parameter's doc type and its items' type ("" when absent).
func docParamTypes(doc py.Value, name string) (typ, items string) {
	d, _ := doc.(*py.Dict)
	if d == nil {
		return "", ""
	}
	params, _ := d.GetStr("parameters")
	pd, _ := params.(*py.Dict)
	if pd == nil {
		return "", ""
	}
	props, _ := pd.GetStr("properties")
	pp, _ := props.(*py.Dict)
	if pp == nil {
		return "", ""
	}
	p, _ := pp.GetStr(name)
	spec, _ := p.(*py.Dict)
	if spec == nil {
		return "", ""
	}
	if t, ok := spec.GetStr("type"); ok {
		typ = py.StrOf(t)
	}
	if it, ok := spec.GetStr("items"); ok {
		if itd, ok := it.(*py.Dict); ok {
			if t, ok := itd.GetStr("type"); ok {
				items = py.StrOf(t)
			}
		}
	}
	return typ, items
}

// argumentText is the first candidate text that decodes and converts back
// to v, else the first that decodes, else the first. fc is the argument
// for function-calling mode: the text the chosen candidate decodes to
// when it converts back to v; else, as no parser stands between the text
// and the converter in that mode, the first candidate that converts back
// to v; else the chosen candidate's decoded text.
func argumentText(lang ast.Language, typ, items string, v py.Value) (text, fc string) {
	cands := candidateTexts(lang, typ, items, v)
	converts := func(s string) bool {
		conv, err := ast.ConvertArgument(lang, s, typ, items)
		return err == nil && py.Eq(conv, v)
	}
	text, fc = cands[0], cands[0]
	decodes := false
	for _, c := range cands {
		dec, ok := decodeArgument(lang, c)
		switch {
		case ok && converts(dec):
			return c, dec
		case ok && !decodes:
			text, fc, decodes = c, dec, true
		}
	}
	for _, c := range cands {
		if converts(c) {
			return text, c
		}
	}
	return text, fc
}

// decodeArgument is the text upstream's parser decodes an argument's
// source text to.
func decodeArgument(lang ast.Language, text string) (string, bool) {
	var decoded py.Value
	var err error
	probe := "[probe.call(value=" + text + ", other=0)]"
	if lang == ast.Java {
		decoded, err = DecodeJava(probe, false)
	} else {
		decoded, err = DecodeJavaScript(probe, false)
	}
	l, ok := decoded.(*py.List)
	if err != nil || !ok || len(l.Items) != 1 {
		return "", false
	}
	args, _ := l.Items[0].(*py.Dict).ValueAt(0).(*py.Dict)
	got, ok := args.GetStr("value")
	return py.StrOf(got), ok
}

func candidateTexts(lang ast.Language, typ, items string, v py.Value) []string {
	switch x := v.(type) {
	case py.Str:
		s := string(x)
		return []string{s, `"` + s + `"`, "'" + s + "'"}
	case py.Bool:
		if x {
			return []string{"true"}
		}
		return []string{"false"}
	case py.Int, py.BigInt:
		s := py.Repr(x)
		return []string{s, s + "L"}
	case py.Float:
		s := py.Repr(x)
		return []string{s, s + "f"}
	case *py.List:
		if lang == ast.Java {
			return javaListTexts(typ, items, x)
		}
		return []string{"[" + strings.Join(elementTexts(x.Items, `"`, false), ", ") + "]"}
	case *py.Dict:
		if lang == ast.Java {
			return []string{javaMapText(x)}
		}
		return []string{jsObjectText(x)}
	}
	return []string{py.Repr(v)}
}

// elementTexts writes a list's items: strings quoted with q (bare when q
// is ""), numbers, booleans; longs with "L" when long is set.
func elementTexts(items []py.Value, q string, long bool) []string {
	out := make([]string, len(items))
	for i, it := range items {
		switch x := it.(type) {
		case py.Str:
			out[i] = q + string(x) + q
		case py.Bool:
			out[i] = "false"
			if x {
				out[i] = "true"
			}
		case *py.List:
			out[i] = "[" + strings.Join(elementTexts(x.Items, q, long), ", ") + "]"
		case *py.Dict:
			out[i] = jsObjectText(x)
		default:
			out[i] = py.Repr(it)
			if long {
				out[i] += "L"
			}
		}
	}
	return out
}

var javaElementTypes = map[string]string{"String": "String", "integer": "int", "long": "long", "double": "double",
	"float": "float", "boolean": "boolean", "char": "char", "byte": "byte", "short": "short"}

// javaListTexts writes a list as the converter of its doc type reads it:
// new T[]{…} for Array (strings bare, as upstream's converter keeps quotes),
// new ArrayList<>(Arrays.asList(…)) for ArrayList.
func javaListTexts(typ, items string, l *py.List) []string {
	long := items == "long"
	if typ == "ArrayList" {
		if len(l.Items) == 0 {
			return []string{"new ArrayList<>()"}
		}
		return []string{"new ArrayList<>(Arrays.asList(" + strings.Join(elementTexts(l.Items, `"`, long), ", ") + "))"}
	}
	t, ok := javaElementTypes[items]
	if !ok {
		t = "Object"
	}
	bare := "new " + t + "[]{" + strings.Join(elementTexts(l.Items, "", long), ", ") + "}"
	quoted := "new " + t + "[]{" + strings.Join(elementTexts(l.Items, `"`, long), ", ") + "}"
	if items == "" {
		return []string{quoted, bare}
	}
	return []string{bare, quoted}
}

// javaMapText writes a dict as a double-brace HashMap (its body is lost
// in upstream's walk unless the map is empty).
func javaMapText(d *py.Dict) string {
	if d.Len() == 0 {
		return "new HashMap<>()"
	}
	var b strings.Builder
	b.WriteString("new HashMap<String, Object>() {{ ")
	for i := 0; i < d.Len(); i++ {
		b.WriteString(`put("` + py.StrOf(d.KeyAt(i)) + `", ` + elementTexts([]py.Value{d.ValueAt(i)}, `"`, false)[0] + "); ")
	}
	b.WriteString("}}")
	return b.String()
}

// jsObjectText writes a dict as an object literal with quoted keys.
func jsObjectText(d *py.Dict) string {
	parts := make([]string, d.Len())
	for i := 0; i < d.Len(); i++ {
		parts[i] = `"` + py.StrOf(d.KeyAt(i)) + `": ` + elementTexts([]py.Value{d.ValueAt(i)}, `"`, false)[0]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
