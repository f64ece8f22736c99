package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModelCheck(t *testing.T) {
	hf := t.TempDir()
	if err := os.WriteFile(filepath.Join(hf, "config.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	file := filepath.Join(hf, "config.json")
	for _, tc := range []struct {
		name string
		m    ModelConfig
		err  string // "" when valid
		warm bool
	}{
		{"fresh", ModelConfig{WarmStart: "auto"}, "", true},
		{"fresh without warm start", ModelConfig{WarmStart: "off"}, "needs its warm start", false},
		{"checkpoint", ModelConfig{Checkpoint: hf, WarmStart: "auto"}, "", false},
		{"checkpoint with warm start", ModelConfig{Checkpoint: hf, WarmStart: "on"}, "", true},
		{"missing", ModelConfig{Checkpoint: filepath.Join(hf, "nope"), WarmStart: "auto"}, "no such file", false},
		{"a file", ModelConfig{Checkpoint: file, WarmStart: "auto"}, "not a directory", false},
		{"no config.json", ModelConfig{Checkpoint: empty, WarmStart: "auto"}, "has no config.json", false},
	} {
		err := tc.m.Check()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		}
		if tc.err == "" && tc.m.UseWarmStart() != tc.warm {
			t.Errorf("%s: UseWarmStart = %v, want %v", tc.name, !tc.warm, tc.warm)
		}
	}
}

// TestModelKeys loads model.checkpoint from a file and model.warm_start
// from the environment, and rejects a value warm_start does not allow.
func TestModelKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(path, []byte("model:\n  checkpoint: /models/qwen3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEEUPO_MODEL_WARM_START", "on")
	r, err := Load(Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model.Checkpoint != "/models/qwen3" || r.Model.WarmStart != "on" {
		t.Errorf("model section %+v", r.Model)
	}
	t.Setenv("SEEUPO_MODEL_WARM_START", "sometimes")
	if _, err := Load(Options{File: path}); err == nil || !strings.Contains(err.Error(), "model.warm_start") {
		t.Errorf("warm_start sometimes: error %v", err)
	}
}
