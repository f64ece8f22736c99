package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// A preset is a layer between the defaults and the file: it replaces a
// default, and the file, the environment and flags replace it, each with
// any value, the default value and false included. Explicit returns
// exactly what was set, by source, not by value.
func TestPresetLayerAndExplicitValues(t *testing.T) {
	preset := &Preset{Name: "suite quick", Values: map[string]any{
		"algorithm.lr": 0.0003, "algorithm.critic_lr": 0.001, "algorithm.kl_coef": 0.5, "algorithm.pad_ended": true}}
	file := writeFile(t, "algorithm:\n  critic_lr: 0.00001\n  clip_low: 0.2\n")
	t.Setenv("SEEUPO_ALGORITHM_PAD_ENDED", "false")
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.Float64("kl-coef", 0, "")
	if err := fs.Parse([]string{"--kl-coef", "0.002"}); err != nil {
		t.Fatal(err)
	}
	r, err := Load(Options{File: file, Preset: preset, Flags: map[string]*pflag.Flag{"algorithm.kl_coef": fs.Lookup("kl-coef")}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"lr": 0.0003, "critic_lr": 0.00001, "clip_low": 0.2, "kl_coef": 0.002, "pad_ended": false}
	if got := r.Explicit("algorithm"); !reflect.DeepEqual(got, want) {
		t.Errorf("explicit %v, want %v", got, want)
	}
	sources := map[string]string{"algorithm.lr": "preset suite quick", "algorithm.critic_lr": file + ":2",
		"algorithm.clip_low": file + ":3", "algorithm.kl_coef": "flag --kl-coef",
		"algorithm.pad_ended": "environment variable SEEUPO_ALGORITHM_PAD_ENDED", "algorithm.order": "default"}
	for key, src := range sources {
		if r.Sources[key] != src {
			t.Errorf("%s: source %q, want %q", key, r.Sources[key], src)
		}
	}
	if r.IsSet("algorithm.order") || !r.IsSet("algorithm.clip_low") {
		t.Errorf("IsSet: order %v, clip_low %v", r.IsSet("algorithm.order"), r.IsSet("algorithm.clip_low"))
	}
}

func TestPresetWithUnknownKeyIsAnError(t *testing.T) {
	_, err := Load(Options{Preset: &Preset{Name: "suite x", Values: map[string]any{"algorithm.learning_rate": 1.0}}})
	if err == nil || !strings.Contains(err.Error(), `preset suite x: unknown setting "algorithm.learning_rate"`) {
		t.Errorf("error %v", err)
	}
}
