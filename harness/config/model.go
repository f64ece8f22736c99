package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// ModelConfig says which model a run starts from: the suite's own fresh
// transformer after its warm start, or a pretrained Hugging Face
// checkpoint (Qwen2/Qwen3: config.json, safetensors weights in F32, BF16
// or F16, tokenizer.json, tokenizer_config.json, generation_config.json).
type ModelConfig struct {
	Checkpoint string `key:"checkpoint" help:"Hugging Face Qwen2/Qwen3 model directory to start from (config.json, model.safetensors or its index of shards, tokenizer.json, tokenizer_config.json, generation_config.json); empty: the suite's fresh model"`
	WarmStart  string `key:"warm_start" allowed:"auto|on|off" help:"supervised fine-tune on demonstrations before RL: auto is on for the suite's fresh model and off for a checkpoint"`
}

func init() {
	registerDefaults(func(c *Config) {
		c.Model = ModelConfig{WarmStart: "auto"}
	})
}

// Check reports settings of the model section that the tags cannot
// express: a checkpoint must be a directory holding config.json, and the
// warm start cannot be off without one (a fresh model knows nothing).
func (m ModelConfig) Check() error {
	if m.Checkpoint == "" {
		if m.WarmStart == "off" {
			return fmt.Errorf("model.warm_start is off but model.checkpoint is empty: a fresh model needs its warm start")
		}
		return nil
	}
	st, err := os.Stat(m.Checkpoint)
	if err != nil {
		return fmt.Errorf("model.checkpoint: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("model.checkpoint: %s is not a directory (give the Hugging Face model directory holding config.json)", m.Checkpoint)
	}
	if _, err := os.Stat(filepath.Join(m.Checkpoint, "config.json")); err != nil {
		return fmt.Errorf("model.checkpoint: %s has no config.json: not a Hugging Face model directory", m.Checkpoint)
	}
	return nil
}

// UseWarmStart reports whether the warm start runs: on, or auto without a
// checkpoint.
func (m ModelConfig) UseWarmStart() bool {
	return m.WarmStart == "on" || (m.WarmStart != "off" && m.Checkpoint == "")
}
