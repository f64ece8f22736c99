package py

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// The plain-decimal boundaries of repr(float); the expected strings were
// printed by CPython 3.11.
func TestFloatReprBoundaries(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{math.Nextafter(1e16, 0), "9999999999999998.0"},
		{math.Nextafter(1e-4, 0), "9.999999999999999e-05"},
		{math.Nextafter(1e-4, 1), "0.00010000000000000002"},
		{1e15 + 0.5, "1000000000000000.5"}, {1e15, "1000000000000000.0"},
		{math.Copysign(0, -1), "-0.0"}, {123.0, "123.0"}, {220.34, "220.34"}, {2.5e-4, "0.00025"},
		{-9007199254740992.0, "-9007199254740992.0"}, {0x1.3333333333334p-2, "0.30000000000000004"},
		{0x1.3a92a30553262p-12, "0.00030000000000000003"}, {math.NaN(), "nan"}, {math.Inf(-1), "-inf"},
	}
	for _, c := range cases {
		if got := FloatRepr(c.in); got != c.want {
			t.Errorf("FloatRepr(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// exponentLayout lays out the shortest digits of x (strconv's 'e' format)
// by Python's rule from the decimal exponent: plain decimal when
// -4 <= exp < 16, else exponent form. It is an independent derivation of
// repr(x) for finite non-zero x.
func exponentLayout(x float64) string {
	e := strconv.FormatFloat(x, 'e', -1, 64)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	point := exp + 1
	switch {
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits)) + ".0"
	}
	return sign + digits[:point] + "." + digits[point:]
}

// FloatRepr agrees with the layout by decimal exponent on random bit
// patterns, on prices with two decimals and around the range boundaries.
func TestFloatReprMatchesExponentLayout(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var xs []float64
	for i := 0; i < 50000; i++ {
		xs = append(xs, math.Float64frombits(r.Uint64()))
		xs = append(xs, float64(r.Intn(1000000))/100)
		xs = append(xs, r.Float64()*math.Pow(10, float64(r.Intn(40)-20)))
	}
	for _, b := range []float64{1e-4, 1e16, 1e-5, 1e15} {
		x := b
		for i := 0; i < 50; i++ {
			xs = append(xs, x, -x)
			x = math.Nextafter(x, 0)
		}
		x = b
		for i := 0; i < 50; i++ {
			xs = append(xs, x, -x)
			x = math.Nextafter(x, math.Inf(1))
		}
	}
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
			continue
		}
		if got, want := FloatRepr(x), exponentLayout(x); got != want {
			t.Fatalf("FloatRepr(%b) = %q, want %q", x, got, want)
		}
	}
}

// The two-decimal fast path agrees with the shortest-digit layout on
// every cent value up to 20,000, on random cent values up to the limit,
// and on their neighbours one and two ulps away (which must fall back).
func TestFloatReprCents(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	check := func(x float64) {
		t.Helper()
		for _, y := range []float64{x, -x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)),
			math.Nextafter(math.Nextafter(x, 0), 0)} {
			if y == 0 {
				continue
			}
			if got, want := FloatRepr(y), exponentLayout(y); got != want {
				t.Fatalf("FloatRepr(%b) = %q, want %q", y, got, want)
			}
		}
	}
	for n := 1; n <= 2_000_000; n++ {
		check(float64(n) / 100)
	}
	for i := 0; i < 200_000; i++ {
		check(float64(r.Int63n(int64(centsLimit*100))) / 100)
		check(float64(int64(centsLimit*100)-1-r.Int63n(1000)) / 100)
	}
	a, b := 0.1, 0.2
	if got, ok := appendCents(nil, a+b); ok {
		t.Errorf("0.1+0.2 (0.30000000000000004) taken as a cent value: %q", got)
	}
	if got, ok := appendCents(nil, 234.34); !ok || string(got) != "234.34" {
		t.Errorf("appendCents(234.34) = %q, %v", got, ok)
	}
}
