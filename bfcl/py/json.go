package py

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Dumps is json.dumps(v) with Python's defaults: ", " and ": " separators,
// ensure_ascii, NaN/Infinity allowed, keys in insertion order, non-string
// keys of type int/float/bool/None converted. A value json cannot encode
// (a set, Ellipsis, an object, a Decimal...) is a TypeError, and a
// container that contains itself a ValueError, as in Python.
func Dumps(v Value) (string, error) {
	b := getBuf()
	var stack [16]uintptr
	if err := dumpValue(b, v, stack[:0], true); err != nil {
		b.drop()
		return "", err
	}
	return b.release(), nil
}

// DumpsUnicode is json.dumps(v, ensure_ascii=False): as Dumps, but
// non-ASCII characters are written as they are.
func DumpsUnicode(v Value) (string, error) {
	b := getBuf()
	var stack [16]uintptr
	if err := dumpValue(b, v, stack[:0], false); err != nil {
		b.drop()
		return "", err
	}
	return b.release(), nil
}

// JSONSafe is upstream's make_json_serializable: dicts and lists are
// rebuilt with their items made safe, and any other value that json.dumps
// refuses (a set, an object, a tuple holding one) becomes its str().
func JSONSafe(v Value) Value {
	switch x := v.(type) {
	case *Dict:
		out := NewDict()
		for i := 0; i < x.Len(); i++ {
			_ = out.Set(x.KeyAt(i), JSONSafe(x.ValueAt(i)))
		}
		return out
	case *List:
		items := make([]Value, len(x.Items))
		for i, it := range x.Items {
			items[i] = JSONSafe(it)
		}
		return &List{Items: items}
	}
	if _, err := DumpsUnicode(v); err != nil {
		return Str(StrOf(v))
	}
	return v
}

func dumpValue(b *outBuf, v Value, stack []uintptr, ascii bool) error {
	// Scalars first: they cannot hold themselves.
	switch x := v.(type) {
	case Str:
		writeJSONString(b, string(x), ascii)
		return nil
	case Float:
		writeJSONFloat(b, float64(x))
		return nil
	case Int, Bool, NoneType, nil:
		writeAtom(b, v, jsonAtoms)
		return nil
	}
	if id := identity(v); id != 0 {
		for _, s := range stack {
			if s == id {
				return ValueErrorf("Circular reference detected")
			}
		}
		stack = append(stack, id)
	}
	if writeAtom(b, v, jsonAtoms) {
		return nil
	}
	switch x := v.(type) {
	case *List:
		if f := frozenOf(x); f != nil && ascii && f.dumpable {
			b.writeText(f.jsonText())
			return nil
		}
		return dumpItems(b, x.Items, stack, ascii)
	case Tuple:
		return dumpItems(b, x, stack, ascii)
	case *Dict:
		b.WriteByte('{')
		for i := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if k, ok := x.keys[i].(Str); ok {
				writeJSONString(b, string(k), ascii)
			} else {
				k, err := jsonKey(x.keys[i])
				if err != nil {
					return err
				}
				writeJSONString(b, k, ascii)
			}
			b.WriteString(": ")
			if err := dumpValue(b, x.vals[i], stack, ascii); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return TypeErrorf("Object of type %s is not JSON serializable", v.TypeName())
	}
	return nil
}

func dumpItems(b *outBuf, items []Value, stack []uintptr, ascii bool) error {
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := dumpValue(b, it, stack, ascii); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func jsonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return FloatRepr(f)
}

// writeJSONFloat writes jsonFloat(f) without allocating.
func writeJSONFloat(b *outBuf, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		b.WriteString(jsonFloat(f))
		return
	}
	writeFloatRepr(b, f)
}

func jsonKey(k Value) (string, error) {
	switch x := k.(type) {
	case Str:
		return string(x), nil
	case Bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case nil, NoneType:
		return "null", nil
	case Int, BigInt:
		return Repr(x), nil
	case Float:
		return jsonFloat(float64(x)), nil
	}
	return "", TypeErrorf("keys must be str, int, float, bool or None, not %s", k.TypeName())
}

// writeJSONString writes s as a JSON string the way Python's json module
// does: with ascii true every non-ASCII code point becomes \uXXXX
// (surrogate pairs above U+FFFF); with ascii false (ensure_ascii=False) only
// '"', '\\' and control characters are escaped.
func writeJSONString(b *outBuf, s string, ascii bool) {
	if len(s) <= maxShortJSON && shortPlain(s) {
		// Most strs (dict keys, names) are short printable ASCII
		// without quotes or backslashes: written as they are.
		b.b = append(b.b, '"')
		b.b = append(b.b, s...)
		b.b = append(b.b, '"')
		return
	}
	writeJSONText(b, s, ascii)
}

// writeJSONText is writeJSONString escaping every character of s.
func writeJSONText(b *outBuf, s string, ascii bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		// Copy the run of bytes that need no escape in one write.
		j := plainWords(s, i, ascii)
		if ascii {
			for j < len(s) && jsonASCIIPlain[s[j]] {
				j++
			}
		} else {
			for j < len(s) {
				c := s[j]
				if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f && c >= utf8.RuneSelf {
					break
				}
				j++
			}
		}
		b.writeText(s[i:j])
		if j == len(s) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		i = j + size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				writeUEscape(b, r)
			case !ascii:
				b.WriteRune(r)
			case r < 0x7f:
				b.WriteRune(r)
			case r <= 0xffff:
				writeUEscape(b, r)
			default:
				r -= 0x10000
				writeUEscape(b, 0xd800+(r>>10))
				writeUEscape(b, 0xdc00+(r&0x3ff))
			}
		}
	}
	b.WriteByte('"')
}

// maxShortJSON is the length up to which writeJSONString tests a str
// a byte at a time for the plain case before escaping it.
const maxShortJSON = 16

// shortPlain says every byte of s is written as it is with or without
// ensure_ascii: printable ASCII other than '"' and '\\'.
func shortPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !jsonASCIIPlain[s[i]] {
			return false
		}
	}
	return true
}

// Masks of the word-at-a-time byte tests: a byte of ones, the top bit of
// every byte.
const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// plainWords skips, from i, the 8-byte words of s in which no byte needs
// an escape in a JSON string (nor, with ascii, is 0x7f), and returns
// where the rest must be checked a byte at a time. A word with a byte
// that may need one stops the skip; the tests never miss such a byte.
func plainWords(s string, i int, ascii bool) int {
	if len(s)-i < 8 {
		return i
	}
	bs := unsafe.Slice(unsafe.StringData(s), len(s))
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(bs[i:])
		special := w&high8 | // a byte >= 0x80
			(w-0x20*ones8)&^w&high8 | // a byte < 0x20
			hasZeroByte(w^'"'*ones8) | hasZeroByte(w^'\\'*ones8)
		if ascii {
			special |= hasZeroByte(w ^ 0x7f*ones8)
		}
		if special != 0 {
			break
		}
	}
	return i
}

// hasZeroByte is non-zero when a byte of w is zero.
func hasZeroByte(w uint64) uint64 { return (w - ones8) &^ w & high8 }

// jsonASCIIPlain marks the bytes json.dumps with ensure_ascii writes as
// they are: printable ASCII other than '"' and '\\'.
var jsonASCIIPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// writeUEscape writes \uXXXX for a code unit (lower-case hex, as Python).
func writeUEscape(b *outBuf, r rune) {
	const hex = "0123456789abcdef"
	b.WriteString(`\u`)
	b.WriteByte(hex[r>>12&0xf])
	b.WriteByte(hex[r>>8&0xf])
	b.WriteByte(hex[r>>4&0xf])
	b.WriteByte(hex[r&0xf])
}

// FromJSON decodes JSON the way json.loads does: numbers without '.', 'e'
// or 'E' are ints (any size), others floats; objects are dicts with str keys
// in document order (a repeated key keeps its first position and last value).
func FromJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, false)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("json: extra data after the value")
	}
	return v, nil
}

// DecodeCanonical decodes the canonical state encoding (EncodeState's
// output, and long_context_constants.json): like FromJSON, and the markers
// {"__dict__": [[k, v], ...]}, {"__set__": [...]}, {"__python__":
// "Ellipsis"} and {"__float__": "inf"|"-inf"|"nan"} become the Python
// values they stand for.
func DecodeCanonical(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec, true)
}

func decodeValue(dec *json.Decoder, canonical bool) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	return decodeToken(dec, tok, canonical)
}

func decodeToken(dec *json.Decoder, tok json.Token, canonical bool) (Value, error) {
	switch t := tok.(type) {
	case nil:
		return None, nil
	case bool:
		return Bool(t), nil
	case string:
		return Str(t), nil
	case json.Number:
		return parseNumber(string(t))
	case json.Delim:
		switch t {
		case '[':
			l := &List{Items: []Value{}}
			for dec.More() {
				v, err := decodeValue(dec, canonical)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec, canonical)
				if err != nil {
					return nil, err
				}
				d.SetStr(kt.(string), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if canonical && d.Len() == 1 {
				return unmark(d)
			}
			return d, nil
		}
	}
	return nil, fmt.Errorf("json: unexpected token %v", tok)
}

func parseNumber(s string) (Value, error) {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Int(n), nil
		}
		b, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("json: bad integer %q", s)
		}
		return MakeInt(b), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return nil, fmt.Errorf("json: bad number %q", s)
	}
	return Float(f), nil
}

// unmark turns a one-key marker object of the canonical encoding back into
// its value; other one-key dicts are returned as they are.
func unmark(d *Dict) (Value, error) {
	key := string(d.keys[0].(Str))
	val := d.vals[0]
	switch key {
	case "__dict__":
		pairs, ok := val.(*List)
		if !ok {
			return d, nil
		}
		out := NewDict()
		for _, p := range pairs.Items {
			kv, ok := p.(*List)
			if !ok || len(kv.Items) != 2 {
				return nil, fmt.Errorf("canonical: bad __dict__ pair %s", Repr(p))
			}
			if err := out.Set(kv.Items[0], kv.Items[1]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case "__set__":
		items, ok := val.(*List)
		if !ok {
			return d, nil
		}
		return NewSet(items.Items...)
	case "__python__":
		if val == Str("Ellipsis") {
			return Ellipsis, nil
		}
	case "__float__":
		switch val {
		case Str("inf"):
			return Float(math.Inf(1)), nil
		case Str("-inf"):
			return Float(math.Inf(-1)), nil
		case Str("nan"):
			return Float(math.NaN()), nil
		}
	}
	return d, nil
}

// RawJSON is JSON text that EncodeState writes verbatim (an already
// encoded state inside a larger line).
type RawJSON string

// TypeName implements Value.
func (RawJSON) TypeName() string { return "RawJSON" }

// EncodeState writes v in the canonical state encoding of the BFCL golden
// traces: compact JSON as Python writes it with ensure_ascii=False; floats
// as repr; dicts with only str keys as objects in insertion order, others as
// {"__dict__": [[k, v], ...]}; sets as {"__set__": [...]} sorted; objects
// as {"__class__": name, attrs sorted...}; Ref as {"__ref__": path}.
func EncodeState(v Value) string {
	b := getBuf()
	encodeState(b, v)
	return b.release()
}

// EncodeAttrs encodes a list of attributes as a JSON object with the names
// sorted (the state of one backend instance).
func EncodeAttrs(attrs []Attr) string {
	b := getBuf()
	encodeAttrs(b, "", attrs)
	return b.release()
}

func encodeAttrs(b *outBuf, class string, attrs []Attr) {
	encodeAttrsDepth(b, class, attrs, 0)
}

func encodeAttrsDepth(b *outBuf, class string, attrs []Attr, depth int) {
	sorted := append([]Attr(nil), attrs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	b.WriteByte('{')
	if class != "" {
		b.WriteString(`"__class__":`)
		writeJSONString(b, class, false)
		if len(sorted) > 0 {
			b.WriteByte(',')
		}
	}
	for i, a := range sorted {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, a.Name, false)
		b.WriteByte(':')
		encodeStateDepth(b, a.Value, depth)
	}
	b.WriteByte('}')
}

// maxEncodeDepth bounds the nesting EncodeState follows; deeper values (a
// directory copied into itself) are written as {"__python__":"RecursionError"}.
const maxEncodeDepth = 2000

func encodeState(b *outBuf, v Value) { encodeStateDepth(b, v, 0) }

func encodeStateDepth(b *outBuf, v Value, depth int) {
	if depth > maxEncodeDepth {
		b.WriteString(`{"__python__":"RecursionError"}`)
		return
	}
	depth++
	if writeAtom(b, v, jsonAtoms) {
		return
	}
	switch x := v.(type) {
	case Float:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			b.WriteString(`{"__float__":"nan"}`)
		case math.IsInf(f, 1):
			b.WriteString(`{"__float__":"inf"}`)
		case math.IsInf(f, -1):
			b.WriteString(`{"__float__":"-inf"}`)
		default:
			b.WriteString(FloatRepr(f))
		}
	case Str:
		writeJSONString(b, string(x), false)
	case *List:
		encodeItems(b, x.Items, depth)
	case Tuple:
		encodeItems(b, x, depth)
	case *Dict:
		encodeDict(b, x, depth)
	case *Set:
		encodeSet(b, x)
	case EllipsisType:
		b.WriteString(`{"__python__":"Ellipsis"}`)
	case RawJSON:
		b.WriteString(string(x))
	case Ref:
		b.WriteString(`{"__ref__":`)
		writeJSONString(b, string(x), false)
		b.WriteByte('}')
	case Object:
		encodeAttrsDepth(b, v.TypeName(), x.Attrs(), depth)
	default:
		b.WriteString(`{"__python__":`)
		writeJSONString(b, Repr(v), false)
		b.WriteByte('}')
	}
}

func encodeItems(b *outBuf, items []Value, depth int) {
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		encodeStateDepth(b, it, depth)
	}
	b.WriteByte(']')
}

func encodeDict(b *outBuf, d *Dict, depth int) {
	allStr := true
	for _, k := range d.keys {
		if _, ok := k.(Str); !ok {
			allStr = false
			break
		}
	}
	if allStr {
		b.WriteByte('{')
		for i := range d.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, string(d.keys[i].(Str)), false)
			b.WriteByte(':')
			encodeStateDepth(b, d.vals[i], depth)
		}
		b.WriteByte('}')
		return
	}
	b.WriteString(`{"__dict__":[`)
	for i := range d.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		encodeStateDepth(b, d.keys[i], depth)
		b.WriteByte(',')
		encodeStateDepth(b, d.vals[i], depth)
		b.WriteByte(']')
	}
	b.WriteString("]}")
}

func encodeSet(b *outBuf, s *Set) {
	items := s.Items()
	type enc struct {
		v    Value
		text string
	}
	encs := make([]enc, len(items))
	for i, it := range items {
		encs[i] = enc{it, EncodeState(it)}
	}
	sort.SliceStable(encs, func(i, j int) bool {
		fi, iok := AsFloat(encs[i].v)
		fj, jok := AsFloat(encs[j].v)
		_, istr := encs[i].v.(Str)
		_, jstr := encs[j].v.(Str)
		switch {
		case iok && jok:
			return fi < fj
		case istr && jstr:
			return encs[i].v.(Str) < encs[j].v.(Str)
		}
		return encs[i].text < encs[j].text
	})
	b.WriteString(`{"__set__":[`)
	for i, e := range encs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(e.text)
	}
	b.WriteString("]}")
}

// DumpsIndent is json.dumps(v, indent=n): items on their own lines
// indented by n spaces per level, "," and ": " separators, ensure_ascii.
func DumpsIndent(v Value, n int) (string, error) {
	b := getBuf()
	if err := dumpIndent(b, v, n, 0); err != nil {
		b.drop()
		return "", err
	}
	return b.release(), nil
}

func dumpIndent(b *outBuf, v Value, n, level int) error {
	var items []Value
	switch x := v.(type) {
	case *List:
		items = x.Items
	case Tuple:
		items = x
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{")
		for i := range x.keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + strings.Repeat(" ", n*(level+1)))
			k, err := jsonKey(x.keys[i])
			if err != nil {
				return err
			}
			writeJSONString(b, k, true)
			b.WriteString(": ")
			if err := dumpIndent(b, x.vals[i], n, level+1); err != nil {
				return err
			}
		}
		b.WriteString("\n" + strings.Repeat(" ", n*level) + "}")
		return nil
	default:
		return dumpValue(b, v, nil, true)
	}
	if len(items) == 0 {
		b.WriteString("[]")
		return nil
	}
	b.WriteString("[")
	for i, it := range items {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n" + strings.Repeat(" ", n*(level+1)))
		if err := dumpIndent(b, it, n, level+1); err != nil {
			return err
		}
	}
	b.WriteString("\n" + strings.Repeat(" ", n*level) + "]")
	return nil
}
