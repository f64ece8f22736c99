package reports

import (
	"math"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

// TestSummaryByHand checks the summary page's figures on runs small
// enough to work out by hand.
func TestSummaryByHand(t *testing.T) {
	s := &Set{}
	add := func(alg string, seed int, start, final float64, rewards, entropy, grads []float64, tasks []metrics.TaskResult) {
		r := &Run{ID: metrics.ID{Suite: "lab", Algorithm: alg, Seed: seed},
			Meta:    &metrics.Meta{Extra: map[string]string{"budget": "rollouts"}},
			Summary: &metrics.Summary{WallClockS: 60, Figures: metrics.Data{"eval/greedy/avg@1": final + 0.1, "eval/greedy_start/avg@1": 0.2}},
			Evals: []metrics.Eval{{Step: 0, Aggregates: metrics.Data{"avg@4": start}},
				{Step: 10, Aggregates: metrics.Data{"avg@4": final}, Tasks: tasks}}}
		for i := range rewards {
			r.Steps = append(r.Steps, metrics.Record{Step: int64(i + 1), Data: metrics.Data{
				metrics.ScoreMean: rewards[i], metrics.ActorEntropy: entropy[i], metrics.ActorGradNorm: grads[i]}})
		}
		s.Runs = append(s.Runs, r)
	}
	// Greedy: each final is the sampled final + 0.1, the start 0.2, so
	// seeupo's greedy gain is 0.4 + 0.1 − 0.2 = 0.3.
	flat := []float64{1, 1, 1, 1}
	// seeupo gains 0.2, 0.3, 0.4 from 0.1 (mean 0.3, s = 0.1, half-width
	// 4.3027·0.1/√3 = 0.2484 → [+5.2, +54.8] points). Seed 0's reward
	// rises to 0.9, falls to 0.3 and recovers: largest drop 0.6.
	add("seeupo", 0, 0.1, 0.3, []float64{0.5, 0.9, 0.3, 0.8}, []float64{2, 1.5, 1.2, 1}, []float64{1, 1, 1, 6},
		[]metrics.TaskResult{
			{Task: "gen_lab_chain_3", Success: []bool{true, false, false}, FailedTurn: []int{0, 2, 1}},
			{Task: "gen_lab_ids_7", Success: []bool{false, false}, FailedTurn: []int{2, 2}},
		})
	add("seeupo", 1, 0.1, 0.4, flat, flat, flat, nil)
	add("seeupo", 2, 0.1, 0.5, flat, flat, flat, nil)
	// grpo ends below its start on every seed; its entropy collapses
	// (0.1/2 = 0.05 < 0.1).
	add("grpo", 0, 0.1, 0.05, flat, []float64{2, 1, 0.5, 0.1}, flat, nil)
	add("grpo", 1, 0.1, 0.0, flat, flat, flat, nil)
	add("grpo", 2, 0.1, 0.02, flat, flat, flat, nil)

	sums := Summarise(s, "seeupo")
	if len(sums) != 1 {
		t.Fatalf("%d summaries", len(sums))
	}
	ss := sums[0]
	if ss.Metric != "avg@4" || ss.Runs != 6 || ss.Budget != "rollouts" || ss.TrainWallS != 360 || math.Abs(ss.Start-0.1) > 1e-12 {
		t.Fatalf("summary %+v", ss)
	}
	g := ss.Gains[0]
	if g.Algorithm != "seeupo" || math.Abs(g.Gain.Mean-0.3) > 1e-12 || math.Abs(g.Gain.HalfWidth-0.24841) > 1e-4 || g.Vs != nil {
		t.Errorf("seeupo gain %+v", g)
	}
	// grpo's finals (0.05, 0, 0.02) are all below seeupo's: U = 0, exact
	// two-sided p = 2/20 = 0.1, not significant at 0.05.
	if v := ss.Gains[1].Vs; v == nil || math.Abs(v.Test.P-0.1) > 1e-12 || v.Significant() {
		t.Errorf("grpo vs seeupo %+v", ss.Gains[1].Vs)
	}
	if len(ss.Greedy) != 2 || math.Abs(ss.Greedy[0].Gain.Mean-0.3) > 1e-12 || math.Abs(ss.GreedyStart-0.2) > 1e-12 {
		t.Errorf("greedy gains %+v start %v", ss.Greedy, ss.GreedyStart)
	}
	st := ss.Stability[0]
	if math.Abs(st.RewardDrop-0.6) > 1e-12 || st.EntropyRatio != 0.5 || st.GradSpikes != 1 || st.EndedBelow {
		t.Errorf("seeupo seed 0 stability %+v", st)
	}
	if st := ss.Stability[3]; !st.EntropyCollapsed() || !st.EndedBelow || st.RewardDrop != 0 {
		t.Errorf("grpo seed 0 stability %+v", st)
	}
	// Failures: chain 2 of 3 samples failed (turn 2 once, turn 1 once); ids
	// 2 of 2, both at turn 2.
	want := []FailureProfile{
		{Kind: "gen_lab_chain", Algorithm: "seeupo", Samples: 3, Failed: 2, AtTurn: []int{1, 1}},
		{Kind: "gen_lab_ids", Algorithm: "seeupo", Samples: 2, Failed: 2, AtTurn: []int{0, 2}},
	}
	if len(ss.Failures) != 2 {
		t.Fatalf("failures %+v", ss.Failures)
	}
	for i, w := range want {
		f := ss.Failures[i]
		if f.Kind != w.Kind || f.Samples != w.Samples || f.Failed != w.Failed || len(f.AtTurn) != len(w.AtTurn) ||
			f.AtTurn[0] != w.AtTurn[0] || f.AtTurn[1] != w.AtTurn[1] {
			t.Errorf("failure profile %d = %+v, want %+v", i, f, w)
		}
	}
	if rows := ss.FailureRows(); rows[1][4] != "100%" || rows[0][3] != "50%" {
		t.Errorf("failure rows %q", rows)
	}
	text := strings.Join(ss.SummaryLines(), "\n")
	for _, wantText := range []string{"6 runs, budget rollouts, training time 6.0 min", "Warm start (every run's start): avg@4 0.100",
		"seeupo avg@4 (sampled): final 0.400, gain +30.0 points [+5.2, +54.8] over 3 seeds",
		"grpo avg@4 (sampled): final 0.023, gain -7.7 points", "p = 0.100 (not significant at 0.05)",
		"significant at 0.05 (two-sided Mann-Whitney U on final values): none; not significant: grpo < seeupo"} {
		if !strings.Contains(text, wantText) {
			t.Errorf("summary lacks %q:\n%s", wantText, text)
		}
	}
}

// TestConstantPanelLeftOut: a stability metric with one value at every
// step of every run gets no panel, and the caption says so.
func TestConstantPanelLeftOut(t *testing.T) {
	s := &Set{}
	for seed := range 2 {
		r := &Run{ID: metrics.ID{Suite: "lab", Algorithm: "seeupo", Seed: seed}}
		for step := 1; step <= 3; step++ {
			r.Steps = append(r.Steps, metrics.Record{Step: int64(step), Data: metrics.Data{
				metrics.ActorPGClipFrac: 0, metrics.ActorEntropy: float64(step + seed)}})
		}
		s.Runs = append(s.Runs, r)
	}
	fig, err := NewFigureSet(s, "seeupo").stability("lab")
	if err != nil || fig == nil {
		t.Fatalf("stability figure: %v %v", fig, err)
	}
	if n := len(fig.Plots[0]); n != 1 {
		t.Errorf("%d panels, want 1 (entropy only)", n)
	}
	if !strings.Contains(fig.Caption, "Left out, constant at every step of every run: actor/pg_clipfrac (0 for every run)") {
		t.Errorf("caption: %s", fig.Caption)
	}
}

// TestGradSpikesIgnoreStepsWithNothingToLearn: steps whose advantages are
// all zero have near-zero gradients; counting them in the median would
// call an ordinary step a spike. Norms 0.2, 0.25, 0.3, 1.2 on learning
// steps: median 0.3, threshold 1.5, no spike (with the four 0.001 steps in,
// the median would be 0.2 and 1.2 a spike).
func TestGradSpikesIgnoreStepsWithNothingToLearn(t *testing.T) {
	r := &Run{}
	for i, n := range []float64{0.001, 0.2, 0.001, 0.25, 0.001, 0.3, 0.001, 1.2} {
		adv := 1.0
		if n < 0.01 {
			adv = 0
		}
		r.Steps = append(r.Steps, metrics.Record{Step: int64(i + 1), Data: metrics.Data{
			metrics.ActorGradNorm: n, metrics.AdvantagesMax: adv, metrics.AdvantagesMin: -adv}})
	}
	if got := gradSpikes(r); got != 0 {
		t.Errorf("spikes = %d, want 0", got)
	}
	r.Steps = append(r.Steps, metrics.Record{Step: 9, Data: metrics.Data{metrics.ActorGradNorm: 2, metrics.AdvantagesMax: 1, metrics.AdvantagesMin: -1}})
	if got := gradSpikes(r); got != 1 {
		t.Errorf("with a norm of 2 (median 0.3): spikes = %d, want 1", got)
	}
}
