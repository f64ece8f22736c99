package algorithms

import (
	"fmt"
	"math"
)

// TurnAdvOptions select how SeeUPO forms its turn batches.
type TurnAdvOptions struct {
	// PadEnded gives every trajectory a sample in every turn step: after
	// it ended, a padded copy with advantage 0 (the release). The update
	// then takes max(TurnLimit, longest trajectory) turn steps.
	PadEnded bool
	// RenormSurvivors z-scores the group-centred advantages again over
	// each turn batch (padded copies included when PadEnded). Not the
	// release's behaviour; it can flip signs.
	RenormSurvivors bool
	// TurnLimit is the rollouts' largest allowed number of turns.
	TurnLimit int
}

// SeeUPOTurnAdvantages returns the advantage of trajectory i at turn step
// t, out[i][t], as turn t's update uses it before the suffix weights:
// the group-centred reward R_i − mean_group(R) z-scored once over every
// trajectory of the batch (mean, unbiased standard deviation, clamped to
// ±3; only centred when the standard deviation is at most 1e-6). Every
// sample of a trajectory takes its trajectory's value, so a trajectory
// better than its group is pushed up at every turn. out[i][t] is NaN
// where trajectory i has no sample at turn t, and 0 for a padded copy.
// turns[i] is trajectory i's number of turns (at least 1).
func SeeUPOTurnAdvantages(rewards []float64, groups []int, turns []int, o TurnAdvOptions) ([][]float64, error) {
	if len(turns) != len(rewards) {
		return nil, fmt.Errorf("turns: %d entries for %d rewards", len(turns), len(rewards))
	}
	T := 0
	for i, n := range turns {
		if n < 1 {
			return nil, fmt.Errorf("turns[%d]: must be >= 1, got %d", i, n)
		}
		T = max(T, n)
	}
	if o.PadEnded {
		T = max(T, o.TurnLimit)
	}
	grae, err := GRAEAdvantages(rewards, groups)
	if err != nil {
		return nil, err
	}
	whole := BatchZScoreClamp(grae)
	out := make([][]float64, len(rewards))
	for i := range out {
		out[i] = make([]float64, T)
		for t := range out[i] {
			switch {
			case t < turns[i]:
				out[i][t] = whole[i]
			case o.PadEnded:
				out[i][t] = 0
			default:
				out[i][t] = math.NaN()
			}
		}
	}
	if o.RenormSurvivors {
		renormPerTurn(out, grae, turns, o.PadEnded)
	}
	return out, nil
}

// renormPerTurn replaces each live sample's advantage by the z-score of
// its group-centred advantage over turn t's batch (survivors, and padded
// copies when padded).
func renormPerTurn(out [][]float64, grae []float64, turns []int, padded bool) {
	for t := range out[0] {
		var members []int
		var vals []float64
		for i := range out {
			if t < turns[i] || padded {
				members = append(members, i)
				vals = append(vals, grae[i])
			}
		}
		z := BatchZScoreClamp(vals)
		for k, i := range members {
			if t < turns[i] {
				out[i][t] = z[k]
			}
		}
	}
}
