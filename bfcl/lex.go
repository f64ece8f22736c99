package bfcl

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/seeupo/seeupo/bfcl/py"
)

// SyntaxError is a parse failure of the Python call syntax. Its message
// follows CPython 3.11's wording for the common cases; Error appends the
// location the way str(SyntaxError) does for the given file name.
type SyntaxError struct {
	Msg  string
	File string // "<string>" for eval, "<unknown>" for ast.parse
	Line int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s (%s, line %d)", e.Msg, e.File, e.Line)
}

// maxNesting is CPython's limit on nested brackets.
const maxNesting = 200

type tokKind int

const (
	tokEOF tokKind = iota
	tokName
	tokNumber
	tokString
	tokOp
	tokNewline // a line break outside brackets
)

type token struct {
	kind tokKind
	text string   // operator or name text; an f-string's source
	val  py.Value // number or string value (py.Bytes for a bytes literal)
	pos  int      // byte offset
	line int
	fstr bool // an f-string literal (full grammar only)
	uStr bool // a str literal written with the u prefix
}

type lexer struct {
	full   bool // bytes, complex and f-string literals (ParseFull)
	src    string
	pos    int
	line   int
	toks   []token
	stack  []byte // open brackets
	stackL []int
}

func lex(src string) ([]token, *SyntaxError) { return lexMode(src, false) }

// lexMode tokenizes src; full adds the literals only ParseFull accepts.
func lexMode(src string, full bool) ([]token, *SyntaxError) {
	// Most calls have a few dozen tokens.
	return lexInto(make([]token, 0, min(len(src)/4+4, 48)), src, full)
}

// lexInto is lexMode appending the tokens to buf[:0].
func lexInto(buf []token, src string, full bool) ([]token, *SyntaxError) {
	return lexWith(&lexer{toks: buf[:0]}, src, full)
}

// lexWith tokenizes src with lx, reusing its token and bracket storage.
func lexWith(lx *lexer, src string, full bool) ([]token, *SyntaxError) {
	lx.src, lx.line, lx.full, lx.pos = src, 1, full, 0
	lx.toks, lx.stack, lx.stackL = lx.toks[:0], lx.stack[:0], lx.stackL[:0]
	if !utf8.ValidString(src) {
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, lx.errf("(unicode error) 'utf-8' codec can't decode byte 0x%02x in position %d: invalid start byte", src[i], i)
			}
			i += size
		}
	}
	for {
		if err := lx.skipSpace(); err != nil {
			return nil, err
		}
		if lx.pos >= len(src) {
			break
		}
		if err := lx.next(); err != nil {
			return nil, err
		}
	}
	if len(lx.stack) > 0 {
		return nil, &SyntaxError{Msg: fmt.Sprintf("'%c' was never closed", lx.stack[len(lx.stack)-1]), Line: lx.stackL[len(lx.stackL)-1]}
	}
	if n := len(lx.toks); n > 0 && lx.toks[n-1].kind == tokNewline {
		lx.toks = lx.toks[:n-1]
	}
	lx.toks = append(lx.toks, token{kind: tokEOF, pos: len(src), line: lx.line})
	return lx.toks, nil
}

func (lx *lexer) skipSpace() *SyntaxError {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			lx.pos++
		case c == '\n':
			if len(lx.stack) == 0 && len(lx.toks) > 0 && lx.toks[len(lx.toks)-1].kind != tokNewline {
				lx.toks = append(lx.toks, token{kind: tokNewline, text: "\n", pos: lx.pos, line: lx.line})
			}
			lx.pos++
			lx.line++
		case c == '\\' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '\n':
			lx.pos += 2
			lx.line++
		case c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(r rune) bool {
	return r == '_' || r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') || r >= 0x80 && unicode.IsLetter(r)
}

// isASCIIIdentPart is isIdentPart for an ASCII byte.
func isASCIIIdentPart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' || r >= 0x80 && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc))
}

func (lx *lexer) errf(format string, args ...any) *SyntaxError {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Line: lx.line}
}

func (lx *lexer) next() *SyntaxError {
	start := lx.pos
	r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
	switch {
	case isIdentStart(r):
		end := lx.pos + size
		for end < len(lx.src) {
			if c := lx.src[end]; c < utf8.RuneSelf {
				if !isASCIIIdentPart(c) {
					break
				}
				end++
				continue
			}
			r2, s2 := utf8.DecodeRuneInString(lx.src[end:])
			if !isIdentPart(r2) {
				break
			}
			end += s2
		}
		word := lx.src[lx.pos:end]
		if end < len(lx.src) && (lx.src[end] == '\'' || lx.src[end] == '"') && isStringPrefix(word) {
			return lx.lexString(strings.ToLower(word), end)
		}
		lx.pos = end
		lx.toks = append(lx.toks, token{kind: tokName, text: word, pos: start, line: lx.line})
		return nil
	case r >= '0' && r <= '9' || r == '.' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] >= '0' && lx.src[lx.pos+1] <= '9':
		return lx.lexNumber()
	case r == '\'' || r == '"':
		return lx.lexString("", lx.pos)
	}
	return lx.lexOp(r, size)
}

func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

var threeCharOps = []string{"**=", "//=", ">>=", "<<=", "..."}
var twoCharOps = []string{"**", "//", "==", "!=", "<=", ">=", "<<", ">>", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

// longOps lists, by first byte, the three- and two-character operators
// that start with it, longest first.
var longOps = func() (t [256][]string) {
	for _, group := range [][]string{threeCharOps, twoCharOps} {
		for _, op := range group {
			t[op[0]] = append(t[op[0]], op)
		}
	}
	return t
}()

func (lx *lexer) lexOp(r rune, size int) *SyntaxError {
	rest := lx.src[lx.pos:]
	for _, op := range longOps[rest[0]] {
		if strings.HasPrefix(rest, op) {
			lx.toks = append(lx.toks, token{kind: tokOp, text: op, pos: lx.pos, line: lx.line})
			lx.pos += len(op)
			return nil
		}
	}
	if !strings.ContainsRune("()[]{},:.;@=+-*/%&|^~<>!", r) {
		if r == '$' || r == '?' || r == '`' || r == '!' {
			return lx.errf("invalid syntax")
		}
		return lx.errf("invalid character '%c' (U+%04X)", r, r)
	}
	c := byte(r)
	switch c {
	case '(', '[', '{':
		if len(lx.stack) >= maxNesting {
			return lx.errf("too many nested parentheses")
		}
		lx.stack = append(lx.stack, c)
		lx.stackL = append(lx.stackL, lx.line)
	case ')', ']', '}':
		if len(lx.stack) == 0 {
			return lx.errf("unmatched '%c'", c)
		}
		open := lx.stack[len(lx.stack)-1]
		if closing(open) != c {
			return lx.errf("closing parenthesis '%c' does not match opening parenthesis '%c'", c, open)
		}
		lx.stack = lx.stack[:len(lx.stack)-1]
		lx.stackL = lx.stackL[:len(lx.stackL)-1]
	}
	// The operator is one ASCII byte: its text is the source's byte.
	lx.toks = append(lx.toks, token{kind: tokOp, text: lx.src[lx.pos : lx.pos+1], pos: lx.pos, line: lx.line})
	lx.pos += size
	return nil
}

func closing(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

func (lx *lexer) lexNumber() *SyntaxError {
	src := lx.src
	i := lx.pos
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	digits := func(ok func(byte) bool) bool {
		// digits with single underscores between them
		if i >= len(src) || !ok(src[i]) {
			return false
		}
		for i < len(src) {
			if ok(src[i]) {
				i++
			} else if src[i] == '_' && i+1 < len(src) && ok(src[i+1]) {
				i++
			} else {
				break
			}
		}
		return true
	}
	start := i
	if src[i] == '0' && i+1 < len(src) && strings.IndexByte("xXoObB", src[i+1]) >= 0 {
		base, name := 16, "hexadecimal"
		ok := func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
		switch src[i+1] {
		case 'o', 'O':
			base, name = 8, "octal"
			ok = func(c byte) bool { return c >= '0' && c <= '7' }
		case 'b', 'B':
			base, name = 2, "binary"
			ok = func(c byte) bool { return c == '0' || c == '1' }
		}
		i += 2
		if src[i-1] != 'x' && src[i-1] != 'X' || true {
			if i < len(src) && src[i] == '_' {
				i++
			}
		}
		if !digits(ok) || i < len(src) && isIdentPart(rune(src[i])) {
			return lx.errf("invalid %s literal", name)
		}
		text := strings.ReplaceAll(src[start+2:i], "_", "")
		b, _ := new(big.Int).SetString(text, base)
		return lx.emitNumber(start, i, py.MakeInt(b))
	}
	isFloat := false
	if src[i] != '.' {
		digits(isDigit)
	}
	if i < len(src) && src[i] == '.' {
		isFloat = true
		i++
		if i < len(src) && isDigit(src[i]) {
			digits(isDigit)
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if !digits(isDigit) {
			i = j
			return lx.errf("invalid decimal literal")
		}
		isFloat = true
	}
	if i < len(src) && (src[i] == 'j' || src[i] == 'J') {
		if !lx.full {
			return lx.errf("complex literals are not supported")
		}
		return lx.imaginary(start, i)
	}
	if i < len(src) {
		if r, _ := utf8.DecodeRuneInString(src[i:]); isIdentPart(r) {
			return lx.errf("invalid decimal literal")
		}
	}
	text := strings.ReplaceAll(src[start:i], "_", "")
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return lx.errf("invalid decimal literal")
		}
		return lx.emitNumber(start, i, py.Float(f))
	}
	if len(text) > 1 && text[0] == '0' && strings.Trim(text, "0") != "" {
		return lx.errf("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return lx.emitNumber(start, i, py.Int(n))
	}
	b, _ := new(big.Int).SetString(text, 10)
	return lx.emitNumber(start, i, py.MakeInt(b))
}

// imaginary emits the literal src[start:end] followed by "j".
func (lx *lexer) imaginary(start, end int) *SyntaxError {
	if end+1 < len(lx.src) {
		if r, _ := utf8.DecodeRuneInString(lx.src[end+1:]); isIdentPart(r) {
			return lx.errf("invalid imaginary literal")
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(lx.src[start:end], "_", ""), 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return lx.errf("invalid imaginary literal")
	}
	return lx.emitNumber(start, end+1, py.Complex(complex(0, f)))
}

func (lx *lexer) emitNumber(start, end int, v py.Value) *SyntaxError {
	lx.toks = append(lx.toks, token{kind: tokNumber, val: v, text: lx.src[start:end], pos: start, line: lx.line})
	lx.pos = end
	return nil
}

// lexString reads a string literal whose quote starts at q; prefix is the
// lower-cased prefix.
func (lx *lexer) lexString(prefix string, q int) *SyntaxError {
	if strings.ContainsAny(prefix, "bf") && !lx.full {
		return lx.errf("%s-string literals are not supported", prefix)
	}
	isBytes, isF := strings.Contains(prefix, "b"), strings.Contains(prefix, "f")
	raw := strings.Contains(prefix, "r")
	src := lx.src
	quote := src[q]
	triple := q+2 < len(src) && src[q+1] == quote && src[q+2] == quote
	if !triple && !isBytes && !isF {
		if end, ok := plainStringEnd(src, q); ok {
			// No escape and no line break: the value is the source text.
			lx.toks = append(lx.toks, token{kind: tokString, val: py.Str(src[q+1 : end-1]), pos: lx.pos, line: lx.line, uStr: prefix == "u"})
			lx.pos = end
			return nil
		}
	}
	i := q + 1
	if triple {
		i = q + 3
	}
	startLine := lx.line
	var b strings.Builder
	for {
		if i >= len(src) {
			if triple {
				return &SyntaxError{Msg: fmt.Sprintf("unterminated triple-quoted string literal (detected at line %d)", lx.line), Line: startLine}
			}
			return lx.errf("unterminated string literal (detected at line %d)", lx.line)
		}
		c := src[i]
		if c == quote {
			if !triple {
				i++
				break
			}
			if i+2 < len(src) && src[i+1] == quote && src[i+2] == quote {
				i += 3
				break
			}
		}
		if c == '\n' {
			if !triple {
				return lx.errf("unterminated string literal (detected at line %d)", lx.line)
			}
			lx.line++
		}
		if c == '\\' && i+1 < len(src) {
			if raw || isF {
				b.WriteByte('\\')
				b.WriteByte(src[i+1])
				if src[i+1] == '\n' {
					lx.line++
				}
				i += 2
				continue
			}
			escape := lx.escape
			if isBytes {
				escape = lx.bytesEscape
			}
			n, err := escape(&b, src, i)
			if err != nil {
				return err
			}
			i = n
			continue
		}
		if isBytes && c >= 0x80 {
			return lx.errf("bytes can only contain ASCII literal characters")
		}
		b.WriteByte(c)
		i++
	}
	tok := token{kind: tokString, val: py.Str(b.String()), pos: lx.pos, line: startLine, uStr: prefix == "u"}
	switch {
	case isF:
		tok.fstr, tok.text = true, src[lx.pos:i]
	case isBytes:
		tok.val = py.Bytes(b.String())
	}
	lx.toks = append(lx.toks, tok)
	lx.pos = i
	return nil
}

// plainStringEnd returns the index after the closing quote of the
// one-line string literal whose quote is at src[q], when the literal holds
// no backslash and no line break (its value is then its source text).
func plainStringEnd(src string, q int) (int, bool) {
	quote := src[q]
	for i := q + 1; i < len(src); i++ {
		switch src[i] {
		case quote:
			return i + 1, true
		case '\\', '\n':
			return 0, false
		}
	}
	return 0, false
}

// simpleEscape is the text of the one-character escape sequence \c of a
// str literal (a backslash-newline is a line continuation: no text).
func simpleEscape(c byte) (string, bool) {
	switch c {
	case '\\':
		return "\\", true
	case '\'':
		return "'", true
	case '"':
		return "\"", true
	case 'a':
		return "\a", true
	case 'b':
		return "\b", true
	case 'f':
		return "\f", true
	case 'n':
		return "\n", true
	case 'r':
		return "\r", true
	case 't':
		return "\t", true
	case 'v':
		return "\v", true
	case '\n':
		return "", true
	}
	return "", false
}

// escape decodes the escape sequence at src[i] (a backslash) and returns
// the index after it.
func (lx *lexer) escape(b *strings.Builder, src string, i int) (int, *SyntaxError) {
	c := src[i+1]
	if s, ok := simpleEscape(c); ok {
		if c == '\n' {
			lx.line++
		}
		b.WriteString(s)
		return i + 2, nil
	}
	switch {
	case c >= '0' && c <= '7':
		j := i + 1
		v := 0
		for j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7' {
			v = v*8 + int(src[j]-'0')
			j++
		}
		b.WriteRune(rune(v))
		return j, nil
	case c == 'x' || c == 'u' || c == 'U':
		n := 8 // \U
		switch c {
		case 'x':
			n = 2
		case 'u':
			n = 4
		}
		j := i + 2
		if j+n > len(src) {
			return 0, lx.truncated(c)
		}
		v, err := strconv.ParseUint(src[j:j+n], 16, 32)
		if err != nil || strings.ContainsAny(src[j:j+n], "+-_") {
			return 0, lx.truncated(c)
		}
		if v > unicode.MaxRune {
			return 0, lx.errf("(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character")
		}
		b.WriteRune(rune(v))
		return j + n, nil
	case c == 'N':
		return 0, lx.errf("(unicode error) 'unicodeescape' codec can't decode bytes: \\N{...} escapes are not supported")
	}
	// Unknown escapes keep the backslash.
	b.WriteByte('\\')
	return i + 1, nil
}

// bytesEscape decodes an escape sequence of a bytes literal: \x and octal
// escapes are single bytes; \u, \U and \N are not escapes there.
func (lx *lexer) bytesEscape(b *strings.Builder, src string, i int) (int, *SyntaxError) {
	c := src[i+1]
	switch {
	case c >= '0' && c <= '7':
		j := i + 1
		v := 0
		for j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7' {
			v = v*8 + int(src[j]-'0')
			j++
		}
		b.WriteByte(byte(v))
		return j, nil
	case c == 'x':
		j := i + 2
		if j+2 > len(src) {
			return 0, lx.errf("(value error) invalid \\x escape at position %d", 0)
		}
		v, err := strconv.ParseUint(src[j:j+2], 16, 8)
		if err != nil || strings.ContainsAny(src[j:j+2], "+-_") {
			return 0, lx.errf("(value error) invalid \\x escape at position %d", 0)
		}
		b.WriteByte(byte(v))
		return j + 2, nil
	case c == 'u' || c == 'U' || c == 'N':
		b.WriteByte('\\')
		return i + 1, nil
	}
	return lx.escape(b, src, i)
}

func (lx *lexer) truncated(c byte) *SyntaxError {
	want := map[byte]string{'x': `\xXX`, 'u': `\uXXXX`, 'U': `\UXXXXXXXX`}[c]
	return lx.errf("(unicode error) 'unicodeescape' codec can't decode bytes: truncated %s escape", want)
}

// lexers recycles the lexers of ParseExpr with their token and bracket
// storage: the parser copies what it keeps out of the tokens, so the
// storage is free once parsing ends.
var lexers = sync.Pool{New: func() any { return &lexer{toks: make([]token, 0, 64)} }}

// releaseLexer clears the lexer's tokens (dropping the values they refer
// to) and returns it to lexers; lexers grown very large are dropped.
func releaseLexer(lx *lexer) {
	if cap(lx.toks) > 4096 || cap(lx.stack) > 4096 {
		return
	}
	// Tokens past len were cleared when an earlier lexing released them.
	clear(lx.toks)
	lx.src = ""
	lexers.Put(lx)
}
