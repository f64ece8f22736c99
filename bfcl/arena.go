package bfcl

import "sync"

// slab hands out elements of T from chunks it allocates, so that many
// small nodes cost one allocation per chunk. A chunk is never grown in
// place: handed-out pointers stay valid until reset.
type slab[T any] struct{ buf []T }

func (s *slab[T]) new() *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, max(16, 2*cap(s.buf)))
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// slice returns a copy of items in slab storage (nil for none).
func (s *slab[T]) slice(items []T) []T {
	if len(items) == 0 {
		return nil
	}
	if cap(s.buf)-len(s.buf) < len(items) {
		s.buf = make([]T, 0, max(64, 2*cap(s.buf), len(items)))
	}
	n := len(s.buf)
	s.buf = append(s.buf, items...)
	return s.buf[n:len(s.buf):len(s.buf)]
}

// reset zeroes what was handed out (dropping the values it refers to) and
// makes the last chunk's storage free for reuse.
func (s *slab[T]) reset() {
	clear(s.buf)
	s.buf = s.buf[:0]
}

// astArena holds the nodes of one parsed call while the executor
// evaluates it: the executor keeps no node after the call (values are
// copied out of constants), so the storage serves the next call.
type astArena struct {
	consts   slab[Const]
	names    slab[Name]
	attrs    slab[Attribute]
	calls    slab[Call]
	exprs    slab[Expr]
	starred  slab[bool]
	keywords slab[Keyword]

	// Scratch stacks for the arguments of the calls being parsed
	// (nested calls push above their caller's arguments).
	argStack  []Expr
	starStack []bool
	kwStack   []Keyword
}

var astArenas = sync.Pool{New: func() any { return new(astArena) }}

// release resets the arena and returns it to the pool.
func (a *astArena) release() {
	a.consts.reset()
	a.names.reset()
	a.attrs.reset()
	a.calls.reset()
	a.exprs.reset()
	a.starred.reset()
	a.keywords.reset()
	clear(a.argStack[:cap(a.argStack)])
	clear(a.kwStack[:cap(a.kwStack)])
	a.argStack, a.starStack, a.kwStack = a.argStack[:0], a.starStack[:0], a.kwStack[:0]
	astArenas.Put(a)
}

// newConst, newName, newAttribute and newCall make nodes in the parser's
// arena, or on the heap when it has none.
func (p *parser) newConst(c Const) *Const {
	var n *Const
	if p.ar == nil {
		n = new(Const)
	} else {
		n = p.ar.consts.new()
	}
	*n = c
	return n
}

func (p *parser) newName(id string) *Name {
	if p.ar == nil {
		return &Name{ID: id}
	}
	n := p.ar.names.new()
	n.ID = id
	return n
}

func (p *parser) newAttribute(v Expr, attr string) *Attribute {
	if p.ar == nil {
		return &Attribute{Value: v, Attr: attr}
	}
	n := p.ar.attrs.new()
	n.Value, n.Attr = v, attr
	return n
}
