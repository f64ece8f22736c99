package throughput

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/policy/transformer"
)

// scoreProbe is a fake measurement: a base figure per set-up plus a bonus
// per setting, and failures for the settings in fail.
func scoreProbe(def float64, bonus map[string]float64, fail string) probeFunc {
	return func(_ context.Context, s TorchSetup) (float64, error) {
		if len(s.Env) == 0 && len(s.Options) == 0 {
			return def, nil
		}
		str := s.String()
		if fail != "" && strings.Contains(str, fail) {
			return 0, errors.New("illegal instruction")
		}
		tps := 100.0
		for setting, b := range bonus {
			if strings.Contains(str, setting) {
				tps += b
			}
		}
		return tps, nil
	}
}

func TestSearchTorchSetup(t *testing.T) {
	cases := []struct {
		name     string
		probe    probeFunc
		want     []string // settings of the chosen set-up
		machine  bool     // the machine default wins
		failures int
		wantErr  bool
	}{
		{"two knobs combine", scoreProbe(120, map[string]float64{"OPENBLAS_CORETYPE=Zen": 50, "OPENBLAS_NUM_THREADS=1": 30}, ""),
			[]string{"OPENBLAS_CORETYPE=Zen", "OPENBLAS_NUM_THREADS=1", "OPENBLAS_L2_SIZE unset"}, false, 0, false},
		{"machine default is fastest", scoreProbe(500, map[string]float64{"OPENBLAS_CORETYPE=Zen": 50}, ""), nil, true, 0, false},
		{"a crashing core type is passed over", scoreProbe(10, map[string]float64{"mkldnn=false": 5}, "OPENBLAS_CORETYPE=Haswell"),
			[]string{"mkldnn=false"}, false, 1, false},
		{"nothing runs", func(context.Context, TorchSetup) (float64, error) { return 0, errors.New("no torch") }, nil, false, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			best, probes, err := searchTorchSetup(context.Background(), 2, c.probe)
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if probes[0].Setup != "machine default" || len(probes) < 2+len(torchKnobs(2)) {
				t.Errorf("probes %+v: want the machine default first and every knob's values", probes)
			}
			failed := 0
			for _, p := range probes {
				if p.Err != "" {
					failed++
				}
			}
			if failed != c.failures {
				t.Errorf("%d failed probes, want %d: %+v", failed, c.failures, probes)
			}
			if c.machine != (best.String() == machineDefault().String()) {
				t.Errorf("chose %s", best)
			}
			for _, w := range c.want {
				if !strings.Contains(best.String(), w) {
					t.Errorf("chose %s; want %s in it", best, w)
				}
			}
		})
	}
}

func TestTorchSetupEnviron(t *testing.T) {
	base := []string{"OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=1024", "HOME=/root", "SEEUPO_TORCH_OPTIONS=junk"}
	env, err := tunedBase(3).environ(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HOME=/root", "OMP_NUM_THREADS=3", "OPENBLAS_NUM_THREADS=3", "OMP_WAIT_POLICY=PASSIVE",
		`SEEUPO_TORCH_OPTIONS={"mkldnn":true,"sdpa":true}`} {
		if !slices.Contains(env, want) {
			t.Errorf("environment %v lacks %s", env, want)
		}
	}
	for _, gone := range []string{"OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=1024", "SEEUPO_TORCH_OPTIONS=junk"} {
		if slices.Contains(env, gone) {
			t.Errorf("environment %v keeps %s", env, gone)
		}
	}
	def, err := machineDefault().environ(base)
	if err != nil || !slices.Contains(def, "OPENBLAS_CORETYPE=Haswell") || !slices.Contains(def, "SEEUPO_TORCH_OPTIONS={}") {
		t.Errorf("machine default environment %v, %v", def, err)
	}
}

// Every torch-side option the search can set runs, and the script reports
// it applied.
func TestTorchScriptOptions(t *testing.T) {
	requireTorch(t)
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	script, conf, err := writeTorchFiles(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := tunedBase(1)
	s.Options = map[string]bool{"mkldnn": false, "flush_denormal": true, "sdpa": true}
	o := Options{Python: DefaultPython, Batch: 2, Seq: 8, Threads: 1}
	r, err := runTorchScript(context.Background(), o, script, conf, 1, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Options["mkldnn"] || !r.Options["flush_denormal"] || r.Options["sdpa"] != r.Options["sdpa_available"] {
		t.Errorf("applied options %v", r.Options)
	}
	if r.TokensPerSec <= 0 || len(r.StepSeconds) != 1 {
		t.Errorf("result %+v", r)
	}
}

// requireTorch skips the test only when the default interpreter or its
// torch is absent; with both installed the PyTorch reference must work.
func requireTorch(t *testing.T) {
	t.Helper()
	if err := TorchAvailable(DefaultPython); err != nil {
		t.Skip(err)
	}
}
