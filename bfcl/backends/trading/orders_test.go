package trading

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadOrders, from a kept layout of the converted keys or not, makes the
// dict convertOrders makes: the same keys (ints for digit strs), values
// and aliasing between values, on the first build of a key set and on
// later ones.
func TestLoadOrdersMatchesConvert(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	list := py.NewList(py.Int(1))
	intKeyed := py.NewDict()
	if err := intKeyed.Set(py.Int(5), py.Str("int key")); err != nil {
		t.Fatal(err)
	}
	cases := map[string]*py.Dict{
		"empty":       py.NewDict(),
		"dataset":     configtest.FromJSON(t, `{"12345": {"id": 12345, "status": "Pending"}, "order_type": "Buy"}`),
		"two ids":     configtest.FromJSON(t, `{"1": {"id": 1}, "22": {"id": 22}}`),
		"one int":     configtest.FromJSON(t, `{"01": "a", "1": "b", "x": "c"}`),
		"big":         configtest.FromJSON(t, `{"123456789012345678901234567890": "big", "-1": "neg"}`),
		"other digit": configtest.FromJSON(t, `{"١٢": "arabic", "12": "ascii", "": "empty"}`),
		"aliased":     py.NewDict().With("1", list).With("2", list).With("3", py.NewList(list)),
		"int key":     intKeyed,
		"many": configtest.FromJSON(t, `{"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8,
			"9": 9, "10": 10, "11": 11, "12": 12, "13": 13, "14": 14, "15": 15, "16": 16, "17": 17, "18": 18,
			"19": 19, "20": 20, "21": 21, "22": 22, "23": 23, "24": 24, "25": 25, "26": 26, "27": 27, "28": 28,
			"29": 29, "30": 30, "31": 31, "32": 32, "33": 33, "34": 34}`),
	}
	for _, proc := range []*backend.Process{backend.NewProcess(nil), backend.NewProcess(consts)} {
		for name, orders := range cases {
			for build := range 2 {
				var c1, c2 py.Copier
				want, err := convertOrders(&c1, orders)
				if err != nil {
					t.Fatal(err)
				}
				got, err := (&Trading{proc: proc}).loadOrders(&c2, orders)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := py.Repr(got), py.Repr(want); g != w {
					t.Errorf("%s, build %d: %s, want %s", name, build, py.Repr(got), py.Repr(want))
				}
				if g, w := aliasing(got), aliasing(want); g != w {
					t.Errorf("%s, build %d: aliasing %v, want %v", name, build, g, w)
				}
				for i := 0; i < got.Len(); i++ {
					if v := got.ValueAt(i); py.Is(v, list) {
						t.Errorf("%s: value %d is the config's", name, i)
					}
				}
			}
		}
	}
}

// aliasing says, for each pair of values of d, whether they are one
// object.
func aliasing(d *py.Dict) (same [8][8]bool) {
	for i := 0; i < min(d.Len(), 8); i++ {
		for j := 0; j < min(d.Len(), 8); j++ {
			same[i][j] = py.Is(d.ValueAt(i), d.ValueAt(j))
		}
	}
	return same
}

// An instance built without orders and account_info holds copies of the
// defaults, made once: changes through it never reach another instance.
func TestDefaultsAreNotShared(t *testing.T) {
	h := configtest.New(t, ClassName, py.NewDict().With(ClassName, py.NewDict()))
	h.CheckEdits(func(tb backend.Instance) []configtest.Edit {
		return []configtest.Edit{
			{Name: "fund_account", Do: func() { h.Call(tb, "fund_account", py.Float(5.0)) }},
			{Name: "cancel_order", Do: func() { h.Call(tb, "cancel_order", py.Int(12446)) }},
			{Name: "place_order", Do: func() { h.Call(tb, "place_order", py.Str("Buy"), py.Str("NVDA"), py.Float(200.0), py.Int(3)) }},
			{Name: "state", Do: func() {
				for _, a := range tb.State() {
					switch a.Name {
					case "orders":
						o, _, _ := a.Value.(*py.Dict).Get(py.Int(12345))
						if err := py.SetItem(o, py.Str("amount"), py.Int(99)); err != nil {
							t.Fatal(err)
						}
					case "account_info":
						if err := py.SetItem(a.Value, py.Str("account_id"), py.Int(1)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}},
		}
	})
}

// Instances built at once from one config, or from the defaults, with
// one constants (so one kept layout of the order keys), change their own
// orders and account only.
func TestConcurrentInstances(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range []*py.Dict{sharedConfig(), py.NewDict().With(ClassName, py.NewDict())} {
		h := configtest.New(t, ClassName, root)
		h.Consts = consts
		h.CheckConcurrent(8, func(tb backend.Instance) error {
			if _, err := h.Class.Call(tb, "place_order", []py.Value{py.Str("Buy"), py.Str("NVDA"), py.Float(1), py.Int(3)}, nil); err != nil {
				return err
			}
			for _, id := range []int64{12345, 12446} {
				if _, err := h.Class.Call(tb, "cancel_order", []py.Value{py.Int(id)}, nil); err != nil {
					return err
				}
			}
			for _, a := range tb.State() {
				if a.Name == "account_info" {
					return py.SetItem(a.Value, py.Str("balance"), py.Float(1))
				}
			}
			return nil
		})
	}
}
