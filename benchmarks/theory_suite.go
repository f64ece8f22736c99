package benchmarks

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/seeupo/seeupo/reports"
)

// TheoryCase is one part of the theory suite: a configuration and what
// its setting can test.
type TheoryCase struct {
	Name string
	// Doc describes the setting; Scope says which claims it can test and
	// which it cannot (printed with the case's tables).
	Doc, Scope string
	Config     TheoryConfig
	// LRs, when not empty, make the case a learning-rate sweep: Config
	// runs once per learning rate and the case prints one table.
	LRs []float64
}

// Scopes of the cases, printed with their tables.
const (
	scopePerHistory = "a step on turn t moves only turn t's rows, so the update order can matter only through " +
		"the capped suffix weights; one-token turns make sequence ratios equal token ratios and leave length " +
		"normalisation idle; the critic-free baselines follow unbiased policy gradients. Episodes of the exit " +
		"family end after 1..T turns, so later turns' batches hold fewer trajectories (seeupo-padded: the " +
		"release's padded copies)."
	scopeMultiToken = "an action is a word of 1..K-1 tokens (unary code over two letters), so the " +
		"length-normalised sequence ratio differs from the product of token ratios and seq-mean-token-mean " +
		"weighs long words' tokens less: the baselines' gradient is no longer the policy gradient " +
		"(reinforce-tokensum is); where several steps move the ratio (gspo-budget against grpo-budget) the " +
		"sequence-level and token-level losses differ. Per-history rows still keep turns apart."
	scopeShared = "a row per task is shared by all its turns (besides a row per history), so a step on one turn " +
		"moves the others: the update order, the suffix weights (released vs exact) and the joint " +
		"versus sequential schedule can matter here."
	scopeSweep = "the same runs at several learning rates: how far each conclusion depends on the step size."
)

// QuickTheorySuite is the --quick suite: the per-history bandits (every
// family and variant), multi-token turns and a policy shared across turns
// on the exit and trap families, and a learning-rate sweep on the trap.
func QuickTheorySuite() []TheoryCase {
	return theorySuite(QuickTheory())
}

// FullTheorySuite is the default suite: the same cases with the longer
// horizon, more seeds and iterations of FullTheory.
func FullTheorySuite() []TheoryCase {
	return theorySuite(FullTheory())
}

func theorySuite(base TheoryConfig) []TheoryCase {
	with := func(name string, change func(*TheoryConfig)) TheoryConfig {
		c := base
		c.Experiment = base.Experiment + "-" + name
		if name != "per-history" {
			c.SuiteSuffix = "-" + name
		}
		change(&c)
		return c
	}
	multi := []string{"seeupo", "seeupo-forward", "seeupo-exact", "seeupo-token", "seeupo-joint", "ppo", "grpo",
		"grpo-budget", "gspo", "gspo-budget", "reinforce", "reinforce-tokensum", "rloo"}
	shared := []string{"seeupo", "seeupo-forward", "seeupo-random", "seeupo-exact", "seeupo-renorm", "seeupo-joint",
		"seeupo-joint-budget", "ppo", "grpo", "grpo-budget", "reinforce"}
	sweep := []string{"seeupo", "seeupo-forward", "seeupo-joint", "ppo", "grpo", "grpo-budget", "reinforce"}
	return []TheoryCase{
		{Name: "per-history", Doc: "softmax per history, one token per turn", Scope: scopePerHistory,
			Config: with("per-history", func(c *TheoryConfig) {
				// With one token per turn reinforce-tokensum is reinforce
				// and gspo-budget differs from grpo-budget only by the dual clip.
				c.Variants = slices.DeleteFunc(slices.Clone(c.Variants), func(v string) bool {
					return v == "reinforce-tokensum" || v == "gspo-budget"
				})
			})},
		{Name: "multi-token", Doc: "softmax per token prefix, each action spelled by a unary word", Scope: scopeMultiToken,
			Config: with("multi-token", func(c *TheoryConfig) {
				c.Families, c.Variants, c.Spelling = []string{"exit", "trap"}, multi, "unary"
			})},
		{Name: "shared", Doc: "a row per history plus a row per task shared by all turns, one token per turn", Scope: scopeShared,
			Config: with("shared", func(c *TheoryConfig) {
				c.Families, c.Variants, c.Policy = []string{"exit", "trap"}, shared, "shared"
			})},
		{Name: "lr-sweep", Doc: "family trap, softmax per history, one token per turn", Scope: scopeSweep,
			Config: with("lr-sweep", func(c *TheoryConfig) { c.Families, c.Variants = []string{"trap"}, sweep }),
			LRs:    []float64{0.03, 0.1, 0.3, 1}},
	}
}

// TheoryCaseNames lists the cases of the suite in order.
func TheoryCaseNames() []string {
	var out []string
	for _, c := range QuickTheorySuite() {
		out = append(out, c.Name)
	}
	return out
}

// SelectTheoryCases keeps the named cases, in suite order; an unknown name
// lists the known ones.
func SelectTheoryCases(cases []TheoryCase, names []string) ([]TheoryCase, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []TheoryCase
	for _, c := range cases {
		if want[c.Name] {
			out = append(out, c)
			delete(want, c.Name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("theory: unknown case %q (known: %s)", n, strings.Join(TheoryCaseNames(), ", "))
	}
	return out, nil
}

// TheoryCaseResult holds a case's runs: Runs for a plain case, Sweep[i]
// for the learning rate LRs[i] of a sweep.
type TheoryCaseResult struct {
	Case  TheoryCase
	Runs  []TheoryRun
	Sweep [][]TheoryRun
	Wall  time.Duration
}

// sweepConfig is the case's configuration at one learning rate of its
// sweep, with its own experiment name so that run directories differ.
func (c TheoryCase) sweepConfig(lr float64) TheoryConfig {
	cfg := c.Config
	cfg.LR = lr
	lrName := "-lr" + strconv.FormatFloat(lr, 'g', -1, 64)
	cfg.Experiment += lrName
	cfg.SuiteSuffix += lrName
	return cfg
}

// Validate checks every configuration of the case.
func (c TheoryCase) Validate() error {
	if len(c.LRs) == 0 {
		return c.Config.Validate()
	}
	for _, lr := range c.LRs {
		if err := c.sweepConfig(lr).Validate(); err != nil {
			return fmt.Errorf("case %s: %w", c.Name, err)
		}
	}
	return nil
}

// RunTheorySuite validates every case, then runs them in order (see
// RunTheory).
func RunTheorySuite(ctx context.Context, cases []TheoryCase, out string) ([]TheoryCaseResult, error) {
	for _, c := range cases {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	var res []TheoryCaseResult
	for _, c := range cases {
		start := time.Now()
		r := TheoryCaseResult{Case: c}
		if len(c.LRs) == 0 {
			runs, err := RunTheory(ctx, c.Config, out)
			if err != nil {
				return nil, err
			}
			r.Runs = runs
		}
		for _, lr := range c.LRs {
			runs, err := RunTheory(ctx, c.sweepConfig(lr), out)
			if err != nil {
				return nil, err
			}
			r.Sweep = append(r.Sweep, runs)
		}
		r.Wall = time.Since(start)
		res = append(res, r)
	}
	return res, nil
}

// WriteTheorySuite prints each case: its setting and scope, then its
// tables (WriteTheoryTable, or the sweep table), then one line with its
// size and wall time.
func WriteTheorySuite(w io.Writer, results []TheoryCaseResult) error {
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		c := r.Case.Config
		fmt.Fprintf(w, "== Case %s: %s (T=%d, K=%d, %d tasks × %d rollouts, %s advantages, %s policy, %s spelling)\n",
			r.Case.Name, r.Case.Doc, c.Turns, c.Actions, c.Tasks, c.Rollouts, c.Advantages, c.Policy, c.Spelling)
		fmt.Fprintf(w, "What it can test: %s\n\n", r.Case.Scope)
		n := len(r.Runs)
		if len(r.Case.LRs) == 0 {
			if err := WriteTheoryTable(w, r.Runs, c.Iterations); err != nil {
				return err
			}
		} else {
			if err := WriteTheorySweep(w, r.Case.LRs, r.Sweep, c.Iterations); err != nil {
				return err
			}
			for _, runs := range r.Sweep {
				n += len(runs)
			}
		}
		fmt.Fprintf(w, "(case %s: %d runs in %.1f s)\n", r.Case.Name, n, r.Wall.Seconds())
	}
	return nil
}

// WriteTheorySweep prints one row per variant and one column per learning
// rate: the final J/J* over all runs at that rate, the runs that reached
// 0.99·J*, and the mean number of drops of J larger than 0.1% of J*.
func WriteTheorySweep(w io.Writer, lrs []float64, sweep [][]TheoryRun, iterations int) error {
	if len(sweep) == 0 || len(sweep[0]) == 0 {
		return fmt.Errorf("theory: empty sweep")
	}
	fams := map[string]bool{}
	for _, r := range sweep[0] {
		fams[r.Family] = true
	}
	var names []string
	for f := range fams {
		names = append(names, f)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Learning-rate sweep (families %s, %d iterations): final J/J*, runs reaching 0.99·J*, drops > 0.1%% J* per run\n",
		strings.Join(names, ", "), iterations)
	header := []string{"algorithm"}
	for _, lr := range lrs {
		header = append(header, fmt.Sprintf("lr %g", lr))
	}
	rows := make([][]TheoryRow, len(sweep))
	for i, runs := range sweep {
		rows[i], _ = SummariseTheory(runs)
	}
	var cells [][]string
	for v, first := range rows[0] {
		line := []string{first.Variant}
		for i := range rows {
			r := rows[i][v]
			line = append(line, fmt.Sprintf("%.4f  %d/%d  %.1f", r.RatioMean, r.Reached, r.Runs, r.BigDrops))
		}
		cells = append(cells, line)
	}
	return reports.WriteGrid(w, header, cells)
}
