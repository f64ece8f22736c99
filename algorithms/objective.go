package algorithms

import (
	"fmt"
	"math"
)

// LossConfig selects and parameterises the actor loss: the policy-gradient
// term, the KL penalty to the reference policy, the entropy bonus and the
// aggregation over tokens.
type LossConfig struct {
	Loss        string  // a registered policy loss (Losses): ppo, gspo, gspo-seq, reinforce, …
	ClipLow     float64 // ε below 1
	ClipHigh    float64 // ε above 1
	DualClip    float64 // c > 1 enables the dual clip for A < 0 (ppo only)
	KL          string  // "" (none) | k1 | k2 | k3
	KLCoef      float64
	EntropyCoef float64
	Agg         string // a registered aggregation mode (AggModes)
}

// Validate names the first setting that is not allowed.
func (c LossConfig) Validate() error {
	if _, err := lossRegistry.lookup(c.Loss); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	switch c.KL {
	case KLNone, KLK1, KLK2, KLK3:
	default:
		return fmt.Errorf("kl: unknown estimator %q (known: k1, k2, k3)", c.KL)
	}
	if err := checkAgg(c.Agg); err != nil {
		return err
	}
	for name, v := range map[string]float64{"clip_low": c.ClipLow, "clip_high": c.ClipHigh, "kl_coef": c.KLCoef} {
		if v < 0 || math.IsNaN(v) {
			return fmt.Errorf("%s: must be >= 0, got %v", name, v)
		}
	}
	if c.ClipLow >= 1 {
		return fmt.Errorf("clip_low: must be < 1, got %v", c.ClipLow)
	}
	return nil
}

// LossInput holds per-token log-probs (current, old, reference), the loss
// mask, per-token advantages and, optionally, entropies. RefLogP is needed
// only with a KL term, OldLogP only for ppo and gspo.
type LossInput struct {
	LogP, OldLogP, RefLogP, Mask, Adv, Entropy [][]float64
}

// LossResult is the total loss, its gradient with respect to each token's
// log-prob and entropy, and the metrics of the pieces (verl's meaning:
// PGLoss and KLLoss aggregated like the loss, ClipFrac and PPOKL token
// means over unmasked tokens).
type LossResult struct {
	Loss          float64
	GradLogP      [][]float64
	GradEntropy   [][]float64
	PGLoss        float64
	KLLoss        float64
	Entropy       float64
	ClipFrac      float64
	ClipFracLower float64
	PPOKL         float64
}

// PolicyObjective computes the actor loss
// agg(pg) + kl_coef·agg(kl) − entropy_coef·agg(entropy) and its exact
// gradient. Masked tokens get zero gradient. The gspo-seq loss is a mean
// over sequences by definition: agg applies to its KL and entropy terms
// only.
func PolicyObjective(c LossConfig, in LossInput) (LossResult, error) {
	if err := c.Validate(); err != nil {
		return LossResult{}, err
	}
	w, err := AggWeights(in.Mask, c.Agg)
	if err != nil {
		return LossResult{}, err
	}
	pg, pgLoss, pgWeights := policyGradientTerms(c, in, w)
	r := LossResult{GradLogP: zerosLike(in.LogP), PGLoss: pgLoss}
	if pg.Clipped != nil {
		r.ClipFrac = maskedFraction(pg.Clipped, in.Mask)
		r.ClipFracLower = maskedFraction(pg.ClippedLower, in.Mask)
		r.PPOKL = MaskedMean(sub(in.OldLogP, in.LogP), in.Mask)
	}
	addScaled(r.GradLogP, pgWeights, pg.Grad, 1)
	r.Loss = r.PGLoss
	if c.KL != KLNone && c.KLCoef != 0 {
		kl, err := KLTokens(c.KL, in.LogP, in.RefLogP)
		if err != nil {
			return LossResult{}, err
		}
		r.KLLoss = Dot(w, kl.Value)
		r.Loss += c.KLCoef * r.KLLoss
		addScaled(r.GradLogP, w, kl.Grad, c.KLCoef)
	}
	if in.Entropy != nil {
		r.Entropy = Dot(w, in.Entropy)
		r.GradEntropy = zerosLike(in.Entropy)
		if c.EntropyCoef != 0 {
			r.Loss -= c.EntropyCoef * r.Entropy
			for i := range w {
				for j := range w[i] {
					r.GradEntropy[i][j] = -c.EntropyCoef * w[i][j]
				}
			}
		}
	}
	return r, nil
}

// policyGradientTerms evaluates the policy-gradient term: its per-token
// terms, its aggregated value, and the weights that turn the terms'
// gradients into dL/dlogp (the aggregation weights w, or 1 on every
// unmasked token for a sequence loss such as gspo-seq, whose Grad is
// already dL/dlogp).
func policyGradientTerms(c LossConfig, in LossInput, w [][]float64) (TokenTerms, float64, [][]float64) {
	spec, _ := lossRegistry.lookup(c.Loss) // validated by PolicyObjective
	if spec.Sequence != nil {
		loss, t := spec.Sequence(c, in)
		ones := zerosLike(in.Mask)
		for i := range ones {
			for j, m := range in.Mask[i] {
				if m != 0 {
					ones[i][j] = 1
				}
			}
		}
		return t, loss, ones
	}
	pg := spec.Tokens(c, in)
	return pg, Dot(w, pg.Value), w
}

// addScaled adds k·w_ij·g_ij into dst.
func addScaled(dst, w, g [][]float64, k float64) {
	for i := range dst {
		for j := range dst[i] {
			if w[i][j] != 0 {
				dst[i][j] += k * w[i][j] * g[i][j]
			}
		}
	}
}

func sub(a, b [][]float64) [][]float64 {
	out := zerosLike(a)
	for i := range a {
		for j := range a[i] {
			out[i][j] = a[i][j] - b[i][j]
		}
	}
	return out
}

// SuffixWeights is SeeUPO's suffix-weight update after one turn's
// optimiser step (SEEUPO.md §2 step 4): per sequence
// s = exp(clamp(mean_j(after − before), −10, 10)) over unmasked tokens
// (s = 1 when every token is masked), s ← clip(s, 1−εl, 1+εh),
// w ← clip(prev·s, 1−εl, 1+εh). A nil prev means all ones.
func SuffixWeights(before, after, mask [][]float64, prev []float64, clipLow, clipHigh float64) []float64 {
	w := make([]float64, len(before))
	for i := range before {
		var d, n float64
		for j := range before[i] {
			d += mask[i][j] * (after[i][j] - before[i][j])
			n += mask[i][j]
		}
		s := 1.0
		if n > 0 {
			s = math.Exp(clampF(d/n, -seqLogRatioClamp, seqLogRatioClamp))
		}
		s = clampF(s, 1-clipLow, 1+clipHigh)
		p := 1.0
		if prev != nil {
			p = prev[i]
		}
		w[i] = clampF(p*s, 1-clipLow, 1+clipHigh)
	}
	return w
}

// ValueLossResult is the clipped value loss, its gradient with respect to
// each predicted value, and the fraction of tokens where the clipped term
// was the larger.
type ValueLossResult struct {
	Loss     float64
	Grad     [][]float64
	ClipFrac float64
}

// ValueLoss is PPO's clipped critic loss: with v_c = old + clamp(v − old,
// ±clip), per token ½·max((v − R̂)², (v_c − R̂)²), aggregated with agg.
// clip ≤ 0 disables clipping.
func ValueLoss(values, oldValues, returns, mask [][]float64, clip float64, agg string) (ValueLossResult, error) {
	w, err := AggWeights(mask, agg)
	if err != nil {
		return ValueLossResult{}, err
	}
	r := ValueLossResult{Grad: zerosLike(values)}
	flags := falsesLike(values)
	for i := range values {
		for j, v := range values[i] {
			e1 := v - returns[i][j]
			val, g := 0.5*e1*e1, e1
			if clip > 0 {
				d := v - oldValues[i][j]
				vc := oldValues[i][j] + clampF(d, -clip, clip)
				e2 := vc - returns[i][j]
				if 0.5*e2*e2 > val {
					val, flags[i][j] = 0.5*e2*e2, true
					g = 0
					if math.Abs(d) < clip {
						g = e2
					}
				}
			}
			r.Loss += w[i][j] * val
			r.Grad[i][j] = w[i][j] * g
		}
	}
	r.ClipFrac = maskedFraction(flags, mask)
	return r, nil
}
