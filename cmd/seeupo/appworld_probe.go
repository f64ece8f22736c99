package main

import (
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/appworld"
)

func init() { register("appworld", newAppWorldProbeCmd) }

func newAppWorldProbeCmd(a *app) *cobra.Command {
	var url, taskID, code string
	c := &cobra.Command{
		Use:   "probe",
		Short: "Check that a server speaks AppWorld's protocol: one short episode of a task",
		Long: `Run one short episode against an AppWorld environment server (the official
"appworld serve environment", or "seeupo appworld serve"): GET /, initialize the
task, execute one cell, ask task_completed, evaluate and close, printing each
answer. Use it to check a server and its data before a run.

  seeupo appworld probe --url http://127.0.0.1:8000 --task 82e2fac_1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return appworld.Probe(cmd.Context(), url, taskID, code, a.printf)
		},
	}
	c.Flags().StringVar(&url, "url", "http://127.0.0.1:8000", "server base URL")
	c.Flags().StringVar(&taskID, "task", "", "task id")
	c.Flags().StringVar(&code, "code", "print(apis.api_docs.show_app_descriptions())", "the cell to execute")
	c.MarkFlagRequired("task")
	return c
}
