package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/harness/metrics"
)

// Direction says which way a metric improves.
type Direction int

const (
	Neutral Direction = iota
	HigherBetter
	LowerBetter
)

// FinalWindow is the number of last logged steps averaged for a training
// metric's final value.
const FinalWindow = 5

// Column is one metric of the comparison table: how to read it from a run.
type Column struct {
	// Name is what --metrics accepts and CSV writes.
	Name  string
	Label string
	Unit  string
	Dir   Direction
	// value reads the per-run figure; ok is false when the run lacks it.
	value func(r *Run) (v float64, ok bool)
	// target marks steps-to-target columns (+Inf means never reached).
	target bool
}

// Target is a threshold a run reaches: the first step where Metric Op Value.
type Target struct {
	Metric string
	Op     string // ">=" or "<="
	Value  float64
}

func (t Target) String() string { return t.Metric + t.Op + strconv.FormatFloat(t.Value, 'g', -1, 64) }

// ParseTarget reads "METRIC>=VALUE" or "METRIC<=VALUE".
func ParseTarget(s string) (Target, error) {
	for _, op := range []string{">=", "<="} {
		if i := strings.Index(s, op); i > 0 {
			v, err := strconv.ParseFloat(strings.TrimSpace(s[i+2:]), 64)
			if err != nil {
				return Target{}, fmt.Errorf("target %q: value %q is not a number", s, s[i+2:])
			}
			return Target{Metric: strings.TrimSpace(s[:i]), Op: op, Value: v}, nil
		}
	}
	return Target{}, fmt.Errorf("target %q: want METRIC>=VALUE or METRIC<=VALUE (e.g. avg@k>=0.5, theory/gap<=0.01)", s)
}

func (t Target) reached(v float64) bool {
	if t.Op == ">=" {
		return v >= t.Value
	}
	return v <= t.Value
}

// DefaultColumns are the table's metrics when --metrics is not given; a
// column appears for a suite only if some run of the suite has it.
var DefaultColumns = []string{
	"avg@k", "pass@k", "pass^k", "reward", "steps-to-target", "J/J*", "theory/J", "theory/gap",
	"time/step", "optim-steps/step", "tokens/s",
}

// DefaultTargets: a success rate of one half, or a theory gap of 0.01.
var DefaultTargets = []Target{{"avg@k", ">=", 0.5}, {metrics.TheoryGap, "<=", 0.01}}

// knownDirections are the directions of raw training metrics.
var knownDirections = map[string]Direction{
	metrics.ScoreMean: HigherBetter, metrics.RewardsMean: HigherBetter, metrics.SuccessMean: HigherBetter,
	metrics.TheoryJ: HigherBetter, metrics.TheoryGap: LowerBetter, metrics.TimingStep: LowerBetter,
	metrics.PerfThroughput: HigherBetter, metrics.PerfTimePerStep: LowerBetter,
	metrics.RolloutInfraFailedRate: LowerBetter,
}

// kPrefixes start the names of the evaluation aggregates that take the
// sample count k: avg@k, pass@k, pass^k.
var kPrefixes = []string{"avg@", "pass@", "pass^"}

// kPrefix is the prefix of an aggregate named for its k ("avg@4",
// "pass^k" → "pass^"), or "" for other names.
func kPrefix(name string) string {
	for _, p := range kPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return p
		}
	}
	return ""
}

// isGenericK reports whether name is a k-aggregate with the letter k
// ("avg@k", "pass^k"), which stands for whatever k a run has.
func isGenericK(name string) bool {
	p := kPrefix(name)
	return p != "" && name == p+"k"
}

// ColumnNames lists the built-in column names for error messages.
func ColumnNames() string {
	return "avg@k, pass@k, pass^k, avg@N, pass@N, pass^N, reward, steps-to-target, J/J*, time/step, optim-steps/step, tokens/s, " +
		"eval/<aggregate>, or any training metric name (final value: mean of the last 5 steps; else the summary's figure of that name)"
}

// ResolveColumn turns a --metrics name into a column. targets supply the
// steps-to-target column (the first one any run of the suite can reach).
func ResolveColumn(name string, targets []Target) (Column, error) {
	switch {
	case name == "" || strings.ContainsAny(name, " \t"):
		return Column{}, fmt.Errorf("metric %q: want one of %s", name, ColumnNames())
	case isGenericK(name):
		return Column{Name: name, Label: name, Dir: HigherBetter, value: lastEvalPrefix(kPrefix(name))}, nil
	case kPrefix(name) != "":
		return Column{Name: name, Label: name, Dir: HigherBetter, value: lastEvalAggregate(name)}, nil
	case strings.HasPrefix(name, "eval/"):
		agg := strings.TrimPrefix(name, "eval/")
		dir := HigherBetter
		if strings.HasSuffix(agg, metrics.AggInfraFailedRate) {
			dir = LowerBetter
		}
		return Column{Name: name, Label: agg, Dir: dir, value: lastEvalAggregate(agg)}, nil
	case name == "reward":
		return Column{Name: name, Label: "final reward", Dir: HigherBetter, value: finalMean(metrics.ScoreMean)}, nil
	case name == "steps-to-target":
		return Column{Name: name, Label: "steps to target", Dir: LowerBetter,
			value: stepsToTarget(targets), target: true}, nil
	case name == "J/J*":
		return Column{Name: name, Label: "final J/J*", Dir: HigherBetter, value: finalRatio(metrics.TheoryJ, metrics.TheoryJStar)}, nil
	case name == "time/step":
		return Column{Name: name, Label: "time/step", Unit: "s", Dir: LowerBetter, value: meanOver(metrics.TimingStep)}, nil
	case name == "optim-steps/step":
		return Column{Name: name, Label: "optim steps/step", Dir: Neutral, value: meanOver(metrics.PerfOptimizerSteps)}, nil
	case name == "tokens/s":
		return Column{Name: name, Label: "tokens/s", Dir: HigherBetter, value: meanOver(metrics.PerfThroughput)}, nil
	}
	return Column{Name: name, Label: name, Dir: knownDirections[name], value: finalMean(name)}, nil
}

// lastEval is the run's last evaluation, if any.
func lastEval(r *Run) (metrics.Eval, bool) {
	if len(r.Evals) == 0 {
		return metrics.Eval{}, false
	}
	return r.Evals[len(r.Evals)-1], true
}

// lastEvalAggregate reads an aggregate of the last evaluation, else the
// summary's "eval/<agg>" figure, else a plain log's training metric of that
// name.
func lastEvalAggregate(agg string) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		if ev, ok := lastEval(r); ok {
			if v, ok := ev.Aggregates[agg]; ok {
				return v, true
			}
		}
		if r.Summary != nil {
			if v, ok := r.Summary.Figures[metrics.EvalMetric(agg)]; ok {
				return v, true
			}
		}
		return lastValue(r, metrics.EvalMetric(agg))
	}
}

// lastValue is the last logged value of a training-log metric.
func lastValue(r *Run, name string) (float64, bool) {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if v, ok := r.Steps[i].Data[name]; ok && !math.IsNaN(v) {
			return v, true
		}
	}
	return 0, false
}

// lastEvalPrefix reads the first aggregate whose name starts with prefix
// ("avg@", "pass@", "pass^") whatever its k.
func lastEvalPrefix(prefix string) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		if name := evalKName(r, prefix); name != "" {
			return lastEvalAggregate(name)(r)
		}
		return 0, false
	}
}

// evalKName finds the aggregate name with the prefix in the run's evaluations
// or summary, e.g. "avg@4".
func evalKName(r *Run, prefix string) string {
	var names []string
	if ev, ok := lastEval(r); ok {
		for k := range ev.Aggregates {
			names = append(names, k)
		}
	}
	if r.Summary != nil {
		for k := range r.Summary.Figures {
			names = append(names, strings.TrimPrefix(k, "eval/"))
		}
	}
	if len(names) == 0 {
		// A plain log: eval aggregates logged beside training metrics.
		for _, st := range r.Steps {
			for k := range st.Data {
				if agg, ok := strings.CutPrefix(k, "eval/"); ok {
					names = append(names, agg)
				}
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return n
		}
	}
	return ""
}

// finalMean averages a training metric over the last FinalWindow steps
// that have it; a run without it in its steps falls back to its summary's
// figure of that name.
func finalMean(name string) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		var sum float64
		n := 0
		for i := len(r.Steps) - 1; i >= 0 && n < FinalWindow; i-- {
			if v, ok := r.Steps[i].Data[name]; ok && !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n == 0 {
			if r.Summary != nil {
				if v, ok := r.Summary.Figures[name]; ok && !math.IsNaN(v) {
					return v, true
				}
			}
			return 0, false
		}
		return sum / float64(n), true
	}
}

// finalRatio averages num/den over the last FinalWindow steps that have both.
func finalRatio(num, den string) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		var sum float64
		n := 0
		for i := len(r.Steps) - 1; i >= 0 && n < FinalWindow; i-- {
			a, okA := r.Steps[i].Data[num]
			b, okB := r.Steps[i].Data[den]
			if okA && okB && b != 0 && !math.IsNaN(a/b) {
				sum += a / b
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return sum / float64(n), true
	}
}

// meanOver averages a training metric over every step that has it.
func meanOver(name string) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		var sum float64
		n := 0
		for _, s := range r.Steps {
			if v, ok := s.Data[name]; ok && !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return sum / float64(n), true
	}
}

// stepsToTarget is the first step at which the run meets the first target
// it has data for; +Inf when it has the data but never meets it.
func stepsToTarget(targets []Target) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		for _, t := range targets {
			series := seriesFor(r, t.Metric)
			if len(series) == 0 {
				continue
			}
			for _, p := range series {
				if t.reached(p.Y) {
					return p.X, true
				}
			}
			return math.Inf(1), true
		}
		return 0, false
	}
}

// Point is one (step, value) pair of a run's curve.
type Point struct{ X, Y float64 }

// seriesFor is a run's curve of a metric: an evaluation aggregate (avg@k,
// pass@k, pass^k, avg@4, eval/tgc) from its evaluations, or from "eval/<aggregate>"
// lines of a plain log; else a training metric from its steps.
func seriesFor(r *Run, metric string) []Point {
	name := metric
	if agg, isEval := evalAggregateName(metric); isEval {
		if isGenericK(agg) {
			agg = evalKName(r, kPrefix(agg))
		}
		if agg == "" {
			return nil
		}
		var out []Point
		for _, ev := range r.Evals {
			if v, ok := ev.Aggregates[agg]; ok && !math.IsNaN(v) {
				out = append(out, Point{float64(ev.Step), v})
			}
		}
		if len(out) > 0 {
			return out
		}
		name = metrics.EvalMetric(agg)
	}
	var out []Point
	for _, s := range r.Steps {
		if v, ok := s.Data[name]; ok && !math.IsNaN(v) {
			out = append(out, Point{float64(s.Step), v})
		}
	}
	return out
}

// evalAggregateName tells whether a metric names an evaluation aggregate
// ("eval/tgc", "avg@4", "pass@k", "pass^4") and returns the aggregate's
// name.
func evalAggregateName(metric string) (string, bool) {
	if agg, ok := strings.CutPrefix(metric, "eval/"); ok {
		return agg, true
	}
	if kPrefix(metric) != "" {
		return metric, true
	}
	return "", false
}
