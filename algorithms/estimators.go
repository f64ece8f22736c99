package algorithms

import "fmt"

// EstimatorSpec registers a trajectory-level advantage estimator: one
// advantage per trajectory from the rewards of its group. The all-at-once
// schedule gives every response token of a trajectory its trajectory's
// advantage (with group_stats: turn-samples it calls Advantages on the
// turn-samples, each carrying its trajectory's reward and group), and
// `seeupo algo eval`'s "advantage" op calls it by name. Adding one is a
// file that calls RegisterEstimator from init.
type EstimatorSpec struct {
	Name    string
	Summary string
	// Advantages maps rewards, and each reward's dense group index, to
	// one advantage per reward.
	Advantages func(rewards []float64, groups []int) ([]float64, error)
}

// estimator is a registered estimator: a trajectory-level one, or one
// that works per token inside an all-at-once update (GAE with its critic,
// REINFORCE++'s return-to-go), which needs the update's own machinery.
type estimator struct {
	EstimatorSpec
	// tokens computes per-token advantages of the update's turn-samples
	// and, with a critic, the critic's values and the returns.
	tokens   func(a *allAtOnce, m Models, b *Batch, ts []turnSample, old [][]float64, met Metrics) (adv, values, returns [][]float64, err error)
	critic   bool // needs Models.Critic
	rewardKL bool // reads kl_placement: reward
}

var estimatorRegistry = newRegistry[estimator]("estimator")

// RegisterEstimator adds a trajectory-level estimator; call it from init.
// A duplicate or empty name, or a spec without Advantages, panics.
func RegisterEstimator(s EstimatorSpec) {
	if s.Advantages == nil {
		panic("algorithms: RegisterEstimator " + s.Name + " needs Advantages")
	}
	estimatorRegistry.add(s.Name, estimator{EstimatorSpec: s})
}

// Estimators lists every registered estimator, sorted: the settings'
// allowed values of estimator.
func Estimators() []string { return estimatorRegistry.names() }

// TrajectoryEstimators lists the estimators with a trajectory-level form
// (EstimatorAdvantages), sorted.
func TrajectoryEstimators() []string {
	var out []string
	for _, n := range Estimators() {
		if e, _ := estimatorRegistry.lookup(n); e.Advantages != nil {
			out = append(out, n)
		}
	}
	return out
}

// EstimatorAdvantages returns the trajectory-level form of the named
// estimator; an unknown name, or an estimator that only works per token
// inside an update, is an error naming the trajectory-level ones.
func EstimatorAdvantages(name string) (func([]float64, []int) ([]float64, error), error) {
	if e, err := estimatorRegistry.lookup(name); err == nil && e.Advantages != nil {
		return e.Advantages, nil
	}
	return nil, fmt.Errorf("unknown trajectory-level estimator %q (known: %s)", name, joinNames(TrajectoryEstimators()))
}

func init() {
	for _, s := range []EstimatorSpec{
		{EstGRPO, "(r − group mean)/(group std + 1e-6)", GRPOAdvantages},
		{EstGRAE, "r − group mean", GRAEAdvantages},
		{EstRLOO, "r − mean of the group's other rewards", RLOOAdvantages},
		{EstSeeUPO, "r − group mean, z-scored over the batch and clamped to ±3", SeeUPOAdvantages},
	} {
		RegisterEstimator(s)
	}
	estimatorRegistry.add(EstGAE, estimator{EstimatorSpec: EstimatorSpec{Name: EstGAE,
		Summary: "GAE on a critic's values, whitened over the batch"}, tokens: gaeTokens, critic: true})
	estimatorRegistry.add(EstReinforcePP, estimator{EstimatorSpec: EstimatorSpec{Name: EstReinforcePP,
		Summary: "return-to-go of the last-token reward (optionally less a per-token KL penalty), whitened over the batch"},
		tokens: reinforcePPTokens, rewardKL: true})
}

// gaeTokens is the gae estimator inside an update.
func gaeTokens(a *allAtOnce, m Models, b *Batch, ts []turnSample, _ [][]float64, _ Metrics) (adv, values, returns [][]float64, err error) {
	return a.gaeAdvantages(m.Critic, b, ts)
}

// reinforcePPTokens is the reinforce_pp estimator inside an update, with
// the KL penalty in the reward when kl_placement says so.
func reinforcePPTokens(a *allAtOnce, m Models, b *Batch, ts []turnSample, old [][]float64, met Metrics) (adv, values, returns [][]float64, err error) {
	if a.s.KLPlacement == KLInReward {
		adv, err = a.klRewardAdvantages(m, b, ts, old, met)
		return adv, nil, nil, err
	}
	r, g := b.rewardsAndGroups()
	adv, err = reinforcePPAdvantages(a.s, r, g, ts, nil)
	return adv, nil, nil, err
}
