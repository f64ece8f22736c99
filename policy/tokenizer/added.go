package tokenizer

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// matchPattern is one added token to look for: its text (the content, or
// its normalised form) and its index in Tokenizer.added.
type matchPattern struct {
	text  string
	token int
}

// matcher finds added tokens in a text the way Hugging Face tokenizers
// does: leftmost-longest, non-overlapping matches scanned left to right;
// a single_word token that touches a word character is passed over (the
// scan goes on after it), lstrip and rstrip widen a match over the
// whitespace beside it.
type matcher struct {
	byFirst map[byte][]matchPattern // longest first
}

// piece is a part of a text: an added token (token ≥ 0) or text to
// tokenise (token = -1).
type piece struct {
	text  string
	token int
}

func newMatcher(patterns []matchPattern) *matcher {
	m := &matcher{byFirst: map[byte][]matchPattern{}}
	for _, p := range patterns {
		m.byFirst[p.text[0]] = append(m.byFirst[p.text[0]], p)
	}
	for _, ps := range m.byFirst {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].text) > len(ps[j].text) })
	}
	return m
}

// next returns the leftmost-longest match at or after from: its start,
// end and pattern, or start -1.
func (m *matcher) next(text string, from int) (int, int, matchPattern) {
	for i := from; i < len(text); i++ {
		for _, p := range m.byFirst[text[i]] {
			if len(text)-i >= len(p.text) && text[i:i+len(p.text)] == p.text {
				return i, i + len(p.text), p
			}
		}
	}
	return -1, -1, matchPattern{}
}

// splitAdded cuts text into pieces at the added tokens m finds.
func (t *Tokenizer) splitAdded(m *matcher, text string) []piece {
	if len(m.byFirst) == 0 || text == "" {
		return []piece{{text: text, token: -1}}
	}
	var out []piece
	offset := 0 // end of the last piece emitted
	for scan := 0; scan < len(text); {
		start, stop, p := m.next(text, scan)
		if start < 0 {
			break
		}
		scan = stop
		tok := t.added[p.token]
		if tok.SingleWord && (endsWithWord(text[:start]) || startsWithWord(text[stop:])) {
			continue
		}
		if tok.LStrip {
			start = max(start-trailingSpace(text[:start]), offset)
		}
		if tok.RStrip {
			stop += leadingSpace(text[stop:])
		}
		if offset < start {
			out = append(out, piece{text: text[offset:start], token: -1})
		}
		out = append(out, piece{text: text[start:stop], token: p.token})
		offset = stop
	}
	if offset < len(text) || len(out) == 0 {
		out = append(out, piece{text: text[offset:], token: -1})
	}
	return out
}

// isWordRune is the \w of Rust's regex crate (Unicode TR18): alphabetic,
// marks, decimal digits, connector punctuation and the joiners.
func isWordRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc, unicode.Other_Alphabetic) ||
		r == 0x200C || r == 0x200D
}

func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && isWordRune(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && isWordRune(r)
}

// trailingSpace is the byte length of the whitespace that ends s.
func trailingSpace(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeLastRuneInString(s[:len(s)-n])
		if !unicode.IsSpace(r) {
			break
		}
		n += size
	}
	return n
}

// leadingSpace is the byte length of the whitespace that starts s.
func leadingSpace(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsSpace(r) {
			break
		}
		n += size
	}
	return n
}
