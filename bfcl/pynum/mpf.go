package pynum

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// log2of10 is the constant mpmath uses to convert between decimal digits
// and bits.
const log2of10 = 3.3219280948873626

// DpsToPrec returns the binary precision mpmath selects for mp.dps = dps.
func DpsToPrec(dps int) uint {
	return uint(max(1, int(math.RoundToEven(float64(dps+1)*log2of10))))
}

// precToDps is mpmath's prec_to_dps.
func precToDps(prec uint) int {
	return max(1, int(math.RoundToEven(float64(prec)/log2of10))-1)
}

// ReprDigits returns the number of digits repr() of an mpf shows at the
// binary precision prec (mpmath's repr_dps).
func ReprDigits(prec uint) int {
	dps := precToDps(prec)
	if dps == 15 {
		return 17
	}
	return dps + 3
}

// ErrZeroDivision is mpmath's ZeroDivisionError, raised without a message.
var ErrZeroDivision = errors.New("")

// MpfLogRatio returns repr(mpmath.log(value) / mpmath.log(base)) with
// mpmath.mp.dps = dps, for value and base given exactly. See
// MpfLogRatioPrec.
func MpfLogRatio(value, base *big.Float, dps int) (string, error) {
	return MpfLogRatioPrec(value, base, DpsToPrec(dps))
}

// mval is an mpf: a big.Float (possibly infinite) or NaN.
type mval struct {
	f   *big.Float
	nan bool
}

// MpfLogRatioPrec returns repr(mpmath.log(value) / mpmath.log(base)) at a
// binary precision of prec bits: each logarithm is rounded to prec bits,
// then the quotient is rounded again, as mpmath does. The text is
// "mpf('…')", or "mpc(real='…', imag='…')" when a negative argument makes
// a logarithm complex (ln|x| + iπ, divided as mpmath divides complex
// numbers). A zero denominator is mpmath's ZeroDivisionError.
func MpfLogRatioPrec(value, base *big.Float, prec uint) (string, error) {
	digits := ReprDigits(prec)
	nr, ni := mpfLogParts(value, prec)
	dr, di := mpfLogParts(base, prec)
	if ni == nil && di == nil {
		q, err := mpfDiv(nr, dr, prec)
		if err != nil {
			return "", err
		}
		return "mpf('" + mvalString(q, digits) + "')", nil
	}
	if di == nil {
		re, err := mpfDiv(nr, dr, prec)
		if err != nil {
			return "", err
		}
		im, err := mpfDiv(mval{f: ni}, dr, prec)
		if err != nil {
			return "", err
		}
		return mpcRepr(re, im, digits), nil
	}
	if ni == nil {
		ni = new(big.Float)
	}
	if nr.nan || dr.nan {
		return "mpc(real='nan', imag='nan')", nil
	}
	re, im, err := mpcDiv(nr.f, ni, dr.f, di, prec)
	if err != nil {
		return "", err
	}
	return mpcRepr(re, im, digits), nil
}

// mpfLogParts is mpmath's log of an exact real: the real part, and the
// imaginary part π for a negative argument (nil for a real result).
func mpfLogParts(x *big.Float, prec uint) (mval, *big.Float) {
	if x.Sign() < 0 {
		re := mpfLog(new(big.Float).Abs(x), prec)
		pi := new(big.Float).SetPrec(prec).SetMode(big.ToNearestEven).Set(piBig(prec + 64))
		return mval{f: re}, pi
	}
	return mval{f: mpfLog(x, prec)}, nil
}

// mpfDiv is mpmath's mpf_div with its special values.
func mpfDiv(s, t mval, prec uint) (mval, error) {
	sZero := !s.nan && s.f.Sign() == 0
	tZero := !t.nan && t.f.Sign() == 0
	switch {
	case sZero && tZero:
		return mval{}, ErrZeroDivision
	case sZero && t.nan:
		return mval{nan: true}, nil
	case sZero:
		return mval{f: new(big.Float)}, nil
	case tZero:
		return mval{}, ErrZeroDivision
	case s.nan || t.nan:
		return mval{nan: true}, nil
	case s.f.IsInf() && t.f.IsInf():
		return mval{nan: true}, nil
	case s.f.IsInf():
		return mval{f: new(big.Float).SetInf(s.f.Sign()*t.f.Sign() < 0)}, nil
	case t.f.IsInf():
		return mval{f: new(big.Float)}, nil
	}
	return mval{f: new(big.Float).SetPrec(prec).SetMode(big.ToNearestEven).Quo(s.f, t.f)}, nil
}

// mpcDiv is mpmath's mpc_div: (a+bi)/(c+di) with the products exact, the
// sums truncated to prec+10 bits (mpmath's round_fast) and the two
// quotients rounded to nearest at prec. Each part is
// computed on its own, so an infinite input can make one part NaN only.
func mpcDiv(a, b, c, d *big.Float, prec uint) (re, im mval, err error) {
	wp := prec + 10
	A, B, C, D := mval{f: a}, mval{f: b}, mval{f: c}, mval{f: d}
	mag := mAdd(mMul(C, C), mMul(D, D), wp, false)
	t := mAdd(mMul(A, C), mMul(B, D), wp, false)
	u := mAdd(mMul(B, C), mMul(A, D), wp, true)
	if re, err = mpfDiv(t, mag, prec); err != nil {
		return mval{}, mval{}, err
	}
	im, err = mpfDiv(u, mag, prec)
	return re, im, err
}

// mMul is an exact product, NaN for NaN operands or 0 * inf.
func mMul(x, y mval) mval {
	if x.nan || y.nan {
		return mval{nan: true}
	}
	if (x.f.IsInf() && y.f.Sign() == 0) || (y.f.IsInf() && x.f.Sign() == 0) {
		return mval{nan: true}
	}
	return mval{f: new(big.Float).SetPrec(x.f.Prec()+y.f.Prec()+1).Mul(x.f, y.f)}
}

// mAdd is x + y (x - y when sub) truncated to prec bits, NaN for NaN operands or
// inf - inf.
func mAdd(x, y mval, prec uint, sub bool) mval {
	if x.nan || y.nan {
		return mval{nan: true}
	}
	yf := y.f
	if sub {
		yf = new(big.Float).Neg(y.f)
	}
	if x.f.IsInf() && yf.IsInf() && x.f.Signbit() != yf.Signbit() {
		return mval{nan: true}
	}
	return mval{f: new(big.Float).SetPrec(prec).SetMode(big.ToZero).Add(x.f, yf)}
}

func mvalString(v mval, digits int) string {
	if v.nan {
		return "nan"
	}
	return MpfString(v.f, digits)
}

func mpcRepr(re, im mval, digits int) string {
	return "mpc(real='" + mvalString(re, digits) + "', imag='" + mvalString(im, digits) + "')"
}

// mpfLog returns ln(x) rounded to nearest at prec bits, with mpmath's
// special values: ln(1) = 0 exactly, ln(0) = -inf.
func mpfLog(x *big.Float, prec uint) *big.Float {
	switch {
	case x.Sign() == 0:
		return new(big.Float).SetInf(true)
	case x.IsInf():
		return new(big.Float).SetInf(false)
	case x.Cmp(big.NewFloat(1)) == 0:
		return new(big.Float).SetPrec(prec)
	}
	wp := prec + 64 + uint(bitsOf(x.MantExp(nil)))
	l := lnHigh(x, wp)
	return new(big.Float).SetPrec(prec).SetMode(big.ToNearestEven).Set(l)
}

func bitsOf(n int) int {
	b := 0
	for n != 0 {
		n /= 2
		b++
	}
	return b
}

// lnHigh computes ln(x) for x > 0 with wp bits of working precision:
// x = m * 2**e with m in [0.75, 1.5), ln x = 2 atanh((m-1)/(m+1)) + e ln 2.
func lnHigh(x *big.Float, wp uint) *big.Float {
	m := new(big.Float).SetPrec(wp).Set(x)
	e := m.MantExp(m) // m in [0.5, 1)
	if m.Cmp(big.NewFloat(0.75)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	one := new(big.Float).SetPrec(wp).SetInt64(1)
	z := new(big.Float).SetPrec(wp).Sub(m, one)
	z.Quo(z, new(big.Float).SetPrec(wp).Add(m, one))
	res := atanhTimes2(z, wp)
	if e != 0 {
		eln2 := new(big.Float).SetPrec(wp).Mul(ln2Big(wp), new(big.Float).SetPrec(wp).SetInt64(int64(e)))
		res.Add(res, eln2)
	}
	return res
}

// atanhTimes2 returns 2*atanh(z) = 2*(z + z^3/3 + z^5/5 + ...) for |z| < 1/2.
func atanhTimes2(z *big.Float, wp uint) *big.Float {
	sum := new(big.Float).SetPrec(wp).Set(z)
	z2 := new(big.Float).SetPrec(wp).Mul(z, z)
	pow := new(big.Float).SetPrec(wp).Set(z)
	term := new(big.Float).SetPrec(wp)
	kf := new(big.Float).SetPrec(wp)
	limit := -int(wp) - 8
	for k := int64(3); ; k += 2 {
		pow.Mul(pow, z2)
		if pow.Sign() == 0 || pow.MantExp(nil) < limit {
			break
		}
		term.Quo(pow, kf.SetInt64(k))
		sum.Add(sum, term)
	}
	return sum.Mul(sum, new(big.Float).SetPrec(wp).SetInt64(2))
}

// MpfString returns mpmath's to_str(x, dps): x rounded to dps significant
// digits (half-up on the exact expansion, as mpmath's truncate-then-round
// does), in plain form when the decimal exponent lies strictly between
// min(-(dps/3), -5) and dps, with trailing zeros stripped ("2.0", "1e+20").
func MpfString(x *big.Float, dps int) string {
	switch {
	case x.IsInf() && x.Signbit():
		return "-inf"
	case x.IsInf():
		return "+inf"
	case x.Sign() == 0:
		return "0.0"
	}
	sign := ""
	if x.Sign() < 0 {
		sign = "-"
	}
	digits, exponent := exactDigits(new(big.Float).Abs(x))
	digits, exponent = roundHalfUpDigits(digits, exponent, dps)
	minFixed, maxFixed := min(-(dps/3), -5), dps
	split := 1
	if minFixed < exponent && exponent < maxFixed {
		if exponent < 0 {
			digits = strings.Repeat("0", -exponent) + digits
		} else {
			split = exponent + 1
			if split > dps {
				digits += strings.Repeat("0", split-dps)
			}
		}
		exponent = 0
	}
	text := strings.TrimRight(digits[:split]+"."+digits[split:], "0")
	if strings.HasSuffix(text, ".") {
		text += "0"
	}
	switch {
	case exponent == 0:
		return sign + text
	case exponent > 0:
		return sign + text + "e+" + strconv.Itoa(exponent)
	default:
		return sign + text + "e" + strconv.Itoa(exponent)
	}
}

// exactDigits returns the exact decimal digits of x > 0 and the decimal
// exponent of the first digit (x = d.ddd * 10**exponent).
func exactDigits(x *big.Float) (string, int) {
	mant := new(big.Float)
	e := x.MantExp(mant) // x = mant * 2**e, mant in [0.5, 1)
	prec := int(x.MinPrec())
	// x = M * 2**(e-prec) with M an integer of prec bits.
	mant.SetMantExp(mant, prec)
	m, _ := mant.Int(nil)
	shift := e - prec
	if shift >= 0 {
		m.Lsh(m, uint(shift))
		s := m.String()
		return s, len(s) - 1
	}
	m.Mul(m, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(-shift)), nil))
	s := m.String()
	return s, len(s) - 1 + shift
}

// roundHalfUpDigits keeps n digits, rounding up when the next digit is 5
// or more.
func roundHalfUpDigits(digits string, exponent, n int) (string, int) {
	if len(digits) <= n {
		return digits + strings.Repeat("0", n-len(digits)), exponent
	}
	up := digits[n] >= '5'
	digits = digits[:n]
	if !up {
		return digits, exponent
	}
	b := []byte(digits)
	i := n - 1
	for i >= 0 && b[i] == '9' {
		b[i] = '0'
		i--
	}
	if i < 0 {
		return "1" + strings.Repeat("0", n-1), exponent + 1
	}
	b[i]++
	return string(b), exponent
}
