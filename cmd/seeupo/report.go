package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/reports"
)

func init() { register("", newReportCmd) }

func newReportCmd(a *app) *cobra.Command {
	var (
		out, base, title, show, question string
		metricNames, targets             []string
	)
	c := &cobra.Command{
		Use:   "report RUN_DIR...",
		Short: "Turn run directories into comparison tables, stability plots and PDF/Markdown reports",
		Long: `Read run directories (runs/<experiment>/<suite>/<algorithm>/seed-<n>/, found recursively
under each argument) and plain verl-style JSONL logs ({"step": n, "data": {...}}), then write
to --out:

  tables/comparison.{txt,md,csv,tex}   rows = algorithms, columns = metrics, per suite
  figures/*.{png,svg,pdf}              learning curves, stability panel, theory J curves
  report.pdf, report.md                the whole report
  problems.txt                         malformed or missing inputs (path:line), if any

Cells are the mean ± 95% Student t-interval over seeds; the "vs <base>" columns give the
relative change of the mean and a two-sided Mann-Whitney U p-value (exact for small
samples). Malformed lines and missing files are reported and skipped.

Metrics (--metrics, comma-separated): ` + reports.ColumnNames() + `.`,
		Example: `  seeupo report runs/paper --out report --base seeupo
  seeupo report runs/quick verl_logs/ --out out --metrics avg@k,pass@k,reward,time/step
  seeupo report runs/theory --out out --target 'theory/gap<=0.005'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out is required: the folder the report is written to")
			}
			opts := reports.Options{Inputs: args, Out: out, Base: base, Title: title, Question: question}
			for _, m := range metricNames {
				if m = strings.TrimSpace(m); m != "" {
					opts.Metrics = append(opts.Metrics, m)
				}
			}
			for _, t := range targets {
				tg, err := reports.ParseTarget(t)
				if err != nil {
					return fmt.Errorf("--target: %w", err)
				}
				opts.Targets = append(opts.Targets, tg)
			}
			format, err := tableFormatFlag(show)
			if err != nil {
				return err
			}
			res, err := reports.GenerateContext(cmd.Context(), opts)
			if res != nil && res.Set != nil {
				for _, p := range res.Set.Problems {
					fmt.Fprintln(a.stderr, "input problem: "+p.String())
				}
			}
			if err != nil {
				return err
			}
			if base != "" && !slices.Contains(res.Set.Algorithms(""), base) {
				fmt.Fprintf(a.stderr, "note: base algorithm %q has no runs (found: %s); tables have no \"vs base\" columns\n",
					base, strings.Join(res.Set.Algorithms(""), ", "))
			}
			if format != nil {
				if err := format.Write(a.stdout, res.Tables); err != nil {
					return err
				}
			}
			a.printf("\n%d runs, %d input problems; wrote %d files to %s (report: %s)\n", len(res.Set.Runs),
				len(res.Set.Problems), len(res.Files), out, filepath.Join(out, reports.FileReportPDF))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&out, "out", "", "folder to write the report to (created if missing)")
	f.StringVar(&base, "base", "seeupo", `algorithm the "vs base" columns compare against ("" for none)`)
	f.StringSliceVar(&metricNames, "metrics", nil, "table columns, comma-separated (default: every built-in column the runs have)")
	f.StringSliceVar(&targets, "target", nil, `steps-to-target thresholds, METRIC>=VALUE or METRIC<=VALUE (default "avg@k>=0.5", "theory/gap<=0.01")`)
	f.StringVar(&title, "title", "seeupo report", "title of the PDF and Markdown reports")
	f.StringVar(&question, "question", "", "what the runs answer, printed at the top of the summary page")
	f.StringVar(&show, "show", "text", "table format printed on stdout: "+strings.Join(reports.TableFormatNames(), ", ")+", or none")
	return c
}

// tableFormatFlag resolves --show; "none" prints no table.
func tableFormatFlag(name string) (*reports.TableFormat, error) {
	if name == "none" {
		return nil, nil
	}
	f, err := reports.LookupTableFormat(name)
	if err != nil {
		return nil, fmt.Errorf("--show: %w", err)
	}
	return &f, nil
}
