// Package sysinfo probes the machine a run executes on: Go version, CPU model
// and SIMD features, cores, memory, the Docker engine, GPUs and CUDA
// libraries, the data directory and the load average. `seeupo doctor`
// prints it and run directories record it.
//
// It imports the standard library and golang.org/x/sys/cpu only.
package sysinfo

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/cpu"
)

// Host describes the processor, memory and Go runtime.
type Host struct {
	GoVersion    string   `json:"go_version"`
	OS           string   `json:"os"`
	Arch         string   `json:"arch"`
	CPUModel     string   `json:"cpu_model"`
	SIMD         []string `json:"simd"`
	Cores        int      `json:"cores"`
	MemTotal     uint64   `json:"mem_total_bytes"`
	MemAvailable uint64   `json:"mem_available_bytes"`
}

// ProbeHost reads the host description from the runtime and /proc.
func ProbeHost() Host {
	h := Host{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		Cores: runtime.NumCPU(), SIMD: simdFeatures()}
	h.CPUModel = cpuModel("/proc/cpuinfo")
	h.MemTotal, h.MemAvailable = memInfo("/proc/meminfo")
	return h
}

func simdFeatures() []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	switch runtime.GOARCH {
	case "amd64", "386":
		add(cpu.X86.HasSSE41, "sse4.1")
		add(cpu.X86.HasSSE42, "sse4.2")
		add(cpu.X86.HasAVX, "avx")
		add(cpu.X86.HasAVX2, "avx2")
		add(cpu.X86.HasFMA, "fma")
		add(cpu.X86.HasAVX512F, "avx512f")
		add(cpu.X86.HasAVX512BW, "avx512bw")
		add(cpu.X86.HasAVX512VL, "avx512vl")
		add(cpu.X86.HasAVX512VNNI, "avx512vnni")
		add(cpu.X86.HasAVX512BF16, "avx512bf16")
		add(cpu.X86.HasAMXBF16, "amx-bf16")
	case "arm64":
		add(cpu.ARM64.HasASIMD, "neon")
		add(cpu.ARM64.HasSVE, "sve")
		add(cpu.ARM64.HasSVE2, "sve2")
		add(cpu.ARM64.HasFPHP, "fp16")
	}
	return out
}

func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model", "cpu model":
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memInfo(path string) (total, avail uint64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			continue
		}
		switch fields[0] {
		case "MemTotal:":
			total = kb * 1024
		case "MemAvailable:":
			avail = kb * 1024
		}
	}
	return total, avail
}

// LoadAverage is the 1, 5 and 15 minute load averages ("9.71 7.37 4.29"),
// or "unknown" where /proc/loadavg cannot be read.
func LoadAverage() string { return loadAverage("/proc/loadavg") }

func loadAverage(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
