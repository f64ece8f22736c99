package reports

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/olekukonko/tablewriter/renderer"
)

// WriteMarkdownReport writes the report as Markdown; the figures are
// referenced as figures/<name>.png beside it.
func WriteMarkdownReport(w io.Writer, rep *Report) error {
	fmt.Fprintf(w, "# %s\n\n", rep.Title)
	if err := writeMarkdownSummary(w, rep); err != nil {
		return err
	}
	for _, kv := range overview(rep) {
		fmt.Fprintf(w, "- **%s:** %s\n", kv[0], mdEscape(kv[1]))
	}
	fmt.Fprintf(w, "\n## %s\n\n", SectionRuns)
	tbl := newTableWriter(w, renderer.NewMarkdown())
	tbl.Header(runsHeader)
	if err := tbl.Bulk(runRows(rep.Set)); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## %s\n\n", SectionTables)
	if err := WriteMarkdown(w, rep.Tables); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## %s\n\n", SectionFigures)
	for i, f := range rep.Figures {
		png := path.Join(DirFigures, f.Name+".png")
		fmt.Fprintf(w, "### Figure %d: %s\n\n![%s](%s)\n\n", i+1, f.Title, f.Name, png)
		fmt.Fprintf(w, "*Figure %d.* %s Also as [SVG](%s) and [PDF](%s).\n\n", i+1, mdEscape(f.Caption),
			path.Join(DirFigures, f.Name+".svg"), path.Join(DirFigures, f.Name+".pdf"))
	}
	fmt.Fprintf(w, "## %s\n\n", SectionProblems)
	if len(rep.Set.Problems) == 0 {
		fmt.Fprintln(w, "None: every input line was read.")
		return nil
	}
	for _, p := range rep.Set.Problems {
		fmt.Fprintf(w, "- `%s`\n", strings.ReplaceAll(p.String(), "`", "'"))
	}
	return nil
}

// mdEscape keeps Markdown from reading figures' "*" and "_" as emphasis.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`).Replace(s)
}

// writeMarkdownSummary writes the summary section that opens the report.
func writeMarkdownSummary(w io.Writer, rep *Report) error {
	fmt.Fprintf(w, "## %s\n\n", SectionSummary)
	if rep.Question != "" {
		fmt.Fprintf(w, "**Question:** %s\n\n", mdEscape(rep.Question))
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "%s\n\n", mdEscape(n))
	}
	for _, ss := range rep.Summaries {
		for i, line := range ss.SummaryLines() {
			if i == 0 {
				fmt.Fprintf(w, "**%s**\n\n", mdEscape(line))
				continue
			}
			fmt.Fprintf(w, "- %s\n", mdEscape(strings.TrimSpace(line)))
		}
		fmt.Fprintln(w)
		for _, t := range []struct {
			title  string
			header []string
			rows   [][]string
		}{{"Stability per run", StabilityHeader, ss.StabilityRows()}, {"Failures by turn (last evaluation, seeds pooled)", ss.FailureHeader(), ss.FailureRows()}} {
			if len(t.rows) == 0 {
				continue
			}
			fmt.Fprintf(w, "*%s: %s*\n\n", t.title, mdEscape(ss.Suite))
			tbl := newTableWriter(w, renderer.NewMarkdown())
			tbl.Header(t.header)
			if err := tbl.Bulk(t.rows); err != nil {
				return err
			}
			if err := tbl.Render(); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}
