package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/cpu"
)

// Values of --torch-setup.
const (
	torchSetupBest    = "best"
	torchSetupDefault = "default"
)

// torchSetup is one way to start the PyTorch reference: environment
// variables (an empty value unsets one) over the machine's environment,
// and torch-side options (SEEUPO_TORCH_OPTIONS of the script).
type torchSetup struct {
	Name    string            `json:"name"`
	Env     map[string]string `json:"env,omitempty"`
	Options map[string]bool   `json:"options,omitempty"`
}

// torchProbe is one set-up's figure in the search.
type torchProbe struct {
	Setup        string  `json:"setup"`
	TokensPerSec float64 `json:"tokens_per_s,omitempty"`
	Err          string  `json:"error,omitempty"`
}

// machineDefault runs PyTorch with the environment as the machine has it.
func machineDefault() torchSetup { return torchSetup{Name: "machine default"} }

// tunedBase is the search's starting point: OpenBLAS picks its own core
// (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE can force older kernels), all
// thread pools sized to the run's threads, passive OpenMP waiting (spinning
// workers lose their core on a shared machine), mkldnn and a causal
// attention that skips the masked half where torch has one.
func tunedBase(threads int) torchSetup {
	n := strconv.Itoa(threads)
	return torchSetup{Name: "tuned", Env: map[string]string{
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
func (s torchSetup) with(k knob, v string) torchSetup {
	out := torchSetup{Name: s.Name + " + " + k.name() + "=" + v, Env: map[string]string{}, Options: map[string]bool{}}
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
func (s torchSetup) String() string {
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
func (s torchSetup) environ(base []string) ([]string, error) {
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
type probeFunc func(ctx context.Context, s torchSetup) (float64, error)

// searchTorchSetup measures the machine default, the tuned base and each
// knob's values from the base, then the base with every knob at its best
// value; it returns the fastest set-up and every figure.
func searchTorchSetup(ctx context.Context, threads int, probe probeFunc) (torchSetup, []torchProbe, error) {
	var probes []torchProbe
	type scored struct {
		s   torchSetup
		tps float64
	}
	var all []scored
	measure := func(s torchSetup) float64 {
		tps, err := probe(ctx, s)
		p := torchProbe{Setup: s.Name, TokensPerSec: tps}
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
		return torchSetup{}, probes, fmt.Errorf("no PyTorch set-up ran: %s", probes[0].Err)
	}
	best := slices.MaxFunc(all, func(a, b scored) int { return cmp.Compare(a.tps, b.tps) })
	return best.s, probes, nil
}

// probeSummary renders the search's figures, fastest first.
func probeSummary(probes []torchProbe) string {
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
