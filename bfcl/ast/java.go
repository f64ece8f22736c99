package ast

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// javaTypes is upstream's JAVA_TYPE_CONVERSION: the Python type a Java
// parameter type converts to.
var javaTypes = map[string]string{
	"byte": "int", "short": "int", "integer": "int", "float": "float", "double": "float",
	"long": "int", "boolean": "bool", "char": "str", "Array": "list", "ArrayList": "list",
	"Set": "set", "HashMap": "dict", "Hashtable": "dict", "Queue": "list", "Stack": "list",
	"String": "str", "any": "str",
}

var (
	javaIntRe       = pyRegexp(`^-?\d+$`)
	javaFloatRe     = pyRegexp(`^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$`)
	javaDoubleRe    = pyRegexp(`^-?\d+(\.\d+)?([eE][+-]?\d+)?$`)
	javaLongRe      = pyRegexp(`^-?\d+[lL]$`)
	javaAsListRe    = pyRegexp(`new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)`)
	javaAddBlockRe  = pyRegexp(`(?s)new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}`)
	javaAddRe       = pyRegexp(`add\((.+?)\)`)
	javaEmptyListRe = pyRegexp(`new\s+ArrayList<\w*>\(\)`)
	javaArrayRe     = pyRegexp(`new\s+\w+\[\]\s*\{(.*?)\}`)
	javaHashMapRe   = pyRegexp(`(?s)new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\}`)
	javaPutRe       = pyRegexp(`put\("(.*?)",\s*(.*?)\)`)
	javaEmptyMapRe  = pyRegexp(`new\s+HashMap<.*?>\s*\(\)`)
)

// javaConvert is upstream's java_type_converter: the value a Java literal
// string stands for, or the string itself when it does not have the form
// the type needs (then the type check rejects it).
func javaConvert(value, typ, nested string) (py.Value, error) {
	if _, ok := javaTypes[typ]; !ok {
		return nil, py.ValueErrorf("Unsupported type: %s", typ)
	}
	switch typ {
	case "byte", "short", "integer":
		if !javaIntRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToInt(py.Str(value))
	case "float":
		if !javaFloatRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToFloat(py.Str(subFinal(value, "fF")))
	case "double":
		if !javaDoubleRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToFloat(py.Str(value))
	case "long":
		if !javaLongRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToInt(py.Str(subFinal(value, "lL")))
	case "boolean":
		if value != "true" && value != "false" {
			return py.Str(value), nil
		}
		return py.Bool(value == "true"), nil
	case "char":
		// Upstream's pattern for a char literal can never match.
		return py.Str(value), nil
	case "ArrayList":
		return javaArrayList(value, nested)
	case "Array":
		return javaArray(value, nested)
	case "HashMap":
		return javaHashMap(value)
	case "Set", "Hashtable":
		return nil, py.Errorf("NotImplementedError", "Set conversion is not implemented")
	case "Queue", "Stack":
		return nil, py.Errorf("NotImplementedError", "%s conversion is not implemented", typ)
	}
	return py.Str(value), nil // String, any
}

// javaElement converts one element of an ArrayList literal.
func javaElement(s, nested string) (py.Value, error) {
	s = pyStrip(s)
	switch nested {
	case "char", "String":
		return py.Str(pySlice1(s)), nil
	case "":
		return javaValue(s)
	}
	return javaConvert(s, nested, "")
}

func javaArrayList(value, nested string) (py.Value, error) {
	if m := javaAsListRe.FindStringSubmatch(value); m != nil {
		var out []py.Value
		for _, part := range strings.Split(m[1], ",") {
			v, err := javaElement(part, nested)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return &py.List{Items: out}, nil
	}
	if m := javaAddBlockRe.FindStringSubmatch(value); m != nil {
		out := []py.Value{}
		for _, add := range javaAddRe.FindAllStringSubmatch(m[1], -1) {
			v, err := javaElement(add[1], nested)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return &py.List{Items: out}, nil
	}
	if javaEmptyListRe.MatchString(value) {
		return py.NewList(), nil
	}
	return py.Str(value), nil
}

func javaArray(value, nested string) (py.Value, error) {
	m := javaArrayRe.FindStringSubmatch(value)
	if m == nil {
		return py.Str(value), nil
	}
	out := []py.Value{}
	for _, part := range strings.Split(m[1], ",") {
		s := pyStrip(part)
		if s == "" {
			continue
		}
		v, err := javaValue(s)
		if nested != "" {
			v, err = javaConvert(s, nested, "")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return &py.List{Items: out}, nil
}

func javaHashMap(value string) (py.Value, error) {
	if m := javaHashMapRe.FindStringSubmatch(value); m != nil {
		out := py.NewDict()
		if pyStrip(m[1]) == "" {
			return out, nil
		}
		for _, put := range javaPutRe.FindAllStringSubmatch(m[1], -1) {
			v, err := javaValue(pyStrip(put[2]))
			if err != nil {
				return nil, err
			}
			out.SetStr(put[1], v)
		}
		return out, nil
	}
	if javaEmptyMapRe.MatchString(value) {
		return py.NewDict(), nil
	}
	return py.Str(value), nil
}

// javaValue is upstream's parse_java_value: a literal of unknown type.
func javaValue(s string) (py.Value, error) {
	switch {
	case s == "true":
		return py.Bool(true), nil
	case s == "false":
		return py.Bool(false), nil
	case strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`):
		return py.Str(pySlice1(s)), nil
	case javaLongRe.MatchString(s):
		return pynum.ToInt(py.Str(pyDropLast(s)))
	case javaFloatRe.MatchString(s):
		return pynum.ToFloat(py.Str(subFinal(s, "fF")))
	}
	if v, err := pynum.ToInt(py.Str(s)); err == nil {
		return v, nil
	}
	if v, err := pynum.ToFloat(py.Str(s)); err == nil {
		return v, nil
	}
	return py.Str(s), nil
}
