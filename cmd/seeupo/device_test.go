package main

import (
	"os"
	"strings"
	"testing"
)

// A device the build has no backend for is an error naming where it was
// set and what is available, before any work: nothing is written.
func TestDeviceWithoutBackendIsAnError(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  string
		want []string
	}{
		{"flag, no such backend in this build", []string{"train", "--suite", "quick", "--algo", "grpo", "--device", "cuda"}, "",
			[]string{"flag --device", `device "cuda" has no compute backend in this build`, "available: cpu"}},
		{"environment variable", []string{"bench", "--suite", "quick"}, "cuda",
			[]string{"environment variable SEEUPO_DEVICE", `device "cuda"`, "available: cpu"}},
		{"unknown device", []string{"train", "--suite", "quick", "--device", "tpu"}, "",
			[]string{"flag --device", `setting "device" must be one of cpu, cuda`, `got "tpu"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("SEEUPO_DEVICE", tc.env)
			}
			out := t.TempDir()
			_, _, err := runCLI(t, append(tc.args, "--out", out)...)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want %q", err, w)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("%d entries written to %s", len(entries), out)
			}
		})
	}
}
