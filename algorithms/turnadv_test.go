package algorithms

import (
	"math"
	"strings"
	"testing"
)

// nan marks "no sample at this turn" in the expected tables.
var nan = math.NaN()

func assertTable(t *testing.T, what string, got, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s[%d]: %d turns %v, want %d %v", what, i, len(got[i]), got[i], len(want[i]), want[i])
		}
		for j := range want[i] {
			g, w := got[i][j], want[i][j]
			if math.IsNaN(w) != math.IsNaN(g) || (!math.IsNaN(w) && !near(g, w, tol)) {
				t.Errorf("%s[%d][%d] = %.12g, want %.12g", what, i, j, g, w)
			}
		}
	}
}

// One group with rewards (1, 0.5, 0, −0.5): group-centred (0.75, 0.25,
// −0.25, −0.75), mean 0, unbiased std √((0.5625+0.0625)·2/3) = √(1.25/3).
// The first two trajectories last two turns, the others one.
func TestSeeUPOTurnAdvantages(t *testing.T) {
	rewards, groups, turns := []float64{1, 0.5, 0, -0.5}, []int{0, 0, 0, 0}, []int{2, 2, 1, 1}
	sd := math.Sqrt(1.25 / 3)
	hi, lo := 0.75/sd, 0.25/sd // 1.1619, 0.3873
	cases := []struct {
		name string
		opt  TurnAdvOptions
		want [][]float64
	}{
		{"survivors keep their whole-batch advantage", TurnAdvOptions{},
			[][]float64{{hi, hi}, {lo, lo}, {-lo, nan}, {-hi, nan}}},
		{"padded copies carry zero", TurnAdvOptions{PadEnded: true},
			[][]float64{{hi, hi}, {lo, lo}, {-lo, 0}, {-hi, 0}}},
		{"padding takes every allowed turn", TurnAdvOptions{PadEnded: true, TurnLimit: 3},
			[][]float64{{hi, hi, 0}, {lo, lo, 0}, {-lo, 0, 0}, {-hi, 0, 0}}},
		{"the limit adds nothing without padding", TurnAdvOptions{TurnLimit: 3},
			[][]float64{{hi, hi}, {lo, lo}, {-lo, nan}, {-hi, nan}}},
		// Turn 2's survivors (0.75, 0.25): mean 0.5, std 0.25·√2, so
		// (±1/√2): the trajectory better than its group is pushed down.
		{"per-turn renormalisation flips a sign", TurnAdvOptions{RenormSurvivors: true},
			[][]float64{{hi, 1 / math.Sqrt2}, {lo, -1 / math.Sqrt2}, {-lo, nan}, {-hi, nan}}},
		// With padding the turn-2 batch holds all four values again.
		{"renormalisation with padding only rescales", TurnAdvOptions{RenormSurvivors: true, PadEnded: true},
			[][]float64{{hi, hi}, {lo, lo}, {-lo, 0}, {-hi, 0}}},
	}
	for _, tc := range cases {
		got, err := SeeUPOTurnAdvantages(rewards, groups, turns, tc.opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		assertTable(t, tc.name, got, tc.want)
	}
}

// The z-score is clamped at 3 and groups are centred first. Group 0 has
// one success in 12: centred 11/12 and eleven −1/12, mean 0, unbiased
// variance (121 + 11)/144/11 = 1/12, so z = 11/12·√12 = 3.175 → 3 and
// −1/12·√12 = −1/(2√3). Group 1 (two trajectories of reward 2) centres to
// 0 and its members then take −mean/std = 0.
func TestSeeUPOTurnAdvantagesClampAndGroups(t *testing.T) {
	rewards := make([]float64, 12)
	rewards[0] = 1
	groups := make([]int, 12)
	turns := make([]int, 12)
	for i := range turns {
		turns[i] = 1
	}
	got, err := SeeUPOTurnAdvantages(append(rewards, 2, 2), append(groups, 1, 1), append(turns, 1, 1), TurnAdvOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 14 values: 11/12, eleven −1/12, two 0: mean 0; Σx² = 132/144; the
	// unbiased variance is (132/144)/13, std = √(11/156).
	sd := math.Sqrt(11.0 / 156)
	want := [][]float64{{math.Min(3, 11.0/12/sd)}}
	for range 11 {
		want = append(want, []float64{-1.0 / 12 / sd})
	}
	want = append(want, []float64{0}, []float64{0})
	assertTable(t, "clamp", got, want)
	if want[0][0] != 3 {
		t.Fatalf("hand-worked case should clamp, z = %v", 11.0/12/sd)
	}
	same, _ := SeeUPOTurnAdvantages([]float64{1.5, 1.5}, []int{0, 1}, []int{1, 3}, TurnAdvOptions{})
	assertTable(t, "no spread: centred only", same, [][]float64{{0, nan, nan}, {0, 0, 0}})
}

func TestSeeUPOTurnAdvantagesErrors(t *testing.T) {
	for _, tc := range []struct {
		turns []int
		want  string
	}{{[]int{1}, "turns: 1 entries for 2 rewards"}, {[]int{1, 0}, "turns[1]: must be >= 1"}} {
		_, err := SeeUPOTurnAdvantages([]float64{0, 1}, []int{0, 0}, tc.turns, TurnAdvOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("turns %v: %v, want %q", tc.turns, err, tc.want)
		}
	}
}
