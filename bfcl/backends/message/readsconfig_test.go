package message_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/message"
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

// The message backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a value a method or State handed out) never
// reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	root := sharedConfig(t, `{"MessageAPI": {"user_count": 2, "current_user": "USR001",
		"user_map": {"Alice": "USR001", "Bob": "USR002"}, "inbox": [{"USR002": "hi"}],
		"message_count": 1, "random_seed": 7}}`)
	before := py.EncodeState(root)
	c, err := backend.Lookup(message.ClassName)
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
		{"send_message", func() { call(inst, "send_message", py.Str("USR002"), py.Str("yo")) }},
		{"add_contact", func() { call(inst, "add_contact", py.Str("Carol")) }},
		{"delete_message", func() { call(inst, "delete_message", py.Str("USR002")) }},
		{"state", func() {
			for _, a := range inst.State() {
				switch a.Name {
				case "inbox":
					if err := py.ListAppend(a.Value, py.Int(1)); err != nil {
						t.Fatal(err)
					}
				case "user_map":
					if err := py.SetItem(a.Value, py.Str("Dan"), py.Str("USR009")); err != nil {
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
	c, err := backend.Lookup(message.ClassName)
	if err != nil {
		t.Fatal(err)
	}
	list := py.NewList(py.Int(1))
	aliased := py.NewDict().With("inbox", list).With("current_user", list)
	for _, cfg := range []*py.Dict{
		py.NewDict(),
		sharedConfig(t, `{"user_count": 2, "current_user": "USR001", "user_map": {"Alice": "USR001"},
			"inbox": [{"USR001": "hi"}], "message_count": 1, "generated_ids": [3], "other": [1]}`),
		sharedConfig(t, `{"message_count": "x", "random_seed": 3}`),
		aliased,
	} {
		got, err := c.Build(backend.NewProcess(nil), py.NewDict().With(message.ClassName, cfg), false)
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
	inst, err := c.Build(backend.NewProcess(nil), py.NewDict().With(message.ClassName, aliased), false)
	if err != nil {
		t.Fatal(err)
	}
	st := inst.State()
	if err := py.ListAppend(st[3].Value, py.Int(2)); err != nil {
		t.Fatal(err)
	}
	if g, w := py.Repr(st[5].Value), "[1, 2]"; g != w {
		t.Errorf("aliased values were copied apart: current_user %s, want %s", g, w)
	}
	if g, w := py.Repr(list), "[1]"; g != w {
		t.Errorf("the config changed: %s, want %s", g, w)
	}
}
