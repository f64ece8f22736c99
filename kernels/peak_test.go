package kernels

import "testing"

func TestPeakIsPlausible(t *testing.T) {
	p := PeakGFLOPS(0)
	if !hasAVX512() {
		if p.GFLOPS != 0 {
			t.Fatalf("peak %v without a measurement", p)
		}
		t.Skip("no AVX-512 on this CPU: the peak is measured only on an AVX-512 machine (the zero result was checked)")
	}
	if p.GHz < 0.5 || p.GHz > 7 || p.FlopsPerCycle < 16 || p.FlopsPerCycle > 64 {
		t.Fatalf("implausible peak: %v", p)
	}
	t.Log(p)
}
