package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/internal/testdata"
)

// bfclData returns the data directory holding bfcl_v4.
func bfclData(t *testing.T) string {
	return filepath.Dir(testdata.Dir(t, "bfcl_v4"))
}

func TestBfclVerifyPrintsCategoryTotals(t *testing.T) {
	data := bfclData(t)
	out, _, err := runCLI(t, "--data-dir", data, "bfcl", "verify", "--category", "base")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "total ") || !strings.Contains(out, "base ") {
		t.Fatalf("verify output:\n%s", out)
	}
	t.Logf("bfcl verify --category base: %s", last)
	if backendsComplete() && last != "total 200/200" {
		t.Errorf("with every backend registered: %s, want total 200/200", last)
	}
	if _, _, err := runCLI(t, "--data-dir", data, "bfcl", "verify", "--category", "nope"); err == nil ||
		!strings.Contains(err.Error(), "allowed: all, base, miss_func, miss_param, long_context") {
		t.Fatalf("bad category error: %v", err)
	}
}

func backendsComplete() bool {
	for _, c := range []string{"GorillaFileSystem", "MathAPI", "MessageAPI", "TwitterAPI", "TicketAPI", "TradingBot", "TravelAPI", "VehicleControlAPI"} {
		if _, err := backend.Lookup(c); err != nil {
			return false
		}
	}
	return true
}

// goldenLines returns the first n lines of a golden file whose entries use
// only the given classes.
func goldenLines(t *testing.T, name string, n int) []string {
	f, err := os.Open(filepath.Join(testdata.Dir(t, "bfcl_v4"), "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	var out []string
	for sc.Scan() && len(out) < n {
		out = append(out, sc.Text())
	}
	return out
}

// TestBfclReplayAndCheckReproduceGoldens feeds golden lines (entries of
// multi_turn_base_0.., GorillaFileSystem and TwitterAPI) with their
// recorded results stripped, plus a broken line, and expects the golden
// lines back byte for byte and an error field on the broken one.
func TestBfclReplayAndCheckReproduceGoldens(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		cmd, golden string
		strip       func(map[string]any)
	}{
		{"replay", "random_traces.jsonl", func(m map[string]any) {
			for _, c := range m["calls"].([]any) {
				delete(c.(map[string]any), "output")
				delete(c.(map[string]any), "state_after")
			}
		}},
		{"check", "checker_cases.jsonl", func(m map[string]any) {
			delete(m, "valid")
			delete(m, "error_type")
			delete(m, "error_message")
		}},
	} {
		want := goldenLines(t, tc.golden, 4)
		var in []string
		for _, l := range want {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			tc.strip(m)
			b, _ := json.Marshal(m)
			in = append(in, string(b))
		}
		in = append(in, `{"id": "multi_turn_base_99999", "calls": []}`, `not json`)
		input := filepath.Join(dir, tc.cmd+".in.jsonl")
		output := filepath.Join(dir, tc.cmd+".out.jsonl")
		if err := os.WriteFile(input, []byte(strings.Join(in, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := runCLI(t, "--data-dir", data, "bfcl", tc.cmd, "--input", input, "--output", output)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr, "6 lines, 2 with an error") {
			t.Errorf("%s summary: %q", tc.cmd, stderr)
		}
		got, _ := os.ReadFile(output)
		lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		if len(lines) != 6 {
			t.Fatalf("%s wrote %d lines", tc.cmd, len(lines))
		}
		for i := range want {
			if !sameJSON(t, lines[i], want[i]) {
				t.Errorf("%s line %d:\n got %.400s\nwant %.400s", tc.cmd, i, lines[i], want[i])
			}
		}
		if !strings.Contains(lines[4], `"error":"field id: unknown entry \"multi_turn_base_99999\""`) ||
			!strings.Contains(lines[5], `"error":"invalid JSON`) {
			t.Errorf("%s error lines:\n%s\n%s", tc.cmd, lines[4], lines[5])
		}
	}
}

// sameJSON compares two JSON texts as values (the input went through Go's
// encoder, which reorders keys).
func sameJSON(t *testing.T, a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// TestBfclReplayGoesOnAfterAnOversizedCall replays a line whose first call
// builds about a gigabyte from 100 bytes, between two ordinary lines: that
// call's output is the size error, its next call and the other lines are
// replayed as usual.
func TestBfclReplayGoesOnAfterAnOversizedCall(t *testing.T) {
	data := bfclData(t)
	dir := t.TempDir()
	input := filepath.Join(dir, "in.jsonl")
	output := filepath.Join(dir, "out.jsonl")
	lines := []string{
		`{"id": "multi_turn_base_0", "calls": [{"call": "pwd()"}]}`,
		`{"id": "multi_turn_base_0", "calls": [{"call": "echo(content=[[['A'*1024]*1024]*1024])"}, {"call": "pwd()"}]}`,
		`{"id": "multi_turn_base_1", "calls": [{"call": "pwd()"}]}`,
	}
	if err := os.WriteFile(input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "--data-dir", data, "bfcl", "replay", "--input", input, "--output", output)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "3 lines, 0 with an error") {
		t.Errorf("summary: %q", stderr)
	}
	got, _ := os.ReadFile(output)
	var outs [][]string
	for _, l := range strings.Split(strings.TrimSuffix(string(got), "\n"), "\n") {
		var m struct {
			Calls []struct{ Output string } `json:"calls"`
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %.200q: %v", l, err)
		}
		var o []string
		for _, c := range m.Calls {
			o = append(o, c.Output)
		}
		outs = append(outs, o)
	}
	if len(outs) != 3 || len(outs[1]) != 2 {
		t.Fatalf("outputs %.400q", outs)
	}
	if !strings.HasPrefix(outs[1][0], "Error during execution: value too large") {
		t.Errorf("oversized call's output %.200q", outs[1][0])
	}
	for _, o := range []string{outs[0][0], outs[1][1], outs[2][0]} {
		if !strings.Contains(o, "current_working_directory") {
			t.Errorf("pwd() output %.200q", o)
		}
	}
}
