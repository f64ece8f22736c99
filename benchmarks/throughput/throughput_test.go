package throughput

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/models"
)

func TestParseSizes(t *testing.T) {
	cases := []struct {
		spec string
		want []mnk
		err  string
	}{
		{"512x512x512", []mnk{{512, 512, 512}}, ""},
		{" 4096x704x256 , 8x8x8,", []mnk{{4096, 704, 256}, {8, 8, 8}}, ""},
		{"12x3", nil, `--matmul: "12x3" is not MxNxK with positive integers`},
		{"8x0x8", nil, `"8x0x8" is not MxNxK`},
		{"8xax8", nil, `"8xax8" is not MxNxK`},
	}
	for _, c := range cases {
		got, err := parseSizes(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %v, %v; want %v", c.spec, got, err, c.want)
		}
	}
}

func TestMedian(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}}
	for _, c := range cases {
		if got := Median(c.xs); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median of nothing is not NaN")
	}
}

// TestRunMeasuresEverySection runs a seconds-long measurement without
// PyTorch and checks that each section is there with its sizes; the
// figures themselves depend on the machine and are not judged.
func TestRunMeasuresEverySection(t *testing.T) {
	o := Options{MatMul: "32x48x16,8x8x8", Preset: "tiny", Batch: 2, Seq: 16, Steps: 2,
		GenBatch: 2, GenPrompt: 3, GenTokens: 5, OtherBuild: "none", NoTorch: true, Threads: 1, Models: models.CPU(1)}
	r, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MatMul) != 2 || r.MatMul[0].Size != "32x48x16" || r.MatMul[1].Size != "8x8x8" || r.Other != nil {
		t.Errorf("matmuls %+v, other build %+v", r.MatMul, r.Other)
	}
	if r.Train == nil || r.Train.Preset != "tiny" || len(r.Train.StepSeconds) != 2 || r.Train.Batch != 2 || r.Train.Seq != 16 {
		t.Errorf("training %+v", r.Train)
	}
	if r.Torch != nil || r.TorchMissing != "skipped (--no-torch)" {
		t.Errorf("PyTorch %+v, missing %q", r.Torch, r.TorchMissing)
	}
	if g := r.Generate; g == nil || g.Batch != 2 || g.Prompt != 3 || g.NewTokens != 5 {
		t.Errorf("generation %+v", r.Generate)
	}
	o.MatMulOnly = true
	if r, err := Run(t.Context(), o); err != nil || r.Train != nil || r.Generate != nil || len(r.MatMul) != 2 {
		t.Errorf("matmul only: %+v, %v", r, err)
	}
	o.MatMulOnly, o.Steps = false, 0
	if _, err := Run(t.Context(), o); err == nil || !strings.Contains(err.Error(), "--steps, --batch and --seq must be positive") {
		t.Errorf("zero steps: %v", err)
	}
}
