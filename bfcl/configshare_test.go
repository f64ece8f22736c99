package bfcl

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/py"
)

// TestEntriesShareEqualConfigs checks that entries whose initial_config
// has the same text hold one dict.
func TestEntriesShareEqualConfigs(t *testing.T) {
	d := loadDataset(t)
	byText := map[string]*py.Dict{}
	for _, e := range d.All() {
		text := configText(t, e)
		if c, ok := byText[text]; ok && c != e.InitialConfig {
			t.Fatalf("%s: initial_config equal to an earlier entry's but not shared", e.ID)
		}
		byText[text] = e.InitialConfig
	}
	if n := len(d.All()); len(byText) >= n {
		t.Fatalf("%d entries hold %d distinct configs: nothing shared", n, len(byText))
	}
}

// TestGroundTruthLeavesConfigsUnchanged executes the ground truth of
// every entry and checks that no entry's initial_config changed: entries
// share them, so a change would leak into other entries' scenarios.
func TestGroundTruthLeavesConfigsUnchanged(t *testing.T) {
	d := loadDataset(t)
	before := map[*Entry]string{}
	for _, e := range d.All() {
		before[e] = configText(t, e)
	}
	for _, e := range d.All() {
		ex, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, turn := range e.GroundTruth {
			ex.Execute(turn)
		}
		_ = ex.State()
	}
	for _, e := range d.All() {
		if got := configText(t, e); got != before[e] {
			i := firstDifference(got, before[e])
			t.Fatalf("%s: initial_config changed by executing the ground truth, at byte %d:\nbefore …%.200s\nafter  …%.200s", e.ID, i, before[e][i:], got[i:])
		}
	}
}

func configText(t *testing.T, e *Entry) string {
	t.Helper()
	s, err := py.Dumps(e.InitialConfig)
	if err != nil {
		t.Fatalf("%s: %v", e.ID, err)
	}
	return s
}

// firstDifference is where a and b start to differ, less 40 bytes of
// context.
func firstDifference(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return max(i-40, 0)
}
