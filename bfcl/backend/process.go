package backend

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/seeupo/seeupo/bfcl/py"
)

// Constants are the module-level constants of upstream long_context.py,
// decoded from long_context_constants.json. They are read-only; a Process
// hands out its own deep copies.
type Constants struct {
	values *py.Dict
	// frozen holds the constants that are lists of scalars (the
	// long-context price and name lists), frozen once: a process's copy
	// of one renders from their stored texts while unchanged.
	frozen map[string]*py.FrozenList
	// joined holds the frozen lists of JoinedConstant, by joinKey, up to
	// maxJoinedLists.
	joined boundedMemo
	// memo holds the values of ConstantsMemo, by key, up to maxMemo.
	memo boundedMemo
}

// boundedMemo is a concurrent map of read-only values that stops taking
// new keys once it holds max of them (concurrent first stores may pass
// that bound by a few).
type boundedMemo struct {
	m sync.Map
	n atomic.Int32
}

// load returns the value kept under key.
func (c *boundedMemo) load(key string) (any, bool) { return c.m.Load(key) }

// full says whether the memo holds max values.
func (c *boundedMemo) full(max int) bool { return int(c.n.Load()) >= max }

// keep stores v under key unless a value is kept there already, and
// returns the kept value.
func (c *boundedMemo) keep(key string, v any) any {
	actual, loaded := c.m.LoadOrStore(key, v)
	if !loaded {
		c.n.Add(1)
	}
	return actual
}

// maxMemo bounds the values ConstantsMemo keeps per Constants.
const maxMemo = 256

// maxJoinedLists bounds the lists JoinedConstant keeps per Constants: a
// head may come from a model's calls, as a watch list does.
const maxJoinedLists = 256

// ParseConstants decodes the content of long_context_constants.json.
func ParseConstants(data []byte) (*Constants, error) {
	v, err := py.DecodeCanonical(data)
	if err != nil {
		return nil, fmt.Errorf("long-context constants: %w", err)
	}
	d, ok := v.(*py.Dict)
	if !ok {
		return nil, fmt.Errorf("long-context constants: want a JSON object, got %s", v.TypeName())
	}
	c := &Constants{values: d, frozen: map[string]*py.FrozenList{}}
	for i := 0; i < d.Len(); i++ {
		name, isStr := d.KeyAt(i).(py.Str)
		l, isList := d.ValueAt(i).(*py.List)
		if !isStr || !isList {
			continue
		}
		if f := py.Freeze(l); f != nil {
			c.frozen[string(name)] = f
		}
	}
	return c, nil
}

// LoadConstants reads long_context_constants.json from path.
func LoadConstants(path string) (*Constants, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConstants(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Names lists the constants, in file order.
func (c *Constants) Names() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, c.values.Len())
	for _, k := range c.values.Keys() {
		out = append(out, string(k.(py.Str)))
	}
	return out
}

// Process is what one upstream Python process shares between the backend
// instances of an episode: the module-level constants (one mutable copy
// per process, made on first use) and other module-level objects. It is
// safe for concurrent use, though an episode normally uses it from one
// goroutine.
type Process struct {
	mu      sync.Mutex
	consts  *Constants
	copies  map[string]py.Value
	modules map[string]any
	// services are what the episode's runner hands the backends (an
	// embedding service, a search provider), by key.
	services map[string]any
}

// NewProcess makes a process; consts may be nil when no backend of the
// episode needs long-context constants.
func NewProcess(consts *Constants) *Process {
	// The maps are made on first use: most episodes need few of them.
	return &Process{consts: consts}
}

// SetService hands the backends of this process a service under key
// (the memory backends' embedder, the web-search provider). It returns p.
func (p *Process) SetService(key string, v any) *Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.services == nil {
		p.services = map[string]any{}
	}
	p.services[key] = v
	return p
}

// Service returns the service set under key, or nil.
func (p *Process) Service(key string) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.services[key]
}

// Constant returns the process's copy of a long_context.py constant
// (FILE_CONTENT_EXTENSION, ...). The same object is returned on every call,
// so a mutation is seen by every instance of the process, as upstream.
func (p *Process) Constant(name string) (py.Value, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.copies[name]; ok {
		return v, nil
	}
	if p.consts == nil {
		return nil, fmt.Errorf("long-context constant %s: no constants loaded (long_context_constants.json)", name)
	}
	v, ok := p.consts.values.GetStr(name)
	if !ok {
		names := p.consts.Names()
		sort.Strings(names)
		return nil, fmt.Errorf("unknown long-context constant %s; known: %s", name, strings.Join(names, ", "))
	}
	var c py.Value
	if f := p.consts.frozen[name]; f != nil {
		c = f.Copy()
	} else {
		c = py.DeepCopy(v)
	}
	if p.copies == nil {
		p.copies = map[string]py.Value{}
	}
	p.copies[name] = c
	return c, nil
}

// ConstantItems returns the items of a list constant for reading only:
// the items of the process's copy when one was made, else those of the
// shared frozen list, which no process copies until it needs the list
// object itself (Constant). A caller must not change the slice nor keep
// it: it copies the items it hands on, as the backends do when they
// append a constant's items to a list of their own.
func (p *Process) ConstantItems(name string) ([]py.Value, error) {
	p.mu.Lock()
	c, copied := p.copies[name]
	var f *py.FrozenList
	if !copied && p.consts != nil {
		f = p.consts.frozen[name]
	}
	p.mu.Unlock()
	if f != nil {
		return f.Items(), nil
	}
	if !copied {
		var err error
		if c, err = p.Constant(name); err != nil {
			return nil, err
		}
	}
	l, ok := c.(*py.List)
	if !ok {
		return nil, fmt.Errorf("long-context constant %s: want a list, got %s", name, c.TypeName())
	}
	return l.Items, nil
}

// Module returns the module-level object stored under key, creating it
// with init on first use.
func (p *Process) Module(key string, init func() any) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.modules[key]; ok {
		return v
	}
	v := init()
	if p.modules == nil {
		p.modules = map[string]any{}
	}
	p.modules[key] = v
	return v
}

// JoinedConstant is a fresh list of the strs head followed by the items
// of the list constant name (head + NAME), for a process that has not made
// its own copy of the constant. The joined items are frozen once per
// Constants and head, so the list borrows them and renders from their
// stored texts until it changes them in place (List.Own). ok is false when
// the process holds a copy of the constant, the constant is not a frozen
// list, or maxJoinedLists other heads are kept already (concurrent first
// joins may pass that bound by a few); the caller then joins the items
// itself.
func (p *Process) JoinedConstant(head []string, name string) (list *py.List, ok bool) {
	p.mu.Lock()
	_, copied := p.copies[name]
	p.mu.Unlock()
	if copied || p.consts == nil {
		return nil, false
	}
	tail := p.consts.frozen[name]
	if tail == nil {
		return nil, false
	}
	key := joinKey(head, name)
	if f, ok := p.consts.joined.load(key); ok {
		return f.(*py.FrozenList).Copy(), true
	}
	if p.consts.joined.full(maxJoinedLists) {
		return nil, false
	}
	items := make([]py.Value, 0, len(head)+len(tail.Items()))
	for _, h := range head {
		items = append(items, py.Str(h))
	}
	f := py.Freeze(&py.List{Items: append(items, tail.Items()...)})
	return p.consts.joined.keep(key, f).(*py.FrozenList).Copy(), true
}

// joinKey names a JoinedConstant list: the constant's name, then each
// head str, length-prefixed (a head comes from a model's calls and may
// hold any byte).
func joinKey(head []string, name string) string {
	var b strings.Builder
	b.WriteString(name)
	for _, h := range head {
		writeKeyPart(&b, h)
	}
	return b.String()
}

// writeKeyPart appends part to a memo key, length-prefixed, so that no
// two lists of parts give one key.
func writeKeyPart(b *strings.Builder, part string) {
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(len(part)))
	b.WriteByte(':')
	b.WriteString(part)
}

// KeysMemoKey is a ConstantsMemo key for a value made from d's keys: the
// prefix followed by each key, length-prefixed so that no two key lists
// give one text; ok is false when a key of d is not a str.
func KeysMemoKey(prefix string, d *py.Dict) (key string, ok bool) {
	size := len(prefix)
	for i := 0; i < d.Len(); i++ {
		k, isStr := d.KeyAt(i).(py.Str)
		if !isStr {
			return "", false
		}
		size += keyPartLen(string(k))
	}
	var b strings.Builder
	b.Grow(size) // one allocation
	b.WriteString(prefix)
	for i := 0; i < d.Len(); i++ {
		writeKeyPart(&b, string(d.KeyAt(i).(py.Str)))
	}
	return b.String(), true
}

// keyPartLen is the number of bytes writeKeyPart appends for part.
func keyPartLen(part string) int {
	n := len(part) + 3 // NUL, ':', one digit
	for l := len(part); l >= 10; l /= 10 {
		n++
	}
	return n
}

// ConstantsMemo returns the value kept under key for the process's
// constants, made by build on first use and shared by every process of
// the same Constants (and every goroutine): build must derive it from
// read-only data only, and callers must not change it. Without constants,
// or once maxMemo values are kept (concurrent first uses may pass that
// bound by a few), build's value is returned without being kept.
func (p *Process) ConstantsMemo(key string, build func() any) any {
	if p.consts == nil {
		return build()
	}
	if v, ok := p.consts.memo.load(key); ok {
		return v
	}
	v := build()
	if p.consts.memo.full(maxMemo) {
		return v
	}
	return p.consts.memo.keep(key, v)
}
