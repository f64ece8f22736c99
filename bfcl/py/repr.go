package py

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// FloatRepr is Python's repr(float): the shortest string that round-trips,
// plain decimal when 1e-4 <= |x| < 1e16 (with ".0" when integral), else
// exponent form with a sign and at least two exponent digits.
func FloatRepr(x float64) string {
	var buf [32]byte
	return string(appendFloatRepr(buf[:0], x))
}

// writeFloatRepr writes repr(x) to b without allocating.
func writeFloatRepr(b *outBuf, x float64) {
	b.b = appendFloatRepr(b.b, x)
}

// appendFloatRepr appends repr(x) to dst. In the plain-decimal range the
// shortest round-trip digits laid out without exponent are what
// strconv's 'f' format with precision -1 gives; Python adds ".0" to an
// integral value.
func appendFloatRepr(dst []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "nan"...)
	case math.IsInf(x, 1):
		return append(dst, "inf"...)
	case math.IsInf(x, -1):
		return append(dst, "-inf"...)
	}
	if x == 0 {
		if math.Signbit(x) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if out, ok := appendCents(dst, x); ok {
		return out
	}
	bits := math.Float64bits(x)
	slot := &floatCache[(bits*0x9e3779b97f4a7c15)>>(64-floatCacheBits)]
	if e := slot.Load(); e != nil && e.bits == bits {
		return append(dst, e.text[:e.n]...)
	}
	start := len(dst)
	if a := math.Abs(x); a >= 1e-4 && a < 1e16 {
		dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
		if bytes.IndexByte(dst[start:], '.') < 0 {
			dst = append(dst, ".0"...)
		}
	} else {
		dst = append(dst, floatReprExp(x)...)
	}
	e := &floatCacheEntry{bits: bits}
	e.n = uint8(copy(e.text[:], dst[start:]))
	slot.Store(e)
	return dst
}

// centsLimit bounds the magnitudes appendCents takes: below it a float's
// round-trip interval (under 2^-9 wide) cannot hold two decimals with at
// most two fraction digits, so a two-digit decimal that round-trips is
// the shortest repr.
const centsLimit = 1e12

// appendCents appends repr(x) when x is the double nearest to a decimal
// with at most two fraction digits (prices, amounts, averages: most floats
// the backends render), without the shortest-digit search; ok is false
// for any other x. fl(r/100) is the double nearest to the decimal r/100
// (the division is correctly rounded), so comparing it with x proves the
// decimal round-trips.
func appendCents(dst []byte, x float64) ([]byte, bool) {
	a := math.Abs(x)
	if a < 0.01 || a >= centsLimit {
		return dst, false
	}
	r := math.Round(a * 100)
	if r/100 != a {
		return dst, false
	}
	n := int64(r)
	if x < 0 {
		dst = append(dst, '-')
	}
	dst = strconv.AppendInt(dst, n/100, 10)
	switch frac := n % 100; {
	case frac == 0:
		dst = append(dst, '.', '0')
	case frac%10 == 0:
		dst = append(dst, '.', byte('0'+frac/10))
	default:
		dst = append(dst, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return dst, true
}

// floatCache remembers the repr of recently rendered floats, one per slot
// by a hash of the bits: the backends render the same prices and
// constants over and over. Slots are replaced whole, so concurrent
// renderings never see a torn entry.
var floatCache [1 << floatCacheBits]atomic.Pointer[floatCacheEntry]

const floatCacheBits = 12

// floatCacheEntry is one cached repr; the longest repr of a float64 has
// 24 bytes ("-2.2250738585072014e-308").
type floatCacheEntry struct {
	bits uint64
	n    uint8
	text [24]byte
}

// floatReprExp is repr(x) for a finite non-zero x outside the plain
// decimal range: the shortest digits in exponent form.
func floatReprExp(x float64) string {
	// Shortest digits and decimal exponent from the 'e' format.
	e := strconv.FormatFloat(x, 'e', -1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	m := digits[:1]
	if len(digits) > 1 {
		m += "." + digits[1:]
	}
	sign := "+"
	if exp < 0 {
		sign = "-"
		exp = -exp
	}
	out := fmt.Sprintf("%se%s%02d", m, sign, exp)
	if neg {
		return "-" + out
	}
	return out
}

// StrRepr is Python's repr(str).
func StrRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Not valid UTF-8: show the byte as a surrogate escape.
			fmt.Fprintf(&b, "\\udc%02x", s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r < 0x7f:
			b.WriteRune(r)
		case isPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r <= 0xffff:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// writeStrRepr writes StrRepr(s); printable ASCII without backslashes is
// written between its quotes without building a string first.
func writeStrRepr(b *outBuf, s string) {
	hasSingle, hasDouble := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f || c == '\\':
			b.WriteString(StrRepr(s))
			return
		case c == '\'':
			hasSingle = true
		case c == '"':
			hasDouble = true
		}
	}
	quote := byte('\'')
	switch {
	case hasSingle && hasDouble:
		b.WriteString(StrRepr(s))
		return
	case hasSingle:
		quote = '"'
	}
	b.WriteByte(quote)
	b.writeText(s)
	b.WriteByte(quote)
}

// isPrintable approximates str.isprintable for one code point: not in the
// categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted).
func isPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	return unicode.IsPrint(r) && !unicode.Is(newIn15NotPrintable, r)
}

// Repr is Python's repr(v).
func Repr(v Value) string {
	b := getBuf()
	var stack [16]uintptr
	writeRepr(b, v, stack[:0])
	return b.release()
}

// StrOf is Python's str(v): a str is itself, other values as repr unless
// they implement PyStr.
func StrOf(v Value) string {
	switch x := v.(type) {
	case Str:
		return string(x)
	case PyStr:
		return x.PyStr()
	}
	return Repr(v)
}

func writeRepr(b *outBuf, v Value, stack []uintptr) {
	if id := identity(v); id != 0 {
		for _, s := range stack {
			if s == id {
				writeCycle(b, v)
				return
			}
		}
		stack = append(stack, id)
	}
	if writeAtom(b, v, pythonAtoms) {
		return
	}
	switch x := v.(type) {
	case Float:
		writeFloatRepr(b, float64(x))
	case Str:
		writeStrRepr(b, string(x))
	case EllipsisType:
		b.WriteString("Ellipsis")
	case *List:
		if f := frozenOf(x); f != nil {
			b.writeText(f.reprText())
			return
		}
		b.WriteByte('[')
		writeItems(b, x.Items, stack)
		b.WriteByte(']')
	case Tuple:
		b.WriteByte('(')
		writeItems(b, x, stack)
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *Dict:
		b.WriteByte('{')
		for i := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x.keys[i], stack)
			b.WriteString(": ")
			writeRepr(b, x.vals[i], stack)
		}
		b.WriteByte('}')
	case *Set:
		if x.Len() == 0 {
			b.WriteString("set()")
			return
		}
		b.WriteByte('{')
		writeItems(b, x.Items(), stack)
		b.WriteByte('}')
	case Ref:
		b.WriteString(string(x))
	case Reprer:
		b.WriteString(x.Repr())
	default:
		fmt.Fprintf(b, "<%s object>", v.TypeName())
	}
}

func writeCycle(b *outBuf, v Value) {
	switch v.(type) {
	case *Dict:
		b.WriteString("{...}")
	case *List:
		b.WriteString("[...]")
	default:
		b.WriteString("...")
	}
}

func writeItems(b *outBuf, items []Value, stack []uintptr) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, it, stack)
	}
}

// atomWords spell None, True and False in one output form.
type atomWords struct{ none, true, false string }

var (
	pythonAtoms = atomWords{"None", "True", "False"}
	jsonAtoms   = atomWords{"null", "true", "false"}
)

// writeAtom writes None, a bool or an integer in the given spelling and
// reports whether v was one of them.
func writeAtom(b *outBuf, v Value, w atomWords) bool {
	switch x := v.(type) {
	case nil, NoneType:
		b.WriteString(w.none)
	case Bool:
		if x {
			b.WriteString(w.true)
		} else {
			b.WriteString(w.false)
		}
	case Int:
		b.b = strconv.AppendInt(b.b, int64(x), 10)
	case BigInt:
		b.WriteString(x.V.String())
	default:
		return false
	}
	return true
}
