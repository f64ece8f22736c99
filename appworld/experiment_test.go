package appworld

import (
	"context"
	"regexp"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
)

func TestExperimentName(t *testing.T) {
	bg := context.Background()
	cases := []struct {
		name string
		ctx  context.Context
		base string
		want string
	}{
		{"trainer", env.WithEpisodeLabel(bg, env.EpisodeLabel{Run: "1a2b3c4d-train", Step: 3, Sample: 5}), "seeupo",
			"seeupo-1a2b3c4d-train-step3-50e1ac9_1-sample5"},
		{"step zero", env.WithEpisodeLabel(bg, env.EpisodeLabel{Run: "eval", Sample: 0}), "seeupo", "seeupo-eval-step0-50e1ac9_1-sample0"},
		{"no run", env.WithSample(bg, 7), "seeupo", "seeupo-50e1ac9_1-sample7"},
		{"unsafe characters", env.WithEpisodeLabel(bg, env.EpisodeLabel{Run: "my run/1", Step: 1, Sample: 2}), "my exp/../x",
			"my-exp-..-x-my-run-1-step1-50e1ac9_1-sample2"},
		{"empty base", env.WithSample(bg, 1), "", "50e1ac9_1-sample1"},
	}
	for _, c := range cases {
		if got := ExperimentName(c.ctx, c.base, "50e1ac9_1"); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Without a label, episodes are numbered: two names differ.
	a, b := ExperimentName(bg, "seeupo", "50e1ac9_1"), ExperimentName(bg, "seeupo", "50e1ac9_1")
	pattern := regexp.MustCompile(`^seeupo-50e1ac9_1-episode[0-9]+$`)
	if a == b || !pattern.MatchString(a) || !pattern.MatchString(b) {
		t.Errorf("unlabelled names %q, %q: want two different seeupo-50e1ac9_1-episode<N>", a, b)
	}
}
