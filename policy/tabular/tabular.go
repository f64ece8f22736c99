// Package tabular holds the tabular policies of the theory suite: a
// softmax over a small vocabulary whose logits are a sum of parameter rows
// picked by features of the token prefix. With one feature per whole
// prefix it is the classic softmax per turn history; with shared features
// it is a log-linear policy. Both implement policy.Trainable, and Values
// implements policy.ValueModel for PPO's critic, so the algorithms run on
// them exactly as on the transformer.
package tabular

import (
	"fmt"
	"math"

	"github.com/seeupo/seeupo/policy"
)

// Features names the parameter rows whose sum is the logit vector after a
// prefix (context followed by the response tokens before the one scored).
type Features func(prefix []int) []string

// History is the feature set of the per-history softmax: one row per
// distinct prefix.
func History(prefix []int) []string { return []string{Key(prefix)} }

// Policy is a log-linear softmax policy over tokens 0..Vocab-1.
type Policy struct {
	vocab    int
	features Features
	t        *table
}

var _ policy.Trainable = (*Policy)(nil)

// NewSoftmax returns the per-history softmax policy with all logits 0
// (uniform).
func NewSoftmax(vocab int) *Policy { return NewLogLinear(vocab, History) }

// NewLogLinear returns a log-linear policy whose logits after a prefix are
// the sum of the rows features(prefix) names, all 0 at the start.
func NewLogLinear(vocab int, features Features) *Policy {
	if vocab < 1 {
		panic("tabular: vocabulary must have at least one token")
	}
	return &Policy{vocab: vocab, features: features, t: newTable(vocab)}
}

// Vocab is the number of tokens.
func (p *Policy) Vocab() int { return p.vocab }

// Logits after prefix.
func (p *Policy) Logits(prefix []int) []float64 { return logits(p.t, p.vocab, p.features(prefix)) }

// Probs is the next-token distribution after prefix.
func (p *Policy) Probs(prefix []int) []float64 {
	lp := logSoftmax(p.Logits(prefix))
	for i := range lp {
		lp[i] = math.Exp(lp[i])
	}
	return lp
}

// SetLogits sets the row of a feature (for tests and hand-built policies).
func (p *Policy) SetLogits(feature string, logits []float64) {
	copy(p.t.w[p.t.ensure(feature)], logits)
}

func logits(t *table, vocab int, feats []string) []float64 {
	z := make([]float64, vocab)
	for _, f := range feats {
		if r := t.row(f); r != nil {
			for a := range z {
				z[a] += r[a]
			}
		}
	}
	return z
}

func logSoftmax(z []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - mx)
	}
	lse := mx + math.Log(s)
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = v - lse
	}
	return out
}

func entropy(lp []float64) float64 {
	var h float64
	for _, l := range lp {
		h -= math.Exp(l) * l
	}
	return h
}

// prefixes visits each response token of each sample with its prefix.
func visit(batch []policy.Sample, vocab int, fn func(i, j int, prefix []int, tok int)) error {
	for i, s := range batch {
		prefix := make([]int, len(s.Context), len(s.Context)+len(s.Response))
		copy(prefix, s.Context)
		for j, tok := range s.Response {
			if tok < 0 || tok >= vocab {
				return fmt.Errorf("tabular: sample %d response token %d is %d, outside the vocabulary 0..%d", i, j, tok, vocab-1)
			}
			fn(i, j, prefix, tok)
			prefix = append(prefix, tok)
		}
	}
	return nil
}

func score(t *table, vocab int, f Features, batch []policy.Sample, withEntropy bool) (policy.Scores, error) {
	sc := policy.Scores{LogProbs: make([][]float64, len(batch))}
	if withEntropy {
		sc.Entropy = make([][]float64, len(batch))
	}
	for i, s := range batch {
		sc.LogProbs[i] = make([]float64, len(s.Response))
		if withEntropy {
			sc.Entropy[i] = make([]float64, len(s.Response))
		}
	}
	err := visit(batch, vocab, func(i, j int, prefix []int, tok int) {
		lp := logSoftmax(logits(t, vocab, f(prefix)))
		sc.LogProbs[i][j] = lp[tok]
		if withEntropy {
			sc.Entropy[i][j] = entropy(lp)
		}
	})
	return sc, err
}

// Score computes log-probs (and entropies) of the response tokens.
func (p *Policy) Score(batch []policy.Sample, withEntropy bool) (policy.Scores, error) {
	return score(p.t, p.vocab, p.features, batch, withEntropy)
}

// ForwardBackward scores the batch, calls loss and accumulates
// d loss/d logits = g·(1[a=y] − p_a) − h·p_a·(log p_a + H) into every row
// the prefix's features name, where g and h are the loss's derivatives
// with respect to the token's log-prob and entropy.
func (p *Policy) ForwardBackward(batch []policy.Sample, withEntropy bool, loss policy.LossFunc) (float64, error) {
	sc, err := p.Score(batch, withEntropy)
	if err != nil {
		return 0, err
	}
	l, dlp, dent, err := loss(sc)
	if err != nil {
		return 0, err
	}
	if err := checkShape(batch, dlp, dent); err != nil {
		return 0, err
	}
	err = visit(batch, p.vocab, func(i, j int, prefix []int, tok int) {
		g := dlp[i][j]
		var h float64
		if dent != nil {
			h = dent[i][j]
		}
		if g == 0 && h == 0 {
			return
		}
		feats := p.features(prefix)
		lp := logSoftmax(logits(p.t, p.vocab, feats))
		H := entropy(lp)
		dz := make([]float64, p.vocab)
		for a, l := range lp {
			pa := math.Exp(l)
			dz[a] = -g*pa - h*pa*(l+H)
		}
		dz[tok] += g
		for _, f := range feats {
			row := p.t.gradRow(f)
			for a := range dz {
				row[a] += dz[a]
			}
		}
	})
	return l, err
}

// Step applies AdamW after global-norm clipping to the rows that received
// a gradient since the last step (the others do not move; see table) and
// zeroes the gradients.
func (p *Policy) Step(o policy.Optim) (policy.StepStats, error) { return p.t.step(o), nil }

// ZeroGrad discards accumulated gradients.
func (p *Policy) ZeroGrad() { p.t.zeroGrad() }

// Snapshot copies weights and optimiser state.
func (p *Policy) Snapshot() policy.Snapshot { return p.t.clone(true) }

// Restore puts back a snapshot taken from a tabular policy.
func (p *Policy) Restore(s policy.Snapshot) error {
	t, ok := s.(*table)
	if !ok || t.width != p.vocab {
		return fmt.Errorf("tabular: snapshot %T does not come from a tabular policy of vocabulary %d", s, p.vocab)
	}
	p.t = t.clone(true)
	return nil
}

// Frozen returns a scoring-only copy of the current weights.
func (p *Policy) Frozen() policy.Scorer {
	return &frozen{vocab: p.vocab, features: p.features, t: p.t.clone(false)}
}

type frozen struct {
	vocab    int
	features Features
	t        *table
}

func (f *frozen) Score(batch []policy.Sample, withEntropy bool) (policy.Scores, error) {
	return score(f.t, f.vocab, f.features, batch, withEntropy)
}

func checkShape(batch []policy.Sample, dlp, dent [][]float64) error {
	if len(dlp) != len(batch) || (dent != nil && len(dent) != len(batch)) {
		return fmt.Errorf("tabular: loss gradient has %d rows for %d samples", len(dlp), len(batch))
	}
	for i, s := range batch {
		if len(dlp[i]) != len(s.Response) || (dent != nil && len(dent[i]) != len(s.Response)) {
			return fmt.Errorf("tabular: loss gradient row %d does not match its %d response tokens", i, len(s.Response))
		}
	}
	return nil
}
