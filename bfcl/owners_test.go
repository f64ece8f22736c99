package bfcl

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
)

// ownerByScan is ownerMethod without a table: the last class that has
// the method.
func ownerByScan(classes []*backend.Class, name string) (int, *backend.Method) {
	for i := len(classes) - 1; i >= 0; i-- {
		if m := classes[i].Method(name); m != nil {
			return i, m
		}
	}
	return 0, nil
}

// The shared owner tables give the owner the scan of the classes gives,
// for every pair of registered classes (a class twice included), a
// single class and four, and every method name plus unknown ones.
func TestOwnerTableMatchesScan(t *testing.T) {
	var all []*backend.Class
	names := map[string]bool{"": true, "unknown_method": true}
	for _, n := range backend.Names() {
		c, err := backend.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
		for _, m := range c.MethodNames() {
			names[m] = true
		}
	}
	if len(all) < 4 {
		t.Fatalf("%d classes registered", len(all))
	}
	sets := [][]*backend.Class{all[:1], all[:4], {all[3], all[1], all[0], all[2]}}
	for _, a := range all {
		for _, b := range all {
			sets = append(sets, []*backend.Class{a, b})
		}
	}
	for _, set := range sets {
		table := ownerTableOf(set)
		if table == nil {
			t.Fatal("no table")
		}
		e := &Executor{classes: set, owners: table}
		for name := range names {
			gotI, gotM := e.ownerMethod(name)
			wantI, wantM := ownerByScan(set, name)
			if gotM != wantM || gotM != nil && gotI != wantI {
				t.Errorf("%v %q: owner %d %p, want %d %p", classNames(set), name, gotI, gotM, wantI, wantM)
			}
		}
	}
}

func classNames(classes []*backend.Class) []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.Name
	}
	return out
}

// Goroutines making and reading tables at once get one table per class
// set (run with -race).
func TestOwnerTablesConcurrent(t *testing.T) {
	var all []*backend.Class
	for _, n := range backend.Names() {
		c, _ := backend.Lookup(n)
		all = append(all, c)
	}
	done := make(chan ownerTable)
	for i := range 8 {
		go func() {
			// Other sets first, so that the goroutines store at once.
			ownerTableOf([]*backend.Class{all[i%len(all)], all[(i+3)%len(all)], all[2]})
			done <- ownerTableOf([]*backend.Class{all[2], all[0], all[1]})
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; len(got) != len(first) || got == nil {
			t.Error("tables of one class set differ")
		}
	}
}
