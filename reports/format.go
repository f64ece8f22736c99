package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TableFormat writes comparison tables in one format.
type TableFormat struct {
	Name  string // "text", "markdown", "csv", "latex"
	Ext   string // file extension, with the dot
	Write func(w io.Writer, tables []*Table) error
}

var tableFormats = map[string]TableFormat{}

// RegisterTableFormat adds a format; a duplicate name panics.
func RegisterTableFormat(f TableFormat) {
	if _, dup := tableFormats[f.Name]; dup {
		panic("reports: table format " + f.Name + " registered twice")
	}
	tableFormats[f.Name] = f
}

// LookupTableFormat finds a format by name; the error lists the known ones.
func LookupTableFormat(name string) (TableFormat, error) {
	if f, ok := tableFormats[name]; ok {
		return f, nil
	}
	return TableFormat{}, fmt.Errorf("unknown table format %q (known: %s)", name, strings.Join(TableFormatNames(), ", "))
}

// TableFormatNames lists the registered formats, sorted.
func TableFormatNames() []string {
	var out []string
	for n := range tableFormats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func init() {
	RegisterTableFormat(TableFormat{"text", ".txt", WriteText})
	RegisterTableFormat(TableFormat{"markdown", ".md", WriteMarkdown})
	RegisterTableFormat(TableFormat{"csv", ".csv", WriteCSV})
	RegisterTableFormat(TableFormat{"latex", ".tex", WriteLaTeX})
}

// Budget notes say what each budget held equal; budgetNotes picks those
// of the budgets the tables name.
var budgetNoteText = map[string]string{
	"rollouts": "budget rollouts: every algorithm had the same rollouts per training step and took its own number of " +
		"optimiser steps (SeeUPO one per turn, the others one; optim-steps/step)",
	"updates": "budget updates: every algorithm took as many optimiser steps per training step as SeeUPO takes turn steps; " +
		"the others on random mini-batches, off-policy after the first, so their clip acts",
}

func budgetNotes(tables []*Table) []string {
	seen := map[string]bool{}
	for _, t := range tables {
		for _, b := range strings.Split(t.Budget, "/") {
			seen[b] = true
		}
	}
	var out []string
	for _, b := range []string{"rollouts", "updates"} {
		if seen[b] {
			out = append(out, budgetNoteText[b])
		}
	}
	return out
}

// CINote says what the cells and the "vs base" column hold.
const CINote = "cells: mean ± 95% Student t-interval over seeds (t(0.975, n−1)·s/√n); " +
	"vs base: relative change of the mean and two-sided Mann-Whitney U p-value " +
	"(exact for small samples); ~ marks p ≥ 0.05 (no significant difference)"

// formatStat writes mean ± half-width with the half-width's two significant
// digits setting the decimals; a single seed shows its value and n=1.
func formatStat(s Sample) string {
	if s.N == 0 || math.IsNaN(s.Mean) {
		return ""
	}
	if s.N < 2 || math.IsNaN(s.HalfWidth) {
		return strconv.FormatFloat(s.Mean, 'f', decimalsFor(s.Mean, 3), 64) + " (n=1)"
	}
	d := decimalsFor(s.HalfWidth, 2)
	if s.HalfWidth == 0 {
		d = decimalsFor(s.Mean, 3)
	}
	return strconv.FormatFloat(s.Mean, 'f', d, 64) + " ± " + strconv.FormatFloat(s.HalfWidth, 'f', d, 64)
}

// decimalsFor is the number of decimals that shows v with sig significant
// digits (0 to 6).
func decimalsFor(v float64, sig int) int {
	v = math.Abs(v)
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return sig - 1
	}
	d := sig - 1 - int(math.Floor(math.Log10(v)))
	return max(0, min(6, d))
}

// cellText is a cell's figure without markup.
func cellText(c Cell, col Column) string {
	if c.Missing() {
		return "—"
	}
	if col.target && c.Reached < len(c.Values) {
		note := fmt.Sprintf("%d/%d reached", c.Reached, len(c.Values))
		if c.Reached == 0 {
			return "not reached (" + note + ")"
		}
		return formatStat(c.Stats) + " (" + note + ")"
	}
	return formatStat(c.Stats)
}

// vsText is the "vs base" figure: "+12.3% (p=0.008)", "~ (p=0.400)".
func vsText(row Row, base string, c Cell) string {
	if row.Algorithm == base {
		return "base"
	}
	if c.Vs == nil {
		return ""
	}
	p := ""
	if c.Vs.Tested {
		p = fmt.Sprintf(" (p=%.3f)", c.Vs.Test.P)
	}
	gain := "n/a"
	if !math.IsNaN(c.Vs.Gain) {
		gain = fmt.Sprintf("%+.1f%%", 100*c.Vs.Gain)
	}
	if !c.Vs.Significant() {
		return "~ " + gain + p
	}
	return gain + p
}

func headerLabel(col Column) string {
	if col.Unit != "" {
		return col.Label + " (" + col.Unit + ")"
	}
	return col.Label
}

// grid is a table as header and rows of plain strings, with best cells
// marked by the caller's decoration.
func grid(t *Table, best func(string) string) (header []string, rows [][]string) {
	header = []string{"algorithm", "seeds"}
	for _, col := range t.Columns {
		header = append(header, headerLabel(col))
		if t.Base != "" {
			header = append(header, "vs "+t.Base)
		}
	}
	for _, r := range t.Rows {
		line := []string{r.Algorithm, strconv.Itoa(r.Seeds)}
		for ci, col := range t.Columns {
			c := r.Cells[ci]
			txt := cellText(c, col)
			if c.Best {
				txt = best(txt)
			}
			line = append(line, txt)
			if t.Base != "" {
				line = append(line, vsText(r, t.Base, c))
			}
		}
		rows = append(rows, line)
	}
	return header, rows
}

func tableTitle(t *Table) string {
	budget := ""
	if t.Budget != "" {
		budget = ", budget: " + t.Budget
	}
	if t.Base == "" {
		return "suite " + t.Suite + " (no base algorithm runs on this suite" + budget + ")"
	}
	return "suite " + t.Suite + " (base: " + t.Base + budget + ")"
}

func newTableWriter(w io.Writer, r tw.Renderer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
}

// TextWidth is the widest terminal table, in characters; wider tables are
// split into blocks of metric columns.
const TextWidth = 160

// WriteText renders the tables for a terminal; "*" marks the best mean.
func WriteText(w io.Writer, tables []*Table) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, tableTitle(t))
		header, rows := grid(t, func(s string) string { return s + " *" })
		per := 1
		if t.Base != "" {
			per = 2
		}
		if err := writeGrid(w, header, rows, 2, per); err != nil {
			return err
		}
	}
	for _, n := range budgetNotes(tables) {
		fmt.Fprintln(w, n)
	}
	_, err := fmt.Fprintln(w, CINote+"; * best mean in its column")
	return err
}

// WriteGrid renders a table of plain cells for a terminal as WriteText
// renders the comparison tables: a header row, then the rows; a table
// wider than TextWidth is split into blocks of columns, each starting
// with the first column. The theory suite's tables are written with it.
func WriteGrid(w io.Writer, header []string, rows [][]string) error {
	return writeGrid(w, header, rows, 1, 1)
}

// writeGrid renders a table in blocks no wider than TextWidth: the first
// fixed columns in every block, the others in groups of per columns.
func writeGrid(w io.Writer, header []string, rows [][]string, fixed, per int) error {
	cellWidth := func(s string) float64 { return float64(utf8.RuneCountInString(s) + 3) }
	headers, blocks := splitGrid(header, rows, chunkColumns(cellWidth, header, rows, fixed, per, TextWidth), fixed)
	for b := range headers {
		tbl := newTableWriter(w, renderer.NewBlueprint())
		tbl.Header(headers[b])
		if err := tbl.Bulk(blocks[b]); err != nil {
			return err
		}
		if err := tbl.Render(); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown renders the tables as Markdown; bold marks the best mean.
func WriteMarkdown(w io.Writer, tables []*Table) error {
	for _, t := range tables {
		fmt.Fprintf(w, "**%s**\n\n", tableTitle(t))
		header, rows := grid(t, func(s string) string { return "**" + s + "**" })
		tbl := newTableWriter(w, renderer.NewMarkdown())
		tbl.Header(header)
		if err := tbl.Bulk(rows); err != nil {
			return err
		}
		if err := tbl.Render(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	for _, n := range budgetNotes(tables) {
		fmt.Fprintf(w, "*%s.*\n\n", n)
	}
	_, err := fmt.Fprintln(w, "*"+CINote+"; bold: best mean in its column.*")
	return err
}

// csvHeader is the long-format CSV's header: one row per suite, metric and
// algorithm.
var csvHeader = []string{"suite", "metric", "label", "unit", "direction", "algorithm", "seeds", "n",
	"mean", "sd", "ci95_lo", "ci95_hi", "reached", "best", "base", "gain", "u", "p_value", "test", "values"}

// WriteCSV writes the tables in long format.
func WriteCSV(w io.Writer, tables []*Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range tables {
		for _, r := range t.Rows {
			for ci, col := range t.Columns {
				if err := cw.Write(csvRow(t, r, col, r.Cells[ci])); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(t *Table, r Row, col Column, c Cell) []string {
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	}
	dir := map[Direction]string{HigherBetter: "higher", LowerBetter: "lower", Neutral: ""}[col.Dir]
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = strconv.FormatFloat(v, 'g', 10, 64)
	}
	gain, u, p, test := "", "", "", ""
	if c.Vs != nil {
		gain = num(c.Vs.Gain)
		if c.Vs.Tested {
			u, p, test = num(c.Vs.Test.U), num(c.Vs.Test.P), c.Vs.Test.Method
		}
	}
	return []string{t.Suite, col.Name, col.Label, col.Unit, dir, r.Algorithm, strconv.Itoa(r.Seeds),
		strconv.Itoa(c.Stats.N), num(c.Stats.Mean), num(c.Stats.SD), num(c.Stats.Lo()), num(c.Stats.Hi()),
		strconv.Itoa(c.Reached), strconv.FormatBool(c.Best), t.Base, gain, u, p, test, strings.Join(vals, " ")}
}

// latexEscape escapes LaTeX's special characters and spells the symbols
// the tables use.
func latexEscape(s string) string {
	r := strings.NewReplacer(`\`, `\textbackslash{}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`,
		"_", `\_`, "{", `\{`, "}", `\}`, "^", `\^{}`, "~", `$\sim$`, "±", `$\pm$`, "≥", `$\geq$`,
		"≤", `$\leq$`, "—", `--`, "≠", `$\neq$`, "−", `$-$`, "√", `$\surd$`, "·", `$\cdot$`)
	return r.Replace(s)
}

// WriteLaTeX writes one booktabs table per suite; \textbf marks the best mean.
func WriteLaTeX(w io.Writer, tables []*Table) error {
	for _, t := range tables {
		header, rows := grid(t, func(s string) string { return "\x00" + s })
		fmt.Fprintf(w, "%% %s\n", tableTitle(t))
		fmt.Fprintln(w, `\begin{table}[t]`)
		fmt.Fprintln(w, `\centering\small`)
		fmt.Fprintf(w, "\\caption{%s. %s.}\n", latexEscape(tableTitle(t)), latexEscape(CINote))
		fmt.Fprintf(w, "\\begin{tabular}{l%s}\n", strings.Repeat("r", len(header)-1))
		fmt.Fprintln(w, `\toprule`)
		fmt.Fprintln(w, latexLine(header)+` \\`)
		fmt.Fprintln(w, `\midrule`)
		for _, row := range rows {
			fmt.Fprintln(w, latexLine(row)+` \\`)
		}
		fmt.Fprintln(w, `\bottomrule`)
		fmt.Fprintln(w, `\end{tabular}`)
		fmt.Fprintln(w, `\end{table}`)
		fmt.Fprintln(w)
	}
	return nil
}

func latexLine(cells []string) string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if rest, ok := strings.CutPrefix(c, "\x00"); ok {
			out[i] = `\textbf{` + latexEscape(rest) + `}`
		} else {
			out[i] = latexEscape(c)
		}
	}
	return strings.Join(out, " & ")
}
