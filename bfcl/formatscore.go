package bfcl

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// configCount is one configuration's tally in a format sensitivity run.
type configCount struct {
	config         string
	correct, total int
}

// formatSensitivity is one entry of upstream's format_sensitivity_runner:
// the reply decoded in the return format (and tool-call tag) its id's
// configuration names, checked as the source entry's category.
func (r *scoreRun) formatSensitivity(id, raw py.Value, gt, prompt *py.Dict) (*py.Dict, error) {
	parts := strings.Split(py.StrOf(id), ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("test entry id %s should contain exactly two colons (a format sensitivity id)", py.StrOf(id))
	}
	f, err := ParsePromptFormat(parts[1])
	if err != nil {
		return nil, err
	}
	failure, err := r.astFormat(id, raw, gt, prompt, parts[2], f.Return, f.ToolCallTag)
	if err != nil {
		return nil, err
	}
	i := 0
	for i < len(r.configs) && r.configs[i].config != parts[1] {
		i++
	}
	if i == len(r.configs) {
		r.configs = append(r.configs, configCount{config: parts[1]})
	}
	r.configs[i].total++
	if failure == nil {
		r.configs[i].correct++
	}
	return failure, nil
}

// configStats adds format sensitivity's header fields: the spread of the
// per-configuration accuracies (max delta, variance and standard
// deviation, in percent, rounded to 2 places) and each configuration's
// accuracy and counts.
func (r *scoreRun) configStats(header *py.Dict) {
	accs := make([]float64, len(r.configs))
	for i, c := range r.configs {
		accs[i] = float64(c.correct) / float64(c.total)
	}
	var delta, variance, std float64
	if len(accs) > 1 {
		lo, hi := accs[0], accs[0]
		for _, a := range accs {
			lo, hi = math.Min(lo, a), math.Max(hi, a)
		}
		mss := sampleVariance(accs)
		v, _ := mss.Float64()
		variance = pynum.Round(v*10000, 2)
		std = pynum.Round(sqrtRat(mss)*100, 2)
		delta = pynum.Round((hi-lo)*100, 2)
	}
	header.SetStr("accuracy_max_delta", py.Float(delta))
	header.SetStr("accuracy_variance", py.Float(variance))
	header.SetStr("accuracy_std", py.Float(std))
	for i, c := range r.configs {
		header.SetStr(c.config, py.NewDict().With("accuracy", py.Float(accs[i])).
			With("correct_count", py.Int(c.correct)).With("total_count", py.Int(c.total)))
	}
}

// sampleVariance is the exact sample variance of the floats, as Python's
// statistics module computes it before rounding.
func sampleVariance(xs []float64) *big.Rat {
	n := big.NewRat(int64(len(xs)), 1)
	sum := new(big.Rat)
	for _, x := range xs {
		sum.Add(sum, new(big.Rat).SetFloat64(x))
	}
	mean := new(big.Rat).Quo(sum, n)
	ss := new(big.Rat)
	for _, x := range xs {
		d := new(big.Rat).Sub(new(big.Rat).SetFloat64(x), mean)
		ss.Add(ss, d.Mul(d, d))
	}
	return ss.Quo(ss, big.NewRat(int64(len(xs)-1), 1))
}

// sqrtRat is the float closest to the square root of a non-negative
// rational (statistics.stdev's correctly rounded square root).
func sqrtRat(q *big.Rat) float64 {
	if q.Sign() == 0 {
		return 0
	}
	f := new(big.Float).SetPrec(256).SetRat(q)
	f.Sqrt(f)
	x, _ := f.Float64()
	// Move to the neighbour whose square is closer when the estimate sits
	// on the wrong side of a midpoint.
	for _, y := range []float64{math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1))} {
		if closerSqrt(y, x, q) {
			x = y
		}
	}
	return x
}

// closerSqrt says whether y is strictly closer to sqrt(q) than x: the
// midpoint m of x and y lies between them, and y wins when q is past m².
func closerSqrt(y, x float64, q *big.Rat) bool {
	m := new(big.Rat).Add(new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y))
	m.Quo(m, big.NewRat(2, 1))
	m2 := new(big.Rat).Mul(m, m)
	if y > x {
		return q.Cmp(m2) > 0
	}
	return q.Cmp(m2) < 0
}
