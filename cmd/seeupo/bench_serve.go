package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/serve"
	"github.com/seeupo/seeupo/policy/transformer"
)

func init() { register("bench", newBenchServeCmd) }

func newBenchServeCmd(a *app) *cobra.Command {
	var o serve.BenchOptions
	var clients, jsonOut string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Requests/s and generated tokens/s of `seeupo serve` against in-process batched generation",
		Long: `Measures ` + "`seeupo serve`" + ` against the generator it wraps, on the same model and
the same requests, side by side in one run.

The model is --checkpoint (a model directory: config.json, model.safetensors,
tokenizer.json), or with none an untrained model of --preset with a fixed
seed and a byte-level tokenizer, so no data is needed. The real HTTP server
runs on a loopback port of this process. At each level of --clients:
  - in process: the requests go to the batched generator (KV cache) in
    batches of that size, one batch after another;
  - served: that many clients of the remote policy (the official OpenAI Go
    SDK, token mode: token-id prompts, logprobs, a seed per request) keep
    that many requests in flight; the server batches what its queue holds.
Every request is a prompt of --prompt-tokens random token ids sampling at
most --max-tokens at temperature 1 with its own seed; generation ends early
at <|im_end|>, so the generated tokens are counted, not assumed. Both modes
sample the same ids for a request ("same ids" counts them).

The table gives per mode and level the requests, generated tokens, wall
time, requests/s, tokens/s, latency p50/p99 (in process: the batch's time),
the mean batch, and served tokens/s over in-process tokens/s; above it the
machine (CPU model, cores, load average at start and end) and the model.
Progress goes to stderr. See docs/serve.md.`,
		Example: `  seeupo bench serve --preset small --clients 1,8,32
  seeupo bench serve --checkpoint runs/quick/warm-start --requests 128 --json serve-bench.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkBenchServeFlags(cmd, &o, clients); err != nil {
				return err
			}
			cfg, err := a.config()
			if err != nil {
				return err
			}
			o.Threads, o.Progress = cfg.Threads, a.stderr
			if o.Models, err = openModels(cfg, o.Threads); err != nil {
				return err
			}
			res, err := serve.Benchmark(cmd.Context(), o)
			if err != nil {
				return err
			}
			if err := serve.WriteBenchTable(a.stdout, res); err != nil {
				return err
			}
			return writeBenchServeJSON(jsonOut, res)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Checkpoint, "checkpoint", "", "model directory to serve (default: an untrained --preset model)")
	fl.StringVar(&o.Preset, "preset", serve.DefaultBenchPreset, "model preset when there is no --checkpoint: "+strings.Join(transformer.PresetNames(), ", "))
	fl.StringVar(&clients, "clients", "1,8,32", "concurrency levels, comma separated: clients served, batch size in process")
	fl.IntVar(&o.Requests, "requests", serve.DefaultBenchRequests, "requests per level and mode")
	fl.IntVar(&o.PromptTokens, "prompt-tokens", serve.DefaultBenchPromptTokens, "prompt length in token ids")
	fl.IntVar(&o.MaxTokens, "max-tokens", serve.DefaultBenchMaxTokens, "most tokens generated per request")
	fl.IntVar(&o.MaxBatch, "max-batch", serve.DefaultMaxBatch, "the server's largest batch (as seeupo serve --max-batch)")
	fl.StringVar(&jsonOut, "json", "", "also write the measurements as JSON to this file")
	return cmd
}

// checkBenchServeFlags validates the flags and parses --clients into o.
func checkBenchServeFlags(cmd *cobra.Command, o *serve.BenchOptions, clients string) error {
	if cmd.Flags().Changed("checkpoint") && cmd.Flags().Changed("preset") {
		return fmt.Errorf("--checkpoint and --preset: give one of them (--preset builds an untrained model)")
	}
	levels, err := parseClients(clients)
	if err != nil {
		return err
	}
	o.Clients = levels
	for _, f := range []struct {
		name string
		v    int
	}{{"--requests", o.Requests}, {"--prompt-tokens", o.PromptTokens}, {"--max-tokens", o.MaxTokens}, {"--max-batch", o.MaxBatch}} {
		if f.v < 1 {
			return fmt.Errorf("%s is %d: it must be a positive integer", f.name, f.v)
		}
	}
	return nil
}

// parseClients reads a comma-separated list of positive integers.
func parseClients(spec string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--clients %q: %q is not a positive integer; give a comma-separated list such as 1,8,32", spec, part)
		}
		out = append(out, n)
	}
	return out, nil
}

func writeBenchServeJSON(path string, res serve.BenchResult) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	return nil
}
