package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/reports"
)

func init() { registerGroupRun("bench", setupBenchSuite) }

// setupBenchSuite makes `seeupo bench --suite NAME` run an LLM suite.
func setupBenchSuite(a *app, g *cobra.Command) {
	var suite, out string
	var ov suiteOverrides
	g.Long = `Run a comparative benchmark suite, or one of the micro-benchmarks below.

With --suite, every task family of the suite is run in turn: generated BFCL
tasks (bfcl_gen), and AppWorld tasks (appworld) when the suite enables them.
Per family, every algorithm is trained with every seed from one shared warm
start (a tokenizer and a supervised fine-tune of the native transformer on
demonstrations played through the environment), evaluated on held-out tasks
(avg@k, pass@k, pass^k; for AppWorld avg@k is TGC and sgc@k is SGC), and compared
in a table with 95% confidence intervals over seeds. Run directories go to
<out>/<experiment>/<family>/<algorithm>/seed-<n>/; the tables to
<out>/<experiment>/report/. Runs already complete with the same
configuration are kept, so an interrupted suite continues where it stopped.

The paper suite runs AppWorld on AppWorld servers when appworld.urls or
appworld.image is configured, and in the native world otherwise.

Suites: ` + strings.Join(benchmarks.SuiteNames(), ", ") + ` (presets), or a YAML file of the same shape.
  quick  seeupo, ppo, grpo, gspo, reinforce × 2 seeds on a 2-core CPU (make run)
  paper  the reference configuration (B 32, G 8, T 10, 150 steps), sized for a GPU;
         with --checkpoint (a pretrained Qwen2/Qwen3 directory) as the reference
         release: BFCL multi_turn_base train split 0–99, evaluated on 100–199,
         its context and response lengths and greedy validation (docs/checkpoints.md)

With --checkpoint DIR (or model.checkpoint) every run starts from that Hugging
Face model and its tokenizer; the warm start is off unless model.warm_start is
on. The run's first line estimates the memory the model, optimiser, reference,
critic, KV cache and activations take, and a run that will not fit the
machine's memory is refused before it starts. --steps and --set change the
suite's settings for a smoke test.`
	g.Flags().StringVar(&suite, "suite", "", "suite preset name or YAML file")
	g.Flags().StringVar(&out, "out", "", "root of run directories (default: the configuration's out_dir)")
	ov.bind(g.Flags(), true)
	g.Example = `  seeupo bench --suite quick
  seeupo bench --suite paper --checkpoint /models/Qwen3-14B
  seeupo bench --suite paper --checkpoint testdata/tiny-qwen3 --steps 2 \
    --set algorithms=[grpo] --set seeds=[1] --set rl.tasks_per_step=2 --set rl.group_size=2 \
    --set rl.eval_tasks=2 --set rl.eval_samples=1 --set appworld.enabled=false`
	g.RunE = func(cmd *cobra.Command, _ []string) error {
		if suite == "" {
			return cmd.Help()
		}
		c, opts, _, err := a.suiteRun(suite, out, ov)
		if err != nil {
			return err
		}
		start := time.Now()
		res, err := benchmarks.RunSuite(cmd.Context(), c, opts)
		if err != nil {
			return stopped(cmd.Context(), err, "completed runs are kept, the interrupted one resumes from its last checkpoint",
				commandLine(a.args))
		}
		if err := a.printSuiteResult(res); err != nil {
			return err
		}
		return a.writeSuiteReport(cmd.Context(), c, res, time.Since(start))
	}
}

// suiteRun loads a suite and the run options every suite command shares:
// the output root (out, else the configuration's out_dir), data directory,
// the model factory on the configured device and threads, the algorithm settings the configuration sets and the
// versions recorded in run directories. The suite's learning rates are the
// configuration's preset layer (defaults → suite → file → environment →
// flags), so `algorithm.lr` given anywhere wins over the suite's.
func (a *app) suiteRun(suite, out string, overrides ...suiteOverrides) (benchmarks.SuiteConfig, benchmarks.RunOptions, *config.Resolved, error) {
	c, err := benchmarks.LoadSuite(suite)
	if err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	cfg, err := a.configWith(suitePreset(c))
	if err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	var ov suiteOverrides
	if len(overrides) > 0 {
		ov = overrides[0]
	}
	if c, err = ov.apply(c, cfg); err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	// The checkpoint and the assignments may change the suite's learning
	// rates: the configuration is resolved again over them.
	if cfg, err = a.configWith(suitePreset(c)); err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	mf, err := openModels(cfg, cfg.Threads)
	if err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	if out == "" {
		out = cfg.OutDir
	}
	if err := cfg.RL.Check(); err != nil {
		return c, benchmarks.RunOptions{}, nil, err
	}
	commit, _ := buildRevision()
	opts := benchmarks.RunOptions{Out: out, DataDir: cfg.DataDir, Models: mf,
		Algorithm: algorithmOverrides(cfg), Log: a.stderr, AppWorld: cfg.AppWorld.Params(),
		Versions: map[string]string{"seeupo": version, "commit": commit, "go": runtime.Version()}}
	if cfg.RL.Generator == "remote" {
		opts.Servers = &harness.ServerOptions{URLs: cfg.RL.ServerList(), Model: cfg.RL.ServerModel,
			Concurrency: cfg.RL.ServerConcurrency, Log: a.stderr}
		opts.WeightsDir = cfg.RL.WeightsDir
		if cfg.RL.Serve.On() {
			sr := &serveRun{cfg: cfg.Config, out: out, log: newEnvLogger(a.stderr, cfg.Log)}
			a.cleanups = append(a.cleanups, sr.close)
			opts.ServerMembers = sr.members
		}
	}
	return c, opts, cfg, nil
}

// algorithmOverrides are the algorithm settings the configuration sets
// (by a preset, the file, the environment or flags), without the name. An
// empty estimator, loss, group_stats or kl_placement, a value none of
// them can take, names the algorithm's own.
func algorithmOverrides(r *config.Resolved) algorithms.Overrides {
	o := algorithms.Overrides(r.Explicit("algorithm"))
	delete(o, "name")
	for _, key := range []string{"estimator", "loss", "group_stats", "kl_placement"} {
		if o[key] == "" {
			delete(o, key)
		}
	}
	return o
}

// printSuiteResult prints the comparison of the suite's runs, one table
// per task family, and writes it as Markdown beside them.
func (a *app) printSuiteResult(res *benchmarks.SuiteResult) error {
	var all []*reports.Table
	for _, fam := range res.Families {
		tables, err := a.printFamilyResult(fam)
		if err != nil {
			return err
		}
		all = append(all, tables...)
	}
	dir := filepath.Join(res.Dir, "report")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "comparison.md"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := reports.WriteMarkdown(f, all); err != nil {
		return err
	}
	a.printf("\nTables written to %s\n", filepath.Join(dir, "comparison.md"))
	return f.Close()
}

// writeSuiteReport writes the suite's full report (PDF, Markdown, figures
// as PNG/SVG/PDF, tables) to <out>/<experiment>/report and prints where.
// It opens with a summary page: the suite's question, the warm start,
// each algorithm's gain with its interval, which differences are
// significant, the budget and the wall time.
func (a *app) writeSuiteReport(ctx context.Context, c benchmarks.SuiteConfig, res *benchmarks.SuiteResult, wall time.Duration) error {
	var inputs []string
	for _, fam := range res.Families {
		inputs = append(inputs, filepath.Join(res.Dir, fam.Name))
	}
	notes := []string{fmt.Sprintf("Suite %s: %s of wall time for this invocation (runs kept from an earlier one not counted).",
		c.Name, wall.Round(time.Second))}
	for _, fam := range res.Families {
		if fam.WarmStart != nil && fam.Budget == "" || fam.Passes != nil {
			notes = append(notes, fmt.Sprintf("%s: %d training and %d held-out tasks; every run starts from one warm start "+
				"(a supervised fine-tune on demonstrations of the training tasks) and is evaluated on the same samples.",
				fam.Name, fam.Train, fam.Test))
		}
	}
	dir := filepath.Join(res.Dir, "report")
	rep, err := reports.GenerateContext(ctx, reports.Options{Inputs: inputs, Out: dir, Base: "seeupo",
		Title: "seeupo " + c.Name + " suite", Question: c.Question, Notes: notes})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	a.printf("Report written to %s (%d files: PDF, Markdown, figures as PNG/SVG/PDF, tables)\n",
		filepath.Join(dir, reports.FileReportPDF), len(rep.Files))
	return nil
}

// familyColumns are a family's table columns for evaluations of k samples,
// given the runs' summary figures: avg@k, pass@k, pass^k; sgc@k and the
// reference split's figures when the first run has them; the evaluation's
// infra_failed_rate when some run lost samples to infrastructure failures;
// then the training figures.
func familyColumns(k int, figs []metrics.Data) []string {
	cols := []string{metrics.AvgAt(k), metrics.PassAt(k), metrics.PassHat(k)}
	var first metrics.Data
	if len(figs) > 0 {
		first = figs[0]
	}
	if sgc := metrics.EvalMetric(metrics.SGCAt(k)); hasKey(first, sgc) {
		cols = append(cols, sgc)
	}
	// AppWorld's figures per difficulty level: TGC (avg@k) and SGC.
	for level := 1; level <= 9; level++ {
		for _, agg := range []string{metrics.AvgAt(k), metrics.SGCAt(k)} {
			if m := metrics.EvalMetric(metrics.LevelMetric(level, agg)); hasKey(first, m) {
				cols = append(cols, m)
			}
		}
	}
	ref := func(agg string) string { return metrics.EvalMetric(benchmarks.SplitReference + "/" + agg) }
	if hasKey(first, ref(metrics.AvgAt(k))) {
		cols = append(cols, ref(metrics.AvgAt(k)), ref(metrics.PassAt(k)), ref(metrics.PassHat(k)))
	}
	infra := metrics.EvalMetric(metrics.AggInfraFailedRate)
	for _, f := range figs {
		if f[infra] > 0 {
			cols = append(cols, infra)
			break
		}
	}
	return append(cols, "reward", "time/step", "optim-steps/step", "tokens/s")
}

// printFamilyResult prints one family's runs against its warm start and
// their comparison table.
func (a *app) printFamilyResult(fam *benchmarks.FamilyResult) ([]*reports.Table, error) {
	var dirs []string
	for _, r := range fam.Runs {
		dirs = append(dirs, r.Dir)
	}
	set, err := reports.Load(dirs)
	if err != nil {
		return nil, err
	}
	k := 4
	for name := range fam.Initial {
		fmt.Sscanf(name, "avg@%d", &k)
	}
	avg := metrics.AvgAt(k)
	var figs []metrics.Data
	for _, r := range fam.Runs {
		figs = append(figs, r.Summary.Figures)
	}
	tables, err := reports.BuildTables(set, "seeupo", familyColumns(k, figs), nil)
	if err != nil {
		return nil, err
	}
	a.printf("\n%s: %s (shared by every run) %s %.3f before RL; per run:\n", fam.Name, fam.WarmStart.Label(), avg, fam.Initial[avg])
	for _, r := range fam.Runs {
		a.printf("  %-12s seed %d: %s %.3f → %.3f (%+.1f points)\n", r.Algorithm, r.Seed, avg,
			r.Initial[avg], r.Final[avg], 100*(r.Final[avg]-r.Initial[avg]))
	}
	a.printf("\n")
	return tables, reports.WriteText(a.stdout, tables)
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
