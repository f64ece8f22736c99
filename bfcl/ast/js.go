package ast

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// jsTypes is upstream's JS_TYPE_CONVERSION.
var jsTypes = map[string]string{
	"String": "str", "integer": "int", "float": "float", "Bigint": "int",
	"Boolean": "bool", "dict": "dict", "array": "list", "any": "str",
}

var (
	jsIntRe    = pyRegexp(`^-?\d+$`)
	jsFloatRe  = pyRegexp(`^-?\d+(\.\d+)?$`)
	jsBigintRe = pyRegexp(`^-?\d+n$`)
	// Upstream's patterns start the second alternative with \b; at the
	// start of the string before "new" it always holds, so it is left out.
	jsArray2DRe = pyRegexp(`^(?:\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|new\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\))`)
	jsInnerRe   = pyRegexp(`\[(.*?)\]`)
	jsArrayRe   = pyRegexp(`^(?:\[(.*?)\]|new\s+Array\((.*?)\))`)
	jsDictRe    = pyRegexp(`^\{(.*?)\}`)
)

// jsQuoteChars are the characters upstream strips from keys and values.
const jsQuoteChars = `'"`

// jsConvert is upstream's js_type_converter.
func jsConvert(value, typ, nested string) (py.Value, error) {
	if _, ok := jsTypes[typ]; !ok {
		return nil, py.ValueErrorf("Unsupported type: %s", typ)
	}
	switch typ {
	case "String":
		if quoted(value) {
			return py.Str(pySlice1(value)), nil
		}
		return py.Str(value), nil
	case "integer":
		if !jsIntRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToInt(py.Str(value))
	case "float":
		if !jsFloatRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToFloat(py.Str(value))
	case "Bigint":
		if !jsBigintRe.MatchString(value) {
			return py.Str(value), nil
		}
		return pynum.ToInt(py.Str(pyDropLast(value)))
	case "Boolean":
		if value != "true" && value != "false" {
			return py.Str(value), nil
		}
		return py.Bool(value == "true"), nil
	case "dict":
		return jsDict(value), nil
	case "array":
		return jsArray(value, nested), nil
	}
	return py.Str(value), nil // any
}

// quoted reports whether s starts and ends with the same quote character
// (a single quote character counts, as in upstream).
func quoted(s string) bool {
	return strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) ||
		strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'")
}

// jsArray is the array half of upstream's parse_js_collection; any failure
// inside gives the (stripped) code back as a string.
func jsArray(code, nested string) py.Value {
	code = pyStrip(code)
	if loc := jsArray2DRe.FindStringIndex(code); loc != nil {
		out := []py.Value{}
		for idx, inner := range jsInnerRe.FindAllStringSubmatch(code[loc[0]:loc[1]], -1) {
			s := pyStrip(inner[1])
			if idx == 0 && strings.HasPrefix(s, "[") {
				s = s[1:]
			}
			var row []py.Value
			for _, e := range strings.Split(s, ",") {
				row = append(row, jsValue(pyStrip(e)))
			}
			out = append(out, &py.List{Items: row})
		}
		return &py.List{Items: out}
	}
	m := jsArrayRe.FindStringSubmatchIndex(code)
	if m == nil {
		return py.Str(code)
	}
	var body string
	switch {
	case m[2] >= 0:
		body = code[m[2]:m[3]]
	case m[4] >= 0:
		body = code[m[4]:m[5]]
	}
	var parts []string
	if s := pyStrip(body); s != "" {
		parts = strings.Split(s, ",")
	}
	out := []py.Value{}
	for _, e := range parts {
		e = pyStrip(e)
		if nested == "" {
			out = append(out, jsValue(e))
			continue
		}
		inner := ""
		if strings.HasPrefix(e, "'") || strings.HasPrefix(e, `"`) {
			inner = "String"
		}
		v, err := jsConvert(e, nested, inner)
		if err != nil {
			return py.Str(code)
		}
		out = append(out, v)
	}
	return &py.List{Items: out}
}

// jsDict is the dict half of upstream's parse_js_collection.
func jsDict(code string) py.Value {
	code = pyStrip(code)
	if code == "{}" {
		return py.NewDict()
	}
	m := jsDictRe.FindStringSubmatch(code)
	if m == nil {
		return py.Str(code)
	}
	out := py.NewDict()
	for _, kv := range jsPairs(m[1]) {
		key := strings.Trim(pyStrip(kv[0]), jsQuoteChars)
		value := pyStrip(kv[1])
		switch {
		case strings.HasPrefix(value, "[") && strings.HasSuffix(value, "]"):
			out.SetStr(key, jsArray(value, ""))
		case strings.HasPrefix(value, "{") && strings.HasSuffix(value, "}"):
			out.SetStr(key, jsDict(value))
		default:
			out.SetStr(key, jsValue(strings.Trim(value, jsQuoteChars)))
		}
	}
	return out
}

// jsValue is upstream's parse_js_value.
func jsValue(s string) py.Value {
	s = pyStrip(s)
	switch {
	case s == "true":
		return py.Bool(true)
	case s == "false":
		return py.Bool(false)
	case quoted(s):
		return py.Str(pySlice1(s))
	}
	if v, err := pynum.ToInt(py.Str(s)); err == nil {
		return v
	}
	if v, err := pynum.ToFloat(py.Str(s)); err == nil {
		return v
	}
	return py.Str(s)
}

// jsPairs is re.findall(r"([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)", content)
// (Go's regexp has no lookahead), following Python's backtracking order.
func jsPairs(content string) [][2]string {
	rs := []rune(content)
	var out [][2]string
	for pos := 0; pos <= len(rs); {
		found := false
		for p := pos; p < len(rs); p++ {
			key, value, end, ok := jsPairAt(rs, p)
			if ok {
				out = append(out, [2]string{key, value})
				pos, found = end, true
				if end == p {
					pos++
				}
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

// jsPairAt tries the pair pattern at p: the key runs to the first colon;
// then greedy whitespace (given back one at a time on failure), then the
// shortest value (no newline) followed by ", " and a lookahead for another
// key, or by the end.
func jsPairAt(rs []rune, p int) (key, value string, end int, ok bool) {
	colon := p
	for colon < len(rs) && rs[colon] != ':' {
		colon++
	}
	if colon == p || colon == len(rs) {
		return "", "", 0, false
	}
	q := colon + 1
	ws := q
	for ws < len(rs) && py.IsSpace(rs[ws]) {
		ws++
	}
	for s := ws; s >= q; s-- {
		for e := s; e <= len(rs); e++ {
			if e < len(rs) && rs[e] == ',' {
				f0 := e + 1
				f := f0
				for f < len(rs) && py.IsSpace(rs[f]) {
					f++
				}
				for ; f >= f0; f-- {
					if keyAhead(rs, f) {
						return string(rs[p:colon]), string(rs[s:e]), f, true
					}
				}
			}
			if e == len(rs) || e == len(rs)-1 && rs[e] == '\n' {
				return string(rs[p:colon]), string(rs[s:e]), e, true
			}
			if rs[e] == '\n' {
				break
			}
		}
	}
	return "", "", 0, false
}

// keyAhead is the lookahead (?=[^,]+:) at f: a colon after at least one
// character, with no comma before it.
func keyAhead(rs []rune, f int) bool {
	if f >= len(rs) || rs[f] == ',' {
		return false
	}
	for j := f + 1; j < len(rs) && rs[j] != ','; j++ {
		if rs[j] == ':' {
			return true
		}
	}
	return false
}
