package transformer

import "testing"

// TestMemoryEstimate checks the estimate's parts against figures worked
// out by hand for Qwen2.5-0.5B's shape (494,032,768 parameters; 24 layers
// of 2 KV heads of 64: 24,576 bytes of float32 keys and values a token).
func TestMemoryEstimate(t *testing.T) {
	cfg, err := Preset("qwen2.5-0.5b")
	if err != nil {
		t.Fatal(err)
	}
	const params = 494032768
	if got := cfg.ParamCount(); got != params {
		t.Fatalf("ParamCount = %d, want %d", got, params)
	}
	m := cfg.Memory(Workload{Train: true, Reference: true, Critic: true, MicroBatchTokens: 1024, Sequences: 8, Context: 1000})
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"weights", m.Weights, 4 * params},
		{"gradients", m.Gradients, 4 * params},
		{"optimizer", m.Optimizer, 8 * params},
		{"reference", m.Reference, 4 * params},
		{"kv cache", m.KVCache, 8 * 1000 * 24576},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, c.got, c.want)
		}
	}
	// The critic holds weights, gradients and moments (16 bytes a
	// parameter) and its own activations.
	if m.Critic <= 16*params {
		t.Errorf("critic %d bytes, want more than %d", m.Critic, 16*params)
	}
	// Training keeps all 24 layers' activations, scoring one layer's.
	train, score := cfg.ActivationBytes(1024, true), cfg.ActivationBytes(1024, false)
	if train < 10*score {
		t.Errorf("activations: training %d bytes, scoring %d: training should keep every layer", train, score)
	}
	if m.Total() != m.Weights+m.Gradients+m.Optimizer+m.Reference+m.Critic+m.KVCache+m.Activations {
		t.Errorf("Total %d is not the sum of the parts", m.Total())
	}
}
