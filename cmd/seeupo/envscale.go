package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/harness/container"
)

func init() { register("env", newEnvScaleCmd) }

func newEnvScaleCmd(a *app) *cobra.Command {
	return newSwarmScaleCmd(a, "env", "Set the number of tasks of an environment Swarm service",
		`Set the replicas of a service made by "env up --swarm" (or by a run with
env.swarm), named by its name or run id. Runs on the service follow: new tasks
take episodes once they answer, episodes on removed tasks are retried on others.`)
}

// newSwarmScaleCmd is the scale command of group (env or serve): it sets
// the replicas of a Swarm service named by its name or run id.
func newSwarmScaleCmd(a *app, group, short, long string) *cobra.Command {
	var service string
	var swarmMode bool
	c := &cobra.Command{
		Use:   "scale --swarm --service NAME REPLICAS",
		Short: short,
		Long:  long,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !swarmMode {
				return fmt.Errorf("%s scale scales a Swarm service: pass --swarm", group)
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 0 {
				return fmt.Errorf("replicas %q: want a whole number, 0 or more", args[0])
			}
			cli, err := container.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer cli.Close()
			if err := container.ScaleService(cmd.Context(), cli, service, n); err != nil {
				return err
			}
			a.printf("service %s scaled to %d tasks\n", service, n)
			return nil
		},
	}
	c.Flags().BoolVar(&swarmMode, "swarm", false, "scale a Docker Swarm service (required)")
	c.Flags().StringVar(&service, "service", "", "the service's name or run id")
	c.MarkFlagRequired("service")
	return c
}
