package bfcl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// deniedNames are the function names upstream refuses to evaluate.
var deniedNames = map[string]bool{
	"kill": true, "exit": true, "quit": true, "remove": true, "unlink": true,
	"popen": true, "Popen": true, "run": true,
}

// errorPrefix starts every output of a call that raised.
const errorPrefix = "Error during execution: "

// Executor holds the backend instances of one episode (one per involved
// class) and runs call strings on them the way upstream's
// execute_multi_turn_func_call does.
type Executor struct {
	classes   []*backend.Class
	instances []backend.Instance
	varNames  []string

	// The slices above start in these arrays, so that an executor of a
	// few classes is one allocation.
	classBuf [inlineClasses]*backend.Class
	instBuf  [inlineClasses]backend.Instance
	nameBuf  [inlineClasses]string

	// argBuf holds the bound arguments of the call being made.
	argBuf [maxDirectArgs]py.Value
	// simpleVar[i] says varNames[i] is a name parseSimpleCall reads.
	simpleVar [inlineClasses]bool
	// owners is the shared method table of classes (nil when there are
	// more than inlineClasses classes or too many tables are kept).
	owners ownerTable
	// general makes every call take the general path: the rewritten text
	// is built and parsed, the arguments bound into a new slice (the
	// reference the tests compare the fast paths with).
	general bool
}

// inlineClasses is how many classes an Executor holds without allocating
// its slices (BFCL entries involve at most four).
const inlineClasses = 4

// owner returns the index of the class whose instance receives the public
// method name: the last involved class that has it.
func (e *Executor) owner(name string) (int, bool) {
	i, m := e.ownerMethod(name)
	return i, m != nil
}

// ownerMethod is owner with the method found (nil when none).
func (e *Executor) ownerMethod(name string) (int, *backend.Method) {
	if e.owners != nil {
		o := e.owners[name]
		return o.owner, o.method
	}
	for i := len(e.classes) - 1; i >= 0; i-- {
		if m := e.classes[i].Method(name); m != nil {
			return i, m
		}
	}
	return 0, nil
}

// byVar returns the class index of an instance variable name (the last
// class of that name).
func (e *Executor) byVar(name string) (int, bool) {
	for i := len(e.varNames) - 1; i >= 0; i-- {
		if e.varNames[i] == name {
			return i, true
		}
	}
	return 0, false
}

// ExecutorConfig says how to build an executor.
type ExecutorConfig struct {
	// Classes are the involved classes, in the entry's order.
	Classes []string
	// InitialConfig is the entry's initial_config.
	InitialConfig *py.Dict
	// LongContext switches the backends' long-context mode.
	LongContext bool
	// ModelName and EntryID form the instance variable names
	// ("<model>_<entry>_<Class>_instance", with - . / : replaced by _),
	// which upstream also writes into string arguments that contain
	// "name(" of a method.
	ModelName, EntryID string
	// Process is shared by the executors of one episode (the checker's
	// model and ground-truth executors); nil makes a fresh one.
	Process *backend.Process
	// Constants feed a fresh Process.
	Constants *backend.Constants
}

// instanceVarName is upstream's instance variable name:
// "<model>_<entry>_<class>_instance" with each of - . / : replaced by _.
func instanceVarName(model, entry, class string) string {
	if !utf8.ValidString(model) || !utf8.ValidString(entry) || !utf8.ValidString(class) {
		// strings.Map writes U+FFFD for invalid bytes, as upstream's str
		// would hold them.
		return strings.Map(func(r rune) rune {
			switch r {
			case '-', '.', '/', ':':
				return '_'
			}
			return r
		}, model+"_"+entry+"_"+class+"_instance")
	}
	var b strings.Builder
	b.Grow(len(model) + len(entry) + len(class) + len("___instance"))
	writeVarName(&b, model, entry, class)
	return b.String()
}

// writeVarName writes the instance variable name of valid UTF-8 parts.
func writeVarName(b *strings.Builder, model, entry, class string) {
	for _, part := range [...]string{model, "_", entry, "_", class, "_instance"} {
		start := 0 // part[start:i] is still to write
		for i := 0; i < len(part); i++ {
			switch part[i] {
			case '-', '.', '/', ':':
				b.WriteString(part[start:i])
				b.WriteByte('_')
				start = i + 1
			}
		}
		b.WriteString(part[start:])
	}
}

// instanceVarNames appends to dst the instance variable names of the
// classes; the names share one allocation.
func instanceVarNames(dst []string, model, entry string, classes []string) []string {
	size := 0
	for _, c := range classes {
		if !utf8.ValidString(c) {
			size = -1
			break
		}
		size += len(model) + len(entry) + len(c) + len("___instance")
	}
	if size < 0 || !utf8.ValidString(model) || !utf8.ValidString(entry) {
		for _, c := range classes {
			dst = append(dst, instanceVarName(model, entry, c))
		}
		return dst
	}
	var b strings.Builder
	b.Grow(size)
	ends := make([]int, 0, inlineClasses)
	for _, c := range classes {
		writeVarName(&b, model, entry, c)
		ends = append(ends, b.Len())
	}
	all, start := b.String(), 0
	for _, end := range ends {
		dst = append(dst, all[start:end])
		start = end
	}
	return dst
}

// NewExecutor builds the instances and loads their scenarios.
func NewExecutor(cfg ExecutorConfig) (*Executor, error) {
	proc := cfg.Process
	if proc == nil {
		proc = backend.NewProcess(cfg.Constants)
	}
	e := &Executor{}
	e.classes, e.instances, e.varNames = e.classBuf[:0], e.instBuf[:0], e.nameBuf[:0]
	for _, name := range cfg.Classes {
		c, err := backend.Lookup(name)
		if err != nil {
			return nil, err
		}
		inst, err := c.Build(proc, cfg.InitialConfig, cfg.LongContext)
		if err != nil {
			return nil, err
		}
		e.classes = append(e.classes, c)
		e.instances = append(e.instances, inst)
	}
	if len(e.classes) <= inlineClasses {
		e.owners = ownerTableOf(e.classes)
	}
	e.varNames = instanceVarNames(e.varNames, cfg.ModelName, cfg.EntryID, cfg.Classes)
	for i, v := range e.varNames {
		if i < len(e.simpleVar) {
			s := simpleScanner{src: v}
			_, ok := s.name()
			e.simpleVar[i] = ok && s.i == len(v)
		}
	}
	return e, nil
}

// Instance returns the instance of the named class, or nil.
func (e *Executor) Instance(class string) backend.Instance {
	for i, c := range e.classes {
		if c.Name == class {
			return e.instances[i]
		}
	}
	return nil
}

// ClassNames lists the involved classes in order.
func (e *Executor) ClassNames() []string {
	out := make([]string, len(e.classes))
	for i, c := range e.classes {
		out[i] = c.Name
	}
	return out
}

// State is the canonical encoding of every involved instance's state:
// {"Class": {...}, ...} with the class names sorted.
func (e *Executor) State() string {
	attrs := make([]py.Attr, len(e.classes))
	for i, c := range e.classes {
		attrs[i] = py.Attr{Name: c.Name, Value: stateObject{e.instances[i]}}
	}
	return py.EncodeAttrs(attrs)
}

// stateObject lets an instance's attributes be encoded as a plain object.
type stateObject struct{ inst backend.Instance }

func (stateObject) TypeName() string { return "" }

func (s stateObject) Attrs() []py.Attr { return s.inst.State() }

// Execute runs each call string and returns one output per call.
func (e *Executor) Execute(calls []string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = e.ExecuteOne(c)
	}
	return out
}

// ExecuteOne runs one call string: rewrite the method names to instance
// variables, refuse the deny-listed names, evaluate, render.
func (e *Executor) ExecuteOne(call string) string {
	if out, ok := e.executeOwned(call); ok {
		return out
	}
	rewritten := e.rewrite(call)
	if name := calledName(rewritten); deniedNames[name] {
		return errorPrefix + "Function call " + name + " is not allowed."
	}
	v, err := e.eval(rewritten)
	if err != nil {
		return errorPrefix + err.Error()
	}
	return render(v)
}

// executeOwned is ExecuteOne for the usual call, "method(literals)" of
// an involved instance, without writing out the rewritten text
// "<instance variable>.method(literals)": ok is false for any other call.
func (e *Executor) executeOwned(call string) (string, bool) {
	if e.general {
		return "", false
	}
	m, ok := e.firstMatch(call)
	if !ok {
		return "", false
	}
	var args simpleArgs
	method, paren, scanned := scanOwned(call, m.paren, &args)
	if !scanned || paren {
		// A "(" after the first may start another match: look at them all.
		var buf [maxParenMatches]parenMatch
		if matches, ok := e.parenMatches(call, buf[:0]); !ok || len(matches) != 1 {
			return "", false
		}
	}
	// The instance variable holds neither "." nor "(": the deny-list key
	// of the rewritten text is the method name.
	if deniedNames[call[:m.end]] {
		return errorPrefix + "Function call " + call[:m.end] + " is not allowed.", true
	}
	if !scanned {
		return "", false
	}
	v, err, ok := e.callOwned(m.owner, m.method, method, &args)
	if !ok {
		return "", false
	}
	if err != nil {
		return errorPrefix + err.Error(), true
	}
	return render(v), true
}

// firstMatch is the match of parenMatches(call) at the first "(" of call
// when it is the one match the fast path takes: the method name of an
// instance with a simple variable, at the start of call, right before the
// "(". ok is false otherwise; parenMatches(call) then has no such match
// first, as a later "(" has a match that starts after the first "(".
// With ok, parenMatches(call) has this match first; the caller checks
// that it is the only one.
func (e *Executor) firstMatch(call string) (m parenMatch, ok bool) {
	p := strings.IndexByte(call, '(')
	if p < 0 {
		return m, false
	}
	m, found, ok := e.matchBefore(call, p)
	if !ok || !found || m.start != 0 || m.end != m.paren || m.owner < 0 || m.owner >= len(e.simpleVar) || !e.simpleVar[m.owner] {
		return m, false
	}
	return m, true
}

// calledName is upstream's deny-list key: the text before the first "(",
// and of that the part after the first "." (up to the next ".").
func calledName(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	if _, after, found := strings.Cut(s, "."); found {
		s, _, _ = strings.Cut(after, ".")
	}
	return s
}

// render turns a return value into the output string: a str as is, a dict
// through json.dumps (str() when that fails), anything else through str().
func render(v py.Value) string {
	switch x := v.(type) {
	case py.Str:
		return string(x)
	case *py.Dict:
		if s, err := py.Dumps(x); err == nil {
			return s
		}
		return py.Repr(x)
	}
	return py.StrOf(v)
}

// isWord is Python's \w for str patterns.
func isWord(r rune) bool { return py.IsWordChar(r) }

// rewrite applies upstream's re.sub(r"\b([a-zA-Z_]\w*)\s*(?=\()", ...):
// every identifier followed by optional whitespace and "(" loses the
// whitespace and, when it is a public method of an involved instance,
// gets "<instance variable>." in front. It also applies inside string
// literals, as upstream. A call that needs no change is returned as is.
func (e *Executor) rewrite(s string) string {
	if out, ok := e.rewriteAtParens(s); ok {
		return out
	}
	return e.rewriteScan(s)
}

// maxParenMatches bounds the matches rewriteAtParens records without
// allocating; a call with more goes to rewriteScan.
const maxParenMatches = 8

// parenMatch is one identifier before a "(": s[start:end] is the name,
// s[end:paren] the whitespace dropped, owner the owning class or -1 and
// method its method.
type parenMatch struct {
	start, end, paren, owner int
	method                   *backend.Method
}

// rewriteAtParens is rewrite for the usual call: it visits only the "("
// of s and reads the identifier before each backwards. ok is false when
// that reading meets a non-ASCII byte (a Unicode word or space character
// may extend the match) or there are too many matches; rewriteScan then
// does the rewrite.
func (e *Executor) rewriteAtParens(s string) (string, bool) {
	var buf [maxParenMatches]parenMatch
	matches, ok := e.parenMatches(s, buf[:0])
	if !ok {
		return "", false
	}
	if len(matches) == 0 {
		return s, true
	}
	grow := 0
	for _, m := range matches {
		if m.owner >= 0 {
			grow += len(e.varNames[m.owner]) + 1
		}
	}
	var b strings.Builder
	b.Grow(len(s) + grow)
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m.start])
		if m.owner >= 0 {
			b.WriteString(e.varNames[m.owner])
			b.WriteByte('.')
		}
		b.WriteString(s[m.start:m.end])
		last = m.paren
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// parenMatches appends to matches (up to its capacity) the identifiers
// before each "(" of s that rewrite changes: owned ones, or ones with
// whitespace before the "(". ok is false when reading them backwards
// meets a non-ASCII byte or they do not fit.
func (e *Executor) parenMatches(s string, matches []parenMatch) ([]parenMatch, bool) {
	for off := 0; ; {
		p := strings.IndexByte(s[off:], '(')
		if p < 0 {
			break
		}
		p += off
		off = p + 1
		m, found, ok := e.matchBefore(s, p)
		if !ok {
			return nil, false
		}
		if !found || m.owner < 0 && m.end == p {
			continue
		}
		if len(matches) == cap(matches) {
			return nil, false
		}
		matches = append(matches, m)
	}
	return matches, true
}

// matchBefore reads backwards from the "(" at s[paren] the whitespace and
// the run of word characters before it: found says the run is an
// identifier at a word boundary (the regular expression matches it), ok
// is false when the reading meets a non-ASCII byte.
func (e *Executor) matchBefore(s string, paren int) (m parenMatch, found, ok bool) {
	end := paren
	for end > 0 && s[end-1] < utf8.RuneSelf && py.IsSpace(rune(s[end-1])) {
		end--
	}
	start := end
	for start > 0 && s[start-1] < utf8.RuneSelf && asciiClass[s[start-1]]&wordChar != 0 {
		start--
	}
	if start > 0 && s[start-1] >= utf8.RuneSelf {
		return m, false, false
	}
	if start == end || asciiClass[s[start]]&identStart == 0 {
		return m, false, true
	}
	m = parenMatch{start: start, end: end, paren: paren, owner: -1}
	if idx, method := e.ownerMethod(s[start:end]); method != nil {
		m.owner, m.method = idx, method
	}
	return m, true, true
}

// rewriteScan is rewrite reading every character of s.
func (e *Executor) rewriteScan(s string) string {
	var b strings.Builder
	last := 0 // s[:last] is written to b (when b is in use)
	prevWord := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII: one table look-up.
			if prevWord || asciiClass[c]&identStart == 0 {
				prevWord = asciiClass[c]&wordChar != 0
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			prevWord = isWord(r)
			i += size
			continue
		}
		j := wordEnd(s, i+1)
		k := spaceEnd(s, j)
		if k < len(s) && s[k] == '(' {
			idx, owned := e.owner(s[i:j])
			if owned || k > j {
				if b.Len() == 0 {
					b.Grow(len(s) + 64)
				}
				b.WriteString(s[last:i])
				if owned {
					b.WriteString(e.varNames[idx])
					b.WriteByte('.')
				}
				b.WriteString(s[i:j])
				last = k
			}
			i = k
			prevWord = false
			continue
		}
		i = j
		prevWord = true
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Classes of ASCII characters for rewrite.
const (
	wordChar   = 1 << iota // \w
	identStart             // [A-Za-z_]
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		if isWord(rune(c)) {
			t[c] |= wordChar
		}
		if c == '_' || unicode.IsLetter(rune(c)) {
			t[c] |= identStart
		}
	}
	return t
}()

// wordEnd returns the end of the run of \w characters starting at i.
func wordEnd(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiClass[c]&wordChar == 0 {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWord(r) {
			return i
		}
		i += size
	}
	return i
}

// spaceEnd returns the end of the run of \s characters starting at i.
func spaceEnd(s string, i int) int {
	for i < len(s) {
		r, size := runeAt(s, i)
		if !py.IsSpace(r) {
			return i
		}
		i += size
	}
	return i
}

// runeAt decodes the rune at s[i], ASCII without the UTF-8 decoder.
func runeAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}
