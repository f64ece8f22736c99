package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/harness/metrics"
)

// SectionSummary is the heading of the one-page summary that opens a
// report.
const SectionSummary = "Summary"

// GreedyPrefix names the greedy evaluation's figures in a run's summary
// (eval/greedy/avg@1); GreedyStartPrefix those of the warm start it
// started from.
const (
	GreedyPrefix      = "greedy/"
	GreedyStartPrefix = "greedy_start/"
)

// Gain is one algorithm's change of an evaluation figure over its seeds:
// per seed the final value minus the value before training.
type Gain struct {
	Algorithm string
	Final     Sample // the final values
	Gain      Sample // final − initial, per seed
	// Vs compares the final values with the base algorithm's (nil for the
	// base row, or when either side has fewer than two seeds).
	Vs *Comparison
}

// SuiteSummary is what the summary page says about one suite.
type SuiteSummary struct {
	Suite  string
	Budget string
	Base   string
	Metric string  // the sampled evaluation figure, e.g. avg@4
	Start  float64 // its value before training (mean over runs)
	Gains  []Gain
	// Greedy are the gains of the greedy evaluation (avg@1), where the
	// runs have it.
	Greedy      []Gain
	GreedyStart float64
	Runs        int
	TrainWallS  float64 // the runs' training time, summed
	Stability   []RunStability
	Failures    []FailureProfile
}

// Summarise builds the summary of every suite of the set.
func Summarise(s *Set, base string) []SuiteSummary {
	var out []SuiteSummary
	for _, suite := range s.Suites() {
		out = append(out, summariseSuite(s, suite, base))
	}
	return out
}

func summariseSuite(s *Set, suite, base string) SuiteSummary {
	sum := SuiteSummary{Suite: suite, Budget: suiteBudget(s, suite), Base: base}
	algs := suiteAlgorithms(s, suite, base)
	var starts, gstarts []float64
	for _, a := range algs {
		for _, r := range s.Group(suite, a) {
			if sum.Metric == "" {
				sum.Metric = evalKName(r, "avg@")
			}
			sum.Runs++
			if r.Summary != nil {
				sum.TrainWallS += r.Summary.WallClockS
			}
			if v, ok := firstEvalValue(r, sum.Metric); ok {
				starts = append(starts, v)
			}
			if v, ok := summaryFigure(r, GreedyStartPrefix+"avg@1"); ok {
				gstarts = append(gstarts, v)
			}
			sum.Stability = append(sum.Stability, runStability(r, sum.Metric))
		}
	}
	sum.Start, sum.GreedyStart = Summarize(starts).Mean, Summarize(gstarts).Mean
	sum.Gains = gains(s, suite, algs, base, func(r *Run) (float64, float64, bool) {
		f, ok1 := lastEvalAggregate(sum.Metric)(r)
		i, ok2 := firstEvalValue(r, sum.Metric)
		return f, i, ok1 && ok2
	})
	if len(gstarts) > 0 {
		sum.Greedy = gains(s, suite, algs, base, func(r *Run) (float64, float64, bool) {
			f, ok1 := summaryFigure(r, GreedyPrefix+"avg@1")
			i, ok2 := summaryFigure(r, GreedyStartPrefix+"avg@1")
			return f, i, ok1 && ok2
		})
	}
	sum.Failures = failureProfiles(s, suite, algs)
	return sum
}

// gains summarises final and final − initial per algorithm and tests each
// algorithm's finals against the base's.
func gains(s *Set, suite string, algs []string, base string, value func(*Run) (final, initial float64, ok bool)) []Gain {
	finals := map[string][]float64{}
	var out []Gain
	for _, a := range algs {
		var fs, ds []float64
		for _, r := range s.Group(suite, a) {
			if f, i, ok := value(r); ok {
				fs, ds = append(fs, f), append(ds, f-i)
			}
		}
		finals[a] = fs
		out = append(out, Gain{Algorithm: a, Final: Summarize(fs), Gain: Summarize(ds)})
	}
	for i := range out {
		a := out[i].Algorithm
		if a == base || len(finals[a]) < 2 || len(finals[base]) < 2 {
			continue
		}
		if t, err := MannWhitney(finals[a], finals[base]); err == nil {
			out[i].Vs = &Comparison{Test: t, Tested: true,
				Gain: (out[i].Final.Mean - Summarize(finals[base]).Mean) / math.Abs(Summarize(finals[base]).Mean)}
		}
	}
	return out
}

// firstEvalValue is an aggregate of the run's first evaluation (the one
// before training).
func firstEvalValue(r *Run, agg string) (float64, bool) {
	if len(r.Evals) == 0 {
		return 0, false
	}
	v, ok := r.Evals[0].Aggregates[agg]
	return v, ok
}

func summaryFigure(r *Run, name string) (float64, bool) {
	if r.Summary == nil {
		return 0, false
	}
	v, ok := r.Summary.Figures[metrics.EvalMetric(name)]
	return v, ok
}

// RunStability are the figures of one run that the paper's stability
// argument is about.
type RunStability struct {
	Algorithm string
	Seed      int
	// RewardDrop is the largest fall of the training reward (the mean
	// score of the step's batch) from an earlier peak.
	RewardDrop float64
	// EntropyRatio is the last step's policy entropy over the first's; a
	// collapse is a ratio below EntropyCollapseRatio.
	EntropyRatio float64
	// GradSpikes counts steps whose gradient norm exceeds
	// GradSpikeFactor times the run's median (over the steps with non-zero
	// advantages).
	GradSpikes int
	// EndedBelow is true when the last evaluation is below the first.
	EndedBelow bool
}

// Thresholds of the stability figures.
const (
	EntropyCollapseRatio = 0.1
	GradSpikeFactor      = 5.0
)

// EntropyCollapsed reports whether the run's entropy collapsed.
func (r RunStability) EntropyCollapsed() bool {
	return !math.IsNaN(r.EntropyRatio) && r.EntropyRatio < EntropyCollapseRatio
}

func runStability(r *Run, metric string) RunStability {
	st := RunStability{Algorithm: r.ID.Algorithm, Seed: r.ID.Seed, EntropyRatio: math.NaN()}
	reward := seriesFor(r, metrics.ScoreMean)
	if len(reward) == 0 {
		reward = seriesFor(r, metrics.RewardsMean)
	}
	peak := math.Inf(-1)
	for _, p := range reward {
		peak = math.Max(peak, p.Y)
		st.RewardDrop = math.Max(st.RewardDrop, peak-p.Y)
	}
	if ent := seriesFor(r, metrics.ActorEntropy); len(ent) > 1 && ent[0].Y > 0 {
		st.EntropyRatio = ent[len(ent)-1].Y / ent[0].Y
	}
	st.GradSpikes = gradSpikes(r)
	f, ok1 := lastEvalAggregate(metric)(r)
	i, ok2 := firstEvalValue(r, metric)
	st.EndedBelow = ok1 && ok2 && f < i
	return st
}

// gradSpikes counts the steps whose gradient norm exceeds GradSpikeFactor
// times the median over the steps that had something to learn: a step
// whose advantages are all zero (every group's rewards equal) has a
// near-zero gradient and would drag the median down.
func gradSpikes(r *Run) int {
	var norms []float64
	for _, rec := range r.Steps {
		n, ok := rec.Data[metrics.ActorGradNorm]
		if !ok || math.IsNaN(n) {
			continue
		}
		hi, okHi := rec.Data[metrics.AdvantagesMax]
		lo, okLo := rec.Data[metrics.AdvantagesMin]
		if okHi && okLo && hi == 0 && lo == 0 {
			continue
		}
		norms = append(norms, n)
	}
	if len(norms) == 0 {
		return 0
	}
	sorted := append([]float64(nil), norms...)
	sort.Float64s(sorted)
	med := sorted[len(sorted)/2]
	spikes := 0
	for _, n := range norms {
		if med > 0 && n > GradSpikeFactor*med {
			spikes++
		}
	}
	return spikes
}

// FailureProfile is, for one kind of task (its id without the trailing
// number) and one algorithm, how the failed samples of the last
// evaluation spread over the user turns at which they first went wrong.
type FailureProfile struct {
	Kind      string
	Algorithm string
	Samples   int   // samples evaluated
	Failed    int   // of which failed
	AtTurn    []int // AtTurn[t-1]: failures first wrong at turn t
}

// Share is the fraction of the failures first wrong at turn t (1-based).
func (f FailureProfile) Share(t int) float64 {
	if f.Failed == 0 || t < 1 || t > len(f.AtTurn) {
		return 0
	}
	return float64(f.AtTurn[t-1]) / float64(f.Failed)
}

// taskKind is a task id without its trailing _<number>.
func taskKind(id string) string {
	i := strings.LastIndexByte(id, '_')
	if i < 0 {
		return id
	}
	if _, err := strconv.Atoi(id[i+1:]); err != nil {
		return id
	}
	return id[:i]
}

func failureProfiles(s *Set, suite string, algs []string) []FailureProfile {
	var out []FailureProfile
	for _, a := range algs {
		byKind := map[string]*FailureProfile{}
		for _, r := range s.Group(suite, a) {
			ev, ok := lastEval(r)
			if !ok {
				continue
			}
			for _, t := range ev.Tasks {
				k := taskKind(t.Task)
				fp := byKind[k]
				if fp == nil {
					fp = &FailureProfile{Kind: k, Algorithm: a}
					byKind[k] = fp
				}
				fp.Samples += len(t.Success)
				for i, ok := range t.Success {
					if ok {
						continue
					}
					fp.Failed++
					if i < len(t.FailedTurn) && t.FailedTurn[i] > 0 {
						for len(fp.AtTurn) < t.FailedTurn[i] {
							fp.AtTurn = append(fp.AtTurn, 0)
						}
						fp.AtTurn[t.FailedTurn[i]-1]++
					}
				}
			}
		}
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			if len(byKind[k].AtTurn) > 0 {
				out = append(out, *byKind[k])
			}
		}
	}
	return out
}

// gainText is "+4.2 points [−1.0, +9.4]" for a gain in a [0, 1] figure.
func gainText(g Sample) string {
	if g.N == 0 {
		return "—"
	}
	s := fmt.Sprintf("%+.1f points", 100*g.Mean)
	if !math.IsNaN(g.HalfWidth) {
		s += fmt.Sprintf(" [%+.1f, %+.1f]", 100*g.Lo(), 100*g.Hi())
	}
	return s
}

// SummaryLines are the summary of one suite as lines of text: the warm
// start, each algorithm's gain with its interval and test against the
// base, the significant and the non-significant differences, the budget
// and the training time.
func (ss SuiteSummary) SummaryLines() []string {
	budget := ss.Budget
	if budget == "" {
		budget = "not recorded"
	}
	lines := []string{fmt.Sprintf("%s: %d runs, budget %s, training time %s in all. Warm start (every run's start): %s %.3f",
		ss.Suite, ss.Runs, budget, durationText(ss.TrainWallS), ss.Metric, ss.Start)}
	if len(ss.Greedy) > 0 {
		lines[0] += fmt.Sprintf(", greedy avg@1 %.3f", ss.GreedyStart)
	}
	lines[0] += "."
	lines = append(lines, ss.gainLines(ss.Metric+" (sampled)", ss.Gains)...)
	if len(ss.Greedy) > 0 {
		lines = append(lines, ss.gainLines("avg@1 (greedy)", ss.Greedy)...)
	}
	return lines
}

func (ss SuiteSummary) gainLines(what string, gs []Gain) []string {
	var out []string
	var sig, notSig []string
	for _, g := range gs {
		line := fmt.Sprintf("  %s %s: final %.3f, gain %s over %d seeds", g.Algorithm, what, g.Final.Mean, gainText(g.Gain), g.Gain.N)
		if g.Vs != nil {
			verdict := "not significant"
			if g.Vs.Significant() {
				verdict = "significant"
			}
			line += fmt.Sprintf("; vs %s p = %.3f (%s at %.2f)", ss.Base, g.Vs.Test.P, verdict, Alpha)
			name := fmt.Sprintf("%s %s %s", g.Algorithm, cmpWord(g.Final.Mean, baseFinal(gs, ss.Base)), ss.Base)
			if g.Vs.Significant() {
				sig = append(sig, name)
			} else {
				notSig = append(notSig, name)
			}
		}
		out = append(out, line)
	}
	if len(sig)+len(notSig) > 0 {
		out = append(out, fmt.Sprintf("  %s, significant at %.2f (two-sided Mann-Whitney U on final values): %s; not significant: %s.",
			what, Alpha, listOrNone(sig), listOrNone(notSig)))
	}
	return out
}

func baseFinal(gs []Gain, base string) float64 {
	for _, g := range gs {
		if g.Algorithm == base {
			return g.Final.Mean
		}
	}
	return math.NaN()
}

func cmpWord(a, b float64) string {
	switch {
	case a > b:
		return ">"
	case a < b:
		return "<"
	}
	return "="
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func durationText(s float64) string {
	if s <= 0 {
		return "not recorded"
	}
	return fmt.Sprintf("%.1f min", s/60)
}

// StabilityHeader and StabilityRows are the per-run stability table.
var StabilityHeader = []string{"algorithm", "seed", "largest reward drop", "entropy last/first", "grad-norm spikes", "ended below start"}

// StabilityRows formats the summary's per-run stability figures.
func (ss SuiteSummary) StabilityRows() [][]string {
	var rows [][]string
	for _, st := range ss.Stability {
		ent := "—"
		if !math.IsNaN(st.EntropyRatio) {
			ent = fmt.Sprintf("%.2f", st.EntropyRatio)
			if st.EntropyCollapsed() {
				ent += " (collapse)"
			}
		}
		below := "no"
		if st.EndedBelow {
			below = "yes"
		}
		rows = append(rows, []string{st.Algorithm, strconv.Itoa(st.Seed), fmt.Sprintf("%.3f", st.RewardDrop), ent,
			strconv.Itoa(st.GradSpikes), below})
	}
	return rows
}

// FailureHeader and FailureRows are the failure profile table: per kind
// of task and algorithm, the share of failures first wrong at each turn.
func (ss SuiteSummary) FailureHeader() []string {
	n := 0
	for _, f := range ss.Failures {
		n = max(n, len(f.AtTurn))
	}
	h := []string{"tasks", "algorithm", "failed/samples"}
	for t := 1; t <= n; t++ {
		h = append(h, fmt.Sprintf("turn %d", t))
	}
	return h
}

// FailureRows formats the failure profiles.
func (ss SuiteSummary) FailureRows() [][]string {
	n := len(ss.FailureHeader()) - 3
	var rows [][]string
	for _, f := range ss.Failures {
		row := []string{f.Kind, f.Algorithm, fmt.Sprintf("%d/%d", f.Failed, f.Samples)}
		for t := 1; t <= n; t++ {
			row = append(row, fmt.Sprintf("%.0f%%", 100*f.Share(t)))
		}
		rows = append(rows, row)
	}
	return rows
}
