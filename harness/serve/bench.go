package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/seeupo/seeupo/harness/sysinfo"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/remote"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// BenchOptions configure Benchmark. Zero fields take the defaults below.
type BenchOptions struct {
	// Checkpoint is the model directory to serve; empty builds Preset.
	Checkpoint string
	// Preset is the model preset built when there is no checkpoint
	// (default small): initialised from ModelSeed (default 1), untrained,
	// with a byte-level tokenizer trained on a fixed text, so no data is
	// needed.
	Preset    string
	ModelSeed uint64
	// Clients are the concurrency levels: that many clients for the
	// server, batches of that size in process (default 1, 8, 32).
	Clients []int
	// Requests per level (default 128), each a prompt of PromptTokens
	// token ids (default 64) sampling at most MaxTokens (default 32) at
	// temperature 1 with its own seed.
	Requests     int
	PromptTokens int
	MaxTokens    int
	// MaxBatch is the server's batch bound (default DefaultMaxBatch).
	MaxBatch int
	// Models builds the benchmark's model (and the server's) on the
	// backend the command opened from its device.
	Models *models.Factory
	// Threads is the CPU thread count Models was opened with (0: all),
	// as the result reports it.
	Threads int
	// Progress receives a line per phase (nil: none).
	Progress io.Writer
}

// DefaultBenchClients are the concurrency levels measured by default.
var DefaultBenchClients = []int{1, 8, 32}

// Defaults of BenchOptions.
const (
	DefaultBenchPreset       = "small"
	DefaultBenchRequests     = 128
	DefaultBenchPromptTokens = 64
	DefaultBenchMaxTokens    = 32
	benchModelName           = "bench"
)

// BenchResult is one run of Benchmark (also its JSON).
type BenchResult struct {
	Model        string       `json:"model"`
	Params       int          `json:"params"`
	CPUModel     string       `json:"cpu_model"`
	Cores        int          `json:"cores"`
	Threads      int          `json:"threads"`
	Kernels      string       `json:"kernels"`
	LoadBefore   string       `json:"load_before"`
	LoadAfter    string       `json:"load_after"`
	Requests     int          `json:"requests"`
	PromptTokens int          `json:"prompt_tokens"`
	MaxTokens    int          `json:"max_tokens"`
	MaxBatch     int          `json:"max_batch"`
	Levels       []BenchLevel `json:"levels"`
}

// BenchLevel is one concurrency level measured both ways.
type BenchLevel struct {
	Clients   int      `json:"clients"`
	Served    BenchRun `json:"served"`
	InProcess BenchRun `json:"in_process"`
	// Ratio is served tokens/s over in-process tokens/s; CPURatio the
	// same of tokens per CPU-second.
	Ratio    float64 `json:"served_over_in_process"`
	CPURatio float64 `json:"served_over_in_process_cpu"`
	// SameTokens counts the requests whose served ids equal the
	// in-process ones (all of them, when serving adds nothing but time).
	SameTokens int `json:"same_tokens"`
}

// BenchRun is one mode's measurement at one level.
type BenchRun struct {
	Requests        int     `json:"requests"`
	GeneratedTokens int     `json:"generated_tokens"`
	WallS           float64 `json:"wall_s"`
	RequestsPerS    float64 `json:"requests_per_s"`
	TokensPerS      float64 `json:"tokens_per_s"`
	// CPUS is this process's CPU time (user + system) during the run:
	// server, clients and generator together. Other processes' load
	// slows the wall clock far more than it changes this.
	CPUS          float64 `json:"cpu_s"`
	TokensPerCPUS float64 `json:"tokens_per_cpu_s"`
	LatencyP50S   float64 `json:"latency_p50_s"`
	LatencyP90S   float64 `json:"latency_p90_s"`
	LatencyP99S   float64 `json:"latency_p99_s"`
	// Batches is the generator's calls: requests / batches is the mean
	// batch (served: as the server's queue formed them).
	Batches int `json:"batches"`
	// Tokens are each request's generated ids, in request order.
	Tokens [][]int `json:"-"`
}

func (o BenchOptions) withDefaults() (BenchOptions, error) {
	if o.Preset == "" {
		o.Preset = DefaultBenchPreset
	}
	if o.ModelSeed == 0 {
		o.ModelSeed = 1
	}
	if len(o.Clients) == 0 {
		o.Clients = DefaultBenchClients
	}
	o.Requests = orDefault(o.Requests, DefaultBenchRequests)
	o.PromptTokens = orDefault(o.PromptTokens, DefaultBenchPromptTokens)
	o.MaxTokens = orDefault(o.MaxTokens, DefaultBenchMaxTokens)
	o.MaxBatch = orDefault(o.MaxBatch, DefaultMaxBatch)
	for _, c := range o.Clients {
		if c < 1 {
			return o, fmt.Errorf("serve benchmark: clients %v: each level must be a positive integer (e.g. 1,8,32)", o.Clients)
		}
	}
	if o.Requests < 0 || o.PromptTokens < 0 || o.MaxTokens < 0 {
		return o, fmt.Errorf("serve benchmark: requests %d, prompt tokens %d, max tokens %d: none may be negative",
			o.Requests, o.PromptTokens, o.MaxTokens)
	}
	return o, nil
}

// orDefault is v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Benchmark measures `seeupo serve` against in-process batched generation
// on the same model and the same requests. The real HTTP server runs on a
// loopback port; at each level, that many clients of the remote policy
// (token mode) send the requests, and in process the generator the server
// uses takes them in batches of that size. Per level, the in-process run
// goes first and the served run right after, so both see the same load.
func Benchmark(ctx context.Context, o BenchOptions) (BenchResult, error) {
	o, err := o.withDefaults()
	if err != nil {
		return BenchResult{}, err
	}
	if o.Models == nil {
		return BenchResult{}, errors.New("serve benchmark: no model factory (BenchOptions.Models): open the device's with models.Open")
	}
	dir, model, cleanup, err := benchModelDir(o)
	if err != nil {
		return BenchResult{}, err
	}
	defer cleanup()
	res := BenchResult{Model: model, Threads: o.Threads, LoadBefore: sysinfo.LoadAverage(), Requests: o.Requests,
		PromptTokens: o.PromptTokens, MaxTokens: o.MaxTokens, MaxBatch: o.MaxBatch}
	host := sysinfo.ProbeHost()
	res.CPUModel, res.Cores, res.Kernels = host.CPUModel, host.Cores, kernels.BLAS
	if res.Kernels == "" {
		res.Kernels = "pure Go"
	}
	srv, err := New(Options{Checkpoint: dir, Model: benchModelName, MaxBatch: o.MaxBatch, Models: o.Models})
	if err != nil {
		return res, err
	}
	ld := srv.current.Load()
	if n := o.PromptTokens + o.MaxTokens; n > ld.cfg.MaxPositionEmbeddings {
		return res, fmt.Errorf("serve benchmark: prompt tokens %d + max tokens %d exceed the model's context of %d",
			o.PromptTokens, o.MaxTokens, ld.cfg.MaxPositionEmbeddings)
	}
	m, err := o.Models.Load(dir, transformer.Options{})
	if err != nil {
		return res, err
	}
	res.Params = m.NumParams()
	b, err := startBench(srv)
	if err != nil {
		return res, err
	}
	defer b.stop()
	b.model, b.tok, b.opts = m, ld.tok, o
	reqs := BenchRequests(o, ld.tok, ld.cfg)
	if err := b.warmUp(ctx, reqs); err != nil {
		return res, err
	}
	for _, c := range o.Clients {
		level, err := b.level(ctx, reqs, c)
		if err != nil {
			return res, err
		}
		res.Levels = append(res.Levels, level)
	}
	res.LoadAfter = sysinfo.LoadAverage()
	return res, nil
}

// benchModelDir is the checkpoint, or the preset saved to a temporary
// directory (cleanup removes it), with a description of the model.
func benchModelDir(o BenchOptions) (dir, model string, cleanup func(), err error) {
	cleanup = func() {}
	if o.Checkpoint != "" {
		return o.Checkpoint, "checkpoint " + o.Checkpoint, cleanup, nil
	}
	cfg, err := transformer.Preset(o.Preset)
	if err != nil {
		return "", "", cleanup, err
	}
	tmp, err := os.MkdirTemp("", "seeupo-bench-serve-")
	if err != nil {
		return "", "", cleanup, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	dir = filepath.Join(tmp, o.Preset)
	if err := saveBenchPreset(o.Models, cfg, o.ModelSeed, dir); err != nil {
		cleanup()
		return "", "", func() {}, err
	}
	return dir, fmt.Sprintf("preset %s (untrained, seed %d)", o.Preset, o.ModelSeed), cleanup, nil
}

// benchCorpus trains the preset's tokenizer: any fixed text does, the
// model is untrained.
var benchCorpus = []string{
	"The user asks for the weather in Paris; the assistant calls get_weather(city='Paris').",
	"Change the current working directory, list its contents, then read the file named notes.txt.",
	"Send a message to the contact, wait for the reply, and report what it said.",
}

func saveBenchPreset(mf *models.Factory, cfg transformer.Config, seed uint64, dir string) error {
	tok, err := tokenizer.Train(benchCorpus, cfg.VocabSize, nil)
	if err != nil {
		return err
	}
	m, err := mf.New(cfg, seed, transformer.Options{})
	if err != nil {
		return err
	}
	if err := m.Save(dir, safetensors.F32); err != nil {
		return err
	}
	return tok.Save(filepath.Join(dir, TokenizerFile))
}

// BenchRequests are the requests of every level: prompts of random
// ordinary token ids (no special tokens), seeds 1, 2, …, temperature 1,
// ending at <|im_end|> or MaxTokens as the server's requests do.
func BenchRequests(o BenchOptions, tok *tokenizer.Tokenizer, cfg transformer.Config) []transformer.Request {
	o, _ = o.withDefaults()
	vocab := ordinaryVocab(tok, cfg)
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	rng := rand.New(rand.NewPCG(o.ModelSeed, 0xbe7c))
	reqs := make([]transformer.Request, o.Requests)
	for i := range reqs {
		prompt := make([]int, o.PromptTokens)
		for j := range prompt {
			prompt[j] = rng.IntN(vocab)
		}
		reqs[i] = transformer.Request{Prompt: prompt, MaxTokens: o.MaxTokens, Temperature: 1,
			Seed: uint64(i + 1), StopTokens: []int{end}}
	}
	return reqs
}

// ordinaryVocab is the number of ids below the first special token.
func ordinaryVocab(tok *tokenizer.Tokenizer, cfg transformer.Config) int {
	n := min(tok.VocabSize(), cfg.VocabSize)
	for _, s := range tokenizer.DefaultSpecials {
		if id, ok := tok.SpecialID(s); ok && id < n {
			n = id
		}
	}
	return max(n, 1)
}

// bench is a running benchmark: the server on its port and the
// in-process model.
type bench struct {
	srv   *Server
	base  string
	stop  func()
	model *transformer.Model
	tok   *tokenizer.Tokenizer
	opts  BenchOptions
}

func startBench(srv *Server) (*bench, error) {
	api, stop, err := ServeLoopback(srv)
	if err != nil {
		return nil, err
	}
	return &bench{srv: srv, base: api, stop: func() { stop() }}, nil
}

func (b *bench) progress(format string, args ...any) {
	if b.opts.Progress != nil {
		fmt.Fprintf(b.opts.Progress, "bench serve: "+format+"\n", args...)
	}
}

// warmUp runs, untimed and both ways, a few requests alone and then
// one batch of the largest level, at full length, so that the first
// measured run does not pay for first-call allocations and the heap's
// growth (without it the first level's first mode ran measurably slower).
func (b *bench) warmUp(ctx context.Context, reqs []transformer.Request) error {
	alone, batch := reqs[:min(len(reqs), 4)], min(len(reqs), slices.Max(b.opts.Clients))
	b.progress("warming up (%d requests alone, then a batch of %d, both ways)", len(alone), batch)
	for _, w := range []struct {
		reqs []transformer.Request
		size int
	}{{alone, 1}, {reqs[:batch], batch}} {
		if _, err := b.inProcess(ctx, w.reqs, w.size); err != nil {
			return err
		}
		if _, err := b.served(ctx, w.reqs, w.size); err != nil {
			return err
		}
	}
	return nil
}

// level measures one concurrency level: in process, then served.
func (b *bench) level(ctx context.Context, reqs []transformer.Request, clients int) (BenchLevel, error) {
	b.progress("clients=%d: in process, batches of %d (%d requests)", clients, clients, len(reqs))
	in, err := b.inProcess(ctx, reqs, clients)
	if err != nil {
		return BenchLevel{}, err
	}
	b.progress("clients=%d: in process %.1f tokens/s; served (%d requests)", clients, in.TokensPerS, len(reqs))
	sv, err := b.served(ctx, reqs, clients)
	if err != nil {
		return BenchLevel{}, err
	}
	b.progress("clients=%d: served %.1f tokens/s", clients, sv.TokensPerS)
	lv := BenchLevel{Clients: clients, Served: sv, InProcess: in}
	if in.TokensPerS > 0 {
		lv.Ratio = sv.TokensPerS / in.TokensPerS
	}
	if in.TokensPerCPUS > 0 {
		lv.CPURatio = sv.TokensPerCPUS / in.TokensPerCPUS
	}
	for i := range reqs {
		if slices.Equal(sv.Tokens[i], in.Tokens[i]) {
			lv.SameTokens++
		}
	}
	return lv, nil
}

// inProcess generates the requests in consecutive batches of size batch;
// a request's latency is its batch's time.
func (b *bench) inProcess(ctx context.Context, reqs []transformer.Request, batch int) (BenchRun, error) {
	run := BenchRun{Tokens: make([][]int, len(reqs))}
	var lat []float64
	start, cpu0 := time.Now(), processCPU()
	for lo := 0; lo < len(reqs); lo += batch {
		hi := min(lo+batch, len(reqs))
		t0 := time.Now()
		comps, err := b.model.GenerateContext(ctx, reqs[lo:hi], b.tok)
		if err != nil {
			return run, fmt.Errorf("in-process generation: %w", err)
		}
		d := time.Since(t0).Seconds()
		for i, c := range comps {
			run.Tokens[lo+i] = c.Tokens
			lat = append(lat, d)
		}
		run.Requests += len(comps)
		run.Batches++
	}
	run.finish(time.Since(start).Seconds(), processCPU()-cpu0)
	slices.Sort(lat)
	run.LatencyP50S, run.LatencyP90S, run.LatencyP99S = nearestRank(lat, 0.5), nearestRank(lat, 0.9), nearestRank(lat, 0.99)
	return run, nil
}

// served sends the requests through the remote policy with clients
// requests in flight.
func (b *bench) served(ctx context.Context, reqs []transformer.Request, clients int) (BenchRun, error) {
	client, err := remote.New(remote.Options{BaseURL: b.base, Model: benchModelName, MaxConcurrency: clients,
		MaxRetries: -1, Timeout: time.Hour})
	if err != nil {
		return BenchRun{}, err
	}
	treqs := make([]remote.TokenRequest, len(reqs))
	for i, r := range reqs {
		treqs[i] = remote.TokenRequest{Prompt: r.Prompt, MaxTokens: r.MaxTokens, Temperature: r.Temperature, Seed: r.Seed}
	}
	batches0, _ := b.srv.GenerationStats()
	start, cpu0 := time.Now(), processCPU()
	out, err := client.Complete(ctx, treqs)
	wall, cpu := time.Since(start).Seconds(), processCPU()-cpu0
	if err != nil {
		return BenchRun{}, fmt.Errorf("served generation: %w", err)
	}
	batches1, _ := b.srv.GenerationStats()
	u := client.Usage()
	if u.Failures > 0 || u.Retries > 0 {
		return BenchRun{}, fmt.Errorf("served generation: %d failures, %d retries: the figures would not be comparable", u.Failures, u.Retries)
	}
	run := BenchRun{Requests: u.Requests, Batches: int(batches1 - batches0), Tokens: make([][]int, len(out)),
		LatencyP50S: u.LatencyP50S, LatencyP90S: u.LatencyP90S, LatencyP99S: u.LatencyP99S}
	for i, r := range out {
		run.Tokens[i] = r.Tokens
	}
	run.finish(wall, cpu)
	return run, nil
}

// finish sums the generated tokens and sets the rates.
func (r *BenchRun) finish(wall, cpu float64) {
	r.WallS, r.CPUS = wall, cpu
	r.GeneratedTokens = 0
	for _, t := range r.Tokens {
		r.GeneratedTokens += len(t)
	}
	if wall > 0 {
		r.RequestsPerS = float64(r.Requests) / wall
		r.TokensPerS = float64(r.GeneratedTokens) / wall
	}
	if cpu > 0 {
		r.TokensPerCPUS = float64(r.GeneratedTokens) / cpu
	}
}

// processCPU is the CPU time this process has used so far, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// nearestRank is the q-quantile of sorted values; 0 for none.
func nearestRank(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// WriteBenchTable prints the result as a Markdown table with the machine,
// the model and the served/in-process ratio of each level.
func WriteBenchTable(w io.Writer, r BenchResult) error {
	if len(r.Levels) == 0 {
		return errors.New("serve benchmark: no levels measured")
	}
	threads := "all"
	if r.Threads > 0 {
		threads = fmt.Sprint(r.Threads)
	}
	fmt.Fprintf(w, "machine: %s, %d cores, %s threads, %s kernels; load average %s at start, %s at end\n",
		r.CPUModel, r.Cores, threads, r.Kernels, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "model: %s, %.2fM parameters; %d requests per level, prompt %d token ids, at most %d new tokens, temperature 1, seed per request; server batches at most %d\n\n",
		r.Model, float64(r.Params)/1e6, r.Requests, r.PromptTokens, r.MaxTokens, r.MaxBatch)
	fmt.Fprintln(w, "| mode | clients/batch | requests | generated tokens | wall s | requests/s | tokens/s | p50 s | p99 s | mean batch | CPU s | tokens/CPU-s | served/in-process tokens/s | served/in-process tokens/CPU-s | same ids |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, lv := range r.Levels {
		writeBenchRow(w, "in process", lv.Clients, lv.InProcess, " | ", "")
		writeBenchRow(w, "served", lv.Clients, lv.Served, fmt.Sprintf("%.2fx | %.2fx", lv.Ratio, lv.CPURatio),
			fmt.Sprintf("%d/%d", lv.SameTokens, lv.Served.Requests))
	}
	return nil
}

// writeBenchRow prints one row; ratios fills the two ratio columns.
func writeBenchRow(w io.Writer, mode string, clients int, r BenchRun, ratios, same string) {
	mean := 0.0
	if r.Batches > 0 {
		mean = float64(r.Requests) / float64(r.Batches)
	}
	fmt.Fprintf(w, "| %s | %d | %d | %d | %.2f | %.2f | %.1f | %.3f | %.3f | %.1f | %.2f | %.1f | %s | %s |\n",
		mode, clients, r.Requests, r.GeneratedTokens, r.WallS, r.RequestsPerS, r.TokensPerS,
		r.LatencyP50S, r.LatencyP99S, mean, r.CPUS, r.TokensPerCPUS, ratios, same)
}
