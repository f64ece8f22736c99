package reports

import (
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/metrics"
)

func TestLoadGroupsRunsAndReportsProblems(t *testing.T) {
	s := fixtureSet(t)
	var keys []string
	for _, r := range s.Runs {
		keys = append(keys, r.Key())
	}
	want := []string{
		"bfcl/grpo/seed-0", "bfcl/grpo/seed-1", "bfcl/grpo/seed-2", "bfcl/gspo/seed-0",
		"bfcl/ppo/seed-0", "bfcl/ppo/seed-1", "bfcl/ppo/seed-2", "bfcl/reinforce/seed-0",
		"bfcl/seeupo/seed-0", "bfcl/seeupo/seed-1", "bfcl/seeupo/seed-2",
		"theory/grpo/seed-0", "theory/grpo/seed-1", "theory/grpo/seed-2",
		"theory/seeupo/seed-0", "theory/seeupo/seed-1", "theory/seeupo/seed-2",
	}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("runs\n%v\nwant\n%v", keys, want)
	}
	broken := filepath.Join(fixtureRoot, "broken", "bfcl", "gspo", "seed-0")
	var got []string
	for _, p := range s.Problems {
		got = append(got, strings.TrimPrefix(p.String(), broken+"/"))
	}
	wantProblems := []string{
		"config.yaml: missing: the run cannot be repeated from this directory",
		"metrics.jsonl:2: invalid JSON at byte 21: invalid character 'o' looking for beginning of value",
		"metrics.jsonl:4: torn last line (no newline): invalid JSON at byte 15: unexpected end of JSON input",
		`eval.jsonl:2: missing "step"`,
	}
	if strings.Join(got, "\n") != strings.Join(wantProblems, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}
	// The broken run keeps its two good metric lines and its good evaluation.
	gspo := s.Group("bfcl", "gspo")
	if len(gspo) != 1 || len(gspo[0].Steps) != 2 || len(gspo[0].Evals) != 1 {
		t.Errorf("broken run read as %+v", gspo)
	}
	// The verl log is named by its path and keeps NaN values as NaN.
	verl := s.Group("bfcl", "reinforce")
	if len(verl) != 1 || !verl[0].PlainLog || len(verl[0].Steps) != fixtureSteps ||
		!math.IsNaN(verl[0].Steps[0].Data[metrics.ActorGradNorm]) {
		t.Errorf("verl log read as %+v", verl)
	}
}

func TestLoadBoundsProblemsPerFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.jsonl")
	must(t, os.WriteFile(path, []byte(strings.Repeat("not a log line\n", 25)+`{"step": 1, "data": {"x": 1}}`+"\n"), 0o644))
	s, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	// 20 listed lines and one summary for the other 5.
	if len(s.Problems) != 21 || s.Problems[19].Line != 20 || s.Problems[20].String() != path+": 5 more malformed lines not listed" {
		t.Errorf("%d problems, last %v", len(s.Problems), s.Problems[len(s.Problems)-1])
	}
	if len(s.Runs) != 1 || len(s.Runs[0].Steps) != 1 {
		t.Errorf("the good line was not kept: %+v", s.Runs)
	}
}

func TestLoadSkipsDuplicatesAndMissingPaths(t *testing.T) {
	dir := t.TempDir()
	for _, exp := range []string{"a", "b"} {
		r, err := metrics.OpenRun(dir, metrics.ID{Experiment: exp, Suite: "s", Algorithm: "x", Seed: 0}, metrics.Meta{})
		must(t, err)
		must(t, r.LogStep(1, metrics.Data{metrics.ScoreMean: 1}))
		must(t, r.Finish(metrics.Summary{}))
	}
	missing := filepath.Join(dir, "nope")
	s, err := Load([]string{dir, missing})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 1 {
		t.Fatalf("%d runs, want 1 (the duplicate skipped)", len(s.Runs))
	}
	msgs := ""
	for _, p := range s.Problems {
		msgs += p.String() + "\n"
	}
	for _, want := range []string{"run s/x/seed-0 also found at " + filepath.Join(dir, "a", "s", "x", "seed-0"),
		missing + ": stat " + missing + ": no such file or directory"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("problems lack %q:\n%s", want, msgs)
		}
	}
	if _, err := Load([]string{missing}); err == nil || !strings.Contains(err.Error(), "no usable runs") {
		t.Errorf("Load of nothing: %v", err)
	}
}

// TestTableByHand builds a table from values whose statistics are worked
// out in the comments.
func TestTableByHand(t *testing.T) {
	s := &Set{}
	add := func(alg string, seed int, avg float64) {
		s.Runs = append(s.Runs, &Run{ID: metrics.ID{Suite: "bfcl", Algorithm: alg, Seed: seed},
			Evals: []metrics.Eval{{Step: 10, Aggregates: metrics.Data{"avg@4": avg}}}})
	}
	for i, v := range []float64{0.5, 0.7, 0.9} {
		add("seeupo", i, v)
	}
	for i, v := range []float64{0.1, 0.2, 0.3} {
		add("grpo", i, v)
	}
	tables, err := BuildTables(s, "seeupo", []string{"avg@k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	header, rows := grid(tables[0], func(c string) string { return "[" + c + "]" })
	// seeupo: mean 0.7, s = 0.2, half = 4.3027·0.2/√3 = 0.4968 → two
	// significant digits of the half-width: "0.70 ± 0.50"; best column mean.
	// grpo: mean 0.2, s = 0.1, half = 4.3027·0.1/√3 = 0.2484 → "0.20 ± 0.25".
	// vs seeupo: (0.2 − 0.7)/0.7 = −71.4%; U = 0 of 3+3 → p = 0.100, not
	// significant at 0.05 → "~".
	want := [][]string{
		{"algorithm", "seeds", "avg@4", "vs seeupo"},
		{"seeupo", "3", "[0.70 ± 0.50]", "base"},
		{"grpo", "3", "0.20 ± 0.25", "~ -71.4% (p=0.100)"},
	}
	got := append([][]string{header}, rows...)
	if !equalGrid(got, want) {
		t.Errorf("table\n%q\nwant\n%q", got, want)
	}
}

func TestNoBestWhenAllTie(t *testing.T) {
	s := &Set{}
	for _, alg := range []string{"seeupo", "grpo"} {
		for seed := range 2 {
			s.Runs = append(s.Runs, &Run{ID: metrics.ID{Suite: "bfcl", Algorithm: alg, Seed: seed},
				Evals: []metrics.Eval{{Step: 10, Aggregates: metrics.Data{"avg@4": 0}}}})
		}
	}
	tables, err := BuildTables(s, "seeupo", []string{"avg@k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tables[0].Rows {
		if r.Cells[0].Best {
			t.Errorf("%s marked best although every algorithm has 0", r.Algorithm)
		}
	}
}

func equalGrid(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return false
		}
	}
	return true
}

func TestFormatStat(t *testing.T) {
	for _, tt := range []struct {
		s    Sample
		want string
	}{
		{Sample{N: 3, Mean: 0.73429, HalfWidth: 0.11867}, "0.73 ± 0.12"},
		{Sample{N: 3, Mean: 1331.27, HalfWidth: 7.46}, "1331.3 ± 7.5"},
		{Sample{N: 5, Mean: 12345.6, HalfWidth: 234.5}, "12346 ± 234"},
		{Sample{N: 3, Mean: 10, HalfWidth: 0}, "10.0 ± 0.0"},
		{Sample{N: 1, Mean: 0.25, HalfWidth: math.NaN()}, "0.250 (n=1)"},
	} {
		if got := formatStat(tt.s); got != tt.want {
			t.Errorf("formatStat(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	tg, err := ParseTarget("theory/gap<=0.01")
	if err != nil || tg != (Target{"theory/gap", "<=", 0.01}) {
		t.Errorf("got %+v %v", tg, err)
	}
	for _, bad := range []string{"avg@4", "avg@4>=x", ">=1"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

var reportOut = flag.String("report-out", "", "keep the fixture report of TestReportPDFAndMarkdown in this folder")

// TestReportPDFAndMarkdown generates the whole report and checks that the
// PDF opens, holds every section, table and figure caption, and that
// pdftoppm renders every page.
func TestReportPDFAndMarkdown(t *testing.T) {
	for _, tool := range []string{"pdfinfo", "pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package poppler-utils): cannot check the PDF", tool)
		}
	}
	fixtureSet(t)
	out := *reportOut
	if out == "" {
		out = t.TempDir()
	}
	res, err := Generate(Options{Inputs: []string{fixtureRoot}, Out: out, Base: "seeupo",
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}
	pdf := filepath.Join(out, FileReportPDF)
	info, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	txt, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(txt)
	wantText := []string{"seeupo report", SectionRuns, "1. " + SectionTables, "2. " + SectionFigures,
		"3. " + SectionProblems, "suite bfcl (base: seeupo)", "suite theory (base: seeupo)",
		"Generated", "2026-01-02 03:04 UTC", "Input digest", "sha256:" + InputDigest(res.Set),
		"metrics.jsonl:2: invalid JSON"}
	for i, f := range res.Figures {
		wantText = append(wantText, "Figure "+strconv.Itoa(i+1)+" ("+f.Name+")")
	}
	for _, w := range wantText {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	// Title + run list, tables, one page per figure, problems.
	if min := 3 + len(res.Figures); pages < min {
		t.Errorf("%d pages, want at least %d", pages, min)
	}
	render := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "30", "-png", pdf, filepath.Join(render, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(render, "p-*.png"))
	if len(pngs) != pages {
		t.Errorf("pdftoppm rendered %d of %d pages", len(pngs), pages)
	}

	md, err := os.ReadFile(filepath.Join(out, FileReportMD))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"## " + SectionRuns, "## " + SectionTables, "## " + SectionFigures, "## " + SectionProblems,
		"| seeupo    | 3     | **0.73 ± 0.12**"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("Markdown report lacks %q", w)
		}
	}
	for _, link := range regexp.MustCompile(`\]\((figures/[^)]+)\)`).FindAllStringSubmatch(string(md), -1) {
		if _, err := os.Stat(filepath.Join(out, link[1])); err != nil {
			t.Errorf("Markdown links a missing file: %v", err)
		}
	}
}

// The table's title names the budget its runs recorded in meta.json; runs
// under both budgets in one suite are named together.
func TestTableTitleNamesTheBudget(t *testing.T) {
	for _, tc := range []struct {
		budgets []string
		want    string
	}{
		{[]string{"rollouts", "rollouts"}, "suite bfcl (base: seeupo, budget: rollouts)"},
		{[]string{"updates", "rollouts"}, "suite bfcl (base: seeupo, budget: rollouts/updates)"},
		{[]string{"", ""}, "suite bfcl (base: seeupo)"},
	} {
		s := &Set{}
		for i, alg := range []string{"seeupo", "grpo"} {
			meta := &metrics.Meta{Extra: map[string]string{"budget": tc.budgets[i]}}
			s.Runs = append(s.Runs, &Run{ID: metrics.ID{Suite: "bfcl", Algorithm: alg, Seed: 1}, Meta: meta,
				Evals: []metrics.Eval{{Step: 10, Aggregates: metrics.Data{"avg@4": 0.5}}}})
		}
		tables, err := BuildTables(s, "seeupo", []string{"avg@k"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := tableTitle(tables[0]); got != tc.want {
			t.Errorf("budgets %v: title %q, want %q", tc.budgets, got, tc.want)
		}
		var text strings.Builder
		if err := WriteText(&text, tables); err != nil {
			t.Fatal(err)
		}
		for _, b := range tc.budgets {
			if b != "" && !strings.Contains(text.String(), "budget "+b+": ") {
				t.Errorf("budgets %v: no note on %s in\n%s", tc.budgets, b, text.String())
			}
		}
		if tc.budgets[0] == "" && strings.Contains(text.String(), "budget ") {
			t.Errorf("a note on a budget no run recorded:\n%s", text.String())
		}
	}
}

// TestKAndInfraColumns reads the k-aggregates and the infrastructure
// failure rates from one run whose figures are given outright.
func TestKAndInfraColumns(t *testing.T) {
	r := &Run{ID: metrics.ID{Suite: "bfcl", Algorithm: "seeupo"},
		Evals: []metrics.Eval{{Step: 10, K: 4, Aggregates: metrics.Data{
			"avg@4": 0.5, "pass@4": 0.75, "pass^4": 0.25, "infra_failed_rate": 0.1}}},
		Steps: []metrics.Record{{Step: 10, Data: metrics.Data{metrics.RolloutInfraFailedRate: 0.2}}}}
	cases := []struct {
		name string
		want float64
		dir  Direction
	}{
		{"avg@k", 0.5, HigherBetter},
		{"pass@k", 0.75, HigherBetter},
		{"pass^k", 0.25, HigherBetter},
		{"pass^4", 0.25, HigherBetter},
		{"eval/infra_failed_rate", 0.1, LowerBetter},
		{metrics.RolloutInfraFailedRate, 0.2, LowerBetter},
	}
	for _, c := range cases {
		col, err := ResolveColumn(c.name, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if v, ok := col.value(r); !ok || v != c.want || col.Dir != c.dir {
			t.Errorf("%s: value %v (found %v), direction %v; want %v, %v", c.name, v, ok, col.Dir, c.want, c.dir)
		}
	}
	tables, err := BuildTables(&Set{Runs: []*Run{r}}, "seeupo", []string{"pass^k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if label := tables[0].Columns[0].Label; label != "pass^4" {
		t.Errorf("pass^k column label %q, want pass^4", label)
	}
}

func TestWriteGrid(t *testing.T) {
	wide := strings.Repeat("x", TextWidth/2)
	for _, c := range []struct {
		name   string
		header []string
		rows   [][]string
		want   string
	}{
		{"narrow", []string{"algorithm", "J"}, [][]string{{"seeupo", "0.9"}, {"grpo", "0.85"}},
			"┌───────────┬──────┐\n" +
				"│ algorithm │ J    │\n" +
				"├───────────┼──────┤\n" +
				"│ seeupo    │ 0.9  │\n" +
				"│ grpo      │ 0.85 │\n" +
				"└───────────┴──────┘\n"},
		// Wider than TextWidth: two blocks, each led by the first column.
		{"split", []string{"a", "b", "c"}, [][]string{{"r", wide, wide}},
			"┌───┬─" + strings.Repeat("─", len(wide)) + "─┐\n" +
				"│ a │ b" + strings.Repeat(" ", len(wide)-1) + " │\n" +
				"├───┼─" + strings.Repeat("─", len(wide)) + "─┤\n" +
				"│ r │ " + wide + " │\n" +
				"└───┴─" + strings.Repeat("─", len(wide)) + "─┘\n" +
				"┌───┬─" + strings.Repeat("─", len(wide)) + "─┐\n" +
				"│ a │ c" + strings.Repeat(" ", len(wide)-1) + " │\n" +
				"├───┼─" + strings.Repeat("─", len(wide)) + "─┤\n" +
				"│ r │ " + wide + " │\n" +
				"└───┴─" + strings.Repeat("─", len(wide)) + "─┘\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf strings.Builder
			if err := WriteGrid(&buf, c.header, c.rows); err != nil {
				t.Fatal(err)
			}
			if buf.String() != c.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), c.want)
			}
		})
	}
}
