package algorithms

import "fmt"

// Overrides are the run configuration's algorithm settings (the
// `algorithm:` section). harness/config mirrors this struct field for
// field, so `Overrides(cfg.Algorithm)` converts one into the other; the
// compiler keeps the two in step.
//
// Empty Estimator, Loss, GroupStats and KLPlacement mean the algorithm's
// own; KL "none" disables
// the KL term. Every other field whose value differs from the reference
// value (ReferenceOverrides) replaces the algorithm's default; a field at
// its reference value leaves the algorithm's own default, so an algorithm
// with other defaults keeps them unless the configuration sets them.
type Overrides struct {
	Name               string
	Estimator          string
	Loss               string
	ClipLow            float64
	ClipHigh           float64
	DualClip           float64
	KL                 string
	KLCoef             float64
	EntropyCoef        float64
	Agg                string
	LR                 float64
	WeightDecay        float64
	GradClip           float64
	Beta1              float64
	Beta2              float64
	Epochs             int
	MiniBatches        int
	Budget             string
	SamplerOldLogProbs bool
	Order              string
	SuffixWeights      string
	PadEnded           bool
	RenormSurvivors    bool
	GroupStats         string
	KLPlacement        string
	GroupBaseline      bool
	Gamma              float64
	Lambda             float64
	ValueClip          float64
	CriticLR           float64
}

// ReferenceOverrides are the reference values of SEEUPO.md shared by every
// algorithm (name seeupo).
func ReferenceOverrides() Overrides {
	r := referenceSettings()
	return Overrides{Name: "seeupo", ClipLow: r.ClipLow, ClipHigh: r.ClipHigh, DualClip: r.DualClip, KL: r.KL,
		KLCoef: r.KLCoef, EntropyCoef: r.EntropyCoef, Agg: r.Agg, LR: r.Optim.LR, WeightDecay: r.Optim.WeightDecay,
		GradClip: r.Optim.MaxGradNorm, Beta1: r.Optim.Beta1, Beta2: r.Optim.Beta2, Epochs: r.Epochs,
		MiniBatches: r.MiniBatches, Budget: r.Budget, Order: r.Order, SuffixWeights: r.SuffixWeights, Gamma: r.Gamma,
		Lambda: r.Lambda, ValueClip: r.ValueClip, CriticLR: r.CriticOptim.LR}
}

// SettingsFrom returns the named algorithm's defaults with the overrides
// applied, validated.
func SettingsFrom(o Overrides) (Settings, error) {
	s, err := Defaults(o.Name)
	if err != nil {
		return s, err
	}
	ref := ReferenceOverrides()
	setS := func(dst *string, v, refV string) {
		if v != refV {
			*dst = v
		}
	}
	setF := func(dst *float64, v, refV float64) {
		if v != refV {
			*dst = v
		}
	}
	setI := func(dst *int, v, refV int) {
		if v != refV {
			*dst = v
		}
	}
	setB := func(dst *bool, v bool) {
		if v {
			*dst = v
		}
	}
	setS(&s.Estimator, o.Estimator, "")
	setS(&s.Loss, o.Loss, "")
	setF(&s.ClipLow, o.ClipLow, ref.ClipLow)
	setF(&s.ClipHigh, o.ClipHigh, ref.ClipHigh)
	setF(&s.DualClip, o.DualClip, ref.DualClip)
	if o.KL == "none" {
		s.KL = KLNone
	} else {
		setS(&s.KL, o.KL, ref.KL)
	}
	setF(&s.KLCoef, o.KLCoef, ref.KLCoef)
	setF(&s.EntropyCoef, o.EntropyCoef, ref.EntropyCoef)
	setS(&s.Agg, o.Agg, ref.Agg)
	setF(&s.Optim.LR, o.LR, ref.LR)
	setF(&s.Optim.WeightDecay, o.WeightDecay, ref.WeightDecay)
	setF(&s.Optim.MaxGradNorm, o.GradClip, ref.GradClip)
	setF(&s.Optim.Beta1, o.Beta1, ref.Beta1)
	setF(&s.Optim.Beta2, o.Beta2, ref.Beta2)
	setI(&s.Epochs, o.Epochs, ref.Epochs)
	setI(&s.MiniBatches, o.MiniBatches, ref.MiniBatches)
	setS(&s.Budget, o.Budget, ref.Budget)
	setB(&s.SamplerOldLogProbs, o.SamplerOldLogProbs)
	setS(&s.Order, o.Order, ref.Order)
	setS(&s.SuffixWeights, o.SuffixWeights, ref.SuffixWeights)
	setB(&s.PadEnded, o.PadEnded)
	setB(&s.RenormSurvivors, o.RenormSurvivors)
	setS(&s.GroupStats, o.GroupStats, "")
	setS(&s.KLPlacement, o.KLPlacement, "")
	setB(&s.GroupBaseline, o.GroupBaseline)
	setF(&s.Gamma, o.Gamma, ref.Gamma)
	setF(&s.Lambda, o.Lambda, ref.Lambda)
	setF(&s.ValueClip, o.ValueClip, ref.ValueClip)
	setF(&s.CriticOptim.LR, o.CriticLR, ref.CriticLR)
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("algorithm %s: %w", o.Name, err)
	}
	return s, nil
}
