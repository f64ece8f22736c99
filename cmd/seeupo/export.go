package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/transformer"
)

func init() { register("", newExportCmd) }

func newExportCmd(a *app) *cobra.Command {
	var out, dtype string
	c := &cobra.Command{
		Use:   "export MODEL_DIR",
		Short: "Write a model directory as a Hugging Face checkpoint in a chosen dtype",
		Long: `Write a model directory — a run's checkpoints/step-N/policy, a warm start, or a
pretrained checkpoint — as a Hugging Face directory that transformers and vLLM
load as is: config.json (Qwen2ForCausalLM or Qwen3ForCausalLM with the fields
transformers needs), model.safetensors in --dtype (f32, bf16 or f16),
tokenizer.json, tokenizer_config.json with the chat template, and
generation_config.json (the source's own when it has them, else written from
the tokenizer). The weights are converted one tensor at a time; the model is
loaded without gradient or optimiser buffers. See docs/checkpoints.md.`,
		Example: `  seeupo export runs/quick/bfcl_gen/grpo/seed-1/checkpoints/step-40/policy --out exported --dtype bf16`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dt, err := safetensors.ParseDType(dtype)
			if err != nil {
				return fmt.Errorf("--dtype: %w", err)
			}
			if out == "" {
				return fmt.Errorf("--out: give the directory to write")
			}
			src := args[0]
			if filepath.Clean(src) == filepath.Clean(out) {
				return fmt.Errorf("--out %s is the model directory itself; write the export elsewhere", out)
			}
			if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
				return fmt.Errorf("--out %s exists and is not empty", out)
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			mf, err := openModels(cfg, cfg.Threads)
			if err != nil {
				return err
			}
			m, tok, err := mf.LoadDir(src, transformer.Options{Inference: true})
			if err != nil {
				return err
			}
			if err := models.SaveDir(out, m, tok, src, dt); err != nil {
				return err
			}
			a.printf("wrote %s: %s, %d parameters, model.safetensors in %s\n", out, m.Config().HFArchitecture(),
				m.NumParams(), dt.TorchName())
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to write (new or empty)")
	c.Flags().StringVar(&dtype, "dtype", "bf16", "dtype of model.safetensors: f32, bf16 or f16")
	return c
}
