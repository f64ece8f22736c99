package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/config"
)

// The configuration's algorithm section has one key per algorithm setting
// (and name), and its defaults are the reference values.
func TestAlgorithmConfigKeysAreTheSettings(t *testing.T) {
	var keys []string
	for _, k := range config.Keys() {
		if rel, ok := strings.CutPrefix(k, "algorithm."); ok && rel != "name" {
			keys = append(keys, rel)
		}
	}
	if !slices.Equal(keys, algorithms.SettingKeys()) {
		t.Fatalf("configuration keys\n%v\nalgorithm settings\n%v", keys, algorithms.SettingKeys())
	}
	r, err := config.Load(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(algorithmOverrides(r)) != 0 {
		t.Errorf("nothing set, yet overrides %v", algorithmOverrides(r))
	}
	for k := range r.Sources {
		if strings.HasPrefix(k, "algorithm.") {
			r.Sources[k] = "test" // read every default through Explicit
		}
	}
	def := r.Explicit("algorithm")
	ref, _ := algorithms.Defaults("seeupo")
	for _, key := range keys {
		got, want := def[key], mustGet(t, ref, key)
		if own := got == ""; own && slices.Contains([]string{"estimator", "loss", "group_stats", "kl_placement"}, key) {
			continue // the algorithm's own
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("algorithm.%s: default %v, reference %v", key, got, want)
		}
	}
}

func mustGet(t *testing.T, s algorithms.Settings, key string) any {
	t.Helper()
	v, err := s.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// settingsFor resolves the quick suite's settings of algo under the
// configuration file text, as `seeupo train --suite quick` does.
func settingsFor(t *testing.T, text, algo string) (algorithms.Settings, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, configFile: p, bound: map[string]*pflag.Flag{}}
	c, opts, _, err := a.suiteRun("quick", t.TempDir())
	if err != nil {
		return algorithms.Settings{}, err
	}
	return c.Settings(algo, opts)
}

// explicitValues are the values each setting is set to: its reference
// value (SeeUPO's reference configuration), and zero or false where the
// type has one; true too for the switches.
func explicitValues(t *testing.T, key string) []any {
	ref, _ := algorithms.Defaults("seeupo")
	v := mustGet(t, ref, key)
	switch v.(type) {
	case bool:
		return []any{true, false}
	case float64:
		return []any{v, 0.0}
	case int:
		return []any{v, 0}
	}
	return []any{v}
}

// invalidExplicit are the explicit values the settings' validation refuses,
// with the key its error names.
var invalidExplicit = map[string]string{
	"lr=0": "lr", "epochs=0": "epochs", "mini_batches=0": "mini_batches",
	"reinforce_pp:estimator=seeupo": "kl_placement",
}

// Every algorithm setting set explicitly — to its reference value, to zero
// or false — is the value the run gets, whatever the algorithm's defaults
// and the suite's learning rates; a value the settings refuse is an error
// naming its key.
func TestAlgorithmSettingExplicitValueWins(t *testing.T) {
	algos := []string{"seeupo", "ppo", "grpo", "gspo", "reinforce", "rloo", "reinforce_pp"}
	for _, key := range algorithms.SettingKeys() {
		for _, v := range explicitValues(t, key) {
			for _, algo := range algos {
				name := fmt.Sprintf("%s=%v", key, v)
				t.Run(algo+"/"+name, func(t *testing.T) {
					s, err := settingsFor(t, fmt.Sprintf("algorithm:\n  %s: %v\n", key, v), algo)
					wantErr := invalidExplicit[name]
					if wantErr == "" {
						wantErr = invalidExplicit[algo+":"+name]
					}
					switch {
					case wantErr != "":
						if err == nil || !strings.Contains(err.Error(), wantErr) {
							t.Errorf("error %v, want one naming %s", err, wantErr)
						}
					case err != nil:
						t.Fatal(err)
					case fmt.Sprint(mustGet(t, s, key)) != fmt.Sprint(v):
						t.Errorf("effective %s is %v, set %v", key, mustGet(t, s, key), v)
					}
				})
			}
		}
	}
}

func init() {
	algorithms.Register(algorithms.Spec{Name: "test_padded", Summary: "seeupo with the switches on (test only)",
		Defaults: func() algorithms.Settings {
			s, _ := algorithms.Defaults("seeupo")
			s.PadEnded, s.RenormSurvivors, s.SamplerOldLogProbs = true, true, true
			return s
		},
		New: func(s algorithms.Settings) (algorithms.Algorithm, error) { return algorithms.NewSeeUPO(s), nil }})
}

// An environment variable is as explicit as the file: false switches off
// what an algorithm's defaults switch on, and the reference learning rate
// replaces the suite's.
func TestAlgorithmSettingFromEnvironmentWins(t *testing.T) {
	ref := algorithms.ReferenceSettings()
	t.Setenv("SEEUPO_ALGORITHM_PAD_ENDED", "false")
	t.Setenv("SEEUPO_ALGORITHM_RENORM_SURVIVORS", "0")
	t.Setenv("SEEUPO_ALGORITHM_LR", fmt.Sprint(ref.Optim.LR))
	s, err := settingsFor(t, "", "test_padded")
	if err != nil {
		t.Fatal(err)
	}
	if s.PadEnded || s.RenormSurvivors || !s.SamplerOldLogProbs || s.Optim.LR != ref.Optim.LR {
		t.Errorf("pad_ended %v renorm_survivors %v sampler_old_logprobs %v lr %v", s.PadEnded, s.RenormSurvivors,
			s.SamplerOldLogProbs, s.Optim.LR)
	}
}

// With nothing set, a run gets the algorithm's defaults and the suite's
// learning rates; gspo keeps its own clip range.
func TestAlgorithmSettingsUnsetKeepDefaults(t *testing.T) {
	s, err := settingsFor(t, "", "gspo")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := algorithms.Defaults("gspo")
	want.Optim.LR, want.CriticOptim.LR = 0.0003, 0.001 // presets/quick.yaml rl.lr and rl.critic_lr
	if s != want {
		t.Errorf("settings\n%+v\nwant\n%+v", s, want)
	}
}

func TestAlgorithmConfigFromFile(t *testing.T) {
	s, err := settingsFor(t, "algorithm:\n  name: seeupo\n  loss: ppo\n  order: forward\n  kl: none\n  lr: 0.001\n", "seeupo")
	if err != nil {
		t.Fatal(err)
	}
	if s.Loss != algorithms.LossPPO || s.Order != algorithms.OrderForward || s.KL != algorithms.KLNone || s.Optim.LR != 0.001 || s.ClipLow != 0.2 {
		t.Errorf("got %+v", s)
	}
	if _, err := settingsFor(t, "algorithm:\n  order: backward\n", "seeupo"); err == nil || !strings.Contains(err.Error(), "order") {
		t.Errorf("order backward: %v", err)
	}
}

// The switches travel from the configuration file to the settings,
// and a value outside the allowed ones names the key.
func TestAlgorithmConfigSwitches(t *testing.T) {
	s, err := settingsFor(t, "algorithm:\n  budget: updates\n  kl_placement: loss\n"+
		"  group_stats: turn-samples\n  renorm_survivors: true\n", "reinforce_pp")
	if err != nil {
		t.Fatal(err)
	}
	if s.Budget != algorithms.BudgetUpdates || s.KLPlacement != algorithms.KLInLoss || s.GroupStats != algorithms.StatsTurnSamples ||
		!s.RenormSurvivors || s.KL != algorithms.KLK3 {
		t.Errorf("got %+v", s)
	}
	for _, bad := range []string{"budget: tokens", "kl_placement: critic", "group_stats: tasks"} {
		key := bad[:strings.Index(bad, ":")]
		if _, err := settingsFor(t, "algorithm:\n  "+bad+"\n", "seeupo"); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
