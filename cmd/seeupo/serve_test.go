package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// tinyModelDir saves a random tiny model with a tokenizer trained on BFCL
// words, enough positions for the quick suite's contexts.
func tinyModelDir(t *testing.T) string {
	t.Helper()
	corpus := []string{"You call functions to do what the user asks. Reply with calls only, as a Python list",
		"Functions:", "system\n", "user\n", "assistant\n", "file_name", "str", "int", "float", "bool", "list", "dict",
		"directory", "the current directory", "Change the current working directory", "List the contents"}
	tok, err := tokenizer.Train(corpus, 500, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxPositionEmbeddings = 1024
	m, err := models.CPU(1).New(cfg, 3, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := m.Save(dir, safetensors.F32); err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(filepath.Join(dir, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startServe runs `seeupo serve` on a free port until the test ends and
// returns its API root.
func startServe(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--checkpoint", dir, "--addr", "127.0.0.1:0", "--model", "tiny"}, out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("seeupo serve: %v", err)
		}
	})
	addr := regexp.MustCompile(`on (http://\S+/v1)`)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("seeupo serve ended: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("seeupo serve did not print its address: %q", out.String())
	return ""
}

// `seeupo eval --policy openai` through `seeupo serve` gives the
// evaluation that `seeupo eval --checkpoint` gives in process, sample for
// sample, on the bfcl_gen family.
func TestEvalThroughServeEqualsInProcess(t *testing.T) {
	dir := tinyModelDir(t)
	base := startServe(t, dir)
	common := []string{"eval", "--suite", "quick", "--family", "bfcl_gen", "--split", "test", "--samples", "2",
		"--tasks", "6", "--json"}
	native, _, err := runCLI(t, append(common, "--checkpoint", dir)...)
	if err != nil {
		t.Fatal(err)
	}
	served, stderr, err := runCLI(t, append(common, "--policy", "openai", "--base-url", base, "--model", "tiny",
		"--tokenizer", filepath.Join(dir, "tokenizer.json"))...)
	if err != nil {
		t.Fatal(err)
	}
	var a, b metrics.Eval
	if err := json.Unmarshal([]byte(native), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(served), &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 6 || !reflect.DeepEqual(a, b) {
		t.Errorf("through the server:\n%s\nin process:\n%s", served, native)
	}
	// Generation happened: the server answered requests with tokens.
	m := regexp.MustCompile(`remote policy: (\d+) requests \(0 failed, \d+ retries\), \d+ prompt \+ (\d+) completion tokens`).FindStringSubmatch(stderr)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Errorf("no usage line with requests and completion tokens in %q", stderr)
	}
}

func TestEvalPolicyFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"eval"}, "--checkpoint: give a model directory"},
		{[]string{"eval", "--policy", "gpt"}, `--policy "gpt": known policies are native, openai`},
		{[]string{"eval", "--policy", "openai", "--model", "m"}, "--policy openai needs --base-url"},
		{[]string{"eval", "--policy", "openai", "--base-url", "http://127.0.0.1:1/v1", "--model", "m"}, "needs the served model's tokenizer.json"},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
