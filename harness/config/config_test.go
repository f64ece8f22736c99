package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // substrings the error must contain
	}{
		{"unknown top-level key", "device: cpu\nbatch_sise: 3\n",
			[]string{`run.yaml:2`, `unknown key "batch_sise"`, "allowed keys: algorithm, appworld, data_dir, device, env, log, model, out_dir, rl, seed, threads"}},
		{"unknown nested key", "log:\n  level: info\n  colour: red\n",
			[]string{`run.yaml:3`, `unknown key "log.colour"`, `in section "log"`, "allowed keys: format, level"}},
		{"section given a scalar", "log: loud\n",
			[]string{`run.yaml:1`, `"log" is a section`, "allowed keys: format, level"}},
		{"wrong type for integer", "threads: many\n",
			[]string{`run.yaml:1`, `setting "threads" must be an integer >= 0`, `got "many"`}},
		{"list for integer", "seed: [1, 2]\n",
			[]string{`run.yaml:1`, `setting "seed" must be an integer >= 0`, "got a list"}},
		{"fraction for integer", "threads: 1.5\n",
			[]string{`setting "threads"`, "got 1.5"}},
		{"value not allowed", "device: tpu\n",
			[]string{`run.yaml:1`, `setting "device" must be one of cpu, cuda`, `got "tpu"`}},
		{"below minimum", "\n\nthreads: -2\n",
			[]string{`run.yaml:3`, `setting "threads" must be an integer >= 0`, "got -2"}},
		{"not a number", "algorithm:\n  lr: .nan\n",
			[]string{`run.yaml:2`, `setting "algorithm.lr"`, "got NaN"}},
		{"infinite", "algorithm:\n  clip_high: .inf\n",
			[]string{`run.yaml:2`, `setting "algorithm.clip_high"`, "got +Inf"}},
		{"top level not a mapping", "- a\n- b\n",
			[]string{`run.yaml:1`, "top level must be a mapping"}},
		{"invalid yaml", "device: [cpu\n",
			[]string{"run.yaml", "invalid YAML"}},
		{"several problems at once", "devise: cpu\nlog:\n  levle: info\n",
			[]string{`unknown key "devise"`, `unknown key "log.levle"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Options{File: writeFile(t, tc.yaml)})
			if err == nil {
				t.Fatalf("Load accepted %q", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, "device: cuda\nthreads: 3\nseed: 7\nlog:\n  level: debug\n")
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.Int("threads", 0, "")
	fs.String("log-level", "info", "")
	if err := fs.Parse([]string{"--threads=5"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEEUPO_THREADS", "4")
	t.Setenv("SEEUPO_SEED", "9")
	t.Setenv("SEEUPO_DATA", "/data/from/env")
	r, err := Load(Options{File: file, Flags: map[string]*pflag.Flag{
		"threads": fs.Lookup("threads"), "log.level": fs.Lookup("log-level")}})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key, got, want, source string
	}{
		{"device", r.Device, "cuda", file + ":1"},
		{"threads", strconv.Itoa(r.Threads), "5", "flag --threads"},
		{"seed", strconv.Itoa(int(r.Seed)), "9", "environment variable SEEUPO_SEED"},
		{"log.level", r.Log.Level, "debug", file + ":5"},
		{"log.format", r.Log.Format, "text", "default"},
		{"out_dir", r.OutDir, "runs", "default"},
		{"data_dir", r.DataDir, "/data/from/env", "environment variable SEEUPO_DATA"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.key, c.got, c.want)
		}
		if r.Sources[c.key] != c.source {
			t.Errorf("source of %s = %q, want %q", c.key, r.Sources[c.key], c.source)
		}
	}
}

func TestEnvironmentValueIsValidated(t *testing.T) {
	t.Setenv("SEEUPO_LOG_FORMAT", "xml")
	_, err := Load(Options{})
	if err == nil || !strings.Contains(err.Error(), "environment variable SEEUPO_LOG_FORMAT") ||
		!strings.Contains(err.Error(), "one of text, json") {
		t.Fatalf("got %v", err)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	file := writeFile(t, "device: cuda\nthreads: 2\nlog:\n  format: json\n")
	r, err := Load(Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.YAML(false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load(Options{File: writeFile(t, string(out))})
	if err != nil {
		t.Fatalf("rendered config does not load: %v\n%s", err, out)
	}
	if again.Config != r.Config {
		t.Fatalf("round trip changed the config:\n%+v\n%+v", r.Config, again.Config)
	}
	commented, err := r.YAML(true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(commented), "device: cuda # "+file+":1") {
		t.Fatalf("sources missing:\n%s", commented)
	}
}

func TestDefaultDataDir(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "main")
	shared := filepath.Join(top, "shared", "data")
	for _, d := range []string{filepath.Join(repo, "sub", "dir"), shared} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module "+ModulePath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, why := DefaultDataDir(filepath.Join(repo, "sub", "dir"))
	if got != shared || !strings.Contains(why, "beside the checkout") {
		t.Fatalf("DefaultDataDir = %q (%s), want %q", got, why, shared)
	}
	elsewhere := t.TempDir()
	got, why = DefaultDataDir(elsewhere)
	if !strings.HasSuffix(got, filepath.Join("seeupo", "data")) || !strings.Contains(why, "cache") {
		t.Fatalf("outside a checkout DefaultDataDir = %q (%s)", got, why)
	}
}

// TestEnvironmentVariablesAreChecked sets one SEEUPO_* variable at a time:
// a misspelt one is named with the closest known name, an unknown one with
// the known list, an empty setting variable is an error, and the
// variables the project reads (settings, SEEUPO_DATA, the tests' own) load.
func TestEnvironmentVariablesAreChecked(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
	}{
		{"SEEUPO_ENV_POOLS", "3", "environment variable SEEUPO_ENV_POOLS is not a setting; did you mean SEEUPO_ENV_POOL?"},
		{"SEEUPO_THREAD", "2", "did you mean SEEUPO_THREADS?"},
		{"SEEUPO_DATADIR", "/d", "did you mean SEEUPO_DATA_DIR?"},
		{"SEEUPO_COMPLETELY_DIFFERENT", "1", "environment variable SEEUPO_COMPLETELY_DIFFERENT is not a setting; known variables: "},
		{"SEEUPO_COMPLETELY_DIFFERENT", "1", "SEEUPO_BFCL_UPSTREAM, SEEUPO_DATA, SEEUPO_DATA_DIR, SEEUPO_DEVICE, "},
		{"SEEUPO_ENV_POOL", "", `environment variable SEEUPO_ENV_POOL is set but empty; give it a value (setting "env.pool": an integer in [1, 256]) or unset it`},
		{"SEEUPO_DATA", "", `environment variable SEEUPO_DATA is set but empty`},
		{"SEEUPO_DATA", "/d", ""},
		{"SEEUPO_ENV_POOL", "8", ""},
		{"SEEUPO_APPWORLD_URLS", "http://127.0.0.1:1", ""},
		{"SEEUPO_BFCL_UPSTREAM", "/src/gorilla", ""},
		{"SEEUPO_TORCH_OPTIONS", "{}", ""},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Setenv(c.name, c.value)
			_, err := Load(Options{})
			if c.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, err := Load(Options{}); err != nil {
		t.Fatalf("the test's own environment: %v", err)
	}
}
