package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// demonstrationDigests are the SHA-256 of the warm-start demonstrations of
// each preset's families, every transcript's opening, replies and
// answers in order. They were recorded before the demonstrations moved
// into the environments; the warm start, and with it every figure of a
// suite, depends on these bytes.
var demonstrationDigests = map[string]string{
	"quick/bfcl_gen": "d00501b06667f0fb62b4328103bb76861b795438da37cb51b793e1641b355e37",
	"quick/appworld": "5307741990b299d11678ef21f1100ebff05ce40e0b28c107bb0306acb924a457",
	"paper/bfcl_gen": "c68b9bde3461b176c8e6e664eb48c14bede6bc86873b86568976edcf356ef256",
	"paper/appworld": "0e113709d56aa9006fae6a22fefdbbeb2715b6acfe8b67f07a35603c93d9a58b",
}

// TestSuiteDemonstrationsUnchanged plays every demonstration of the
// presets' warm starts and compares their digest with the recorded one.
func TestSuiteDemonstrationsUnchanged(t *testing.T) {
	for _, preset := range []string{"quick", "paper"} {
		c, err := LoadSuite(preset)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range c.FamilyNames() {
			testDemonstrationDigest(t, c, preset+"/"+name, name)
		}
	}
}

func testDemonstrationDigest(t *testing.T, c SuiteConfig, key, name string) {
	t.Run(key, func(t *testing.T) {
		f, err := openFamily(c, name, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h := sha256.New()
		enc := json.NewEncoder(h)
		for _, task := range f.demos {
			tr, err := f.demonstrate(context.Background(), task)
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.Encode([]any{task.ID, tr.opening, tr.replies, tr.after}); err != nil {
				t.Fatal(err)
			}
		}
		got := hex.EncodeToString(h.Sum(nil))
		if want := demonstrationDigests[key]; got != want {
			t.Errorf("%s: %d demonstrations, digest %s, want %s", key, len(f.demos), got, want)
		}
	})
}
