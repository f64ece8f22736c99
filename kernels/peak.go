package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

// Peak is the machine's theoretical float32 peak for the CPU backend and how
// it was derived: Cores × GHz × FlopsPerCycle.
type Peak struct {
	// GFLOPS is the theoretical peak in GFLOP/s.
	GFLOPS float64
	// Cores is the number of cores counted (the thread count, at most the
	// logical CPUs).
	Cores int
	// GHz is the core clock, measured by timing a chain of dependent
	// one-cycle integer adds (8 per loop iteration), best of several short
	// runs. Hypervisors often report only the nominal TSC rate, so the
	// clock is measured rather than read.
	GHz float64
	// FlopsPerCycle is one core's float32 FMA throughput: FMA pipes × SIMD
	// lanes × 2, taken as the power of two nearest to the measured
	// MeasuredFlopsPerCycle and at most what the vector width allows (64
	// for AVX-512 with two FMA pipes).
	FlopsPerCycle int
	// MeasuredFlopsPerCycle is the rate of a burst of 24 independent
	// 512-bit (or 256-bit) FMAs on one core, in flops per measured cycle.
	MeasuredFlopsPerCycle float64
	// Vector names the SIMD extension counted.
	Vector string
}

func (p Peak) String() string {
	if p.GFLOPS == 0 {
		return "peak unknown (no clock measurement on this platform)"
	}
	return fmt.Sprintf("%.0f GFLOP/s = %d cores × %.2f GHz (measured) × %d flop/cycle (%s FMA; measured %.1f)",
		p.GFLOPS, p.Cores, p.GHz, p.FlopsPerCycle, p.Vector, p.MeasuredFlopsPerCycle)
}

var (
	peakOnce sync.Once
	peakCore Peak
)

// PeakGFLOPS returns the theoretical float32 peak of threads cores (≤ 0:
// all). The clock and FMA rate are measured once per process (about 60 ms).
func PeakGFLOPS(threads int) Peak {
	peakOnce.Do(func() { peakCore = measurePeak() })
	p := peakCore
	if threads <= 0 || threads > runtime.NumCPU() {
		threads = runtime.NumCPU()
	}
	p.Cores = threads
	p.GFLOPS = float64(threads) * p.GHz * float64(p.FlopsPerCycle)
	return p
}

func measurePeak() Peak {
	if !hasAVX512() {
		return Peak{Vector: "unmeasured"}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Short runs, many of them: on a loaded machine the best of many
	// millisecond runs is one that no other thread interrupted.
	const chainIters = 400_000 // 3.2 M cycles, about a millisecond
	best := math.Inf(1)
	for range 25 {
		t0 := time.Now()
		addChain(chainIters)
		best = min(best, time.Since(t0).Seconds())
	}
	ghz := 8 * chainIters / best / 1e9
	const fmaIters = 200_000 // 4.8 M FMAs
	best = math.Inf(1)
	for range 25 {
		t0 := time.Now()
		fmaBurst(fmaIters)
		best = min(best, time.Since(t0).Seconds())
	}
	measured := 768 * fmaIters / best / (ghz * 1e9)
	nominal := 64
	fpc := 1 << int(math.Round(math.Log2(measured)))
	return Peak{GHz: ghz, FlopsPerCycle: min(fpc, nominal), MeasuredFlopsPerCycle: measured, Vector: "AVX-512"}
}

// MatMulKernel names what the CPU backend's matmuls run on: "openblas" in
// the openblas build, else the pure-Go micro-kernel in use ("avx512 12x32"
// or the portable "go 12x32").
func MatMulKernel() string {
	if BLAS != "" {
		return BLAS
	}
	return microKernelName
}
