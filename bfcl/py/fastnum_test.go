package py

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

func sampleInts(rng *rand.Rand) []int64 {
	out := []int64{0, 1, -1, 2, -2, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		1 << 31, -(1 << 31), 1 << 32, 3037000499, 3037000500, -3037000500, 1 << 53, -(1 << 53), 1<<53 + 1, -(1<<53 + 1)}
	for i := 0; i < 300; i++ {
		out = append(out, rng.Int63()>>uint(rng.Intn(63)), -(rng.Int63() >> uint(rng.Intn(63))))
	}
	return out
}

// The int64 fast path of + - * gives what big-int arithmetic gives, also
// at and past the overflow limits.
func TestSmallIntOpMatchesBigInts(t *testing.T) {
	ints := sampleInts(rand.New(rand.NewSource(2)))
	for _, x := range ints {
		for _, y := range ints {
			for _, op := range []byte{'+', '-', '*'} {
				bx, by := big.NewInt(x), big.NewInt(y)
				r := new(big.Int)
				switch op {
				case '+':
					r.Add(bx, by)
				case '-':
					r.Sub(bx, by)
				default:
					r.Mul(bx, by)
				}
				got, ok := smallIntOp(op, Int(x), Int(y))
				if ok && !r.IsInt64() || !ok && r.IsInt64() && r.Int64() != math.MinInt64 && x != math.MinInt64 && y != math.MinInt64 {
					t.Fatalf("%d %c %d: fast path ok=%v, result %s", x, op, y, ok, r)
				}
				if ok && got != Int(r.Int64()) {
					t.Fatalf("%d %c %d = %v, want %s", x, op, y, got, r)
				}
			}
		}
	}
}

// Comparing an int with a float gives the exact comparison's answer.
func TestIntFloatCompareIsExact(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	ints := sampleInts(rng)
	floats := []float64{0, -0.0, 0.5, -0.5, 1, -1, 1 << 53, 1<<53 + 2, -(1 << 53), 9.3e18, -9.3e18, math.Inf(1), math.Inf(-1), 3.5e15 + 0.5}
	for _, i := range ints {
		floats = append(floats, float64(i), math.Nextafter(float64(i), math.Inf(1)), math.Nextafter(float64(i), math.Inf(-1)))
	}
	for _, i := range ints {
		for _, f := range floats {
			want := exactRat(Int(i)).Cmp(exactRatOrInf(f))
			if math.IsInf(f, 1) {
				want = -1
			} else if math.IsInf(f, -1) {
				want = 1
			}
			if got := numCompare(Int(i), Float(f)); got != want {
				t.Fatalf("compare(%d, %v) = %d, want %d", i, f, got, want)
			}
			if got := numCompare(Float(f), Int(i)); got != -want {
				t.Fatalf("compare(%v, %d) = %d, want %d", f, i, got, -want)
			}
		}
	}
}

func exactRatOrInf(f float64) *big.Rat {
	if math.IsInf(f, 0) {
		return new(big.Rat)
	}
	return new(big.Rat).SetFloat64(f)
}

// The direct writing of a str's repr gives StrRepr's text for every mix
// of quotes, backslashes, control and non-ASCII characters.
func TestWriteStrReprMatchesStrRepr(t *testing.T) {
	pieces := []string{"a", "Z", " ", "'", `"`, `\`, "\n", "\t", "\x7f", "\x00", "é", "\u2028", "\xff", "~"}
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 50000; i++ {
		s := ""
		for n := rng.Intn(6); n > 0; n-- {
			s += pieces[rng.Intn(len(pieces))]
		}
		b := getBuf()
		writeStrRepr(b, s)
		if got, want := b.release(), StrRepr(s); got != want {
			t.Fatalf("writeStrRepr(%q) = %s, want %s", s, got, want)
		}
	}
}

// EqStr(v, s) is Eq(v, Str(s)).
func TestEqStrIsEq(t *testing.T) {
	for _, v := range []Value{Str("a"), Str(""), Str("A"), Int(1), Float(1), None, nil, Bool(true), NewList(Str("a")), Tuple{Str("a")}} {
		for _, s := range []string{"a", "", "1", "None", "True"} {
			if got, want := EqStr(v, s), Eq(v, Str(s)); got != want {
				t.Errorf("EqStr(%s, %q) = %v, want %v", Repr(v), s, got, want)
			}
		}
	}
}
