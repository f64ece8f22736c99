package tokenizer

import (
	"fmt"
	"sort"
)

// Train learns a byte-level BPE vocabulary of vocabSize ids (256 byte
// tokens, the learned merges, then the special tokens) from a corpus. It
// is deterministic: the most frequent pair is merged first and ties go to
// the lexicographically smallest pair. Training stops early when no pair
// occurs twice.
func Train(corpus []string, vocabSize int, specials []string) (*Tokenizer, error) {
	if specials == nil {
		specials = DefaultSpecials
	}
	if vocabSize < 256+len(specials) {
		return nil, fmt.Errorf("vocab size %d is below the 256 byte tokens plus %d special tokens", vocabSize, len(specials))
	}
	tr := newTrainer(corpus)
	for len(tr.symbols)+len(specials) < vocabSize {
		if !tr.mergeBest() {
			break
		}
	}
	seen := map[string]bool{}
	var added []AddedToken
	for i, s := range specials {
		if seen[s] {
			return nil, fmt.Errorf("special token %q given twice", s)
		}
		seen[s] = true
		added = append(added, AddedToken{ID: len(tr.symbols) + i, Content: s, Special: true})
	}
	return newTokenizer(tr.symbols, tr.merges, added)
}

type trainWord struct {
	syms  []int
	count int
}

type trainer struct {
	symbols []string
	merges  [][2]string
	words   []trainWord
	pairs   map[[2]int]int
	where   map[[2]int]map[int]bool
}

func newTrainer(corpus []string) *trainer {
	counts := map[string]int{}
	for _, doc := range corpus {
		for _, w := range splitWords(doc) {
			counts[w]++
		}
	}
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	tr := &trainer{pairs: map[[2]int]int{}, where: map[[2]int]map[int]bool{}}
	index := map[rune]int{}
	for b := 0; b < 256; b++ {
		index[byteRunes[b]] = b
		tr.symbols = append(tr.symbols, string(byteRunes[b]))
	}
	for wi, w := range keys {
		runes := byteLevel(w)
		syms := make([]int, len(runes))
		for i, r := range runes {
			syms[i] = index[r]
		}
		tr.words = append(tr.words, trainWord{syms: syms, count: counts[w]})
		tr.count(wi, +1)
	}
	return tr
}

// count adds (sign=+1) or removes (-1) word wi's pairs from the tallies.
func (tr *trainer) count(wi, sign int) {
	w := tr.words[wi]
	for i := 0; i+1 < len(w.syms); i++ {
		p := [2]int{w.syms[i], w.syms[i+1]}
		tr.pairs[p] += sign * w.count
		if sign > 0 {
			if tr.where[p] == nil {
				tr.where[p] = map[int]bool{}
			}
			tr.where[p][wi] = true
		} else if tr.pairs[p] == 0 {
			delete(tr.pairs, p)
		}
	}
}

func (tr *trainer) less(a, b [2]int) bool {
	if tr.symbols[a[0]] != tr.symbols[b[0]] {
		return tr.symbols[a[0]] < tr.symbols[b[0]]
	}
	return tr.symbols[a[1]] < tr.symbols[b[1]]
}

func (tr *trainer) mergeBest() bool {
	best, bestN := [2]int{}, 1
	for p, n := range tr.pairs {
		if n > bestN || (n == bestN && bestN > 1 && tr.less(p, best)) {
			best, bestN = p, n
		}
	}
	if bestN < 2 {
		return false
	}
	id := len(tr.symbols)
	tr.symbols = append(tr.symbols, tr.symbols[best[0]]+tr.symbols[best[1]])
	tr.merges = append(tr.merges, [2]string{tr.symbols[best[0]], tr.symbols[best[1]]})
	affected := make([]int, 0, len(tr.where[best]))
	for wi := range tr.where[best] {
		affected = append(affected, wi)
	}
	sort.Ints(affected)
	delete(tr.where, best)
	for _, wi := range affected {
		tr.count(wi, -1)
		syms := tr.words[wi].syms
		out := syms[:0]
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == best[0] && syms[i+1] == best[1] {
				out = append(out, id)
				i++
				continue
			}
			out = append(out, syms[i])
		}
		tr.words[wi].syms = out
		tr.count(wi, +1)
	}
	return true
}
