package ast

import (
	"regexp"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Upstream's converters use Python regular expressions on str, whose
// classes are Unicode-aware and whose $ also matches before a final
// newline. The Go patterns below spell those classes out; Go's leftmost-
// first matching picks the same submatches as Python's backtracking for
// the patterns used here (no backreferences, no lookaround).
const (
	// reSpace is Python's \s: the characters str.isspace() accepts.
	reSpace = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`
	// reDigit is Python's \d: Unicode decimal digits.
	reDigit = `\p{Nd}`
	// reWord is Python's \w: letters, digits and numerals, and "_".
	reWord = `[\p{L}\p{N}_]`
	// reEnd is Python's $ without MULTILINE, at the end of a pattern.
	reEnd = `\n?\z`
)

// pyRegexp compiles a pattern written with the placeholders \s, \d, \w and
// a final $ standing for Python's meanings.
func pyRegexp(pattern string) *regexp.Regexp {
	r := strings.NewReplacer(`\s`, reSpace, `\d`, reDigit, `\w`, reWord)
	p := r.Replace(pattern)
	if strings.HasSuffix(p, "$") {
		p = strings.TrimSuffix(p, "$") + reEnd
	}
	return regexp.MustCompile(p)
}

// pyStrip is str.strip() with no argument.
func pyStrip(s string) string { return strings.TrimFunc(s, py.IsSpace) }

// pySlice1 is s[1:-1] on code points.
func pySlice1(s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return ""
	}
	return string(r[1 : len(r)-1])
}

// pyDropLast is s[:-1] on code points.
func pyDropLast(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[:len(r)-1])
}

// subFinal is re.sub(r"[xX]$", "", s) for a set of final characters: the
// last such character before the end (or before a final newline) goes.
func subFinal(s, chars string) string {
	body, nl := s, ""
	if strings.HasSuffix(body, "\n") {
		body, nl = body[:len(body)-1], "\n"
	}
	if body != "" && strings.ContainsRune(chars, rune(body[len(body)-1])) {
		return body[:len(body)-1] + nl
	}
	return s
}
