package algorithms

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/seeupo/seeupo/policy"
)

func init() {
	Register(Spec{
		Name:     "seeupo",
		Summary:  "turn-by-turn sequential update (reverse order), sequence-level ratio, GRAE + batch z-score, suffix weights",
		Defaults: SeeUPODefaults,
		New:      func(s Settings) (Algorithm, error) { return NewSeeUPO(s), nil },
	})
}

// SeeUPODefaults are the reference settings of SeeUPO, with the
// sequence-level loss (the release trains with the token-level PPO loss;
// set Loss to "ppo" to reproduce it).
func SeeUPODefaults() Settings {
	s := referenceSettings()
	s.Estimator, s.Loss = EstSeeUPO, LossGSPO
	return s
}

// SeeUPO updates one turn at a time: for each turn in the configured order
// it recomputes π_old, scales the turn's advantages by each trajectory's
// suffix weight (the ratio of the turns already updated in this step),
// takes one optimiser step on that turn's samples, and updates the
// weights. Weights are keyed by trajectory; ended trajectories are left
// out of later turns unless PadEnded reproduces the release.
type SeeUPO struct {
	s   Settings
	rng *rand.Rand
}

// NewSeeUPO builds SeeUPO with settings s.
func NewSeeUPO(s Settings) *SeeUPO {
	return &SeeUPO{s: s, rng: rand.New(rand.NewPCG(s.Seed, 0x5ee0))}
}

func (a *SeeUPO) Name() string       { return "seeupo" }
func (a *SeeUPO) Settings() Settings { return a.s }

// seeupoRun is the state of one update.
type seeupoRun struct {
	a          *SeeUPO
	m          Models
	b          *Batch
	adv        [][]float64          // [trajectory][turn step], NaN where no sample
	weights    []float64            // per trajectory, released mode
	start      map[[2]int][]float64 // (traj, turn) → log-probs before the update, exact mode
	done       []int                // turns already updated
	acc        *meanAcc
	wMin, wMax float64
	lc         LossConfig
	optim      policy.Optim
}

func (a *SeeUPO) Update(ctx context.Context, m Models, b *Batch) (Metrics, error) {
	begin := time.Now()
	if err := b.Validate(); err != nil {
		return nil, err
	}
	r, g := b.rewardsAndGroups()
	adv, err := SeeUPOTurnAdvantages(r, g, b.turnCounts(), TurnAdvOptions{PadEnded: a.s.PadEnded,
		RenormSurvivors: a.s.RenormSurvivors, TurnLimit: b.TurnLimit})
	if err != nil {
		return nil, err
	}
	run := &seeupoRun{a: a, m: m, b: b, adv: adv, weights: ones(len(b.Trajectories)), acc: newMeanAcc(), optim: a.s.Optim,
		wMin: math.Inf(1), wMax: math.Inf(-1)}
	run.lc = a.s.LossConfig
	if m.Ref == nil {
		run.lc.KL, run.lc.KLCoef = KLNone, 0
	}
	order := a.order(len(adv[0]))
	if a.s.SuffixWeights == WeightsExact {
		if err := run.recordStart(); err != nil {
			return nil, err
		}
	}
	met := Metrics{}
	var steps, tokens int
	var allAdv [][]float64
	var allTS []turnSample
	for _, t := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ts := b.turnBatch(t, a.s.PadEnded)
		adv, err := run.turn(t, ts)
		if err != nil {
			return nil, fmt.Errorf("seeupo turn %d: %w", t+1, err)
		}
		steps++
		tokens += tokenCount(ts)
		allAdv, allTS = append(allAdv, adv...), append(allTS, ts...)
	}
	run.acc.into(met)
	batchMetrics(met, b, allTS, allAdv)
	met["actor/lr"] = run.optim.LR
	met["actor/kl_coef"] = run.lc.KLCoef
	if run.wMin <= run.wMax {
		met["seeupo/suffix_weight/min"], met["seeupo/suffix_weight/max"] = run.wMin, run.wMax
	}
	met["perf/optimizer_steps"] = float64(steps)
	met["perf/total_num_tokens"] = float64(tokens)
	met["timing_s/update_actor"] = time.Since(begin).Seconds()
	return met, nil
}

// order lists the turns 0..T-1 in the configured update order.
func (a *SeeUPO) order(T int) []int {
	out := make([]int, T)
	for i := range out {
		out[i] = i
	}
	switch a.s.Order {
	case OrderReverse:
		for i := range out {
			out[i] = T - 1 - i
		}
	case OrderRandom:
		a.rng.Shuffle(T, func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// turn runs one turn's update and returns the advantages it used.
func (r *seeupoRun) turn(t int, ts []turnSample) ([][]float64, error) {
	s := r.a.s
	w, err := r.suffixWeights(ts)
	if err != nil {
		return nil, err
	}
	adv := make([][]float64, len(ts))
	for i, x := range ts {
		adv[i] = make([]float64, len(x.mask))
		if x.padded {
			continue
		}
		for j, m := range x.mask {
			adv[i][j] = r.adv[x.traj][t] * w[i] * m
		}
		r.acc.add("seeupo/suffix_weight/mean", w[i])
		r.wMin, r.wMax = math.Min(r.wMin, w[i]), math.Max(r.wMax, w[i])
	}
	before, err := r.m.Policy.Score(samplesOf(ts), false)
	if err != nil {
		return nil, fmt.Errorf("old log-probs: %w", err)
	}
	ref, lc, err := refLogProbs(r.m, ts, r.lc)
	if err != nil {
		return nil, err
	}
	if err := actorStep(r.m.Policy, r.optim, lc, ts, adv, before.LogProbs, ref, r.acc); err != nil {
		return nil, err
	}
	r.done = append(r.done, t)
	if s.SuffixWeights == WeightsReleased {
		after, err := r.m.Policy.Score(samplesOf(ts), false)
		if err != nil {
			return nil, fmt.Errorf("log-probs after the step: %w", err)
		}
		prev := make([]float64, len(ts))
		for i, x := range ts {
			prev[i] = r.weights[x.traj]
		}
		next := SuffixWeights(before.LogProbs, after.LogProbs, masksOf(ts), prev, s.ClipLow, s.ClipHigh)
		for i, x := range ts {
			r.weights[x.traj] = next[i]
		}
	}
	return adv, nil
}

// suffixWeights returns each sample's weight: the running product
// (released) or the ratio of the already-updated turns recomputed with the
// current parameters (exact).
func (r *seeupoRun) suffixWeights(ts []turnSample) ([]float64, error) {
	w := make([]float64, len(ts))
	if r.a.s.SuffixWeights == WeightsReleased {
		for i, x := range ts {
			w[i] = r.weights[x.traj]
		}
		return w, nil
	}
	logRatio, err := r.exactLogRatios()
	if err != nil {
		return nil, err
	}
	for i, x := range ts {
		w[i] = clampF(math.Exp(clampF(logRatio[x.traj], -seqLogRatioClamp, seqLogRatioClamp)), 1-r.a.s.ClipLow, 1+r.a.s.ClipHigh)
	}
	return w, nil
}

// exactLogRatios sums, per trajectory, the length-normalised log-ratio
// mean_j(log π_now − log π_start) over every turn already updated in this
// step, with the current parameters.
func (r *seeupoRun) exactLogRatios() ([]float64, error) {
	out := make([]float64, len(r.b.Trajectories))
	var ts []turnSample
	for _, t := range r.done {
		for i := range r.b.Trajectories {
			if t < len(r.b.Trajectories[i].Turns) {
				ts = append(ts, newTurnSample(&r.b.Trajectories[i], i, t))
			}
		}
	}
	if len(ts) == 0 {
		return out, nil
	}
	now, err := r.m.Policy.Score(samplesOf(ts), false)
	if err != nil {
		return nil, fmt.Errorf("suffix log-probs: %w", err)
	}
	for k, x := range ts {
		start := r.start[[2]int{x.traj, x.turn}]
		var d, n float64
		for j, m := range x.mask {
			d += m * (now.LogProbs[k][j] - start[j])
			n += m
		}
		if n > 0 {
			out[x.traj] += d / n
		}
	}
	return out, nil
}

// recordStart scores every turn with the parameters at the start of the
// update (exact suffix weights compare against them).
func (r *seeupoRun) recordStart() error {
	ts := r.b.allTurns()
	sc, err := r.m.Policy.Score(samplesOf(ts), false)
	if err != nil {
		return fmt.Errorf("start log-probs: %w", err)
	}
	r.start = map[[2]int][]float64{}
	for k, x := range ts {
		r.start[[2]int{x.traj, x.turn}] = sc.LogProbs[k]
	}
	return nil
}

func ones(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}
