package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/benchmarks/throughput"
)

// tinyBench is a seconds-long configuration of the benchmark.
var tinyBench = []string{"bench", "kernels", "--preset", "tiny", "--batch", "2", "--seq", "16", "--steps", "2",
	"--gen-batch", "2", "--gen-prompt", "3", "--gen-tokens", "5", "--matmul", "32x48x16,8x8x8", "--other-build", "none"}

func TestBenchKernelsTable(t *testing.T) {
	out, _, err := runCLI(t, append(tinyBench, "--no-torch")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"load average", "peak: ", "| matmul MxNxK |", "| 32x48x16 |", "| 8x8x8 |",
		"tiny preset", "batch 2 x 16 tokens", "| seeupo (Go, ", "PyTorch: skipped (--no-torch)",
		"generation: batch 2, prompt 3, 5 new tokens each"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchKernelsJSONWithTorch(t *testing.T) {
	requireTorch(t)
	// The machine-default set-up keeps the test short; the search is
	// tested in bench_torch_test.go.
	out, _, err := runCLI(t, append(tinyBench, "--json", "--torch-setup", "default")...)
	if err != nil {
		t.Fatal(err)
	}
	var r throughput.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// torch is installed: a reference that does not run is a failure.
	if r.Torch == nil {
		t.Fatalf("PyTorch reference failed with torch installed: %s", r.TorchMissing)
	}
	if len(r.MatMul) != 2 || r.MatMul[0].GFLOPS <= 0 || len(r.Torch.MatMul) != 2 {
		t.Errorf("matmul results %+v / %+v", r.MatMul, r.Torch.MatMul)
	}
	if r.Train == nil || len(r.Train.StepSeconds) != 2 || r.Train.TokensPerSec <= 0 || r.Torch.TokensPerSec <= 0 {
		t.Errorf("training results %+v / %+v", r.Train, r.Torch)
	}
	// Both start from a near-uniform model: the loss is about ln(vocab 512).
	for name, l := range map[string]float64{"go": r.Train.Loss, "torch": r.Torch.Loss} {
		if l < 5.5 || l > 7 {
			t.Errorf("%s loss %g, want ≈ ln 512 = 6.24", name, l)
		}
	}
	if r.Torch.Setup.Name != "machine default" || len(r.Torch.SetupSearch) != 0 {
		t.Errorf("set-up %+v after %+v, want the machine default without a search", r.Torch.Setup, r.Torch.SetupSearch)
	}
	if r.Torch.Threads != r.Threads {
		t.Errorf("PyTorch ran on %d threads, Go on %d", r.Torch.Threads, r.Threads)
	}
	if r.Generate == nil || r.Generate.TokensPerSec <= 0 {
		t.Errorf("generation %+v", r.Generate)
	}
}

// requireTorch skips the test only when Debian's python3 or its torch is
// absent; with both installed the PyTorch reference must work.
func requireTorch(t *testing.T) {
	t.Helper()
	if err := throughput.TorchAvailable(throughput.DefaultPython); err != nil {
		t.Skip(err)
	}
}

func TestBenchKernelsRejectsBadSizes(t *testing.T) {
	_, _, err := runCLI(t, "bench", "kernels", "--matmul", "12x3", "--other-build", "none", "--no-torch")
	if err == nil || !strings.Contains(err.Error(), `"12x3" is not MxNxK`) {
		t.Errorf("bad --matmul: %v", err)
	}
}
