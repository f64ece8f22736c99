package travel_test

import (
	"fmt"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The travel backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a value State handed out), in either mode,
// never reach the config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	h := configtest.New(t, "TravelAPI", configtest.FromJSON(t, `{"TravelAPI": {"credit_card_list":
		{"1111222233334444": {"card_number": "1111222233334444", "expiration_date": "12/2030",
		"cardholder_name": "A B", "card_verification_number": 123, "balance": 9000.0}}, "booking_record":
		{"3426812": {"card_id": "1111222233334444", "travel_date": "2024-12-25", "travel_from": "SFO",
		"travel_to": "LAX", "travel_class": "economy", "travel_cost": 450.0, "transaction_id": "45451592"}},
		"access_token": "tok", "token_type": "Bearer", "token_expires_in": 3600, "token_scope": "read_write",
		"user_first_name": "A", "user_last_name": "B", "budget_limit": 5000.0, "random_seed": 3}}`))
	h.Consts = constants(t)
	kw := func(pairs ...any) []backend.KwArg {
		var out []backend.KwArg
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, backend.KwArg{Name: pairs[i].(string), Value: pairs[i+1].(py.Value)})
		}
		return out
	}
	for _, long := range []bool{false, true} {
		h.LongContext = long
		name := func(edit string) string { return fmt.Sprintf("long_context=%v: %s", long, edit) }
		h.CheckEdits(func(inst backend.Instance) []configtest.Edit {
			c := h.Class
			token := authenticate(t, c, inst)
			return []configtest.Edit{
				{Name: name("book_flight"), Do: func() {
					call(t, c, inst, "book_flight", kw("access_token", token, "card_id", py.Str("1111222233334444"),
						"travel_date", py.Str("2024-11-15"), "travel_from", py.Str("SFO"), "travel_to", py.Str("LAX"),
						"travel_class", py.Str("economy"))...)
				}},
				{Name: name("cancel_booking"), Do: func() {
					call(t, c, inst, "cancel_booking", kw("access_token", token, "booking_id", py.Str("3426812"))...)
				}},
				{Name: name("set_budget_limit"), Do: func() {
					call(t, c, inst, "set_budget_limit", kw("access_token", token, "budget_limit", py.Float(1))...)
				}},
				{Name: name("state"), Do: func() {
					for _, a := range inst.State() {
						switch a.Name {
						case "credit_card_list", "booking_record":
							d := a.Value.(*py.Dict)
							for i := 0; i < d.Len(); i++ {
								if inner, ok := d.ValueAt(i).(*py.Dict); ok {
									inner.SetStr("balance", py.Int(-1))
								}
							}
							d.SetStr("new", py.Int(1))
						}
					}
				}},
			}
		})
	}
}

// Built from the config itself, an instance has the state of one loaded
// from a deep copy of it (the path without ReadsConfig), in either mode,
// aliasing between kept values included.
func TestReadsConfigMatchesADeepCopy(t *testing.T) {
	card := py.NewDict().With("balance", py.Float(10))
	aliased := py.NewDict().With("credit_card_list", py.NewDict().With("c1", card)).
		With("booking_record", py.NewDict().With("b1", card))
	h := configtest.New(t, "TravelAPI", py.NewDict().With("TravelAPI", aliased))
	h.Consts = constants(t)
	for _, long := range []bool{false, true} {
		h.LongContext = long
		h.MatchesDeepCopy(
			py.NewDict(),
			configtest.FromJSON(t, `{"credit_card_list": {"c": {"balance": 1.0}}, "booking_record": {},
				"access_token": "t", "budget_limit": 2, "destination": "x", "random_seed": 9}`),
			configtest.FromJSON(t, `{"user_first_name": ["a"], "user_last_name": {"b": 1}}`),
			aliased,
		)
	}
	h.Consts, h.LongContext = nil, false
	st := h.Build().State()
	c1, _ := st[0].Value.(*py.Dict).GetStr("c1")
	b1, _ := st[1].Value.(*py.Dict).GetStr("b1")
	c1.(*py.Dict).SetStr("balance", py.Float(3))
	if g, w := py.Repr(b1), "{'balance': 3.0}"; g != w {
		t.Errorf("aliased values were copied apart: b1 %s, want %s", g, w)
	}
	if g, w := py.Repr(card), "{'balance': 10.0}"; g != w {
		t.Errorf("the config changed: %s, want %s", g, w)
	}
}
