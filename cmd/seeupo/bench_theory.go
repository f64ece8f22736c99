package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks"
)

func init() { register("bench", newBenchTheoryCmd) }

func newBenchTheoryCmd(a *app) *cobra.Command {
	var (
		quick              bool
		out                string
		cases              []string
		families, variants []string
		seeds              int
		iterations         int
		turns, actions     int
		tasks, rollouts    int
		advantages         string
		policyID, spelling string
		lr                 float64
		lrs                []float64
	)
	c := &cobra.Command{
		Use:   "theory [--quick] [--out DIR]",
		Short: "Run every algorithm on sequential multi-turn bandits with a known optimum",
		Long: `Run each algorithm (and SeeUPO's ablations) on sequentially executed multi-turn
bandits: at most T turns, K actions per turn, observations that depend on earlier
actions, one terminal reward per action sequence. Families: additive (greedy is
optimal), exit (action 0 ends the episode early and pays 0.5, so episodes have 1..T
turns), lock (credit for the matched prefix), trap (the optimal first action looks
worst under a uniform policy), random. The policy is tabular; J is computed exactly
by enumeration after every update. Advantages come from sampled groups of rollouts,
or "exact": a stratified group holding every sequence in proportion to its probability.

The suite has four cases, each printed with what its setting can and cannot test:
  per-history  softmax per history, one token per turn, every family and variant;
  multi-token  each action spelled by a word of 1..K-1 tokens (exit and trap);
  shared       a row per task shared by all turns besides the row per history;
  lr-sweep     the trap at several learning rates (one table: lr × algorithm).

For every case × algorithm × family × seed it writes a run directory
<out>/<experiment>-<case>/bandit-<family>[-<case>]/<algorithm>/seed-<n>/ (config.yaml,
metrics.jsonl with theory/J per iteration, summary.json; the sweep adds -lr<lr> to
both names), then prints the tables: final J/J*, iterations to reach 0.99·J*,
and how often J dropped.

--quick: 3 turns × 3 actions, 4 tasks × 8 rollouts, 200 iterations, 5 seeds.
Without it: 4 turns, 400 iterations, 10 seeds. Flags override every selected case.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			suite := benchmarks.FullTheorySuite()
			if quick {
				suite = benchmarks.QuickTheorySuite()
			}
			if cmd.Flags().Changed("cases") {
				var err error
				if suite, err = benchmarks.SelectTheoryCases(suite, cases); err != nil {
					return err
				}
			}
			fl := cmd.Flags()
			for i := range suite {
				cfg := &suite[i].Config
				set := func(name string, apply func()) {
					if fl.Changed(name) {
						apply()
					}
				}
				set("families", func() { cfg.Families = families })
				set("algorithms", func() { cfg.Variants = variants })
				set("seeds", func() { cfg.Seeds = seedList(seeds) })
				set("iterations", func() { cfg.Iterations = iterations })
				set("turns", func() { cfg.Turns = turns })
				set("actions", func() { cfg.Actions = actions })
				set("tasks", func() { cfg.Tasks = tasks })
				set("rollouts", func() { cfg.Rollouts = rollouts })
				set("advantages", func() { cfg.Advantages = advantages })
				set("policy", func() { cfg.Policy = policyID })
				set("spelling", func() { cfg.Spelling = spelling })
				set("lr", func() { cfg.LR = lr })
				if len(suite[i].LRs) > 0 {
					set("lrs", func() { suite[i].LRs = lrs })
				}
			}
			if out == "" {
				r, err := a.config()
				if err != nil {
					return err
				}
				out = r.OutDir
			}
			start := time.Now()
			results, err := benchmarks.RunTheorySuite(cmd.Context(), suite, out)
			if err != nil {
				return stopped(cmd.Context(), err, "unfinished runs are marked interrupted in their summary.json (theory runs start over)", "")
			}
			if err := benchmarks.WriteTheorySuite(a.stdout, results); err != nil {
				return err
			}
			a.printf("\n%d cases in %.1f s; run directories under %s\n", len(results), time.Since(start).Seconds(), out)
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&quick, "quick", false, "small preset that finishes in about two minutes on two cores")
	f.StringVar(&out, "out", "", "root of the run directories (default: the configuration's out_dir, runs/)")
	f.StringSliceVar(&cases, "cases", nil, "cases to run: "+strings.Join(benchmarks.TheoryCaseNames(), ", ")+" (default: all)")
	f.StringSliceVar(&families, "families", nil, "bandit families: "+strings.Join(familyList(), ", "))
	f.StringSliceVar(&variants, "algorithms", nil, "algorithms and variants: "+strings.Join(benchmarks.VariantNames(), ", ")+", or any registered algorithm")
	f.IntVar(&seeds, "seeds", 0, "number of seeds (1..n)")
	f.IntVar(&iterations, "iterations", 0, "updates per run")
	f.IntVar(&turns, "turns", 0, "most turns per episode (T)")
	f.IntVar(&actions, "actions", 0, "actions per turn (K)")
	f.IntVar(&tasks, "tasks", 0, "tasks (groups) per batch")
	f.IntVar(&rollouts, "rollouts", 0, "rollouts per task (group size G)")
	f.StringVar(&advantages, "advantages", "", "sampled or exact")
	f.StringVar(&policyID, "policy", "", "softmax (per history), loglinear (rows shared across tasks) or shared (a task row shared across turns)")
	f.StringVar(&spelling, "spelling", "", "token (one token per action) or unary (a word of 1..K-1 tokens per action)")
	f.Float64Var(&lr, "lr", 0, "learning rate of actor and critic (cases other than the sweep)")
	f.Float64SliceVar(&lrs, "lrs", nil, "learning rates of the lr-sweep case")
	return c
}

func seedList(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func familyList() []string {
	var out []string
	for _, f := range benchmarks.Families() {
		out = append(out, f.Name)
	}
	return out
}
