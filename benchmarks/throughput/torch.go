package throughput

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/seeupo/seeupo/policy/transformer"
)

// Values of Options.TorchSetup (--torch-setup).
const (
	TorchSetupBest    = "best"
	TorchSetupDefault = "default"
)

// TorchSetup is one way to start the PyTorch reference: environment
// variables (an empty value unsets one) over the machine's environment,
// and torch-side options (SEEUPO_TORCH_OPTIONS of the script).
type TorchSetup struct {
	Name    string            `json:"name"`
	Env     map[string]string `json:"env,omitempty"`
	Options map[string]bool   `json:"options,omitempty"`
}

// TorchProbe is one set-up's figure in the search.
type TorchProbe struct {
	Setup        string  `json:"setup"`
	TokensPerSec float64 `json:"tokens_per_s,omitempty"`
	Err          string  `json:"error,omitempty"`
}

// machineDefault runs PyTorch with the environment as the machine has it.
func machineDefault() TorchSetup { return TorchSetup{Name: "machine default"} }

// tunedBase is the search's starting point: OpenBLAS picks its own core
// (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE can force older kernels), all
// thread pools sized to the run's threads, passive OpenMP waiting (spinning
// workers lose their core on a shared machine), mkldnn and a causal
// attention that skips the masked half where torch has one.
func tunedBase(threads int) TorchSetup {
	n := strconv.Itoa(threads)
	return TorchSetup{Name: "tuned", Env: map[string]string{
		"OPENBLAS_CORETYPE": "", "OPENBLAS_L2_SIZE": "", "OPENBLAS_NUM_THREADS": n,
		"OMP_NUM_THREADS": n, "OMP_WAIT_POLICY": "PASSIVE", "GOTO_NUM_THREADS": "",
	}, Options: map[string]bool{"mkldnn": true, "sdpa": true}}
}

// knob is one setting the search varies, with the values tried besides
// the base's.
type knob struct {
	env, option string
	values      []string // env values, or "true"/"false" for an option
}

// torchKnobs are the settings measured one at a time from the base.
func torchKnobs(threads int) []knob {
	cores := []string{"Haswell", "Zen"}
	if cpu.X86.HasAVX512F {
		cores = append(cores, "SkylakeX", "Cooperlake")
	}
	ks := []knob{{env: "OPENBLAS_CORETYPE", values: cores},
		{env: "OMP_WAIT_POLICY", values: []string{"ACTIVE"}},
		{option: "mkldnn", values: []string{"false"}},
		{option: "flush_denormal", values: []string{"true"}},
		{option: "sdpa", values: []string{"false"}}}
	if threads > 1 {
		ks = append(ks, knob{env: "OPENBLAS_NUM_THREADS", values: []string{"1"}})
	}
	return ks
}

// with returns a copy of s with the knob at value v, named after s and
// the change.
func (s TorchSetup) with(k knob, v string) TorchSetup {
	out := TorchSetup{Name: s.Name + " + " + k.name() + "=" + v, Env: map[string]string{}, Options: map[string]bool{}}
	for key, val := range s.Env {
		out.Env[key] = val
	}
	for key, val := range s.Options {
		out.Options[key] = val
	}
	if k.env != "" {
		out.Env[k.env] = v
	} else {
		out.Options[k.option] = v == "true"
	}
	return out
}

func (k knob) name() string { return cmp.Or(k.env, k.option) }

// String lists the set-up's settings in a stable order.
func (s TorchSetup) String() string {
	if len(s.Env) == 0 && len(s.Options) == 0 {
		return "environment as the machine has it"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if v := s.Env[k]; v == "" {
			parts = append(parts, k+" unset")
		} else {
			parts = append(parts, k+"="+v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Options)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, s.Options[k]))
	}
	return strings.Join(parts, ", ")
}

// environ is base with the set-up's variables set or removed, and its
// options for the script.
func (s TorchSetup) environ(base []string) ([]string, error) {
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, set := s.Env[k]; !set && k != "SEEUPO_TORCH_OPTIONS" {
			out = append(out, kv)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if v := s.Env[k]; v != "" {
			out = append(out, k+"="+v)
		}
	}
	options := s.Options
	if options == nil {
		options = map[string]bool{}
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	return append(out, "SEEUPO_TORCH_OPTIONS="+string(opts)), nil
}

// probeFunc measures one set-up (training tokens/s).
type probeFunc func(ctx context.Context, s TorchSetup) (float64, error)

// searchTorchSetup measures the machine default, the tuned base and each
// knob's values from the base, then the base with every knob at its best
// value; it returns the fastest set-up and every figure.
func searchTorchSetup(ctx context.Context, threads int, probe probeFunc) (TorchSetup, []TorchProbe, error) {
	var probes []TorchProbe
	type scored struct {
		s   TorchSetup
		tps float64
	}
	var all []scored
	measure := func(s TorchSetup) float64 {
		tps, err := probe(ctx, s)
		p := TorchProbe{Setup: s.Name, TokensPerSec: tps}
		if err != nil {
			p.Err, tps = err.Error(), 0
		}
		probes = append(probes, p)
		if tps > 0 {
			all = append(all, scored{s, tps})
		}
		return tps
	}
	measure(machineDefault())
	base := tunedBase(threads)
	baseTPS := measure(base)
	combined, improved := base, false
	for _, k := range torchKnobs(threads) {
		bestTPS, bestVal := baseTPS, ""
		for _, v := range k.values {
			if tps := measure(base.with(k, v)); tps > bestTPS {
				bestTPS, bestVal = tps, v
			}
		}
		if bestVal != "" {
			combined, improved = combined.with(k, bestVal), true
		}
	}
	if improved && !slices.ContainsFunc(all, func(x scored) bool { return x.s.String() == combined.String() }) {
		measure(combined)
	}
	if len(all) == 0 {
		return TorchSetup{}, probes, fmt.Errorf("no PyTorch set-up ran: %s", probes[0].Err)
	}
	best := slices.MaxFunc(all, func(a, b scored) int { return cmp.Compare(a.tps, b.tps) })
	return best.s, probes, nil
}

// runTorch runs the embedded PyTorch reference on the same preset, in the
// strongest set-up found (or the machine's default with --torch-setup
// default).
func runTorch(ctx context.Context, o Options, cfg transformer.Config, sizes []mnk) (*TorchResult, error) {
	if o.TorchSetup != TorchSetupBest && o.TorchSetup != TorchSetupDefault {
		return nil, fmt.Errorf("--torch-setup %q; allowed: %s, %s", o.TorchSetup, TorchSetupBest, TorchSetupDefault)
	}
	if _, err := os.Stat(o.Python); err != nil {
		return nil, fmt.Errorf("PyTorch reference not run: %s is missing (apt python3-torch)", o.Python)
	}
	dir, err := os.MkdirTemp("", "seeupo-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script, conf, err := writeTorchFiles(dir, cfg)
	if err != nil {
		return nil, err
	}
	run := func(ctx context.Context, s TorchSetup, steps int, sizes []mnk) (*TorchResult, error) {
		return runTorchScript(ctx, o, script, conf, steps, sizes, s)
	}
	setup, search := machineDefault(), []TorchProbe(nil)
	if o.TorchSetup == TorchSetupBest {
		probe := func(ctx context.Context, s TorchSetup) (float64, error) {
			r, err := run(ctx, s, min(2, o.Steps), nil)
			if err != nil {
				return 0, err
			}
			return r.TokensPerSec, nil
		}
		if setup, search, err = searchTorchSetup(ctx, o.Threads, probe); err != nil {
			return nil, err
		}
	}
	r, err := run(ctx, setup, o.Steps, sizes)
	if err != nil {
		return nil, err
	}
	r.Setup, r.SetupSearch = setup, search
	return r, nil
}

// runTorchScript runs the reference once in a set-up.
func runTorchScript(ctx context.Context, o Options, script, conf string, steps int, sizes []mnk, s TorchSetup) (*TorchResult, error) {
	var specs []string
	for _, sz := range sizes {
		specs = append(specs, sz.String())
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.Python, script, conf, strconv.Itoa(o.Threads), strconv.Itoa(o.Batch),
		strconv.Itoa(o.Seq), strconv.Itoa(steps), strings.Join(specs, ","))
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
	var r TorchResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("PyTorch reference printed %q: %w", out, err)
	}
	if len(r.StepSeconds) > 0 {
		r.TokensPerSec = float64(o.Batch*o.Seq) / Median(r.StepSeconds)
	}
	return &r, nil
}

// writeTorchFiles writes the PyTorch reference script and the model's
// configuration into dir.
func writeTorchFiles(dir string, cfg transformer.Config) (script, conf string, err error) {
	script, conf = filepath.Join(dir, "torch_bench.py"), filepath.Join(dir, "config.json")
	if err := os.WriteFile(script, []byte(transformer.TorchReferenceScript), 0o644); err != nil {
		return "", "", err
	}
	return script, conf, cfg.Save(conf)
}

// DefaultPython is the interpreter the PyTorch reference runs on unless
// Options.Python names another: Debian's, where python3-torch installs.
const DefaultPython = "/usr/bin/python3"

// TorchAvailable says why python cannot run the PyTorch reference (nil:
// it can): the interpreter or its torch is missing.
func TorchAvailable(python string) error {
	if _, err := os.Stat(python); err != nil {
		return fmt.Errorf("the PyTorch comparison needs %s with torch: apt install python3-torch (%v)", python, err)
	}
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		return fmt.Errorf("the PyTorch comparison needs torch for %s: apt install python3-torch (%v: %s)",
			python, err, strings.TrimSpace(string(out)))
	}
	return nil
}
