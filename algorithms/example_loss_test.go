package algorithms_test

import (
	"fmt"
	"math"

	"github.com/seeupo/seeupo/algorithms"
)

// Adding a policy loss: register its name and its per-token terms. This
// one is REINFORCE with each token's advantage clipped to [−1, 1]; every
// algorithm then runs with `algorithm.loss: reinforce_clipped`, and
// `seeupo algo eval` answers {"op":"loss","loss":"reinforce_clipped",…}.
func ExampleRegisterLoss() {
	algorithms.RegisterLoss(algorithms.LossSpec{
		Name:    "reinforce_clipped",
		Summary: "−clip(A, −1, 1)·log π per token",
		Tokens: func(_ algorithms.LossConfig, in algorithms.LossInput) algorithms.TokenTerms {
			clipped := make([][]float64, len(in.Adv))
			for i, row := range in.Adv {
				clipped[i] = make([]float64, len(row))
				for j, a := range row {
					clipped[i][j] = math.Max(-1, math.Min(1, a))
				}
			}
			return algorithms.ReinforceTokens(in.LogP, clipped)
		},
	})

	// Two tokens with log-probs −1 and −2 and advantage 2 (clipped to 1):
	// the token mean of −A·log π is (1 + 2)/2, its gradient −1/2 per token.
	res, err := algorithms.PolicyObjective(
		algorithms.LossConfig{Loss: "reinforce_clipped", Agg: algorithms.AggTokenMean},
		algorithms.LossInput{LogP: [][]float64{{-1, -2}}, Mask: [][]float64{{1, 1}}, Adv: [][]float64{{2, 2}}})
	fmt.Println(res.Loss, res.GradLogP, err)
	// Output: 1.5 [[-0.5 -0.5]] <nil>
}
