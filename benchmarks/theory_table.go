package benchmarks

import (
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/seeupo/seeupo/reports"
)

// TheoryRow aggregates the runs of one variant (on one family, or on all).
type TheoryRow struct {
	Variant, Family string
	Runs            int
	// RatioMean and RatioSD are the mean and standard deviation of the
	// final J/J* over the runs.
	RatioMean, RatioSD float64
	// Reached counts runs whose J reached 0.99·J*; ItersMedian is the
	// median iteration at which they did (NaN when none did).
	Reached     int
	ItersMedian float64
	// DropsMean is the mean number of updates that lowered J;
	// LargestDrop the largest single fall of J/J*.
	DropsMean   float64
	BigDrops    float64 // mean number of drops larger than 0.1% of J*
	LargestDrop float64
	// StepsPerIter is the mean number of optimiser steps per update.
	StepsPerIter float64
}

// SummariseTheory aggregates runs per variant and family (family "all"
// for the rows over every family), in the order variants first appear.
func SummariseTheory(runs []TheoryRun) (perVariant []TheoryRow, perFamily map[string][]TheoryRow) {
	var order []string
	seen := map[string]bool{}
	for _, r := range runs {
		if !seen[r.Variant] {
			seen[r.Variant] = true
			order = append(order, r.Variant)
		}
	}
	perFamily = map[string][]TheoryRow{}
	for _, v := range order {
		var all []TheoryRun
		byFam := map[string][]TheoryRun{}
		var fams []string
		for _, r := range runs {
			if r.Variant != v {
				continue
			}
			all = append(all, r)
			if byFam[r.Family] == nil {
				fams = append(fams, r.Family)
			}
			byFam[r.Family] = append(byFam[r.Family], r)
		}
		perVariant = append(perVariant, theoryRowOf(v, "all", all))
		for _, f := range fams {
			perFamily[f] = append(perFamily[f], theoryRowOf(v, f, byFam[f]))
		}
	}
	return perVariant, perFamily
}

func theoryRowOf(variant, family string, runs []TheoryRun) TheoryRow {
	row := TheoryRow{Variant: variant, Family: family, Runs: len(runs), ItersMedian: math.NaN()}
	var ratios, iters []float64
	var drops, steps, updates float64
	for _, r := range runs {
		ratios = append(ratios, r.FinalRatio())
		if k := r.ItersTo(0.99); k >= 0 {
			row.Reached++
			iters = append(iters, float64(k))
		}
		n, largest := r.Drops()
		drops += float64(n)
		row.BigDrops += float64(r.DropsAbove(1e-3*r.JStar)) / float64(len(runs))
		row.LargestDrop = math.Max(row.LargestDrop, largest/r.JStar)
		steps += float64(r.OptimizerSteps)
		updates += float64(len(r.J) - 1)
	}
	row.RatioMean, row.RatioSD = theoryMeanSD(ratios)
	row.DropsMean = drops / float64(len(runs))
	row.StepsPerIter = steps / updates
	if len(iters) > 0 {
		sort.Float64s(iters)
		n := len(iters)
		row.ItersMedian = (iters[(n-1)/2] + iters[n/2]) / 2
	}
	return row
}

func theoryMeanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// WriteTheoryTable prints the overall table (one row per variant over all
// families and seeds) and one table per family.
func WriteTheoryTable(w io.Writer, runs []TheoryRun, iterations int) error {
	perVariant, perFamily := SummariseTheory(runs)
	fmt.Fprintf(w, "All families (%d runs per algorithm, %d iterations each)\n", perVariant[0].Runs, iterations)
	if err := writeTheoryRows(w, perVariant, true); err != nil {
		return err
	}
	var fams []string
	for f := range perFamily {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		rows := perFamily[f]
		fmt.Fprintf(w, "\nFamily %s (%d seeds): %s\n", f, rows[0].Runs, theoryFamilyDoc(f))
		if err := writeTheoryRows(w, rows, false); err != nil {
			return err
		}
	}
	return nil
}

// writeTheoryRows prints one row per variant with reports' table writer.
func writeTheoryRows(w io.Writer, rows []TheoryRow, withSteps bool) error {
	header := []string{"algorithm", "final J/J*", "± sd", "reached 0.99", "median iters to 0.99", "drops of J (mean)",
		"drops > 0.1% J*", "largest drop / J*"}
	if withSteps {
		header = append(header, "optim-steps/iter")
	}
	var cells [][]string
	for _, r := range rows {
		iters := "—"
		if !math.IsNaN(r.ItersMedian) {
			iters = fmt.Sprintf("%.0f", r.ItersMedian)
		}
		line := []string{r.Variant, fmt.Sprintf("%.4f", r.RatioMean), fmt.Sprintf("%.4f", r.RatioSD),
			fmt.Sprintf("%d/%d", r.Reached, r.Runs), iters, fmt.Sprintf("%.1f", r.DropsMean), fmt.Sprintf("%.1f", r.BigDrops),
			fmt.Sprintf("%.4f", r.LargestDrop)}
		if withSteps {
			line = append(line, fmt.Sprintf("%.2f", r.StepsPerIter))
		}
		cells = append(cells, line)
	}
	return reports.WriteGrid(w, header, cells)
}
