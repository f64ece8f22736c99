package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness/metrics"
)

func init() { register("", newEvalCmd) }

func newEvalCmd(a *app) *cobra.Command {
	var (
		suite, family, checkpoint, split string
		samples, tasks                   int
		asJSON                           bool
		rf                               remoteFlags
	)
	c := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate a policy checkpoint (avg@k, pass@k, pass^k) on a split",
		Long: `Evaluate a model directory — a run's checkpoints/step-N/policy, or a suite's
warm start — with k samples per task on a task family of the suite. Splits:
train and test (the family's training and evaluation tasks); for bfcl_gen also
reference (the BFCL v4 reference test split multi_turn_base_100…199, which
needs the BFCL data in the data directory); for appworld also AppWorld's own
splits (train, dev, test_normal, test_challenge: the native catalogue's, or
the official lists in remote mode with appworld.root).

Figures: avg@k (mean success), pass@k (some sample succeeds), pass^k (every
sample succeeds), sgc@k (AppWorld scenarios), reward/mean, and
infra_failed_rate: samples lost because the environment failed, not the
agent, which the other figures leave out.

With --policy openai the policy is an OpenAI-compatible server (seeupo serve,
vLLM, SGLang). In token mode (--mode tokens, the default) contexts go out as
token ids rendered with --tokenizer (the served model's tokenizer.json), with
a seed per request, and the sampled ids come back. In chat mode (--mode chat)
the conversation goes to /v1/chat/completions: with --tool-format fc the
environment's tools are offered and the answer's tool calls are executed and
answered as tool messages; with --tool-format prompt the environment's
prompting-mode messages are sent and the answer's text is the action. Chat
mode writes a run directory (<out>/<experiment>/<family>/<name>/seed-<n>) that
seeupo report shows beside trained runs. The request counts, tokens and
latencies are printed after the figures. See docs/serve.md.`,
		Example: `  seeupo eval --checkpoint runs/quick/bfcl_gen/seeupo/seed-1/checkpoints/step-20/policy --split test
  seeupo eval --family appworld --checkpoint runs/quick/warm-start-appworld --split dev --samples 1
  seeupo eval --policy openai --base-url http://127.0.0.1:8100/v1 --model tiny --tokenizer runs/quick/warm-start/tokenizer.json
  seeupo eval --policy openai --mode chat --base-url http://HOST:8000/v1 --model Qwen/Qwen3-8B --split reference --samples 1 --strip-think --parse-tool-call-tags`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			chat, err := rf.checkMode()
			if err != nil {
				return err
			}
			if samples < 1 {
				return fmt.Errorf("--samples must be >= 1, got %d", samples)
			}
			if chat {
				return a.evalChat(cmd, &rf, suite, family, split, samples, tasks, asJSON)
			}
			if checkpoint == "" {
				cfg, err := a.config()
				if err != nil {
					return err
				}
				checkpoint = cfg.Model.Checkpoint // a pretrained model as it is
			}
			src, err := rf.source(checkpoint, tasks)
			if err != nil {
				return err
			}
			c, opts, _, err := a.suiteRun(suite, "")
			if err != nil {
				return err
			}
			ev, err := benchmarks.Evaluate(cmd.Context(), c, src, benchmarks.EvalSpec{Family: family, Split: split, Samples: samples}, opts)
			if err != nil {
				return err
			}
			if src.Remote != nil {
				fmt.Fprintln(a.stderr, usageLine(src.Remote.Usage()))
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(ev)
			}
			a.printf("%s: %d tasks × %d samples\n", split, len(ev.Tasks), samples)
			a.printf("%s", evalFigures(ev.Aggregates, samples))
			return nil
		},
	}
	c.Flags().StringVar(&suite, "suite", "quick", "suite whose tasks and limits to use")
	c.Flags().StringVar(&family, "family", "bfcl_gen", "task family of the suite: bfcl_gen, or appworld when the suite enables it")
	c.Flags().StringVar(&checkpoint, "checkpoint", "", "model directory (config.json, model.safetensors, tokenizer.json; default: model.checkpoint)")
	c.Flags().StringVar(&split, "split", "test", "train, test, reference (bfcl_gen), or an AppWorld split (appworld)")
	c.Flags().IntVar(&samples, "samples", 4, "samples per task (k)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the evaluation as JSON")
	c.Flags().IntVar(&tasks, "tasks", 0, "evaluate the split's first N tasks (0: all)")
	rf.bind(c)
	return c
}

// evalChat evaluates a served model in chat mode and writes its run
// directory.
func (a *app) evalChat(cmd *cobra.Command, rf *remoteFlags, suite, family, split string, samples, tasks int, asJSON bool) error {
	src, err := rf.chatSource(tasks, cmd.Flags().Changed("temperature"))
	if err != nil {
		return err
	}
	c, opts, _, err := a.suiteRun(suite, rf.chat.out)
	if err != nil {
		return err
	}
	res, err := benchmarks.EvaluateChat(cmd.Context(), c, src, benchmarks.EvalSpec{Family: family, Split: split, Samples: samples}, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, usageLine(res.Usage))
	if asJSON {
		return json.NewEncoder(a.stdout).Encode(res.Eval)
	}
	a.printf("%s: %d tasks × %d samples, chat mode (%s)\n", split, len(res.Eval.Tasks), samples, src.ToolFormat)
	a.printf("%s", evalFigures(res.Eval.Aggregates, samples))
	a.printf("run directory: %s\n", res.Dir)
	return nil
}

// evalFigures lists an evaluation's aggregates for k samples, one a line,
// in a fixed order; figures the evaluation lacks are left out.
func evalFigures(agg metrics.Data, k int) string {
	var b strings.Builder
	for _, name := range []string{metrics.AvgAt(k), metrics.PassAt(k), metrics.PassHat(k), metrics.SGCAt(k),
		metrics.AggRewardMean, metrics.AggInfraFailedRate} {
		if v, ok := agg[name]; ok {
			fmt.Fprintf(&b, "  %-17s %.4f\n", name, v)
		}
	}
	return b.String()
}
