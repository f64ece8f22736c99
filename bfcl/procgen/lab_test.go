package procgen

import (
	"strings"
	"testing"
)

// TestLabTurnsDependOnEachOther checks the property the lab family exists
// for: a later turn's text never spells out the arguments its calls take
// from earlier turns (a directory or file made earlier, an id only an
// output shows), so solving it needs what the episode did before.
func TestLabTurnsDependOnEachOther(t *testing.T) {
	entries, err := Generate(Options{Seed: 4, N: 300, Family: "lab"})
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]int{}
	turns := map[int]int{}
	for _, e := range entries {
		variants[e.Variant]++
		turns[len(e.Question)]++
		if !strings.HasPrefix(e.ID, "gen_lab_"+e.Variant+"_") || VariantOf(e.ID) != e.Variant {
			t.Fatalf("id %s does not name its variant %s", e.ID, e.Variant)
		}
		if e.Variant == "decoy" && len(e.InvolvedClasses) != 2 {
			t.Fatalf("%s: decoy task involves %v", e.ID, e.InvolvedClasses)
		}
		for turn := 1; turn < len(e.Question); turn++ {
			text := e.Question[turn][0].Content
			for _, c := range e.GroundTruth[turn] {
				for _, arg := range dependentArgs(c) {
					if strings.Contains(text, arg) {
						t.Fatalf("%s turn %d says %q, which it should take from earlier turns: %q", e.ID, turn+1, arg, text)
					}
				}
			}
		}
	}
	for _, v := range LabVariants() {
		if variants[v] < 50 {
			t.Errorf("variant %s: %d of 300 tasks", v, variants[v])
		}
	}
	for n := 2; n <= 4; n++ {
		if turns[n] == 0 {
			t.Errorf("no task of %d turns: %v", n, turns)
		}
	}
	if turns[1]+turns[5] > 0 {
		t.Errorf("turn counts outside 2..4: %v", turns)
	}
}

// dependentArgs are the values of a call that an earlier turn produced:
// folders entered, files read or counted, receivers and ticket ids.
func dependentArgs(call string) []string {
	var out []string
	for _, key := range []string{"folder=", "receiver_id=", "ticket_id="} {
		if i := strings.Index(call, key); i >= 0 {
			v := call[i+len(key):]
			v = strings.TrimLeft(v, "'")
			v = v[:strings.IndexAny(v, "',)")]
			out = append(out, v)
		}
	}
	if strings.HasPrefix(call, "wc(") || strings.HasPrefix(call, "cat(") || strings.HasPrefix(call, "cp(") {
		i := strings.Index(call, "'")
		out = append(out, call[i+1:i+1+strings.Index(call[i+1:], "'")])
	}
	return out
}

func TestVariantOf(t *testing.T) {
	for id, want := range map[string]string{"gen_lab_chain_12": "chain", "gen_lab_ids_0": "ids", "x_decoy_3": "decoy",
		"gen_easy_4": "", "chain": ""} {
		if got := VariantOf(id); got != want {
			t.Errorf("VariantOf(%q) = %q, want %q", id, got, want)
		}
	}
}
