package py

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// scanFind is the general lookup: a plain scan of the keys with Python's
// key equality, for checking the fast paths of find against.
func scanFind(d *Dict, k Value) int {
	want, _ := HashKey(k)
	for i := 0; i < d.Len(); i++ {
		if h, _ := HashKey(d.KeyAt(i)); h == want {
			return i
		}
	}
	return -1
}

// checkLens fails when Dict.lens disagrees with the keys of a dict whose
// keys find scans.
func checkLens(t *testing.T, d *Dict, step int) {
	t.Helper()
	if lookupMode(d) != "keys" {
		return // lens is only read while the keys are scanned.
	}
	for i := 0; i < d.Len(); i++ {
		got := d.lens >> (lenBits * i) & lenMask
		if want := keyTag(d.keyAt(i).h); got != want {
			t.Fatalf("step %d: lens of key %d is %d, want %d", step, i, got, want)
		}
	}
}

// Lookups through the length check of small dicts, the index of large
// ones and the key texts of mixed ones agree with a plain scan, through
// random sets, pops and copies, with keys whose lengths differ by 16 and
// distinct keys of one length and one keyTag (see tagTwins).
func TestDictFindMatchesScan(t *testing.T) {
	pool := []Value{Str(""), Str("a"), Str("b"), Str("ab"), Str(strings.Repeat("a", 17)),
		Str(strings.Repeat("b", 17)), Str(strings.Repeat("a", 16)), Str("i1"), Str("name"),
		Str("type"), Str("size"), Str("k0"), Str("k1"), Int(1), Int(17), Float(2.5), Bool(true),
		Float(17), Int(-3), Int(123456789), Str("i17")}
	for i := 0; i < 40; i++ {
		pool = append(pool, Str(fmt.Sprintf("f%d", i)))
	}
	if !tagTwins(pool) {
		t.Fatal("no two distinct str keys of the pool share length and tag: the text comparison goes untested")
	}
	for _, strOnly := range []bool{true, false} {
		keys := pool
		if strOnly {
			keys = append(pool[:13:13], pool[21:]...)
		}
		rng := rand.New(rand.NewSource(1))
		d := NewDict()
		modes := map[string]bool{}
		for step := 0; step < 20000; step++ {
			k := keys[rng.Intn(len(keys))]
			switch r := rng.Intn(10); {
			case r < 6:
				_ = d.Set(k, Int(step))
			case r < 8:
				_, _, _ = d.Pop(k)
			case r < 9:
				d = d.Copy()
			default:
				d = DeepCopy(d).(*Dict)
			}
			if d.Len() > 40 {
				d = NewDict()
			}
			checkLens(t, d, step)
			modes[lookupMode(d)] = true
			for _, q := range pool {
				i, _ := d.findKey(q)
				if want := scanFind(d, q); i != want {
					t.Fatalf("strOnly=%v step %d: find(%s) = %d, want %d in %s", strOnly, step, Repr(q), i, want, Repr(d))
				}
			}
		}
		if len(modes) != 3 {
			t.Errorf("strOnly=%v: the lookups went through %v, want all three ways", strOnly, modes)
		}
	}
}

// tagTwins says whether two distinct str keys have the same length and
// the same keyTag, so that a scan must compare their texts.
func tagTwins(keys []Value) bool {
	seen := map[[2]int]string{}
	for _, k := range keys {
		s, ok := k.(Str)
		if !ok {
			continue
		}
		id := [2]int{len(s), int(keyTag(string(s)))}
		if prev, ok := seen[id]; ok && prev != string(s) {
			return true
		}
		seen[id] = string(s)
	}
	return false
}

// lookupMode names the way find looks a key up in d.
func lookupMode(d *Dict) string {
	switch {
	case d.ext != nil && d.ext.indexed:
		return "index"
	case d.ext != nil && d.ext.hkeys != nil:
		return "key texts"
	}
	return "keys"
}

// HashKey of an int is "i" and its decimal digits, as writeHashKey
// writes it, for small, large and negative ints.
func TestHashKeyOfInt(t *testing.T) {
	for _, n := range []int64{0, 7, -7, 99, 100, 12446, -1 << 63, 1<<63 - 1} {
		var b strings.Builder
		if err := writeHashKey(&b, Int(n)); err != nil {
			t.Fatal(err)
		}
		if got, _ := HashKey(Int(n)); got != b.String() {
			t.Errorf("HashKey(%d) = %q, want %q", n, got, b.String())
		}
	}
}
