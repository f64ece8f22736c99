package algorithms

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/seeupo/seeupo/policy"
)

// allAtOnce is the schedule of GRPO, GSPO, PPO and the REINFORCE family:
// every turn-sample of every trajectory in one batch, advantages from the
// configured estimator, Epochs × MiniBatches optimiser steps.
type allAtOnce struct {
	name string
	s    Settings
	rng  *rand.Rand
}

// AllAtOnce returns the all-samples-at-once algorithm with the given name
// and settings; an algorithm file registers it with its own defaults.
func AllAtOnce(name string, s Settings) Algorithm {
	return &allAtOnce{name: name, s: s, rng: rand.New(rand.NewPCG(s.Seed, 0x5ee))}
}

func (a *allAtOnce) Name() string       { return a.name }
func (a *allAtOnce) Settings() Settings { return a.s }
func (a *allAtOnce) NeedsCritic() bool {
	e, err := estimatorRegistry.lookup(a.s.Estimator)
	return err == nil && e.critic
}

func (a *allAtOnce) Update(ctx context.Context, m Models, b *Batch) (Metrics, error) {
	start := time.Now()
	if err := b.Validate(); err != nil {
		return nil, err
	}
	est, err := estimatorRegistry.lookup(a.s.Estimator)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	if est.critic && m.Critic == nil {
		return nil, fmt.Errorf("%s: the %s estimator needs a critic (Models.Critic is nil)", a.name, est.Name)
	}
	ts := b.allTurns()
	met := Metrics{}
	old, err := oldLogProbs(m.Policy, ts, a.s.SamplerOldLogProbs, met)
	if err != nil {
		return nil, err
	}
	ref, lc, err := refLogProbs(m, ts, a.lossConfig())
	if err != nil {
		return nil, err
	}
	var adv, oldValues, returns [][]float64
	if est.tokens != nil {
		adv, oldValues, returns, err = est.tokens(a, m, b, ts, old, met)
	} else {
		adv, err = groupAdvantages(est.Advantages, a.s, b, ts)
	}
	if err != nil {
		return nil, err
	}
	batchMetrics(met, b, ts, adv)
	steps := a.s.MiniBatches
	if a.s.Budget == BudgetUpdates {
		steps = b.MaxTurns()
	}
	acc := newMeanAcc()
	var nsteps, tokens int
	for epoch := 0; epoch < a.s.Epochs; epoch++ {
		for _, idx := range a.chunks(len(ts), steps) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			part := pick(ts, idx)
			if err := actorStep(m.Policy, a.s.Optim, lc, part, pickRows(adv, idx), pickRows(old, idx), pickRows(ref, idx), acc); err != nil {
				return nil, err
			}
			if oldValues != nil {
				if err := criticStep(m.Critic, a.s, part, pickRows(oldValues, idx), pickRows(returns, idx), acc); err != nil {
					return nil, err
				}
			}
			nsteps++
			tokens += tokenCount(part)
		}
	}
	acc.into(met)
	met["actor/lr"] = a.s.Optim.LR
	met["actor/kl_coef"] = lc.KLCoef
	if oldValues != nil {
		met["critic/lr"] = a.s.CriticOptim.LR
	}
	met["perf/optimizer_steps"] = float64(nsteps)
	met["perf/total_num_tokens"] = float64(tokens)
	met["timing_s/update_actor"] = time.Since(start).Seconds()
	return met, nil
}

// chunks splits a shuffled 0..n-1 into k nearly equal parts (in order when
// k is 1). Empty parts are dropped.
func (a *allAtOnce) chunks(n, k int) [][]int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if k <= 1 {
		return [][]int{idx}
	}
	a.rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	var out [][]int
	for c := 0; c < k; c++ {
		lo, hi := c*n/k, (c+1)*n/k
		if hi > lo {
			out = append(out, idx[lo:hi])
		}
	}
	return out
}

// gaeAdvantages runs the critic on the samples, puts each trajectory's
// reward on the last unmasked token of each of its turn-samples, and
// returns whitened GAE advantages, the critic's values and the returns.
func (a *allAtOnce) gaeAdvantages(critic policy.ValueModel, b *Batch, ts []turnSample) (adv, values, returns [][]float64, err error) {
	values, err = critic.Values(samplesOf(ts))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("critic values: %w", err)
	}
	masks := masksOf(ts)
	if err := sameShape("critic values", values, masks); err != nil {
		return nil, nil, nil, err
	}
	r, _ := b.rewardsAndGroups()
	raw, returns := GAE(lastTokenRewards(ts, r), values, masks, a.s.Gamma, a.s.Lambda)
	return MaskedWhiten(raw, masks), values, returns, nil
}

// lastTokenRewards places rewards[traj] on the last unmasked token of each
// sample.
func lastTokenRewards(ts []turnSample, rewards []float64) [][]float64 {
	out := make([][]float64, len(ts))
	for i, s := range ts {
		out[i] = make([]float64, len(s.mask))
		for j := len(s.mask) - 1; j >= 0; j-- {
			if s.mask[j] != 0 {
				out[i][j] = rewards[s.traj]
				break
			}
		}
	}
	return out
}

// groupAdvantages computes per-token advantages with a trajectory-level
// estimator: one per trajectory, broadcast to every response token of
// every turn, or under group_stats: turn-samples one per turn-sample.
func groupAdvantages(est func([]float64, []int) ([]float64, error), s Settings, b *Batch, ts []turnSample) ([][]float64, error) {
	r, g := b.rewardsAndGroups()
	if s.GroupStats == StatsTurnSamples {
		return turnSampleAdvantages(est, ts, r, g)
	}
	per, err := est(r, g)
	if err != nil {
		return nil, err
	}
	return broadcast(ts, per), nil
}

// turnSampleAdvantages applies a trajectory-level estimator to the
// turn-samples: each sample carries its trajectory's reward and group, so
// the group statistics weigh a trajectory by its number of turns (the
// release's batches).
func turnSampleAdvantages(est func([]float64, []int) ([]float64, error), ts []turnSample, r []float64, g []int) ([][]float64, error) {
	rs, gs := make([]float64, len(ts)), make([]int, len(ts))
	for i, x := range ts {
		rs[i], gs[i] = r[x.traj], g[x.traj]
	}
	per, err := est(rs, gs)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(ts))
	for i, x := range ts {
		out[i] = make([]float64, len(x.mask))
		for j, m := range x.mask {
			out[i][j] = per[i] * m
		}
	}
	return out, nil
}

// reinforcePPAdvantages is REINFORCE++'s estimator: the trajectory's
// reward (group-centred first with GroupBaseline) on the last response
// token of each turn-sample, minus tokenKL per token when given, summed
// to the return-to-go with Gamma and whitened over all tokens.
func reinforcePPAdvantages(s Settings, r []float64, g []int, ts []turnSample, tokenKL [][]float64) ([][]float64, error) {
	if s.GroupBaseline {
		var err error
		if r, err = GRAEAdvantages(r, g); err != nil {
			return nil, err
		}
	}
	masks := masksOf(ts)
	rewards := lastTokenRewards(ts, r)
	for i := range tokenKL {
		for j, k := range tokenKL[i] {
			rewards[i][j] -= k * masks[i][j]
		}
	}
	return MaskedWhiten(ReturnToGo(rewards, masks, s.Gamma), masks), nil
}

// klRewardAdvantages is REINFORCE++ with the KL penalty in the reward: per
// token kl_coef·(log π_old − log π_ref) (the k1 estimator, as in its
// paper), taken off the token's reward; the loss then carries no KL term.
// Without a reference policy, or with kl "none" or kl_coef 0, there is no
// penalty.
func (a *allAtOnce) klRewardAdvantages(m Models, b *Batch, ts []turnSample, old [][]float64, met Metrics) ([][]float64, error) {
	r, g := b.rewardsAndGroups()
	if m.Ref == nil || a.s.KL == KLNone || a.s.KLCoef == 0 {
		return reinforcePPAdvantages(a.s, r, g, ts, nil)
	}
	sc, err := m.Ref.Score(samplesOf(ts), false)
	if err != nil {
		return nil, fmt.Errorf("reference log-probs: %w", err)
	}
	if err := sameShape("reference log-probs", sc.LogProbs, masksOf(ts)); err != nil {
		return nil, err
	}
	kl, err := KLTokens(KLK1, old, sc.LogProbs)
	if err != nil {
		return nil, err
	}
	pen := zerosLike(kl.Value)
	for i := range pen {
		for j, v := range kl.Value[i] {
			pen[i][j] = a.s.KLCoef * v
		}
	}
	met["actor/reward_kl_penalty"] = MaskedMean(pen, masksOf(ts))
	return reinforcePPAdvantages(a.s, r, g, ts, pen)
}

// lossConfig is the actor loss's configuration: without the KL term when
// the KL penalty goes into the reward.
func (a *allAtOnce) lossConfig() LossConfig {
	lc := a.s.LossConfig
	if a.s.KLPlacement == KLInReward {
		lc.KL, lc.KLCoef = KLNone, 0
	}
	return lc
}

// oldLogProbs returns π_old for the samples: the sampler's log-probs when
// asked and every sample has them, else recomputed with the current
// parameters. When sampler log-probs exist, their mean absolute difference
// from the recomputed ones is logged.
func oldLogProbs(p policy.Trainable, ts []turnSample, useSampler bool, met Metrics) ([][]float64, error) {
	sc, err := p.Score(samplesOf(ts), false)
	if err != nil {
		return nil, fmt.Errorf("old log-probs: %w", err)
	}
	if err := sameShape("policy log-probs", sc.LogProbs, masksOf(ts)); err != nil {
		return nil, err
	}
	sampler := make([][]float64, len(ts))
	have := true
	for i, s := range ts {
		sampler[i] = s.sampler
		have = have && s.sampler != nil
	}
	if !have {
		return sc.LogProbs, nil
	}
	met["actor/logprob_diff/mean"] = MaskedMean(absDiff(sampler, sc.LogProbs), masksOf(ts))
	if useSampler {
		return sampler, nil
	}
	return sc.LogProbs, nil
}

// refLogProbs scores the samples with the reference policy when the loss
// has a KL term; without a reference policy the KL term is dropped.
func refLogProbs(m Models, ts []turnSample, lc LossConfig) ([][]float64, LossConfig, error) {
	if lc.KL == KLNone || lc.KLCoef == 0 || m.Ref == nil {
		lc.KL, lc.KLCoef = KLNone, 0
		return nil, lc, nil
	}
	sc, err := m.Ref.Score(samplesOf(ts), false)
	if err != nil {
		return nil, lc, fmt.Errorf("reference log-probs: %w", err)
	}
	return sc.LogProbs, lc, sameShape("reference log-probs", sc.LogProbs, masksOf(ts))
}

// actorStep is one forward-backward over the samples with the policy loss
// and one optimiser step.
func actorStep(p policy.Trainable, o policy.Optim, lc LossConfig, ts []turnSample, adv, old, ref [][]float64, acc *meanAcc) error {
	masks := masksOf(ts)
	var res LossResult
	loss := func(sc policy.Scores) (float64, [][]float64, [][]float64, error) {
		if err := sameShape("policy log-probs", sc.LogProbs, masks); err != nil {
			return 0, nil, nil, err
		}
		in := LossInput{LogP: sc.LogProbs, OldLogP: old, RefLogP: ref, Mask: masks, Adv: adv, Entropy: sc.Entropy}
		var err error
		res, err = PolicyObjective(lc, in)
		return res.Loss, res.GradLogP, res.GradEntropy, err
	}
	if _, err := p.ForwardBackward(samplesOf(ts), true, loss); err != nil {
		return fmt.Errorf("actor forward-backward: %w", err)
	}
	st, err := p.Step(o)
	if err != nil {
		return fmt.Errorf("actor step: %w", err)
	}
	acc.recordLoss(res, true)
	acc.add("actor/grad_norm", st.GradNorm)
	return nil
}

// criticStep is one clipped value-loss step of the critic.
func criticStep(c policy.ValueModel, s Settings, ts []turnSample, oldValues, returns [][]float64, acc *meanAcc) error {
	masks := masksOf(ts)
	var res ValueLossResult
	var vmean float64
	loss := func(v [][]float64) (float64, [][]float64, error) {
		if err := sameShape("critic values", v, masks); err != nil {
			return 0, nil, err
		}
		var err error
		res, err = ValueLoss(v, oldValues, returns, masks, s.ValueClip, s.Agg)
		vmean = MaskedMean(v, masks)
		return res.Loss, res.Grad, err
	}
	if _, err := c.ForwardBackwardValues(samplesOf(ts), loss); err != nil {
		return fmt.Errorf("critic forward-backward: %w", err)
	}
	st, err := c.Step(s.CriticOptim)
	if err != nil {
		return fmt.Errorf("critic step: %w", err)
	}
	acc.add("critic/vf_loss", res.Loss)
	acc.add("critic/vf_clipfrac", res.ClipFrac)
	acc.add("critic/values/mean", vmean)
	acc.add("critic/returns/mean", MaskedMean(returns, masks))
	acc.add("critic/grad_norm", st.GradNorm)
	return nil
}

func sameShape(what string, got, want [][]float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%s: %d rows for %d samples", what, len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Errorf("%s: sample %d has %d values for %d response tokens", what, i, len(got[i]), len(want[i]))
		}
	}
	return nil
}

func absDiff(a, b [][]float64) [][]float64 {
	out := zerosLike(a)
	for i := range a {
		for j := range a[i] {
			out[i][j] = math.Abs(a[i][j] - b[i][j])
		}
	}
	return out
}

func pick(ts []turnSample, idx []int) []turnSample {
	out := make([]turnSample, len(idx))
	for k, i := range idx {
		out[k] = ts[i]
	}
	return out
}

func pickRows(x [][]float64, idx []int) [][]float64 {
	if x == nil {
		return nil
	}
	out := make([][]float64, len(idx))
	for k, i := range idx {
		out[k] = x[i]
	}
	return out
}
