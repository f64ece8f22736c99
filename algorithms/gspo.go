package algorithms

func init() {
	Register(Spec{
		Name:     "gspo",
		Summary:  "group mean/std advantage, all turn-samples in one step, the GSPO paper's sequence-level clipped objective (clip 3e-4/4e-4)",
		Defaults: GSPODefaults,
		New:      func(s Settings) (Algorithm, error) { return AllAtOnce("gspo", s), nil },
	})
}

// GSPO's clip range in its paper (left and right of 1); far narrower than
// PPO's because the sequence ratio is length-normalised.
const (
	GSPOClipLow  = 3e-4
	GSPOClipHigh = 4e-4
)

// GSPODefaults are the GSPO paper's settings on the reference
// configuration: group mean/std advantage, all turn-samples in one step,
// the sequence-level objective (LossGSPOSeq) with clip 3e-4/4e-4. verl's
// per-token form is Loss = LossGSPO.
func GSPODefaults() Settings {
	s := referenceSettings()
	s.Estimator, s.Loss = EstGRPO, LossGSPOSeq
	s.ClipLow, s.ClipHigh = GSPOClipLow, GSPOClipHigh
	return s
}
