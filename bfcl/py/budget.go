package py

// Budget bounds what one evaluation may build. Python's repetition and
// concatenation share their items, so a short expression such as
// [[['A'*1024]*1024]*1024] costs little to build but expands to a gigabyte
// as soon as it is rendered, copied or compared. A Budget therefore counts
// the expanded size of every value charged to it (a shared item counts each
// time it occurs, as repr would write it) and refuses once the total passes
// its limit, before anything expands it.
type Budget struct {
	limit, used int
	// sizes memoises the expanded size of containers already measured,
	// so measuring shared structure costs its distinct nodes only.
	sizes map[sizeKey]int
}

// sizeKey identifies a container: its identity and length (two tuples may
// share a backing array with different lengths).
type sizeKey struct {
	id  uintptr
	len int
}

// NewBudget returns a budget of limit units: one per character byte, one
// per container and one per scalar.
func NewBudget(limit int) *Budget {
	return &Budget{limit: limit, sizes: map[sizeKey]int{}}
}

// Limit is the budget's size in units.
func (b *Budget) Limit() int { return b.limit }

// Charge adds the expanded size of v, a value just built, to the units
// used, and fails with a MemoryError once they pass the limit.
func (b *Budget) Charge(v Value) error {
	b.used = b.add(b.used, b.size(v))
	if b.used > b.limit {
		return Errorf("MemoryError", "value too large: the values one call builds may hold at most %d items and characters in all (lists and strings repeated or concatenated count in full)", b.limit)
	}
	return nil
}

// add is x+y saturated just above the limit, so that sizes of deeply
// shared structure cannot overflow.
func (b *Budget) add(x, y int) int {
	if x > b.limit-y {
		return b.limit + 1
	}
	return x + y
}

// size is the expanded size of v in units.
func (b *Budget) size(v Value) int {
	switch x := v.(type) {
	case Str:
		return 1 + len(x)
	case BigInt:
		return 1 + len(x.V.Bits())*8
	case *List:
		return b.seqSize(sizeKey{identity(x), len(x.Items)}, x.Items)
	case Tuple:
		return b.seqSize(sizeKey{identity(x), len(x)}, x)
	case *Set:
		return b.seqSize(sizeKey{identity(x), x.Len()}, x.d.keys)
	case *Dict:
		key := sizeKey{identity(x), x.Len()}
		if n, ok := b.sizes[key]; ok {
			return n
		}
		b.sizes[key] = 0 // a cycle counts once
		n := b.add(b.seqSize(sizeKey{}, x.keys), b.seqSize(sizeKey{}, x.vals))
		b.sizes[key] = n
		return n
	}
	return 1
}

// seqSize is one unit plus the sizes of items, memoised under key unless
// key is zero.
func (b *Budget) seqSize(key sizeKey, items []Value) int {
	if key.id != 0 {
		if n, ok := b.sizes[key]; ok {
			return n
		}
		b.sizes[key] = 0 // a cycle counts once
	}
	n := 1
	for _, it := range items {
		n = b.add(n, b.size(it))
		if n > b.limit {
			break
		}
	}
	if key.id != 0 {
		b.sizes[key] = n
	}
	return n
}
