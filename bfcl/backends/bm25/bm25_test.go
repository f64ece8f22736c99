package bm25

import (
	"math"
	"reflect"
	"testing"
)

// The scores are worked out by hand from BM25+'s definition (k1 = 1.5,
// b = 0.75, delta = 1, idf = ln((N+1)/n(q))).
func TestScoresHandWorked(t *testing.T) {
	ln := math.Log
	tests := []struct {
		name   string
		corpus []string
		query  string
		want   []float64
	}{
		// N = 3, avgdl = 2, every |D| = 2: the length norm is 1.5, a term
		// present once gives delta + 2.5/2.5 = 2. idf(user) = ln 2,
		// idf(name) = ln 4 = 2 ln 2; an absent query term still adds idf
		// (BM25+'s delta).
		{"equal lengths", []string{"user_name", "user_age", "favorite_color"}, "user name",
			[]float64{2*ln(2) + 2*ln(4), 2*ln(2) + ln(4), ln(2) + ln(4)}},
		// N = 2, avgdl = 3, idf(a) = ln 1.5. |D0| = 2, tf = 1: norm
		// 1.5*(0.25 + 0.5) = 1.125, 1 + 2.5/2.125 = 37/17. |D1| = 4, tf = 3:
		// norm 1.5*(0.25 + 1) = 1.875, 1 + 7.5/4.875 = 33/13.
		{"lengths and repeats", []string{"a b", "a a a c"}, "a", []float64{ln(1.5) * 37 / 17, ln(1.5) * 33 / 13}},
		// A repeated query token counts twice; an unknown one adds nothing.
		{"repeated and unknown query tokens", []string{"a b", "a a a c"}, "a zzz a", []float64{2 * ln(1.5) * 37 / 17, 2 * ln(1.5) * 33 / 13}},
		// Upper case and underscores split as upstream's tokeniser does:
		// [core memory] and [memory], avgdl = 1.5, idf(memory) = ln 1.5;
		// |D0| = 2: norm 1.5*(0.25 + 1) = 1.875, 1 + 2.5/2.875 = 43/23;
		// |D1| = 1: norm 1.125, 37/17.
		{"tokenisation", []string{"Core_Memory", "memory"}, "MEMORY", []float64{ln(1.5) * 43 / 23, ln(1.5) * 37 / 17}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs := make([][]string, len(tc.corpus))
			for i, c := range tc.corpus {
				docs[i] = Tokenize(c)
			}
			got, err := Scores(docs, Tokenize(tc.query))
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				if math.Abs(got[i]-tc.want[i]) > 1e-12 {
					t.Errorf("doc %d: score %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	got := Tokenize("Core_Memory  key\tX\x1cY")
	want := []string{"core", "memory", "key", "x", "y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokenize = %q, want %q", got, want)
	}
}

func TestEmptyCorpusDividesByZero(t *testing.T) {
	if _, err := Scores(nil, []string{"a"}); err == nil || err.Error() != "division by zero" {
		t.Errorf("error %v, want division by zero", err)
	}
}

// The idf is the C library's correctly rounded logarithm: ln 3 is
// 1.0986122886681098 (repr), where Go's math.Log gives the double below.
func TestIDFIsCorrectlyRounded(t *testing.T) {
	got, err := Scores([][]string{{"a"}, {"b"}}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	// Document 1 lacks "a": its score is idf(a) * delta = ln 3 exactly.
	if got[1] != 1.0986122886681098 {
		t.Errorf("ln 3 = %v, want 1.0986122886681098", got[1])
	}
}
