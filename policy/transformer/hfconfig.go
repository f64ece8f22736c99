package transformer

import (
	"encoding/json"
	"fmt"

	"github.com/seeupo/seeupo/policy/safetensors"
)

// HFArchitecture is the transformers class a config.json names for the
// model type: Qwen2ForCausalLM or Qwen3ForCausalLM.
func (c Config) HFArchitecture() string {
	if c.ModelType == ModelQwen2 {
		return "Qwen2ForCausalLM"
	}
	return "Qwen3ForCausalLM"
}

// Exportable reports whether transformers' class for the model type
// computes this network: Qwen2 always has q/k/v biases, and Qwen3's
// attention_bias would add an o_proj bias this model does not have.
func (c Config) Exportable() error {
	switch {
	case c.ModelType == ModelQwen2 && !c.QKVBias():
		return fmt.Errorf("config: a qwen2 model without attention biases has no transformers class (Qwen2 always has q/k/v biases)")
	case c.ModelType == ModelQwen3 && c.QKVBias():
		return fmt.Errorf("config: a qwen3 model with attention_bias has no counterpart here (transformers' Qwen3 adds an o_proj bias)")
	}
	return nil
}

// HFJSON is the config.json of a Hugging Face directory holding this model
// with weights in dtype: the fields of the config.json it was read from,
// then the network's own (which win), then what transformers' Qwen2Config
// and Qwen3Config need and a preset lacks (architectures, hidden_act,
// torch_dtype, the sliding-window and cache fields, ...), keys sorted.
func (c Config) HFJSON(dtype safetensors.DType) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := c.Exportable(); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if c.extra != "" {
		var extra map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.extra), &extra); err != nil {
			return nil, err
		}
		for k, v := range extra {
			out[k] = v
		}
	}
	own, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(own, &fields); err != nil {
		return nil, err
	}
	for k, v := range fields {
		out[k] = v
	}
	out["head_dim"] = c.Head()
	out["attention_bias"] = c.QKVBias()
	out["architectures"] = []string{c.HFArchitecture()}
	out["torch_dtype"] = dtype.TorchName()
	defaults := map[string]any{
		"hidden_act":           "silu",
		"attention_dropout":    0.0,
		"initializer_range":    0.02,
		"use_cache":            true,
		"use_sliding_window":   false,
		"sliding_window":       nil,
		"max_window_layers":    c.NumHiddenLayers,
		"rope_scaling":         nil,
		"pad_token_id":         nil,
		"transformers_version": "4.51.0",
	}
	for k, v := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	b, err := json.MarshalIndent(out, "", "  ") // encoding/json sorts map keys
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
