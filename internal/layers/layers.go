// Package layers states who may import whom in this module, and checks a
// list of packages against it. The test beside it runs `go list` on the
// whole module, so a package that imports upward, an environment that
// imports more of the harness than harness/env, or an import of an
// environment's internals fails `go test` with the offending import and
// the rule it breaks. docs/architecture.md shows the same table.
//
// Every import the rules forbid and the tree still has is an Exception
// below, with the reason; an exception that no import needs any more is
// an error too, so the list only shrinks.
package layers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Module is the module path every rule is relative to.
const Module = "github.com/seeupo/seeupo"

// Component is a folder of the module and what its packages may import.
// A package belongs to the component with the longest matching Path;
// imports within one component are always allowed.
type Component struct {
	Path string // relative to Module: "harness/env" covers it and its subfolders
	// MayImport lists other components (their Path) the packages may
	// import; "*" allows every component.
	MayImport []string
	// Environment marks a task environment (bfcl, appworld): outside its
	// own folder only its root package may be imported, its subpackages
	// are its internals.
	Environment bool
}

// Components is the layering: kernels ← policy ← algorithms ← harness ←
// benchmarks ← cmd, with the environments on harness/env alone and
// reports on the run-directory schema alone.
var Components = []Component{
	{Path: "kernels"},
	{Path: "policy", MayImport: []string{"kernels"}},
	{Path: "algorithms", MayImport: []string{"policy", "kernels"}},
	{Path: "harness", MayImport: []string{"algorithms", "policy", "kernels", "harness/env", "harness/config",
		"harness/metrics", "harness/progress", "harness/serve"}},
	{Path: "harness/env"},
	{Path: "harness/config", MayImport: []string{"algorithms"}}, // the algorithm section's allowed names
	{Path: "harness/metrics"},
	{Path: "harness/progress"},
	{Path: "harness/sysinfo"},
	{Path: "harness/container", MayImport: []string{"harness/env"}},
	{Path: "harness/serve", MayImport: []string{"policy", "kernels", "harness/sysinfo"}},
	{Path: "benchmarks", MayImport: []string{"harness", "harness/env", "harness/config", "harness/metrics",
		"harness/progress", "harness/sysinfo", "harness/serve", "algorithms", "policy", "kernels", "bfcl", "appworld",
		"reports"}}, // reports: the theory suite prints its tables with reports' table writer
	{Path: "cmd", MayImport: []string{"*"}},
	{Path: "bfcl", MayImport: []string{"harness/env"}, Environment: true},
	// appworld starts AppWorld's servers as containers with harness/container.
	{Path: "appworld", MayImport: []string{"harness/env", "harness/container"}, Environment: true},
	{Path: "reports", MayImport: []string{"harness/metrics"}},
	{Path: "internal/testdata", MayImport: []string{"harness/config"}},
	{Path: "internal/testreport"},
	{Path: "internal/testswarm"},
	{Path: "internal/testengine"},
	{Path: "internal/layers"},
}

// Exception is an import the rules forbid that the tree keeps, for the
// reason given. Test marks an import made by _test.go files only.
type Exception struct {
	From, To string // package paths relative to Module
	Test     bool
	Reason   string
}

// Exceptions are the imports that break a rule today, each with its
// reason. Remove an entry when its import goes; the check reports an
// entry that no import uses.
var Exceptions = []Exception{
	{From: "cmd/seeupo", To: "bfcl/datafetch",
		Reason: "`seeupo data fetch` downloads the BFCL data with it"},
	{From: "benchmarks", To: "appworld/native", Test: true,
		Reason: "the remote-mode test serves the native world over AppWorld's protocol in process, in place of AppWorld servers"},
	{From: "benchmarks", To: "appworld/protocol", Test: true,
		Reason: "the remote-mode test serves the native world over AppWorld's protocol in process, in place of AppWorld servers"},
	{From: "harness/container", To: "harness/config", Test: true,
		Reason: "the pool test finds the checkout (config.FindCheckout) to build the server binary it puts in a container"},
	{From: "harness/serve", To: "harness", Test: true,
		Reason: "the chat loop is run end to end against the server's taught fixture model, which lives in the server's tests"},
	{From: "harness/serve", To: "harness/env", Test: true,
		Reason: "the chat loop is run end to end against the server's taught fixture model, which lives in the server's tests"},
	{From: "cmd/seeupo", To: "bfcl/backend", Test: true,
		Reason: "the CLI's BFCL tests build a backend's state to compare with the command's output"},
}

// TestOnly are packages meant for tests: only _test.go files and other
// test-only packages may import them, and their own imports are checked
// as a test's are (so they may use each other).
var TestOnly = []string{"internal/testdata", "internal/testswarm", "internal/testengine", "bfcl/backends/replaytest", "bfcl/backends/configtest", "harness/serve/servetest"}

// Package is what the check needs of one package of `go list -json`.
type Package struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// Violation is one import that breaks a rule.
type Violation struct {
	From, To string
	Test     bool
	Rule     string
}

func (v Violation) String() string {
	kind := "imports"
	if v.Test {
		kind = "imports in its tests"
	}
	return fmt.Sprintf("%s %s %s: %s", v.From, kind, v.To, v.Rule)
}

// Check returns every import of pkgs that breaks a rule and is not an
// exception, and the exceptions no import used, sorted.
func Check(pkgs []Package, comps []Component, exc []Exception, testOnly []string) (bad []Violation, unused []Exception) {
	used := make([]bool, len(exc))
	report := func(v Violation) {
		for i, e := range exc {
			if e.From == v.From && e.To == v.To && (e.Test == v.Test || !e.Test && v.Test) {
				used[i] = true
				return
			}
		}
		bad = append(bad, v)
	}
	for _, p := range pkgs {
		from, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		forTests := slices.Contains(testOnly, from)
		for _, to := range moduleImports(p.Imports) {
			if forTests {
				break
			}
			if rule := broken(from, to, comps); rule != "" {
				report(Violation{From: from, To: to, Rule: rule})
			}
			if slices.Contains(testOnly, to) {
				report(Violation{From: from, To: to, Rule: to + " is for tests: import it from _test.go files only"})
			}
		}
		testImports := append(append([]string(nil), p.TestImports...), p.XTestImports...)
		if forTests {
			testImports = append(testImports, p.Imports...)
		}
		for _, to := range moduleImports(testImports) {
			if to == from || slices.Contains(testOnly, to) {
				continue
			}
			if rule := broken(from, to, comps); rule != "" {
				report(Violation{From: from, To: to, Test: true, Rule: rule})
			}
		}
	}
	for i, e := range exc {
		if !used[i] {
			unused = append(unused, e)
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].String() < bad[j].String() })
	return dedupe(bad), unused
}

// broken names the rule the import from → to breaks, or "".
func broken(from, to string, comps []Component) string {
	fc, tc := componentOf(from, comps), componentOf(to, comps)
	switch {
	case fc == nil:
		return "the importer is in no component; add its folder to layers.Components"
	case tc == nil:
		return "the imported package is in no component; add its folder to layers.Components"
	case fc.Path == tc.Path:
		return ""
	case tc.Environment && to != tc.Path:
		return fmt.Sprintf("%s is an internal package of the %s environment; use package %s", to, tc.Path, tc.Path)
	case slices.Contains(fc.MayImport, "*") || slices.Contains(fc.MayImport, tc.Path):
		return ""
	}
	allowed := "nothing outside itself"
	if len(fc.MayImport) > 0 {
		allowed = strings.Join(fc.MayImport, ", ")
	}
	return fmt.Sprintf("%s may import only %s", fc.Path, allowed)
}

// componentOf is the component with the longest path that holds pkg.
func componentOf(pkg string, comps []Component) *Component {
	var best *Component
	for i := range comps {
		c := &comps[i]
		if (pkg == c.Path || strings.HasPrefix(pkg, c.Path+"/")) && (best == nil || len(c.Path) > len(best.Path)) {
			best = c
		}
	}
	return best
}

// moduleImports keeps the imports inside the module, relative to it,
// sorted and without duplicates.
func moduleImports(paths []string) []string {
	var out []string
	for _, p := range paths {
		if rel, ok := relative(p); ok && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

func relative(path string) (string, bool) {
	rel, ok := strings.CutPrefix(path, Module+"/")
	return rel, ok
}

func dedupe(vs []Violation) []Violation {
	var out []Violation
	for i, v := range vs {
		if i == 0 || v != vs[i-1] {
			out = append(out, v)
		}
	}
	return out
}
