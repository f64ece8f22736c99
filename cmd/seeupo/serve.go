package main

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/serve"
)

func init() {
	registerGroup("serve", "Serve a native checkpoint over an OpenAI-compatible HTTP API")
	registerGroupRun("serve", setupServe)
}

// setupServe makes "seeupo serve" serve a model; its subcommands run
// servers as a Swarm service.
func setupServe(a *app, c *cobra.Command) {
	var o serve.Options
	var addr string
	var threads int
	c.Long = `Serve a model directory (config.json, model.safetensors, tokenizer.json: a
run's checkpoints/step-N/policy or a warm start) over an OpenAI-compatible API:
GET /v1/models, POST /v1/chat/completions (tools, tool_calls, stream),
POST /v1/completions (token-id prompts, logprobs, seed), POST /v1/embeddings
(mean-pooled hidden states at unit length), GET /health, and
POST /v1/load_weights {"path": DIR} to replace the weights. Concurrent
requests are generated together in batches of at most --max-batch. Stops
gracefully on Ctrl-C or SIGTERM. The subcommands run servers as a replicated
Docker Swarm service (serve up|scale|down --swarm) for rl.serve.service. See
docs/serve.md.`
	c.Example = `  seeupo serve --checkpoint runs/quick/warm-start --addr 127.0.0.1:8100 --model tiny
  seeupo serve up --swarm --checkpoint runs/quick/warm-start --replicas 2 --mount runs`
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		o.Log = a.stderr
		cfg, err := a.config()
		if err != nil {
			return err
		}
		if o.Checkpoint == "" {
			o.Checkpoint = cfg.Model.Checkpoint
		}
		if o.Checkpoint == "" {
			return fmt.Errorf("serve: give the model directory with --checkpoint (or model.checkpoint)")
		}
		if o.Models, err = openModels(cfg, threads); err != nil {
			return err
		}
		srv, err := serve.New(o)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("serve: --addr: %w", err)
		}
		a.printf("serving %s on http://%s/v1\n", srv.Name(), ln.Addr())
		return srv.Run(cmd.Context(), ln)
	}
	c.Flags().StringVar(&o.Checkpoint, "checkpoint", "", "model directory to serve (config.json, model.safetensors, tokenizer.json; default: model.checkpoint)")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8100", "listen address (port 0: any free port)")
	c.Flags().StringVar(&o.Model, "model", "", "model name to answer to (default: the checkpoint directory's name)")
	c.Flags().IntVar(&o.MaxBatch, "max-batch", serve.DefaultMaxBatch, "most requests generated together")
	c.Flags().IntVar(&threads, "threads", 0, "CPU threads (0: all)")
}
