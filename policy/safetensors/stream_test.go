package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestStreamMatchesEncode writes the same tensors with WriteStream and
// Encode: the files are byte for byte the same, and Open/ReadInto read
// back what Read reads, in every dtype.
func TestStreamMatchesEncode(t *testing.T) {
	in := map[string]Tensor{
		"b.weight": {Shape: []int{2, 3}, Data: []float32{1, -2, 0.1, 3.3, 0, -0.125}},
		"a.bias":   {Shape: []int{3}, Data: []float32{1e-8, 70000, 2}},
		"scalar":   {Shape: nil, Data: []float32{7}},
	}
	var specs []Spec
	for name, tt := range in {
		specs = append(specs, Spec{Name: name, Shape: tt.Shape})
	}
	for _, dt := range []DType{F32, BF16, F16} {
		dir := t.TempDir()
		whole, streamed := filepath.Join(dir, "whole.safetensors"), filepath.Join(dir, "stream.safetensors")
		if err := Write(whole, in, dt, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
		err := WriteStream(streamed, specs, dt, map[string]string{"format": "pt"}, func(name string, dst []float32) error {
			copy(dst, in[name].Data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(whole)
		b, _ := os.ReadFile(streamed)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: WriteStream's file differs from Write's (%d vs %d bytes)", dt, len(b), len(a))
		}
		want, _, err := Read(whole)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Open(streamed)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Names(); len(got) != 3 || got[0] != "a.bias" || got[2] != "scalar" {
			t.Errorf("%s: names %v", dt, got)
		}
		for name, w := range want {
			gotDT, shape, ok := f.Info(name)
			if !ok || gotDT != dt || len(shape) != len(w.Shape) {
				t.Errorf("%s %s: info %v %v %v", dt, name, gotDT, shape, ok)
			}
			got := make([]float32, len(w.Data))
			if err := f.ReadInto(name, got); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i] != w.Data[i] {
					t.Errorf("%s %s[%d] = %v, Read gives %v", dt, name, i, got[i], w.Data[i])
				}
			}
		}
		if err := f.ReadInto("a.bias", make([]float32, 2)); err == nil {
			t.Errorf("%s: ReadInto into a short buffer succeeded", dt)
		}
		f.Close()
	}
}

func TestParseDType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want DType
		ok   bool
	}{{"bf16", BF16, true}, {"BFloat16", BF16, true}, {"f32", F32, true}, {"float16", F16, true}, {"int8", "", false}} {
		got, err := ParseDType(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseDType(%q) = %q, %v", c.in, got, err)
		}
	}
}
