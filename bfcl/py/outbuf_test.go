package py

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// A buffer gives the concatenation of what was written, whether the
// texts were copied or kept by reference, and a buffer taken from the
// pool again starts empty.
func TestOutBufTextRefsJoin(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	long := strings.Repeat("0123456789", 100)
	for i := 0; i < 5000; i++ {
		b := getBuf()
		if b.Len() != 0 || len(b.refs) != 0 {
			t.Fatalf("a pooled buffer holds %d bytes, %d refs", b.Len(), len(b.refs))
		}
		var want strings.Builder
		for n := rng.Intn(6); n > 0; n-- {
			var s string
			switch rng.Intn(3) {
			case 0:
				s = long[rng.Intn(len(long)):] // short or long
				b.writeText(s)
			case 1:
				s = strconv.Itoa(rng.Int())
				b.WriteString(s)
			default:
				s = "x"
				b.WriteByte('x')
			}
			want.WriteString(s)
			if b.Len() != want.Len() {
				t.Fatalf("Len() = %d, want %d", b.Len(), want.Len())
			}
		}
		if rng.Intn(10) == 0 {
			b.drop()
			continue
		}
		if got := b.release(); got != want.String() {
			t.Fatalf("release() = %q, want %q", got, want.String())
		}
	}
}

// longFrozenSample is a list whose stored texts are long enough to be
// kept by reference, with items that need escapes.
func longFrozenSample() *List {
	l := NewList()
	for i := 0; i < 60; i++ {
		l.Append(Float(float64(i) + 0.25))
		l.Append(Str("it's \"q\" é\n" + strconv.Itoa(i)))
	}
	return l
}

// Rendering dicts, lists and tuples that hold long frozen lists and long
// strs gives the texts of the same values built plainly.
func TestLongTextsRenderAsPlainValues(t *testing.T) {
	f := Freeze(longFrozenSample())
	longStr := strings.Repeat("plain text, ", 40)
	build := func(list func() *List) []Value {
		return []Value{
			list(),
			NewDict(),
			dictOf("a", list(), "b", Int(1), "c", list()),
			dictOf("s", Str(longStr), "l", list(), "t", Str(longStr+"é\"\n"+longStr)),
			Tuple{list(), Str(longStr), NewList(list(), list())},
			Str(longStr),
			Str(longStr + "'"),
			Str(longStr + "'\""),
		}
	}
	got, want := build(f.Copy), build(longFrozenSample)
	for i := range got {
		for _, r := range append(renderers, renderer{"EncodeState", EncodeState}) {
			if g, w := r.f(got[i]), r.f(want[i]); g != w {
				t.Errorf("%d, %s: %s, want %s", i, r.name, g, w)
			}
		}
	}
}

// dictOf builds a dict of str keys from key, value pairs.
func dictOf(kv ...any) *Dict {
	d := NewDict()
	for i := 0; i < len(kv); i += 2 {
		d.SetStr(kv[i].(string), kv[i+1].(Value))
	}
	return d
}

// refJSONString is json.dumps of a str written rune by rune, the
// reference for writeJSONString.
func refJSONString(s string, ascii bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || ascii && r >= 0x7f && r <= 0xffff:
			b.WriteString(`\u` + hex4(r))
		case ascii && r > 0xffff:
			r -= 0x10000
			b.WriteString(`\u` + hex4(0xd800+r>>10) + `\u` + hex4(0xdc00+r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hex4 is r in four lower-case hex digits.
func hex4(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	return strings.Repeat("0", 4-len(s)) + s
}

// Long strs (kept by reference in the buffer) with escapes anywhere
// render as the rune-by-rune reference and as StrRepr.
func TestLongStrRendering(t *testing.T) {
	pieces := []string{"a", " ", "'", `"`, `\`, "\n", "\x7f", "\x00", "é", "\U0001F600", strings.Repeat("plain ", 60)}
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 3000; i++ {
		s := ""
		for n := rng.Intn(8); n > 0; n-- {
			s += pieces[rng.Intn(len(pieces))]
		}
		for _, ascii := range []bool{true, false} {
			b := getBuf()
			b.WriteByte('[')
			writeJSONString(b, s, ascii)
			if got, want := b.release(), "["+refJSONString(s, ascii); got != want {
				t.Fatalf("writeJSONString(%q, %v) = %s, want %s", s, ascii, got, want)
			}
		}
		b := getBuf()
		writeStrRepr(b, s)
		if got, want := b.release(), StrRepr(s); got != want {
			t.Fatalf("writeStrRepr(%q) = %s, want %s", s, got, want)
		}
	}
}

// Short strs of every byte render as with the general escaping, and as
// the reference where they are UTF-8.
func TestShortStrJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	bytes := []byte("aZ~ 09!#\"\\\x00\x1f\x7f\x80\xc3\xa9\xff\n\t")
	for i := 0; i < 100000; i++ {
		n := rng.Intn(maxShortJSON + 3)
		buf := make([]byte, n)
		for j := range buf {
			if rng.Intn(4) == 0 {
				buf[j] = byte(rng.Intn(256))
			} else {
				buf[j] = bytes[rng.Intn(len(bytes))]
			}
		}
		s := string(buf)
		for _, ascii := range []bool{true, false} {
			got, want := getBuf(), getBuf()
			writeJSONString(got, s, ascii)
			writeJSONText(want, s, ascii)
			g, w := got.release(), want.release()
			if g != w || utf8.ValidString(s) && g != refJSONString(s, ascii) {
				t.Fatalf("writeJSONString(%q, %v) = %s, want %s", s, ascii, g, w)
			}
		}
	}
}
