package algorithms

import (
	"fmt"
	"math"
)

// Loss kinds, KL estimators and aggregation modes, by their names in the
// configuration and in `seeupo algo eval`.
const (
	LossPPO       = "ppo"
	LossGSPO      = "gspo"
	LossGSPOSeq   = "gspo-seq"
	LossReinforce = "reinforce"

	KLNone = ""
	KLK1   = "k1"
	KLK2   = "k2"
	KLK3   = "k3"

	AggTokenMean       = "token-mean"
	AggSeqMeanTokMean  = "seq-mean-token-mean"
	AggSeqMeanTokenSum = "seq-mean-token-sum"
)

// Limits applied inside the losses (verl's values): the token log-ratio is
// clamped to ±20 before exponentiation, the sequence log-ratio to at most
// 10, and k3 to [−10, 10].
const (
	logRatioClamp    = 20.0
	seqLogRatioClamp = 10.0
	klClamp          = 10.0
)

// TokenTerms are per-token values of one loss term and their local
// derivatives with respect to the same token's log-prob.
type TokenTerms struct {
	Value [][]float64
	Grad  [][]float64
	// Clipped marks tokens where the clipped branch is active (upper or
	// lower ratio bound); ClippedLower marks the dual clip for A < 0.
	Clipped, ClippedLower [][]bool
}

func newTerms(shape [][]float64, flags bool) TokenTerms {
	t := TokenTerms{Value: zerosLike(shape), Grad: zerosLike(shape)}
	if flags {
		t.Clipped, t.ClippedLower = falsesLike(shape), falsesLike(shape)
	}
	return t
}

// PPOClipTokens is the token-level clipped surrogate with dual clip:
// ρ = exp(clamp(logp − old, ±20)), L = max(−Aρ, −A·clip(ρ, 1−εl, 1+εh)),
// and for A < 0, L = min(L, −c·A) when c > 1 (dual ≤ 0 disables it).
func PPOClipTokens(logp, old, adv [][]float64, clipLow, clipHigh, dual float64) TokenTerms {
	t := newTerms(logp, true)
	for i := range logp {
		for j := range logp[i] {
			d := logp[i][j] - old[i][j]
			ratio := math.Exp(clampF(d, -logRatioClamp, logRatioClamp))
			ratioGrad := ratio
			if math.Abs(d) > logRatioClamp {
				ratioGrad = 0
			}
			v, g, clipped, lower := clipBranch(ratio, ratioGrad, adv[i][j], clipLow, clipHigh, dual)
			t.Value[i][j], t.Grad[i][j], t.Clipped[i][j], t.ClippedLower[i][j] = v, g, clipped, lower
		}
	}
	return t
}

// clipBranch evaluates the clipped surrogate for one ratio: value,
// derivative with respect to the log-ratio (ratioGrad is dρ/dlogp), and
// which clip is active.
func clipBranch(ratio, ratioGrad, a, clipLow, clipHigh, dual float64) (v, g float64, clipped, lower bool) {
	l1 := -a * ratio
	l2 := -a * clampF(ratio, 1-clipLow, 1+clipHigh)
	v, g = l1, -a*ratioGrad
	if l2 > l1 {
		v, g, clipped = l2, 0, true
	}
	if a < 0 && dual > 1 {
		l3 := -a * dual
		if v > l3 {
			v, g, lower = l3, 0, true
		}
	}
	return v, g, clipped, lower
}

// GSPOTokens is GSPO's sequence-level clipped surrogate in verl's
// straight-through token form: every token of sequence i carries the
// sequence ratio s_i = exp(min(mean_j(logp − old), 10)) as value, and
// d s_ij / d logp_ij = s_i, so each token gets the sequence ratio's
// gradient. Masked tokens do not enter the mean.
func GSPOTokens(logp, old, adv, mask [][]float64, clipLow, clipHigh float64) TokenTerms {
	t := newTerms(logp, true)
	for i := range logp {
		var sum, n float64
		for j := range logp[i] {
			sum += mask[i][j] * (logp[i][j] - old[i][j])
			n += mask[i][j]
		}
		logS := sum / math.Max(n, 1)
		s := math.Exp(math.Min(logS, seqLogRatioClamp))
		sGrad := s
		if logS > seqLogRatioClamp {
			sGrad = 0
		}
		for j := range logp[i] {
			v, g, clipped, _ := clipBranch(s, sGrad, adv[i][j], clipLow, clipHigh, 0)
			t.Value[i][j], t.Grad[i][j], t.Clipped[i][j] = v, g, clipped
		}
	}
	return t
}

// GSPOSequence is the GSPO paper's sequence-level objective: with
// s_i = exp(min(mean_j(logp − old), 10)) over sequence i's unmasked
// tokens and A_i the mean of its unmasked tokens' advantages,
// L = (1/B) Σ_i max(−s_i·A_i, −clip(s_i, 1−εl, 1+εh)·A_i) over the B
// sequences with an unmasked token. Grad is the exact dL/dlogp_ij:
// −A_i·s_i·m_ij/(n_i·B) where the unclipped branch is active, 0 where the
// clipped one is. Every token of a clipped sequence is flagged Clipped.
// Under seq-mean-token-mean aggregation and a constant advantage per
// sequence it equals GSPOTokens; it differs under the other aggregation
// modes and where advantages vary within a sequence.
func GSPOSequence(logp, old, adv, mask [][]float64, clipLow, clipHigh float64) (loss float64, t TokenTerms) {
	t = newTerms(logp, true)
	var live float64
	for _, row := range mask {
		if sum(row) > 0 {
			live++
		}
	}
	for i := range logp {
		n := sum(mask[i])
		if n == 0 {
			continue
		}
		var d, a float64
		for j := range logp[i] {
			d += mask[i][j] * (logp[i][j] - old[i][j])
			a += mask[i][j] * adv[i][j]
		}
		logS, a := d/n, a/n
		s := math.Exp(math.Min(logS, seqLogRatioClamp))
		sGrad := s
		if logS > seqLogRatioClamp {
			sGrad = 0
		}
		v, g, clipped, _ := clipBranch(s, sGrad, a, clipLow, clipHigh, 0)
		loss += v / live
		for j := range logp[i] {
			t.Value[i][j] = v
			t.Grad[i][j] = g * mask[i][j] / (n * live)
			t.Clipped[i][j] = clipped
		}
	}
	return loss, t
}

// ReinforceTokens is −A·logp per token.
func ReinforceTokens(logp, adv [][]float64) TokenTerms {
	t := newTerms(logp, false)
	for i := range logp {
		for j := range logp[i] {
			t.Value[i][j] = -adv[i][j] * logp[i][j]
			t.Grad[i][j] = -adv[i][j]
		}
	}
	return t
}

// KLTokens estimates KL(π_θ‖π_ref) per token from d = ref − logp:
// k1 = −d, k2 = d²/2, k3 = clamp(exp(d) − d − 1, −10, 10). Grad is the
// derivative with respect to logp.
func KLTokens(kind string, logp, ref [][]float64) (TokenTerms, error) {
	t := newTerms(logp, false)
	for i := range logp {
		for j := range logp[i] {
			d := ref[i][j] - logp[i][j]
			switch kind {
			case KLK1:
				t.Value[i][j], t.Grad[i][j] = -d, 1
			case KLK2:
				t.Value[i][j], t.Grad[i][j] = d*d/2, -d
			case KLK3:
				v := math.Exp(d) - d - 1
				t.Value[i][j] = clampF(v, -klClamp, klClamp)
				if v < klClamp && v > -klClamp {
					t.Grad[i][j] = 1 - math.Exp(d)
				}
			default:
				return t, fmt.Errorf("kl: unknown estimator %q (known: k1, k2, k3)", kind)
			}
		}
	}
	return t, nil
}

// AggSpec registers a loss aggregation mode: how per-token terms become
// one loss. Adding one is a file that calls RegisterAgg from init.
type AggSpec struct {
	Name    string
	Summary string
	// Weights returns w with loss = Σ_ij w_ij·v_ij for the loss mask:
	// masked tokens and sequences whose mask is all zero get weight 0.
	Weights func(mask [][]float64) [][]float64
}

var aggRegistry = newRegistry[AggSpec]("mode")

// RegisterAgg adds an aggregation mode; call it from init. A duplicate or
// empty name, or a spec without Weights, panics.
func RegisterAgg(s AggSpec) {
	if s.Weights == nil {
		panic("algorithms: RegisterAgg " + s.Name + " needs Weights")
	}
	aggRegistry.add(s.Name, s)
}

// AggModes lists the registered aggregation modes, sorted.
func AggModes() []string { return aggRegistry.names() }

func init() {
	RegisterAgg(AggSpec{Name: AggTokenMean, Summary: "mean over every unmasked token of the batch",
		Weights: func(mask [][]float64) [][]float64 {
			_, total, _ := maskCounts(mask)
			return aggWeights(mask, func(m, _ float64) float64 { return m / total })
		}})
	RegisterAgg(AggSpec{Name: AggSeqMeanTokMean, Summary: "mean over sequences of each sequence's token mean",
		Weights: func(mask [][]float64) [][]float64 {
			_, _, live := maskCounts(mask)
			return aggWeights(mask, func(m, n float64) float64 { return m / n / float64(live) })
		}})
	RegisterAgg(AggSpec{Name: AggSeqMeanTokenSum, Summary: "mean over sequences of each sequence's token sum",
		Weights: func(mask [][]float64) [][]float64 {
			_, _, live := maskCounts(mask)
			return aggWeights(mask, func(m, _ float64) float64 { return m / float64(live) })
		}})
}

// AggWeights returns w with loss = Σ_ij w_ij·v_ij for the aggregation mode:
// token-mean Σ m v / Σ m; seq-mean-token-mean is the mean over sequences of
// each sequence's token mean; seq-mean-token-sum the mean over sequences
// of each sequence's token sum. Sequences whose mask is all zero are left
// out; masked tokens get weight 0. With no unmasked token at all every
// weight is 0.
func AggWeights(mask [][]float64, mode string) ([][]float64, error) {
	spec, err := aggRegistry.lookup(mode)
	if err != nil {
		return nil, fmt.Errorf("agg: %w", err)
	}
	return spec.Weights(mask), nil
}

// maskCounts are the unmasked tokens of each sequence, of the batch, and
// the sequences that have one.
func maskCounts(mask [][]float64) (perSeq []float64, total float64, live int) {
	perSeq = make([]float64, len(mask))
	for i, row := range mask {
		perSeq[i] = sum(row)
		total += perSeq[i]
		if perSeq[i] > 0 {
			live++
		}
	}
	return perSeq, total, live
}

// aggWeights is weight(m_ij, n_i) for every token of a sequence with
// n_i > 0 unmasked tokens, and 0 elsewhere.
func aggWeights(mask [][]float64, weight func(m, n float64) float64) [][]float64 {
	w := zerosLike(mask)
	perSeq, _, _ := maskCounts(mask)
	for i, row := range mask {
		if perSeq[i] == 0 {
			continue
		}
		for j, m := range row {
			w[i][j] = weight(m, perSeq[i])
		}
	}
	return w
}

func checkAgg(mode string) error {
	if _, err := aggRegistry.lookup(mode); err != nil {
		return fmt.Errorf("agg: %w", err)
	}
	return nil
}

// Dot is Σ_ij w_ij·v_ij.
func Dot(w, v [][]float64) float64 {
	var s float64
	for i := range w {
		for j := range w[i] {
			if w[i][j] != 0 {
				s += w[i][j] * v[i][j]
			}
		}
	}
	return s
}

// MaskedMean is Σ m·v / Σ m (0 when nothing is unmasked).
func MaskedMean(v, mask [][]float64) float64 {
	var s, n float64
	for i := range v {
		for j := range v[i] {
			s += mask[i][j] * v[i][j]
			n += mask[i][j]
		}
	}
	if n == 0 {
		return 0
	}
	return s / n
}

func maskedFraction(flags [][]bool, mask [][]float64) float64 {
	f := zerosLike(mask)
	for i := range flags {
		for j, b := range flags[i] {
			if b {
				f[i][j] = 1
			}
		}
	}
	return MaskedMean(f, mask)
}

func clampF(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func zerosLike(shape [][]float64) [][]float64 {
	out := make([][]float64, len(shape))
	for i := range shape {
		out[i] = make([]float64, len(shape[i]))
	}
	return out
}

func falsesLike(shape [][]float64) [][]bool {
	out := make([][]bool, len(shape))
	for i := range shape {
		out[i] = make([]bool, len(shape[i]))
	}
	return out
}
