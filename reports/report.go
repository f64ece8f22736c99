package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options configure a report.
type Options struct {
	Inputs  []string // run directories, folders holding them, or JSONL logs
	Out     string   // output folder
	Base    string   // base algorithm of the "vs base" columns
	Metrics []string // table columns (DefaultColumns when empty)
	Targets []Target // steps-to-target thresholds (DefaultTargets when empty)
	Title   string
	// Question is what the runs were made to answer, printed at the top of
	// the summary page ("" leaves it out).
	Question string
	// Notes are further lines of the summary page (the suite's wall time,
	// how the warm start was made).
	Notes []string
	// Now stamps the report; time.Now when nil.
	Now func() time.Time
}

// Result is what Generate produced.
type Result struct {
	Set     *Set
	Tables  []*Table
	Figures []*Figure
	Files   []string // every file written, relative to Options.Out
}

// Report is everything a rendered report shows.
type Report struct {
	Title     string
	Generated time.Time
	Inputs    []string
	Base      string
	Set       *Set
	Tables    []*Table
	Figures   []*Figure
	// Question, Notes and Summaries make the summary page that opens the
	// report.
	Question  string
	Notes     []string
	Summaries []SuiteSummary
}

// Output file names inside Options.Out.
const (
	FileReportPDF = "report.pdf"
	FileReportMD  = "report.md"
	FileProblems  = "problems.txt"
	DirTables     = "tables"
	DirFigures    = "figures"
	tableStem     = "comparison"
)

// Generate reads the inputs and writes the tables (every registered
// format), the figures (PNG, SVG, PDF), the PDF report, the Markdown report
// and, when inputs had problems, problems.txt.
func Generate(opts Options) (*Result, error) {
	return GenerateContext(context.Background(), opts)
}

// GenerateContext is Generate that stops when ctx is cancelled: while the
// inputs are read (see LoadContext) and between the files it writes.
func GenerateContext(ctx context.Context, opts Options) (*Result, error) {
	if opts.Out == "" {
		return nil, fmt.Errorf("report: no output folder given")
	}
	if opts.Title == "" {
		opts.Title = "seeupo report"
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	set, err := LoadContext(ctx, opts.Inputs)
	if err != nil {
		return &Result{Set: set}, err
	}
	tables, err := BuildTables(set, opts.Base, opts.Metrics, opts.Targets)
	if err != nil {
		return nil, err
	}
	figs, err := NewFigureSet(set, opts.Base).Figures()
	if err != nil {
		return nil, err
	}
	res := &Result{Set: set, Tables: tables, Figures: figs}
	rep := &Report{Title: opts.Title, Generated: now().UTC(), Inputs: opts.Inputs, Base: opts.Base,
		Set: set, Tables: tables, Figures: figs, Question: opts.Question, Notes: opts.Notes,
		Summaries: Summarise(set, opts.Base)}
	steps := []func(*Report, string) ([]string, error){writeTableFiles, writeFigureFiles, writePDFFile,
		writeMarkdownFile, writeProblemsFile}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		files, err := step(rep, opts.Out)
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, files...)
	}
	return res, nil
}

func writeTableFiles(rep *Report, out string) ([]string, error) {
	dir := filepath.Join(out, DirTables)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, name := range TableFormatNames() {
		f, _ := LookupTableFormat(name)
		rel := filepath.Join(DirTables, tableStem+f.Ext)
		if err := writeFile(filepath.Join(out, rel), func(w *os.File) error { return f.Write(w, rep.Tables) }); err != nil {
			return nil, err
		}
		files = append(files, rel)
	}
	return files, nil
}

func writeFigureFiles(rep *Report, out string) ([]string, error) {
	var files []string
	for _, f := range rep.Figures {
		paths, err := f.Save(filepath.Join(out, DirFigures))
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			rel, _ := filepath.Rel(out, p)
			files = append(files, rel)
		}
	}
	return files, nil
}

func writePDFFile(rep *Report, out string) ([]string, error) {
	err := writeFile(filepath.Join(out, FileReportPDF), func(w *os.File) error { return WritePDF(w, rep) })
	return []string{FileReportPDF}, err
}

func writeMarkdownFile(rep *Report, out string) ([]string, error) {
	err := writeFile(filepath.Join(out, FileReportMD), func(w *os.File) error { return WriteMarkdownReport(w, rep) })
	return []string{FileReportMD}, err
}

func writeProblemsFile(rep *Report, out string) ([]string, error) {
	if len(rep.Set.Problems) == 0 {
		return nil, nil
	}
	var b strings.Builder
	for _, p := range rep.Set.Problems {
		b.WriteString(p.String() + "\n")
	}
	return []string{FileProblems}, os.WriteFile(filepath.Join(out, FileProblems), []byte(b.String()), 0o644)
}

func writeFile(path string, write func(*os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// runsHeader and runRows describe every run for the title page.
var runsHeader = []string{"suite", "algorithm", "seed", "source", "status", "last step", "evals", "config sha256", "host", "start (UTC)"}

func runRows(s *Set) [][]string {
	var rows [][]string
	for _, r := range s.Runs {
		source, status, host, start := "run dir", "", "", ""
		if r.PlainLog {
			source = "verl log"
		}
		if r.Meta != nil {
			status, host = r.Meta.Status, r.Meta.Host
			if !r.Meta.Start.IsZero() {
				start = r.Meta.Start.UTC().Format("2006-01-02 15:04")
			}
		}
		if r.Summary != nil && r.Summary.Status != "" {
			status = r.Summary.Status
		}
		last := ""
		if n := len(r.Steps); n > 0 {
			last = strconv.FormatInt(r.Steps[n-1].Step, 10)
		}
		digest := "—"
		if r.ConfigSHA256 != "" {
			digest = r.ConfigSHA256[:min(12, len(r.ConfigSHA256))]
		}
		rows = append(rows, []string{r.ID.Suite, r.ID.Algorithm, strconv.Itoa(r.ID.Seed), source, status,
			last, strconv.Itoa(len(r.Evals)), digest, host, start})
	}
	return rows
}

// InputDigest is the SHA-256 over the sorted "key=config digest" lines of
// every run: two reports with the same digest compare the same configurations.
func InputDigest(s *Set) string {
	var lines []string
	for _, r := range s.Runs {
		lines = append(lines, r.Key()+"="+r.ConfigSHA256)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// versions lists the distinct software versions recorded by the runs.
func versions(s *Set) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.Runs {
		if r.Meta == nil {
			continue
		}
		for k, v := range r.Meta.Versions {
			kv := k + " " + v
			if !seen[kv] {
				seen[kv] = true
				out = append(out, kv)
			}
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "not recorded"
	}
	return strings.Join(out, ", ")
}

// overview is the report's opening facts, one "label: value" per line.
func overview(rep *Report) [][2]string {
	s := rep.Set
	algs := s.Algorithms(rep.Base)
	base := rep.Base
	if base == "" {
		base = "none"
	}
	return [][2]string{
		{"Generated", rep.Generated.Format("2006-01-02 15:04 UTC")},
		{"Inputs", strings.Join(rep.Inputs, ", ")},
		{"Runs", fmt.Sprintf("%d (suites: %s; algorithms: %s)", len(s.Runs), strings.Join(s.Suites(), ", "), strings.Join(algs, ", "))},
		{"Base algorithm", base},
		{"Input digest", "sha256:" + InputDigest(s)},
		{"Versions", versions(s)},
		{"Input problems", fmt.Sprintf("%d (listed at the end; the affected lines or files were skipped)", len(s.Problems))},
		{"Statistics", CINote + "."},
	}
}
