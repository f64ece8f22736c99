package pynum

import "testing"

// Expected values: CPython 3.11's math.log (glibc) on this machine.
func TestLogCR(t *testing.T) {
	tests := []struct{ x, want float64 }{
		{3, 1.0986122886681098}, {1.5, 0.4054651081081644}, {2, 0.6931471805599453},
		{10, 2.302585092994046}, {1e-300, -690.7755278982137}, {0.1, -2.3025850929940455},
		{2.3333333333333335, 0.8472978603872037}, {123456.789, 11.723646487185881},
		{1.02, 0.01980262729617973}, {1, 0},
	}
	for _, tc := range tests {
		if got := LogCR(tc.x); got != tc.want {
			t.Errorf("LogCR(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}
