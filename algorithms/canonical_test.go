package algorithms

import "testing"

// Two sequences under the GSPO paper's objective, clip ±0.2, B = 2.
// Sequence 1: log-ratios (0.1, 0.3), s = e^0.2 = 1.2214 > 1.2 with A = 1:
// max(−1.2214, −1.2) = −1.2, the clipped branch, gradient 0. Sequence 2:
// log-ratios (−0.1, 0, 0.1), s = 1, A = −2: value 2, unclipped, gradient
// −A·s·m/(n·B) = 2/(3·2) = 1/3 per token. Loss (−1.2 + 2)/2 = 0.4; 2 of 5
// tokens clipped.
func TestGSPOSequenceHandWorked(t *testing.T) {
	old := [][]float64{{-1, -1}, {-2, -2, -2}}
	logp := [][]float64{{-0.9, -0.7}, {-2.1, -2, -1.9}}
	mask := [][]float64{{1, 1}, {1, 1, 1}}
	adv := [][]float64{{1, 1}, {-2, -2, -2}}
	c := LossConfig{Loss: LossGSPOSeq, ClipLow: 0.2, ClipHigh: 0.2, Agg: AggTokenMean}
	r, err := PolicyObjective(c, LossInput{LogP: logp, OldLogP: old, Mask: mask, Adv: adv})
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.Loss, 0.4, tol) || !near(r.PGLoss, 0.4, tol) || !near(r.ClipFrac, 0.4, tol) {
		t.Errorf("loss %v pg %v clipfrac %v, want 0.4 0.4 0.4", r.Loss, r.PGLoss, r.ClipFrac)
	}
	assertMat(t, "grad", r.GradLogP, [][]float64{{0, 0}, {1.0 / 3, 1.0 / 3, 1.0 / 3}}, tol)
}

// The sequence objective's gradient is the derivative of its value: a
// finite-difference check away from the clip's edges, with a masked token
// and lengths 2 and 3, under every aggregation mode (which must not
// change the policy-gradient term).
func TestGSPOSequenceFiniteDifference(t *testing.T) {
	old := [][]float64{{-1, -1.5}, {-2, -0.5, -1}}
	logp := [][]float64{{-1.02, -1.49}, {-1.97, -0.52, -3}}
	mask := [][]float64{{1, 1}, {1, 1, 0}}
	adv := [][]float64{{0.7, 0.7}, {-1.3, -1.3, -1.3}}
	var first float64
	for k, agg := range []string{AggTokenMean, AggSeqMeanTokMean, AggSeqMeanTokenSum} {
		c := LossConfig{Loss: LossGSPOSeq, ClipLow: 0.2, ClipHigh: 0.2, Agg: agg}
		value := func(x [][]float64) float64 {
			r, err := PolicyObjective(c, LossInput{LogP: x, OldLogP: old, Mask: mask, Adv: adv})
			if err != nil {
				t.Fatal(err)
			}
			return r.Loss
		}
		r, _ := PolicyObjective(c, LossInput{LogP: logp, OldLogP: old, Mask: mask, Adv: adv})
		assertMat(t, agg, r.GradLogP, finiteDiff(value, clone(logp)), 1e-6)
		if k == 0 {
			first = r.Loss
		} else if !near(r.Loss, first, tol) {
			t.Errorf("%s: loss %v differs from token-mean's %v", agg, r.Loss, first)
		}
	}
}

// verl's token form and the paper's sequence form agree under
// seq-mean-token-mean with a constant advantage per sequence, and differ
// under token-mean, where the token form weighs a sequence by its length.
func TestGSPOTokenFormAgainstSequenceForm(t *testing.T) {
	old := [][]float64{{-1, -1.5}, {-2, -0.5, -1}}
	logp := [][]float64{{-1.02, -1.49}, {-1.97, -0.52, -1.01}}
	mask := [][]float64{{1, 1}, {1, 1, 1}}
	adv := [][]float64{{0.7, 0.7}, {-1.3, -1.3, -1.3}}
	run := func(loss, agg string) LossResult {
		r, err := PolicyObjective(LossConfig{Loss: loss, ClipLow: 0.2, ClipHigh: 0.2, Agg: agg},
			LossInput{LogP: logp, OldLogP: old, Mask: mask, Adv: adv})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tok, seq := run(LossGSPO, AggSeqMeanTokMean), run(LossGSPOSeq, AggSeqMeanTokMean)
	assertMat(t, "seq-mean-token-mean", tok.GradLogP, seq.GradLogP, 1e-12)
	tok = run(LossGSPO, AggTokenMean)
	// Token form, token-mean: sequence 1's tokens weigh 1/5 each instead
	// of 1/(2·2): the gradients differ by the factor 4/5.
	if r := tok.GradLogP[0][0] / seq.GradLogP[0][0]; !near(r, 0.8, 1e-9) {
		t.Errorf("token-mean token form / sequence form on sequence 1 = %v, want 0.8", r)
	}
}

// REINFORCE's canonical form: the sequence's log-probability sum,
// seq-mean-token-sum. Lengths 1 and 3, A = (1, −1), B = 2: dL/dlogp =
// −A/2 on every token, whatever the length; L = (−lp₁ + (lp₂+lp₃+lp₄))/2.
func TestReinforceSequenceLogProbSum(t *testing.T) {
	logp := [][]float64{{-0.5}, {-1, -2, -3}}
	c := LossConfig{Loss: LossReinforce, Agg: AggSeqMeanTokenSum}
	r, err := PolicyObjective(c, LossInput{LogP: logp, Mask: [][]float64{{1}, {1, 1, 1}},
		Adv: [][]float64{{1}, {-1, -1, -1}}})
	if err != nil {
		t.Fatal(err)
	}
	assertMat(t, "grad", r.GradLogP, [][]float64{{-0.5}, {0.5, 0.5, 0.5}}, tol)
	if want := (0.5 + (-6.0)) / 2; !near(r.Loss, want, tol) {
		t.Errorf("loss %v, want %v", r.Loss, want)
	}
}
