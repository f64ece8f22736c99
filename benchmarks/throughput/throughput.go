package throughput

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seeupo/seeupo/harness/sysinfo"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/transformer"
)

// Options are what one run measures. Each is a flag of `seeupo bench
// kernels` of the same name, and errors name the flag.
type Options struct {
	MatMul    string // matmul sizes "MxNxK,MxNxK"
	Preset    string // model preset of the training and generation runs
	Batch     int    // training sequences per step
	Seq       int    // training tokens per sequence
	Steps     int    // timed training steps, after one warm-up step
	GenBatch  int    // generation batch size
	GenPrompt int    // generation prompt tokens
	GenTokens int    // generated tokens per request
	// OtherBuild is the seeupo binary of the other kernels build ("":
	// seeupo-purego or seeupo-openblas beside this executable; "none":
	// skip it).
	OtherBuild string
	Python     string // interpreter with torch for the PyTorch reference
	TorchSetup string // TorchSetupBest or TorchSetupDefault
	NoTorch    bool   // skip the PyTorch reference
	MatMulOnly bool   // measure matmuls only (how the other build is run)
	Threads    int    // kernel threads, and PyTorch's
	// Models is the factory, opened with Threads, whose backend the
	// matmuls run on and whose models are measured.
	Models *models.Factory
}

// Result is what one run measures (also `--json`'s output, and what the
// other build's run is read back from).
type Result struct {
	Build        string         `json:"build"`
	Threads      int            `json:"threads"`
	CPUs         int            `json:"cpus"`
	LoadBefore   string         `json:"load_before"`
	LoadAfter    string         `json:"load_after"`
	PeakGFLOPS   float64        `json:"peak_gflops"`
	Peak         string         `json:"peak"`
	MatMul       []MatMulResult `json:"matmul"`
	Other        *OtherBuild    `json:"other_build,omitempty"`
	Train        *TrainResult   `json:"train,omitempty"`
	Torch        *TorchResult   `json:"torch,omitempty"`
	TorchMissing string         `json:"torch_missing,omitempty"`
	Generate     *GenResult     `json:"generate,omitempty"`
}

// MatMulResult is one matmul size's speed.
type MatMulResult struct {
	Size   string  `json:"size"`
	GFLOPS float64 `json:"gflops"`
}

// OtherBuild is the other kernels build's matmuls, or why they are
// missing.
type OtherBuild struct {
	Path    string         `json:"path"`
	Build   string         `json:"build"`
	MatMul  []MatMulResult `json:"matmul"`
	Missing string         `json:"missing,omitempty"`
}

// TrainResult is the native model's training throughput.
type TrainResult struct {
	Preset       string    `json:"preset"`
	Params       int       `json:"params"`
	Batch        int       `json:"batch"`
	Seq          int       `json:"seq"`
	StepSeconds  []float64 `json:"step_seconds"`
	TokensPerSec float64   `json:"tokens_per_s"`
	Loss         float64   `json:"loss"`
	PeakRSSMB    float64   `json:"peak_rss_mb"`
}

// TorchResult is the PyTorch reference's figures, as its script prints
// them, with the set-up they were measured in.
type TorchResult struct {
	Version      string          `json:"torch"`
	Threads      int             `json:"threads"`
	StepSeconds  []float64       `json:"step_seconds"`
	TokensPerSec float64         `json:"train_tokens_per_s"`
	Loss         float64         `json:"loss"`
	PeakRSSMB    float64         `json:"peak_rss_mb"`
	MatMul       []MatMulResult  `json:"matmul"`
	Options      map[string]bool `json:"options"`
	OpenBLAS     string          `json:"openblas"`
	BLASConfig   string          `json:"openblas_config"`
	// Setup is the set-up the figures were measured with; SetupSearch the
	// set-ups tried to find it (up to two training steps each).
	Setup       TorchSetup   `json:"setup"`
	SetupSearch []TorchProbe `json:"setup_search,omitempty"`
}

// GenResult is the native model's generation throughput.
type GenResult struct {
	Batch, Prompt, NewTokens int
	Seconds                  float64 `json:"seconds"`
	TokensPerSec             float64 `json:"tokens_per_s"`
	PeakRSSMB                float64 `json:"peak_rss_mb"`
}

// BuildName names this binary's matmul build.
func BuildName() string {
	if kernels.BLAS == "" {
		return "pure Go"
	}
	return kernels.BLAS
}

// Run measures what o asks for, in this order: matmuls, the other build,
// training, PyTorch, generation. A PyTorch reference that cannot run is
// recorded in TorchMissing, an other build in Other.Missing.
func Run(ctx context.Context, o Options) (*Result, error) {
	sizes, err := parseSizes(o.MatMul)
	if err != nil {
		return nil, err
	}
	if o.Models == nil {
		return nil, errors.New("throughput: no model factory (Options.Models): open the device's with models.Open")
	}
	peak := kernels.PeakGFLOPS(o.Threads)
	res := &Result{Build: BuildName(), Threads: o.Threads, CPUs: runtime.NumCPU(),
		LoadBefore: sysinfo.LoadAverage(), PeakGFLOPS: peak.GFLOPS, Peak: peak.String()}
	be := o.Models.Backend()
	for _, s := range sizes {
		res.MatMul = append(res.MatMul, MatMulResult{Size: s.String(), GFLOPS: measureMatMul(be, s)})
	}
	if o.MatMulOnly {
		res.LoadAfter = sysinfo.LoadAverage()
		return res, nil
	}
	res.Other = runOtherBuild(ctx, o)
	cfg, err := transformer.Preset(o.Preset)
	if err != nil {
		return nil, err
	}
	if res.Train, err = benchTrain(cfg, o); err != nil {
		return nil, err
	}
	res.Train.Preset = o.Preset
	if o.NoTorch {
		res.TorchMissing = "skipped (--no-torch)"
	} else if res.Torch, err = runTorch(ctx, o, cfg, sizes); err != nil {
		res.TorchMissing = err.Error()
	}
	if res.Generate, err = benchGenerate(cfg, o); err != nil {
		return nil, err
	}
	res.LoadAfter = sysinfo.LoadAverage()
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
func runOtherBuild(ctx context.Context, o Options) *OtherBuild {
	path := o.OtherBuild
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
			return &OtherBuild{Missing: "cannot locate this executable: " + err.Error()}
		}
		path = filepath.Join(filepath.Dir(self), want)
		if _, err := os.Stat(path); err != nil {
			return &OtherBuild{Path: path, Missing: fmt.Sprintf("no %s beside this binary (build it, or pass --other-build)", want)}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "bench", "kernels", "--matmul-only", "--json",
		"--threads", strconv.Itoa(o.Threads), "--matmul", o.MatMul)
	out, err := cmd.Output()
	if err != nil {
		return &OtherBuild{Path: path, Missing: fmt.Sprintf("%s: %v", path, err)}
	}
	var r Result
	if err := json.Unmarshal(out, &r); err != nil {
		return &OtherBuild{Path: path, Missing: fmt.Sprintf("%s printed no measurements: %v", path, err)}
	}
	return &OtherBuild{Path: path, Build: r.Build, MatMul: r.MatMul}
}

func benchTrain(cfg transformer.Config, o Options) (*TrainResult, error) {
	if o.Steps < 1 || o.Batch < 1 || o.Seq < 1 {
		return nil, fmt.Errorf("--steps, --batch and --seq must be positive")
	}
	if o.Seq+1 > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("--seq %d exceeds the preset's context of %d", o.Seq, cfg.MaxPositionEmbeddings)
	}
	m, err := o.Models.New(cfg, 1, transformer.Options{MicroBatchTokens: o.Batch * o.Seq})
	if err != nil {
		return nil, err
	}
	batch := transformer.LMBatch(cfg, o.Batch, o.Seq, 1)
	r := &TrainResult{Params: m.NumParams(), Batch: o.Batch, Seq: o.Seq}
	for step := 0; step <= o.Steps; step++ {
		loss, dt, err := m.TrainStep(batch)
		if err != nil {
			return nil, err
		}
		if step > 0 { // step 0 is the warm-up
			r.StepSeconds = append(r.StepSeconds, dt.Seconds())
			r.Loss = loss
		}
	}
	r.TokensPerSec = float64(o.Batch*o.Seq) / Median(r.StepSeconds)
	r.PeakRSSMB = peakRSSMB()
	return r, nil
}

func benchGenerate(cfg transformer.Config, o Options) (*GenResult, error) {
	m, err := o.Models.New(cfg, 2, transformer.Options{})
	if err != nil {
		return nil, err
	}
	reqs := transformer.GenerationBatch(cfg, o.GenBatch, o.GenPrompt, o.GenTokens)
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
	return &GenResult{Batch: o.GenBatch, Prompt: o.GenPrompt, NewTokens: o.GenTokens, Seconds: sec,
		TokensPerSec: float64(n) / sec, PeakRSSMB: peakRSSMB()}, nil
}

// Median is the median of xs (NaN for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
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
