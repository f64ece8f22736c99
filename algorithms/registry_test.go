package algorithms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tabular"
)

// signReinforce is a toy baseline defined entirely in this test file: it
// uses only the sign of the GRAE advantage with the REINFORCE loss, one
// optimiser step on all turn-samples. Registering it here, and running it
// by name, shows that adding an algorithm needs no change anywhere else.
type signReinforce struct{ s algorithms.Settings }

func (a *signReinforce) Name() string                  { return "toy_sign" }
func (a *signReinforce) Settings() algorithms.Settings { return a.s }

func (a *signReinforce) Update(_ context.Context, m algorithms.Models, b *algorithms.Batch) (algorithms.Metrics, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	rewards, keys := make([]float64, len(b.Trajectories)), make([]string, len(b.Trajectories))
	for i, tr := range b.Trajectories {
		rewards[i], keys[i] = tr.Reward, tr.Group
	}
	groups, _ := algorithms.GroupIndex(keys)
	adv, err := algorithms.GRAEAdvantages(rewards, groups)
	if err != nil {
		return nil, err
	}
	var samples []policy.Sample
	var advTok, mask [][]float64
	for i, tr := range b.Trajectories {
		sign := 0.0
		if adv[i] > 0 {
			sign = 1
		} else if adv[i] < 0 {
			sign = -1
		}
		for _, turn := range tr.Turns {
			samples = append(samples, policy.Sample{Context: turn.Context, Response: turn.Response})
			a, mk := make([]float64, len(turn.Response)), make([]float64, len(turn.Response))
			for j := range a {
				a[j], mk[j] = sign, 1
			}
			advTok, mask = append(advTok, a), append(mask, mk)
		}
	}
	var res algorithms.LossResult
	_, err = m.Policy.ForwardBackward(samples, false, func(sc policy.Scores) (float64, [][]float64, [][]float64, error) {
		var err error
		res, err = algorithms.PolicyObjective(a.s.LossConfig, algorithms.LossInput{LogP: sc.LogProbs, Mask: mask, Adv: advTok})
		return res.Loss, res.GradLogP, nil, err
	})
	if err != nil {
		return nil, err
	}
	st, err := m.Policy.Step(a.s.Optim)
	return algorithms.Metrics{"actor/pg_loss": res.PGLoss, "actor/grad_norm": st.GradNorm, "perf/optimizer_steps": 1}, err
}

func init() {
	algorithms.Register(algorithms.Spec{
		Name:    "toy_sign",
		Summary: "REINFORCE with the sign of the group-relative advantage (test only)",
		Defaults: func() algorithms.Settings {
			s := algorithms.ReinforceDefaults()
			s.KL, s.KLCoef = algorithms.KLNone, 0
			return s
		},
		New: func(s algorithms.Settings) (algorithms.Algorithm, error) { return &signReinforce{s: s}, nil },
	})
}

func TestToyAlgorithmRegisteredFromATestFile(t *testing.T) {
	s, err := algorithms.Defaults("toy_sign")
	if err != nil {
		t.Fatal(err)
	}
	s.Optim = testOptim()
	alg, err := algorithms.New("toy_sign", s)
	if err != nil {
		t.Fatal(err)
	}
	p := tabular.NewSoftmax(4)
	b := longBatch()
	before, _ := p.Score([]policy.Sample{{Context: b.Trajectories[2].Turns[0].Context, Response: []int{2}}}, false)
	met, err := alg.Update(context.Background(), algorithms.Models{Policy: p}, b)
	if err != nil || met["perf/optimizer_steps"] != 1 {
		t.Fatalf("update: %v %v", met, err)
	}
	// Trajectory c (reward 2) beats d (reward 0) in its group: its first
	// action (2) must have become more likely.
	after, _ := p.Score([]policy.Sample{{Context: b.Trajectories[2].Turns[0].Context, Response: []int{2}}}, false)
	if after.LogProbs[0][0] <= before.LogProbs[0][0] {
		t.Errorf("log π(2) went from %v to %v", before.LogProbs[0][0], after.LogProbs[0][0])
	}
	if !strings.Contains(strings.Join(algorithms.Names(), ","), "toy_sign") {
		t.Error("toy_sign not listed")
	}
}

func TestRegistry(t *testing.T) {
	names := strings.Join(algorithms.Names(), ",")
	for _, n := range []string{"seeupo", "ppo", "grpo", "gspo", "reinforce", "rloo", "reinforce_pp"} {
		if !strings.Contains(names, n) {
			t.Errorf("%s not registered: %s", n, names)
		}
	}
	_, err := algorithms.New("dapo", algorithms.GRPODefaults())
	if err == nil || !strings.Contains(err.Error(), `unknown algorithm "dapo"`) || !strings.Contains(err.Error(), "grpo, gspo") {
		t.Errorf("unknown name: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate registration did not panic")
		}
	}()
	algorithms.Register(algorithms.Spec{Name: "grpo", Defaults: algorithms.GRPODefaults,
		New: func(algorithms.Settings) (algorithms.Algorithm, error) { return nil, nil }})
}

func TestSettingsValidationNamesTheField(t *testing.T) {
	for field, change := range map[string]func(*algorithms.Settings){
		"order":          func(s *algorithms.Settings) { s.Order = "backward" },
		"suffix_weights": func(s *algorithms.Settings) { s.SuffixWeights = "approx" },
		"estimator":      func(s *algorithms.Settings) { s.Estimator = "vtrace" },
		"lr":             func(s *algorithms.Settings) { s.Optim.LR = 0 },
		"budget":         func(s *algorithms.Settings) { s.Budget = "tokens" },
		"group_stats":    func(s *algorithms.Settings) { s.GroupStats = "tasks" },
		"kl_placement":   func(s *algorithms.Settings) { s.KLPlacement = "reward" },
	} {
		s := algorithms.SeeUPODefaults()
		change(&s)
		if _, err := algorithms.New("seeupo", s); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestReferenceDefaults(t *testing.T) {
	s := algorithms.SeeUPODefaults()
	if s.Loss != algorithms.LossGSPO || s.Order != algorithms.OrderReverse || s.SuffixWeights != algorithms.WeightsReleased ||
		s.ClipLow != 0.2 || s.DualClip != 3 || s.KL != algorithms.KLK3 || s.KLCoef != 0.002 || s.Optim.LR != 1e-6 ||
		s.Optim.WeightDecay != 0.01 || s.Optim.MaxGradNorm != 1 || s.Agg != algorithms.AggSeqMeanTokMean || s.EntropyCoef != 0 {
		t.Errorf("seeupo defaults: %+v", s)
	}
	p := algorithms.PPODefaults()
	if p.Gamma != 1 || p.Lambda != 1 || p.ValueClip != 0.5 || p.CriticOptim.LR != 1e-5 || p.Estimator != algorithms.EstGAE {
		t.Errorf("ppo defaults: %+v", p)
	}
}

// The canonical form each algorithm runs by default (docs/algorithms.md's
// table): GSPO the paper's sequence objective and clip range, REINFORCE++
// the KL in the reward, every algorithm the rollouts budget and group
// statistics over trajectories.
func TestCanonicalDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, loss, placement string
		clipLow, clipHigh     float64
	}{
		{"seeupo", algorithms.LossGSPO, algorithms.KLInLoss, 0.2, 0.2},
		{"ppo", algorithms.LossPPO, algorithms.KLInLoss, 0.2, 0.2},
		{"grpo", algorithms.LossPPO, algorithms.KLInLoss, 0.2, 0.2},
		{"gspo", algorithms.LossGSPOSeq, algorithms.KLInLoss, 3e-4, 4e-4},
		{"reinforce", algorithms.LossReinforce, algorithms.KLInLoss, 0.2, 0.2},
		{"rloo", algorithms.LossReinforce, algorithms.KLInLoss, 0.2, 0.2},
		{"reinforce_pp", algorithms.LossPPO, algorithms.KLInReward, 0.2, 0.2},
	} {
		s, err := algorithms.Defaults(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Loss != tc.loss || s.KLPlacement != tc.placement || s.ClipLow != tc.clipLow || s.ClipHigh != tc.clipHigh ||
			s.Budget != algorithms.BudgetRollouts || s.GroupStats != algorithms.StatsTrajectories || s.Optim.LR != 1e-6 {
			t.Errorf("%s defaults: %+v", tc.name, s)
		}
	}
}
