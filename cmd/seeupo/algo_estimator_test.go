package main

import (
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
)

// An estimator registered in one file — here, this test file — is known
// to `seeupo algo eval`, to the configuration and to every run, with no
// other file changed. "best_only" gives the group's best trajectories 1
// and the others 0.
func init() {
	algorithms.RegisterEstimator(algorithms.EstimatorSpec{
		Name:    "best_only",
		Summary: "1 for the group's highest reward, 0 otherwise (test only)",
		Advantages: func(rewards []float64, groups []int) ([]float64, error) {
			best := map[int]float64{}
			for i, g := range groups {
				if r, ok := best[g]; !ok || rewards[i] > r {
					best[g] = rewards[i]
				}
			}
			adv := make([]float64, len(rewards))
			for i, g := range groups {
				if rewards[i] == best[g] {
					adv[i] = 1
				}
			}
			return adv, nil
		},
	})
}

func TestRegisteredEstimatorInAlgoEval(t *testing.T) {
	in := writeInput(t, `{"op":"advantage","estimator":"best_only","rewards":[0,3,3,1],"groups":["a","a","b","b"]}`,
		`{"op":"advantage","estimator":"gae","rewards":[1],"groups":["a"]}`)
	out, _, err := runCLI(t, "algo", "eval", "--input", in)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 inputs had errors") {
		t.Fatalf("error %v", err)
	}
	lines := decodeLines(t, out)
	if got := floats(t, lines[0]["advantages"]); len(got) != 4 || got[0] != 0 || got[1] != 1 || got[2] != 1 || got[3] != 0 {
		t.Errorf("advantages %v, want [0 1 1 0]", got)
	}
	if e := string(lines[1]["error"]); !strings.Contains(e, `unknown trajectory-level estimator \"gae\"`) || !strings.Contains(e, "best_only") {
		t.Errorf("gae in the advantage op: %s", e)
	}
	help, _, _ := runCLI(t, "algo", "eval", "--help")
	if !strings.Contains(help, "best_only") {
		t.Errorf("help does not list the registered estimator:\n%s", help)
	}
}

func TestRegisteredEstimatorInConfiguration(t *testing.T) {
	s, err := settingsFor(t, "algorithm:\n  estimator: best_only\n", "grpo")
	if err != nil || s.Estimator != "best_only" {
		t.Fatalf("estimator %q, error %v", s.Estimator, err)
	}
	_, err = settingsFor(t, "algorithm:\n  estimator: best\n", "grpo")
	if err == nil || !strings.Contains(err.Error(), `setting "algorithm.estimator" must be one of`) || !strings.Contains(err.Error(), "best_only") {
		t.Errorf("unknown estimator: %v", err)
	}
}
