package algorithms

// LossSpec registers a policy loss: the policy-gradient term of
// PolicyObjective, chosen by the loss setting. Give Tokens for a loss
// defined per token (its terms are aggregated with the agg mode), or
// Sequence for one defined over sequences. Adding one is a file that calls
// RegisterLoss from init.
type LossSpec struct {
	Name    string
	Summary string
	// Tokens returns per-token values and their derivatives with respect
	// to the same token's log-prob; Clipped flags (nil for a loss without
	// a clip) feed the clip-fraction metrics.
	Tokens func(c LossConfig, in LossInput) TokenTerms
	// Sequence returns the loss and, in Grad, its exact derivative with
	// respect to every token's log-prob; the agg mode does not apply to it.
	Sequence func(c LossConfig, in LossInput) (float64, TokenTerms)
	// UsesOldLogProbs says the loss reads LossInput.OldLogP (a ratio to
	// the sampling policy).
	UsesOldLogProbs bool
}

var lossRegistry = newRegistry[LossSpec]("loss")

// RegisterLoss adds a policy loss; call it from init. A duplicate or
// empty name, or a spec with neither or both of Tokens and Sequence,
// panics.
func RegisterLoss(s LossSpec) {
	if (s.Tokens == nil) == (s.Sequence == nil) {
		panic("algorithms: RegisterLoss " + s.Name + " needs exactly one of Tokens and Sequence")
	}
	lossRegistry.add(s.Name, s)
}

// Losses lists the registered policy losses, sorted.
func Losses() []string { return lossRegistry.names() }

// LookupLoss returns the named loss; an unknown name is an error listing
// the known ones.
func LookupLoss(name string) (LossSpec, error) { return lossRegistry.lookup(name) }

func init() {
	RegisterLoss(LossSpec{Name: LossPPO, Summary: "token-level clipped surrogate with dual clip", UsesOldLogProbs: true,
		Tokens: func(c LossConfig, in LossInput) TokenTerms {
			return PPOClipTokens(in.LogP, in.OldLogP, in.Adv, c.ClipLow, c.ClipHigh, c.DualClip)
		}})
	RegisterLoss(LossSpec{Name: LossGSPO, Summary: "GSPO's sequence ratio in verl's per-token form", UsesOldLogProbs: true,
		Tokens: func(c LossConfig, in LossInput) TokenTerms {
			return GSPOTokens(in.LogP, in.OldLogP, in.Adv, in.Mask, c.ClipLow, c.ClipHigh)
		}})
	RegisterLoss(LossSpec{Name: LossGSPOSeq, Summary: "the GSPO paper's sequence-level clipped objective", UsesOldLogProbs: true,
		Sequence: func(c LossConfig, in LossInput) (float64, TokenTerms) {
			return GSPOSequence(in.LogP, in.OldLogP, in.Adv, in.Mask, c.ClipLow, c.ClipHigh)
		}})
	RegisterLoss(LossSpec{Name: LossReinforce, Summary: "−A·log π per token",
		Tokens: func(_ LossConfig, in LossInput) TokenTerms { return ReinforceTokens(in.LogP, in.Adv) }})
}
