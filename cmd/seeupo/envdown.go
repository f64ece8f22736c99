package main

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/container"
)

func init() { register("env", newEnvDownCmd) }

// downFlags are the choices of env down.
type downFlags struct {
	run, engines      string
	images, swarmOnly bool
}

func newEnvDownCmd(a *app) *cobra.Command {
	var f downFlags
	c := &cobra.Command{
		Use:   "down",
		Short: "Remove environment services, containers, networks and volumes left by earlier runs",
		Long: `Remove every container, network and volume labelled io.seeupo.env (those of one
pool with --run), from the Docker engine named by DOCKER_HOST, or from each
engine of env.engines (--engines), and, on a Swarm manager, the environment
services first. A run that ends normally, or by Ctrl-C, removes its own; this
cleans up after a killed one, after an engine a fleet lost comes back, and
removes the services of "env up --swarm". With --swarm only the services go
(with their containers and networks).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			if f.engines != "" {
				r.Env.Engines = f.engines
			}
			specs, err := r.Env.EngineList()
			if err != nil {
				return err
			}
			if len(specs) == 0 {
				cli, err := container.Connect(cmd.Context())
				if err != nil {
					return err
				}
				defer cli.Close()
				return a.downOn(cmd.Context(), cli, f)
			}
			for _, s := range specs {
				cli, err := container.ConnectEngine(cmd.Context(), container.Engine{Host: s.Host, TLSDir: s.TLSDir})
				if err != nil {
					return err
				}
				a.printf("engine %s:\n", s.Host)
				err = a.downOn(cmd.Context(), cli, f)
				cli.Close()
				if err != nil {
					return fmt.Errorf("engine %s: %w", s.Host, err)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&f.run, "run", "", "remove only the pool with this run id (label io.seeupo.env.run)")
	c.Flags().BoolVar(&f.swarmOnly, "swarm", false, "remove only the environment Swarm services (with their containers and networks)")
	c.Flags().BoolVar(&f.images, "images", false, "also remove the environment images (they are rebuilt when needed)")
	// Its own flag: a key is bound to one command's flag (env eval's).
	c.Flags().StringVar(&f.engines, "engines", "", "remove from each of these engines, 'ADDRESS [tls=DIR]' comma-separated (default: env.engines; empty: DOCKER_HOST's)")
	return c
}

// downOn removes what f selects from the engine of cli.
func (a *app) downOn(ctx context.Context, cli *client.Client, f downFlags) error {
	if f.swarmOnly {
		if err := container.SwarmManager(ctx, cli); err != nil {
			return err
		}
	}
	ns, nc, nn, err := container.DownSwarmCount(ctx, cli, f.run)
	if ns > 0 || f.swarmOnly {
		a.printf("removed %d services\n", ns)
	}
	if err == nil && !f.swarmOnly {
		var c, n int
		c, n, err = container.DownCount(ctx, cli, f.run)
		nc, nn = nc+c, nn+n
	}
	a.printf("removed %d containers and %d networks\n", nc, nn)
	if err != nil || f.swarmOnly {
		return err
	}
	nv, err := container.DownVolumes(ctx, cli, f.run)
	if nv > 0 {
		a.printf("removed %d volumes\n", nv)
	}
	if err != nil || !f.images {
		return err
	}
	ni, err := container.RemoveImages(ctx, cli)
	a.printf("removed %d images\n", ni)
	return err
}
