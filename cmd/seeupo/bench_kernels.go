package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks/throughput"
	"github.com/seeupo/seeupo/policy/transformer"
)

func init() { register("bench", newBenchKernelsCmd) }

func newBenchKernelsCmd(a *app) *cobra.Command {
	var (
		o       throughput.Options
		jsonOut bool
	)
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
			o.Threads = cfg.Threads
			if o.Threads <= 0 {
				o.Threads = runtime.NumCPU()
			}
			if o.Models, err = openModels(cfg, o.Threads); err != nil {
				return err
			}
			res, err := throughput.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			if jsonOut {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printBenchKernels(a.stdout, res)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.MatMul, "matmul", "512x512x512,1024x1024x1024,4096x704x256,4096x2048x256", "matmul sizes MxNxK, comma separated")
	fl.StringVar(&o.Preset, "preset", "small", "model preset for the throughput runs: "+strings.Join(transformer.PresetNames(), ", "))
	fl.IntVar(&o.Batch, "batch", 8, "training batch size (sequences)")
	fl.IntVar(&o.Seq, "seq", 512, "training tokens per sequence")
	fl.IntVar(&o.Steps, "steps", 3, "timed training steps (after one warm-up step)")
	fl.IntVar(&o.GenBatch, "gen-batch", 8, "generation batch size")
	fl.IntVar(&o.GenPrompt, "gen-prompt", 64, "generation prompt tokens")
	fl.IntVar(&o.GenTokens, "gen-tokens", 64, "generated tokens per request")
	fl.StringVar(&o.OtherBuild, "other-build", "", "seeupo binary of the other kernels build (default: seeupo-purego or seeupo-openblas beside this executable; 'none' to skip)")
	fl.StringVar(&o.Python, "python", throughput.DefaultPython, "Python interpreter with torch for the PyTorch reference")
	fl.StringVar(&o.TorchSetup, "torch-setup", throughput.TorchSetupBest, "PyTorch's set-up: best (measure OpenBLAS core and threads, OpenMP waiting, torch options; run the fastest) or default (the machine's environment as it is)")
	fl.BoolVar(&o.NoTorch, "no-torch", false, "skip the PyTorch reference")
	fl.BoolVar(&o.MatMulOnly, "matmul-only", false, "measure matmuls only (used for the other build)")
	fl.BoolVar(&jsonOut, "json", false, "print the measurements as JSON")
	return cmd
}

// setupKind names the set-up the ratio is against.
func setupKind(t *throughput.TorchResult) string {
	if len(t.SetupSearch) == 0 {
		return "machine-default"
	}
	return "strongest measured"
}

// printTorchSetup prints the set-up PyTorch ran in and the search's
// figures.
func printTorchSetup(w io.Writer, t *throughput.TorchResult) {
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

func printBenchKernels(w io.Writer, r *throughput.Result) {
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
	fmt.Fprintf(w, "| seeupo (Go, %s) | %.0f | %.3f | %.0f |\n", r.Build, t.TokensPerSec, throughput.Median(t.StepSeconds), t.PeakRSSMB)
	if r.Torch != nil {
		fmt.Fprintf(w, "| PyTorch %s CPU, %d threads | %.0f | %.3f | %.0f |\n", r.Torch.Version, r.Torch.Threads,
			r.Torch.TokensPerSec, throughput.Median(r.Torch.StepSeconds), r.Torch.PeakRSSMB)
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

func printMatMul(w io.Writer, r *throughput.Result) {
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

// probeSummary renders the search's figures, fastest first.
func probeSummary(probes []throughput.TorchProbe) string {
	ps := slices.Clone(probes)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].TokensPerSec > ps[j].TokensPerSec })
	var lines []string
	for _, p := range ps {
		if p.Err != "" {
			lines = append(lines, fmt.Sprintf("  failed: %s: %s", p.Setup, p.Err))
			continue
		}
		lines = append(lines, fmt.Sprintf("  %7.0f  %s", p.TokensPerSec, p.Setup))
	}
	return strings.Join(lines, "\n")
}
