package bfcl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokens of the Java and JavaScript call decoders (javacall.go,
// jscall.go). Both languages share the lexer; each parser reads the
// kinds it knows and fails on the others.
type ctokKind int

const (
	ctEOF      ctokKind = iota
	ctIdent             // identifiers and keywords
	ctNumber            // numeric literals
	ctString            // "…" (Java and JavaScript), '…' (JavaScript)
	ctChar              // '…' (Java)
	ctTemplate          // `…` (JavaScript), substitutions included
	ctPunct             // operators and punctuation
)

// ctok is one token: its kind, its text and its byte span in the source;
// nl says a line break comes between it and the previous token.
type ctok struct {
	kind       ctokKind
	text       string
	start, end int
	nl         bool
}

// callLexError says the source has a character or literal the grammar
// does not know.
type callLexError struct{}

func (callLexError) Error() string { return "lexical error" }

// punctuators, longest first; ">" is always lexed alone so that the
// parsers can close nested type arguments (List<List<T>>).
var (
	javaPuncts = []string{"<<=", "...", "->", "::", "++", "--", "&&", "||", "==", "!=", "<=",
		"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<",
		"(", ")", "[", "]", "{", "}", ";", ",", ".", "@", "=", ">", "<", "!", "~", "?", ":",
		"+", "-", "*", "/", "&", "|", "^", "%"}
	jsPuncts = []string{"**=", "<<=", "&&=", "||=", "??=", "...", "===", "!==", "=>", "?.",
		"++", "--", "&&", "||", "??", "==", "!=", "<=", "**",
		"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<",
		"(", ")", "[", "]", "{", "}", ";", ",", ".", "=", ">", "<", "!", "~", "?", ":",
		"+", "-", "*", "/", "&", "|", "^", "%"}
)

// lexCall splits src into tokens. Comments are refused in Java (upstream
// keeps them in the tree, where they would change the argument texts) and
// skipped in JavaScript (arguments are source slices there). Regular
// expression literals are not lexed.
func lexCall(src string, js bool) ([]ctok, error) {
	var out []ctok
	puncts := javaPuncts
	if js {
		puncts = jsPuncts
	}
	i, nl := 0, false
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case r == '\n':
			nl = true
			i++
			continue
		case r == ' ' || r == '\t' || r == '\r' || r == '\f' || (js && (r == '\v' || r == 0xa0 || r == 0xfeff || unicode.Is(unicode.Zs, r) || r == 0x2028 || r == 0x2029)):
			if r == 0x2028 || r == 0x2029 {
				nl = true
			}
			i += size
			continue
		case strings.HasPrefix(src[i:], "//") || strings.HasPrefix(src[i:], "/*"):
			if !js {
				return nil, callLexError{}
			}
			end, hasNL, ok := skipComment(src, i)
			if !ok {
				return nil, callLexError{}
			}
			nl = nl || hasNL
			i = end
			continue
		}
		t, err := lexOne(src, i, r, js, puncts)
		if err != nil {
			return nil, err
		}
		t.nl = nl
		nl = false
		out = append(out, t)
		i = t.end
	}
	return append(out, ctok{kind: ctEOF, start: len(src), end: len(src), nl: nl}), nil
}

func skipComment(src string, i int) (end int, nl, ok bool) {
	if strings.HasPrefix(src[i:], "//") {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			return len(src), false, true
		}
		return i + j, false, true
	}
	j := strings.Index(src[i+2:], "*/")
	if j < 0 {
		return 0, false, false
	}
	body := src[i : i+2+j+2]
	return i + len(body), strings.Contains(body, "\n"), true
}

func lexOne(src string, i int, r rune, js bool, puncts []string) (ctok, error) {
	switch {
	case isCallIdentStart(r):
		j := i
		for j < len(src) {
			r2, s := utf8.DecodeRuneInString(src[j:])
			if !isCallIdentStart(r2) && !unicode.IsDigit(r2) {
				break
			}
			j += s
		}
		return ctok{kind: ctIdent, text: src[i:j], start: i, end: j}, nil
	case r >= '0' && r <= '9' || r == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
		j := lexNumber(src, i)
		return ctok{kind: ctNumber, text: src[i:j], start: i, end: j}, nil
	case r == '"' || r == '\'':
		if !js && strings.HasPrefix(src[i:], `"""`) {
			j := strings.Index(src[i+3:], `"""`)
			if j < 0 {
				return ctok{}, callLexError{}
			}
			end := i + 3 + j + 3
			return ctok{kind: ctString, text: src[i:end], start: i, end: end}, nil
		}
		end, ok := quotedEnd(src, i, byte(r))
		if !ok {
			return ctok{}, callLexError{}
		}
		kind := ctString
		if !js && r == '\'' {
			kind = ctChar
		}
		return ctok{kind: kind, text: src[i:end], start: i, end: end}, nil
	case r == '`' && js:
		end, ok := templateEnd(src, i)
		if !ok {
			return ctok{}, callLexError{}
		}
		return ctok{kind: ctTemplate, text: src[i:end], start: i, end: end}, nil
	}
	for _, p := range puncts {
		if strings.HasPrefix(src[i:], p) {
			return ctok{kind: ctPunct, text: p, start: i, end: i + len(p)}, nil
		}
	}
	return ctok{}, callLexError{}
}

func isCallIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}

// lexNumber takes a numeric literal of either language: decimal with
// optional fraction and exponent, hexadecimal, octal and binary, digit
// separators and type suffixes (L, f, d, n).
func lexNumber(src string, i int) int {
	j := i
	isDigit := func(c byte) bool {
		return c >= '0' && c <= '9' || c == '_'
	}
	if strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X") || strings.HasPrefix(src[i:], "0b") ||
		strings.HasPrefix(src[i:], "0B") || strings.HasPrefix(src[i:], "0o") || strings.HasPrefix(src[i:], "0O") {
		j += 2
		for j < len(src) && (isHexDigit(src[j]) || src[j] == '_') {
			j++
		}
	} else {
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		if j < len(src) && src[j] == '.' {
			j++
			for j < len(src) && isDigit(src[j]) {
				j++
			}
		}
		if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
			k := j + 1
			if k < len(src) && (src[k] == '+' || src[k] == '-') {
				k++
			}
			if k < len(src) && src[k] >= '0' && src[k] <= '9' {
				j = k
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
		}
	}
	if j < len(src) && strings.IndexByte("lLfFdDn", src[j]) >= 0 {
		j++
	}
	return j
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// quotedEnd finds the end of a string or character literal opened at i:
// backslash escapes, no raw line break (an escaped one is allowed).
func quotedEnd(src string, i int, q byte) (int, bool) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '\n':
			return 0, false
		case q:
			return j + 1, true
		}
	}
	return 0, false
}

// templateEnd finds the end of a template literal, skipping the
// substitutions' nested braces, strings and templates.
func templateEnd(src string, i int) (int, bool) {
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\\':
			j++
		case src[j] == '`':
			return j + 1, true
		case strings.HasPrefix(src[j:], "${"):
			end, ok := substitutionEnd(src, j+2)
			if !ok {
				return 0, false
			}
			j = end - 1
		}
	}
	return 0, false
}

func substitutionEnd(src string, j int) (int, bool) {
	depth := 0
	for j < len(src) {
		c := src[j]
		switch {
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return j + 1, true
			}
			depth--
		case c == '"' || c == '\'':
			end, ok := quotedEnd(src, j, c)
			if !ok {
				return 0, false
			}
			j = end
			continue
		case c == '`':
			end, ok := templateEnd(src, j)
			if !ok {
				return 0, false
			}
			j = end
			continue
		}
		j++
	}
	return 0, false
}

// tokCursor walks the tokens of a reply for the Java and JavaScript
// parsers; fail records that the walk met what tree-sitter marks as an
// error.
type tokCursor struct {
	toks []ctok
	pos  int
	fail bool
}

// peek is the token k places ahead (the last token, EOF, past the end).
func (c *tokCursor) peek(k int) ctok {
	if c.pos+k >= len(c.toks) {
		return c.toks[len(c.toks)-1]
	}
	return c.toks[c.pos+k]
}

// is says whether the token k places ahead is a punctuation or identifier
// token with one of the texts.
func (c *tokCursor) is(k int, texts ...string) bool {
	t := c.peek(k)
	if t.kind != ctPunct && t.kind != ctIdent {
		return false
	}
	for _, s := range texts {
		if t.text == s {
			return true
		}
	}
	return false
}
