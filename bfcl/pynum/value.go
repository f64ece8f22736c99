package pynum

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"github.com/seeupo/seeupo/bfcl/py"
)

// ToFloat is Python's float(v) for the value types the backends see:
// numbers convert, strings are parsed as CPython does (surrounding
// whitespace, underscores between digits, inf/nan spellings), anything else
// is CPython's TypeError.
func ToFloat(v py.Value) (py.Value, error) {
	switch x := v.(type) {
	case py.Float:
		return x, nil
	case py.Int, py.Bool, py.BigInt:
		f, ok := py.AsFloat(x)
		if !ok {
			return nil, py.Errorf("OverflowError", "int too large to convert to float")
		}
		return py.Float(f), nil
	case py.Str:
		f, ok := parseFloatLiteral(string(x))
		if !ok {
			return nil, py.ValueErrorf("could not convert string to float: %s", py.StrRepr(string(x)))
		}
		return py.Float(f), nil
	}
	return nil, py.TypeErrorf("float() argument must be a string or a real number, not '%s'", typeName(v))
}

func typeName(v py.Value) string {
	if v == nil {
		return "NoneType"
	}
	return v.TypeName()
}

// decimalsToASCII rewrites a numeric string the way int() and float() see
// it: other Unicode decimal digits become their ASCII digit, other Unicode
// white space a space; any other non-ASCII character stays (and makes the
// parse fail).
func decimalsToASCII(s string) string {
	if isASCIIString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case py.IsSpace(r):
			b.WriteByte(' ')
		default:
			if d, ok := decimalValue(r); ok {
				b.WriteByte(byte('0' + d))
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// decimalValue is the digit value of a Unicode decimal digit (category
// Nd, whose characters come in runs from 0 to 9).
func decimalValue(r rune) (int, bool) {
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

// stripPySpace trims the characters str.strip() removes by default.
func stripPySpace(s string) string {
	return strings.TrimFunc(s, py.IsSpace)
}

// removeDigitUnderscores drops underscores that sit between two digits, as
// Python's numeric literals allow; it reports false for any other
// underscore.
func removeDigitUnderscores(s string) (string, bool) {
	if !strings.Contains(s, "_") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			if i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				return "", false
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseFloatLiteral(s string) (float64, bool) {
	t := stripPySpace(decimalsToASCII(s))
	t, ok := removeDigitUnderscores(t)
	if !ok || t == "" {
		return 0, false
	}
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	// Only decimal literals: digits, one dot, an optional exponent.
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // Python gives inf or 0.0 too
		}
		return 0, false
	}
	return f, true
}

// ToInt is Python's int(v): floats truncate toward zero, strings are parsed
// in base 10, bools become 0 or 1.
func ToInt(v py.Value) (py.Value, error) {
	switch x := v.(type) {
	case py.Int, py.BigInt:
		return x, nil
	case py.Bool:
		if x {
			return py.Int(1), nil
		}
		return py.Int(0), nil
	case py.Float:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			return nil, py.ValueErrorf("cannot convert float NaN to integer")
		case math.IsInf(f, 0):
			return nil, py.Errorf("OverflowError", "cannot convert float infinity to integer")
		}
		b, _ := new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
		return py.MakeInt(b), nil
	case py.Str:
		t, ok := removeDigitUnderscores(stripPySpace(decimalsToASCII(string(x))))
		body := strings.TrimLeft(t, "+-")
		if ok && body != "" && len(t)-len(body) <= 1 && allDigits(body) {
			b, ok := new(big.Int).SetString(t, 10)
			if ok {
				return py.MakeInt(b), nil
			}
		}
		return nil, py.ValueErrorf("invalid literal for int() with base 10: %s", py.StrRepr(string(x)))
	}
	return nil, py.TypeErrorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", typeName(v))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// IsDigitStr is str.isdigit() for the ASCII digits and the other Unicode
// decimal digits (a non-empty string of digits only).
func IsDigitStr(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Iter returns the items a for loop over v visits: the characters of a
// str, the items of a list, tuple or set, the keys of a dict.
func Iter(v py.Value) ([]py.Value, error) {
	switch x := v.(type) {
	case py.Str:
		out := make([]py.Value, 0, len(x))
		for _, r := range string(x) {
			out = append(out, py.Str(string(r)))
		}
		return out, nil
	case *py.List:
		return append([]py.Value(nil), x.Items...), nil
	case py.Tuple:
		return append([]py.Value(nil), x...), nil
	case *py.Dict:
		return x.Keys(), nil
	case *py.Set:
		return x.Items(), nil
	}
	return nil, py.TypeErrorf("'%s' object is not iterable", typeName(v))
}

// Abs is Python's abs(v).
func Abs(v py.Value) (py.Value, error) {
	switch x := v.(type) {
	case py.Float:
		return py.Float(math.Abs(float64(x))), nil
	case py.Int, py.BigInt, py.Bool:
		b, _ := bigOf(x)
		return py.MakeInt(new(big.Int).Abs(b)), nil
	}
	return nil, py.TypeErrorf("bad operand type for abs(): '%s'", typeName(v))
}

// bigOf returns the integer value of an int or bool.
func bigOf(v py.Value) (*big.Int, bool) {
	switch x := v.(type) {
	case py.Int:
		return big.NewInt(int64(x)), true
	case py.BigInt:
		return x.V, true
	case py.Bool:
		if x {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	}
	return nil, false
}

// Mod is Python's a % b for numbers: the result has the sign of b.
func Mod(a, b py.Value) (py.Value, error) {
	if !py.IsNumber(a) || !py.IsNumber(b) {
		return nil, py.TypeErrorf("unsupported operand type(s) for %%: '%s' and '%s'", typeName(a), typeName(b))
	}
	_, aF := a.(py.Float)
	_, bF := b.(py.Float)
	if !aF && !bF {
		x, _ := bigOf(a)
		y, _ := bigOf(b)
		if y.Sign() == 0 {
			return nil, py.Errorf("ZeroDivisionError", "integer modulo by zero")
		}
		m := new(big.Int).Mod(x, y) // Euclidean: 0 <= m < |y|
		if m.Sign() != 0 && y.Sign() < 0 {
			m.Add(m, y)
		}
		return py.MakeInt(m), nil
	}
	x, ok1 := py.AsFloat(a)
	y, ok2 := py.AsFloat(b)
	if !ok1 || !ok2 {
		return nil, py.Errorf("OverflowError", "int too large to convert to float")
	}
	if y == 0 {
		return nil, py.Errorf("ZeroDivisionError", "float modulo")
	}
	m := math.Mod(x, y)
	if m != 0 {
		if (y < 0) != (m < 0) {
			m += y
		}
	} else {
		m = math.Copysign(0, y)
	}
	return py.Float(m), nil
}

// RoundValue is Python's round(number, ndigits); ndigits nil or None means
// round(number), which returns an int.
func RoundValue(number, ndigits py.Value) (py.Value, error) {
	if f, ok := number.(py.Float); ok {
		if py.IsNone(ndigits) {
			return roundToInt(float64(f))
		}
		n, err := indexOf(ndigits)
		if err != nil {
			return nil, err
		}
		return py.Float(Round(float64(f), n)), nil
	}
	b, ok := bigOf(number)
	if !ok {
		return nil, py.TypeErrorf("type %s doesn't define __round__ method", typeName(number))
	}
	if py.IsNone(ndigits) {
		return py.MakeInt(b), nil
	}
	n, err := indexOf(ndigits)
	if err != nil {
		return nil, err
	}
	if n >= 0 {
		return py.MakeInt(b), nil
	}
	scale := pow10(-n)
	r := roundHalfEven(new(big.Rat).SetFrac(b, scale))
	return py.MakeInt(r.Mul(r, scale)), nil
}

func roundToInt(f float64) (py.Value, error) {
	switch {
	case math.IsNaN(f):
		return nil, py.ValueErrorf("cannot convert float NaN to integer")
	case math.IsInf(f, 0):
		return nil, py.Errorf("OverflowError", "cannot convert float infinity to integer")
	}
	return py.MakeInt(roundHalfEven(new(big.Rat).SetFloat64(f))), nil
}

// indexOf converts an int-like ndigits argument (operator.index).
func indexOf(v py.Value) (int, error) {
	switch x := v.(type) {
	case py.Int:
		return int(max(min(int64(x), 1<<30), -(1 << 30))), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case py.BigInt:
		if x.V.Sign() > 0 {
			return 1 << 30, nil
		}
		return -(1 << 30), nil
	}
	return 0, py.TypeErrorf("'%s' object cannot be interpreted as an integer", typeName(v))
}

// FormatSpecFixed is format(v, ".{prec}f") for a value: ints and bools
// are formatted as floats, other types give CPython's errors.
func FormatSpecFixed(v py.Value, prec int) (string, error) {
	switch x := v.(type) {
	case py.Float:
		return FormatFixed(float64(x), prec), nil
	case py.Int, py.Bool, py.BigInt:
		b, _ := bigOf(x)
		digits := b.String()
		if prec > 0 {
			digits += "." + strings.Repeat("0", prec)
		}
		return digits, nil
	case py.Str:
		return "", py.ValueErrorf("Unknown format code 'f' for object of type 'str'")
	}
	return "", py.TypeErrorf("unsupported format string passed to %s.__format__", typeName(v))
}
