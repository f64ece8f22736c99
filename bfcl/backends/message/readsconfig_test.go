package message_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/backends/message"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The message backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a value a method or State handed out) never
// reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	h := configtest.New(t, message.ClassName, configtest.FromJSON(t, `{"MessageAPI": {"user_count": 2,
		"current_user": "USR001", "user_map": {"Alice": "USR001", "Bob": "USR002"}, "inbox": [{"USR002": "hi"}],
		"message_count": 1, "random_seed": 7}}`))
	h.CheckEdits(methodEdits(t, h, func(a py.Attr) error {
		switch a.Name {
		case "inbox":
			return py.ListAppend(a.Value, py.Int(1))
		case "user_map":
			return py.SetItem(a.Value, py.Str("Dan"), py.Str("USR009"))
		}
		return nil
	}))
}

// Built from the config itself, an instance has the state of one loaded
// from a deep copy of it (the path without ReadsConfig), aliasing
// between kept values included.
func TestReadsConfigMatchesADeepCopy(t *testing.T) {
	list := py.NewList(py.Int(1))
	aliased := py.NewDict().With("inbox", list).With("current_user", list)
	h := configtest.New(t, message.ClassName, py.NewDict().With(message.ClassName, aliased))
	h.MatchesDeepCopy(
		py.NewDict(),
		configtest.FromJSON(t, `{"user_count": 2, "current_user": "USR001", "user_map": {"Alice": "USR001"},
			"inbox": [{"USR001": "hi"}], "message_count": 1, "generated_ids": [3], "other": [1]}`),
		configtest.FromJSON(t, `{"message_count": "x", "random_seed": 3}`),
		aliased,
	)
	h.CheckAliasKept(list, "inbox", "current_user")
}

// An instance built without user_map and inbox holds copies of the
// defaults, made once: changes through it never reach another instance.
func TestDefaultsAreNotShared(t *testing.T) {
	h := configtest.New(t, message.ClassName, configtest.FromJSON(t, `{"MessageAPI": {"current_user": "USR001"}}`))
	h.CheckEdits(methodEdits(t, h, func(a py.Attr) error {
		switch a.Name {
		case "inbox":
			return py.SetItem(a.Value.(*py.List).Items[0], py.Str("USR004"), py.Str("changed"))
		case "user_map":
			return py.SetItem(a.Value, py.Str("Alice"), py.Str("USR009"))
		}
		return nil
	}))
}

// Instances built at once from the defaults change their own inbox and
// user map only.
func TestConcurrentInstances(t *testing.T) {
	h := configtest.New(t, message.ClassName, configtest.FromJSON(t, `{"MessageAPI": {"current_user": "USR001"}}`))
	h.CheckConcurrent(8, func(inst backend.Instance) error {
		if _, err := h.Class.Call(inst, "send_message", []py.Value{py.Str("USR002"), py.Str("yo")}, nil); err != nil {
			return err
		}
		if _, err := h.Class.Call(inst, "add_contact", []py.Value{py.Str("Carol")}, nil); err != nil {
			return err
		}
		st := inst.State()
		return py.SetItem(st[3].Value.(*py.List).Items[0], py.Str("USR002"), py.Str("changed"))
	})
}

// methodEdits are the edits both leak tests make through an instance: a
// message sent, a contact added, a message deleted, then changeState
// applied to each attribute State hands out.
func methodEdits(t *testing.T, h *configtest.Harness, changeState func(py.Attr) error) func(backend.Instance) []configtest.Edit {
	return func(inst backend.Instance) []configtest.Edit {
		return []configtest.Edit{
			{Name: "send_message", Do: func() { h.Call(inst, "send_message", py.Str("USR002"), py.Str("yo")) }},
			{Name: "add_contact", Do: func() { h.Call(inst, "add_contact", py.Str("Carol")) }},
			{Name: "delete_message", Do: func() { h.Call(inst, "delete_message", py.Str("USR002")) }},
			{Name: "state", Do: func() {
				for _, a := range inst.State() {
					if err := changeState(a); err != nil {
						t.Fatal(err)
					}
				}
			}},
		}
	}
}
