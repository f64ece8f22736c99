package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/seeupo/seeupo/harness"
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
	"paper/appworld": "d02f24c551793d39788cbec140d7536ff76e5a6b6d160a9b2682e9acaed84362",
}

// warmStartSampleDigests are the SHA-256 of the warm-start samples of each
// preset's families (the JSON of each sample, one a line, in order) and
// their number. They were recorded from the warm start's own
// rendering of the demonstrations before it became a rollout of the agent
// loop with a teacher-forcing generator: the two lay out the contexts
// alike, token for token.
var warmStartSampleDigests = map[string]struct {
	n      int
	digest string
}{
	"quick/bfcl_gen": {924, "843a646ac9d0c6b15174f28eaacf5b111f787e8d8c39c220dd325009aa0e5a62"},
	"quick/appworld": {56, "4f70dfa5c78a0ead7b2a4bf5bae0cf3146d82976682008c485a32a12e64cf0f4"},
	"paper/bfcl_gen": {16186, "1ad8acd28c5cc71de1a1525f8ecce92f0849839acf34f2537e9db968991cb685"},
	"paper/appworld": {108, "2f8180a8f602474263c97daf0677f4325802fb3cb7e5812c5322379c44228525"},
}

// TestWarmStartSamplesUnchanged renders every preset family's warm-start
// samples and compares them with the recorded digests.
func TestWarmStartSamplesUnchanged(t *testing.T) {
	for _, preset := range []string{"quick", "paper"} {
		c, err := LoadSuite(preset)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range c.FamilyNames() {
			key := preset + "/" + name
			t.Run(key, func(t *testing.T) {
				f, err := openFamily(c, name, RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cfg, err := f.cfg.modelConfig()
				if err != nil {
					t.Fatal(err)
				}
				demos, err := f.demonstrations()
				if err != nil {
					t.Fatal(err)
				}
				_, samples, err := harness.DemonstrationData(context.Background(), f.demoSuite, demos, cfg.VocabSize)
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.New()
				enc := json.NewEncoder(h)
				for _, s := range samples {
					if err := enc.Encode(s); err != nil {
						t.Fatal(err)
					}
				}
				want := warmStartSampleDigests[key]
				if got := hex.EncodeToString(h.Sum(nil)); got != want.digest || len(samples) != want.n {
					t.Errorf("%s: %d demonstrations, %d samples with digest %s; want %d samples with digest %s",
						key, len(demos), len(samples), got, want.n, want.digest)
				}
			})
		}
	}
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
		demos, err := f.demonstrations()
		if err != nil {
			t.Fatal(err)
		}
		played, err := harness.PlayDemonstrations(context.Background(), f.demoSuite, demos)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		enc := json.NewEncoder(h)
		for _, tr := range played {
			if err := enc.Encode([]any{tr.Task.ID, tr.Opening, tr.Replies, tr.After}); err != nil {
				t.Fatal(err)
			}
		}
		got := hex.EncodeToString(h.Sum(nil))
		if want := demonstrationDigests[key]; got != want {
			t.Errorf("%s: %d demonstrations, digest %s, want %s", key, len(f.demos), got, want)
		}
	})
}
