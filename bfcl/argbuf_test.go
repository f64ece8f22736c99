package bfcl

import (
	"strings"
	"testing"
)

// The fast paths of ExecuteOne (the rewritten text left unwritten, the
// arguments bound into the executor's reused buffer) give, call by call,
// the outputs and states of the general path, on the ground truth and on
// variants of it that fail or take other paths. A backend that kept the
// args slice of a call would fail this: the buffer is cleared after each
// call.
func TestFastPathsMatchGeneral(t *testing.T) {
	huge := strings.Repeat("x", MaxCallValueSize)
	d := loadDataset(t)
	variants := []func(string) string{
		func(c string) string { return c },
		func(c string) string { return c[:len(c)-1] },
		func(c string) string { return strings.Replace(c, "(", " (", 1) },
		func(c string) string { return strings.Replace(c, "(", "(x=1, ", 1) },
		func(c string) string { return strings.Replace(c, "(", "(1, 2, 3, 4, 5, 6, ", 1) },
		func(c string) string { return "kill" + c[strings.IndexByte(c, '('):] },
		func(c string) string { return strings.Replace(c, "(", "(é", 1) },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(a=[1, 'b'], a=2)" },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "([1, 2.5, None, True, 'x'], k=[])" },
		func(c string) string { return strings.Replace(c, "(", "([], ", 1) },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(['" + huge + "'])" },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(1, 2, 3, 4, 5, 6, 7, 8, 9)" },
		func(c string) string { return "no_such_method" + c[strings.IndexByte(c, '('):] },
		// A "(" after the first, in str literals: plain, escaped, after a
		// method name, in a list, after an invalid byte, with a denied name.
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "('a(b', 'c')" },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(x='ls(', y='cd (a)')" },
		func(c string) string { return strings.Replace(c, "(", "('\\n(', ", 1) },
		func(c string) string { return strings.Replace(c, "(", "(['(', 'cd('], ", 1) },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(1, '\xff(', 'a')" },
		func(c string) string { return c[:strings.IndexByte(c, '(')] + "(1, \xff, 'a')" },
		func(c string) string { return "kill('x(y', 2)" },
		func(c string) string { return "kill('x', cd())" },
		func(c string) string { return c + c },
		// Upstream's rewrite changes "name (" in a str argument, which
		// outputs and states show.
		func(c string) string { return strings.Replace(c, "'", "'a (b) cd (c) ", 1) },
		func(c string) string { return strings.Replace(c, "'", "'\\t a (b) ", 1) },
		func(c string) string { return strings.Replace(c, "'", "'a (b) cd (c) ", 1) },
	}
	for i, e := range d.All() {
		fast, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		general, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		general.general = true
		for _, turn := range e.GroundTruth {
			for j, call := range turn {
				if !strings.Contains(call, "(") {
					continue
				}
				// The ground truth itself, and one variant per call.
				for _, v := range []func(string) string{variants[0], variants[(i+j)%len(variants)]} {
					c := v(call)
					got, want := fast.ExecuteOne(c), general.ExecuteOne(c)
					if got != want {
						t.Fatalf("%s: %s: output %q, want %q", e.ID, c, got, want)
					}
					if got, want := fast.State(), general.State(); got != want {
						t.Fatalf("%s: after %s: state\n%s\nwant\n%s", e.ID, c, got, want)
					}
				}
			}
		}
	}
}
