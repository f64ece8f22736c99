package tabular

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/seeupo/seeupo/policy"
)

func near(a, b, eps float64) bool {
	return math.Abs(a-b) <= eps*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestScoreByHand(t *testing.T) {
	p := NewSoftmax(3)
	// After prefix (7): logits (0, ln 2, ln 3) → p = (1, 2, 3)/6.
	p.SetLogits(Key([]int{7}), []float64{0, math.Log(2), math.Log(3)})
	// After prefix (7, 2): unseen, uniform → log(1/3).
	sc, err := p.Score([]policy.Sample{{Context: []int{7}, Response: []int{1, 0}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	wantLP := []float64{math.Log(2.0 / 6), math.Log(1.0 / 3)}
	// H = −Σ p log p with p = (1/6, 2/6, 3/6); uniform entropy ln 3.
	h := -(1.0/6*math.Log(1.0/6) + 2.0/6*math.Log(2.0/6) + 3.0/6*math.Log(3.0/6))
	wantH := []float64{h, math.Log(3)}
	for j := range wantLP {
		if !near(sc.LogProbs[0][j], wantLP[j], 1e-12) || !near(sc.Entropy[0][j], wantH[j], 1e-12) {
			t.Errorf("token %d: logp %v H %v, want %v %v", j, sc.LogProbs[0][j], sc.Entropy[0][j], wantLP[j], wantH[j])
		}
	}
	if _, err := p.Score([]policy.Sample{{Response: []int{3}}}, false); err == nil {
		t.Error("a token outside the vocabulary was accepted")
	}
}

// linearLoss is Σ c·logp + Σ e·H with fixed coefficients, so that its
// gradient with respect to the scores is (c, e).
func linearLoss(c, e [][]float64) policy.LossFunc {
	return func(s policy.Scores) (float64, [][]float64, [][]float64, error) {
		var l float64
		for i := range c {
			for j := range c[i] {
				l += c[i][j]*s.LogProbs[i][j] + e[i][j]*s.Entropy[i][j]
			}
		}
		return l, c, e, nil
	}
}

func TestForwardBackwardMatchesFiniteDifferences(t *testing.T) {
	shared := func(prefix []int) []string {
		last := -1
		if len(prefix) > 0 {
			last = prefix[len(prefix)-1]
		}
		return []string{"pos" + Key([]int{len(prefix)}), "last" + Key([]int{last})}
	}
	for name, p := range map[string]*Policy{"softmax": NewSoftmax(4), "log-linear": NewLogLinear(4, shared)} {
		r := rand.New(rand.NewPCG(5, 6))
		batch := []policy.Sample{{Context: []int{0}, Response: []int{1, 2, 3}}, {Context: []int{0, 1}, Response: []int{2}},
			{Context: []int{0}, Response: []int{1, 1}}}
		c, e := make([][]float64, len(batch)), make([][]float64, len(batch))
		for i, s := range batch {
			for range s.Response {
				c[i], e[i] = append(c[i], r.NormFloat64()), append(e[i], r.NormFloat64())
			}
		}
		// Random weights on every row the batch touches.
		_ = visit(batch, 4, func(_, _ int, prefix []int, _ int) {
			for _, f := range p.features(prefix) {
				row := make([]float64, 4)
				for a := range row {
					row[a] = r.NormFloat64()
				}
				p.SetLogits(f, row)
			}
		})
		loss := linearLoss(c, e)
		if _, err := p.ForwardBackward(batch, true, loss); err != nil {
			t.Fatal(err)
		}
		value := func() float64 {
			sc, _ := p.Score(batch, true)
			l, _, _, _ := loss(sc)
			return l
		}
		const h = 1e-6
		for i := range p.t.w {
			for a := range p.t.w[i] {
				orig := p.t.w[i][a]
				p.t.w[i][a] = orig + h
				up := value()
				p.t.w[i][a] = orig - h
				down := value()
				p.t.w[i][a] = orig
				if fd := (up - down) / (2 * h); !near(p.t.grad[i][a], fd, 1e-6) {
					t.Errorf("%s: row %d token %d: gradient %v, finite difference %v", name, i, a, p.t.grad[i][a], fd)
				}
			}
		}
	}
}

func TestAdamWStepByHand(t *testing.T) {
	p := NewSoftmax(2)
	p.SetLogits("", []float64{0.5, 0})
	p.t.gradRow("")[0] = 2
	// β1 0.9, β2 0.999: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; bias-corrected
	// m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4; step 0.1·(2/(2 + 1e-8) + 0.01·0.5).
	st, _ := p.Step(policy.Optim{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, MaxGradNorm: 0})
	want := 0.5 - 0.1*(2/(2+1e-8)+0.01*0.5)
	if !near(p.t.w[0][0], want, 1e-12) || st.GradNorm != 2 || st.Clipped || p.t.grad[0][0] != 0 {
		t.Errorf("w = %v (want %v), stats %+v, grad %v", p.t.w[0][0], want, st, p.t.grad[0][0])
	}
	// Clipping: gradient (3, 4) has norm 5; with max 1 it is scaled by
	// 1/(5 + 1e-6) before the moments are updated.
	q := NewSoftmax(2)
	q.SetLogits("", []float64{0, 0})
	g := q.t.gradRow("")
	g[0], g[1] = 3, 4
	st, _ = q.Step(policy.Optim{LR: 1, Beta1: 0, Beta2: 0, Eps: 0, MaxGradNorm: 1})
	// β = 0: m̂ = g, v̂ = g², so each weight moves by −sign(g)·1.
	if st.GradNorm != 5 || !st.Clipped || !near(q.t.w[0][0], -1, 1e-12) || !near(q.t.w[0][1], -1, 1e-12) {
		t.Errorf("clipped step: %+v, w %v", st, q.t.w[0])
	}
}

func TestAdamWLeavesRowsWithoutGradientAlone(t *testing.T) {
	p := NewSoftmax(2)
	p.SetLogits("a", []float64{1, 0})
	p.SetLogits("b", []float64{1, 0})
	o := policy.Optim{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
	// Step 1 touches only a: b keeps weight 1 (no decay) and zero moments.
	p.t.gradRow("a")[0] = 2
	p.Step(o)
	// a: m̂ = 2, v̂ = 4, so w = 1 − 0.1·(2/2 + 0.01·1) = 0.899.
	ia, ib := p.t.index["a"], p.t.index["b"]
	if !near(p.t.w[ia][0], 0.899, 1e-8) || p.t.w[ib][0] != 1 || p.t.m[ib][0] != 0 || p.t.steps[ib] != 0 {
		t.Fatalf("after step 1: a %v, b %v (m %v, steps %d)", p.t.w[ia], p.t.w[ib], p.t.m[ib], p.t.steps[ib])
	}
	// Step 2 touches only b, with gradient −1. a has momentum m = 0.2 but
	// no gradient: it stays at 0.899. b takes its own first Adam step
	// (bias correction with its step count 1): m̂ = −1, v̂ = 1, so
	// w = 1 − 0.1·(−1 + 0.01·1) = 1.099.
	p.t.gradRow("b")[0] = -1
	p.Step(o)
	if !near(p.t.w[ia][0], 0.899, 1e-8) || !near(p.t.w[ib][0], 1.099, 1e-8) || p.t.w[ib][1] != 0 {
		t.Errorf("after step 2: a %v (want 0.899), b %v (want 1.099, 0)", p.t.w[ia], p.t.w[ib])
	}
	// An entry with zero gradient in a touched row still decays: the batch
	// reached the row (a softmax row's gradient sums to zero, so some
	// entries of a visited row may be exactly zero).
	q := NewSoftmax(2)
	q.SetLogits("c", []float64{1, 1})
	q.t.gradRow("c")[1] = 1
	q.Step(policy.Optim{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5})
	if ic := q.t.index["c"]; !near(q.t.w[ic][0], 1-0.1*0.5, 1e-12) {
		t.Errorf("touched row, zero-gradient entry: %v, want 0.95 (decay only)", q.t.w[ic][0])
	}
}

func TestSnapshotRestoreAndFrozen(t *testing.T) {
	p := NewSoftmax(2)
	p.SetLogits(Key(nil), []float64{1, 0})
	snap := p.Snapshot()
	ref := p.Frozen()
	p.SetLogits(Key(nil), []float64{5, 0})
	batch := []policy.Sample{{Response: []int{0}}}
	a, _ := ref.Score(batch, false)
	want := 1 - math.Log(math.E+1) // log softmax of (1, 0) at 0
	if !near(a.LogProbs[0][0], want, 1e-12) {
		t.Errorf("frozen copy follows the live weights: %v", a.LogProbs[0][0])
	}
	if err := p.Restore(snap); err != nil {
		t.Fatal(err)
	}
	b, _ := p.Score(batch, false)
	if !near(b.LogProbs[0][0], want, 1e-12) {
		t.Errorf("restore: %v", b.LogProbs[0][0])
	}
	if err := p.Restore(NewValues(History).Snapshot()); err == nil {
		t.Error("a critic snapshot was accepted by a policy")
	}
}

func TestValuesGradientAndStep(t *testing.T) {
	v := NewValues(History)
	batch := []policy.Sample{{Context: []int{1}, Response: []int{0, 1}}}
	// loss = Σ (V − 1)²/2 over the two positions; at V = 0 its gradient is −1 each.
	loss := func(vals [][]float64) (float64, [][]float64, error) {
		g := [][]float64{{vals[0][0] - 1, vals[0][1] - 1}}
		return 0.5 * (g[0][0]*g[0][0] + g[0][1]*g[0][1]), g, nil
	}
	l, err := v.ForwardBackwardValues(batch, loss)
	if err != nil || l != 1 {
		t.Fatalf("loss %v err %v", l, err)
	}
	// Two rows (prefixes "1" and "1.0"), each gradient −1; global norm √2.
	st, _ := v.Step(policy.Optim{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	vals, _ := v.Values(batch)
	if !near(st.GradNorm, math.Sqrt2, 1e-12) || !near(vals[0][0], 0.1, 1e-6) || !near(vals[0][1], 0.1, 1e-6) {
		t.Errorf("grad norm %v, values %v (Adam's first step moves each by lr)", st.GradNorm, vals)
	}
}
