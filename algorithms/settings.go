package algorithms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seeupo/seeupo/policy"
)

// Estimators of advantages, by name.
const (
	EstGRPO        = "grpo"
	EstGRAE        = "grae"
	EstSeeUPO      = "seeupo"
	EstRLOO        = "rloo"
	EstReinforcePP = "reinforce_pp"
	EstGAE         = "gae"
)

// SeeUPO's turn orders and suffix-weight modes.
const (
	OrderReverse = "reverse"
	OrderForward = "forward"
	OrderRandom  = "random"

	WeightsReleased = "released"
	WeightsExact    = "exact"
)

// Budgets: what a comparison holds equal per training step.
const (
	// BudgetRollouts gives every algorithm the same rollouts; each takes
	// its own number of optimiser steps (SeeUPO one per turn, the others
	// Epochs × MiniBatches). The paper's comparison.
	BudgetRollouts = "rollouts"
	// BudgetUpdates gives every algorithm the same optimiser steps: an
	// all-at-once algorithm splits the batch into as many mini-batches as
	// SeeUPO takes turn steps on it, which makes it an off-policy
	// mini-batch method whose clip is active after the first step.
	BudgetUpdates = "updates"
)

// Where the KL penalty to the reference policy enters.
const (
	// KLInLoss adds kl_coef·KL to the actor loss (GRPO's and the release's
	// form).
	KLInLoss = "loss"
	// KLInReward subtracts kl_coef·KL(token) from each token's reward
	// before the return-to-go (REINFORCE++'s form); the loss then has no
	// KL term. Only the reinforce_pp estimator reads it.
	KLInReward = "reward"
)

// Group statistics of the trajectory-level estimators in an all-at-once
// update.
const (
	// StatsTrajectories computes each group's statistics over its
	// trajectories, one value per trajectory.
	StatsTrajectories = "trajectories"
	// StatsTurnSamples computes them over the group's turn-samples, so a
	// trajectory with more turns weighs more (the release's batches hold
	// one row per turn-sample).
	StatsTurnSamples = "turn-samples"
)

// Settings are one algorithm's knobs. Every registered algorithm supplies
// its defaults (the reference values of SEEUPO.md); fields an algorithm
// does not use are ignored by it.
type Settings struct {
	Estimator string // advantage estimator: a registered name (Estimators)
	LossConfig
	Optim policy.Optim
	// Epochs passes over the batch, each split into MiniBatches optimiser
	// steps (verl's ppo_epochs and mini-batches).
	Epochs      int
	MiniBatches int
	// Budget is what a comparison holds equal per training step
	// (BudgetRollouts or BudgetUpdates). It never changes the learning
	// rate.
	Budget string
	// SamplerOldLogProbs uses the sampler's log-probs as π_old when every
	// turn has them; otherwise π_old is recomputed with the current
	// parameters (the default).
	SamplerOldLogProbs bool

	// SeeUPO: turn order, suffix-weight mode, and the released
	// behaviour of padding ended trajectories (their copies then get KL
	// gradients and feed the suffix ratio, and the update takes one turn
	// step per allowed turn, Batch.TurnLimit, fully padded turns
	// included). RenormSurvivors z-scores the advantages again over each
	// turn's surviving trajectories: it is not the release's behaviour and
	// it can flip an advantage's sign (two survivors at +0.75 and +0.25
	// become +0.707 and −0.707).
	Order           string
	SuffixWeights   string
	PadEnded        bool
	RenormSurvivors bool

	// GroupStats: the group statistics of the grpo, grae and rloo
	// estimators in an all-at-once update, over trajectories (the
	// default) or over turn-samples (the release).
	GroupStats string
	// KLPlacement: the KL penalty in the loss (KLInLoss) or in the
	// per-token reward (KLInReward, reinforce_pp only).
	KLPlacement string

	// REINFORCE++: subtract the group mean before the return-to-go
	// (REINFORCE++-baseline); Gamma is also GAE's discount.
	GroupBaseline bool
	Gamma         float64
	// PPO's critic.
	Lambda      float64
	ValueClip   float64
	CriticOptim policy.Optim

	// Seed drives the random turn order and mini-batch shuffling.
	Seed uint64
}

// ReferenceOptim is the reference run's optimiser: AdamW, lr 1e-6, weight
// decay 0.01, gradient clip 1.0.
func ReferenceOptim() policy.Optim {
	return policy.Optim{LR: 1e-6, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, MaxGradNorm: 1}
}

// referenceSettings are the values every reference config shares: PPO clip
// 0.2, dual clip 3, k3 KL with coefficient 0.002, no entropy bonus,
// seq-mean-token-mean, one optimiser step per update, γ = λ = 1, and
// PPO's critic with lr 1e-5 and value clip 0.5.
func referenceSettings() Settings {
	critic := ReferenceOptim()
	critic.LR = 1e-5
	return Settings{
		LossConfig: LossConfig{Loss: LossPPO, ClipLow: 0.2, ClipHigh: 0.2, DualClip: 3, KL: KLK3,
			KLCoef: 0.002, Agg: AggSeqMeanTokMean},
		Optim: ReferenceOptim(), Epochs: 1, MiniBatches: 1, Budget: BudgetRollouts,
		Order: OrderReverse, SuffixWeights: WeightsReleased, GroupStats: StatsTrajectories, KLPlacement: KLInLoss,
		Gamma: 1, Lambda: 1, ValueClip: 0.5, CriticOptim: critic,
	}
}

// Validate names the first setting that is not allowed.
func (s Settings) Validate() error {
	if _, err := estimatorRegistry.lookup(s.Estimator); err != nil {
		return fmt.Errorf("estimator: %w", err)
	}
	if err := s.LossConfig.Validate(); err != nil {
		return err
	}
	switch s.Order {
	case OrderReverse, OrderForward, OrderRandom:
	default:
		return fmt.Errorf("order: unknown %q (known: reverse, forward, random)", s.Order)
	}
	switch s.SuffixWeights {
	case WeightsReleased, WeightsExact:
	default:
		return fmt.Errorf("suffix_weights: unknown %q (known: released, exact)", s.SuffixWeights)
	}
	if err := s.validateChoices(); err != nil {
		return err
	}
	if s.Epochs < 1 || s.MiniBatches < 1 {
		return fmt.Errorf("epochs and mini_batches: must be >= 1, got %d and %d", s.Epochs, s.MiniBatches)
	}
	if s.Optim.LR <= 0 {
		return fmt.Errorf("lr: must be > 0, got %v", s.Optim.LR)
	}
	return nil
}

// validateChoices checks the settings that pick one of a few named forms.
func (s Settings) validateChoices() error {
	choices := []struct {
		key, value string
		allowed    []string
	}{
		{"budget", s.Budget, []string{BudgetRollouts, BudgetUpdates}},
		{"group_stats", s.GroupStats, []string{StatsTrajectories, StatsTurnSamples}},
		{"kl_placement", s.KLPlacement, []string{KLInLoss, KLInReward}},
	}
	for _, c := range choices {
		if !slices.Contains(c.allowed, c.value) {
			return fmt.Errorf("%s: unknown %q (known: %s)", c.key, c.value, strings.Join(c.allowed, ", "))
		}
	}
	if s.Budget == BudgetUpdates && (s.Epochs != 1 || s.MiniBatches != 1) {
		return fmt.Errorf("budget: updates fixes the optimiser steps per training step (one per SeeUPO turn step); "+
			"epochs and mini_batches must stay 1, got %d and %d", s.Epochs, s.MiniBatches)
	}
	if e, _ := estimatorRegistry.lookup(s.Estimator); s.KLPlacement == KLInReward && !e.rewardKL {
		return fmt.Errorf("kl_placement: reward needs an estimator that takes the KL penalty into the reward (reinforce_pp), got %q; use loss", s.Estimator)
	}
	return nil
}
