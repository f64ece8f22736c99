package bfcl

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// rewriteByRune is the executor's rewrite written rune by rune, copying
// every rune (the form the copy-free rewrite replaced), kept as the
// reference the faster one must equal.
func rewriteByRune(e *Executor, s string) string {
	var b strings.Builder
	prevWord := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !prevWord && (r == '_' || r < 0x80 && unicode.IsLetter(r)) {
			j := i + size
			for j < len(s) {
				r2, s2 := utf8.DecodeRuneInString(s[j:])
				if !isWord(r2) {
					break
				}
				j += s2
			}
			k := j
			for k < len(s) {
				r2, s2 := utf8.DecodeRuneInString(s[k:])
				if !py.IsSpace(r2) {
					break
				}
				k += s2
			}
			name := s[i:j]
			if k < len(s) && s[k] == '(' {
				if idx, ok := e.owner(name); ok {
					b.WriteString(e.varNames[idx])
					b.WriteByte('.')
				}
				b.WriteString(name)
				i = k
				prevWord = false
				continue
			}
			b.WriteString(name)
			i = j
			prevWord = true
			continue
		}
		b.WriteString(s[i : i+size])
		prevWord = isWord(r)
		i += size
	}
	return b.String()
}

// rewrite must give what the rune-by-rune reference gives, on the ground
// truth of every entry and on random strings of names, spaces,
// parentheses, quotes and non-ASCII letters, spaces and digits.
func TestRewriteMatchesRuneByRune(t *testing.T) {
	d := loadDataset(t)
	ex, err := NewExecutor(ExecutorConfig{Classes: backend.Names(), ModelName: "m-1.5", EntryID: "multi_turn_base_0", Constants: d.Constants})
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, e := range d.All() {
		for _, turn := range e.GroundTruth {
			inputs = append(inputs, turn...)
		}
	}
	pieces := []string{"cd", "ls", "echo", "post_tweet", "x", "_y", "9", " ", "\t", "\u3000", "\u00a0", "(", ")", "'", "é", "ß", "²", "a.b", "=", ",", "\xff",
		"\x1c", "\v", "\n", "mkdir(", "cd (", "\u00e9("}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 40000; i++ {
		var b strings.Builder
		writePieces(&b, rng, pieces, rng.Intn(12+i%3*12)+1)
		inputs = append(inputs, b.String())
	}
	fast := 0
	for _, in := range inputs {
		want := rewriteByRune(ex, in)
		if got := ex.rewrite(in); got != want {
			t.Fatalf("rewrite(%q) = %q, want %q", in, got, want)
		}
		if got := ex.rewriteScan(in); got != want {
			t.Fatalf("rewriteScan(%q) = %q, want %q", in, got, want)
		}
		if got, ok := ex.rewriteAtParens(in); ok {
			fast++
			if got != want {
				t.Fatalf("rewriteAtParens(%q) = %q, want %q", in, got, want)
			}
		}
	}
	if fast < len(inputs)/2 {
		t.Errorf("rewriteAtParens took %d of %d inputs, want at least half", fast, len(inputs))
	}
}

// calledName is the second dot-separated part of the text before "(",
// as upstream's split(".")[1].
func TestCalledName(t *testing.T) {
	for in, want := range map[string]string{
		"cd(folder='a.b')": "cd", "x.kill()": "kill", "a.b.c(1)": "b", "a..b()": "", ".()": "",
		"a.": "", "noparen": "noparen", "m_instance.run(x.y)": "run",
	} {
		if got := calledName(in); got != want {
			t.Errorf("calledName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Instance variable names replace - . / : with _ anywhere in the model,
// entry and class names, leaving other characters as they are.
func TestInstanceVarName(t *testing.T) {
	cases := []struct{ model, entry, class, want string }{
		{"gpt-4o-2024-08-06", "multi_turn_base_0", "GorillaFileSystem", "gpt_4o_2024_08_06_multi_turn_base_0_GorillaFileSystem_instance"},
		{"org/model:v1.5", "e-1", "C", "org_model_v1_5_e_1_C_instance"},
		{"modèle", "ü", "X", "modèle_ü_X_instance"},
		{"bad\xff", "e", "C", "bad\uFFFD_e_C_instance"},
	}
	for _, c := range cases {
		if got := instanceVarName(c.model, c.entry, c.class); got != c.want {
			t.Errorf("instanceVarName(%q, %q, %q) = %q, want %q", c.model, c.entry, c.class, got, c.want)
		}
	}
}

// instanceVarNames gives, in one allocation, the names instanceVarName
// gives one by one, invalid UTF-8 included.
func TestInstanceVarNames(t *testing.T) {
	cases := []struct {
		model, entry string
		classes      []string
	}{
		{"gpt-4o", "multi_turn_base_0", []string{"GorillaFileSystem", "TwitterAPI", "MathAPI"}},
		{"org/model:v1.5", "e-1", []string{"C"}},
		{"m", "e", nil},
		{"bad\xff", "e", []string{"A", "B"}},
		{"m", "e", []string{"A", "B\xfe", "C", "D", "E"}},
	}
	for _, c := range cases {
		got := instanceVarNames([]string{"keep"}, c.model, c.entry, c.classes)
		want := []string{"keep"}
		for _, class := range c.classes {
			want = append(want, instanceVarName(c.model, c.entry, class))
		}
		if !slices.Equal(got, want) {
			t.Errorf("instanceVarNames(%q, %q, %q) = %q, want %q", c.model, c.entry, c.classes, got, want)
		}
	}
}

// writePieces writes n of pieces, drawn at random, to b.
func writePieces(b *strings.Builder, rng *rand.Rand, pieces []string, n int) {
	for ; n > 0; n-- {
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
}
