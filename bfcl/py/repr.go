package py

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FloatRepr is Python's repr(float): the shortest string that round-trips,
// plain decimal when 1e-4 <= |x| < 1e16 (with ".0" when integral), else
// exponent form with a sign and at least two exponent digits.
func FloatRepr(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	if x == 0 {
		if math.Signbit(x) {
			return "-0.0"
		}
		return "0.0"
	}
	// Shortest digits and decimal exponent from the 'e' format.
	e := strconv.FormatFloat(x, 'e', -1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp >= -4 && exp < 16 {
		// decimal point position: after exp+1 digits
		point := exp + 1
		switch {
		case point <= 0:
			out = "0." + strings.Repeat("0", -point) + digits
		case point >= len(digits):
			out = digits + strings.Repeat("0", point-len(digits)) + ".0"
		default:
			out = digits[:point] + "." + digits[point:]
		}
	} else {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
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
	var b strings.Builder
	writeRepr(&b, v, nil)
	return b.String()
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

func writeRepr(b *strings.Builder, v Value, stack []uintptr) {
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
		b.WriteString(FloatRepr(float64(x)))
	case Str:
		b.WriteString(StrRepr(string(x)))
	case EllipsisType:
		b.WriteString("Ellipsis")
	case *List:
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

func writeCycle(b *strings.Builder, v Value) {
	switch v.(type) {
	case *Dict:
		b.WriteString("{...}")
	case *List:
		b.WriteString("[...]")
	default:
		b.WriteString("...")
	}
}

func writeItems(b *strings.Builder, items []Value, stack []uintptr) {
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
func writeAtom(b *strings.Builder, v Value, w atomWords) bool {
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
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case BigInt:
		b.WriteString(x.V.String())
	default:
		return false
	}
	return true
}
