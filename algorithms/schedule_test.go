package algorithms_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tabular"
)

// spy wraps a tabular policy and records every forward-backward call: the
// samples and the gradient the loss returned for them.
type spy struct {
	*tabular.Policy
	calls []spyCall
}

type spyCall struct {
	samples []policy.Sample
	grad    [][]float64
}

func (s *spy) ForwardBackward(batch []policy.Sample, withEntropy bool, loss policy.LossFunc) (float64, error) {
	call := spyCall{samples: batch}
	wrapped := func(sc policy.Scores) (float64, [][]float64, [][]float64, error) {
		l, g, h, err := loss(sc)
		call.grad = g
		return l, g, h, err
	}
	l, err := s.Policy.ForwardBackward(batch, withEntropy, wrapped)
	s.calls = append(s.calls, call)
	return l, err
}

// testOptim has no momentum (β1 = 0), so a step moves only the rows with
// a gradient: a turn's step then leaves other turns' rows of a
// per-history table untouched.
func testOptim() policy.Optim {
	return policy.Optim{LR: 0.05, Beta1: 0, Beta2: 0.999, Eps: 1e-8}
}

// threeTrajectories: B ended after one turn and comes first, so that
// positions in the turn batches differ from trajectory order. Every
// response is one token; contexts are the action/observation history.
func threeTrajectories() *algorithms.Batch {
	turn := func(ctx []int, a int) algorithms.Turn { return algorithms.Turn{Context: ctx, Response: []int{a}} }
	return &algorithms.Batch{Trajectories: []algorithms.Trajectory{
		{ID: "B", Group: "g", Reward: 0, Turns: []algorithms.Turn{turn([]int{0}, 1)}},
		{ID: "A", Group: "g", Reward: 1, Turns: []algorithms.Turn{turn([]int{0}, 0), turn([]int{0, 0, 2}, 1)}},
		{ID: "C", Group: "g", Reward: 0.5, Turns: []algorithms.Turn{turn([]int{0}, 2), turn([]int{0, 2, 2}, 0)}},
	}}
}

func seeupoSettings() algorithms.Settings {
	s := algorithms.SeeUPODefaults()
	s.Optim = testOptim()
	return s
}

func TestSeeUPOTurnByTurnReverseWithWeightsKeyedByTrajectory(t *testing.T) {
	p := &spy{Policy: tabular.NewSoftmax(3)}
	alg, err := algorithms.New("seeupo", seeupoSettings())
	if err != nil {
		t.Fatal(err)
	}
	met, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, threeTrajectories())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 2 || met["perf/optimizer_steps"] != 2 {
		t.Fatalf("%d forward-backward calls, %v optimiser steps; want 2 (one per turn)", len(p.calls), met["perf/optimizer_steps"])
	}
	// Reverse order: the second turn first, only A and C (B ended, no
	// padded copy).
	first := p.calls[0]
	if len(first.samples) != 2 || first.samples[0].Context[1] != 0 || first.samples[1].Context[1] != 2 {
		t.Fatalf("first update should be turn 2 of A and C, got %+v", first.samples)
	}
	// GRAE: r − 0.5 = (B −0.5, A 0.5, C 0), z-scored once over the whole
	// batch: mean 0, unbiased std √((0.25+0.25+0)/2) = 0.5, z = (−1, 1, 0).
	// Turn-2 batch (A, C) keeps A's 1 and C's 0 (renormalising over the
	// two survivors would give ±1/√2 and push C down). Ratio 1 on the
	// fresh step; seq-mean-token-mean over 2 sequences: dL/dlogp = −z/2.
	assertNear(t, "turn 2, A", first.grad[0][0], -0.5)
	assertNear(t, "turn 2, C", first.grad[1][0], 0)
	// Turn 1 (B, A, C): z = (−1, 1, 0).
	// A's weight is its turn-2 sequence ratio, measured from the final
	// policy (turn 1's step does not touch turn-2 rows of a per-history
	// table): W = clip(exp(log π_after − log(1/3)), 0.8, 1.2). B's weight
	// is 1. Gradient −z·W/3.
	after, _ := p.Score([]policy.Sample{{Context: []int{0, 0, 2}, Response: []int{1}}}, false)
	wA := math.Max(0.8, math.Min(1.2, math.Exp(after.LogProbs[0][0]-math.Log(1.0/3))))
	if math.Abs(wA-1) < 0.05 {
		t.Fatalf("test needs a visible weight, got %v", wA)
	}
	second := p.calls[1]
	assertNear(t, "turn 1, B", second.grad[0][0], 1.0/3)
	assertNear(t, "turn 1, A", second.grad[1][0], -wA/3)
	assertNear(t, "turn 1, C", second.grad[2][0], 0)
	for _, k := range []string{"actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/kl_loss", "actor/entropy",
		"actor/grad_norm", "seeupo/suffix_weight/mean", "perf/total_num_tokens", "critic/score/mean"} {
		if _, ok := met[k]; !ok {
			t.Errorf("metric %s missing", k)
		}
	}
}

func assertNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s: %.12g, want %.12g", what, got, want)
	}
}

func TestSeeUPOPadEndedReproducesTheRelease(t *testing.T) {
	s := seeupoSettings()
	s.PadEnded = true
	p := &spy{Policy: tabular.NewSoftmax(3)}
	alg, _ := algorithms.New("seeupo", s)
	if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, threeTrajectories()); err != nil {
		t.Fatal(err)
	}
	// B's padded copy joins turn 2 with a zero advantage but keeps its
	// tokens in the aggregation: A's z is 1 (whole-batch statistics, as
	// without padding) and the sequence mean is over 3 samples.
	first := p.calls[0]
	if len(first.samples) != 3 {
		t.Fatalf("turn 2 with padding has %d samples, want 3", len(first.samples))
	}
	assertNear(t, "padded B", first.grad[0][0], 0)
	assertNear(t, "A", first.grad[1][0], -1.0/3)
}

// TestSeeUPOPadEndedTakesEveryAllowedTurn: with rl.max_turns 4 the release
// makes 4 turn batches of every trajectory; turns 4 and 3 hold only padded
// copies (KL term only: zero gradient when the policy is its reference).
func TestSeeUPOPadEndedTakesEveryAllowedTurn(t *testing.T) {
	s := seeupoSettings()
	s.PadEnded = true
	p := &spy{Policy: tabular.NewSoftmax(3)}
	alg, _ := algorithms.New("seeupo", s)
	b := threeTrajectories()
	b.TurnLimit = 4
	met, err := alg.Update(context.Background(), algorithms.Models{Policy: p, Ref: p.Policy.Frozen()}, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 4 || met["perf/optimizer_steps"] != 4 {
		t.Fatalf("%d turn steps, want 4", len(p.calls))
	}
	for k := 0; k < 2; k++ {
		if len(p.calls[k].samples) != 3 {
			t.Errorf("fully padded turn step %d: %d samples, want 3", k, len(p.calls[k].samples))
		}
		for i, g := range p.calls[k].grad {
			assertNear(t, fmt.Sprintf("padded step %d sample %d", k, i), g[0], 0)
		}
	}
	// The third step is turn 2 as in TestSeeUPOPadEndedReproducesTheRelease.
	assertNear(t, "turn 2, A", p.calls[2].grad[1][0], -1.0/3)
	// Without padding the limit does not add steps.
	s.PadEnded = false
	p = &spy{Policy: tabular.NewSoftmax(3)}
	alg, _ = algorithms.New("seeupo", s)
	if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, b); err != nil || len(p.calls) != 2 {
		t.Errorf("unpadded with limit 4: %d steps (%v), want 2", len(p.calls), err)
	}
}

func TestSeeUPOOrders(t *testing.T) {
	for order, firstTurnLen := range map[string]int{algorithms.OrderReverse: 3, algorithms.OrderForward: 1} {
		s := seeupoSettings()
		s.Order = order
		p := &spy{Policy: tabular.NewSoftmax(3)}
		alg, _ := algorithms.New("seeupo", s)
		if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, threeTrajectories()); err != nil {
			t.Fatal(err)
		}
		if got := len(p.calls[0].samples[0].Context); got != firstTurnLen {
			t.Errorf("%s: first update's context length %d, want %d", order, got, firstTurnLen)
		}
	}
	s := seeupoSettings()
	s.Order = algorithms.OrderRandom
	seen := map[int]bool{}
	alg, _ := algorithms.New("seeupo", s)
	for i := 0; i < 20; i++ {
		p := &spy{Policy: tabular.NewSoftmax(3)}
		if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, threeTrajectories()); err != nil {
			t.Fatal(err)
		}
		seen[len(p.calls[0].samples[0].Context)] = true
	}
	if !seen[1] || !seen[3] {
		t.Errorf("random order never started with one of the turns in 20 updates: %v", seen)
	}
}

// longBatch has three turns per trajectory and two groups.
func longBatch() *algorithms.Batch {
	b := &algorithms.Batch{}
	acts := [][]int{{0, 1, 2}, {1, 1, 0}, {2, 0, 1}, {0, 0, 0}}
	for i, a := range acts {
		var turns []algorithms.Turn
		ctx := []int{i / 2}
		for _, x := range a {
			turns = append(turns, algorithms.Turn{Context: append([]int(nil), ctx...), Response: []int{x}})
			ctx = append(ctx, x, 3)
		}
		b.Trajectories = append(b.Trajectories, algorithms.Trajectory{ID: string(rune('a' + i)), Group: string(rune('x' + i/2)),
			Reward: float64(a[0] + a[1]), Turns: turns})
	}
	return b
}

func finalWeights(t *testing.T, p *tabular.Policy, b *algorithms.Batch) []float64 {
	t.Helper()
	var out []float64
	for _, tr := range b.Trajectories {
		for _, turn := range tr.Turns {
			out = append(out, p.Logits(turn.Context)...)
		}
	}
	return out
}

func TestSuffixWeightModes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func() *tabular.Policy
		equal bool
	}{
		// Per-history rows: a turn's step never moves another turn's
		// log-probs, so the exact suffix ratio equals the product.
		{"per-history", func() *tabular.Policy { return tabular.NewSoftmax(4) }, true},
		// One row shared by every turn: each step moves the log-probs of
		// the turns updated before it, so the two modes differ.
		{"shared", func() *tabular.Policy {
			return tabular.NewLogLinear(4, func([]int) []string { return []string{"all"} })
		}, false},
	} {
		var results [][]float64
		for _, mode := range []string{algorithms.WeightsReleased, algorithms.WeightsExact} {
			s := seeupoSettings()
			s.SuffixWeights = mode
			p := tc.make()
			alg, _ := algorithms.New("seeupo", s)
			if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, longBatch()); err != nil {
				t.Fatal(err)
			}
			results = append(results, finalWeights(t, p, longBatch()))
		}
		same := true
		for i := range results[0] {
			same = same && math.Abs(results[0][i]-results[1][i]) < 1e-12
		}
		if same != tc.equal {
			t.Errorf("%s: released and exact give equal results = %v, want %v", tc.name, same, tc.equal)
		}
	}
}

// TestBudgets runs every registered algorithm on the same batches under
// both budgets. threeTrajectories has 1, 2 and 2 turns (5 turn-samples),
// longBatch 3 turns each (12 turn-samples), so SeeUPO takes 2 and 3
// turn steps. Under rollouts the others take one step on all samples;
// under updates every algorithm takes SeeUPO's count, the baselines on
// mini-batches that partition the samples. No budget changes the lr.
func TestBudgets(t *testing.T) {
	batches := []struct {
		name           string
		batch          func() *algorithms.Batch
		turns, samples int
	}{
		{"ragged", threeTrajectories, 2, 5},
		{"long", longBatch, 3, 12},
	}
	for _, budget := range []string{algorithms.BudgetRollouts, algorithms.BudgetUpdates} {
		for _, bc := range batches {
			for _, name := range []string{"seeupo", "ppo", "grpo", "gspo", "reinforce", "rloo", "reinforce_pp"} {
				s, err := algorithms.Defaults(name)
				if err != nil {
					t.Fatal(err)
				}
				s.Optim, s.CriticOptim, s.Budget = testOptim(), testOptim(), budget
				alg, err := algorithms.New(name, s)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				p := &spy{Policy: tabular.NewSoftmax(4)}
				m := algorithms.Models{Policy: p, Ref: p.Policy.Frozen()}
				if cu, ok := alg.(algorithms.CriticUser); ok && cu.NeedsCritic() {
					m.Critic = tabular.NewValues(tabular.History)
				}
				met, err := alg.Update(context.Background(), m, bc.batch())
				if err != nil {
					t.Fatalf("%s %s %s: %v", budget, bc.name, name, err)
				}
				want := 1.0
				if name == "seeupo" || budget == algorithms.BudgetUpdates {
					want = float64(bc.turns)
				}
				seen := 0
				for _, c := range p.calls {
					seen += len(c.samples)
				}
				if name != "seeupo" && seen != bc.samples {
					t.Errorf("%s %s %s: the steps saw %d samples, want each of the %d once", budget, bc.name, name, seen, bc.samples)
				}
				if met["perf/optimizer_steps"] != want || len(p.calls) != int(want) || met["actor/lr"] != testOptim().LR {
					t.Errorf("%s %s %s: %v optimiser steps (%d calls) at lr %v; want %v at %v", budget, bc.name, name,
						met["perf/optimizer_steps"], len(p.calls), met["actor/lr"], want, testOptim().LR)
				}
			}
		}
	}
}

func TestBudgetUpdatesFixesTheSteps(t *testing.T) {
	s := algorithms.GRPODefaults()
	s.Budget, s.MiniBatches = algorithms.BudgetUpdates, 2
	if _, err := algorithms.New("grpo", s); err == nil || !strings.Contains(err.Error(), "mini_batches") {
		t.Errorf("budget updates with 2 mini-batches: %v", err)
	}
	s.Budget, s.MiniBatches = "same", 1
	if _, err := algorithms.New("grpo", s); err == nil || !strings.Contains(err.Error(), "known: rollouts, updates") {
		t.Errorf("unknown budget: %v", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestEveryAlgorithmUpdatesAndReportsVerlMetrics(t *testing.T) {
	for _, name := range []string{"seeupo", "ppo", "grpo", "gspo", "reinforce", "rloo", "reinforce_pp"} {
		s, err := algorithms.Defaults(name)
		if err != nil {
			t.Fatal(err)
		}
		s.Optim, s.CriticOptim = testOptim(), testOptim()
		alg, err := algorithms.New(name, s)
		if err != nil {
			t.Fatal(err)
		}
		p := tabular.NewSoftmax(4)
		m := algorithms.Models{Policy: p, Ref: p.Frozen()}
		if cu, ok := alg.(algorithms.CriticUser); ok && cu.NeedsCritic() {
			m.Critic = tabular.NewValues(tabular.History)
		}
		met, err := alg.Update(context.Background(), m, longBatch())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []string{"actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/kl_loss", "actor/entropy",
			"actor/grad_norm", "actor/lr", "critic/score/mean", "critic/advantages/mean", "perf/optimizer_steps", "perf/total_num_tokens"}
		if name == "ppo" {
			want = append(want, "critic/vf_loss", "critic/vf_clipfrac", "critic/grad_norm")
		}
		for _, k := range want {
			if v, ok := met[k]; !ok || math.IsNaN(v) {
				t.Errorf("%s: metric %s = %v, %v", name, k, v, ok)
			}
		}
		if met["actor/grad_norm"] == 0 {
			t.Errorf("%s: zero gradient on a batch with distinct rewards", name)
		}
	}
}

func TestPPONeedsACritic(t *testing.T) {
	alg, _ := algorithms.New("ppo", algorithms.PPODefaults())
	_, err := alg.Update(context.Background(), algorithms.Models{Policy: tabular.NewSoftmax(4)}, longBatch())
	if err == nil || !strings.Contains(err.Error(), "critic") {
		t.Errorf("got %v", err)
	}
}

func TestBatchValidation(t *testing.T) {
	b := longBatch()
	b.Trajectories[1].ID = b.Trajectories[0].ID
	alg, _ := algorithms.New("grpo", algorithms.GRPODefaults())
	if _, err := alg.Update(context.Background(), algorithms.Models{Policy: tabular.NewSoftmax(4)}, b); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("duplicate id: %v", err)
	}
	b = longBatch()
	b.Trajectories[2].Turns[1].Mask = []float64{1, 1}
	if _, err := alg.Update(context.Background(), algorithms.Models{Policy: tabular.NewSoftmax(4)}, b); err == nil || !strings.Contains(err.Error(), "mask") {
		t.Errorf("bad mask: %v", err)
	}
}

// GRPO's group statistics over turn-samples (the release): B (1 turn,
// r 0), A (2 turns, r 1), C (2 turns, r 0.5) give the samples rewards
// (0, 1, 1, 0.5, 0.5): mean 0.6, unbiased std √(0.7/4); over
// trajectories: mean 0.5, std 0.5. Ratio 1 and seq-mean-token-mean over
// the 5 samples: dL/dlogp = −A/5.
func TestGRPOGroupStatistics(t *testing.T) {
	sd := math.Sqrt(0.7 / 4)
	for _, tc := range []struct {
		stats   string
		b, a, c float64
	}{
		{algorithms.StatsTrajectories, -0.5 / (0.5 + 1e-6), 0.5 / (0.5 + 1e-6), 0},
		{algorithms.StatsTurnSamples, -0.6 / (sd + 1e-6), 0.4 / (sd + 1e-6), -0.1 / (sd + 1e-6)},
	} {
		s := algorithms.GRPODefaults()
		s.Optim, s.GroupStats = testOptim(), tc.stats
		alg, _ := algorithms.New("grpo", s)
		p := &spy{Policy: tabular.NewSoftmax(3)}
		if _, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, threeTrajectories()); err != nil {
			t.Fatal(err)
		}
		g := p.calls[0].grad // samples B1, A1, A2, C1, C2
		for i, want := range []float64{tc.b, tc.a, tc.a, tc.c, tc.c} {
			assertNear(t, fmt.Sprintf("%s sample %d", tc.stats, i), g[i][0], -want/5)
		}
	}
}

// shiftedRef scores every token at log(1/3) − 0.5·token: a reference
// policy that is 0.5·token nats less likely than the uniform policy.
type shiftedRef struct{ calls int }

func (r *shiftedRef) Score(batch []policy.Sample, _ bool) (policy.Scores, error) {
	r.calls++
	var sc policy.Scores
	for _, s := range batch {
		row := make([]float64, len(s.Response))
		for j, tok := range s.Response {
			row[j] = math.Log(1.0/3) - 0.5*float64(tok)
		}
		sc.LogProbs = append(sc.LogProbs, row)
	}
	return sc, nil
}

// REINFORCE++ with the KL in the reward: X (r 1, token 2), Y (r 1,
// token 0), Z (r 0, token 0) under the uniform policy. k1 = log π_old −
// log π_ref = 0.5·token, kl_coef 0.1: rewards (0.9, 1, 0); whitened with
// the unbiased variance: mean 19/30, deviations (8, 11, −19)/30, variance
// (64+121+361)/900/2 = 0.30333. The loss has no KL term. In the loss form
// (k3) the rewards are (1, 1, 0).
func TestReinforcePPKLPlacement(t *testing.T) {
	one := func(id string, r float64, tok int) algorithms.Trajectory {
		return algorithms.Trajectory{ID: id, Group: "g", Reward: r, Turns: []algorithms.Turn{{Context: []int{0}, Response: []int{tok}}}}
	}
	batch := func() *algorithms.Batch {
		return &algorithms.Batch{Trajectories: []algorithms.Trajectory{one("X", 1, 2), one("Y", 1, 0), one("Z", 0, 0)}}
	}
	sd := math.Sqrt((64.0+121+361)/900/2 + 1e-8)
	inReward := []float64{8.0 / 30 / sd, 11.0 / 30 / sd, -19.0 / 30 / sd}
	sdLoss := math.Sqrt(1.0/3 + 1e-8) // (1, 1, 0): deviations (1, 1, −2)/3, variance 6/9/2
	inLoss := []float64{1.0 / 3 / sdLoss, 1.0 / 3 / sdLoss, -2.0 / 3 / sdLoss}
	for _, tc := range []struct {
		placement string
		adv       []float64
		refCalls  int
	}{{algorithms.KLInReward, inReward, 1}, {algorithms.KLInLoss, inLoss, 1}} {
		s := algorithms.ReinforcePPDefaults()
		s.Optim, s.KLCoef, s.KLPlacement = testOptim(), 0.1, tc.placement
		alg, err := algorithms.New("reinforce_pp", s)
		if err != nil {
			t.Fatal(err)
		}
		p, ref := &spy{Policy: tabular.NewSoftmax(3)}, &shiftedRef{}
		met, err := alg.Update(context.Background(), algorithms.Models{Policy: p, Ref: ref}, batch())
		if err != nil {
			t.Fatal(err)
		}
		if ref.calls != tc.refCalls {
			t.Errorf("%s: reference scored %d times, want %d", tc.placement, ref.calls, tc.refCalls)
		}
		g := p.calls[0].grad
		if tc.placement == algorithms.KLInReward {
			for i, want := range tc.adv {
				assertNear(t, fmt.Sprintf("reward sample %d", i), g[i][0], -want/3)
			}
			if met["actor/kl_loss"] != 0 || met["actor/kl_coef"] != 0 {
				t.Errorf("KL in the reward left a loss term: kl_loss %v kl_coef %v", met["actor/kl_loss"], met["actor/kl_coef"])
			}
			continue
		}
		// Loss form: k3 gradient 1 − π_ref/π = 1 − e^{−0.5·token}, weight kl_coef/3.
		for i, tok := range []int{2, 0, 0} {
			want := -tc.adv[i]/3 + 0.1*(1-math.Exp(-0.5*float64(tok)))/3
			assertNear(t, fmt.Sprintf("loss sample %d", i), g[i][0], want)
		}
	}
}
