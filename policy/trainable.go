package policy

// Sample is one (context, response) pair of token ids: the policy scores
// the response tokens given everything before them. For the tabular policy
// the ids are the turn history's actions and observations.
type Sample struct {
	Context  []int
	Response []int
}

// Scores are per-response-token figures for a batch, in the batch's order:
// LogProbs[i][j] is log π(Response_i[j] | Context_i, Response_i[:j]).
// Entropy is filled only when asked for (nil otherwise) and holds the
// entropy of the full next-token distribution at the same positions.
type Scores struct {
	LogProbs [][]float64
	Entropy  [][]float64
}

// Scorer computes log-probabilities without keeping anything for a
// backward pass. A frozen reference policy is a Scorer.
type Scorer interface {
	Score(batch []Sample, withEntropy bool) (Scores, error)
}

// Interruptible is a model whose long computations (scoring and training
// over many micro-batches) can stop part way: once SetInterrupt(f) is
// called, they call f between micro-batches and return its error, if any,
// leaving the gradients unspecified. A trainer passes its context's Err.
type Interruptible interface {
	SetInterrupt(f func() error)
}

// LossFunc receives the scores of a whole batch, computed with the current
// parameters, and returns the loss and its gradient with respect to every
// response token's log-prob and (when the scores were asked with entropy;
// nil otherwise) entropy. Shapes match the scores.
type LossFunc func(s Scores) (loss float64, dLogProbs, dEntropy [][]float64, err error)

// Optim is one optimiser step's settings: AdamW after global-norm gradient
// clipping (MaxGradNorm ≤ 0 disables clipping).
type Optim struct {
	LR          float64
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	MaxGradNorm float64
}

// StepStats report one optimiser step. GradNorm is the global norm before
// clipping.
type StepStats struct {
	GradNorm float64
	Clipped  bool
}

// Snapshot is an opaque in-memory copy of a policy's weights and optimiser
// state, restorable into the policy it came from.
type Snapshot interface{}

// Trainable is what an algorithm needs of a policy. The native transformer
// and the tabular policy implement it, so the same algorithm code runs on
// both.
type Trainable interface {
	Scorer
	// ForwardBackward scores the batch with the current parameters, calls
	// loss once with the whole batch's scores, and accumulates the
	// gradient of the returned loss into the parameters' gradients. It
	// returns the loss. An implementation may split the batch into micro
	// batches internally; the loss still sees the whole batch.
	ForwardBackward(batch []Sample, withEntropy bool, loss LossFunc) (float64, error)
	// Step clips the accumulated gradients, applies AdamW and zeroes the
	// gradients.
	Step(o Optim) (StepStats, error)
	// ZeroGrad discards accumulated gradients.
	ZeroGrad()
	// Snapshot copies weights and optimiser state; Restore puts them back.
	Snapshot() Snapshot
	Restore(Snapshot) error
	// Frozen returns an independent copy of the current weights that only
	// scores (the reference policy).
	Frozen() Scorer
}

// ValueModel is a critic: a policy-shaped network with a scalar head that
// predicts the value at every response token position. PPO uses it.
type ValueModel interface {
	// Values predicts the value before each response token.
	Values(batch []Sample) ([][]float64, error)
	// ForwardBackwardValues predicts values with the current parameters,
	// calls loss once with them and accumulates the gradient of the
	// returned loss (dValues has the shape of the values).
	ForwardBackwardValues(batch []Sample, loss func(values [][]float64) (float64, [][]float64, error)) (float64, error)
	Step(o Optim) (StepStats, error)
	ZeroGrad()
	Snapshot() Snapshot
	Restore(Snapshot) error
}
