package py

import (
	"fmt"
	"math"
	"strings"
)

// Bytes is a Python bytes value (the literal b'...'); the Go string holds
// the raw bytes.
type Bytes string

// Complex is a Python complex number (the literal 2j).
type Complex complex128

// TypeName implements Value.
func (Bytes) TypeName() string { return "bytes" }

// TypeName implements Value.
func (Complex) TypeName() string { return "complex" }

// Repr is Python's repr(bytes): b'...' with the quote str's repr would
// choose, printable ASCII as is and other bytes escaped.
func (b Bytes) Repr() string {
	s := string(b)
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, "\\x%02x", c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// PyEq implements Equaler: bytes equal bytes only.
func (b Bytes) PyEq(other Value) bool {
	o, ok := other.(Bytes)
	return ok && o == b
}

// Repr is Python's repr(complex): "2j" when the real part is +0, else
// "(re+imj)", each part written like a float repr without a ".0" suffix.
func (c Complex) Repr() string {
	re, im := real(c), imag(c)
	if re == 0 && !math.Signbit(re) {
		return complexPart(im) + "j"
	}
	sign := "+"
	if math.Signbit(im) && !math.IsNaN(im) {
		sign = ""
	}
	return "(" + complexPart(re) + sign + complexPart(im) + "j)"
}

func complexPart(x float64) string {
	return strings.TrimSuffix(FloatRepr(x), ".0")
}

// PyEq implements Equaler: a complex equals a number when its imaginary
// part is zero and its real part equals the number.
func (c Complex) PyEq(other Value) bool {
	switch o := other.(type) {
	case Complex:
		return o == c
	case Bool, Int, BigInt, Float:
		return imag(c) == 0 && numCompare(Float(real(c)), o) == 0
	}
	return false
}
