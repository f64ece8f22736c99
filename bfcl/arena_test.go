package bfcl

import (
	"reflect"
	"strings"
	"testing"
)

// Parsing with a reused arena gives the same trees as parsing on the
// heap, for every ground-truth call and for nested, keyword-heavy and
// failing calls, with the arena released between calls as the executor
// does.
func TestArenaParsesLikeHeap(t *testing.T) {
	d := loadDataset(t)
	srcs := []string{
		`f(a, *b, c=1, **d)`, `f(g(1, h(2, x=[3, {4: 5}]), y='z'), k=g(**m))`, `a.b.c(1)(2)[3]`,
		`f(x=1, 2)`, `f(**a, *b)`, `f(1,`, `f(x=1, x=2)`, `(1, f(2), [g(3)])`, `-f(+1) * 2 ** g()`,
	}
	for _, e := range d.All() {
		for _, turn := range e.GroundTruth {
			srcs = append(srcs, turn...)
		}
	}
	for _, src := range srcs {
		want, wantErr := ParseExpr(src, "<string>")
		ar := astArenas.Get().(*astArena)
		got, gotErr := parseExpr(src, "<string>", ar)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, want %v", src, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: arena tree differs from the heap tree", src)
		}
		ar.release()
	}
}

// A call of instance.method with plain arguments (the direct path of
// evalCall) gives what the same call through the general path gives: the
// callee written as [instance.method][0] is evaluated as an expression.
// Both run the ground truth of every entry, plus calls that fail
// binding, on fresh executors.
func TestDirectCallsMatchTheGeneralPath(t *testing.T) {
	d := loadDataset(t)
	extra := []string{"cd()", "cd(1, 2, 3)", "cd(foo=1)", "ls(a=True, a=False)", "mean()", "mean(numbers=[1, 2], x=1)", "add(1, b=2, a=3)"}
	for _, e := range d.All() {
		direct, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		general, err := d.NewExecutor(e, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var calls []string
		for _, turn := range e.GroundTruth {
			calls = append(calls, turn...)
		}
		calls = append(calls, extra...)
		for _, c := range calls {
			name, rest, ok := strings.Cut(c, "(")
			if !ok {
				continue
			}
			idx, owned := general.owner(name)
			if !owned {
				continue
			}
			alt := "[" + general.varNames[idx] + "." + name + "][0](" + rest
			if got, want := direct.ExecuteOne(c), general.ExecuteOne(alt); got != want {
				t.Fatalf("%s: %s gives %q, %s gives %q", e.ID, c, got, alt, want)
			}
		}
	}
}
