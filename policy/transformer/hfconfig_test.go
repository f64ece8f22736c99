package transformer

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/safetensors"
)

// TestHFJSON checks the config.json an export writes: a source's fields
// kept (rope_scaling, a custom key), the network's own winning, the fields
// transformers needs added, torch_dtype the weights' dtype; models
// transformers' classes cannot express are refused.
func TestHFJSON(t *testing.T) {
	src := `{"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 32, "num_hidden_layers": 2,
	"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 48, "vocab_size": 97,
	"max_position_embeddings": 64, "rope_theta": 10000, "rms_norm_eps": 1e-6, "tie_word_embeddings": true,
	"torch_dtype": "bfloat16", "rope_scaling": {"type": "yarn", "factor": 4}, "my_field": 7}`
	cfg, err := ParseConfig([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = 128 // the network's own value wins over the source's
	b, err := cfg.HFJSON(safetensors.F16)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"torch_dtype": "float16", "vocab_size": 128.0, "my_field": 7.0, "hidden_act": "silu",
		"head_dim": 16.0, "attention_bias": false, "use_sliding_window": false, "max_window_layers": 2.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if rs, ok := got["rope_scaling"].(map[string]any); !ok || rs["type"] != "yarn" {
		t.Errorf("rope_scaling %v, want the source's", got["rope_scaling"])
	}
	if a, ok := got["architectures"].([]any); !ok || len(a) != 1 || a[0] != "Qwen3ForCausalLM" {
		t.Errorf("architectures %v", got["architectures"])
	}
	// Read back, the export is the same network.
	back, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.ParamCount() != cfg.ParamCount() || back.Head() != 16 {
		t.Errorf("read back: %+v", back)
	}
	for _, c := range []struct {
		mt   string
		bias bool
		want string
	}{{ModelQwen2, false, "qwen2 model without attention biases"}, {ModelQwen3, true, "o_proj bias"}} {
		bad := cfg
		bad.ModelType, bad.AttentionBias = c.mt, &c.bias
		if _, err := bad.HFJSON(safetensors.F32); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s bias %v: error %v, want one saying %q", c.mt, c.bias, err, c.want)
		}
	}
}
