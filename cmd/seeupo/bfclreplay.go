package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl"
)

func init() { register("bfcl", newBfclReplayCmd) }

func newBfclReplayCmd(a *app) *cobra.Command {
	var input, output string
	c := &cobra.Command{
		Use:   "replay",
		Short: "Replay call sequences on fresh environments and record outputs and states",
		Long: `Read JSON lines shaped like golden/random_traces.jsonl (id, calls[].call; recorded
outputs are ignored), run each line's calls one at a time on a fresh environment
for its entry, and write the same lines with each call's "output" and
"state_after" (canonical state encoding). A line that cannot be processed is
written with an "error" field naming the reason; the other lines are still
processed. A summary goes to standard error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := a.loadBfcl()
			if err != nil {
				return err
			}
			return a.processLines(cmd.Context(), input, output, d.ReplayLine)
		},
	}
	c.Flags().StringVar(&input, "input", "", "input JSON Lines file (required)")
	c.Flags().StringVar(&output, "output", "", "output JSON Lines file (required; - for standard output)")
	_ = c.MarkFlagRequired("input")
	_ = c.MarkFlagRequired("output")
	return c
}

// processLines runs f over the lines of input and writes output.
func (a *app) processLines(ctx context.Context, input, output string, f func([]byte) ([]byte, bool)) error {
	in, err := openInput(ctx, input)
	if err != nil {
		return err
	}
	defer in.Close()
	out := a.stdout
	var file *os.File
	if output != "-" {
		if file, err = os.Create(output); err != nil {
			return err
		}
		out = file
	}
	st, err := bfcl.ProcessLines(in, out, f)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	fmt.Fprintf(a.stderr, "%d lines, %d with an error\n", st.Lines, st.Errors)
	return nil
}
