package tabular

import (
	"math"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/policy"
)

// table holds named parameter rows of a fixed width, their gradients and
// AdamW state. Rows are created (zero) on first use and kept in creation
// order, so that updates are deterministic.
//
// The optimiser is sparse: a step moves only the rows that received a
// gradient since the last step (touched), and each row counts its own
// steps for Adam's bias correction. A row the batch never reached is left
// exactly as it was: no momentum step and no weight decay. (A dense AdamW
// would keep moving every row with its old momentum and decay it, so a
// history the batch never visited would still change; torch's SparseAdam
// also skips untouched rows but keeps one step count per tensor.)
type table struct {
	width   int
	index   map[string]int
	w       [][]float64
	grad    [][]float64
	touched []bool
	m, v    [][]float64
	steps   []int // Adam steps taken by each row
}

func newTable(width int) *table { return &table{width: width, index: map[string]int{}} }

// row returns the weights of name, or nil if it was never created.
func (t *table) row(name string) []float64 {
	if i, ok := t.index[name]; ok {
		return t.w[i]
	}
	return nil
}

// ensure returns the index of name's row, creating it.
func (t *table) ensure(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	i := len(t.w)
	t.index[name] = i
	t.w = append(t.w, make([]float64, t.width))
	t.grad = append(t.grad, make([]float64, t.width))
	t.m = append(t.m, make([]float64, t.width))
	t.v = append(t.v, make([]float64, t.width))
	t.touched = append(t.touched, false)
	t.steps = append(t.steps, 0)
	return i
}

// gradRow returns the gradient row of name, creating the row, and marks
// it as touched in this step.
func (t *table) gradRow(name string) []float64 {
	i := t.ensure(name)
	t.touched[i] = true
	return t.grad[i]
}

func (t *table) zeroGrad() {
	for i, g := range t.grad {
		clear(g)
		t.touched[i] = false
	}
}

// step clips the gradients to the global norm o.MaxGradNorm, applies one
// AdamW step (decoupled weight decay, bias-corrected moments) to every
// touched row and zeroes the gradients.
func (t *table) step(o policy.Optim) policy.StepStats {
	var ss float64
	for _, g := range t.grad {
		for _, x := range g {
			ss += x * x
		}
	}
	st := policy.StepStats{GradNorm: math.Sqrt(ss)}
	scale := 1.0
	if o.MaxGradNorm > 0 && st.GradNorm > o.MaxGradNorm {
		scale, st.Clipped = o.MaxGradNorm/(st.GradNorm+1e-6), true
	}
	for i := range t.w {
		if !t.touched[i] {
			continue
		}
		t.steps[i]++
		c1 := 1 - math.Pow(o.Beta1, float64(t.steps[i]))
		c2 := 1 - math.Pow(o.Beta2, float64(t.steps[i]))
		for k := range t.w[i] {
			g := t.grad[i][k] * scale
			t.m[i][k] = o.Beta1*t.m[i][k] + (1-o.Beta1)*g
			t.v[i][k] = o.Beta2*t.v[i][k] + (1-o.Beta2)*g*g
			mh, vh := t.m[i][k]/c1, t.v[i][k]/c2
			t.w[i][k] -= o.LR * (mh/(math.Sqrt(vh)+o.Eps) + o.WeightDecay*t.w[i][k])
		}
	}
	t.zeroGrad()
	return st
}

// clone copies the table; with state false only names and weights.
func (t *table) clone(state bool) *table {
	c := &table{width: t.width, index: make(map[string]int, len(t.index)), steps: append([]int(nil), t.steps...)}
	for k, v := range t.index {
		c.index[k] = v
	}
	c.w = copyRows(t.w)
	c.grad = make([][]float64, len(t.w))
	for i := range c.grad {
		c.grad[i] = make([]float64, t.width)
	}
	c.touched = make([]bool, len(t.w))
	if state {
		c.m, c.v = copyRows(t.m), copyRows(t.v)
	} else {
		c.m, c.v = copyRows(c.grad), copyRows(c.grad)
		c.steps = make([]int, len(t.w))
	}
	return c
}

func copyRows(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}

// Key names a token prefix, e.g. "3.0.7".
func Key(prefix []int) string {
	var b strings.Builder
	b.Grow(5 * len(prefix))
	for i, t := range prefix {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(t))
	}
	return b.String()
}
