package config

import "github.com/seeupo/seeupo/algorithms"

// AlgorithmConfig selects the training algorithm and its settings; its keys
// are algorithms.SettingKeys and name (a test keeps them in step). Only
// the values a preset, the file, the environment or a flag sets count
// (Resolved.Explicit("algorithm")): they are a layer over the chosen
// algorithm's own defaults, so any value given, the reference value, zero
// and false included, wins, and a key not given leaves the algorithm's
// own. The defaults below are the reference values of SEEUPO.md, shown by
// `seeupo config show`; empty estimator, loss, group_stats and
// kl_placement stand for the algorithm's own.
type AlgorithmConfig struct {
	Name               string  `key:"name" help:"algorithm: seeupo, ppo, grpo, gspo, reinforce, rloo, reinforce_pp, or any other registered one"`
	Estimator          string  `key:"estimator" help:"advantage estimator (a registered one); empty: the algorithm's own"`
	Loss               string  `key:"loss" help:"policy loss (a registered one); empty: the algorithm's own (seeupo: gspo; ppo reproduces the release; gspo-seq: the GSPO paper's sequence-level objective)"`
	ClipLow            float64 `key:"clip_low" min:"0" max:"0.99" help:"PPO/GSPO clip below 1"`
	ClipHigh           float64 `key:"clip_high" min:"0" help:"PPO/GSPO clip above 1"`
	DualClip           float64 `key:"dual_clip" min:"0" help:"dual clip c for negative advantages (<= 1 disables)"`
	KL                 string  `key:"kl" allowed:"none|k1|k2|k3" help:"KL estimator to the reference policy"`
	KLCoef             float64 `key:"kl_coef" min:"0" help:"KL loss coefficient"`
	EntropyCoef        float64 `key:"entropy_coef" help:"entropy bonus coefficient"`
	Agg                string  `key:"agg" help:"loss aggregation (a registered mode)"`
	LR                 float64 `key:"lr" min:"0" help:"actor learning rate (AdamW)"`
	WeightDecay        float64 `key:"weight_decay" min:"0" help:"AdamW weight decay"`
	GradClip           float64 `key:"grad_clip" min:"0" help:"global gradient-norm clip (0 disables)"`
	Beta1              float64 `key:"beta1" min:"0" max:"0.999999" help:"AdamW beta1"`
	Beta2              float64 `key:"beta2" min:"0" max:"0.999999999" help:"AdamW beta2"`
	Epochs             int     `key:"epochs" min:"1" help:"passes over each batch"`
	MiniBatches        int     `key:"mini_batches" min:"1" help:"optimiser steps per pass"`
	Budget             string  `key:"budget" allowed:"rollouts|updates" help:"what a comparison holds equal per training step: the same rollouts (each algorithm its own optimiser steps) or the same optimiser steps (baselines split the batch into one mini-batch per SeeUPO turn step); never changes the lr"`
	SamplerOldLogProbs bool    `key:"sampler_old_logprobs" help:"use the sampler's log-probs as pi_old instead of recomputing them"`
	Order              string  `key:"order" allowed:"reverse|forward|random" help:"seeupo: turn update order"`
	SuffixWeights      string  `key:"suffix_weights" allowed:"released|exact" help:"seeupo: incremental product (released) or suffix ratio recomputed with current parameters"`
	PadEnded           bool    `key:"pad_ended" help:"seeupo: reproduce the release's padded copies of ended trajectories (one turn step per rl.max_turns)"`
	RenormSurvivors    bool    `key:"renorm_survivors" help:"seeupo: z-score advantages again over each turn's surviving trajectories (not the release; can flip signs)"`
	GroupStats         string  `key:"group_stats" allowed:"|trajectories|turn-samples" help:"grpo/grae/rloo estimators: group statistics over trajectories or over turn-samples (the release); empty: the algorithm's own"`
	KLPlacement        string  `key:"kl_placement" allowed:"|loss|reward" help:"KL penalty in the loss or in the per-token reward (reinforce_pp's paper); empty: the algorithm's own"`
	GroupBaseline      bool    `key:"group_baseline" help:"reinforce_pp: subtract the group mean first (REINFORCE++-baseline)"`
	Gamma              float64 `key:"gamma" min:"0" max:"1" help:"discount (GAE, return-to-go)"`
	Lambda             float64 `key:"lambda" min:"0" max:"1" help:"GAE lambda"`
	ValueClip          float64 `key:"value_clip" min:"0" help:"ppo: critic value clip"`
	CriticLR           float64 `key:"critic_lr" min:"0" help:"ppo: critic learning rate"`
}

func init() {
	// The allowed names come from the algorithms' registries; an empty
	// estimator or loss is the algorithm's own.
	orOwn := func(names func() []string) func() []string {
		return func() []string { return append([]string{""}, names()...) }
	}
	choices["algorithm.name"] = algorithms.Names
	choices["algorithm.estimator"] = orOwn(algorithms.Estimators)
	choices["algorithm.loss"] = orOwn(algorithms.Losses)
	choices["algorithm.agg"] = algorithms.AggModes
	registerDefaults(func(c *Config) {
		c.Algorithm = AlgorithmConfig{Name: "seeupo", ClipLow: 0.2, ClipHigh: 0.2, DualClip: 3, KL: "k3", KLCoef: 0.002,
			Agg: "seq-mean-token-mean", LR: 1e-6, WeightDecay: 0.01, GradClip: 1, Beta1: 0.9, Beta2: 0.999,
			Epochs: 1, MiniBatches: 1, Budget: "rollouts", Order: "reverse", SuffixWeights: "released", Gamma: 1, Lambda: 1,
			ValueClip: 0.5, CriticLR: 1e-5}
	})
}
