package main

import (
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/container"
)

func init() { register("env", newEnvDownCmd) }

func newEnvDownCmd(a *app) *cobra.Command {
	var run string
	var images bool
	c := &cobra.Command{
		Use:   "down",
		Short: "Remove environment containers, networks and volumes left by earlier runs",
		Long: `Remove every container, network and volume labelled io.seeupo.env (those of one pool
with --run), from the Docker engine named by DOCKER_HOST. A run that ends
normally, or by Ctrl-C, removes its own; this cleans up after a killed one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cli, err := container.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer cli.Close()
			nc, nn, err := container.DownCount(cmd.Context(), cli, run)
			a.printf("removed %d containers and %d networks\n", nc, nn)
			if err != nil {
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
	c.Flags().BoolVar(&images, "images", false, "also remove the environment images (they are rebuilt when needed)")
	return c
}
