package main

import (
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/container"
)

func init() { register("env", newEnvDownCmd) }

func newEnvDownCmd(a *app) *cobra.Command {
	var run string
	var images, swarmOnly bool
	c := &cobra.Command{
		Use:   "down",
		Short: "Remove environment services, containers, networks and volumes left by earlier runs",
		Long: `Remove every container, network and volume labelled io.seeupo.env (those of one
pool with --run), from the Docker engine named by DOCKER_HOST, and, on a
Swarm manager, the environment services first. A run that ends normally, or
by Ctrl-C, removes its own; this cleans up after a killed one, and removes
the services of "env up --swarm". With --swarm only the services go (with
their containers and networks).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cli, err := container.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer cli.Close()
			if swarmOnly {
				if err := container.SwarmManager(cmd.Context(), cli); err != nil {
					return err
				}
			}
			ns, nc, nn, err := container.DownSwarmCount(cmd.Context(), cli, run)
			if ns > 0 || swarmOnly {
				a.printf("removed %d services\n", ns)
			}
			if err == nil && !swarmOnly {
				var c, n int
				c, n, err = container.DownCount(cmd.Context(), cli, run)
				nc, nn = nc+c, nn+n
			}
			a.printf("removed %d containers and %d networks\n", nc, nn)
			if err != nil || swarmOnly {
				return err
			}
			nv, err := container.DownVolumes(cmd.Context(), cli, run)
			if nv > 0 {
				a.printf("removed %d volumes\n", nv)
			}
			if err != nil || !images {
				return err
			}
			ni, err := container.RemoveImages(cmd.Context(), cli)
			a.printf("removed %d images\n", ni)
			return err
		},
	}
	c.Flags().StringVar(&run, "run", "", "remove only the pool with this run id (label io.seeupo.env.run)")
	c.Flags().BoolVar(&swarmOnly, "swarm", false, "remove only the environment Swarm services (with their containers and networks)")
	c.Flags().BoolVar(&images, "images", false, "also remove the environment images (they are rebuilt when needed)")
	return c
}
