package models

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

func TestOpenNamesTheDevices(t *testing.T) {
	cases := []struct {
		device  string
		wantErr string // "" when it opens
	}{
		{"cpu", ""},
		{"", "no device given; this build has: cpu"},
		{"tpu", `device "tpu": kernels: unknown backend "tpu" (known: cpu`},
	}
	for _, c := range cases {
		f, err := Open(c.device, 1)
		switch {
		case c.wantErr == "" && (err != nil || f.Backend().Name() != c.device):
			t.Errorf("Open(%q): %v", c.device, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("Open(%q): error %v, want one containing %q", c.device, err, c.wantErr)
		}
	}
}

// TestFactoryRoundTrip: a model saved with its tokenizer loads back with
// the same weights, and a critic starts from the policy's trunk.
func TestFactoryRoundTrip(t *testing.T) {
	f := CPU(1)
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Train([]string{"a model directory holds a tokenizer"}, 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = tok.VocabSize()
	m, err := f.New(cfg, 5, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir, safetensors.F32); err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(filepath.Join(dir, TokenizerFile)); err != nil {
		t.Fatal(err)
	}
	back, tokBack, err := f.LoadDir(dir, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Weights()
	got, _ := back.Weights()
	if !reflect.DeepEqual(got, want) || tokBack.VocabSize() != tok.VocabSize() {
		t.Error("the loaded model or tokenizer differs from the saved one")
	}
	critic, err := f.Critic(m, 9, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trunk, _ := critic.Weights()
	for name, vals := range want {
		if !reflect.DeepEqual(trunk[name], vals) {
			t.Errorf("critic weight %s does not start from the policy's", name)
		}
	}
	if len(trunk) <= len(want) {
		t.Errorf("critic has %d weights, the policy %d: no value head", len(trunk), len(want))
	}
	if _, _, err := f.LoadDir(t.TempDir(), transformer.Options{}); err == nil {
		t.Error("LoadDir of an empty directory: no error")
	}
}
