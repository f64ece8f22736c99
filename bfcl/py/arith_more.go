package py

import (
	"math"
	"math/big"
)

// BinaryOp is Python's a op b for the binary operators + - * / // % **
// << >> & | ^ @ on the built-in types: numbers (complex included), str %
// formatting, sequence concatenation and repetition, dict and set union.
func BinaryOp(op string, a, b Value) (Value, error) {
	if isComplexPair(a, b) {
		return complexOp(op, a, b)
	}
	switch op {
	case "+":
		return Add(a, b)
	case "-":
		return Sub(a, b)
	case "*":
		return Mul(a, b)
	case "/":
		return TrueDiv(a, b)
	case "//":
		return FloorDiv(a, b)
	case "%":
		return Mod(a, b)
	case "**":
		return Pow(a, b)
	case "<<", ">>":
		return Shift(op, a, b)
	case "&", "|", "^":
		return Bitwise(op, a, b)
	}
	return nil, unsupported(op, a, b)
}

func isComplexPair(a, b Value) bool {
	_, ac := a.(Complex)
	_, bc := b.(Complex)
	return (ac || bc) && (ac || IsNumber(a)) && (bc || IsNumber(b))
}

func asComplex(v Value) complex128 {
	if c, ok := v.(Complex); ok {
		return complex128(c)
	}
	f, _ := AsFloat(v)
	return complex(f, 0)
}

func complexOp(op string, a, b Value) (Value, error) {
	x, y := asComplex(a), asComplex(b)
	switch op {
	case "+":
		return Complex(x + y), nil
	case "-":
		return Complex(x - y), nil
	case "*":
		return Complex(x * y), nil
	case "/":
		if y == 0 {
			return nil, Errorf("ZeroDivisionError", "complex division by zero")
		}
		return Complex(x / y), nil
	case "**":
		if x == 0 && (real(y) < 0 || imag(y) != 0) {
			return nil, Errorf("ZeroDivisionError", "0.0 to a negative or complex power")
		}
		return Complex(complexPow(x, y)), nil
	}
	return nil, unsupported(op, a, b)
}

// divmodInts is Python's floor division and modulo of two ints.
func divmodInts(a, b Value) (q, m *big.Int) {
	x, _ := bigOf(a)
	y, _ := bigOf(b)
	q, m = new(big.Int).QuoRem(x, y, new(big.Int))
	if m.Sign() != 0 && (m.Sign() < 0) != (y.Sign() < 0) {
		q.Sub(q, big.NewInt(1))
		m.Add(m, y)
	}
	return q, m
}

// divmodFloats is CPython's float floor division and modulo.
func divmodFloats(x, y float64) (div, mod float64) {
	mod = math.Mod(x, y)
	div = (x - mod) / y
	if mod != 0 {
		if (y < 0) != (mod < 0) {
			mod += y
			div -= 1
		}
	} else {
		mod = math.Copysign(0, y)
	}
	if div != 0 {
		floor := math.Floor(div)
		if div-floor > 0.5 {
			floor++
		}
		div = floor
	} else {
		div = math.Copysign(0, x/y)
	}
	return div, mod
}

// numberPair returns both operands as floats when either is a float, or
// reports ints (ok false when either is not a number).
func numberPair(a, b Value) (x, y float64, floats, ok bool) {
	if !IsNumber(a) || !IsNumber(b) {
		return 0, 0, false, false
	}
	_, af := a.(Float)
	_, bf := b.(Float)
	if !af && !bf {
		return 0, 0, false, true
	}
	x, ok1 := AsFloat(a)
	y, ok2 := AsFloat(b)
	return x, y, true, ok1 && ok2
}

// FloorDiv is a // b.
func FloorDiv(a, b Value) (Value, error) {
	div, _, err := floorDivMod(a, b, "//", "float floor division by zero", "integer division or modulo by zero")
	return div, err
}

// Mod is a % b: the modulo of numbers, or printf-style formatting of a str.
func Mod(a, b Value) (Value, error) {
	if s, ok := a.(Str); ok {
		out, err := PercentFormat(string(s), b)
		if err != nil {
			return nil, err
		}
		return Str(out), nil
	}
	_, mod, err := floorDivMod(a, b, "%", "float modulo", "integer modulo by zero")
	return mod, err
}

// floorDivMod is a // b and a % b of two numbers, with CPython's errors
// for the operator op: floatZero and intZero are its messages for a zero
// divisor.
func floorDivMod(a, b Value, op, floatZero, intZero string) (div, mod Value, err error) {
	x, y, floats, ok := numberPair(a, b)
	switch {
	case !ok && IsNumber(a) && IsNumber(b):
		return nil, nil, Errorf("OverflowError", "int too large to convert to float")
	case !ok:
		return nil, nil, unsupported(op, a, b)
	case floats:
		if y == 0 {
			return nil, nil, Errorf("ZeroDivisionError", "%s", floatZero)
		}
		d, m := divmodFloats(x, y)
		return Float(d), Float(m), nil
	}
	if isZero(b) {
		return nil, nil, Errorf("ZeroDivisionError", "%s", intZero)
	}
	q, m := divmodInts(a, b)
	return MakeInt(q), MakeInt(m), nil
}

// maxPowBits bounds the size of an int power; larger results are a
// MemoryError here.
const maxPowBits = 1 << 24

// Pow is a ** b.
func Pow(a, b Value) (Value, error) {
	x, y, floats, ok := numberPair(a, b)
	switch {
	case !ok && IsNumber(a) && IsNumber(b):
		return nil, Errorf("OverflowError", "int too large to convert to float")
	case !ok:
		return nil, TypeErrorf("unsupported operand type(s) for ** or pow(): '%s' and '%s'", a.TypeName(), b.TypeName())
	case floats:
		return floatPow(x, y)
	}
	base, _ := bigOf(a)
	exp, _ := bigOf(b)
	if exp.Sign() < 0 {
		fx, ok1 := AsFloat(a)
		fy, ok2 := AsFloat(b)
		if !ok1 || !ok2 {
			return nil, Errorf("OverflowError", "int too large to convert to float")
		}
		return floatPow(fx, fy)
	}
	if base.BitLen() > 1 && (!exp.IsInt64() || int64(base.BitLen())*exp.Int64() > maxPowBits) {
		return nil, Errorf("MemoryError", "")
	}
	return MakeInt(new(big.Int).Exp(base, exp, nil)), nil
}

// floatPow is CPython's float ** float: a negative base with a fractional
// exponent gives a complex number.
func floatPow(x, y float64) (Value, error) {
	if x == 0 && y < 0 {
		return nil, Errorf("ZeroDivisionError", "0.0 cannot be raised to a negative power")
	}
	if x < 0 && y != math.Trunc(y) && !math.IsInf(y, 0) && !math.IsNaN(y) {
		return Complex(complexPow(complex(x, 0), complex(y, 0))), nil
	}
	r := math.Pow(x, y)
	if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
		return nil, Errorf("OverflowError", "(34, 'Numerical result out of range')")
	}
	return Float(r), nil
}

// isIntegral reports ints and bools.
func isIntegral(v Value) bool {
	_, isBool := v.(Bool)
	return IsInt(v) || isBool
}

// Shift is a << b or a >> b on ints.
func Shift(op string, a, b Value) (Value, error) {
	if !isIntegral(a) || !isIntegral(b) {
		return nil, unsupported(op, a, b)
	}
	x, _ := bigOf(a)
	n, _ := bigOf(b)
	if n.Sign() < 0 {
		return nil, ValueErrorf("negative shift count")
	}
	if op == ">>" {
		if !n.IsInt64() {
			if x.Sign() < 0 {
				return Int(-1), nil
			}
			return Int(0), nil
		}
		return MakeInt(new(big.Int).Rsh(x, uint(n.Int64()))), nil
	}
	if x.Sign() == 0 {
		return Int(0), nil
	}
	if !n.IsInt64() || n.Int64() > maxPowBits {
		return nil, Errorf("MemoryError", "")
	}
	return MakeInt(new(big.Int).Lsh(x, uint(n.Int64()))), nil
}

// Bitwise is a & b, a | b or a ^ b: on ints (bool with bool stays bool),
// sets, and dict | dict.
func Bitwise(op string, a, b Value) (Value, error) {
	if ab, ok := a.(Bool); ok {
		if bb, ok := b.(Bool); ok {
			switch op {
			case "&":
				return ab && bb, nil
			case "|":
				return ab || bb, nil
			}
			return Bool(ab != bb), nil
		}
	}
	if isIntegral(a) && isIntegral(b) {
		x, _ := bigOf(a)
		y, _ := bigOf(b)
		r := new(big.Int)
		switch op {
		case "&":
			r.And(x, y)
		case "|":
			r.Or(x, y)
		default:
			r.Xor(x, y)
		}
		return MakeInt(r), nil
	}
	if x, ok := a.(*Dict); ok && op == "|" {
		if y, ok := b.(*Dict); ok {
			out := x.Copy()
			for i := 0; i < y.Len(); i++ {
				if err := out.Set(y.KeyAt(i), y.ValueAt(i)); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
	}
	if x, ok := a.(*Set); ok {
		if y, ok := b.(*Set); ok {
			return setOp(op, x, y)
		}
	}
	return nil, unsupported(op, a, b)
}

func setOp(op string, x, y *Set) (Value, error) {
	out, _ := NewSet()
	add := func(v Value) { _ = out.Add(v) }
	for _, it := range x.Items() {
		inY, _ := y.Has(it)
		if op == "|" || op == "&" && inY || op == "^" && !inY {
			add(it)
		}
	}
	if op != "&" {
		for _, it := range y.Items() {
			inX, _ := x.Has(it)
			if op == "|" || !inX {
				add(it)
			}
		}
	}
	return out, nil
}

// complexPow is CPython's complex power: repeated squaring for small
// integral exponents, else the polar form (whose cos and sin may differ
// from the C library's in the last bit).
func complexPow(a, b complex128) complex128 {
	if imag(b) == 0 && real(b) == math.Trunc(real(b)) && math.Abs(real(b)) <= 100 {
		n := int(real(b))
		if n < 0 {
			return 1 / complexPowU(a, -n)
		}
		return complexPowU(a, n)
	}
	if b == 0 {
		return 1
	}
	if a == 0 {
		return 0
	}
	vabs := math.Hypot(real(a), imag(a))
	length := math.Pow(vabs, real(b))
	at := math.Atan2(imag(a), real(a))
	phase := at * real(b)
	if imag(b) != 0 {
		length /= math.Exp(at * imag(b))
		phase += imag(b) * math.Log(vabs)
	}
	return complex(length*math.Cos(phase), length*math.Sin(phase))
}

func complexPowU(x complex128, n int) complex128 {
	r, p := complex128(1), x
	for mask := 1; mask > 0 && n >= mask; mask <<= 1 {
		if n&mask != 0 {
			r *= p
		}
		p *= p
	}
	return r
}
