package sysinfo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCPUModelAndMemory(t *testing.T) {
	dir := t.TempDir()
	cpuinfo := filepath.Join(dir, "cpuinfo")
	meminfo := filepath.Join(dir, "meminfo")
	os.WriteFile(cpuinfo, []byte("processor\t: 0\nvendor_id\t: X\nmodel name\t: Example CPU 9000\n"), 0o644)
	os.WriteFile(meminfo, []byte("MemTotal:       2048 kB\nMemFree:  1 kB\nMemAvailable:   1024 kB\n"), 0o644)
	if got := cpuModel(cpuinfo); got != "Example CPU 9000" {
		t.Errorf("cpuModel = %q", got)
	}
	total, avail := memInfo(meminfo)
	if total != 2048*1024 || avail != 1024*1024 {
		t.Errorf("memInfo = %d, %d", total, avail)
	}
	if got := cpuModel(filepath.Join(dir, "missing")); got != "unknown" {
		t.Errorf("cpuModel of a missing file = %q", got)
	}
}

func TestProbeDockerOverTCP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"Version": "28.2.2", "ApiVersion": "1.50",
			"Os": "linux", "Arch": "amd64"})
	}))
	defer srv.Close()
	d := ProbeDocker(context.Background(), "tcp://"+strings.TrimPrefix(srv.URL, "http://"))
	if !d.Reachable || d.Version != "28.2.2" || d.APIVersion != "1.50" {
		t.Fatalf("ProbeDocker = %+v", d)
	}
}

func TestProbeDockerUnreachable(t *testing.T) {
	cases := []struct{ host, want string }{
		{"unix://" + filepath.Join(t.TempDir(), "none.sock"), "no such file"},
		{"ssh://example", "not supported"},
	}
	for _, c := range cases {
		d := ProbeDocker(context.Background(), c.host)
		if d.Reachable || !strings.Contains(d.Error, c.want) {
			t.Errorf("ProbeDocker(%q) = %+v, want error containing %q", c.host, d, c.want)
		}
	}
}

func TestFindLibraries(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(a, "libcublas.so.12"), nil, 0o644)
	os.WriteFile(filepath.Join(b, "libcuda.so.1"), nil, 0o644)
	os.WriteFile(filepath.Join(b, "libcublas.so.11"), nil, 0o644)
	got := findLibraries([]string{a, b}, []string{"libcuda.so", "libcublas.so", "libnvrtc.so"})
	want := []string{filepath.Join(b, "libcuda.so.1"), filepath.Join(a, "libcublas.so.12")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("findLibraries = %v, want %v", got, want)
	}
}

func TestProbeDataDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bfcl_v4", "golden"), 0o755)
	os.WriteFile(filepath.Join(dir, "bfcl_v4", "a.json"), []byte("12345"), 0o644)
	os.WriteFile(filepath.Join(dir, "bfcl_v4", "golden", "b.jsonl"), []byte("123"), 0o644)
	d := ProbeDataDir(dir)
	if !d.Exists || len(d.Entries) != 1 || d.Entries[0] != (DataDirEntry{"bfcl_v4", 2, 8}) {
		t.Fatalf("ProbeDataDir = %+v", d)
	}
	if missing := ProbeDataDir(filepath.Join(dir, "nope")); missing.Exists || missing.Error != "" {
		t.Fatalf("missing dir = %+v", missing)
	}
}

func TestLoadAverage(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, content, want string }{
		{"proc format", "9.71 7.37 4.29 3/812 4242\n", "9.71 7.37 4.29"},
		{"truncated", "0.5 0.4\n", "unknown"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		os.WriteFile(path, []byte(c.content), 0o644)
		if got := loadAverage(path); got != c.want {
			t.Errorf("%s: loadAverage = %q, want %q", c.name, got, c.want)
		}
	}
	if got := loadAverage(filepath.Join(dir, "missing")); got != "unknown" {
		t.Errorf("missing file: loadAverage = %q, want unknown", got)
	}
}
