package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness/metrics"
)

func init() { register("", newTrainCmd) }

func newTrainCmd(a *app) *cobra.Command {
	var (
		suite, family, algo, out string
		seed                     int
		resume                   bool
		ov                       suiteOverrides
	)
	c := &cobra.Command{
		Use:   "train",
		Short: "Train the native policy with one algorithm and seed of a suite",
		Long: `Train one algorithm with one seed on a task family of a suite — its generated
BFCL tasks (bfcl_gen), or its AppWorld tasks (appworld, when the suite enables
them) — from the family's shared warm start (made first if it is missing or its
settings changed). The run directory is <out>/<experiment>/<family>/<algorithm>/seed-<n>/ with
config.yaml, metrics.jsonl, eval.jsonl, trajectories/, checkpoints/ and
summary.json. A stopped or killed run continues with --resume from its newest
checkpoint whose MANIFEST.json verifies (the log names it and any checkpoint
skipped as damaged) and gives the same metrics and weights as a run that was
never stopped; with no checkpoint yet, --resume starts the run (so a scheduler
restarting a preempted job can always pass the same flags). SIGINT or SIGTERM
stops the run between steps: summary.json says interrupted, the last complete
checkpoint is kept, and the message names the command that resumes it.

With --checkpoint DIR (or model.checkpoint) the run starts from a pretrained
Hugging Face Qwen2/Qwen3 directory and its tokenizer, with no warm start unless
model.warm_start is on; every checkpoint it writes is a Hugging Face directory
(docs/checkpoints.md).

The algorithm's settings are its defaults, the suite's learning rates, then the
configuration's algorithm section (values set there, an explicit lr included).

Rollouts and evaluations are generated in this process (rl.generator: native),
or on seeupo serve processes (rl.generator: remote, rl.servers: their base
URLs): the trainer saves its weights to rl.weights_dir (default: weights/ in
the run directory) and loads them into every server before the first rollout
and after every step; a request whose server fails goes to another server
with the same seed. Same seeds, same run (docs/serve.md).`,
		Example: `  seeupo train --suite quick --algo seeupo --seed 1
  seeupo train --suite quick --algo seeupo --seed 1 --resume
  seeupo train --suite quick --family appworld --algo grpo --seed 1
  SEEUPO_RL_GENERATOR=remote SEEUPO_RL_SERVERS=http://127.0.0.1:8100/v1,http://127.0.0.1:8101/v1 \
    seeupo train --suite quick --algo seeupo --seed 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, opts, cfg, err := a.suiteRun(suite, out, ov)
			if err != nil {
				return err
			}
			if algo == "" {
				algo = cfg.Algorithm.Name
			}
			r, err := benchmarks.TrainOne(cmd.Context(), c,
				benchmarks.TrainSpec{Family: family, Algorithm: algo, Seed: seed, Resume: resume}, opts)
			if err != nil {
				return stopped(cmd.Context(), err, keptRun(r.Dir), commandLine(a.args, "--resume"))
			}
			a.printf("%s seed %d: %v → %v\nrun directory: %s\n", algo, seed, r.Initial, r.Final, r.Dir)
			return nil
		},
	}
	c.Flags().StringVar(&suite, "suite", "quick", "suite preset or YAML file giving tasks, model and budget")
	c.Flags().StringVar(&family, "family", "bfcl_gen", "task family of the suite: bfcl_gen, or appworld when the suite enables it")
	c.Flags().StringVar(&algo, "algo", "", "algorithm: "+strings.Join(algorithms.Names(), ", ")+" (default: the configuration's algorithm.name)")
	c.Flags().IntVar(&seed, "seed", 1, "seed of the run")
	c.Flags().BoolVar(&resume, "resume", false, "continue the run from its last checkpoint (start it when there is none)")
	c.Flags().StringVar(&out, "out", "", "root of run directories (default: the configuration's out_dir)")
	ov.bind(c.Flags(), true)
	return c
}

// keptRun describes what an interrupted run left in dir: its newest
// checkpoint, from which --resume continues.
func keptRun(dir string) string {
	if dir == "" {
		return ""
	}
	steps, err := metrics.Checkpoints(dir)
	if err != nil || len(steps) == 0 {
		return "run directory " + dir + " (no checkpoint yet: the run starts over)"
	}
	return fmt.Sprintf("run directory %s (last checkpoint: step %d)", dir, steps[len(steps)-1])
}
