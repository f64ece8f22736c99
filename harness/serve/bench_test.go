package serve

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/transformer"
)

// The benchmark makes every request it was asked for at every level, and
// both modes return, request by request, the ids the model samples for
// that request's seed when generated alone.
func TestBenchmarkCountsAndTokens(t *testing.T) {
	_, untaught := fixture(t)
	o := BenchOptions{Checkpoint: untaught, Clients: []int{1, 3}, Requests: 5, PromptTokens: 4, MaxTokens: 6, Threads: 1, Models: models.CPU(1)}
	var progress bytes.Buffer
	o.Progress = &progress
	res, err := Benchmark(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want, wantTokens := generateAlone(t, untaught, o)
	if len(res.Levels) != 2 {
		t.Fatalf("%d levels, want 2 (clients 1 and 3)", len(res.Levels))
	}
	for i, lv := range res.Levels {
		if lv.Clients != o.Clients[i] {
			t.Errorf("level %d: clients %d, want %d", i, lv.Clients, o.Clients[i])
		}
		for mode, run := range map[string]BenchRun{"served": lv.Served, "in process": lv.InProcess} {
			if run.Requests != o.Requests || run.GeneratedTokens != wantTokens || len(run.Tokens) != o.Requests {
				t.Errorf("%d clients, %s: %d requests, %d tokens; want %d requests, %d tokens",
					lv.Clients, mode, run.Requests, run.GeneratedTokens, o.Requests, wantTokens)
				continue
			}
			for r := range want {
				if !slices.Equal(run.Tokens[r], want[r]) {
					t.Errorf("%d clients, %s, request %d: ids %v, generated alone %v", lv.Clients, mode, r, run.Tokens[r], want[r])
				}
			}
		}
		if lv.SameTokens != o.Requests {
			t.Errorf("%d clients: %d of %d requests with the same ids both ways", lv.Clients, lv.SameTokens, o.Requests)
		}
		if wantBatches := (o.Requests + lv.Clients - 1) / lv.Clients; lv.InProcess.Batches != wantBatches {
			t.Errorf("%d clients: %d in-process batches, want %d", lv.Clients, lv.InProcess.Batches, wantBatches)
		}
	}
	// One client has one request in flight: every served batch holds one.
	// Three clients: at most three share a batch.
	if b := res.Levels[0].Served.Batches; b != o.Requests {
		t.Errorf("1 client: %d served batches, want %d", b, o.Requests)
	}
	if b := res.Levels[1].Served.Batches; b < 2 || b > o.Requests {
		t.Errorf("3 clients: %d served batches, want 2 to %d", b, o.Requests)
	}
	if res.Model != "checkpoint "+untaught || res.Params == 0 || res.LoadBefore == "" || res.LoadAfter == "" {
		t.Errorf("result header %q, %d params, load %q / %q", res.Model, res.Params, res.LoadBefore, res.LoadAfter)
	}
	if !strings.Contains(progress.String(), "clients=3: served") {
		t.Errorf("progress lacks the served run of 3 clients:\n%s", progress.String())
	}
}

// generateAlone generates each benchmark request in a batch of its own
// and returns the ids and their total.
func generateAlone(t *testing.T, dir string, o BenchOptions) ([][]int, int) {
	t.Helper()
	m, err := models.CPU(1).Load(dir, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := models.LoadTokenizer(dir)
	if err != nil {
		t.Fatal(err)
	}
	reqs := BenchRequests(o, tok, m.Config())
	if len(reqs) != o.Requests {
		t.Fatalf("%d requests, want %d", len(reqs), o.Requests)
	}
	var out [][]int
	total := 0
	for _, r := range reqs {
		if len(r.Prompt) != o.PromptTokens || r.MaxTokens != o.MaxTokens {
			t.Fatalf("request of %d prompt ids, %d max tokens; want %d, %d", len(r.Prompt), r.MaxTokens, o.PromptTokens, o.MaxTokens)
		}
		c, err := m.Generate([]transformer.Request{r}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c[0].Tokens)
		total += len(c[0].Tokens)
	}
	return out, total
}

// With no checkpoint a preset is built, served and measured; the table
// prints a row per mode and level.
func TestBenchmarkPresetTable(t *testing.T) {
	o := BenchOptions{Preset: "tiny", Clients: []int{2}, Requests: 3, PromptTokens: 3, MaxTokens: 2, Threads: 1, Models: models.CPU(1)}
	res, err := Benchmark(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	lv := res.Levels[0]
	if res.Model != "preset tiny (untrained, seed 1)" || lv.Served.Requests != 3 || lv.InProcess.Requests != 3 {
		t.Fatalf("model %q, %d served and %d in-process requests; want preset tiny, 3 each", res.Model, lv.Served.Requests, lv.InProcess.Requests)
	}
	if g := lv.Served.GeneratedTokens; g < 3 || g > 6 || g != lv.InProcess.GeneratedTokens {
		t.Errorf("generated %d served, %d in process; want the same, 1 to 2 per request", g, lv.InProcess.GeneratedTokens)
	}
	var out bytes.Buffer
	if err := WriteBenchTable(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"machine: ", "load average ", "model: preset tiny", "| mode | clients/batch |",
		"| in process | 2 | 3 | ", "| served | 2 | 3 | ", fmt.Sprintf("| %.2fx | %.2fx | 3/3 |", lv.Ratio, lv.CPURatio)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// Options the benchmark cannot run are errors that name them.
func TestBenchmarkBadOptions(t *testing.T) {
	_, untaught := fixture(t)
	cases := []struct {
		name string
		o    BenchOptions
		want string
	}{
		{"zero clients", BenchOptions{Checkpoint: untaught, Clients: []int{1, 0}, Models: models.CPU(1)}, "positive integer"},
		{"negative requests", BenchOptions{Checkpoint: untaught, Requests: -1, Models: models.CPU(1)}, "negative"},
		{"past the context", BenchOptions{Checkpoint: untaught, PromptTokens: 250, MaxTokens: 10, Models: models.CPU(1)}, "context of 256"},
		{"unknown preset", BenchOptions{Preset: "huge", Models: models.CPU(1)}, "known presets"},
	}
	for _, c := range cases {
		_, err := Benchmark(context.Background(), c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one that says %q", c.name, err, c.want)
		}
	}
}

// BenchmarkServeTokens: one op is one request (prompt 32, 16 new tokens)
// of the tiny preset, served to that many clients or generated in process
// in batches of that size.
func BenchmarkServeTokens(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "tiny")
	cfg, _ := transformer.Preset("tiny")
	if err := saveBenchPreset(models.CPU(1), cfg, 1, dir); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{Checkpoint: dir, Model: benchModelName, Models: models.CPU(1)})
	if err != nil {
		b.Fatal(err)
	}
	m, err := models.CPU(1).Load(dir, transformer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bn, err := startBench(srv)
	if err != nil {
		b.Fatal(err)
	}
	defer bn.stop()
	ld := srv.current.Load()
	bn.model, bn.tok = m, ld.tok
	for _, clients := range []int{1, 8} {
		for _, mode := range []string{"in-process", "served"} {
			b.Run(fmt.Sprintf("%s/clients=%d", mode, clients), func(b *testing.B) {
				reqs := BenchRequests(BenchOptions{Requests: b.N, PromptTokens: 32, MaxTokens: 16}, ld.tok, ld.cfg)
				measure := bn.inProcess
				if mode == "served" {
					measure = bn.served
				}
				start := time.Now()
				run, err := measure(context.Background(), reqs, clients)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(run.GeneratedTokens)/time.Since(start).Seconds(), "tokens/s")
			})
		}
	}
}
