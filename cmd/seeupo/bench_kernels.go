package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/transformer"
)

func init() { register("bench", newBenchKernelsCmd) }

// benchKernelsFlags are the knobs of `seeupo bench kernels`.
type benchKernelsFlags struct {
	matmul     string
	preset     string
	batch, seq int
	steps      int
	genBatch   int
	genPrompt  int
	genTokens  int
	otherBuild string
	python     string
	torchSetup string
	noTorch    bool
	matmulOnly bool
	jsonOut    bool
}

// benchKernelsResult is what one run measures (also its --json output).
type benchKernelsResult struct {
	Build        string         `json:"build"`
	Threads      int            `json:"threads"`
	CPUs         int            `json:"cpus"`
	LoadBefore   string         `json:"load_before"`
	LoadAfter    string         `json:"load_after"`
	PeakGFLOPS   float64        `json:"peak_gflops"`
	Peak         string         `json:"peak"`
	MatMul       []matmulResult `json:"matmul"`
	Other        *otherBuild    `json:"other_build,omitempty"`
	Train        *trainResult   `json:"train,omitempty"`
	Torch        *torchResult   `json:"torch,omitempty"`
	TorchMissing string         `json:"torch_missing,omitempty"`
	Generate     *genResult     `json:"generate,omitempty"`
}

type matmulResult struct {
	Size   string  `json:"size"`
	GFLOPS float64 `json:"gflops"`
}

type otherBuild struct {
	Path    string         `json:"path"`
	Build   string         `json:"build"`
	MatMul  []matmulResult `json:"matmul"`
	Missing string         `json:"missing,omitempty"`
}

type trainResult struct {
	Preset       string    `json:"preset"`
	Params       int       `json:"params"`
	Batch        int       `json:"batch"`
	Seq          int       `json:"seq"`
	StepSeconds  []float64 `json:"step_seconds"`
	TokensPerSec float64   `json:"tokens_per_s"`
	Loss         float64   `json:"loss"`
	PeakRSSMB    float64   `json:"peak_rss_mb"`
}

type torchResult struct {
	Version      string          `json:"torch"`
	Threads      int             `json:"threads"`
	StepSeconds  []float64       `json:"step_seconds"`
	TokensPerSec float64         `json:"train_tokens_per_s"`
	Loss         float64         `json:"loss"`
	PeakRSSMB    float64         `json:"peak_rss_mb"`
	MatMul       []matmulResult  `json:"matmul"`
	Options      map[string]bool `json:"options"`
	OpenBLAS     string          `json:"openblas"`
	BLASConfig   string          `json:"openblas_config"`
	// Setup is the set-up the figures were measured with; SetupSearch the
	// set-ups tried to find it (up to two training steps each).
	Setup       torchSetup   `json:"setup"`
	SetupSearch []torchProbe `json:"setup_search,omitempty"`
}

type genResult struct {
	Batch, Prompt, NewTokens int
	Seconds                  float64 `json:"seconds"`
	TokensPerSec             float64 `json:"tokens_per_s"`
	PeakRSSMB                float64 `json:"peak_rss_mb"`
}

func newBenchKernelsCmd(a *app) *cobra.Command {
	var f benchKernelsFlags
	cmd := &cobra.Command{
		Use:   "kernels",
		Short: "Matmul GFLOP/s (pure Go and OpenBLAS builds) against peak; training and generation throughput against PyTorch",
		Long: `Measures, side by side in one run:
  - matmul GFLOP/s of this binary's kernels build and of the other build
    (--other-build, default: seeupo-purego or seeupo-openblas beside this
    executable), against the machine's theoretical peak;
  - training throughput (tokens/s of forward + backward + clipping + AdamW)
    of a preset (default small) at batch 8 x 512, against the same network
    written in PyTorch (Debian's /usr/bin/python3 with torch) on the same
    number of threads, timed in the same run. PyTorch runs in the strongest
    set-up found by measuring two training steps in each (OpenBLAS core type
    and threads, OpenMP waiting, mkldnn, flushing denormals, a causal
    attention that skips the masked half where torch has one); the set-up
    and the figures tried are printed. --torch-setup default runs it in the
    machine's environment as it is;
  - generation tokens/s (KV cache, batch 8) and peak memory (max RSS).
Step times are medians over --steps timed steps after one warm-up step.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			threads := cfg.Threads
			if threads <= 0 {
				threads = runtime.NumCPU()
			}
			res, err := runBenchKernels(cmd.Context(), f, threads)
			if err != nil {
				return err
			}
			if f.jsonOut {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printBenchKernels(a.stdout, res)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.matmul, "matmul", "512x512x512,1024x1024x1024,4096x704x256,4096x2048x256", "matmul sizes MxNxK, comma separated")
	fl.StringVar(&f.preset, "preset", "small", "model preset for the throughput runs: "+strings.Join(transformer.PresetNames(), ", "))
	fl.IntVar(&f.batch, "batch", 8, "training batch size (sequences)")
	fl.IntVar(&f.seq, "seq", 512, "training tokens per sequence")
	fl.IntVar(&f.steps, "steps", 3, "timed training steps (after one warm-up step)")
	fl.IntVar(&f.genBatch, "gen-batch", 8, "generation batch size")
	fl.IntVar(&f.genPrompt, "gen-prompt", 64, "generation prompt tokens")
	fl.IntVar(&f.genTokens, "gen-tokens", 64, "generated tokens per request")
	fl.StringVar(&f.otherBuild, "other-build", "", "seeupo binary of the other kernels build (default: seeupo-purego or seeupo-openblas beside this executable; 'none' to skip)")
	fl.StringVar(&f.python, "python", "/usr/bin/python3", "Python interpreter with torch for the PyTorch reference")
	fl.StringVar(&f.torchSetup, "torch-setup", torchSetupBest, "PyTorch's set-up: best (measure OpenBLAS core and threads, OpenMP waiting, torch options; run the fastest) or default (the machine's environment as it is)")
	fl.BoolVar(&f.noTorch, "no-torch", false, "skip the PyTorch reference")
	fl.BoolVar(&f.matmulOnly, "matmul-only", false, "measure matmuls only (used for the other build)")
	fl.BoolVar(&f.jsonOut, "json", false, "print the measurements as JSON")
	return cmd
}

// buildName names this binary's matmul build.
func buildName() string {
	if kernels.BLAS == "" {
		return "pure Go"
	}
	return kernels.BLAS
}

func runBenchKernels(ctx context.Context, f benchKernelsFlags, threads int) (*benchKernelsResult, error) {
	sizes, err := parseSizes(f.matmul)
	if err != nil {
		return nil, err
	}
	peak := kernels.PeakGFLOPS(threads)
	res := &benchKernelsResult{Build: buildName(), Threads: threads, CPUs: runtime.NumCPU(),
		LoadBefore: loadAverage(), PeakGFLOPS: peak.GFLOPS, Peak: peak.String()}
	be := kernels.NewCPU(threads)
	for _, s := range sizes {
		res.MatMul = append(res.MatMul, matmulResult{Size: s.String(), GFLOPS: measureMatMul(be, s)})
	}
	if f.matmulOnly {
		res.LoadAfter = loadAverage()
		return res, nil
	}
	res.Other = runOtherBuild(ctx, f, threads)
	cfg, err := transformer.Preset(f.preset)
	if err != nil {
		return nil, err
	}
	if res.Train, err = benchTrain(cfg, f, be); err != nil {
		return nil, err
	}
	res.Train.Preset = f.preset
	if f.noTorch {
		res.TorchMissing = "skipped (--no-torch)"
	} else if res.Torch, err = runTorch(ctx, f, cfg, threads, sizes); err != nil {
		res.TorchMissing = err.Error()
	}
	if res.Generate, err = benchGenerate(cfg, f, be); err != nil {
		return nil, err
	}
	res.LoadAfter = loadAverage()
	return res, nil
}

type mnk struct{ m, n, k int }

func (s mnk) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k) }

func parseSizes(spec string) ([]mnk, error) {
	var out []mnk
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		f := strings.Split(part, "x")
		var v [3]int
		ok := len(f) == 3
		for i := 0; ok && i < 3; i++ {
			n, err := strconv.Atoi(f[i])
			v[i], ok = n, err == nil && n > 0
		}
		if !ok {
			return nil, fmt.Errorf("--matmul: %q is not MxNxK with positive integers", part)
		}
		out = append(out, mnk{v[0], v[1], v[2]})
	}
	return out, nil
}

// measureMatMul times out = a·b until at least 0.3 s and 3 products have
// run, after one untimed product.
func measureMatMul(be kernels.Backend, s mnk) float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	a, b := be.Alloc(kernels.F32, s.m, s.k), be.Alloc(kernels.F32, s.k, s.n)
	out := be.Alloc(kernels.F32, s.m, s.n)
	be.Upload(a, fill(s.m*s.k))
	be.Upload(b, fill(s.k*s.n))
	be.MatMul(out, a, b, kernels.MatMulOpts{})
	reps, t0 := 0, time.Now()
	for reps < 3 || time.Since(t0) < 300*time.Millisecond {
		be.MatMul(out, a, b, kernels.MatMulOpts{})
		reps++
	}
	be.Sync()
	return 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(reps) / time.Since(t0).Seconds() / 1e9
}

// runOtherBuild measures the matmuls of the other kernels build by running
// its binary with --matmul-only --json.
func runOtherBuild(ctx context.Context, f benchKernelsFlags, threads int) *otherBuild {
	path := f.otherBuild
	if path == "none" {
		return nil
	}
	if path == "" {
		self, err := os.Executable()
		want := "seeupo-openblas"
		if kernels.BLAS != "" {
			want = "seeupo-purego"
		}
		if err != nil {
			return &otherBuild{Missing: "cannot locate this executable: " + err.Error()}
		}
		path = filepath.Join(filepath.Dir(self), want)
		if _, err := os.Stat(path); err != nil {
			return &otherBuild{Path: path, Missing: fmt.Sprintf("no %s beside this binary (build it, or pass --other-build)", want)}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "bench", "kernels", "--matmul-only", "--json",
		"--threads", strconv.Itoa(threads), "--matmul", f.matmul)
	out, err := cmd.Output()
	if err != nil {
		return &otherBuild{Path: path, Missing: fmt.Sprintf("%s: %v", path, err)}
	}
	var r benchKernelsResult
	if err := json.Unmarshal(out, &r); err != nil {
		return &otherBuild{Path: path, Missing: fmt.Sprintf("%s printed no measurements: %v", path, err)}
	}
	return &otherBuild{Path: path, Build: r.Build, MatMul: r.MatMul}
}

func benchTrain(cfg transformer.Config, f benchKernelsFlags, be kernels.Backend) (*trainResult, error) {
	if f.steps < 1 || f.batch < 1 || f.seq < 1 {
		return nil, fmt.Errorf("--steps, --batch and --seq must be positive")
	}
	if f.seq+1 > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("--seq %d exceeds the preset's context of %d", f.seq, cfg.MaxPositionEmbeddings)
	}
	m, err := transformer.New(cfg, be, 1, transformer.Options{MicroBatchTokens: f.batch * f.seq})
	if err != nil {
		return nil, err
	}
	batch := transformer.LMBatch(cfg, f.batch, f.seq, 1)
	r := &trainResult{Params: m.NumParams(), Batch: f.batch, Seq: f.seq}
	for step := 0; step <= f.steps; step++ {
		loss, dt, err := m.TrainStep(batch)
		if err != nil {
			return nil, err
		}
		if step > 0 { // step 0 is the warm-up
			r.StepSeconds = append(r.StepSeconds, dt.Seconds())
			r.Loss = loss
		}
	}
	r.TokensPerSec = float64(f.batch*f.seq) / median(r.StepSeconds)
	r.PeakRSSMB = peakRSSMB()
	return r, nil
}

func benchGenerate(cfg transformer.Config, f benchKernelsFlags, be kernels.Backend) (*genResult, error) {
	m, err := transformer.New(cfg, be, 2, transformer.Options{})
	if err != nil {
		return nil, err
	}
	reqs := transformer.GenerationBatch(cfg, f.genBatch, f.genPrompt, f.genTokens)
	t0 := time.Now()
	out, err := m.Generate(reqs, nil)
	if err != nil {
		return nil, err
	}
	sec := time.Since(t0).Seconds()
	n := 0
	for _, c := range out {
		n += len(c.Tokens)
	}
	return &genResult{Batch: f.genBatch, Prompt: f.genPrompt, NewTokens: f.genTokens, Seconds: sec,
		TokensPerSec: float64(n) / sec, PeakRSSMB: peakRSSMB()}, nil
}

// runTorch runs the embedded PyTorch reference on the same preset, in the
// strongest set-up found (or the machine's default with --torch-setup
// default).
func runTorch(ctx context.Context, f benchKernelsFlags, cfg transformer.Config, threads int, sizes []mnk) (*torchResult, error) {
	if f.torchSetup != torchSetupBest && f.torchSetup != torchSetupDefault {
		return nil, fmt.Errorf("--torch-setup %q; allowed: %s, %s", f.torchSetup, torchSetupBest, torchSetupDefault)
	}
	if _, err := os.Stat(f.python); err != nil {
		return nil, fmt.Errorf("PyTorch reference not run: %s is missing (apt python3-torch)", f.python)
	}
	dir, err := os.MkdirTemp("", "seeupo-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script, conf := filepath.Join(dir, "torch_bench.py"), filepath.Join(dir, "config.json")
	if err := os.WriteFile(script, []byte(transformer.TorchReferenceScript), 0o644); err != nil {
		return nil, err
	}
	if err := cfg.Save(conf); err != nil {
		return nil, err
	}
	run := func(ctx context.Context, s torchSetup, steps int, sizes []mnk) (*torchResult, error) {
		return runTorchScript(ctx, f, script, conf, threads, steps, sizes, s)
	}
	setup, search := machineDefault(), []torchProbe(nil)
	if f.torchSetup == torchSetupBest {
		probe := func(ctx context.Context, s torchSetup) (float64, error) {
			r, err := run(ctx, s, min(2, f.steps), nil)
			if err != nil {
				return 0, err
			}
			return r.TokensPerSec, nil
		}
		if setup, search, err = searchTorchSetup(ctx, threads, probe); err != nil {
			return nil, err
		}
	}
	r, err := run(ctx, setup, f.steps, sizes)
	if err != nil {
		return nil, err
	}
	r.Setup, r.SetupSearch = setup, search
	return r, nil
}

// runTorchScript runs the reference once in a set-up.
func runTorchScript(ctx context.Context, f benchKernelsFlags, script, conf string, threads, steps int, sizes []mnk, s torchSetup) (*torchResult, error) {
	var specs []string
	for _, sz := range sizes {
		specs = append(specs, sz.String())
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, f.python, script, conf, strconv.Itoa(threads), strconv.Itoa(f.batch),
		strconv.Itoa(f.seq), strconv.Itoa(steps), strings.Join(specs, ","))
	env, err := s.environ(os.Environ())
	if err != nil {
		return nil, err
	}
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return nil, fmt.Errorf("PyTorch reference failed (%s): %v: %s", s.Name, err, msg)
	}
	var r torchResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("PyTorch reference printed %q: %w", out, err)
	}
	if len(r.StepSeconds) > 0 {
		r.TokensPerSec = float64(f.batch*f.seq) / median(r.StepSeconds)
	}
	return &r, nil
}

// setupKind names the set-up the ratio is against.
func setupKind(t *torchResult) string {
	if len(t.SetupSearch) == 0 {
		return "machine-default"
	}
	return "strongest measured"
}

// printTorchSetup prints the set-up PyTorch ran in and the search's
// figures.
func printTorchSetup(w io.Writer, t *torchResult) {
	opts := make([]string, 0, len(t.Options))
	for _, k := range slices.Sorted(maps.Keys(t.Options)) {
		opts = append(opts, fmt.Sprintf("%s=%v", k, t.Options[k]))
	}
	core := t.OpenBLAS
	if core == "" {
		core = "not found"
	}
	fmt.Fprintf(w, "\nPyTorch set-up: %s (%s); OpenBLAS core %s; torch options %s\n",
		t.Setup.Name, t.Setup, core, strings.Join(opts, ", "))
	if len(t.SetupSearch) > 0 {
		fmt.Fprintf(w, "set-ups tried (training tokens/s, median of up to 2 steps each; the fastest ran the figures above):\n%s\n",
			probeSummary(t.SetupSearch))
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSSMB is this process's maximum resident set size so far.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func printBenchKernels(w io.Writer, r *benchKernelsResult) {
	fmt.Fprintf(w, "seeupo bench kernels: %d threads of %d CPUs; load average %s before, %s after\n",
		r.Threads, r.CPUs, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(w, "peak: %s\n\n", r.Peak)
	printMatMul(w, r)
	if r.Train == nil {
		return
	}
	t := r.Train
	fmt.Fprintf(w, "\ntraining: %s preset (%.2fM parameters), batch %d x %d tokens, forward + backward + clip + AdamW, median of %d steps\n\n",
		t.Preset, float64(t.Params)/1e6, t.Batch, t.Seq, len(t.StepSeconds))
	fmt.Fprintf(w, "| implementation | tokens/s | step s | peak RSS MB |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(w, "| seeupo (Go, %s) | %.0f | %.3f | %.0f |\n", r.Build, t.TokensPerSec, median(t.StepSeconds), t.PeakRSSMB)
	if r.Torch != nil {
		fmt.Fprintf(w, "| PyTorch %s CPU, %d threads | %.0f | %.3f | %.0f |\n", r.Torch.Version, r.Torch.Threads,
			r.Torch.TokensPerSec, median(r.Torch.StepSeconds), r.Torch.PeakRSSMB)
		ratio := t.TokensPerSec / r.Torch.TokensPerSec
		verdict := "meets"
		if ratio < 0.8 {
			verdict = "MISSES"
		}
		printTorchSetup(w, r.Torch)
		fmt.Fprintf(w, "\nGo / PyTorch throughput: %.2fx against PyTorch's %s set-up (%s the 0.8x target)\n",
			ratio, setupKind(r.Torch), verdict)
	} else {
		fmt.Fprintf(w, "\nPyTorch: %s\n", r.TorchMissing)
	}
	if g := r.Generate; g != nil {
		fmt.Fprintf(w, "\ngeneration: batch %d, prompt %d, %d new tokens each (KV cache, temperature 1): %.0f tokens/s (%.2f s); peak RSS %.0f MB\n",
			g.Batch, g.Prompt, g.NewTokens, g.TokensPerSec, g.Seconds, g.PeakRSSMB)
	}
}

func printMatMul(w io.Writer, r *benchKernelsResult) {
	cols := []string{r.Build}
	var other map[string]float64
	if o := r.Other; o != nil && o.Missing == "" {
		cols = append(cols, o.Build)
		other = map[string]float64{}
		for _, m := range o.MatMul {
			other[m.Size] = m.GFLOPS
		}
	}
	var torch map[string]float64
	if r.Torch != nil && len(r.Torch.MatMul) > 0 {
		cols = append(cols, "PyTorch")
		torch = map[string]float64{}
		for _, m := range r.Torch.MatMul {
			torch[m.Size] = m.GFLOPS
		}
	}
	fmt.Fprintf(w, "| matmul MxNxK | %s | best Go %% of peak |\n|---|%s---:|\n",
		strings.Join(suffix(cols, " GFLOP/s"), " | "), strings.Repeat("---:|", len(cols)))
	for _, m := range r.MatMul {
		vals := []float64{m.GFLOPS}
		if other != nil {
			vals = append(vals, other[m.Size])
		}
		best := 0.0
		for _, v := range vals {
			best = math.Max(best, v)
		}
		if torch != nil {
			vals = append(vals, torch[m.Size])
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = fmt.Sprintf("%.1f", v)
		}
		pct := "n/a"
		if r.PeakGFLOPS > 0 {
			pct = fmt.Sprintf("%.0f%%", 100*best/r.PeakGFLOPS)
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", m.Size, strings.Join(cells, " | "), pct)
	}
	if o := r.Other; o != nil && o.Missing != "" {
		fmt.Fprintf(w, "\nother build: %s\n", o.Missing)
	}
}

func suffix(xs []string, s string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x + s
	}
	return out
}
