package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/container"
	"github.com/seeupo/seeupo/harness/env"
)

func init() { register("env", newEnvUpCmd) }

func newEnvUpCmd(a *app) *cobra.Command {
	var suites, params []string
	var binary, run string
	var swarmMode bool
	var pool int
	c := &cobra.Command{
		Use:   "up",
		Short: "Start environment servers as a replicated Docker Swarm service that outlives the command",
		Long: `Start env.pool environment servers as a replicated Docker Swarm service on the
engine named by DOCKER_HOST (a Swarm manager), with the containers' hardening,
limits and health check, and leave it running for later runs:

  seeupo env up --swarm --suite bfcl --pool 4
  seeupo env eval --swarm --service <name> --suite bfcl --split test
  seeupo env scale --swarm --service <name> 8
  seeupo env down --swarm

Swarm replaces a task that fails or fails its health check; runs follow the
tasks as they come and go.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !swarmMode {
				return fmt.Errorf("env up starts a Swarm service: pass --swarm (env eval --backend docker starts containers for one run)")
			}
			r, err := a.config()
			if err != nil {
				return err
			}
			cfg := r.Config
			if pool > 0 {
				cfg.Env.Pool = pool
			}
			sopts, err := suiteOptions(cfg.DataDir, params)
			if err != nil {
				return err
			}
			for _, s := range suites {
				if _, err := env.Open(s, sopts); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			cli, tag, err := envImage(ctx, cfg, binary)
			if err != nil {
				return err
			}
			defer cli.Close()
			log := newEnvLogger(a.stderr, cfg.Log)
			opts := dockerOptions(cfg, suites[0], tag, sopts, env.ClientOptions{CallTimeout: config.Seconds(cfg.Env.CallTimeoutS)}, log)
			opts.Suites, opts.RunID = suites, run
			svc, err := container.StartService(ctx, cli, opts)
			if err != nil {
				return err
			}
			var urls []string
			for _, m := range svc.Members() {
				urls = append(urls, m.URL())
			}
			svc.Detach()
			a.printf("service %s (run %s): %d tasks serving %s\n", svc.Name(), svc.RunID(), len(urls), strings.Join(suites, ", "))
			a.printf("%s\n", strings.Join(urls, "\n"))
			return nil
		},
	}
	fl := c.Flags()
	fl.BoolVar(&swarmMode, "swarm", false, "run as a replicated Docker Swarm service (required)")
	fl.StringArrayVar(&suites, "suite", nil, "suite to serve (repeatable)")
	fl.StringArrayVar(&params, "param", nil, "suite parameter KEY=VALUE (repeatable)")
	fl.StringVar(&binary, "binary", "", "static seeupo binary for the image (default: this one if static, else built from the checkout)")
	fl.StringVar(&run, "run", "", "run id of the service (label io.seeupo.env.run; default random); the service is seeupo-env-<run>")
	// Not bound to env.pool: a key has one bound flag per program, env eval's.
	fl.IntVar(&pool, "pool", 0, "number of tasks (default env.pool)")
	c.MarkFlagRequired("suite")
	return c
}
