package transformer

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/seeupo/seeupo/policy/safetensors"
)

// Config is a Hugging Face style model configuration (the fields of a
// Qwen2/Qwen3 config.json that shape the network). Unknown fields in a
// config.json are ignored.
type Config struct {
	ModelType             string  `json:"model_type"`
	HiddenSize            int     `json:"hidden_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	NumKeyValueHeads      int     `json:"num_key_value_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	VocabSize             int     `json:"vocab_size"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	RopeTheta             float64 `json:"rope_theta"`
	RMSNormEps            float64 `json:"rms_norm_eps"`
	TieWordEmbeddings     bool    `json:"tie_word_embeddings"`
	// HeadDim is the per-head width; 0 means HiddenSize/NumAttentionHeads.
	HeadDim int `json:"head_dim,omitempty"`
	// AttentionBias adds biases to the q, k and v projections (Qwen2).
	// A Qwen2 config.json has no such field: it is implied by model_type.
	AttentionBias *bool `json:"attention_bias,omitempty"`
	// Optional token ids, kept for round trips.
	BOSTokenID *int `json:"bos_token_id,omitempty"`
	EOSTokenID *int `json:"eos_token_id,omitempty"`

	// extra holds the fields of the config.json this was read from that
	// the network does not use (a JSON object, "" for none), so an export
	// keeps them. A string keeps Config comparable.
	extra string
}

// Known model types.
const (
	ModelQwen2 = "qwen2"
	ModelQwen3 = "qwen3"
)

// Head is the per-head width.
func (c Config) Head() int {
	if c.HeadDim > 0 {
		return c.HeadDim
	}
	if c.NumAttentionHeads == 0 {
		return 0
	}
	return c.HiddenSize / c.NumAttentionHeads
}

// QKNorm reports whether queries and keys are RMS-normalised per head
// before RoPE (Qwen3).
func (c Config) QKNorm() bool { return c.ModelType == ModelQwen3 }

// QKVBias reports whether the q, k and v projections carry biases: the
// attention_bias field when present, else true for Qwen2 and false for
// Qwen3.
func (c Config) QKVBias() bool {
	if c.AttentionBias != nil {
		return *c.AttentionBias
	}
	return c.ModelType == ModelQwen2
}

// Validate checks every field and names the first bad one.
func (c Config) Validate() error {
	if c.ModelType != ModelQwen2 && c.ModelType != ModelQwen3 {
		return fmt.Errorf("config: model_type %q: allowed values are %q, %q", c.ModelType, ModelQwen2, ModelQwen3)
	}
	positive := []struct {
		name string
		v    int
	}{
		{"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"num_key_value_heads", c.NumKeyValueHeads},
		{"intermediate_size", c.IntermediateSize}, {"vocab_size", c.VocabSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return fmt.Errorf("config: %s is %d: must be positive", p.name, p.v)
		}
	}
	if c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		return fmt.Errorf("config: num_key_value_heads %d must divide num_attention_heads %d", c.NumKeyValueHeads, c.NumAttentionHeads)
	}
	if c.HeadDim < 0 {
		return fmt.Errorf("config: head_dim is %d: must be positive (or absent)", c.HeadDim)
	}
	if c.HeadDim == 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("config: hidden_size %d is not a multiple of num_attention_heads %d (set head_dim)", c.HiddenSize, c.NumAttentionHeads)
	}
	if c.Head()%2 != 0 {
		return fmt.Errorf("config: head_dim %d must be even for rotary embeddings", c.Head())
	}
	if !(c.RopeTheta > 0) {
		return fmt.Errorf("config: rope_theta is %g: must be positive", c.RopeTheta)
	}
	if !(c.RMSNormEps > 0) {
		return fmt.Errorf("config: rms_norm_eps is %g: must be positive", c.RMSNormEps)
	}
	return nil
}

// ParamCount is the number of trainable parameters.
func (c Config) ParamCount() int {
	d, hd := c.HiddenSize, c.Head()
	q, kv := c.NumAttentionHeads*hd, c.NumKeyValueHeads*hd
	layer := 2*d + d*q + 2*d*kv + q*d + 3*d*c.IntermediateSize
	if c.QKVBias() {
		layer += q + 2*kv
	}
	if c.QKNorm() {
		layer += 2 * hd
	}
	n := c.VocabSize*d + c.NumHiddenLayers*layer + d
	if !c.TieWordEmbeddings {
		n += c.VocabSize * d
	}
	return n
}

// LoadConfig reads and validates a config.json.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig reads and validates the bytes of a config.json. Fields the
// network does not use are kept for HFJSON.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return Config{}, err
	}
	for _, k := range knownFields() {
		delete(all, k)
	}
	if len(all) > 0 {
		extra, err := json.Marshal(all)
		if err != nil {
			return Config{}, err
		}
		c.extra = string(extra)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// knownFields are the JSON names of Config's fields.
func knownFields() []string {
	b, _ := json.Marshal(Config{AttentionBias: new(bool), BOSTokenID: new(int), EOSTokenID: new(int), HeadDim: 1})
	var m map[string]json.RawMessage
	json.Unmarshal(b, &m)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Save writes the config as a Hugging Face config.json for float32
// weights (HFJSON).
func (c Config) Save(path string) error {
	b, err := c.HFJSON(safetensors.F32)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func boolPtr(b bool) *bool { return &b }

// presets are named configurations: tiny for tests, small and base for CPU
// training, qwen2.5-0.5b with the shape of Qwen2.5-0.5B.
var presets = map[string]Config{
	"tiny": {ModelType: ModelQwen3, HiddenSize: 64, NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 2,
		IntermediateSize: 176, VocabSize: 512, MaxPositionEmbeddings: 256, RopeTheta: 10000, RMSNormEps: 1e-6,
		TieWordEmbeddings: true},
	"small": {ModelType: ModelQwen3, HiddenSize: 256, NumHiddenLayers: 4, NumAttentionHeads: 8, NumKeyValueHeads: 2,
		IntermediateSize: 704, VocabSize: 2048, MaxPositionEmbeddings: 1024, RopeTheta: 10000, RMSNormEps: 1e-6,
		TieWordEmbeddings: true},
	"base": {ModelType: ModelQwen3, HiddenSize: 512, NumHiddenLayers: 8, NumAttentionHeads: 8, NumKeyValueHeads: 2,
		IntermediateSize: 1408, VocabSize: 8192, MaxPositionEmbeddings: 2048, RopeTheta: 1e6, RMSNormEps: 1e-6,
		TieWordEmbeddings: true},
	"qwen2.5-0.5b": {ModelType: ModelQwen2, HiddenSize: 896, NumHiddenLayers: 24, NumAttentionHeads: 14, NumKeyValueHeads: 2,
		IntermediateSize: 4864, VocabSize: 151936, MaxPositionEmbeddings: 32768, RopeTheta: 1e6, RMSNormEps: 1e-6,
		TieWordEmbeddings: true, AttentionBias: boolPtr(true)},
}

// Preset returns a named configuration.
func Preset(name string) (Config, error) {
	c, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown model preset %q: known presets are %s", name, strings.Join(PresetNames(), ", "))
	}
	return c, nil
}

// PresetNames lists the presets in alphabetical order.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
