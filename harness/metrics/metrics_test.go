package metrics

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunRoundTrip(t *testing.T) {
	root := t.TempDir()
	id := ID{Experiment: "exp", Suite: "bfcl", Algorithm: "seeupo", Seed: 3}
	r, err := OpenRun(root, id, Meta{Host: "box", Versions: map[string]string{"seeupo": "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	wantDir := filepath.Join(root, "exp", "bfcl", "seeupo", "seed-3")
	if r.Dir != wantDir {
		t.Fatalf("dir %q, want %q", r.Dir, wantDir)
	}
	if err := r.WriteConfig([]byte("seed: 3\n")); err != nil {
		t.Fatal(err)
	}
	for step := int64(1); step <= 3; step++ {
		d := Data{ScoreMean: float64(step) / 2, ActorEntropy: 1}
		if step == 2 {
			d[ActorGradNorm] = math.NaN()
		}
		if err := r.LogStep(step, d); err != nil {
			t.Fatal(err)
		}
	}
	ev := Eval{Step: 3, Split: "test", K: 2, Tasks: []TaskResult{
		{Task: "a", Success: []bool{true, false}, Reward: []float64{1.5, 0}},
		{Task: "b", Success: []bool{false, false}, Reward: []float64{0, 0}},
	}}
	if err := r.LogEval(ev); err != nil {
		t.Fatal(err)
	}
	tw, err := r.Trajectories(3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := tw.Write(map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	cw, err := r.BeginCheckpoint(3)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.Finish(Summary{Steps: 3, Figures: Data{"eval/avg@2": 0.25}}); err != nil {
		t.Fatal(err)
	}

	recs, problems, err := ReadMetrics(filepath.Join(wantDir, FileMetrics))
	if err != nil || len(problems) > 0 {
		t.Fatalf("read metrics: %v %v", err, problems)
	}
	if len(recs) != 3 || recs[2].Step != 3 || recs[2].Data[ScoreMean] != 1.5 || !math.IsNaN(recs[1].Data[ActorGradNorm]) {
		t.Fatalf("metrics read back as %+v", recs)
	}
	wantLine := `{"step":2,"data":{"actor/entropy":1,"actor/grad_norm":"NaN","critic/score/mean":1}}`
	if got := strings.Split(readFile(t, filepath.Join(wantDir, FileMetrics)), "\n")[1]; got != wantLine {
		t.Errorf("line 2 is\n%s\nwant\n%s", got, wantLine)
	}
	evs, problems, err := ReadEvals(filepath.Join(wantDir, FileEval))
	if err != nil || len(problems) > 0 || len(evs) != 1 {
		t.Fatalf("read evals: %v %v %d", err, problems, len(evs))
	}
	// avg@2 = (1/2 + 0/2) / 2 tasks = 0.25; pass@2 = 1 of 2 tasks = 0.5;
	// pass^2 = 0 of 2 tasks; reward/mean = (1.5+0+0+0)/4 = 0.375; no
	// sample lost.
	wantAgg := Data{"avg@2": 0.25, "pass@2": 0.5, "pass^2": 0, "reward/mean": 0.375, "infra_failed_rate": 0}
	if !reflect.DeepEqual(evs[0].Aggregates, wantAgg) {
		t.Errorf("aggregates %v, want %v", evs[0].Aggregates, wantAgg)
	}
	var lines int
	probs, err := ReadJSONL(filepath.Join(wantDir, DirTrajectories, "step-000003.jsonl.gz"), func([]byte) error { lines++; return nil })
	if err != nil || len(probs) > 0 || lines != 2 {
		t.Errorf("trajectories: %v %v, %d lines", err, probs, lines)
	}
	steps, err := Checkpoints(wantDir)
	if err != nil || !reflect.DeepEqual(steps, []int64{3}) {
		t.Errorf("checkpoints %v %v", steps, err)
	}
	meta, err := ReadMeta(wantDir)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Status != StatusCompleted || meta.End == nil || meta.ID != id || meta.Host != "box" ||
		meta.ConfigSHA256 != ConfigDigest([]byte("seed: 3\n")) {
		t.Errorf("meta %+v", meta)
	}
	sum, err := ReadSummary(wantDir)
	if err != nil || sum.Status != StatusCompleted || sum.Figures["eval/avg@2"] != 0.25 {
		t.Errorf("summary %+v %v", sum, err)
	}
	if got, ok := ParseDir(wantDir); !ok || got != id {
		t.Errorf("ParseDir = %+v %v", got, ok)
	}
}

func TestResumeTruncatesTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileMetrics)
	writeFile(t, path, `{"step":1,"data":{"x":1}}`+"\n"+`{"step":2,"data":{"x":2}}`+"\n"+`{"step":3,"da`)
	w, err := OpenMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if last, ok := w.LastStep(); !ok || last != 2 {
		t.Fatalf("LastStep = %d %v, want 2 true", last, ok)
	}
	if err := w.Log(2, Data{"x": 9}); err == nil {
		t.Error("logging step 2 again succeeded; steps must increase")
	}
	if err := w.Log(3, Data{"x": 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"step":1,"data":{"x":1}}` + "\n" + `{"step":2,"data":{"x":2}}` + "\n" + `{"step":3,"data":{"x":3}}` + "\n"
	if got := readFile(t, path); got != want {
		t.Errorf("file is\n%s\nwant\n%s", got, want)
	}
}

func TestTruncateAfter(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileMetrics)
	// The torn last line is what a crash leaves; opening drops it.
	writeFile(t, path, `{"step":1,"data":{}}`+"\n"+`{"step":2,"data":{}}`+"\n"+`{"step":3,"data":{}}`+"\n"+`{"step":4,"da`)
	w, err := OpenMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.TruncateAfter(1); err != nil {
		t.Fatal(err)
	}
	if last, _ := w.LastStep(); last != 1 {
		t.Errorf("LastStep after truncation = %d, want 1", last)
	}
	if err := w.Log(2, Data{"y": 1}); err != nil {
		t.Fatal(err)
	}
	want := `{"step":1,"data":{}}` + "\n" + `{"step":2,"data":{"y":1}}` + "\n"
	if got := readFile(t, path); got != want {
		t.Errorf("file is\n%q\nwant\n%q", got, want)
	}
}

// TestDamagedMetricsLogIsAnError: a bad line before the last cannot come
// from a crash, so reopening the log to resume names it instead of
// keeping or dropping it.
func TestDamagedMetricsLogIsAnError(t *testing.T) {
	cases := []struct{ name, log, want string }{
		{"torn middle line", `{"step":1,"data":{}}` + "\n" + `{"step":2,"da` + "\n" + `{"step":3,"data":{}}` + "\n",
			FileMetrics + ":2: invalid JSON"},
		{"garbage line", `{"step":1,"data":{}}` + "\n" + "garbage\n" + `{"step":2,"data":{}}` + "\n",
			FileMetrics + ":2: invalid JSON"},
		{"missing step", `{"data":{}}` + "\n" + `{"step":2,"data":{}}` + "\n", FileMetrics + `:1: missing "step"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileMetrics)
			writeFile(t, path, c.log)
			w, err := OpenMetrics(path)
			if err == nil {
				w.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "damaged") {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestReaderReportsBadLinesAndContinues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	writeFile(t, path, strings.Join([]string{
		`{"step": 1, "data": {"a": NaN, "b": -Infinity, "c": "text", "d": true, "e": null, "f": 2.5}}`,
		`not json`,
		``,
		`{"data": {"a": 1}}`,
		`{"step": 1.5, "data": {}}`,
		`{"step": 4}`,
		`{"step": 5, "data": {"note": "NaN inside a string stays"}}`,
		`{"step": 6, "data": {"a": 1}`,
	}, "\n"))
	recs, problems, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Step != 1 || recs[1].Step != 5 {
		t.Fatalf("records %+v", recs)
	}
	d := recs[0].Data
	if !math.IsNaN(d["a"]) || !math.IsInf(d["b"], -1) || d["d"] != 1 || !math.IsNaN(d["e"]) || d["f"] != 2.5 {
		t.Errorf("data %v", d)
	}
	if _, ok := d["c"]; ok {
		t.Errorf("string value kept: %v", d)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		path + ":2: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u')",
		path + `:4: missing "step"`,
		path + `:5: "step" is 1.5, want an integer`,
		path + `:6: missing "data" object`,
		path + ":8: torn last line (no newline): invalid JSON at byte 28: unexpected end of JSON input",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseDir(t *testing.T) {
	tests := []struct {
		dir  string
		want ID
		ok   bool
	}{
		{"runs/e/bfcl/grpo/seed-0", ID{"e", "bfcl", "grpo", 0}, true},
		{"/a/b/runs/e/theory/seeupo/seed-12/", ID{"e", "theory", "seeupo", 12}, true},
		{"bfcl/grpo/seed-1", ID{"", "bfcl", "grpo", 1}, true},
		{"runs/e/bfcl/grpo/seed-x", ID{}, false},
		{"runs/e/bfcl/grpo", ID{}, false},
		{"seed-1", ID{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseDir(tt.dir)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDir(%q) = %+v %v, want %+v %v", tt.dir, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIDValidate(t *testing.T) {
	for _, id := range []ID{{"", "s", "a", 0}, {"e", "s/x", "a", 0}, {"e", "s", "..", 0}, {"e", "s", "a", -1}} {
		if err := id.Validate(); err == nil {
			t.Errorf("%+v accepted", id)
		}
	}
	if err := (ID{"e", "s", "a", 0}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestResumeKeepsStartAndRecordsResume(t *testing.T) {
	root := t.TempDir()
	id := ID{"e", "s", "a", 1}
	r, err := OpenRun(root, id, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LogStep(1, Data{"x": 1}); err != nil {
		t.Fatal(err)
	}
	start := r.Meta().Start
	r.Close()
	r2, err := OpenRun(root, id, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	m := r2.Meta()
	if !m.Start.Equal(start) || len(m.Resumed) != 1 || m.Status != StatusRunning {
		t.Errorf("resumed meta %+v (start was %v)", m, start)
	}
	if last, ok := r2.Metrics.LastStep(); !ok || last != 1 {
		t.Errorf("LastStep = %d %v", last, ok)
	}
}

func TestConcurrentWritesKeepLinesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileEval)
	w, err := OpenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := w.Write(Eval{Step: int64(g*100 + i), Aggregates: Data{"x": float64(i)}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	w.Close()
	evs, problems, err := ReadEvals(path)
	if err != nil || len(problems) > 0 || len(evs) != 400 {
		t.Errorf("%d evals, problems %v, err %v", len(evs), problems, err)
	}
}

func ExampleOpenRun() {
	root, _ := os.MkdirTemp("", "runs")
	defer os.RemoveAll(root)
	run, err := OpenRun(root, ID{Experiment: "demo", Suite: "theory", Algorithm: "seeupo", Seed: 0}, Meta{})
	if err != nil {
		panic(err)
	}
	run.LogStep(1, Data{TheoryJ: 0.5, TheoryGap: 0.25})
	run.Finish(Summary{Steps: 1})
	b, _ := os.ReadFile(filepath.Join(run.Dir, FileMetrics))
	fmt.Print(string(b))
	// Output: {"step":1,"data":{"theory/J":0.5,"theory/gap":0.25}}
}

func TestAggregateScenarioGoalCompletion(t *testing.T) {
	ok, fail := true, false
	cases := []struct {
		name  string
		tasks []TaskResult
		want  float64 // -1: no sgc reported
	}{
		{"one task per group: no sgc", []TaskResult{{Task: "a", Group: "a", Success: []bool{ok}}, {Task: "b", Group: "b", Success: []bool{fail}}}, -1},
		{"ungrouped: no sgc", []TaskResult{{Task: "a", Success: []bool{ok}}, {Task: "b", Success: []bool{ok}}}, -1},
		// Scenario s1 succeeds in sample 0 only, s2 in both: (2/2 + 1/2) / 2.
		{"two scenarios, two samples", []TaskResult{
			{Task: "s1_1", Group: "s1", Success: []bool{ok, ok}},
			{Task: "s1_2", Group: "s1", Success: []bool{ok, fail}},
			{Task: "s2_1", Group: "s2", Success: []bool{ok, ok}},
		}, 0.75},
		// A missing sample counts as not done.
		{"short sample list", []TaskResult{
			{Task: "s1_1", Group: "s1", Success: []bool{ok, ok}},
			{Task: "s1_2", Group: "s1", Success: []bool{ok}},
		}, 0.5},
		// s1_2 lost sample 0, so sample 0 counts s2 only (done: 1/1);
		// sample 1: s1 done (s1_2's one success is its sample 1), s2 not
		// (1/2). (1 + 1/2) / 2.
		{"scenario with a lost sample", []TaskResult{
			{Task: "s1_1", Group: "s1", Success: []bool{fail, ok}},
			{Task: "s1_2", Group: "s1", Success: []bool{ok}, InfraFailed: []int{0}},
			{Task: "s2_1", Group: "s2", Success: []bool{ok, fail}},
		}, 0.75},
	}
	for _, c := range cases {
		agg := Aggregate(c.tasks)
		got, has := agg[SGCAt(2)]
		if !has {
			got, has = agg[SGCAt(1)]
		}
		switch {
		case c.want < 0 && has:
			t.Errorf("%s: sgc %v reported", c.name, got)
		case c.want >= 0 && (!has || got != c.want):
			t.Errorf("%s: sgc %v (reported %v), want %v", c.name, got, has, c.want)
		}
	}
}

func TestAggregate(t *testing.T) {
	ok, fail := true, false
	nan := math.NaN()
	cases := []struct {
		name  string
		tasks []TaskResult
		want  Data
	}{
		{"no tasks", nil, Data{}},
		// avg@4 = (4/4 + 2/4 + 0/4) / 3 = 0.5; pass@4 = 2/3 (a, b);
		// pass^4 = 1/3 (a only); reward/mean = (4×1 + 2×1) / 12 = 0.5.
		{"three tasks, four samples", []TaskResult{
			{Task: "a", Success: []bool{ok, ok, ok, ok}, Reward: []float64{1, 1, 1, 1}},
			{Task: "b", Success: []bool{ok, fail, ok, fail}, Reward: []float64{1, 0, 1, 0}},
			{Task: "c", Success: []bool{fail, fail, fail, fail}, Reward: []float64{0, 0, 0, 0}},
		}, Data{"avg@4": 0.5, "pass@4": 2.0 / 3, "pass^4": 1.0 / 3, "reward/mean": 0.5, "infra_failed_rate": 0}},
		// Task a lost samples 1 and 3: over its two that ran avg 1/2, pass 1,
		// pass^ 0. Task b lost sample 0; its three that ran all succeed: avg 1,
		// pass 1, pass^ 1. k stays 4. avg@4 = (1/2 + 1)/2 = 0.75; pass@4 = 1;
		// pass^4 = 1/2; reward/mean = (1.5 + 0 + 3×1.5) / 5 = 1.2;
		// infra_failed_rate = 3 lost of 8.
		{"samples lost to infrastructure", []TaskResult{
			{Task: "a", Success: []bool{ok, fail}, Reward: []float64{1.5, 0}, InfraFailed: []int{1, 3}},
			{Task: "b", Success: []bool{ok, ok, ok}, Reward: []float64{1.5, 1.5, 1.5}, InfraFailed: []int{0}},
		}, Data{"avg@4": 0.75, "pass@4": 1, "pass^4": 0.5, "reward/mean": 1.2, "infra_failed_rate": 3.0 / 8}},
		// Task b lost both samples: it leaves the averages, not a zero.
		{"a task with every sample lost", []TaskResult{
			{Task: "a", Success: []bool{ok, fail}},
			{Task: "b", InfraFailed: []int{0, 1}},
		}, Data{"avg@2": 0.5, "pass@2": 1, "pass^2": 0, "infra_failed_rate": 0.5}},
		{"every sample lost", []TaskResult{
			{Task: "a", InfraFailed: []int{0, 1}},
		}, Data{"avg@2": nan, "pass@2": nan, "pass^2": nan, "infra_failed_rate": 1}},
	}
	for _, c := range cases {
		got := Aggregate(c.tasks)
		if !sameData(got, c.want) {
			t.Errorf("%s: Aggregate = %v, want %v", c.name, got, c.want)
		}
	}
}

// sameData compares figures to 1e-12, NaN equal to NaN.
func sameData(a, b Data) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || (math.IsNaN(v) != math.IsNaN(w)) || (!math.IsNaN(v) && math.Abs(v-w) > 1e-12) {
			return false
		}
	}
	return true
}

// Per-level figures, worked by hand: level 1 holds scenario a (two tasks,
// both solved in sample 0, one in sample 1) and task b1 of scenario b
// (solved in neither); level 2 holds scenario c (one task solved in both,
// one in sample 1 only).
//
// level 1: avg@2 = (2/2 + 1/2 + 0/2) / 3 = 0.5; sgc@2: sample 0 has a
// done, b not (1/2), sample 1 neither (0/2): 0.25.
// level 2: avg@2 = (2/2 + 1/2) / 2 = 0.75; sgc@2: c not done in sample 0,
// done in sample 1: 0.5.
// Tasks without a level (0) add no level figures; a suite without levels
// gets none.
func TestAggregatePerLevel(t *testing.T) {
	ok, fail := true, false
	tasks := []TaskResult{
		{Task: "a_1", Group: "a", Level: 1, Success: []bool{ok, ok}},
		{Task: "a_2", Group: "a", Level: 1, Success: []bool{ok, fail}},
		{Task: "b_1", Group: "b", Level: 1, Success: []bool{fail, fail}},
		{Task: "c_1", Group: "c", Level: 2, Success: []bool{ok, ok}},
		{Task: "c_2", Group: "c", Level: 2, Success: []bool{fail, ok}},
	}
	agg := Aggregate(tasks)
	want := map[string]float64{
		"level1/avg@2": 0.5, "level1/sgc@2": 0.25,
		"level2/avg@2": 0.75, "level2/sgc@2": 0.5,
	}
	for name, w := range want {
		if got, has := agg[name]; !has || math.Abs(got-w) > 1e-12 {
			t.Errorf("%s = %v (reported %v), want %v", name, got, has, w)
		}
	}
	// The overall figures are those of all five tasks: (1 + 0.5 + 0 + 1 + 0.5) / 5.
	if got := agg[AvgAt(2)]; math.Abs(got-0.6) > 1e-12 {
		t.Errorf("avg@2 = %v, want 0.6", got)
	}
	for i := range tasks {
		tasks[i].Level = 0
	}
	for name := range Aggregate(tasks) {
		if strings.HasPrefix(name, "level") {
			t.Errorf("without levels: %s reported", name)
		}
	}
}
