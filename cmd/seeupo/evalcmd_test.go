package main

import (
	"reflect"
	"testing"

	"github.com/seeupo/seeupo/harness/metrics"
)

func TestEvalFigures(t *testing.T) {
	agg := metrics.Data{"avg@4": 0.5, "pass@4": 0.75, "pass^4": 0.25, "reward/mean": 0.9,
		"infra_failed_rate": 0.125, "tgc": 0.5}
	want := "  avg@4             0.5000\n" +
		"  pass@4            0.7500\n" +
		"  pass^4            0.2500\n" +
		"  reward/mean       0.9000\n" +
		"  infra_failed_rate 0.1250\n"
	if got := evalFigures(agg, 4); got != want {
		t.Errorf("evalFigures =\n%s\nwant\n%s", got, want)
	}
}

func TestFamilyColumns(t *testing.T) {
	train := []string{"reward", "time/step", "optim-steps/step", "tokens/s"}
	cases := []struct {
		name string
		figs []metrics.Data
		want []string
	}{
		{"no runs", nil, append([]string{"avg@4", "pass@4", "pass^4"}, train...)},
		{"AppWorld scenarios", []metrics.Data{{"eval/sgc@4": 0.25}},
			append([]string{"avg@4", "pass@4", "pass^4", "eval/sgc@4"}, train...)},
		{"reference split", []metrics.Data{{"eval/reference/avg@4": 0.5}},
			append([]string{"avg@4", "pass@4", "pass^4", "eval/reference/avg@4", "eval/reference/pass@4",
				"eval/reference/pass^4"}, train...)},
		// The second run lost samples; the first did not.
		{"infrastructure failures", []metrics.Data{{"eval/infra_failed_rate": 0}, {"eval/infra_failed_rate": 0.25}},
			append([]string{"avg@4", "pass@4", "pass^4", "eval/infra_failed_rate"}, train...)},
		{"no infrastructure failure", []metrics.Data{{"eval/infra_failed_rate": 0}},
			append([]string{"avg@4", "pass@4", "pass^4"}, train...)},
	}
	for _, c := range cases {
		if got := familyColumns(4, c.figs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: columns %q, want %q", c.name, got, c.want)
		}
	}
}
