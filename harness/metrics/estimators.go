package metrics

import "math"

// PassAtK is the unbiased estimator of pass@k (at least one of k samples
// succeeds) from n samples of which c succeeded: 1 − C(n−c, k)/C(n, k).
// It needs 0 < k ≤ n and 0 ≤ c ≤ n; otherwise it is NaN.
func PassAtK(n, c, k int) float64 {
	if k <= 0 || k > n || c < 0 || c > n {
		return math.NaN()
	}
	return 1 - chooseRatio(n-c, n, k)
}

// PassHatK is the unbiased estimator of pass^k (all k samples succeed,
// τ-bench's reliability figure) from n samples of which c succeeded:
// C(c, k)/C(n, k). It needs 0 < k ≤ n and 0 ≤ c ≤ n; otherwise it is NaN.
func PassHatK(n, c, k int) float64 {
	if k <= 0 || k > n || c < 0 || c > n {
		return math.NaN()
	}
	return chooseRatio(c, n, k)
}

// chooseRatio is C(a, k)/C(n, k) for 0 ≤ a ≤ n, as the product
// Π_{i<k} (a−i)/(n−i); it is 0 when a < k.
func chooseRatio(a, n, k int) float64 {
	if a < k {
		return 0
	}
	ratio := 1.0
	for i := range k {
		ratio *= float64(a-i) / float64(n-i)
	}
	return ratio
}
