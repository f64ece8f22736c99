// Package bm25 is the BM25+ ranking upstream's key-value memory backend
// takes from the rank_bm25 package (class BM25Plus with its defaults
// k1 = 1.5, b = 0.75, delta = 1), and the tokenisation that backend
// applies before it.
//
// For a corpus of N tokenised documents with average length avgdl, a
// query term q that occurs in n(q) documents has
//
//	idf(q) = ln((N + 1) / n(q))
//
// (0 for a term of no document), and document D scores
//
//	sum over the query's tokens q (repeats included) of
//	idf(q) * (delta + tf(q, D)*(k1 + 1) / (k1*(1 - b + b*|D|/avgdl) + tf(q, D)))
//
// The floating-point operations follow numpy's order in rank_bm25, one
// rounding each; the logarithm is correctly rounded, as the C library's
// that numpy and Python use.
package bm25

import (
	"strings"
	"unicode"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// BM25+ parameters (rank_bm25's defaults, which upstream keeps).
const (
	K1    = 1.5
	B     = 0.75
	Delta = 1.0
)

// Tokenize is the memory backend's tokenisation:
// text.replace("_", " ").lower().split().
func Tokenize(text string) []string {
	low := strings.ToLower(strings.ReplaceAll(text, "_", " "))
	return strings.FieldsFunc(low, isPySpace)
}

// isPySpace is Python's str.isspace for one character, which str.split
// splits on: Unicode white space and the separators U+001C to U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// Scores ranks every document of corpus against query. An empty corpus is
// the ZeroDivisionError rank_bm25 raises when it averages the document
// lengths.
func Scores(corpus [][]string, query []string) ([]float64, error) {
	n := len(corpus)
	if n == 0 {
		return nil, py.Errorf("ZeroDivisionError", "division by zero")
	}
	freqs := make([]map[string]int, n)
	docs := map[string]int{}
	total := 0
	for i, doc := range corpus {
		total += len(doc)
		f := map[string]int{}
		for _, w := range doc {
			f[w]++
		}
		freqs[i] = f
		for w := range f {
			docs[w]++
		}
	}
	avgdl := float64(total) / float64(n)
	scores := make([]float64, n)
	for _, q := range query {
		var idf float64
		if nq := docs[q]; nq > 0 {
			idf = pynum.LogCR(float64(n+1) / float64(nq))
		}
		for i := range corpus {
			tf := float64(freqs[i][q])
			norm := float64(K1 * float64((1-B)+float64(float64(B*float64(len(corpus[i])))/avgdl)))
			term := float64(tf*(K1+1)) / float64(norm+tf)
			scores[i] += float64(idf * float64(Delta+term))
		}
	}
	return scores, nil
}
