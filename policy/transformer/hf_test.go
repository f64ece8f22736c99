package transformer

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/safetensors"
)

const systemPython = "/usr/bin/python3"

// hfReference runs testdata/hf_reference.py for a model type and returns
// the directory it wrote. It skips when Debian's python3 or its torch is
// missing (CI installs both).
func hfReference(t *testing.T, modelType string) string {
	t.Helper()
	if dir, ok := hfDirs[modelType]; ok {
		return dir
	}
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("HF compatibility needs %s with torch (apt python3-torch): %v", systemPython, err)
	}
	if out, err := exec.Command(systemPython, "-c", "import torch").CombinedOutput(); err != nil {
		t.Skipf("HF compatibility needs torch for %s (apt python3-torch): %v\n%s", systemPython, err, out)
	}
	dir, err := os.MkdirTemp("", "hf-"+modelType+"-")
	if err != nil {
		t.Fatal(err)
	}
	hfDirs[modelType] = dir
	cmd := exec.Command(systemPython, filepath.Join("testdata", "hf_reference.py"), dir, modelType)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hf_reference.py: %v\n%s", err, out)
	}
	return dir
}

// hfDirs holds each model type's reference for the test binary's life
// (removed by TestMain).
var hfDirs = map[string]string{}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range hfDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

type refSample struct {
	Context  []int     `json:"context"`
	Response []int     `json:"response"`
	A        []float64 `json:"a"`
	B        []float64 `json:"b"`
	LogP     []float64 `json:"logp"`
	Entropy  []float64 `json:"entropy"`
}

// TestHFCompatibility loads a checkpoint written in the Hugging Face
// Qwen2/Qwen3 layout by an independent PyTorch implementation and checks
// logits (absolute error ≤ 1e-4) and the gradient of a log-prob + entropy
// loss (per tensor, max abs error ≤ 1e-3 · max abs reference value).
func TestHFCompatibility(t *testing.T) {
	for _, tc := range []struct {
		mt         string
		microBatch int
	}{{ModelQwen2, 0}, {ModelQwen3, 0}, {ModelQwen3, 24}} {
		mt := tc.mt
		// A 24-token micro-batch budget splits the batch in three and
		// exercises the recomputing backward pass; the head then runs in
		// chunks of 5 rows.
		t.Run(mt+"/microbatch="+strconv.Itoa(tc.microBatch), func(t *testing.T) {
			dir := hfReference(t, mt)
			be := kernels.NewCPU(0)
			m, err := Load(dir, be, Options{MicroBatchTokens: tc.microBatch})
			if err != nil {
				t.Fatal(err)
			}
			if tc.microBatch > 0 {
				m.headBudget = 5 * 97 // the head in chunks of 5 rows
			}
			ref, _, err := safetensors.Read(filepath.Join(dir, "reference.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			var meta struct {
				Loss    float64     `json:"loss"`
				Samples []refSample `json:"samples"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, "samples.json"))
			if err := json.Unmarshal(b, &meta); err != nil {
				t.Fatal(err)
			}
			var batch []policy.Sample
			worstLogit := 0.0
			for i, s := range meta.Samples {
				batch = append(batch, policy.Sample{Context: s.Context, Response: s.Response})
				seq := append(append([]int(nil), s.Context...), s.Response...)
				got, err := m.Logits(seq[:len(seq)-1])
				if err != nil {
					t.Fatal(err)
				}
				want := ref[logitsName(i)].Data
				if len(got) != len(want) {
					t.Fatalf("sample %d: %d logits, reference has %d", i, len(got), len(want))
				}
				for j := range got {
					worstLogit = math.Max(worstLogit, math.Abs(float64(got[j]-want[j])))
				}
			}
			t.Logf("%s: max |logit - reference| = %.2e", mt, worstLogit)
			if worstLogit > 1e-4 {
				t.Errorf("logits differ from the reference by %.2e > 1e-4", worstLogit)
			}
			loss, err := m.ForwardBackward(batch, true, func(sc policy.Scores) (float64, [][]float64, [][]float64, error) {
				l := 0.0
				dl, de := make([][]float64, len(sc.LogProbs)), make([][]float64, len(sc.LogProbs))
				for i, s := range meta.Samples {
					dl[i], de[i] = s.A, s.B
					for j := range s.A {
						l += s.A[j]*sc.LogProbs[i][j] + s.B[j]*sc.Entropy[i][j]
						if d := math.Abs(sc.LogProbs[i][j] - s.LogP[j]); d > 1e-4 {
							t.Errorf("sample %d token %d: logp %g, reference %g", i, j, sc.LogProbs[i][j], s.LogP[j])
						}
						if d := math.Abs(sc.Entropy[i][j] - s.Entropy[j]); d > 1e-4 {
							t.Errorf("sample %d token %d: entropy %g, reference %g", i, j, sc.Entropy[i][j], s.Entropy[j])
						}
					}
				}
				return l, dl, de, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(loss-meta.Loss) > 1e-3*math.Abs(meta.Loss) {
				t.Errorf("loss %g, reference %g", loss, meta.Loss)
			}
			grads, err := m.Grads()
			if err != nil {
				t.Fatal(err)
			}
			worst, worstName := 0.0, ""
			for _, name := range m.ParamNames() {
				want := ref["grad."+name].Data
				rel := relMaxErr(grads[name], want)
				if rel > worst {
					worst, worstName = rel, name
				}
			}
			t.Logf("%s: worst relative gradient error %.2e (%s)", mt, worst, worstName)
			if worst > 1e-3 {
				t.Errorf("gradient of %s differs from the reference by %.2e (relative) > 1e-3", worstName, worst)
			}
		})
	}
}

func logitsName(i int) string { return "logits." + strconv.Itoa(i) }

// relMaxErr is max|got-want| / max|want|.
func relMaxErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	diff, scale := 0.0, 0.0
	for i := range got {
		diff = math.Max(diff, math.Abs(float64(got[i]-want[i])))
		scale = math.Max(scale, math.Abs(float64(want[i])))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// TestEmbedMatchesReference checks Embed against the independent PyTorch
// implementation's mean-pooled, unit-length final-norm hidden states
// (absolute error ≤ 1e-5 per component).
func TestEmbedMatchesReference(t *testing.T) {
	for _, mt := range []string{ModelQwen2, ModelQwen3} {
		t.Run(mt, func(t *testing.T) {
			dir := hfReference(t, mt)
			m, err := Load(dir, kernels.NewCPU(0), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ref, _, err := safetensors.Read(filepath.Join(dir, "reference.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			var meta struct {
				Samples []refSample `json:"samples"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, "samples.json"))
			if err := json.Unmarshal(b, &meta); err != nil {
				t.Fatal(err)
			}
			for i, s := range meta.Samples {
				seq := append(append([]int(nil), s.Context...), s.Response...)
				got, err := m.Embed(seq[:len(seq)-1])
				if err != nil {
					t.Fatal(err)
				}
				want := ref["embedding."+strconv.Itoa(i)].Data
				if len(got) != len(want) {
					t.Fatalf("sample %d: %d components, reference has %d", i, len(got), len(want))
				}
				for j := range got {
					if d := math.Abs(float64(got[j] - want[j])); d > 1e-5 {
						t.Errorf("sample %d component %d: %g, reference %g", i, j, got[j], want[j])
					}
				}
			}
			if _, err := m.Embed(nil); err == nil {
				t.Error("Embed of an empty sequence: no error")
			}
		})
	}
}
