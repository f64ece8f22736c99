package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness/sysinfo"
)

func init() { register("", newDoctorCmd) }

// doctorReport is everything doctor finds, as printed with --json.
type doctorReport struct {
	Host sysinfo.Host `json:"host"`
	// Cgroup is the memory limit of the process's control group (a
	// container's), zero where none is set.
	Cgroup  sysinfo.CgroupMemory `json:"cgroup_memory"`
	Docker  sysinfo.Docker       `json:"docker"`
	GPU     sysinfo.GPU          `json:"gpu"`
	Data    sysinfo.DataDir      `json:"data"`
	DataWhy string               `json:"data_source"`
	// Memory is the suite's estimate (--suite), one entry a family.
	Memory []benchmarks.FamilyMemory `json:"memory,omitempty"`
}

func newDoctorCmd(a *app) *cobra.Command {
	var asJSON bool
	var suite string
	var ov suiteOverrides
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check this machine: Go, CPU and SIMD, memory, Docker, GPU/CUDA, data directory",
		Long: `Print what seeupo can use on this machine: the Go runtime, the CPU model and
its SIMD features, cores and memory, whether a Docker engine answers (DOCKER_HOST or
the local socket) and its version, whether an NVIDIA GPU and CUDA libraries are
present, and where the data directory is and what it holds.

With --suite (and --checkpoint or model.checkpoint for a pretrained model) it
also estimates the memory one run of each of the suite's task families takes —
weights, gradients, AdamW moments, the frozen reference, a critic when an
algorithm needs one, the KV cache of the largest batch generated at once and
one micro-batch's activations — against the memory available, as every run
does before it starts (and refuses when it will not fit).`,
		Example: `  seeupo doctor
  seeupo doctor --suite paper --checkpoint /models/Qwen3-14B`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			r := doctorReport{
				Host:    sysinfo.ProbeHost(),
				Cgroup:  sysinfo.ProbeCgroupMemory(),
				Docker:  sysinfo.ProbeDocker(cmd.Context(), ""),
				GPU:     sysinfo.ProbeGPU(),
				Data:    sysinfo.ProbeDataDir(cfg.DataDir),
				DataWhy: cfg.Sources["data_dir"],
			}
			if suite != "" {
				c, _, rcfg, err := a.suiteRun(suite, "", ov)
				if err != nil {
					return err
				}
				if r.Memory, err = c.MemoryPlan(rcfg.RL.Generator == "remote"); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return r.print(a)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	c.Flags().StringVar(&suite, "suite", "", "also estimate the memory of one run of each task family of this suite")
	ov.bind(c.Flags(), true)
	return c
}

// cgroupLine describes the container's memory limit, or is empty where
// none is set.
func (r doctorReport) cgroupLine() string {
	if r.Cgroup.Limit == 0 {
		return ""
	}
	return fmt.Sprintf("; this process's control group (container) is limited to %s, %s in use",
		humanBytes(r.Cgroup.Limit), humanBytes(r.Cgroup.Usage))
}

func (r doctorReport) print(a *app) error {
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	h := r.Host
	fmt.Fprintf(w, "Go\t%s %s/%s\n", h.GoVersion, h.OS, h.Arch)
	fmt.Fprintf(w, "CPU\t%s, %d cores\n", h.CPUModel, h.Cores)
	fmt.Fprintf(w, "SIMD\t%s\n", orNone(strings.Join(h.SIMD, " ")))
	fmt.Fprintf(w, "Memory\t%s total, %s available%s\n", humanBytes(h.MemTotal), humanBytes(h.MemAvailable), r.cgroupLine())
	d := r.Docker
	if d.Reachable {
		fmt.Fprintf(w, "Docker\tengine %s (API %s, %s/%s) at %s\n", d.Version, d.APIVersion, d.OS, d.Arch, d.Host)
	} else {
		fmt.Fprintf(w, "Docker\tno engine answers at %s: %s\n", d.Host, d.Error)
	}
	if r.GPU.Present() {
		fmt.Fprintf(w, "GPU\t%s; devices %s\n", orNone(r.GPU.Driver), orNone(strings.Join(r.GPU.Devices, " ")))
	} else {
		fmt.Fprintf(w, "GPU\tnone (no /dev/nvidia* device, no NVIDIA driver)\n")
	}
	fmt.Fprintf(w, "CUDA libraries\t%s\n", orNone(strings.Join(r.GPU.Libraries, " ")))
	fmt.Fprintf(w, "Data directory\t%s\t[%s]\n", r.Data.Path, r.DataWhy)
	switch {
	case r.Data.Error != "":
		fmt.Fprintf(w, "\tunreadable: %s\n", r.Data.Error)
	case !r.Data.Exists:
		fmt.Fprintf(w, "\tmissing: run \"seeupo data fetch bfcl --dest %s/bfcl_v4\" or set --data-dir\n", r.Data.Path)
	case len(r.Data.Entries) == 0:
		fmt.Fprintf(w, "\tempty\n")
	}
	for _, e := range r.Data.Entries {
		fmt.Fprintf(w, "\t%s: %d files, %s\n", e.Name, e.Files, humanBytes(uint64(e.Bytes)))
	}
	for _, m := range r.Memory {
		verdict := "fits"
		if !m.Fits() {
			verdict = "DOES NOT FIT: the run is refused"
		}
		fmt.Fprintf(w, "Memory of a run\t%s — %s\n", m, verdict)
	}
	return w.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "none found"
	}
	return s
}

// humanBytes formats a byte count with binary units.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
