package sysinfo

import (
	"os"
	"path/filepath"
	"testing"
)

// write creates the files of a made-up cgroup file system under root.
func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCgroupMemory(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  CgroupMemory
	}{
		{"v2 own group", map[string]string{
			"self": "0::/env/c1\n", "fs/env/c1/memory.max": "536870912\n", "fs/env/c1/memory.current": "1048576\n",
			"fs/memory.max": "max\n"},
			CgroupMemory{Limit: 512 << 20, Usage: 1 << 20}},
		{"v2 container sees its group as the root", map[string]string{
			"self": "0::/\n", "fs/memory.max": "268435456\n", "fs/memory.current": "4096\n"},
			CgroupMemory{Limit: 256 << 20, Usage: 4096}},
		{"v2 without a limit", map[string]string{
			"self": "0::/\n", "fs/memory.max": "max\n", "fs/memory.current": "4096\n"},
			CgroupMemory{Usage: 4096}},
		{"v1 container", map[string]string{
			"self": "4:memory:/docker/abc\n0::/\n", "fs/memory/memory.limit_in_bytes": "67108864\n",
			"fs/memory/memory.usage_in_bytes": "2097152\n"},
			CgroupMemory{Limit: 64 << 20, Usage: 2 << 20}},
		{"v1 without a limit", map[string]string{
			"self": "4:memory:/\n", "fs/memory/memory.limit_in_bytes": "9223372036854771712\n",
			"fs/memory/memory.usage_in_bytes": "2097152\n"},
			CgroupMemory{Usage: 2 << 20}},
		{"no cgroup file system", map[string]string{"self": "0::/\n"}, CgroupMemory{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, c.files)
			if got := cgroupMemory(filepath.Join(root, "fs"), filepath.Join(root, "self")); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestLowerLimit(t *testing.T) {
	cases := []struct{ a, b, want uint64 }{
		{0, 0, 0}, {0, 5, 5}, {5, 0, 5}, {3, 5, 3}, {5, 3, 3},
	}
	for _, c := range cases {
		if got := lowerLimit(c.a, c.b); got != c.want {
			t.Errorf("lowerLimit(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
