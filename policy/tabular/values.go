package tabular

import (
	"fmt"

	"github.com/seeupo/seeupo/policy"
)

// Values is a tabular critic: the value before a response token is the
// sum of the scalar rows the prefix's features name (0 at the start).
type Values struct {
	features Features
	t        *table
}

var _ policy.ValueModel = (*Values)(nil)

// NewValues returns a critic whose value after a prefix is the sum of the
// rows features names (History: one value per prefix).
func NewValues(features Features) *Values { return &Values{features: features, t: newTable(1)} }

func (v *Values) value(prefix []int) float64 { return logits(v.t, 1, v.features(prefix))[0] }

// Values predicts the value before each response token.
func (v *Values) Values(batch []policy.Sample) ([][]float64, error) {
	out := make([][]float64, len(batch))
	for i, s := range batch {
		out[i] = make([]float64, len(s.Response))
		prefix := append([]int(nil), s.Context...)
		for j, tok := range s.Response {
			out[i][j] = v.value(prefix)
			prefix = append(prefix, tok)
		}
	}
	return out, nil
}

// ForwardBackwardValues predicts, calls loss and accumulates its gradient.
func (v *Values) ForwardBackwardValues(batch []policy.Sample, loss func([][]float64) (float64, [][]float64, error)) (float64, error) {
	vals, _ := v.Values(batch)
	l, d, err := loss(vals)
	if err != nil {
		return 0, err
	}
	if len(d) != len(batch) {
		return 0, fmt.Errorf("tabular critic: loss gradient has %d rows for %d samples", len(d), len(batch))
	}
	for i := range d {
		if len(d[i]) != len(batch[i].Response) {
			return 0, fmt.Errorf("tabular critic: loss gradient row %d has %d values for %d tokens", i, len(d[i]), len(batch[i].Response))
		}
	}
	for i, s := range batch {
		prefix := append([]int(nil), s.Context...)
		for j, tok := range s.Response {
			if d[i][j] != 0 {
				for _, f := range v.features(prefix) {
					v.t.gradRow(f)[0] += d[i][j]
				}
			}
			prefix = append(prefix, tok)
		}
	}
	return l, nil
}

// Step applies AdamW after global-norm clipping to the rows that received
// a gradient since the last step.
func (v *Values) Step(o policy.Optim) (policy.StepStats, error) { return v.t.step(o), nil }

// ZeroGrad discards accumulated gradients.
func (v *Values) ZeroGrad() { v.t.zeroGrad() }

// Snapshot copies weights and optimiser state.
func (v *Values) Snapshot() policy.Snapshot { return v.t.clone(true) }

// Restore puts back a snapshot taken from a tabular critic.
func (v *Values) Restore(s policy.Snapshot) error {
	t, ok := s.(*table)
	if !ok || t.width != 1 {
		return fmt.Errorf("tabular: snapshot %T does not come from a tabular critic", s)
	}
	v.t = t.clone(true)
	return nil
}
