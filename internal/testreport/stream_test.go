package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ev renders one go test -json line.
func ev(action, pkg, test, output string) string {
	s := `{"Action":"` + action + `","Package":"` + pkg + `"`
	if test != "" {
		s += `,"Test":"` + test + `"`
	}
	if output != "" {
		s += `,"Output":` + quote(output)
	}
	return s + `,"Elapsed":0.5}`
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func TestReadStream(t *testing.T) {
	cases := []struct {
		name      string
		lines     []string
		failed    bool
		skips     []Skip
		printed   []string // substrings of what is printed
		unprinted []string
	}{
		{"pass", []string{ev("run", "p", "TestA", ""), ev("output", "p", "TestA", "=== RUN   TestA\n"),
			ev("pass", "p", "TestA", ""), ev("output", "p", "", "PASS\n"),
			ev("output", "p", "", "ok  \tp\t0.500s\n"), ev("pass", "p", "", "")},
			false, nil, []string{"ok  \tp\t0.500s"}, []string{"=== RUN", "PASS"}},
		{"skip with reason", []string{ev("output", "p", "TestB", "=== RUN   TestB\n"),
			ev("output", "p", "TestB", "    b_test.go:9: needs torch: apt install python3-torch\n"),
			ev("output", "p", "TestB", "--- SKIP: TestB (0.00s)\n"), ev("skip", "p", "TestB", ""), ev("pass", "p", "", "")},
			false, []Skip{{Package: "p", Test: "TestB", Reason: "b_test.go:9: needs torch: apt install python3-torch"}},
			nil, []string{"needs torch"}},
		{"skip without reason", []string{ev("skip", "p", "TestC", ""), ev("pass", "p", "", "")},
			false, []Skip{{Package: "p", Test: "TestC", Reason: "(no reason given)"}}, nil, nil},
		{"failure prints its output", []string{ev("output", "p", "TestD", "=== RUN   TestD\n"),
			ev("output", "p", "TestD", "    d_test.go:3: got 1, want 2\n"), ev("output", "p", "TestD", "--- FAIL: TestD (0.00s)\n"),
			ev("fail", "p", "TestD", ""), ev("output", "p", "", "FAIL\n"), ev("output", "p", "", "FAIL\tp\t0.500s\n"), ev("fail", "p", "", "")},
			true, nil, []string{"got 1, want 2", "--- FAIL: TestD", "FAIL\tp\t0.500s"}, []string{"=== RUN"}},
		{"build failure", []string{"# p [p.test]", "./x.go:1:1: syntax error", ev("build-fail", "p", "", "")},
			true, nil, []string{"syntax error"}, nil},
		{"build output events", []string{`{"ImportPath":"p [p.test]","Action":"build-output","Output":"./y.go:2:3: undefined: z\n"}`,
			`{"ImportPath":"p [p.test]","Action":"build-fail"}`, ev("fail", "p", "", "")},
			true, nil, []string{"undefined: z"}, nil},
		{"a test that never ends", []string{ev("output", "p", "TestE", "=== RUN   TestE\n"),
			ev("output", "p", "TestE", "panic: test timed out after 10m0s\n"), ev("output", "p", "", "FAIL\tp\t600.0s\n"), ev("fail", "p", "", "")},
			true, nil, []string{"panic: test timed out", "FAIL\tp"}, nil},
		{"no test files", []string{ev("output", "q", "", "?   \tq\t[no test files]\n"), ev("skip", "q", "", "")},
			false, nil, []string{"?   \tq\t[no test files]"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			r, err := readStream(strings.NewReader(strings.Join(c.lines, "\n")+"\n"), &out)
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed != c.failed || !reflect.DeepEqual(r.Skips, c.skips) {
				t.Errorf("failed %v skips %+v; want %v %+v", r.Failed, r.Skips, c.failed, c.skips)
			}
			for _, p := range c.printed {
				if !strings.Contains(out.String(), p) {
					t.Errorf("printed %q, want it to contain %q", out.String(), p)
				}
			}
			for _, p := range c.unprinted {
				if strings.Contains(out.String(), p) {
					t.Errorf("printed %q, want no %q", out.String(), p)
				}
			}
		})
	}
}

func TestRunStreamStatus(t *testing.T) {
	for _, c := range []struct {
		stream string
		want   int
	}{
		{ev("pass", "p", "", ""), 0},
		{ev("fail", "p", "TestX", "") + "\n" + ev("fail", "p", "", ""), 1},
	} {
		if got := runStream(strings.NewReader(c.stream+"\n"), &strings.Builder{}, "", ""); got != c.want {
			t.Errorf("status %d for %s, want %d", got, c.stream, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.skips"), filepath.Join(dir, "b.skips")
	if err := writeSkips(a, "unit", []Skip{{Package: "p", Test: "TestA", Reason: "needs docker"},
		{Package: "q", Test: "TestB", Reason: "needs torch"}}); err != nil {
		t.Fatal(err)
	}
	if err := writeSkips(b, "race", []Skip{{Package: "p", Test: "TestA", Reason: "needs docker"}}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printSummary(&out, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	want := "skipped tests: 3, for 2 reasons (not checked on this machine):\n" +
		"  needs docker\n    p TestA (race)\n    p TestA (unit)\n" +
		"  needs torch\n    q TestB (unit)\n"
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}
	empty := filepath.Join(dir, "empty.skips")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := printSummary(&out, []string{empty}); err != nil || out.String() != "skipped tests: none\n" {
		t.Errorf("no skips: %q %v", out.String(), err)
	}
}
