// Package tokenizer is a byte-level BPE tokenizer (the GPT-2/Qwen scheme):
// trained deterministically on a corpus, read and written as a Hugging Face
// tokenizer.json, with special tokens and Qwen's ChatML chat template.
//
// A tokenizer.json is followed the way Hugging Face tokenizers runs it:
// added tokens (special or not, with their single_word, lstrip, rstrip and
// normalized flags) are cut out of the text first, the rest is normalised
// (NFC for Qwen), pre-tokenised, mapped to byte-level runes and merged by
// BPE; decoding maps byte-level runes back to bytes. See docs/policy.md,
// "Tokenizer fidelity".
package tokenizer

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// AddedToken is an entry of tokenizer.json's added_tokens: a token matched
// in the text before the model sees it.
type AddedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
	// SingleWord: only match when no word character touches either end.
	SingleWord bool `json:"single_word"`
	// LStrip, RStrip: the match swallows the whitespace on its left, right.
	LStrip bool `json:"lstrip"`
	RStrip bool `json:"rstrip"`
	// Normalized: match against the normalised text (else the raw text).
	Normalized bool `json:"normalized"`
	// Special: a control token (DecodeString can skip these).
	Special bool `json:"special"`
}

// Tokenizer encodes text to token ids and back.
type Tokenizer struct {
	vocab  map[string]int // model token (byte-level spelling) → id
	tokens []string       // id → token; added tokens hold their content
	ranks  map[[2]string]int
	merges [][2]string

	added      []AddedToken   // sorted by id
	addedIndex map[int]int    // id → index into added
	special    map[string]int // added token content → id (every added token)
	// rawMatch and normMatch find the added tokens matched against the
	// raw text (normalized=false) and against the normalised text.
	rawMatch, normMatch *matcher

	// normalize is the normaliser (nil: none); normalizer its JSON form.
	normalize  func(string) string
	normalizer json.RawMessage
	// split is the pre-tokenizer; preTokenizer is its tokenizer.json form.
	split        func(string) []string
	preTokenizer json.RawMessage
	// The other tokenizer.json sections, kept to be written back.
	postProcessor, decoder, truncation, padding json.RawMessage
	model                                       modelOptions

	mu    sync.Mutex
	cache map[string][]int
}

// modelOptions are the BPE model's settings besides vocab and merges.
type modelOptions struct {
	Dropout                 *float64 `json:"dropout"`
	UnkToken                *string  `json:"unk_token"`
	ContinuingSubwordPrefix *string  `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string  `json:"end_of_word_suffix"`
	FuseUnk                 bool     `json:"fuse_unk"`
	ByteFallback            bool     `json:"byte_fallback"`
	IgnoreMerges            bool     `json:"ignore_merges"`
}

// Standard special tokens of the Qwen family.
const (
	EndOfText = "<|endoftext|>"
	IMStart   = "<|im_start|>"
	IMEnd     = "<|im_end|>"
)

// DefaultSpecials are the special tokens added by Train when none are given.
var DefaultSpecials = []string{EndOfText, IMStart, IMEnd}

// newTokenizer builds a tokenizer from its model vocabulary (id → token,
// "" for ids the model lacks), merges and added tokens.
func newTokenizer(tokens []string, merges [][2]string, added []AddedToken) (*Tokenizer, error) {
	t := &Tokenizer{vocab: map[string]int{}, ranks: map[[2]string]int{}, special: map[string]int{}, cache: map[string][]int{},
		addedIndex: map[int]int{}, split: splitWords, preTokenizer: gpt2PreTokenizer, decoder: gpt2PreTokenizer}
	size := len(tokens)
	for id, tok := range tokens {
		if tok == "" {
			continue
		}
		if _, dup := t.vocab[tok]; dup {
			return nil, fmt.Errorf("token %q appears twice in the vocabulary", tok)
		}
		t.vocab[tok] = id
	}
	t.added = append([]AddedToken(nil), added...)
	sort.SliceStable(t.added, func(i, j int) bool { return t.added[i].ID < t.added[j].ID })
	for i, a := range t.added {
		if a.ID < 0 {
			return nil, fmt.Errorf("added token %q: negative id %d", a.Content, a.ID)
		}
		if a.Content == "" {
			return nil, fmt.Errorf("added token %d: empty content", a.ID)
		}
		if _, dup := t.addedIndex[a.ID]; dup {
			return nil, fmt.Errorf("added token id %d appears twice", a.ID)
		}
		if _, dup := t.special[a.Content]; dup {
			return nil, fmt.Errorf("added token %q appears twice", a.Content)
		}
		t.addedIndex[a.ID] = i
		t.special[a.Content] = a.ID
		size = max(size, a.ID+1)
	}
	t.tokens = make([]string, size)
	copy(t.tokens, tokens)
	for _, a := range t.added {
		t.tokens[a.ID] = a.Content
	}
	for _, r := range byteRunes {
		if _, ok := t.vocab[string(r)]; !ok {
			return nil, fmt.Errorf("vocabulary lacks the byte token %q: a byte-level BPE needs all 256", string(r))
		}
	}
	t.merges = merges
	for i, m := range merges {
		if _, ok := t.vocab[m[0]+m[1]]; !ok {
			return nil, fmt.Errorf("merge %d (%q %q): result is not in the vocabulary", i, m[0], m[1])
		}
		if _, dup := t.ranks[m]; !dup {
			t.ranks[m] = i
		}
	}
	t.buildMatchers()
	return t, nil
}

// buildMatchers (re)builds the added-token matchers; the normalised ones
// match the normalised form of their content.
func (t *Tokenizer) buildMatchers() {
	var raw, norm []matchPattern
	for i, a := range t.added {
		if a.Normalized {
			norm = append(norm, matchPattern{text: t.normalized(a.Content), token: i})
		} else {
			raw = append(raw, matchPattern{text: a.Content, token: i})
		}
	}
	t.rawMatch, t.normMatch = newMatcher(raw), newMatcher(norm)
}

func (t *Tokenizer) normalized(s string) string {
	if t.normalize == nil {
		return s
	}
	return t.normalize(s)
}

// VocabSize is the number of ids (the largest id + 1).
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// SpecialID returns the id of an added token (special or not), such as
// <|im_end|> or Qwen's <tool_call>.
func (t *Tokenizer) SpecialID(content string) (int, bool) {
	id, ok := t.special[content]
	return id, ok
}

// AddedTokens returns the added tokens in id order.
func (t *Tokenizer) AddedTokens() []AddedToken { return append([]AddedToken(nil), t.added...) }

// Encode turns text into ids as Hugging Face tokenizers does with its
// defaults: added tokens written in the text (special or not) become their
// ids, the rest is normalised, pre-tokenised and merged.
func (t *Tokenizer) Encode(text string) []int {
	var ids []int
	for _, p := range t.splitAdded(t.rawMatch, text) {
		if p.token >= 0 {
			ids = append(ids, t.added[p.token].ID)
			continue
		}
		for _, q := range t.splitAdded(t.normMatch, t.normalized(p.text)) {
			if q.token >= 0 {
				ids = append(ids, t.added[q.token].ID)
				continue
			}
			ids = t.encodeNormalized(ids, q.text)
		}
	}
	return ids
}

// EncodePlain encodes text without recognising added tokens: a literal
// "<|im_end|>" becomes ordinary tokens. The text is still normalised.
func (t *Tokenizer) EncodePlain(text string) []int { return t.encodePlain(nil, text) }

func (t *Tokenizer) encodePlain(ids []int, text string) []int {
	return t.encodeNormalized(ids, t.normalized(text))
}

func (t *Tokenizer) encodeNormalized(ids []int, text string) []int {
	for _, w := range t.split(text) {
		ids = append(ids, t.encodeWord(w)...)
	}
	return ids
}

func (t *Tokenizer) encodeWord(w string) []int {
	t.mu.Lock()
	if ids, ok := t.cache[w]; ok {
		t.mu.Unlock()
		return ids
	}
	t.mu.Unlock()
	runes := byteLevel(w)
	var ids []int
	if id, ok := t.vocab[string(runes)]; ok && t.model.IgnoreMerges {
		ids = []int{id}
	} else {
		parts := make([]string, len(runes))
		for i, r := range runes {
			parts[i] = string(r)
		}
		parts = t.applyMerges(parts)
		ids = make([]int, len(parts))
		for i, p := range parts {
			ids[i] = t.vocab[p]
		}
	}
	t.mu.Lock()
	if len(t.cache) > 1<<16 {
		t.cache = map[string][]int{}
	}
	t.cache[w] = ids
	t.mu.Unlock()
	return ids
}

// applyMerges repeatedly merges the adjacent pair of lowest rank.
func (t *Tokenizer) applyMerges(parts []string) []string {
	for len(parts) > 1 {
		best, at := -1, -1
		for i := 0; i+1 < len(parts); i++ {
			if r, ok := t.ranks[[2]string{parts[i], parts[i+1]}]; ok && (best < 0 || r < best) {
				best, at = r, i
			}
		}
		if at < 0 {
			break
		}
		a, b := parts[at], parts[at+1]
		out := parts[:0]
		for i := 0; i < len(parts); i++ {
			if i+1 < len(parts) && parts[i] == a && parts[i+1] == b {
				out = append(out, a+b)
				i++
				continue
			}
			out = append(out, parts[i])
		}
		parts = out
	}
	return parts
}

// Decode turns ids back into text: the bytes the ByteLevel decoder
// produces, kept as they are where they are not valid UTF-8 (so the
// pieces of a split character can be decoded one id at a time and
// joined). Unknown ids are an error.
func (t *Tokenizer) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for _, id := range ids {
		if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" {
			return "", fmt.Errorf("token id %d is not in the vocabulary of %d", id, len(t.tokens))
		}
		writeTokenBytes(&sb, t.tokens[id])
	}
	return sb.String(), nil
}

// DecodeString is Hugging Face tokenizers' decode: Decode's bytes with
// every ill-formed UTF-8 sequence replaced by U+FFFD (one per maximal
// ill-formed subpart, as Rust's from_utf8_lossy and Python's "replace"
// do), leaving out special added tokens when skipSpecial is set.
func (t *Tokenizer) DecodeString(ids []int, skipSpecial bool) (string, error) {
	if skipSpecial {
		kept := make([]int, 0, len(ids))
		for _, id := range ids {
			if i, ok := t.addedIndex[id]; ok && t.added[i].Special {
				continue
			}
			kept = append(kept, id)
		}
		ids = kept
	}
	s, err := t.Decode(ids)
	if err != nil {
		return "", err
	}
	return lossyUTF8(s), nil
}

// writeTokenBytes is the ByteLevel decoder's step for one token: each
// rune maps back to its byte; a token holding a rune outside the
// byte-level alphabet (an added token such as "<think>\n") is written as
// its own UTF-8 instead.
func writeTokenBytes(sb *strings.Builder, tok string) {
	for _, r := range tok {
		if _, ok := runeBytes[r]; !ok {
			sb.WriteString(tok)
			return
		}
	}
	for _, r := range tok {
		sb.WriteByte(runeBytes[r])
	}
}

// lossyUTF8 replaces each maximal ill-formed subsequence (Unicode §3.9,
// "substitution of maximal subparts") with U+FFFD.
func lossyUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			sb.WriteString(s[i : i+n])
			i += n
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i += maximalSubpart(s[i:])
	}
	return sb.String()
}

// maximalSubpart is the length of the longest prefix of s (which does not
// start with a valid character) that is the start of some well-formed
// sequence, at least 1.
func maximalSubpart(s string) int {
	b := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case b >= 0xC2 && b <= 0xDF:
		need = 1
	case b == 0xE0:
		need, lo = 2, 0xA0
	case b >= 0xE1 && b <= 0xEC, b == 0xEE, b == 0xEF:
		need = 2
	case b == 0xED:
		need, hi = 2, 0x9F
	case b == 0xF0:
		need, lo = 3, 0x90
	case b >= 0xF1 && b <= 0xF3:
		need = 3
	case b == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(s); k++ {
		c := s[n]
		if k > 0 {
			lo, hi = 0x80, 0xBF
		}
		if c < lo || c > hi {
			break
		}
		n++
	}
	return n
}

// Token returns the vocabulary entry of an id (byte-level spelling; an
// added token's content).
func (t *Tokenizer) Token(id int) string {
	if id < 0 || id >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}
