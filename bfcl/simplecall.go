package bfcl

import (
	"strconv"
	"unicode/utf8"

	"github.com/seeupo/seeupo/bfcl/py"
)

// parseSimpleCall parses the most common shape of a rewritten call,
// `name.name(args)`, where each argument is a literal or `name=literal`
// and a literal is a str without escapes, a decimal int or float, True,
// False, None, or a list of such literals, with single spaces allowed
// between tokens. It builds the tree ParseExpr builds for the same text;
// ok is false for anything else (ParseExpr then parses it, errors
// included), so it never reports an error itself.
func parseSimpleCall(src string, ar *astArena) (Expr, bool) {
	if !utf8.ValidString(src) {
		return nil, false
	}
	s := simpleScanner{src: src}
	obj, ok := s.name()
	if !ok || !s.byte('.') {
		return nil, false
	}
	return s.methodCall(obj, ar)
}

// parseSimpleOwnedCall is parseSimpleCall(obj + "." + src) for an obj
// that simpleScanner.name reads whole.
func parseSimpleOwnedCall(obj, src string, ar *astArena) (Expr, bool) {
	if !utf8.ValidString(src) {
		return nil, false
	}
	s := simpleScanner{src: src}
	return s.methodCall(obj, ar)
}

// methodCall reads the rest of a simple call after "obj.".
func (s *simpleScanner) methodCall(obj string, ar *astArena) (Expr, bool) {
	src := s.src
	method, ok := s.name()
	if !ok || !s.byte('(') {
		return nil, false
	}
	p := &parser{ar: ar}
	fn := p.newAttribute(p.newName(obj), method)
	var args [8]Expr
	var starred [8]bool
	var kws [8]Keyword
	nArgs, nKws := 0, 0
	s.spaces()
	for !s.byte(')') {
		if nArgs+nKws == len(args) {
			return nil, false
		}
		kwName, isKw := s.keywordName()
		v, ok := s.literal(p, 0)
		if !ok {
			return nil, false
		}
		if isKw {
			kws[nKws] = Keyword{Name: kwName, Value: v}
			nKws++
		} else {
			if nKws > 0 {
				return nil, false // a syntax error: the parser reports it
			}
			args[nArgs] = v
			nArgs++
		}
		s.spaces()
		if s.byte(')') {
			break
		}
		if !s.byte(',') {
			return nil, false
		}
		s.spaces()
	}
	if s.i != len(src) {
		return nil, false
	}
	return p.newCall(fn, args[:nArgs], starred[:nArgs], kws[:nKws]), true
}

// simpleScanner reads the text of a simple call.
type simpleScanner struct {
	src string
	i   int
}

func (s *simpleScanner) byte(c byte) bool {
	if s.i < len(s.src) && s.src[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *simpleScanner) spaces() {
	for s.i < len(s.src) && s.src[s.i] == ' ' {
		s.i++
	}
}

// name reads an ASCII identifier that the parser reads as a plain name
// (not True, False, None, not, or a word it refuses).
func (s *simpleScanner) name() (string, bool) {
	start := s.i
	if s.i >= len(s.src) || asciiClass[s.src[s.i]&0x7f]&identStart == 0 || s.src[s.i] >= 0x80 {
		return "", false
	}
	s.i++
	for s.i < len(s.src) && s.src[s.i] < 0x80 && asciiClass[s.src[s.i]]&wordChar != 0 {
		s.i++
	}
	if s.i < len(s.src) && s.src[s.i] >= 0x80 {
		return "", false // a non-ASCII identifier character
	}
	w := s.src[start:s.i]
	switch w {
	case "True", "False", "None", "not":
		return "", false
	}
	if unsupportedWord(w) || s.i < len(s.src) && (s.src[s.i] == '\'' || s.src[s.i] == '"') && isStringPrefix(w) {
		return "", false
	}
	return w, true
}

// keywordName reads `name=` (not `name==`) when it comes next.
func (s *simpleScanner) keywordName() (string, bool) {
	start := s.i
	w, ok := s.name()
	if ok && s.i+1 < len(s.src) && s.src[s.i] == '=' && s.src[s.i+1] != '=' {
		s.i++
		return w, true
	}
	s.i = start
	return "", false
}

// literal reads one literal; depth 0 allows one level of list.
func (s *simpleScanner) literal(p *parser, depth int) (Expr, bool) {
	if s.i >= len(s.src) {
		return nil, false
	}
	switch c := s.src[s.i]; {
	case c == '\'' || c == '"':
		end, ok := plainStringEnd(s.src, s.i)
		if !ok || end < len(s.src) && (s.src[end] == '\'' || s.src[end] == '"') {
			return nil, false
		}
		v := py.Str(s.src[s.i+1 : end-1])
		s.i = end
		return p.newConst(Const{Value: v}), true
	case c >= '0' && c <= '9':
		return s.number(p)
	case c == '[' && depth == 0:
		s.i++
		s.spaces()
		var elts []Expr
		for !s.byte(']') {
			v, ok := s.literal(p, depth+1)
			if !ok {
				return nil, false
			}
			elts = append(elts, v)
			s.spaces()
			if s.byte(']') {
				break
			}
			if !s.byte(',') {
				return nil, false
			}
			s.spaces()
		}
		if elts == nil {
			elts = []Expr{}
		}
		return &ListExpr{Elts: elts}, true
	}
	start := s.i
	for s.i < len(s.src) && s.src[s.i] < 0x80 && asciiClass[s.src[s.i]]&wordChar != 0 {
		s.i++
	}
	var v py.Value
	switch s.src[start:s.i] {
	case "True":
		v = py.Bool(true)
	case "False":
		v = py.Bool(false)
	case "None":
		v = py.None
	default:
		return nil, false
	}
	if s.i < len(s.src) && s.src[s.i] >= 0x80 {
		return nil, false
	}
	return p.newConst(Const{Value: v}), true
}

// number reads digits, or digits '.' digits: an int without leading
// zeros that fits in 64 bits, or a float.
func (s *simpleScanner) number(p *parser) (Expr, bool) {
	start := s.i
	for s.i < len(s.src) && s.src[s.i] >= '0' && s.src[s.i] <= '9' {
		s.i++
	}
	isFloat := false
	if s.i < len(s.src) && s.src[s.i] == '.' {
		isFloat = true
		s.i++
		digits := s.i
		for s.i < len(s.src) && s.src[s.i] >= '0' && s.src[s.i] <= '9' {
			s.i++
		}
		if s.i == digits {
			return nil, false
		}
	}
	if s.i < len(s.src) {
		if c := s.src[s.i]; c >= 0x80 || asciiClass[c]&wordChar != 0 || c == '.' {
			return nil, false // exponents, suffixes, underscores: the lexer decides
		}
	}
	text := s.src[start:s.i]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, false
		}
		return p.newConst(Const{Value: py.Float(f)}), true
	}
	if len(text) > 1 && text[0] == '0' {
		return nil, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, false
	}
	return p.newConst(Const{Value: py.Int(n)}), true
}
