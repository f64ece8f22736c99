package chattemplate

import (
	"strings"
)

// tojsonFunc is the global the rewritten templates call in place of the
// tojson filter.
const tojsonFunc = "__seeupo_tojson"

// rewriteTojson replaces every use of the tojson filter inside the tags of
// a template ("x | tojson", "a.b[0] | tojson(indent=2)") with a call of
// tojsonFunc ("__seeupo_tojson(x)", "__seeupo_tojson(a.b[0], indent=2)").
// The engine looks filters up among its own builtins only, so its tojson
// (Go's float spelling, \u2028 escaped, indent through Go's encoder)
// cannot be replaced by transformers' json.dumps any other way. Text
// outside tags and string literals are left alone.
func rewriteTojson(src string) string {
	var out strings.Builder
	for i := 0; i < len(src); {
		open := strings.Index(src[i:], "{")
		if open < 0 || i+open+1 >= len(src) {
			out.WriteString(src[i:])
			break
		}
		open += i
		var closer string
		switch src[open+1] {
		case '{':
			closer = "}}"
		case '%':
			closer = "%}"
		case '#':
			closer = "#}"
		default:
			out.WriteString(src[i : open+1])
			i = open + 1
			continue
		}
		end := tagEnd(src, open+2, closer)
		out.WriteString(src[i : open+2])
		body := src[open+2 : end]
		if closer != "#}" {
			body = rewriteTag(body)
		}
		out.WriteString(body)
		i = end
	}
	return out.String()
}

// tagEnd is the index of the closer of a tag whose body starts at from
// (skipping string literals), or len(src).
func tagEnd(src string, from int, closer string) int {
	for j := from; j < len(src); j++ {
		switch c := src[j]; {
		case closer != "#}" && (c == '\'' || c == '"'):
			j = skipString(src, j)
		case strings.HasPrefix(src[j:], closer):
			return j
		}
	}
	return len(src)
}

// skipString returns the index of the quote closing the literal that
// opens at i (or the last index).
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(s) - 1
}

// rewriteTag rewrites the tojson filters of one tag body.
func rewriteTag(body string) string {
	for from := 0; ; {
		bar, name := findFilter(body, from, "tojson")
		if bar < 0 {
			return body
		}
		start := primaryStart(body, bar)
		after := name + len("tojson")
		args := ""
		k := after
		for k < len(body) && body[k] == ' ' {
			k++
		}
		if k < len(body) && body[k] == '(' {
			close := matchForward(body, k)
			args = strings.TrimSpace(body[k+1 : close])
			after = close + 1
		}
		call := tojsonFunc + "(" + strings.TrimSpace(body[start:bar])
		if args != "" {
			call += ", " + args
		}
		call += ")"
		body = body[:start] + call + body[after:]
		from = start
	}
}

// findFilter finds "| name" (not part of a longer name, outside string
// literals) at or after from: the index of the bar and of the name.
func findFilter(body string, from int, name string) (int, int) {
	for j := from; j < len(body); j++ {
		switch body[j] {
		case '\'', '"':
			j = skipString(body, j)
		case '|':
			k := j + 1
			for k < len(body) && body[k] == ' ' {
				k++
			}
			if strings.HasPrefix(body[k:], name) && (k+len(name) == len(body) || !isIdent(body[k+len(name)])) {
				return j, k
			}
		}
	}
	return -1, -1
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// primaryStart is where the expression a filter at bar applies to begins:
// the postfix chain (names, attributes, subscripts, calls, literals) and
// any filters before it, scanned backwards.
func primaryStart(body string, bar int) int {
	i := bar
	for {
		for i > 0 && body[i-1] == ' ' {
			i--
		}
		if i == 0 {
			return 0
		}
		switch c := body[i-1]; {
		case c == ')' || c == ']' || c == '}':
			i = matchBackward(body, i-1)
		case c == '\'' || c == '"':
			i = stringStartBackward(body, i-1)
		case isIdent(c):
			for i > 0 && (isIdent(body[i-1])) {
				i--
			}
		default:
			return i
		}
		// What joins the atom to one before it: an attribute dot, a
		// call or subscript directly after a name, or a filter bar.
		j := i
		switch {
		case j > 0 && body[j-1] == '.':
			i = j - 1
			continue
		case j > 0 && (isIdent(body[j-1]) || body[j-1] == ')' || body[j-1] == ']') && (body[i] == '(' || body[i] == '['):
			continue
		}
		k := j
		for k > 0 && body[k-1] == ' ' {
			k--
		}
		if k > 0 && body[k-1] == '|' {
			i = k - 1
			continue
		}
		return j
	}
}

func matchForward(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '\'', '"':
			j = skipString(s, j)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

func matchBackward(s string, close int) int {
	depth := 0
	for j := close; j >= 0; j-- {
		switch s[j] {
		case '\'', '"':
			j = stringStartBackward(s, j)
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return 0
}

// stringStartBackward is the index of the quote opening the literal whose
// closing quote is at end.
func stringStartBackward(s string, end int) int {
	q := s[end]
	for j := end - 1; j >= 0; j-- {
		if s[j] == q {
			n := 0
			for k := j - 1; k >= 0 && s[k] == '\\'; k-- {
				n++
			}
			if n%2 == 0 {
				return j
			}
		}
	}
	return 0
}
