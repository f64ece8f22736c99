package filesystem

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// The str fast path of validName answers as the character-by-character
// `c in name` tests, and other values still fail as Python's `in` does.
func TestValidNameStrFastPath(t *testing.T) {
	for _, name := range []string{"a.txt", "", "a|b", "x/y", `back\slash`, "q?", "100%", "*", "c:d", `"q"`, "<>", "é|", "plain name"} {
		want := true
		for _, c := range forbiddenNameChars {
			if in, _ := py.Contains(py.Str(name), py.Str(string(c))); in {
				want = false
			}
		}
		got, err := validName(py.Str(name))
		if err != nil || got != want {
			t.Errorf("validName(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := validName(py.Int(3)); err == nil {
		t.Error("validName(3): no error")
	}
}
