package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl"
)

func init() { register("bfcl", newBfclDecodeCmd) }

func newBfclDecodeCmd(a *app) *cobra.Command {
	var input, output string
	c := &cobra.Command{
		Use:   "decode",
		Short: "Decode prompting-mode replies as upstream's single-turn evaluation does",
		Long: `Read JSON lines shaped like golden/ast_decode_cases.jsonl (input: a model's
reply in Python call syntax, has_tool_call_tag) and decode each as upstream's
default_decode_ast_prompting does, writing the same lines with "ok" and
"decoded" (values in the golden files' encoding) or an "exception" object. A
line that names a single-turn entry ("id", optionally "category") also gets
"eval": upstream's single-entry evaluation of the reply (decode, format check,
AST checker) against that entry's function docs and possible answer, read from
the BFCL v4 data directory; the reply of a Java or JavaScript entry is decoded
as upstream's tree-sitter parsers read it (the subset of those languages that
calls use).

A line that cannot be processed is written with an "error" field naming the
reason; the other lines are still processed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := a.config()
			if err != nil {
				return err
			}
			st := bfcl.NewSingleTurn(filepath.Join(r.DataDir, "bfcl_v4"))
			return a.processLines(cmd.Context(), input, output, st.DecodeLine)
		},
	}
	c.Flags().StringVar(&input, "input", "", "input JSON Lines file (required)")
	c.Flags().StringVar(&output, "output", "", "output JSON Lines file (required; - for standard output)")
	_ = c.MarkFlagRequired("input")
	_ = c.MarkFlagRequired("output")
	return c
}
