package bfcl

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seeupo/seeupo/bfcl/backend"
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

// methodCall reads the rest of a simple call after "obj.".
func (s *simpleScanner) methodCall(obj string, ar *astArena) (Expr, bool) {
	src := s.src
	method, ok := s.name()
	if !ok || !s.byte('(') {
		return nil, false
	}
	p := &parser{ar: ar}
	fn := p.newAttribute(p.newName(obj), method)
	var args [maxDirectArgs]Expr
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
	// paren says a str literal read so far holds a "(" in its source.
	paren bool
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
	if !plainName(w) || s.i < len(s.src) && (s.src[s.i] == '\'' || s.src[s.i] == '"') && isStringPrefix(w) {
		return "", false
	}
	return w, true
}

// plainName says the parser reads the identifier w, not followed by a
// quote, as a plain name.
func plainName(w string) bool {
	switch w {
	case "True", "False", "None", "not":
		return false
	}
	return !unsupportedWord(w)
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

// literal reads one literal as a tree node; depth 0 allows one level of
// list.
func (s *simpleScanner) literal(p *parser, depth int) (Expr, bool) {
	v, list, ok := s.literalValue(depth)
	if !ok {
		return nil, false
	}
	if list == nil {
		return p.newConst(Const{Value: v}), true
	}
	elts := make([]Expr, len(list))
	for i, item := range list {
		elts[i] = p.newConst(Const{Value: item})
	}
	return &ListExpr{Elts: elts}, true
}

// literalValue reads one literal: a scalar as v, or a list display as
// the values of its items (list non-nil, empty for []); depth 0 allows
// one level of list.
func (s *simpleScanner) literalValue(depth int) (v py.Value, list []py.Value, ok bool) {
	if s.i >= len(s.src) {
		return nil, nil, false
	}
	switch c := s.src[s.i]; {
	case c == '\'' || c == '"':
		text, end, paren, ok := stringLiteral(s.src, s.i)
		s.paren = s.paren || paren
		if !ok || end < len(s.src) && (s.src[end] == '\'' || s.src[end] == '"') {
			return nil, nil, false
		}
		s.i = end
		return py.Str(text), nil, true
	case c >= '0' && c <= '9':
		v, ok := s.number()
		return v, nil, ok
	case c == '[' && depth == 0:
		s.i++
		s.spaces()
		items := []py.Value{}
		for !s.byte(']') {
			v, _, ok := s.literalValue(depth + 1)
			if !ok {
				return nil, nil, false
			}
			items = append(items, v)
			s.spaces()
			if s.byte(']') {
				break
			}
			if !s.byte(',') {
				return nil, nil, false
			}
			s.spaces()
		}
		return nil, items, true
	}
	start := s.i
	for s.i < len(s.src) && s.src[s.i] < 0x80 && asciiClass[s.src[s.i]]&wordChar != 0 {
		s.i++
	}
	switch s.src[start:s.i] {
	case "True":
		v = py.Bool(true)
	case "False":
		v = py.Bool(false)
	case "None":
		v = py.None
	default:
		return nil, nil, false
	}
	if s.i < len(s.src) && s.src[s.i] >= 0x80 {
		return nil, nil, false
	}
	return v, nil, true
}

// stringLiteral reads the one-line str literal whose quote is src[q]:
// its value and the index after it, and whether its source holds a "("
// (paren). ok is false for a literal with a line break or an escape other
// than a one-character one (the lexer reads those), and for an
// unterminated one.
func stringLiteral(src string, q int) (text string, end int, paren, ok bool) {
	if end, paren, ok := plainStringEndParen(src, q); ok {
		return src[q+1 : end-1], end, paren, true
	}
	quote := src[q]
	var b strings.Builder
	b.Grow(len(src) - q)
	for i := q + 1; i < len(src); i++ {
		switch c := src[i]; c {
		case quote:
			return b.String(), i + 1, paren, true
		case '\n':
			return "", 0, false, false
		case '\\':
			if i+1 == len(src) || src[i+1] == '\n' {
				return "", 0, false, false
			}
			e, ok := simpleEscape(src[i+1])
			if !ok {
				return "", 0, false, false
			}
			b.WriteString(e)
			i++
		default:
			paren = paren || c == '('
			b.WriteByte(c)
		}
	}
	return "", 0, false, false
}

// plainStringEndParen is plainStringEnd that also reports whether the
// literal holds a "(".
func plainStringEndParen(src string, q int) (end int, paren, ok bool) {
	quote := src[q]
	for i := q + 1; i < len(src); i++ {
		switch src[i] {
		case quote:
			return i + 1, paren, true
		case '\\', '\n':
			return 0, false, false
		case '(':
			paren = true
		}
	}
	return 0, false, false
}

// number reads digits, or digits '.' digits: an int without leading
// zeros that fits in 64 bits, or a float.
func (s *simpleScanner) number() (py.Value, bool) {
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
		return py.Float(f), true
	}
	if len(text) > 1 && text[0] == '0' {
		return nil, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, false
	}
	return py.Int(n), true
}

// scanOwned reads call, "method(literals)" whose call[:open] is an
// ASCII identifier and call[open] the "(" (as firstMatch found them), as
// parseSimpleCall reads it with an instance variable in front: the
// method name and the arguments into args. ok is false where
// parseSimpleCall fails; paren says a str literal of the arguments holds
// a "(" (meaningful only when ok: then every "(" but the first is in such
// a literal).
func scanOwned(call string, open int, args *simpleArgs) (method string, paren, ok bool) {
	// simpleScanner.name would read call[:open]: the "(" ends it.
	method = call[:open]
	if !utf8.ValidString(call) || !plainName(method) {
		return "", false, false
	}
	s := simpleScanner{src: call, i: open + 1}
	if !args.scan(&s) {
		return "", false, false
	}
	return method, s.paren, true
}

// callOwned evaluates the call of method with args, which scanOwned read
// from "method(literals)", with obj the instance variable of class owner
// (whose method is ownerMethod) in front, as evalParsed evaluates the
// tree that parseSimpleCall(obj + "." + call) builds, without building
// it: ok is false (nothing evaluated) where the method is not one of
// obj's class, which the general path then handles.
func (e *Executor) callOwned(owner int, ownerMethod *backend.Method, method string, args *simpleArgs) (v py.Value, err error, ok bool) {
	obj := e.varNames[owner]
	// evalParsed: checkCompile, then the callee, then callDirect.
	for i := 0; i < args.nKws; i++ {
		for _, k := range args.kws[:i] {
			if k.Name == args.kws[i].Name {
				return nil, keywordRepeated(k.Name), true
			}
		}
	}
	i, found := e.byVar(obj)
	if !found {
		return nil, nil, false
	}
	m := ownerMethod
	if i != owner || m.Name != method {
		m = e.classes[i].Method(method)
	}
	if m == nil {
		return nil, nil, false
	}
	if err := args.charge(); err != nil {
		return nil, err, true
	}
	bound, err := backend.BindInto(e.argBuf[:0], e.classes[i].Name, m, args.pos[:args.nPos], args.kws[:args.nKws])
	if err != nil {
		return nil, err, true
	}
	v, err = m.Call(e.instances[i], bound)
	clear(bound) // a backend that kept the slice sees the change
	return v, err, true
}

// simpleArgs are the arguments of a simple call, read as values; lists
// marks the list displays (values built when evaluated, so charged to
// the call's budget).
type simpleArgs struct {
	pos        [maxDirectArgs]py.Value
	kws        [maxDirectArgs]backend.KwArg
	posList    [maxDirectArgs]bool
	kwList     [maxDirectArgs]bool
	nPos, nKws int
	anyList    bool
}

// scan reads the arguments after "(" up to the closing ")", which must
// end the text, as parseSimpleCall does; false where it gives up.
func (a *simpleArgs) scan(s *simpleScanner) bool {
	s.spaces()
	for !s.byte(')') {
		if a.nPos+a.nKws == maxDirectArgs {
			return false
		}
		kwName, isKw := s.keywordName()
		v, list, ok := s.literalValue(0)
		if !ok {
			return false
		}
		if list != nil {
			v = &py.List{Items: list}
			a.anyList = true
		}
		if isKw {
			a.kws[a.nKws] = backend.KwArg{Name: kwName, Value: v}
			a.kwList[a.nKws] = list != nil
			a.nKws++
		} else {
			if a.nKws > 0 {
				return false
			}
			a.pos[a.nPos] = v
			a.posList[a.nPos] = list != nil
			a.nPos++
		}
		s.spaces()
		if s.byte(')') {
			break
		}
		if !s.byte(',') {
			return false
		}
		s.spaces()
	}
	return s.i == len(s.src)
}

// charge charges the lists, in evaluation order, to a fresh call budget.
func (a *simpleArgs) charge() error {
	if !a.anyList {
		return nil
	}
	budget := py.NewBudget(MaxCallValueSize)
	for i := 0; i < a.nPos; i++ {
		if a.posList[i] {
			if err := budget.Charge(a.pos[i]); err != nil {
				return err
			}
		}
	}
	for i := 0; i < a.nKws; i++ {
		if a.kwList[i] {
			if err := budget.Charge(a.kws[i].Value); err != nil {
				return err
			}
		}
	}
	return nil
}
