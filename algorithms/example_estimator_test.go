package algorithms_test

import (
	"context"
	"fmt"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/policy/tabular"
)

// Adding an advantage estimator: register its name and its
// trajectory-level form. This one is range-normalised GRAE,
// (r − group mean)/(group max − group min), 0 where a group's rewards are
// all equal. Any algorithm on the all-at-once schedule then runs with it
// by name (here grpo, through Resolve as a configuration's
// `algorithm.estimator: range` would), and `seeupo algo eval` answers
// {"op":"advantage","estimator":"range",…}.
func ExampleRegisterEstimator() {
	algorithms.RegisterEstimator(algorithms.EstimatorSpec{
		Name:    "range",
		Summary: "(r − group mean)/(group max − group min)",
		Advantages: func(rewards []float64, groups []int) ([]float64, error) {
			lo, hi, sum, n := map[int]float64{}, map[int]float64{}, map[int]float64{}, map[int]float64{}
			for i, g := range groups {
				if n[g] == 0 || rewards[i] < lo[g] {
					lo[g] = rewards[i]
				}
				if n[g] == 0 || rewards[i] > hi[g] {
					hi[g] = rewards[i]
				}
				sum[g], n[g] = sum[g]+rewards[i], n[g]+1
			}
			adv := make([]float64, len(rewards))
			for i, g := range groups {
				if hi[g] > lo[g] {
					adv[i] = (rewards[i] - sum[g]/n[g]) / (hi[g] - lo[g])
				}
			}
			return adv, nil
		},
	})

	s, err := algorithms.Resolve("grpo", algorithms.Overrides{"estimator": "range", "lr": 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	alg, _ := algorithms.New("grpo", s)
	turn := func(tok int) []algorithms.Turn { return []algorithms.Turn{{Context: []int{0}, Response: []int{tok}}} }
	batch := &algorithms.Batch{Trajectories: []algorithms.Trajectory{
		{ID: "a", Group: "task-1", Reward: 2, Turns: turn(1)},
		{ID: "b", Group: "task-1", Reward: 1, Turns: turn(2)},
		{ID: "c", Group: "task-1", Reward: 0, Turns: turn(3)},
	}}
	p := tabular.NewSoftmax(4)
	met, err := alg.Update(context.Background(), algorithms.Models{Policy: p, Ref: p.Frozen()}, batch)
	fmt.Println(s.Estimator, met["critic/advantages/max"], met["critic/advantages/min"], err)
	// Output: range 0.5 -0.5 <nil>
}
