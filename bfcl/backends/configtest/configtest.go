// Package configtest checks that a backend class built from
// initial_config itself (backend.Class.ReadsConfig) keeps copies of the
// config's values: changes made through one instance never reach the
// config nor another instance built from it, and an instance built from a
// config has the state of one loaded from a deep copy of it.
//
// It is used by the backend packages' tests.
package configtest

import (
	"sync"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// shown is how many bytes of a state or config a failure message shows.
const shown = 2000

// FromJSON parses src, a JSON object, failing the test on error.
func FromJSON(t *testing.T, src string) *py.Dict {
	t.Helper()
	v, err := py.FromJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*py.Dict)
}

// Harness builds instances of one class from one root config (the
// initial_config, keyed by class name), each in a process of its own.
type Harness struct {
	T     *testing.T
	Class *backend.Class
	// Root is the config every instance is built from.
	Root *py.Dict
	// Consts are the constants of the instances' processes (nil: none).
	Consts *backend.Constants
	// LongContext is the mode the instances are built in.
	LongContext bool
	// before is the encoding of Root when the harness was made.
	before string
}

// New looks up the class and returns a harness that builds it from root,
// with no constants, not in long-context mode. It records root's state,
// which CheckEdits wants unchanged.
func New(t *testing.T, className string, root *py.Dict) *Harness {
	t.Helper()
	c, err := backend.Lookup(className)
	if err != nil {
		t.Fatal(err)
	}
	return &Harness{T: t, Class: c, Root: root, before: py.EncodeState(root)}
}

// Build builds an instance from the root config, failing the test on
// error.
func (h *Harness) Build() backend.Instance {
	h.T.Helper()
	inst, err := h.Class.Build(backend.NewProcess(h.Consts), h.Root, h.LongContext)
	if err != nil {
		h.T.Fatal(err)
	}
	return inst
}

// Call calls the method name of inst with positional args, failing the
// test on error.
func (h *Harness) Call(inst backend.Instance, name string, args ...py.Value) py.Value {
	h.T.Helper()
	v, err := h.Class.Call(inst, name, args, nil)
	if err != nil {
		h.T.Fatalf("%s: %v", name, err)
	}
	return v
}

// Edit is one change made through an instance, named in failure messages.
type Edit struct {
	Name string
	Do   func()
}

// CheckEdits records the state of a newly built instance, builds another
// one, hands it to edits for the changes to make through it, and makes
// them in order. After each it checks that the root config is as it was
// when the harness was made and that a newly built instance still starts
// from the recorded state.
func (h *Harness) CheckEdits(edits func(inst backend.Instance) []Edit) {
	h.T.Helper()
	fresh := backend.EncodeState(h.Build())
	for _, e := range edits(h.Build()) {
		e.Do()
		h.checkUnchanged(e.Name+": ", fresh)
	}
}

// checkUnchanged checks that the root config is as it was when the
// harness was made and that a newly built instance starts from fresh;
// prefix starts each failure message.
func (h *Harness) checkUnchanged(prefix, fresh string) {
	h.T.Helper()
	if got := py.EncodeState(h.Root); got != h.before {
		h.T.Errorf("%sthe config changed:\n%.*s\nwant\n%.*s", prefix, shown, got, shown, h.before)
	}
	if got := backend.EncodeState(h.Build()); got != fresh {
		h.T.Errorf("%sa later instance starts from\n%.*s\nwant\n%.*s", prefix, shown, got, shown, fresh)
	}
}

// CheckConcurrent builds n instances at once, each in a goroutine of its
// own with a process of its own, and calls edit on each, which changes it
// (edit's error fails the test). Afterwards the root config and a newly
// built instance must be as before. Run with -race, it finds writes to
// data the instances share.
func (h *Harness) CheckConcurrent(n int, edit func(inst backend.Instance) error) {
	h.T.Helper()
	fresh := backend.EncodeState(h.Build())
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			inst, err := h.Class.Build(backend.NewProcess(h.Consts), h.Root, h.LongContext)
			if err == nil {
				err = edit(inst)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			h.T.Error(err)
		}
	}
	h.checkUnchanged("", fresh)
}

// MatchesDeepCopy checks that an instance built from each of cfgs itself
// (through Build, with the config under the class name) has the state of
// one loaded from a deep copy of it (the path without ReadsConfig), in
// the harness's mode and with its constants. The root config is not used.
func (h *Harness) MatchesDeepCopy(cfgs ...*py.Dict) {
	h.T.Helper()
	for _, cfg := range cfgs {
		got, err := h.Class.Build(backend.NewProcess(h.Consts), py.NewDict().With(h.Class.Name, cfg), h.LongContext)
		if err != nil {
			h.T.Fatal(err)
		}
		want := h.Class.New(backend.NewProcess(h.Consts))
		if err := want.LoadScenario(py.DeepCopy(cfg).(*py.Dict), h.LongContext); err != nil {
			h.T.Fatal(err)
		}
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			h.T.Errorf("long_context=%v, config %.*s: state\n%.*s\nwant\n%.*s",
				h.LongContext, shown, py.Repr(cfg), shown, g, shown, w)
		}
	}
}

// KeyConfigs are configs for comparing a one-pass config loader with one
// look-up per key: one config per key holding only that key (a str value
// naming it), an empty one, and one with every key (int values in order)
// followed by an int key 7, which no loader knows.
func KeyConfigs(t *testing.T, keys ...string) []*py.Dict {
	t.Helper()
	var configs []*py.Dict
	all := py.NewDict()
	for i, k := range keys {
		configs = append(configs, py.NewDict().With(k, py.Str("value of "+k)))
		all.SetStr(k, py.Int(i))
	}
	if err := all.Set(py.Int(7), py.Str("int key")); err != nil {
		t.Fatal(err)
	}
	return append(configs, py.NewDict(), all)
}

// CheckAliasKept checks, for a root config in which the attributes
// changed and other hold one list (alias, [1]), that a built instance
// keeps them one list, its own: 2 appended through changed shows in
// other, and not in the config.
func (h *Harness) CheckAliasKept(alias *py.List, changed, other string) {
	h.T.Helper()
	attrs := map[string]py.Value{}
	for _, a := range h.Build().State() {
		attrs[a.Name] = a.Value
	}
	if err := py.ListAppend(attrs[changed], py.Int(2)); err != nil {
		h.T.Fatal(err)
	}
	if g, w := py.Repr(attrs[other]), "[1, 2]"; g != w {
		h.T.Errorf("aliased values were copied apart: %s %s, want %s", other, g, w)
	}
	if g, w := py.Repr(alias), "[1]"; g != w {
		h.T.Errorf("the config changed: %s, want %s", g, w)
	}
}
