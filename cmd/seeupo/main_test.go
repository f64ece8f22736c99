package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/sysinfo"
)

// runCLI runs the CLI in-process and returns its output streams.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpListsCommands(t *testing.T) {
	out, _, err := runCLI(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"config", "doctor", "version", "--data-dir", "--config"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "seeupo "+version+"\n") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %v\n%s", err, out)
	}
}

func TestDoctorReportsEverySection(t *testing.T) {
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, "bfcl_v4"), 0o755)
	os.WriteFile(filepath.Join(data, "bfcl_v4", "x.json"), []byte("{}"), 0o644)
	out, _, err := runCLI(t, "doctor", "--data-dir", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Go ", "CPU ", "SIMD ", "Memory ", "Docker ", "GPU ", "CUDA libraries ",
		"Data directory  " + data + "  [flag --data-dir]", "bfcl_v4: 1 files, 2 B"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	js, _, err := runCLI(t, "doctor", "--json", "--data-dir", data)
	if err != nil || !strings.Contains(js, `"go_version"`) || !strings.Contains(js, `"docker"`) || !strings.Contains(js, `"cgroup_memory"`) {
		t.Fatalf("doctor --json: %v\n%s", err, js)
	}
}

// The memory line names a container's limit where one is set.
func TestDoctorNamesTheContainerLimit(t *testing.T) {
	cases := []struct {
		cg   sysinfo.CgroupMemory
		want string
	}{
		{sysinfo.CgroupMemory{}, ""},
		{sysinfo.CgroupMemory{Limit: 512 << 20, Usage: 30 << 20}, "; this process's control group (container) is limited to 512.0 MiB, 30.0 MiB in use"},
	}
	for _, c := range cases {
		if got := (doctorReport{Cgroup: c.cg}).cgroupLine(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.cg, got, c.want)
		}
	}
}

func TestConfigShow(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("device: cuda\nlog:\n  level: debug\n"), 0o644)
	t.Setenv("SEEUPO_SEED", "11")
	out, _, err := runCLI(t, "config", "show", "--config", good, "--threads", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"device: cuda # " + good + ":1", "threads: 3 # flag --threads",
		"seed: 11 # environment variable SEEUPO_SEED", "  level: debug # " + good + ":3"} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
}

func TestConfigShowRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "device: cpu\nlog:\n  lvl: info\n",
			[]string{"bad.yaml:3", `unknown key "log.lvl"`, "allowed keys: format, level"}},
		{"wrong type", "threads: [1]\n",
			[]string{"bad.yaml:1", `setting "threads" must be an integer >= 0`}},
		{"value not allowed", "log:\n  format: xml\n",
			[]string{"bad.yaml:2", `setting "log.format" must be one of text, json`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(bad, []byte(tc.yaml), 0o644)
			out, _, err := runCLI(t, "config", "show", "--config", bad)
			if err == nil {
				t.Fatalf("accepted a bad file; printed:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, _, err := runCLI(t, "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("got %v", err)
	}
}

func TestHumanBytes(t *testing.T) {
	cases := map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"}
	for n, want := range cases {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestMisspeltEnvironmentVariableIsAnError runs a command with a misspelt
// SEEUPO_* variable and with an empty one: both are errors naming them.
func TestMisspeltEnvironmentVariableIsAnError(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"SEEUPO_ENV_POOLS", "3", "environment variable SEEUPO_ENV_POOLS is not a setting; did you mean SEEUPO_ENV_POOL?"},
		{"SEEUPO_ENV_POOL", "", "environment variable SEEUPO_ENV_POOL is set but empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			if _, _, err := runCLI(t, "config", "show"); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("config show: %v, want %q", err, c.want)
			}
		})
	}
}
