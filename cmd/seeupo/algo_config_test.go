package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/harness/config"
)

// The configuration's algorithm section converts to algorithms.Overrides
// (a compile error if the two structs drift apart), and its defaults are
// the reference settings of every built-in algorithm.
func TestAlgorithmConfigDefaultsAreTheReference(t *testing.T) {
	def := config.Default().Algorithm
	if algorithms.Overrides(def) != algorithms.ReferenceOverrides() {
		t.Errorf("config defaults %+v differ from the reference %+v", def, algorithms.ReferenceOverrides())
	}
	for _, name := range []string{"seeupo", "ppo", "grpo", "gspo", "reinforce", "rloo", "reinforce_pp"} {
		o := algorithms.Overrides(def)
		o.Name = name
		got, err := algorithms.SettingsFrom(o)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := algorithms.Defaults(name)
		if got != want {
			t.Errorf("%s: settings from the default configuration\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

// settingsFromFile writes text to a configuration file and returns the
// algorithm settings it resolves to, and the file's path.
func settingsFromFile(t *testing.T, text string) (algorithms.Settings, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, []byte(text), 0o644)
	r, err := config.Load(config.Options{File: p})
	if err != nil {
		t.Fatal(err)
	}
	s, err := algorithms.SettingsFrom(algorithms.Overrides(r.Algorithm))
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

func TestAlgorithmConfigFromFile(t *testing.T) {
	s, p := settingsFromFile(t, "algorithm:\n  name: seeupo\n  loss: ppo\n  order: forward\n  kl: none\n  lr: 0.001\n")
	if s.Loss != algorithms.LossPPO || s.Order != algorithms.OrderForward || s.KL != algorithms.KLNone || s.Optim.LR != 0.001 || s.ClipLow != 0.2 {
		t.Errorf("got %+v", s)
	}
	os.WriteFile(p, []byte("algorithm:\n  order: backward\n"), 0o644)
	if _, err := config.Load(config.Options{File: p}); err == nil {
		t.Error("order backward accepted")
	}
	o := algorithms.ReferenceOverrides()
	o.Name = "dapo"
	if _, err := algorithms.SettingsFrom(o); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

// The new switches travel from the configuration file to the settings,
// and a value outside the allowed ones names the key.
func TestAlgorithmConfigSwitches(t *testing.T) {
	s, p := settingsFromFile(t, "algorithm:\n  name: reinforce_pp\n  budget: updates\n  kl_placement: loss\n"+
		"  group_stats: turn-samples\n  renorm_survivors: true\n")
	if s.Budget != algorithms.BudgetUpdates || s.KLPlacement != algorithms.KLInLoss || s.GroupStats != algorithms.StatsTurnSamples ||
		!s.RenormSurvivors || s.KL != algorithms.KLK3 {
		t.Errorf("got %+v", s)
	}
	for _, bad := range []string{"budget: tokens", "kl_placement: critic", "group_stats: tasks"} {
		os.WriteFile(p, []byte("algorithm:\n  "+bad+"\n"), 0o644)
		key := bad[:strings.Index(bad, ":")]
		if _, err := config.Load(config.Options{File: p}); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
