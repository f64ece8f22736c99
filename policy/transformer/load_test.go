package transformer

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/safetensors"
)

// TestLoadHoldsOneCopy loads a model of 4M parameters saved in BF16 and
// F32 and bounds what Load allocates: the model's four buffers (weights,
// gradients, two AdamW moments: 16 bytes a parameter), one tensor's
// float32 values and 4 MiB of read buffers and bookkeeping. A loader that
// decodes the whole file first (a second float32 copy, 4 more bytes a
// parameter, plus the raw bytes) exceeds it by more than 16 MiB.
func TestLoadHoldsOneCopy(t *testing.T) {
	cfg := Config{ModelType: ModelQwen3, HiddenSize: 128, NumHiddenLayers: 20, NumAttentionHeads: 4, NumKeyValueHeads: 2,
		IntermediateSize: 384, VocabSize: 1000, MaxPositionEmbeddings: 64, RopeTheta: 10000, RMSNormEps: 1e-6,
		TieWordEmbeddings: true}
	src, err := New(cfg, kernels.NewCPU(1), 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	largest := 0
	for _, p := range src.params {
		largest = max(largest, p.size())
	}
	params := src.NumParams()
	for _, dt := range []safetensors.DType{safetensors.BF16, safetensors.F32} {
		dir := t.TempDir()
		if err := src.Save(dir, dt); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, err := Load(dir, kernels.NewCPU(1), Options{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		got := after.TotalAlloc - before.TotalAlloc
		bound := uint64(16*params+4*largest) + 4<<20
		t.Logf("%s: %d parameters (largest tensor %d): Load allocated %.1f MiB, bound %.1f MiB",
			dt, params, largest, float64(got)/(1<<20), float64(bound)/(1<<20))
		if got > bound {
			t.Errorf("%s: Load allocated %d bytes, more than %d (the model's buffers, one tensor and 4 MiB)", dt, got, bound)
		}
		runtime.KeepAlive(m)
	}
}

// TestLoadShardedBF16 splits a model over two BF16 shards with an index,
// as Hugging Face writes large checkpoints, and checks that every weight
// loads as the BF16 rounding of the original; a tensor in two shards, a
// missing one and an unknown one are errors naming it.
func TestLoadShardedBF16(t *testing.T) {
	cfg := testConfigs()["qwen2"]
	src := randomModel(t, cfg, 3, Options{})
	w, err := src.Weights()
	if err != nil {
		t.Fatal(err)
	}
	names := src.ParamNames()
	write := func(dir string, shards [][]string, extra map[string]safetensors.Tensor) {
		t.Helper()
		if err := cfg.Save(filepath.Join(dir, ConfigFile)); err != nil {
			t.Fatal(err)
		}
		idx := map[string]string{}
		for i, shard := range shards {
			file := []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}[i]
			ts := map[string]safetensors.Tensor{}
			for _, n := range shard {
				ts[n] = safetensors.Tensor{Shape: src.byName[n].shape, Data: w[n]}
				idx[n] = file
			}
			if i == 0 {
				for n, tt := range extra {
					ts[n] = tt
					idx[n] = file
				}
			}
			if err := safetensors.Write(filepath.Join(dir, file), ts, safetensors.BF16, nil); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": idx})
		if err := os.WriteFile(filepath.Join(dir, WeightsIndex), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	half := len(names) / 2
	dir := t.TempDir()
	write(dir, [][]string{names[:half], names[half:]}, nil)
	m, err := Load(dir, kernels.NewCPU(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := m.Weights()
	for _, n := range names {
		for i, x := range w[n] {
			want := bf16Round(x)
			if got[n][i] != want {
				t.Fatalf("%s[%d] = %v, want the BF16 rounding %v of %v", n, i, got[n][i], want, x)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		shards [][]string
		extra  map[string]safetensors.Tensor
		want   string
	}{
		{"twice", [][]string{names[:half+1], names[half:]}, nil, "appears in two files"},
		{"missing", [][]string{names[:half], names[half+1:]}, nil, "is missing"},
		{"unknown", [][]string{names[:half], names[half:]},
			map[string]safetensors.Tensor{"model.layers.9.mlp.up_proj.weight": {Shape: []int{1}, Data: []float32{1}}}, "does not use"},
	} {
		dir := t.TempDir()
		write(dir, tc.shards, tc.extra)
		_, err := Load(dir, kernels.NewCPU(1), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// bf16Round rounds to the nearest BF16 value (ties to even), as the
// IEEE 754 definition of the format gives.
func bf16Round(x float32) float32 {
	b := math.Float32bits(x)
	b += 0x7fff + (b>>16)&1
	return math.Float32frombits(b &^ 0xffff)
}
