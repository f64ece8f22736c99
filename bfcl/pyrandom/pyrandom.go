// Package pyrandom reproduces CPython 3.11's random.Random bit for bit: the
// MT19937 generator, the seeding of an integer seed through init_by_array,
// random(), getrandbits() and the integer helpers built on them (randint,
// randrange, choice, shuffle, sample), plus uniform().
//
// Every method draws exactly the 32-bit words CPython draws for the same
// call, so a sequence of calls on New(seed) yields the values the same
// sequence yields on random.Random(seed) in Python.
package pyrandom

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

const (
	stateSize  = 624
	shiftSize  = 397
	matrixA    = 0x9908b0df
	upperMask  = 0x80000000
	lowerMask  = 0x7fffffff
	seedScalar = 19650218
)

// Random is one generator, the counterpart of a random.Random instance.
// It is not safe for concurrent use.
//
// Generators made from one seed start from one shared, read-only state
// block (shared is true); a generator copies it before its first change,
// which comes only after it has drawn a whole block of words.
type Random struct {
	mt     *[stateSize]uint32
	shared bool
	pos    int
}

// New returns a generator seeded like random.Random(seed): the absolute
// value of seed, split into 32-bit words (least significant first), is fed
// to init_by_array.
func New(seed int64) *Random {
	r := &Random{}
	r.Seed(seed)
	return r
}

// seeded caches, for the first maxSeededCache seeds seen, the state block
// right after seeding and the first twist: the backends seed their
// generators with a few fixed seeds, one generator per instance, and most
// draw far fewer than a block's words, so they can all read the one block.
var seeded sync.Map // int64 -> *[stateSize]uint32, never written

// maxSeededCache bounds the number of cached seeds.
const maxSeededCache = 64

var seededCount atomic.Int32

// Seed re-seeds r like random.seed(seed) with an int argument.
func (r *Random) Seed(seed int64) {
	if c, ok := seeded.Load(seed); ok {
		r.mt, r.shared, r.pos = c.(*[stateSize]uint32), true, 0
		return
	}
	r.mt, r.shared = new([stateSize]uint32), false
	r.initByArray(seedKey(seed))
	// The first draw twists anyway; doing it now makes the block the
	// generators of this seed can share.
	r.twist()
	if seededCount.Load() < maxSeededCache {
		if _, loaded := seeded.LoadOrStore(seed, r.mt); !loaded {
			seededCount.Add(1)
			r.shared = true
		}
	}
}

// seedKey splits |seed| into 32-bit words, least significant first; zero
// gives the single word 0, as in CPython.
func seedKey(seed int64) []uint32 {
	abs := uint64(seed)
	if seed < 0 {
		abs = -abs
	}
	lo, hi := uint32(abs), uint32(abs>>32)
	if hi == 0 {
		return []uint32{lo}
	}
	return []uint32{lo, hi}
}

func (r *Random) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < stateSize; i++ {
		prev := r.mt[i-1]
		r.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	r.pos = stateSize
}

func (r *Random) initByArray(key []uint32) {
	r.initGenrand(seedScalar)
	i, j := 1, 0
	k := max(stateSize, len(key))
	for ; k > 0; k-- {
		prev := r.mt[i-1]
		r.mt[i] = (r.mt[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= stateSize {
			r.mt[0] = r.mt[stateSize-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = stateSize - 1; k > 0; k-- {
		prev := r.mt[i-1]
		r.mt[i] = (r.mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= stateSize {
			r.mt[0] = r.mt[stateSize-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
}

// twist regenerates the whole state block.
func (r *Random) twist() {
	if r.shared {
		own := *r.mt
		r.mt, r.shared = &own, false
	}
	mag := func(y uint32) uint32 { return (y & 1) * matrixA }
	var kk int
	for kk = 0; kk < stateSize-shiftSize; kk++ {
		y := (r.mt[kk] & upperMask) | (r.mt[kk+1] & lowerMask)
		r.mt[kk] = r.mt[kk+shiftSize] ^ (y >> 1) ^ mag(y)
	}
	for ; kk < stateSize-1; kk++ {
		y := (r.mt[kk] & upperMask) | (r.mt[kk+1] & lowerMask)
		r.mt[kk] = r.mt[kk+(shiftSize-stateSize)] ^ (y >> 1) ^ mag(y)
	}
	y := (r.mt[stateSize-1] & upperMask) | (r.mt[0] & lowerMask)
	r.mt[stateSize-1] = r.mt[shiftSize-1] ^ (y >> 1) ^ mag(y)
	r.pos = 0
}

// uint32 returns the next tempered 32-bit output (genrand_uint32).
func (r *Random) uint32() uint32 {
	if r.pos >= stateSize {
		r.twist()
	}
	y := r.mt[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Random returns a float in [0, 1) with 53 random bits, like random().
func (r *Random) Random() float64 {
	a := r.uint32() >> 5
	b := r.uint32() >> 6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// GetRandBits returns an integer with k random bits, like getrandbits(k).
// Words are drawn least significant first; the last, partial word keeps
// its most significant bits. k must be in [0, 64].
func (r *Random) GetRandBits(k int) uint64 {
	if k < 0 || k > 64 {
		panic(fmt.Sprintf("pyrandom: GetRandBits(%d): k must be in [0, 64]", k))
	}
	var out uint64
	for shift := 0; k > 0; shift, k = shift+32, k-32 {
		w := r.uint32()
		if k < 32 {
			w >>= 32 - k
		}
		out |= uint64(w) << shift
	}
	return out
}

// randBelow returns an int in [0, n) for n > 0 by rejection sampling on
// getrandbits(n.bit_length()), like _randbelow_with_getrandbits.
func (r *Random) randBelow(n uint64) uint64 {
	k := bits.Len64(n)
	v := r.GetRandBits(k)
	for v >= n {
		v = r.GetRandBits(k)
	}
	return v
}

// RandRange returns an int in [start, stop), like randrange(start, stop).
// It panics with CPython's message when the range is empty.
func (r *Random) RandRange(start, stop int64) int64 {
	if stop <= start {
		panic(fmt.Sprintf("empty range for randrange() (%d, %d, %d)", start, stop, stop-start))
	}
	width := uint64(stop) - uint64(start)
	return int64(uint64(start) + r.randBelow(width))
}

// RandInt returns an int in [a, b], like randint(a, b).
func (r *Random) RandInt(a, b int64) int64 {
	if b == math.MaxInt64 {
		panic("pyrandom: RandInt upper bound must be below MaxInt64")
	}
	return r.RandRange(a, b+1)
}

// Uniform returns a + (b-a)*random(), like uniform(a, b).
func (r *Random) Uniform(a, b float64) float64 {
	return a + (b-a)*r.Random()
}

// Choice returns the index random.choice picks from a sequence of length
// n. It panics, as CPython raises, when n is 0.
func (r *Random) Choice(n int) int {
	if n <= 0 {
		panic("Cannot choose from an empty sequence")
	}
	return int(r.randBelow(uint64(n)))
}

// Shuffle permutes a sequence of length n in place like shuffle(x): for i
// from n-1 down to 1 it swaps x[i] with x[randbelow(i+1)], calling swap
// even when both indices are equal.
func (r *Random) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		j := int(r.randBelow(uint64(i + 1)))
		swap(i, j)
	}
}

// Sample returns the indices random.sample picks when drawing k items
// from a population of length n, in selection order. Like CPython 3.11 it
// uses a pool of indices when n is small compared to a set of k items and
// rejection against a set of chosen indices otherwise; the two paths draw
// different numbers. It panics when k is negative or larger than n.
func (r *Random) Sample(n, k int) []int {
	if k < 0 || k > n {
		panic("Sample larger than population or is negative")
	}
	result := make([]int, k)
	if n <= sampleSetSize(k) {
		pool := make([]int, n)
		for i := range pool {
			pool[i] = i
		}
		for i := 0; i < k; i++ {
			j := int(r.randBelow(uint64(n - i)))
			result[i] = pool[j]
			pool[j] = pool[n-i-1]
		}
		return result
	}
	selected := make(map[int]bool, k)
	for i := 0; i < k; i++ {
		j := int(r.randBelow(uint64(n)))
		for selected[j] {
			j = int(r.randBelow(uint64(n)))
		}
		selected[j] = true
		result[i] = j
	}
	return result
}

// sampleSetSize is CPython's estimate of the memory of a set of k items,
// in list slots: 21, plus 4**ceil(log(3k, 4)) when k > 5.
func sampleSetSize(k int) int {
	size := 21
	if k > 5 {
		exp := math.Ceil(math.Log(float64(k*3)) / math.Log(4))
		size += int(math.Pow(4, exp))
	}
	return size
}
