package pynum

import (
	"math"
	"math/big"
	"sync"
)

// The functions here give correctly rounded double results of pow, exp,
// cos and sin (computed with ample extra precision, then rounded once), as
// glibc's implementations, which CPython calls, return in practice.

const workBits = 256

func bf(x float64, prec uint) *big.Float {
	return new(big.Float).SetPrec(prec).SetFloat64(x)
}

// lnBig is ln(x) for x > 0 at prec bits.
func lnBig(x *big.Float, prec uint) *big.Float {
	return lnHigh(x, prec)
}

// ln2Cache holds ln 2 at the precisions computed so far, up to
// ln2CacheMax of them; its values are shared and read-only.
var ln2Cache struct {
	sync.Mutex
	m map[uint]*big.Float
}

// ln2CacheMax bounds the precisions ln2Cache keeps.
const ln2CacheMax = 64

// ln2Big is ln 2 at prec bits. The value may be shared: callers must not
// change it.
func ln2Big(prec uint) *big.Float {
	ln2Cache.Lock()
	v := ln2Cache.m[prec]
	ln2Cache.Unlock()
	if v != nil {
		return v
	}
	v = computeLn2(prec)
	ln2Cache.Lock()
	if ln2Cache.m == nil {
		ln2Cache.m = map[uint]*big.Float{}
	}
	if len(ln2Cache.m) < ln2CacheMax {
		ln2Cache.m[prec] = v
	}
	ln2Cache.Unlock()
	return v
}

// computeLn2 is ln 2 at prec bits, 2 atanh(1/3), computed afresh.
func computeLn2(prec uint) *big.Float {
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	third := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(3))
	return atanhTimes2(third, prec)
}

// expBig is e**z at prec bits: z = k ln2 + r with |r| <= ln2/2, e**r by
// its Taylor series after halving r eight times, then squared back.
func expBig(z *big.Float, prec uint) *big.Float {
	wp := prec + 32
	ln2 := ln2Big(wp + 64)
	q := new(big.Float).SetPrec(wp).Quo(z, ln2)
	kf, _ := q.Float64()
	k := math.Round(kf)
	r := new(big.Float).SetPrec(wp+64).Mul(ln2, bf(k, wp+64))
	r.Sub(new(big.Float).SetPrec(wp+64).Set(z), r)
	r.SetPrec(wp)
	const halvings = 8
	r.SetMantExp(r, -halvings)
	sum := new(big.Float).SetPrec(wp).SetInt64(1)
	term := new(big.Float).SetPrec(wp).SetInt64(1)
	for n := int64(1); n < 10000; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(wp).SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < -int(wp)-4 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// LogCR returns ln(x) for a finite x > 0 correctly rounded (what C's log,
// and so Python's math.log, returns; Go's math.Log can be one unit in
// the last place off).
func LogCR(x float64) float64 {
	if x == 1 {
		return 0
	}
	f, _ := lnBig(bf(x, workBits), workBits).Float64()
	return f
}

// PowCR returns x**y for x > 0 correctly rounded (C pow for a positive
// base), with +Inf on overflow.
func PowCR(x, y float64) float64 {
	if y == math.Trunc(y) && math.Abs(y) <= 64 {
		n := int(math.Abs(y))
		p := new(big.Float).SetPrec(uint(53*n + 64)).SetInt64(1)
		for i := 0; i < n; i++ {
			p.Mul(p, bf(x, 53))
		}
		if y < 0 {
			p = new(big.Float).SetPrec(workBits).Quo(bf(1, workBits), p)
		}
		f, _ := p.Float64()
		return f
	}
	ln := lnBig(bf(x, workBits), workBits)
	z := new(big.Float).SetPrec(workBits).Mul(ln, bf(y, workBits))
	if zf, _ := z.Float64(); zf > 710 {
		return math.Inf(1)
	} else if zf < -746 {
		return 0
	}
	f, _ := expBig(z, workBits).Float64()
	return f
}

// piBig is π at prec bits (Machin's formula).
func piBig(prec uint) *big.Float {
	wp := prec + 16
	atanInv := func(n int64) *big.Float {
		// atan(1/n) = sum (-1)^k / ((2k+1) n^(2k+1))
		x := new(big.Float).SetPrec(wp).Quo(bf(1, wp), bf(float64(n), wp))
		x2 := new(big.Float).SetPrec(wp).Mul(x, x)
		sum := new(big.Float).SetPrec(wp).Set(x)
		pow := new(big.Float).SetPrec(wp).Set(x)
		for k := int64(1); ; k++ {
			pow.Mul(pow, x2)
			if pow.MantExp(nil) < -int(wp)-4 {
				break
			}
			t := new(big.Float).SetPrec(wp).Quo(pow, bf(float64(2*k+1), wp))
			if k%2 == 1 {
				sum.Sub(sum, t)
			} else {
				sum.Add(sum, t)
			}
		}
		return sum
	}
	a := atanInv(5)
	a.Mul(a, bf(16, wp))
	b := atanInv(239)
	b.Mul(b, bf(4, wp))
	return a.Sub(a, b)
}

// CosSinCR returns cos(x) and sin(x) correctly rounded.
func CosSinCR(x float64) (float64, float64) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return math.NaN(), math.NaN()
	}
	_, e := math.Frexp(x)
	prec := uint(workBits + max(e, 0))
	pi := piBig(prec + 64)
	halfPi := new(big.Float).SetPrec(prec+64).SetMantExp(pi, -1)
	q := new(big.Float).SetPrec(prec+64).Quo(bf(x, prec+64), halfPi)
	qi, _ := q.Float64()
	k := math.Round(qi)
	r := new(big.Float).SetPrec(prec+64).Mul(halfPi, bf(k, prec+64))
	r.Sub(bf(x, prec+64), r)
	r.SetPrec(workBits)
	c, s := cosSinSeries(r)
	switch int64(math.Mod(k, 4)+4) % 4 {
	case 1:
		c, s = s.Neg(s), c
	case 2:
		c, s = c.Neg(c), s.Neg(s)
	case 3:
		c, s = s, c.Neg(c)
	}
	cf, _ := c.Float64()
	sf, _ := s.Float64()
	return cf, sf
}

// cosSinSeries evaluates the Taylor series of cos and sin at |r| <= π/4.
func cosSinSeries(r *big.Float) (*big.Float, *big.Float) {
	wp := r.Prec()
	r2 := new(big.Float).SetPrec(wp).Mul(r, r)
	cos := new(big.Float).SetPrec(wp).SetInt64(1)
	sin := new(big.Float).SetPrec(wp).Set(r)
	ct := new(big.Float).SetPrec(wp).SetInt64(1)
	st := new(big.Float).SetPrec(wp).Set(r)
	for n := int64(1); n < 1000; n++ {
		ct.Mul(ct, r2)
		ct.Quo(ct, bf(float64((2*n-1)*(2*n)), wp))
		ct.Neg(ct)
		st.Mul(st, r2)
		st.Quo(st, bf(float64((2*n)*(2*n+1)), wp))
		st.Neg(st)
		cos.Add(cos, ct)
		sin.Add(sin, st)
		if (ct.Sign() == 0 || ct.MantExp(nil) < -int(wp)-8) && (st.Sign() == 0 || st.MantExp(nil) < -int(wp)-8) {
			break
		}
	}
	return cos, sin
}
