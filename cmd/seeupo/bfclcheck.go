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
		Short: "Judge model answers with the multi-turn checker or the single-turn AST checker",
		Long: `Read JSON lines and judge each with upstream's checker, writing the same lines
with the verdict fields set.

Multi-turn lines are shaped like golden/checker_cases.jsonl (id, model_answer:
one list of call strings per turn): upstream's multi-turn checker runs on each (a
non-empty turn is one step, an empty turn none) and sets "valid", "error_type"
and "error_message".

Single-turn lines are shaped like golden/ast_checker_cases.jsonl and carry a
"check" field. With "check": "ast" every case's model_output (decoded calls) is
judged by the AST checker against the line's functions, possible_answer,
language and test_category (and the case's underscore_to_dot); with "check":
"relevance" every case's model_result_raw by the relevance rule, and the case's
decoded (or decode_error) is what the decoder gives. Each case gets "valid",
"error_type" and "error" (values in the golden files' encoding); a case whose
check raises gets "valid": null and an "exception" object.

A line that cannot be processed is written with an "error" field naming the
reason; the other lines are still processed. The multi-turn data is read when
the first multi-turn line comes; if it cannot be read, those lines carry the
reason and the command fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var d *bfcl.Dataset
			var loadErr error
			opts := bfcl.CheckOptions{ModelName: model}
			err := a.processLines(cmd.Context(), input, output, func(line []byte) ([]byte, bool) {
				if bfcl.IsSingleTurnCheckLine(line) {
					return bfcl.CheckSingleTurnLine(line)
				}
				if d == nil && loadErr == nil {
					d, loadErr = a.loadBfcl()
				}
				if loadErr != nil {
					return bfcl.ErrorLine(line, loadErr), false
				}
				return d.CheckLine(line, opts)
			})
			if err == nil {
				err = loadErr
			}
			return err
		},
	}
	c.Flags().StringVar(&input, "input", "", "input JSON Lines file (required)")
	c.Flags().StringVar(&output, "output", "", "output JSON Lines file (required; - for standard output)")
	c.Flags().StringVar(&model, "model-name", bfcl.DefaultModelName, "model name in the instance variable names (visible only when a string argument contains a method call)")
	_ = c.MarkFlagRequired("input")
	_ = c.MarkFlagRequired("output")
	return c
}
