package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/serve"
)

// Flags the benchmark cannot run are refused before anything is built,
// with an error that names the flag and the allowed form.
func TestBenchServeBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"zero client", []string{"--clients", "1,0"}, []string{"--clients", `"0" is not a positive integer`, "1,8,32"}},
		{"not a number", []string{"--clients", "one,8"}, []string{"--clients", `"one"`, "comma-separated list"}},
		{"empty level", []string{"--clients", "1,,8"}, []string{"--clients", `""`, "1,8,32"}},
		{"empty", []string{"--clients", ""}, []string{"--clients", "comma-separated list"}},
		{"zero requests", []string{"--requests", "0"}, []string{"--requests is 0", "positive integer"}},
		{"negative max tokens", []string{"--max-tokens", "-2"}, []string{"--max-tokens is -2"}},
		{"both models", []string{"--checkpoint", "x", "--preset", "tiny"}, []string{"--checkpoint and --preset", "one of them"}},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, append([]string{"bench", "serve"}, c.args...)...)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// A tiny run prints the table, reports progress on stderr and writes the
// JSON it was asked for.
func TestBenchServeTiny(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.json")
	out, errOut, err := runCLI(t, "bench", "serve", "--preset", "tiny", "--clients", "1,2", "--requests", "3",
		"--prompt-tokens", "4", "--max-tokens", "3", "--threads", "1", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"machine: ", "model: preset tiny", "| in process | 1 | 3 |", "| served | 2 | 3 |", "3/3 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "bench serve: clients=2: served") {
		t.Errorf("stderr lacks progress:\n%s", errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res serve.BenchResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Levels) != 2 || res.Levels[1].Clients != 2 || res.Levels[1].Served.Requests != 3 || res.Threads != 1 {
		t.Errorf("JSON %s", b)
	}
}

func TestBenchServeHelp(t *testing.T) {
	out, _, err := runCLI(t, "bench", "serve", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--checkpoint", "--preset", "--clients", "--requests", "--prompt-tokens", "--max-tokens",
		"--json", "in process", "served", "tokens/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
