package sysinfo

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CgroupMemory is the memory limit of the process's control group and
// what the group uses now, in bytes. Limit is 0 where no limit is set or
// none can be read (no cgroup file system, a limit of "max").
type CgroupMemory struct {
	Limit uint64 `json:"limit_bytes"`
	Usage uint64 `json:"usage_bytes"`
}

// ProbeCgroupMemory reads the process's memory limit from cgroup v2
// (memory.max of its group, or of the root where a container sees its own
// group as the root) or v1 (memory.limit_in_bytes of the memory
// controller's mount, which a container sees as its own group).
func ProbeCgroupMemory() CgroupMemory {
	return cgroupMemory("/sys/fs/cgroup", "/proc/self/cgroup")
}

// cgroupMemory is ProbeCgroupMemory on a file system mounted at root and
// the process's cgroup list at self.
func cgroupMemory(root, self string) CgroupMemory {
	var dirs []string
	if p := unifiedPath(self); p != "" {
		dirs = append(dirs, filepath.Join(root, p))
	}
	dirs = append(dirs, root)
	for _, d := range dirs {
		if m, ok := readCgroupFiles(d, "memory.max", "memory.current"); ok {
			return m
		}
	}
	m, _ := readCgroupFiles(filepath.Join(root, "memory"), "memory.limit_in_bytes", "memory.usage_in_bytes")
	return m
}

// unifiedPath is the group path of the "0::" line of /proc/self/cgroup
// (cgroup v2), or "".
func unifiedPath(self string) string {
	f, err := os.Open(self)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok && p != "/" {
			return p
		}
	}
	return ""
}

// unlimitedV1 is where cgroup v1 writes "no limit": anything at or above
// 2^62 bytes.
const unlimitedV1 = 1 << 62

// readCgroupFiles reads a limit and a usage file of dir; ok is false when
// the limit file is missing. A limit of "max" or one of v1's huge values
// reads as 0 (no limit).
func readCgroupFiles(dir, limitFile, usageFile string) (CgroupMemory, bool) {
	raw, err := os.ReadFile(filepath.Join(dir, limitFile))
	if err != nil {
		return CgroupMemory{}, false
	}
	var m CgroupMemory
	if n, err := strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64); err == nil && n < unlimitedV1 {
		m.Limit = n
	}
	if raw, err := os.ReadFile(filepath.Join(dir, usageFile)); err == nil {
		m.Usage, _ = strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
	}
	return m, true
}

// MemoryBudget is the memory this process may use in bytes: the machine's
// memory, or its control group's limit where that is lower (a container
// with a memory limit). It is 0 where neither can be read.
func MemoryBudget() uint64 {
	total, _ := memInfo("/proc/meminfo")
	return lowerLimit(total, ProbeCgroupMemory().Limit)
}

// MemoryAvailable is the memory available to this process in bytes: the
// machine's available memory, or what its control group's limit leaves
// where that is lower. It is 0 where neither can be read.
func MemoryAvailable() uint64 {
	_, avail := memInfo("/proc/meminfo")
	cg := ProbeCgroupMemory()
	if cg.Limit == 0 {
		return avail
	}
	left := uint64(0)
	if cg.Usage < cg.Limit {
		left = cg.Limit - cg.Usage
	}
	if avail == 0 {
		return left
	}
	return min(avail, left)
}

// lowerLimit is the lower of a and b, where 0 means unknown.
func lowerLimit(a, b uint64) uint64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}
