package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// modulePackages lists every package of the module with `go list -json`,
// internal/testdata included (./... leaves out folders named testdata).
func modulePackages(t *testing.T) []Package {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-e", "-json", "./...", "./internal/testdata")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v\n%s", root, err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages in %s; expected the whole module", len(pkgs), root)
	}
	return pkgs
}

// The module as it stands keeps every rule but the listed exceptions, and
// every exception is still needed.
func TestModuleKeepsTheLayering(t *testing.T) {
	bad, unused := Check(modulePackages(t), Components, Exceptions, TestOnly)
	for _, v := range bad {
		t.Errorf("%s", v)
	}
	for _, e := range unused {
		t.Errorf("exception %s → %s (test %v) is no longer needed; remove it from layers.Exceptions", e.From, e.To, e.Test)
	}
}

// Check finds each kind of violation in a made-up module, and passes the
// imports the rules allow.
func TestCheckFindsPlantedViolations(t *testing.T) {
	m := func(rel ...string) []string {
		var out []string
		for _, r := range rel {
			out = append(out, Module+"/"+r)
		}
		return out
	}
	cases := []struct {
		name string
		pkg  Package
		want string // a part of the one violation expected; "" for none
	}{
		{"downward import", Package{ImportPath: Module + "/harness", Imports: m("algorithms", "harness/env")}, ""},
		{"within a component", Package{ImportPath: Module + "/bfcl", Imports: m("bfcl/py", "harness/env")}, ""},
		{"standard library and other modules", Package{ImportPath: Module + "/kernels", Imports: []string{"fmt", "golang.org/x/sys/cpu"}}, ""},
		{"upward import", Package{ImportPath: Module + "/policy/transformer", Imports: m("harness")},
			"policy/transformer imports harness: policy may import only kernels"},
		{"environment importing the harness", Package{ImportPath: Module + "/appworld/native", Imports: m("harness/config")},
			"appworld may import only harness/env"},
		{"environment importing another", Package{ImportPath: Module + "/bfcl", Imports: m("appworld")},
			"bfcl may import only harness/env"},
		{"an environment's internals", Package{ImportPath: Module + "/benchmarks", Imports: m("bfcl/procgen")},
			"bfcl/procgen is an internal package of the bfcl environment"},
		{"harness/env importing the harness", Package{ImportPath: Module + "/harness/env/counter", Imports: m("harness")},
			"harness/env may import only nothing outside itself"},
		{"reports reading live objects", Package{ImportPath: Module + "/reports", Imports: m("harness")},
			"reports may import only harness/metrics"},
		{"upward import in a test", Package{ImportPath: Module + "/algorithms", TestImports: m("benchmarks")},
			"algorithms imports in its tests benchmarks"},
		{"test helper outside tests", Package{ImportPath: Module + "/cmd/seeupo", Imports: m("internal/testdata")},
			"internal/testdata is for tests"},
		{"test helper in a test", Package{ImportPath: Module + "/bfcl", XTestImports: m("internal/testdata")}, ""},
		{"folder in no component", Package{ImportPath: Module + "/tools/gen", Imports: m("kernels")},
			"the importer is in no component"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad, _ := Check([]Package{tc.pkg}, Components, nil, TestOnly)
			switch {
			case tc.want == "" && len(bad) != 0:
				t.Errorf("allowed import reported: %v", bad)
			case tc.want != "" && (len(bad) != 1 || !strings.Contains(bad[0].String(), tc.want)):
				t.Errorf("got %v, want one violation containing %q", bad, tc.want)
			}
		})
	}
}

// An exception covers exactly its import, and one no import uses is
// reported.
func TestExceptions(t *testing.T) {
	pkg := Package{ImportPath: Module + "/cmd/seeupo", Imports: []string{Module + "/appworld/native"}}
	exc := []Exception{
		{From: "cmd/seeupo", To: "appworld/native", Reason: "r"},
		{From: "cmd/seeupo", To: "bfcl/py", Test: true, Reason: "r"},
	}
	bad, unused := Check([]Package{pkg}, Components, exc, nil)
	if len(bad) != 0 || len(unused) != 1 || unused[0].To != "bfcl/py" {
		t.Errorf("bad %v, unused %v", bad, unused)
	}
	testOnly := []Exception{{From: "cmd/seeupo", To: "appworld/native", Test: true, Reason: "r"}}
	if bad, _ := Check([]Package{pkg}, Components, testOnly, nil); len(bad) != 1 {
		t.Errorf("a test-only exception excused a non-test import: %v", bad)
	}
}

// Every exception says why.
func TestExceptionsGiveReasons(t *testing.T) {
	for _, e := range Exceptions {
		if strings.TrimSpace(e.Reason) == "" {
			t.Errorf("exception %s → %s has no reason", e.From, e.To)
		}
	}
}
