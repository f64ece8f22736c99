package bfcl

import (
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// Constants of upstream's cost estimate for locally served models
// (constants/eval_config.py): an 8×H100 node's hourly price, shared by
// the requests in flight.
const (
	h100x8PricePerHour           = 23.92
	localServerMaxConcurrentReqs = 100
)

// FormatSensitivityConfigs are upstream's 26 prompt-format
// configurations (get_all_format_sensitivity_configs), in its order.
func FormatSensitivityConfigs() []string {
	var out []string
	for _, ret := range []string{"python", "json", "verbose_xml", "concise_xml"} {
		for _, tag := range []string{"True", "False"} {
			for _, doc := range []string{"python", "xml", "json"} {
				out = append(out, "ret_fmt="+ret+"&tool_call_tag="+tag+"&func_doc_fmt="+doc+"&prompt_fmt=plaintext&style=classic")
			}
		}
	}
	return append(out,
		"ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=markdown&style=classic",
		"ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=plaintext&style=experimental")
}

// The leaderboard CSVs' headers (constants/column_headers.py).
var (
	columnsNonLive = []string{"Rank", "Model", "Non-Live Overall Acc", "AST Summary", "Simple AST", "Python Simple AST",
		"Java Simple AST", "JavaScript Simple AST", "Multiple AST", "Parallel AST", "Parallel Multiple AST", "Irrelevance Detection"}
	columnsLive = []string{"Rank", "Model", "Live Overall Acc", "AST Summary", "Python Simple AST", "Python Multiple AST",
		"Python Parallel AST", "Python Parallel Multiple AST", "Irrelevance Detection", "Relevance Detection"}
	columnsMultiTurn = []string{"Rank", "Model", "Multi Turn Overall Acc", "Base", "Miss Func", "Miss Param", "Long Context"}
	columnsAgentic   = []string{"Rank", "Model", "Agentic Overall Acc", "Web Search Summary", "Web Search Base",
		"Web Search No Snippet", "Memory Summary", "Memory KV", "Memory Vector", "Memory Recursive Summarization"}
	columnsFormatSensPrefix = []string{"Rank", "Model", "Format Sensitivity Max Delta", "Format Sensitivity Standard Deviation"}
	columnsOverall          = []string{"Rank", "Overall Acc", "Model", "Model Link", "Total Cost ($)", "Latency Mean (s)",
		"Latency Standard Deviation (s)", "Latency 95th Percentile (s)", "Non-Live AST Acc", "Non-Live Simple AST",
		"Non-Live Multiple AST", "Non-Live Parallel AST", "Non-Live Parallel Multiple AST", "Live Acc", "Live Simple AST",
		"Live Multiple AST", "Live Parallel AST", "Live Parallel Multiple AST", "Multi Turn Acc", "Multi Turn Base",
		"Multi Turn Miss Func", "Multi Turn Miss Param", "Multi Turn Long Context", "Web Search Acc", "Web Search Base",
		"Web Search No Snippet", "Memory Acc", "Memory KV", "Memory Vector", "Memory Recursive Summarization",
		"Relevance Detection", "Irrelevance Detection", "Format Sensitivity Max Delta",
		"Format Sensitivity Standard Deviation", "Organization", "License"}
)

// usageData collects a model's token counts and latencies from the result
// files evaluated in one run (upstream's record_cost_latency).
type usageData struct {
	input, output, latency []py.Value
}

func (u *usageData) record(results []*py.Dict) {
	for _, r := range results {
		collectNumbers(r, "latency", &u.latency)
		collectNumbers(r, "input_token_count", &u.input)
		collectNumbers(r, "output_token_count", &u.output)
	}
}

// collectNumbers is record_cost_latency's process_data: a list of lists
// is flattened one level, and the non-zero numbers are kept.
func collectNumbers(r *py.Dict, key string, out *[]py.Value) {
	v, ok := r.GetStr(key)
	if !ok {
		return
	}
	keep := func(x py.Value) {
		switch n := x.(type) {
		case py.Int:
			if n != 0 {
				*out = append(*out, n)
			}
		case py.Bool:
			if n {
				*out = append(*out, py.Int(1))
			}
		case py.Float:
			if n != 0 {
				*out = append(*out, n)
			}
		}
	}
	if l, ok := v.(*py.List); ok {
		for _, it := range l.Items {
			if _, inner := it.(*py.List); !inner {
				return
			}
		}
		for _, it := range l.Items {
			for _, x := range it.(*py.List).Items {
				keep(x)
			}
		}
		return
	}
	keep(v)
}

// pySum is Python's sum() of ints and floats, left to right from 0.
func pySum(vals []py.Value) (float64, bool) {
	isInt := true
	var i int64
	var f float64
	for _, v := range vals {
		switch n := v.(type) {
		case py.Int:
			if isInt {
				i += int64(n)
			} else {
				f += float64(n)
			}
		case py.Float:
			if isInt {
				f = float64(i)
				isInt = false
			}
			f += float64(n)
		}
	}
	if isInt {
		return float64(i), true
	}
	return f, false
}

func toFloats(vals []py.Value) []float64 {
	out := make([]float64, len(vals))
	for i, v := range vals {
		switch n := v.(type) {
		case py.Int:
			out[i] = float64(n)
		case py.Float:
			out[i] = float64(n)
		}
	}
	return out
}

// exactMean is statistics.mean: the exact mean, rounded once.
func exactMean(xs []float64) float64 {
	sum := new(big.Rat)
	for _, x := range xs {
		sum.Add(sum, new(big.Rat).SetFloat64(x))
	}
	sum.Quo(sum, new(big.Rat).SetInt64(int64(len(xs))))
	f, _ := sum.Float64()
	return f
}

// exactStdev is Python 3.11's statistics.stdev: the exact sample variance,
// then its square root rounded once (round-to-odd integer square root,
// as _float_sqrt_of_frac does).
func exactStdev(xs []float64) float64 {
	n := int64(len(xs))
	sx, sxx := new(big.Rat), new(big.Rat)
	for _, x := range xs {
		r := new(big.Rat).SetFloat64(x)
		sx.Add(sx, r)
		sxx.Add(sxx, new(big.Rat).Mul(r, r))
	}
	cnt := new(big.Rat).SetInt64(n)
	ss := new(big.Rat).Mul(cnt, sxx)
	ss.Sub(ss, new(big.Rat).Mul(sx, sx))
	ss.Quo(ss, cnt)
	mss := ss.Quo(ss, new(big.Rat).SetInt64(n-1))
	num, den := new(big.Int).Set(mss.Num()), new(big.Int).Set(mss.Denom())
	const width = 2*53 + 3
	q := (num.BitLen() - den.BitLen() - width) / 2
	if num.BitLen()-den.BitLen()-width < 0 && (num.BitLen()-den.BitLen()-width)%2 != 0 {
		q-- // Python's // floors
	}
	var numerator, denominator *big.Int
	if q >= 0 {
		numerator = new(big.Int).Lsh(isqrtRTO(num, new(big.Int).Lsh(den, uint(2*q))), uint(q))
		denominator = big.NewInt(1)
	} else {
		numerator = isqrtRTO(new(big.Int).Lsh(num, uint(-2*q)), den)
		denominator = new(big.Int).Lsh(big.NewInt(1), uint(-q))
	}
	f, _ := new(big.Rat).SetFrac(numerator, denominator).Float64()
	return f
}

// isqrtRTO is statistics._integer_sqrt_of_frac_rto: isqrt(n // m), with
// the low bit set when inexact.
func isqrtRTO(n, m *big.Int) *big.Int {
	a := new(big.Int).Sqrt(new(big.Int).Quo(n, m))
	chk := new(big.Int).Mul(a, a)
	chk.Mul(chk, m)
	if chk.Cmp(n) != 0 {
		a.SetBit(a, 0, 1)
	}
	return a
}

// percentile95 is numpy's percentile(xs, 95) with linear interpolation.
func percentile95(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	virtual := float64(n-1) * 0.95
	prev := math.Floor(virtual)
	var a, b float64
	if virtual >= float64(n-1) {
		a, b = s[n-1], s[n-1]
		prev = -1
	} else {
		a, b = s[int(prev)], s[int(prev)+1]
	}
	gamma := virtual - prev
	diff := b - a
	if gamma >= 0.5 {
		return b - float64(diff*(1-gamma))
	}
	return a + float64(diff*gamma)
}

// numpyRound2 is numpy's round(x, 2) on a float64: rint(x*100)/100.
func numpyRound2(x float64) float64 { return math.RoundToEven(float64(x*100)) / 100 }

// costLatency is upstream's get_cost_latency_info; each value is a CSV
// cell ("N/A" or a number's str()).
func costLatency(info ModelInfo, u *usageData) (cost, mean, std, p95 cell) {
	cost, mean, std, p95 = na(), na(), na(), na()
	if u == nil {
		u = &usageData{}
	}
	if info.InputPrice != nil && info.OutputPrice != nil {
		if len(u.input) > 0 && len(u.output) > 0 {
			in, _ := pySum(u.input)
			out, _ := pySum(u.output)
			c := float64(in**info.InputPrice)/1000000 + float64(out**info.OutputPrice)/1000000
			cost = plain(pynum.Round(c, 2))
		}
	} else if len(u.latency) > 0 {
		total, _ := pySum(u.latency)
		hours := total / 3600
		cost = plain(pynum.Round(float64(hours*h100x8PricePerHour)/localServerMaxConcurrentReqs, 2))
	}
	if len(u.latency) > 0 {
		xs := toFloats(u.latency)
		mean = plain(pynum.Round(exactMean(xs), 2))
		if len(xs) >= 2 {
			std = plain(pynum.Round(exactStdev(xs), 2))
		}
		p95 = plain(numpyRound2(percentile95(xs)))
	}
	return
}

// cell is one CSV value: a string, or a number shown as a percentage
// (or as str() in the columns that are not converted).
type cell struct {
	str   string
	isNum bool
	num   float64
	text  string // str() of the number
}

func na() cell             { return cell{str: "N/A"} }
func text(s string) cell   { return cell{str: s} }
func plain(f float64) cell { return cell{isNum: true, num: f, text: py.FloatRepr(f)} }
func pyNumber(v py.Value) cell {
	switch n := v.(type) {
	case py.Int:
		return cell{isNum: true, num: float64(n), text: strconv.FormatInt(int64(n), 10)}
	case py.Float:
		return plain(float64(n))
	case py.Str:
		return text(string(n))
	}
	return text(py.StrOf(v))
}

// accuracy is one entry of upstream's accuracy dicts.
type accuracy struct {
	acc   float64
	count int
	na    bool // display_accuracy is "N/A"
}

func (a accuracy) display() cell {
	if a.na {
		return na()
	}
	return plain(a.acc)
}

func unweighted(list []accuracy, naIfMissing bool) accuracy {
	var total float64
	count, hasNA := 0, false
	for _, a := range list {
		hasNA = hasNA || a.na
		count += a.count
		total += a.acc
	}
	return accuracy{acc: total / float64(len(list)), count: count, na: hasNA && naIfMissing}
}

func weighted(list []accuracy, naIfMissing bool) accuracy {
	var total float64
	count, hasNA := 0, false
	for _, a := range list {
		hasNA = hasNA || a.na
		count += a.count
		total += float64(a.acc * float64(a.count))
	}
	return accuracy{acc: total / float64(count), count: count, na: hasNA && naIfMissing}
}

func percentageWeighted(list []accuracy, weights []float64) accuracy {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	var total float64
	count := 0
	for i, a := range list {
		count += a.count
		total += float64(a.acc * (weights[i] / sum))
	}
	return accuracy{acc: total, count: count}
}

// scoreTable is upstream's leaderboard table read back from score files:
// model → category → the score file's header.
type scoreTable map[string]map[string]*py.Dict

func readScoreTable(scoreDir string) (scoreTable, []string, error) {
	t := scoreTable{}
	dirs, err := os.ReadDir(scoreDir)
	if err != nil {
		return nil, nil, err
	}
	var models []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		model := d.Name()
		err := filepath.WalkDir(filepath.Join(scoreDir, model), func(p string, de os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := de.Name()
			if de.IsDir() || !strings.HasPrefix(name, VersionPrefix+"_") || !strings.HasSuffix(name, "_score.json") {
				return nil
			}
			cat, ok := CategoryOfFile(name)
			if !ok {
				return nil
			}
			lines, err := ReadJSONLines(p)
			if err != nil {
				return err
			}
			if len(lines) == 0 {
				return fmt.Errorf("%s: empty score file", p)
			}
			if t[model] == nil {
				t[model] = map[string]*py.Dict{}
				models = append(models, model)
			}
			t[model][cat] = lines[0]
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return t, models, nil
}

func (s *Scorer) categoryScore(row map[string]*py.Dict, cat string) (accuracy, error) {
	if h, ok := row[cat]; ok {
		a, _ := h.GetStr("accuracy")
		c, _ := h.GetStr("total_count")
		acc := pyNumber(a)
		cnt := pyNumber(c)
		if !acc.isNum || !cnt.isNum {
			return accuracy{}, fmt.Errorf("score of %s: header wants numbers accuracy and total_count", cat)
		}
		return accuracy{acc: acc.num, count: int(cnt.num)}, nil
	}
	n, ok := s.counts[cat]
	if !ok {
		entries, err := s.data.Entries(cat, false, false)
		if err != nil {
			return accuracy{}, err
		}
		n = len(entries)
		s.counts[cat] = n
	}
	return accuracy{count: n, na: true}, nil
}

// writeLeaderboard is upstream's generate_leaderboard_csv over every score
// file under scoreDir: data_non_live.csv, data_live.csv,
// data_multi_turn.csv, data_agentic.csv, data_format_sensitivity.csv and
// data_overall.csv.
func (s *Scorer) writeLeaderboard(scoreDir string, usage map[string]*usageData, info func(string) (ModelInfo, error)) error {
	table, models, err := readScoreTable(scoreDir)
	if err != nil {
		return err
	}
	configs := FormatSensitivityConfigs()
	var nonLive, live, multi, agentic, formatSens, overall [][]cell
	for _, model := range models {
		row := table[model]
		mi, err := info(model)
		if err != nil {
			return err
		}
		cost, latMean, latStd, latP95 := costLatency(mi, usage[model])
		get := func(cats ...string) ([]accuracy, error) {
			out := make([]accuracy, len(cats))
			for i, c := range cats {
				if out[i], err = s.categoryScore(row, c); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
		nl, err := get("simple_python", "multiple", "parallel", "parallel_multiple", "simple_java", "simple_javascript", "irrelevance")
		if err != nil {
			return err
		}
		pySimple, pyMultiple, pyParallel, pyParMult, javaSimple, jsSimple, irrelevance := nl[0], nl[1], nl[2], nl[3], nl[4], nl[5], nl[6]
		simple := unweighted([]accuracy{pySimple, javaSimple, jsSimple}, true)
		summaryNL := unweighted([]accuracy{simple, pyMultiple, pyParallel, pyParMult}, true)
		overallNL := unweighted([]accuracy{simple, pyMultiple, pyParallel, pyParMult}, false)
		name := text(mi.DisplayName)
		nonLive = append(nonLive, []cell{na(), name, overallNL.display(), summaryNL.display(), simple.display(),
			pySimple.display(), javaSimple.display(), jsSimple.display(), pyMultiple.display(), pyParallel.display(),
			pyParMult.display(), irrelevance.display()})

		lv, err := get("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance")
		if err != nil {
			return err
		}
		lSimple, lMultiple, lParallel, lParMult, lIrrelevance, lRelevance := lv[0], lv[1], lv[2], lv[3], lv[4], lv[5]
		summaryL := weighted([]accuracy{lSimple, lMultiple, lParallel, lParMult}, true)
		overallL := weighted([]accuracy{lSimple, lMultiple, lParallel, lParMult}, false)
		live = append(live, []cell{na(), name, overallL.display(), summaryL.display(), lSimple.display(),
			lMultiple.display(), lParallel.display(), lParMult.display(), lIrrelevance.display(), lRelevance.display()})

		mt, err := get(MultiTurnCategories...)
		if err != nil {
			return err
		}
		overallMT := unweighted(mt, false)
		multi = append(multi, []cell{na(), name, overallMT.display(), mt[0].display(), mt[1].display(), mt[2].display(), mt[3].display()})

		ws, err := get(WebSearchCategories...)
		if err != nil {
			return err
		}
		mem, err := get(MemoryCategories...)
		if err != nil {
			return err
		}
		summaryWS := unweighted(ws, true)
		summaryMem := unweighted(mem, true)
		overallAg := unweighted([]accuracy{summaryWS, summaryMem}, false)
		agentic = append(agentic, []cell{na(), name, overallAg.display(), summaryWS.display(), ws[0].display(),
			ws[1].display(), summaryMem.display(), mem[0].display(), mem[1].display(), mem[2].display()})

		totalIrrelevance := unweighted([]accuracy{irrelevance, lIrrelevance}, true)
		fsMeta := row["format_sensitivity"]
		fsField := func(k string) cell {
			if fsMeta == nil {
				return na()
			}
			if v, ok := fsMeta.GetStr(k); ok {
				return pyNumber(v)
			}
			return na()
		}
		fsDelta, fsStd := fsField("accuracy_max_delta"), fsField("accuracy_std")
		fsRow := []cell{na(), name, fsDelta, fsStd}
		for _, c := range configs {
			v := na()
			if fsMeta != nil {
				if st, ok := fsMeta.GetStr(c); ok {
					if d, ok := st.(*py.Dict); ok {
						if a, ok := d.GetStr("accuracy"); ok {
							v = pyNumber(a)
						}
					}
				}
			}
			fsRow = append(fsRow, v)
		}
		formatSens = append(formatSens, fsRow)

		total := percentageWeighted([]accuracy{overallNL, overallL, totalIrrelevance, overallMT, overallAg}, []float64{10, 10, 10, 30, 40})
		overall = append(overall, []cell{na(), total.display(), name, text(mi.URL), cost, latMean, latStd, latP95,
			summaryNL.display(), simple.display(), pyMultiple.display(), pyParallel.display(), pyParMult.display(),
			overallL.display(), lSimple.display(), lMultiple.display(), lParallel.display(), lParMult.display(),
			overallMT.display(), mt[0].display(), mt[1].display(), mt[2].display(), mt[3].display(),
			summaryWS.display(), ws[0].display(), ws[1].display(), summaryMem.display(), mem[0].display(),
			mem[1].display(), mem[2].display(), lRelevance.display(), totalIrrelevance.display(), fsDelta, fsStd,
			text(mi.Org), text(mi.License)})
	}
	fsHeader := append([]string(nil), columnsFormatSensPrefix...)
	for _, c := range configs {
		fsHeader = append(fsHeader, "Config "+c)
	}
	files := []struct {
		name    string
		rows    [][]cell
		header  []string
		sortCol int
		noConv  []int
	}{
		{"data_non_live.csv", nonLive, columnsNonLive, 2, nil},
		{"data_live.csv", live, columnsLive, 2, nil},
		{"data_multi_turn.csv", multi, columnsMultiTurn, 2, nil},
		{"data_agentic.csv", agentic, columnsAgentic, 2, nil},
		{"data_format_sensitivity.csv", formatSens, fsHeader, 2, []int{2, 3}},
		{"data_overall.csv", overall, columnsOverall, 1, []int{4, 5, 6, 7, 32, 33}},
	}
	for _, f := range files {
		if err := writeScoreCSV(filepath.Join(scoreDir, f.name), f.rows, f.header, f.sortCol, f.noConv); err != nil {
			return err
		}
	}
	return nil
}

// writeScoreCSV is upstream's write_score_csv_file: rows sorted by a
// column, descending ("N/A" last), ranked from 1, numbers as percentages
// with two decimals except in noConv columns, joined by commas without
// quoting, no newline after the last row.
func writeScoreCSV(p string, rows [][]cell, header []string, sortCol int, noConv []int) error {
	key := func(r []cell) float64 {
		if c := r[sortCol]; c.isNum {
			return c.num
		}
		return -1
	}
	sort.SliceStable(rows, func(i, j int) bool { return key(rows[i]) > key(rows[j]) })
	lines := []string{strings.Join(header, ",")}
	for i, r := range rows {
		out := make([]string, len(r))
		out[0] = strconv.Itoa(i + 1)
		for j := 1; j < len(r); j++ {
			c := r[j]
			switch {
			case !c.isNum:
				out[j] = c.str
			case containsInt(noConv, j):
				out[j] = c.text
			default:
				out[j] = strconv.FormatFloat(float64(c.num*100), 'f', 2, 64) + "%"
			}
		}
		lines = append(lines, strings.Join(out, ","))
	}
	return os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
