package main

import (
	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl"
)

func init() { register("bfcl", newBfclCheckCmd) }

func newBfclCheckCmd(a *app) *cobra.Command {
	var input, output, model string
	c := &cobra.Command{
		Use:   "check",
		Short: "Judge model answers with the multi-turn checker",
		Long: `Read JSON lines shaped like golden/checker_cases.jsonl (id, model_answer: one list
of call strings per turn), run upstream's multi-turn checker on each (a non-empty
turn is one step, an empty turn none) and write the same lines with "valid",
"error_type" and "error_message". A line that cannot be processed is written
with an "error" field naming the reason; the other lines are still processed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := a.loadBfcl()
			if err != nil {
				return err
			}
			opts := bfcl.CheckOptions{ModelName: model}
			return a.processLines(cmd.Context(), input, output, func(line []byte) ([]byte, bool) { return d.CheckLine(line, opts) })
		},
	}
	c.Flags().StringVar(&input, "input", "", "input JSON Lines file (required)")
	c.Flags().StringVar(&output, "output", "", "output JSON Lines file (required; - for standard output)")
	c.Flags().StringVar(&model, "model-name", bfcl.DefaultModelName, "model name in the instance variable names (visible only when a string argument contains a method call)")
	_ = c.MarkFlagRequired("input")
	_ = c.MarkFlagRequired("output")
	return c
}
