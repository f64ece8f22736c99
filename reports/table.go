package reports

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// Alpha is the significance level below which a "vs base" difference is
// reported as a change rather than "~".
const Alpha = 0.05

// Table compares algorithms on one suite: rows are algorithms, columns are
// metrics, cells are mean ± 95% CI over seeds.
type Table struct {
	Suite   string
	Base    string // the base algorithm, "" when the suite has no run of it
	Columns []Column
	Rows    []Row
	// Budget is what the suite's runs held equal per training step
	// (meta.json's extra "budget": rollouts or updates; several values
	// joined by "/"; "" when no run records it).
	Budget string
}

// Row is one algorithm's line.
type Row struct {
	Algorithm string
	Seeds     int
	Cells     []Cell
}

// Cell is one algorithm's figure on one metric.
type Cell struct {
	Values []float64 // one per seed that has the metric (+Inf: target not reached)
	Stats  Sample    // over the finite values
	// Reached counts the seeds that reached the target (steps-to-target).
	Reached int
	Best    bool
	// Vs compares with the base algorithm; nil for the base row, a missing
	// base, or a missing cell.
	Vs *Comparison
}

// Missing reports whether no seed has the metric.
func (c Cell) Missing() bool { return len(c.Values) == 0 }

// Comparison is a cell against the base algorithm's cell.
type Comparison struct {
	// Gain is (mean − base mean)/|base mean|; NaN when undefined.
	Gain float64
	Test UTest
	// Tested is false when a sample was too small for the U test.
	Tested bool
}

// Significant reports whether the U test rejects equality at Alpha.
func (c *Comparison) Significant() bool { return c.Tested && c.Test.P < Alpha }

// BuildTables makes one table per suite. columns are --metrics names
// (DefaultColumns when empty); targets feed steps-to-target.
func BuildTables(s *Set, base string, columns []string, targets []Target) ([]*Table, error) {
	explicit := len(columns) > 0
	if !explicit {
		columns = DefaultColumns
	}
	if len(targets) == 0 {
		targets = DefaultTargets
	}
	var tables []*Table
	for _, suite := range s.Suites() {
		t := &Table{Suite: suite, Budget: suiteBudget(s, suite)}
		algs := suiteAlgorithms(s, suite, base)
		for _, a := range algs {
			if a == base {
				t.Base = base
			}
		}
		for _, name := range columns {
			col, err := suiteColumn(s, suite, name, targets)
			if err != nil {
				return nil, err
			}
			if explicit || suiteHas(s, suite, col) {
				t.Columns = append(t.Columns, col)
			}
		}
		for _, a := range algs {
			t.Rows = append(t.Rows, buildRow(s.Group(suite, a), t.Columns))
		}
		t.compare()
		t.markBest()
		tables = append(tables, t)
	}
	return tables, nil
}

// suiteBudget lists the budgets the suite's runs record, sorted.
func suiteBudget(s *Set, suite string) string {
	seen := map[string]bool{}
	for _, r := range s.Runs {
		if r.ID.Suite == suite && r.Meta != nil && r.Meta.Extra["budget"] != "" {
			seen[r.Meta.Extra["budget"]] = true
		}
	}
	return strings.Join(slices.Sorted(maps.Keys(seen)), "/")
}

// suiteColumn resolves a column; steps-to-target gets the first target the
// suite has data for, and a label naming it.
func suiteColumn(s *Set, suite, name string, targets []Target) (Column, error) {
	if name != "steps-to-target" {
		col, err := ResolveColumn(name, targets)
		if isGenericK(name) {
			col.Label = suiteKLabel(s, suite, name)
		}
		return col, err
	}
	for _, t := range targets {
		col, _ := ResolveColumn(name, []Target{t})
		if suiteHas(s, suite, col) {
			if isGenericK(t.Metric) {
				t.Metric = suiteKLabel(s, suite, t.Metric)
			}
			col.Label = "steps to " + strings.ReplaceAll(strings.ReplaceAll(t.String(), ">=", "≥"), "<=", "≤")
			return col, nil
		}
	}
	return ResolveColumn(name, targets)
}

// suiteKLabel names avg@k, pass@k or pass^k with the suite's k ("avg@4");
// mixed or unknown k keeps the "k".
func suiteKLabel(s *Set, suite, name string) string {
	prefix := strings.TrimSuffix(name, "k")
	label := ""
	for _, r := range s.Runs {
		if r.ID.Suite != suite {
			continue
		}
		if n := evalKName(r, prefix); n != "" {
			if label != "" && label != n {
				return name
			}
			label = n
		}
	}
	if label == "" {
		return name
	}
	return label
}

func suiteAlgorithms(s *Set, suite, base string) []string {
	var names []string
	seen := map[string]bool{}
	for _, r := range s.Runs {
		if r.ID.Suite == suite && !seen[r.ID.Algorithm] {
			seen[r.ID.Algorithm] = true
			names = append(names, r.ID.Algorithm)
		}
	}
	return orderAlgorithms(names, base)
}

func suiteHas(s *Set, suite string, col Column) bool {
	for _, r := range s.Runs {
		if r.ID.Suite == suite {
			if _, ok := col.value(r); ok {
				return true
			}
		}
	}
	return false
}

func buildRow(runs []*Run, cols []Column) Row {
	row := Row{Seeds: len(runs)}
	if len(runs) > 0 {
		row.Algorithm = runs[0].ID.Algorithm
	}
	for _, col := range cols {
		var c Cell
		for _, r := range runs {
			if v, ok := col.value(r); ok {
				c.Values = append(c.Values, v)
				if !math.IsInf(v, 0) {
					c.Reached++
				}
			}
		}
		c.Stats = Summarize(c.Values)
		row.Cells = append(row.Cells, c)
	}
	return row
}

// compare fills every non-base cell's comparison with the base row.
func (t *Table) compare() {
	bi := t.rowIndex(t.Base)
	if bi < 0 {
		return
	}
	for ri := range t.Rows {
		if ri == bi {
			continue
		}
		for ci := range t.Columns {
			c, b := &t.Rows[ri].Cells[ci], t.Rows[bi].Cells[ci]
			if c.Missing() || b.Missing() {
				continue
			}
			cmp := &Comparison{Gain: math.NaN()}
			if c.Reached == len(c.Values) && b.Reached == len(b.Values) && b.Stats.Mean != 0 {
				cmp.Gain = (c.Stats.Mean - b.Stats.Mean) / math.Abs(b.Stats.Mean)
			}
			if test, err := MannWhitney(c.Values, b.Values); err == nil {
				cmp.Test, cmp.Tested = test, true
			}
			c.Vs = cmp
		}
	}
}

func (t *Table) rowIndex(alg string) int {
	for i, r := range t.Rows {
		if alg != "" && r.Algorithm == alg {
			return i
		}
	}
	return -1
}

// markBest flags, per column with a direction, the row(s) with the best
// mean (a steps-to-target cell counts only when every seed reached it, and
// cells of one seed only when no cell has two); a column where every
// algorithm ties has no best.
func (t *Table) markBest() {
	for ci, col := range t.Columns {
		if col.Dir == Neutral {
			continue
		}
		best := math.NaN()
		minN := 1
		for _, r := range t.Rows {
			if r.Cells[ci].Stats.N >= 2 {
				minN = 2
			}
		}
		usable := func(c Cell) bool {
			return !c.Missing() && !math.IsNaN(c.Stats.Mean) && c.Stats.N >= minN &&
				(!col.target || c.Reached == len(c.Values))
		}
		for _, r := range t.Rows {
			c := r.Cells[ci]
			if !usable(c) {
				continue
			}
			if math.IsNaN(best) || better(col.Dir, c.Stats.Mean, best) {
				best = c.Stats.Mean
			}
		}
		if math.IsNaN(best) || len(t.Rows) < 2 {
			continue
		}
		var winners []*Cell
		usableCount := 0
		for ri := range t.Rows {
			c := &t.Rows[ri].Cells[ci]
			if usable(*c) {
				usableCount++
				if c.Stats.Mean == best {
					winners = append(winners, c)
				}
			}
		}
		if len(winners) == usableCount && usableCount > 1 {
			continue // every algorithm ties: no best
		}
		for _, c := range winners {
			c.Best = true
		}
	}
}

func better(d Direction, a, b float64) bool {
	if d == LowerBetter {
		return a < b
	}
	return a > b
}
