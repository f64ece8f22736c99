package ticket_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/ticket"
	"github.com/seeupo/seeupo/bfcl/py"
)

func sharedConfig(t *testing.T, src string) *py.Dict {
	t.Helper()
	v, err := py.FromJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*py.Dict)
}

// The ticket backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a value a method or State handed out) never
// reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	root := sharedConfig(t, `{"TicketAPI": {"ticket_queue": [{"id": 1, "title": "a", "description": "d",
		"status": "Open", "priority": 2, "created_by": "u"}], "ticket_counter": 2, "current_user": "u"}}`)
	before := py.EncodeState(root)
	c, err := backend.Lookup(ticket.ClassName)
	if err != nil {
		t.Fatal(err)
	}
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(nil), root, false)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	call := func(inst backend.Instance, name string, args ...py.Value) py.Value {
		t.Helper()
		v, err := c.Call(inst, name, args, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	fresh := backend.EncodeState(build())
	inst := build()
	edits := []struct {
		name string
		do   func()
	}{
		{"create_ticket", func() { call(inst, "create_ticket", py.Str("t"), py.Str("x"), py.Int(3)) }},
		{"edit_ticket", func() {
			call(inst, "edit_ticket", py.Int(1), py.NewDict().With("title", py.Str("b")))
		}},
		{"close_ticket", func() { call(inst, "close_ticket", py.Int(1)) }},
		{"get_ticket", func() {
			if err := py.SetItem(call(inst, "get_ticket", py.Int(1)), py.Str("status"), py.Str("gone")); err != nil {
				t.Fatal(err)
			}
		}},
		{"state", func() {
			for _, a := range inst.State() {
				if a.Name == "ticket_queue" {
					if err := py.ListAppend(a.Value, py.Int(1)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}},
	}
	for _, e := range edits {
		e.do()
		if got := py.EncodeState(root); got != before {
			t.Errorf("%s: the config changed:\n%s\nwant\n%s", e.name, got, before)
		}
		if got := backend.EncodeState(build()); got != fresh {
			t.Errorf("%s: a later instance starts from\n%s\nwant\n%s", e.name, got, fresh)
		}
	}
}

// Built from the config itself, an instance has the state of one loaded
// from a deep copy of it (the path without ReadsConfig), aliasing
// between kept values included.
func TestReadsConfigMatchesADeepCopy(t *testing.T) {
	c, err := backend.Lookup(ticket.ClassName)
	if err != nil {
		t.Fatal(err)
	}
	list := py.NewList(py.Int(1))
	aliased := py.NewDict().With("ticket_queue", list).With("current_user", list)
	for _, cfg := range []*py.Dict{
		py.NewDict(),
		sharedConfig(t, `{"ticket_queue": [{"id": 1}], "ticket_counter": 5, "current_user": "u", "other": [1]}`),
		sharedConfig(t, `{"ticket_counter": "x"}`),
		aliased,
	} {
		got, err := c.Build(backend.NewProcess(nil), py.NewDict().With(ticket.ClassName, cfg), false)
		if err != nil {
			t.Fatal(err)
		}
		want := c.New(backend.NewProcess(nil))
		if err := want.LoadScenario(py.DeepCopy(cfg).(*py.Dict), false); err != nil {
			t.Fatal(err)
		}
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			t.Errorf("config %s: state\n%s\nwant\n%s", py.Repr(cfg), g, w)
		}
	}
	inst, err := c.Build(backend.NewProcess(nil), py.NewDict().With(ticket.ClassName, aliased), false)
	if err != nil {
		t.Fatal(err)
	}
	st := inst.State()
	if err := py.ListAppend(st[0].Value, py.Int(2)); err != nil {
		t.Fatal(err)
	}
	if g, w := py.Repr(st[2].Value), "[1, 2]"; g != w {
		t.Errorf("aliased values were copied apart: current_user %s, want %s", g, w)
	}
	if g, w := py.Repr(list), "[1]"; g != w {
		t.Errorf("the config changed: %s, want %s", g, w)
	}
}
