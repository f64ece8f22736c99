package py

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// plainByte is the byte-at-a-time test of writeJSONString: whether c is
// written as it is.
func plainByte(c byte, ascii bool) bool {
	if ascii {
		return jsonASCIIPlain[c]
	}
	return !(c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf)
}

// plainWords never skips a byte that needs an escape: for every byte
// value at every position of plain text of several lengths, it stops at
// or before that byte, skips whole plain words, and skips all of a text
// without any such byte but its last partial word.
func TestPlainWordsStopsAtEveryEscape(t *testing.T) {
	for _, ascii := range []bool{true, false} {
		for n := 0; n <= 26; n++ {
			plain := strings.Repeat("aZ~ 09!#", 4)[:n]
			for start := 0; start <= n; start++ {
				if got, want := plainWords(plain, start, ascii), start+(n-start)/8*8; got != want {
					t.Fatalf("ascii=%v %q from %d: %d, want %d", ascii, plain, start, got, want)
				}
			}
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := []byte(plain)
					b[pos] = byte(c)
					s := string(b)
					for start := 0; start <= pos; start++ {
						j := plainWords(s, start, ascii)
						if (j-start)%8 != 0 || j > n {
							t.Fatalf("ascii=%v %q from %d: stopped at %d", ascii, s, start, j)
						}
						if !plainByte(byte(c), ascii) && j > pos {
							t.Fatalf("ascii=%v %q from %d: skipped byte %#x at %d (to %d)", ascii, s, start, c, pos, j)
						}
						if plainByte(byte(c), ascii) && j != start+(n-start)/8*8 {
							t.Fatalf("ascii=%v %q from %d: stopped at %d on a plain text", ascii, s, start, j)
						}
					}
				}
			}
		}
	}
}
