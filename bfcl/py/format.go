package py

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// PercentFormat is Python's printf-style str formatting, format % args:
// conversions s r a d i u x X o e E f F g G c and %%, with mapping keys,
// the flags - + space # 0, width and precision (numbers or *).
func PercentFormat(format string, args Value) (string, error) {
	f := &percentFormatter{args: []Value{args}}
	switch a := args.(type) {
	case Tuple:
		f.args = a
	case *Dict, *List:
		f.mapping = args
	}
	var b strings.Builder
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			b.WriteRune(rs[i])
			continue
		}
		n, err := f.spec(&b, rs, i+1)
		if err != nil {
			return "", err
		}
		i = n
	}
	if f.next < len(f.args) && f.mapping == nil && !f.usedKey {
		return "", TypeErrorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

type percentFormatter struct {
	args    []Value
	next    int
	mapping Value // a dict or list argument: no "not all converted" error
	usedKey bool
}

func (f *percentFormatter) take() (Value, error) {
	if f.next >= len(f.args) {
		return nil, TypeErrorf("not enough arguments for format string")
	}
	f.next++
	return f.args[f.next-1], nil
}

type percentSpec struct {
	minus, plus, space, alt, zero bool
	width, prec                   int
	conv                          rune
}

// spec formats one conversion starting after its '%' at rs[i]; it returns
// the index of the conversion character.
func (f *percentFormatter) spec(b *strings.Builder, rs []rune, i int) (int, error) {
	var arg Value
	if i < len(rs) && rs[i] == '(' {
		end := i + 1
		for depth := 1; end < len(rs) && depth > 0; end++ {
			switch rs[end] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		d, ok := f.mapping.(*Dict)
		if !ok {
			return 0, TypeErrorf("format requires a mapping")
		}
		v, err := d.Item(Str(string(rs[i+1 : end-1])))
		if err != nil {
			return 0, err
		}
		arg, f.usedKey, i = v, true, end
	}
	s := percentSpec{prec: -1}
	for ; i < len(rs) && strings.ContainsRune("-+ #0", rs[i]); i++ {
		switch rs[i] {
		case '-':
			s.minus = true
		case '+':
			s.plus = true
		case ' ':
			s.space = true
		case '#':
			s.alt = true
		case '0':
			s.zero = true
		}
	}
	var err error
	if s.width, i, err = f.number(rs, i); err != nil {
		return 0, err
	}
	if s.width < 0 {
		s.minus, s.width = true, -s.width
	}
	if i < len(rs) && rs[i] == '.' {
		if s.prec, i, err = f.number(rs, i+1); err != nil {
			return 0, err
		}
	}
	for i < len(rs) && strings.ContainsRune("hlL", rs[i]) {
		i++
	}
	if i >= len(rs) {
		return 0, ValueErrorf("incomplete format")
	}
	s.conv = rs[i]
	if s.conv == '%' {
		b.WriteByte('%')
		return i, nil
	}
	if arg == nil {
		if arg, err = f.take(); err != nil {
			return 0, err
		}
	}
	text, err := s.format(arg)
	if err != nil {
		return 0, err
	}
	b.WriteString(text)
	return i, nil
}

// number reads a width or precision: digits, or * taken from the args.
func (f *percentFormatter) number(rs []rune, i int) (int, int, error) {
	if i < len(rs) && rs[i] == '*' {
		v, err := f.take()
		if err != nil {
			return 0, 0, err
		}
		n, ok := v.(Int)
		if !ok {
			return 0, 0, TypeErrorf("* wants int")
		}
		if n > maxFormatWidth || n < -maxFormatWidth {
			return 0, 0, Errorf("MemoryError", "")
		}
		return int(n), i + 1, nil
	}
	n := 0
	for ; i < len(rs) && rs[i] >= '0' && rs[i] <= '9'; i++ {
		n = n*10 + int(rs[i]-'0')
		if n > maxFormatWidth {
			return 0, 0, Errorf("MemoryError", "")
		}
	}
	return n, i, nil
}

// maxFormatWidth bounds widths and precisions; CPython would try to
// allocate the text (MemoryError) or refuse the precision.
const maxFormatWidth = 1 << 20

func (s percentSpec) format(arg Value) (string, error) {
	switch s.conv {
	case 's', 'r', 'a':
		text := StrOf(arg)
		if s.conv == 'r' {
			text = Repr(arg)
		} else if s.conv == 'a' {
			text = asciiRepr(Repr(arg))
		}
		if s.prec >= 0 && len([]rune(text)) > s.prec {
			text = string([]rune(text)[:s.prec])
		}
		return s.pad(text, false), nil
	case 'd', 'i', 'u', 'x', 'X', 'o':
		return s.formatInt(arg)
	case 'e', 'E', 'f', 'F', 'g', 'G':
		return s.formatFloat(arg)
	case 'c':
		return s.formatChar(arg)
	}
	return "", ValueErrorf("unsupported format character '%c' (0x%x)", s.conv, s.conv)
}

// pad applies the width; numeric values pad with zeros after the sign.
func (s percentSpec) pad(text string, numeric bool) string {
	n := len([]rune(text))
	if n >= s.width {
		return text
	}
	fill := strings.Repeat(" ", s.width-n)
	switch {
	case s.minus:
		return text + fill
	case s.zero && numeric:
		sign := ""
		if text != "" && strings.ContainsRune("+- ", rune(text[0])) {
			sign, text = text[:1], text[1:]
		}
		if len(text) > 1 && text[0] == '0' && strings.ContainsRune("xXo", rune(text[1])) {
			sign, text = sign+text[:2], text[2:]
		}
		return sign + strings.Repeat("0", s.width-n) + text
	}
	return fill + text
}

func (s percentSpec) sign(neg bool) string {
	switch {
	case neg:
		return "-"
	case s.plus:
		return "+"
	case s.space:
		return " "
	}
	return ""
}

func (s percentSpec) formatInt(arg Value) (string, error) {
	var n *big.Int
	switch x := arg.(type) {
	case Int, BigInt, Bool:
		n, _ = bigOf(x)
	case Float:
		if s.conv == 'x' || s.conv == 'X' || s.conv == 'o' {
			return "", TypeErrorf("%%%c format: an integer is required, not float", s.conv)
		}
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return "", Errorf("OverflowError", "cannot convert float infinity to integer")
		}
		n, _ = new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
	default:
		what := "a real number"
		if s.conv == 'x' || s.conv == 'X' || s.conv == 'o' {
			what = "an integer"
		}
		return "", TypeErrorf("%%%c format: %s is required, not %s", s.conv, what, arg.TypeName())
	}
	base, prefix := 10, ""
	switch s.conv {
	case 'x', 'X':
		base, prefix = 16, "0"+string(s.conv)
	case 'o':
		base, prefix = 8, "0o"
	}
	digits := new(big.Int).Abs(n).Text(base)
	if s.conv == 'X' {
		digits = strings.ToUpper(digits)
	}
	if len(digits) < s.prec {
		digits = strings.Repeat("0", s.prec-len(digits)) + digits
	}
	if !s.alt {
		prefix = ""
	}
	return s.pad(s.sign(n.Sign() < 0)+prefix+digits, true), nil
}

func (s percentSpec) formatFloat(arg Value) (string, error) {
	var f float64
	switch x := arg.(type) {
	case Float:
		f = float64(x)
	case Int, BigInt, Bool:
		var ok bool
		if f, ok = AsFloat(x); !ok {
			return "", Errorf("OverflowError", "int too large to convert to float")
		}
	default:
		return "", TypeErrorf("must be real number, not %s", arg.TypeName())
	}
	prec := s.prec
	if prec < 0 {
		prec = 6
	}
	lower := byte(s.conv) | 0x20
	var body string
	switch {
	case math.IsInf(f, 0):
		body = "inf"
	case math.IsNaN(f):
		body = "nan"
	case lower == 'g':
		if prec == 0 {
			prec = 1
		}
		body = strconv.FormatFloat(math.Abs(f), 'g', prec, 64)
	default:
		body = strconv.FormatFloat(math.Abs(f), lower, prec, 64)
		if s.alt && prec == 0 {
			body += "."
		}
	}
	if s.conv >= 'A' && s.conv <= 'Z' {
		body = strings.ToUpper(body)
	}
	return s.pad(s.sign(math.Signbit(f) && !math.IsNaN(f))+body, !math.IsInf(f, 0) && !math.IsNaN(f)), nil
}

func (s percentSpec) formatChar(arg Value) (string, error) {
	switch x := arg.(type) {
	case Str:
		if StrLen(string(x)) != 1 {
			return "", TypeErrorf("%%c requires int or char")
		}
		return s.pad(string(x), false), nil
	case Int:
		if x < 0 || x > 0x10ffff {
			return "", Errorf("OverflowError", "%%c arg not in range(0x110000)")
		}
		return s.pad(string(rune(x)), false), nil
	}
	return "", TypeErrorf("%%c requires int or char")
}

// asciiRepr is ascii(): repr with non-ASCII characters escaped.
func asciiRepr(r string) string {
	var b strings.Builder
	for _, c := range r {
		switch {
		case c < 0x80:
			b.WriteRune(c)
		case c <= 0xff:
			b.WriteString(`\x` + strconv.FormatInt(int64(c)+0x100, 16)[1:])
		case c <= 0xffff:
			b.WriteString(`\u` + strconv.FormatInt(int64(c)+0x10000, 16)[1:])
		default:
			b.WriteString(`\U` + strconv.FormatInt(int64(c)+0x100000000, 16)[1:])
		}
	}
	return b.String()
}
