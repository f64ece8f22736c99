package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/policy/chattemplate"
	"github.com/seeupo/seeupo/policy/tokenizer"
)

func init() {
	registerGroup("template", "Render conversations through a checkpoint's chat template")
	register("template", newTemplateRenderCmd)
}

func newTemplateRenderCmd(a *app) *cobra.Command {
	var (
		checkpoint, input  string
		ids, genPrompt     bool
		thinking           bool
		thinkingFlagName   = "enable-thinking"
		checkpointFlagName = "checkpoint"
	)
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print a conversation as the checkpoint's chat template renders it (or its token ids)",
		Long: `Renders a conversation in the OpenAI messages format through a Hugging Face
checkpoint's chat template (chat_template.jinja, else tokenizer_config.json's
chat_template), as transformers' apply_chat_template does, and prints the
text exactly as rendered (no newline is added). With --ids it prints the
token ids of that text through the checkpoint's tokenizer.json instead, as
a list.

The input is JSON: {"messages": [...], "tools": [...]} or a bare list of
messages. Messages may carry tool_calls, reasoning_content, tool results
(role "tool"); tools are function schemas ({"type": "function",
"function": {...}}).`,
		Example: `  seeupo template render --checkpoint ./Qwen3-8B --input chat.json --add-generation-prompt
  seeupo template render --checkpoint ./Qwen3-8B --enable-thinking=false --ids < chat.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checkpoint == "" {
				return fmt.Errorf("--%s DIR is required: a Hugging Face checkpoint directory with a chat template", checkpointFlagName)
			}
			tmpl, err := chattemplate.Load(checkpoint)
			if err != nil {
				return err
			}
			in, err := openInput(cmd.Context(), input)
			if err != nil {
				return err
			}
			conv, err := io.ReadAll(in)
			in.Close()
			if err != nil {
				return fmt.Errorf("reading %s: %w", input, err)
			}
			o := chattemplate.Options{AddGenerationPrompt: genPrompt}
			if cmd.Flags().Changed(thinkingFlagName) {
				o.EnableThinking = &thinking
			}
			text, err := tmpl.RenderJSON(conv, o)
			if err != nil {
				return fmt.Errorf("%s: %w", input, err)
			}
			if !ids {
				a.printf("%s", text)
				return nil
			}
			tok, err := tokenizer.Load(filepath.Join(checkpoint, "tokenizer.json"))
			if err != nil {
				return err
			}
			parts := make([]string, 0, len(text)/3)
			for _, id := range tok.Encode(text) {
				parts = append(parts, fmt.Sprint(id))
			}
			a.printf("[%s]\n", strings.Join(parts, ", "))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&checkpoint, checkpointFlagName, "", "Hugging Face checkpoint directory (tokenizer_config.json or chat_template.jinja; tokenizer.json for --ids)")
	f.StringVar(&input, "input", "-", `conversation JSON file ("-": standard input)`)
	f.BoolVar(&ids, "ids", false, "print the token ids of the rendering instead of its text")
	f.BoolVar(&genPrompt, "add-generation-prompt", false, "end with the start of an assistant turn")
	f.BoolVar(&thinking, thinkingFlagName, true, "pass enable_thinking to the template (only when given; Qwen3: false adds an empty think block)")
	return cmd
}
