package metrics

import (
	"math"
	"testing"
)

func TestEstimators(t *testing.T) {
	cases := []struct {
		name            string
		n, c, k         int
		passAt, passHat float64
	}{
		// pass@k = 1 − C(n−c,k)/C(n,k); pass^k = C(c,k)/C(n,k).
		{"none succeed", 4, 0, 4, 0, 0},
		{"all succeed", 4, 4, 4, 1, 1},
		{"one of four, k=4", 4, 1, 4, 1, 0},             // n−c = 3 < k; c < k
		{"one of four, k=1", 4, 1, 1, 0.25, 0.25},       // 1 − 3/4; 1/4
		{"two of four, k=2", 4, 2, 2, 5.0 / 6, 1.0 / 6}, // 1 − C(2,2)/C(4,2); C(2,2)/C(4,2) = 1/6
		{"three of four, k=2", 4, 3, 2, 1, 0.5},         // n−c = 1 < k; C(3,2)/C(4,2) = 3/6
		// pass^5 from 7 of 10: C(7,5)/C(10,5) = 21/252; pass@5 from 3 of 10:
		// 1 − C(7,5)/C(10,5).
		{"ten samples, k=5 (pass^)", 10, 7, 5, 1, 21.0 / 252},
		{"ten samples, k=5 (pass@)", 10, 3, 5, 1 - 21.0/252, 0},
	}
	for _, c := range cases {
		if got := PassAtK(c.n, c.c, c.k); math.Abs(got-c.passAt) > 1e-12 {
			t.Errorf("%s: PassAtK(%d,%d,%d) = %v, want %v", c.name, c.n, c.c, c.k, got, c.passAt)
		}
		if got := PassHatK(c.n, c.c, c.k); math.Abs(got-c.passHat) > 1e-12 {
			t.Errorf("%s: PassHatK(%d,%d,%d) = %v, want %v", c.name, c.n, c.c, c.k, got, c.passHat)
		}
	}
}

func TestEstimatorsOutOfRangeAreNaN(t *testing.T) {
	for _, a := range [][3]int{{2, 1, 3}, {2, 1, 0}, {2, 3, 1}, {2, -1, 1}} {
		if v := PassAtK(a[0], a[1], a[2]); !math.IsNaN(v) {
			t.Errorf("PassAtK%v = %v, want NaN", a, v)
		}
		if v := PassHatK(a[0], a[1], a[2]); !math.IsNaN(v) {
			t.Errorf("PassHatK%v = %v, want NaN", a, v)
		}
	}
}
