package bfcl

import (
	"reflect"
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
