package ticket_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/backends/ticket"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The ticket backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a value a method or State handed out) never
// reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	h := configtest.New(t, ticket.ClassName, configtest.FromJSON(t, `{"TicketAPI": {"ticket_queue": [{"id": 1,
		"title": "a", "description": "d", "status": "Open", "priority": 2, "created_by": "u"}],
		"ticket_counter": 2, "current_user": "u"}}`))
	h.CheckEdits(func(inst backend.Instance) []configtest.Edit {
		return []configtest.Edit{
			{Name: "create_ticket", Do: func() { h.Call(inst, "create_ticket", py.Str("t"), py.Str("x"), py.Int(3)) }},
			{Name: "edit_ticket", Do: func() {
				h.Call(inst, "edit_ticket", py.Int(1), py.NewDict().With("title", py.Str("b")))
			}},
			{Name: "close_ticket", Do: func() { h.Call(inst, "close_ticket", py.Int(1)) }},
			{Name: "get_ticket", Do: func() {
				if err := py.SetItem(h.Call(inst, "get_ticket", py.Int(1)), py.Str("status"), py.Str("gone")); err != nil {
					t.Fatal(err)
				}
			}},
			{Name: "state", Do: func() {
				for _, a := range inst.State() {
					if a.Name == "ticket_queue" {
						if err := py.ListAppend(a.Value, py.Int(1)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}},
		}
	})
}

// Built from the config itself, an instance has the state of one loaded
// from a deep copy of it (the path without ReadsConfig), aliasing
// between kept values included.
func TestReadsConfigMatchesADeepCopy(t *testing.T) {
	list := py.NewList(py.Int(1))
	aliased := py.NewDict().With("ticket_queue", list).With("current_user", list)
	h := configtest.New(t, ticket.ClassName, py.NewDict().With(ticket.ClassName, aliased))
	h.MatchesDeepCopy(
		py.NewDict(),
		configtest.FromJSON(t, `{"ticket_queue": [{"id": 1}], "ticket_counter": 5, "current_user": "u", "other": [1]}`),
		configtest.FromJSON(t, `{"ticket_counter": "x"}`),
		aliased,
	)
	h.CheckAliasKept(list, "ticket_queue", "current_user")
}
