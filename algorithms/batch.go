package algorithms

import (
	"fmt"
	"math"

	"github.com/seeupo/seeupo/policy"
)

// Turn is one response of the agent: the token ids it saw (the whole
// history up to this turn), the token ids it emitted, optionally the
// sampler's log-prob of each response token, and the loss mask (nil means
// every response token is trained on).
type Turn struct {
	Context         []int
	Response        []int
	SamplerLogProbs []float64
	Mask            []float64
}

// Trajectory is one episode: its id (unique in the batch), its group (the
// rollouts of the same task share a group), its turns in execution order,
// and the terminal reward shared by every turn.
type Trajectory struct {
	ID     string
	Group  string
	Turns  []Turn
	Reward float64
}

// Batch is what the harness hands an algorithm after a round of rollouts.
// TurnLimit is the rollouts' largest allowed number of turns (rl.max_turns;
// 0 when unknown); SeeUPO's release-reproducing mode takes one turn step
// per allowed turn.
type Batch struct {
	Trajectories []Trajectory
	TurnLimit    int
}

// Validate checks the batch and names the first offending field.
func (b *Batch) Validate() error {
	if len(b.Trajectories) == 0 {
		return fmt.Errorf("batch: no trajectories")
	}
	ids := map[string]bool{}
	for i, tr := range b.Trajectories {
		if ids[tr.ID] {
			return fmt.Errorf("trajectories[%d].id: duplicate %q", i, tr.ID)
		}
		ids[tr.ID] = true
		if math.IsNaN(tr.Reward) || math.IsInf(tr.Reward, 0) {
			return fmt.Errorf("trajectories[%d].reward: not a finite number", i)
		}
		if len(tr.Turns) == 0 {
			return fmt.Errorf("trajectories[%d].turns: empty", i)
		}
		for t, turn := range tr.Turns {
			n := len(turn.Response)
			if turn.Mask != nil && len(turn.Mask) != n {
				return fmt.Errorf("trajectories[%d].turns[%d].mask: %d entries for %d response tokens", i, t, len(turn.Mask), n)
			}
			if turn.SamplerLogProbs != nil && len(turn.SamplerLogProbs) != n {
				return fmt.Errorf("trajectories[%d].turns[%d].sampler_logprobs: %d entries for %d response tokens", i, t, len(turn.SamplerLogProbs), n)
			}
		}
	}
	return nil
}

// MaxTurns is the largest number of turns of any trajectory.
func (b *Batch) MaxTurns() int {
	n := 0
	for _, tr := range b.Trajectories {
		n = max(n, len(tr.Turns))
	}
	return n
}

// turnCounts is each trajectory's number of turns, in batch order.
func (b *Batch) turnCounts() []int {
	out := make([]int, len(b.Trajectories))
	for i, tr := range b.Trajectories {
		out[i] = len(tr.Turns)
	}
	return out
}

// Rewards and group indices of the trajectories, in batch order.
func (b *Batch) rewardsAndGroups() ([]float64, []int) {
	r := make([]float64, len(b.Trajectories))
	keys := make([]string, len(b.Trajectories))
	for i, tr := range b.Trajectories {
		r[i], keys[i] = tr.Reward, tr.Group
	}
	g, _ := GroupIndex(keys)
	return r, g
}

// turnSample is one (trajectory, turn) pair flattened for the policy.
// padded marks a copy of an ended trajectory's last turn (reproduction of
// the release only).
type turnSample struct {
	traj, turn int
	sample     policy.Sample
	mask       []float64
	sampler    []float64
	padded     bool
}

func newTurnSample(tr *Trajectory, traj, turn int) turnSample {
	t := tr.Turns[turn]
	mask := t.Mask
	if mask == nil {
		mask = make([]float64, len(t.Response))
		for j := range mask {
			mask[j] = 1
		}
	}
	return turnSample{traj: traj, turn: turn, sample: policy.Sample{Context: t.Context, Response: t.Response},
		mask: mask, sampler: t.SamplerLogProbs}
}

// allTurns flattens every turn of every trajectory.
func (b *Batch) allTurns() []turnSample {
	var out []turnSample
	for i := range b.Trajectories {
		for t := range b.Trajectories[i].Turns {
			out = append(out, newTurnSample(&b.Trajectories[i], i, t))
		}
	}
	return out
}

// turnBatch is turn t of every trajectory that has one; with padded (the
// release's behaviour), a trajectory that ended earlier contributes a copy
// of its last turn flagged padded: its advantage is zero but its tokens
// stay in the mask, so it gets KL gradients, counts in the aggregation and
// feeds the suffix ratio, as in the release.
func (b *Batch) turnBatch(t int, padded bool) []turnSample {
	var out []turnSample
	for i := range b.Trajectories {
		tr := &b.Trajectories[i]
		switch {
		case t < len(tr.Turns):
			out = append(out, newTurnSample(tr, i, t))
		case padded:
			s := newTurnSample(tr, i, len(tr.Turns)-1)
			s.padded = true
			out = append(out, s)
		}
	}
	return out
}

func samplesOf(ts []turnSample) []policy.Sample {
	out := make([]policy.Sample, len(ts))
	for i, s := range ts {
		out[i] = s.sample
	}
	return out
}

func masksOf(ts []turnSample) [][]float64 {
	out := make([][]float64, len(ts))
	for i, s := range ts {
		out[i] = s.mask
	}
	return out
}

func tokenCount(ts []turnSample) int {
	n := 0
	for _, s := range ts {
		n += len(s.sample.Response)
	}
	return n
}

// broadcast gives every response token of each sample its trajectory's
// advantage, times the mask.
func broadcast(ts []turnSample, perTraj []float64) [][]float64 {
	out := make([][]float64, len(ts))
	for i, s := range ts {
		out[i] = make([]float64, len(s.mask))
		for j, m := range s.mask {
			out[i][j] = perTraj[s.traj] * m
		}
	}
	return out
}
