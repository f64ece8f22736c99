package travel_test

import (
	"path/filepath"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	_ "github.com/seeupo/seeupo/bfcl/backends/travel"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/internal/testdata"
)

func constants(t *testing.T) *backend.Constants {
	t.Helper()
	c, err := backend.LoadConstants(filepath.Join(testdata.Dir(t, "bfcl_v4"), "long_context_constants.json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call(t *testing.T, c *backend.Class, inst backend.Instance, name string, kw ...backend.KwArg) py.Value {
	t.Helper()
	v, err := c.Call(inst, name, nil, kw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// In long-context mode the extension cards are the process's objects: a
// booking paid by one instance lowers the balance the other instance of
// the same process sees (upstream's model and ground-truth instances share
// the module's dicts), while a fresh process starts from the file's value.
func TestLongContextCardsAreSharedWithinAProcess(t *testing.T) {
	consts := constants(t)
	c, err := backend.Lookup("TravelAPI")
	if err != nil {
		t.Fatal(err)
	}
	proc := backend.NewProcess(consts)
	a, err := c.Build(proc, py.NewDict(), true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Build(proc, py.NewDict(), true)
	if err != nil {
		t.Fatal(err)
	}
	const card = "1234567812345678"
	auth := call(t, c, a, "authenticate_travel",
		backend.KwArg{Name: "client_id", Value: py.Str("x")}, backend.KwArg{Name: "client_secret", Value: py.Str("y")},
		backend.KwArg{Name: "refresh_token", Value: py.Str("z")}, backend.KwArg{Name: "grant_type", Value: py.Str("read_write")},
		backend.KwArg{Name: "user_first_name", Value: py.Str("A")}, backend.KwArg{Name: "user_last_name", Value: py.Str("B")})
	token, _ := auth.(*py.Dict).GetStr("access_token")
	booked := call(t, c, a, "book_flight", backend.KwArg{Name: "access_token", Value: token},
		backend.KwArg{Name: "card_id", Value: py.Str(card)}, backend.KwArg{Name: "travel_date", Value: py.Str("2024-11-15")},
		backend.KwArg{Name: "travel_from", Value: py.Str("SFO")}, backend.KwArg{Name: "travel_to", Value: py.Str("LAX")},
		backend.KwArg{Name: "travel_class", Value: py.Str("economy")})
	if ok, _ := booked.(*py.Dict).GetStr("booking_status"); ok != py.Bool(true) {
		t.Fatalf("booking failed: %s", py.Repr(booked))
	}
	balance := func(inst backend.Instance) py.Value {
		cards := call(t, c, inst, "get_all_credit_cards").(*py.Dict)
		list, _ := cards.GetStr("credit_card_list")
		entry, _ := list.(*py.Dict).GetStr(card)
		v, _ := entry.(*py.Dict).GetStr("balance")
		return v
	}
	// 5000.0 in the file, minus economy SFO-LAX on a date whose digits sum
	// to an even number (200 * 1 * 2).
	if got := balance(b); !py.Eq(got, py.Float(4600.0)) {
		t.Errorf("other instance of the process sees balance %s, want 4600.0", py.Repr(got))
	}
	fresh, err := c.Build(backend.NewProcess(consts), py.NewDict(), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := balance(fresh); !py.Eq(got, py.Float(5000.0)) {
		t.Errorf("a new process sees balance %s, want 5000.0", py.Repr(got))
	}
}

// The long-context cost lists are made once and shared by every call: a
// list one call hands out, changed in place, must change neither what a
// later call (of any instance) returns nor the costs a booking reads.
func TestLongContextCostListsAreFreshPerCall(t *testing.T) {
	consts := constants(t)
	c, err := backend.Lookup("TravelAPI")
	if err != nil {
		t.Fatal(err)
	}
	costs := func(inst backend.Instance) *py.List {
		res := call(t, c, inst, "get_flight_cost",
			backend.KwArg{Name: "travel_from", Value: py.Str("SFO")}, backend.KwArg{Name: "travel_to", Value: py.Str("LAX")},
			backend.KwArg{Name: "travel_date", Value: py.Str("2024-11-15")}, backend.KwArg{Name: "travel_class", Value: py.Str("economy")})
		list, _ := res.(*py.Dict).GetStr("travel_cost_list")
		return list.(*py.List)
	}
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(consts), py.NewDict(), true)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	a := build()
	first := costs(a)
	wantRepr, wantJSON := py.Repr(first), mustDumps(t, first)
	if !py.Eq(first.Items[0], py.Float(400.0)) {
		t.Fatalf("first cost %s, want 400.0 (SFO-LAX, economy, even digit sum)", py.Repr(first.Items[0]))
	}
	for i := range first.Items {
		if err := py.SetItem(first, py.Int(i), py.Float(-1)); err != nil {
			t.Fatal(err)
		}
	}
	if got := py.Repr(first); got == wantRepr {
		t.Errorf("the changed list still renders as the original")
	}
	for _, inst := range []backend.Instance{a, build()} {
		again := costs(inst)
		if got := py.Repr(again); got != wantRepr {
			t.Errorf("a later call returns %.60s…, want %.60s…", got, wantRepr)
		}
		if got := mustDumps(t, again); got != wantJSON {
			t.Errorf("a later call dumps %.60s…, want %.60s…", got, wantJSON)
		}
	}
}

func mustDumps(t *testing.T, v py.Value) string {
	t.Helper()
	s, err := py.Dumps(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// authenticate logs inst in and returns its access token.
func authenticate(t *testing.T, c *backend.Class, inst backend.Instance) py.Value {
	t.Helper()
	auth := call(t, c, inst, "authenticate_travel",
		backend.KwArg{Name: "client_id", Value: py.Str("x")}, backend.KwArg{Name: "client_secret", Value: py.Str("y")},
		backend.KwArg{Name: "refresh_token", Value: py.Str("z")}, backend.KwArg{Name: "grant_type", Value: py.Str("read_write")},
		backend.KwArg{Name: "user_first_name", Value: py.Str("A")}, backend.KwArg{Name: "user_last_name", Value: py.Str("B")})
	token, _ := auth.(*py.Dict).GetStr("access_token")
	return token
}

// The long-context card and booking dicts of instances built from the
// same config share their keys (one template per constants and config
// keys): a card registered and a flight booked through one instance must
// not show in another process's instance, built before or after, and the
// instances of many goroutines may do so at once.
func TestLongContextMergedDictsStayApart(t *testing.T) {
	consts := constants(t)
	c, err := backend.Lookup("TravelAPI")
	if err != nil {
		t.Fatal(err)
	}
	config := py.NewDict().With("TravelAPI", py.NewDict().
		With("credit_card_list", py.NewDict().With("1111222233334444", py.NewDict().
			With("card_number", py.Str("1111222233334444")).With("balance", py.Float(9000.0)))).
		With("booking_record", py.NewDict().With("b1", py.NewDict().With("card_id", py.Str("1111222233334444")))))
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(consts), config, true)
		if err != nil {
			t.Error(err)
		}
		return inst
	}
	state := func(inst backend.Instance) string { return backend.EncodeState(inst) }
	before := build()
	want := state(before)
	change := func(inst backend.Instance) {
		token := authenticate(t, c, inst)
		call(t, c, inst, "register_credit_card", backend.KwArg{Name: "access_token", Value: token},
			backend.KwArg{Name: "card_number", Value: py.Str("9999888877776666")},
			backend.KwArg{Name: "expiration_date", Value: py.Str("12/2030")},
			backend.KwArg{Name: "cardholder_name", Value: py.Str("A B")},
			backend.KwArg{Name: "card_verification_number", Value: py.Int(123)})
		call(t, c, inst, "book_flight", backend.KwArg{Name: "access_token", Value: token},
			backend.KwArg{Name: "card_id", Value: py.Str("1111222233334444")}, backend.KwArg{Name: "travel_date", Value: py.Str("2024-11-15")},
			backend.KwArg{Name: "travel_from", Value: py.Str("SFO")}, backend.KwArg{Name: "travel_to", Value: py.Str("LAX")},
			backend.KwArg{Name: "travel_class", Value: py.Str("economy")})
	}
	changed := build()
	change(changed)
	if state(changed) == want {
		t.Fatal("registering a card and booking a flight changed nothing")
	}
	for name, inst := range map[string]backend.Instance{"built before": before, "built after": build()} {
		if got := state(inst); got != want {
			t.Errorf("instance %s sees the other's changes:\n%.300s\nwant\n%.300s", name, got, want)
		}
	}
	done := make(chan string)
	for range 8 {
		go func() {
			inst := build()
			change(inst)
			done <- state(inst)
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; got != first {
			t.Errorf("concurrent instances differ:\n%.300s\nwant\n%.300s", got, first)
		}
	}
	if got := state(build()); got != want {
		t.Errorf("an instance built after the concurrent ones sees their changes")
	}
}
