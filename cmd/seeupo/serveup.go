package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/container"
)

func init() {
	register("serve", newServeUpCmd)
	register("serve", newServeScaleCmd)
	register("serve", newServeDownCmd)
	register("serve", newServeHealthCmd)
}

func newServeUpCmd(a *app) *cobra.Command {
	var checkpoint, model, binary, run string
	var mounts []string
	var replicas int
	var swarmMode bool
	c := &cobra.Command{
		Use:   "up",
		Short: "Start seeupo serve replicas as a Docker Swarm service that outlives the command",
		Long: `Start rl.serve.replicas seeupo serve tasks over the model directory as a
replicated Docker Swarm service on the engine named by DOCKER_HOST (a Swarm
manager), with the environment containers' hardening, the limits of rl.serve,
a health check on GET /health, and the model directory and every --mount
directory mounted read-only at their own paths. Training runs use it with
rl.generator remote and rl.serve.service <name>: they reach every task at its
own address, push their weights to each, and follow the tasks as Swarm
replaces or scales them. The trainer saves the weights it pushes in the run
directory (or rl.weights_dir), which must be under a --mount directory.

  seeupo serve up --swarm --checkpoint runs/quick/warm-start --mount runs
  seeupo train --set rl.generator=remote --set rl.serve.service=<name> --out runs
  seeupo serve scale --swarm --service <name> 4
  seeupo serve down --swarm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !swarmMode {
				return fmt.Errorf("serve up starts a Swarm service: pass --swarm (seeupo serve alone serves in this process)")
			}
			r, err := a.config()
			if err != nil {
				return err
			}
			cfg := r.Config
			if replicas > 0 {
				cfg.RL.Serve.Replicas = replicas
			}
			if checkpoint == "" {
				checkpoint = cfg.Model.Checkpoint
			}
			if checkpoint == "" {
				return fmt.Errorf("serve up: give the model directory with --checkpoint (or model.checkpoint)")
			}
			abs, err := filepath.Abs(checkpoint)
			if err != nil {
				return err
			}
			dirs, err := readOnlyDirs(append([]string{abs}, mounts...)...)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if binary == "" {
				binary = cfg.RL.Serve.Binary
			}
			cli, image, err := envImage(ctx, cfg, binary)
			if err != nil {
				return err
			}
			defer cli.Close()
			sp := serveSpec{checkpoint: abs, model: model, dirs: dirs, replicas: cfg.RL.Serve.Replicas, runID: run}
			svc, err := container.StartService(ctx, cli, serveServiceOptions(cfg, image, sp, newEnvLogger(a.stderr, cfg.Log)))
			if err != nil {
				return err
			}
			eps := serveMembers(svc.Members)()
			svc.Detach()
			a.printf("service %s (run %s): %d tasks serving %s\n", svc.Name(), svc.RunID(), len(eps), abs)
			for _, e := range eps {
				a.printf("%s\n", e.URL)
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.BoolVar(&swarmMode, "swarm", false, "run as a replicated Docker Swarm service (required)")
	fl.StringVar(&checkpoint, "checkpoint", "", "model directory to serve (default: model.checkpoint)")
	fl.StringVar(&model, "model", "", "model name to answer to (default: the checkpoint directory's name)")
	fl.StringArrayVar(&mounts, "mount", nil, "host directory the tasks may read at its own path, read-only: where the trainer saves its weights (repeatable)")
	fl.StringVar(&binary, "binary", "", "static seeupo binary for the image (default: rl.serve.binary, else this one if static, else built from the checkout)")
	fl.StringVar(&run, "run", "", "run id of the service (label io.seeupo.env.run; default random); the service is seeupo-serve-<run>")
	fl.IntVar(&replicas, "replicas", 0, "number of tasks (default rl.serve.replicas)")
	return c
}

func newServeScaleCmd(a *app) *cobra.Command {
	return newSwarmScaleCmd(a, "serve", "Set the number of tasks of a seeupo serve Swarm service",
		`Set the replicas of a service made by "serve up --swarm" (or by a run with
rl.serve.swarm), named by its name or run id. Training runs on it follow: a
new task gets the run's current weights before it takes requests; the
requests of a removed task go to the others with their seeds.`)
}

func newServeDownCmd(a *app) *cobra.Command {
	var run string
	var swarmMode bool
	c := &cobra.Command{
		Use:   "down --swarm",
		Short: "Remove seeupo serve Swarm services with their containers and networks",
		Long: `Remove the Swarm services of seeupo serve (labelled io.seeupo.serve; the one of
run --run only, when given), their containers and networks, from the engine
named by DOCKER_HOST. Environment services stay.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !swarmMode {
				return fmt.Errorf("serve down removes Swarm services: pass --swarm")
			}
			cli, err := container.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer cli.Close()
			if err := container.SwarmManager(cmd.Context(), cli); err != nil {
				return err
			}
			ns, nc, nn, err := container.DownServices(cmd.Context(), cli, run, serveLabels)
			a.printf("removed %d services\nremoved %d containers and %d networks\n", ns, nc, nn)
			return err
		},
	}
	c.Flags().BoolVar(&swarmMode, "swarm", false, "remove Docker Swarm services (required)")
	c.Flags().StringVar(&run, "run", "", "remove only the service with this run id (label io.seeupo.env.run)")
	return c
}

func newServeHealthCmd(a *app) *cobra.Command {
	var url string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "health",
		Short: "Check that a seeupo serve answers GET /health",
		Long: `Ask GET /health of the server at --url once and exit 0 if it answers 200. The
image has no shell, so this is also the serve service's health check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := serveHealth(ctx, url); err != nil {
				return fmt.Errorf("%s is not healthy: %w", url, err)
			}
			a.printf("%s OK\n", url)
			return nil
		},
	}
	c.Flags().StringVar(&url, "url", "http://127.0.0.1:8100", "server base URL (without /v1)")
	c.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "deadline")
	return c
}
