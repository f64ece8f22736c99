package algorithms

func init() {
	Register(Spec{
		Name:     "reinforce_pp",
		Summary:  "REINFORCE++: per-token k1 KL penalty in the reward, return-to-go whitened over the batch, token-level PPO clip",
		Defaults: ReinforcePPDefaults,
		New:      func(s Settings) (Algorithm, error) { return AllAtOnce("reinforce_pp", s), nil },
	})
}

// ReinforcePPDefaults are REINFORCE++'s settings on the reference
// configuration: as in its paper the KL penalty is in the reward, per
// token kl_coef·(log π_old − log π_ref), before the return-to-go, which
// is whitened over the batch; token-level PPO clip. KLPlacement =
// KLInLoss gives the reference configs' form instead: the KL estimator of
// Settings.KL (k3) in the loss.
func ReinforcePPDefaults() Settings {
	s := referenceSettings()
	s.Estimator, s.Loss = EstReinforcePP, LossPPO
	s.KLPlacement = KLInReward
	return s
}
