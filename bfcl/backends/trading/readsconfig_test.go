package trading

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

func sharedConfig() *py.Dict {
	stock := func(price float64) *py.Dict {
		return py.NewDict().With("price", py.Float(price)).With("percent_change", py.Float(0.5)).
			With("volume", py.Float(1.5)).With("MA(5)", py.NewList(py.Float(price))).With("MA(20)", py.Float(price))
	}
	return py.NewDict().With(ClassName, py.NewDict().
		With("stocks", py.NewDict().With("AAPL", stock(227.16)).With("NVDA", stock(220.34))).
		With("orders", py.NewDict().With("12345", py.NewDict().With("id", py.Int(12345)).
			With("order_type", py.Str("Buy")).With("symbol", py.Str("AAPL")).With("price", py.Float(210.65)).
			With("amount", py.Int(10)).With("status", py.Str("Pending")))).
		With("account_info", py.NewDict().With("account_id", py.Int(1)).With("balance", py.Float(100000.0)).
			With("binding_card", py.Int(1974202140965533))).
		With("authenticated", py.Bool(true)).
		With("market_status", py.Str("Open")).
		With("watch_list", py.StrList("NVDA", "AAPL")).
		With("transaction_history", py.NewList(py.NewDict().With("type", py.Str("deposit")))))
}

// The trading bot is built from initial_config itself (ReadsConfig), its
// stock dicts copied on first use, so changes through one instance (by
// its methods, or by a caller to a stock dict a method handed out) never
// reach the config nor another instance built from it, while the instance
// itself sees them, as upstream's instance sees its own dicts.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{"MA_5_EXTENSION": [1.0], "MA_20_EXTENSION": [2.0]}`))
	if err != nil {
		t.Fatal(err)
	}
	h := configtest.New(t, ClassName, sharedConfig())
	h.Consts = consts
	h.CheckEdits(func(tb backend.Instance) []configtest.Edit {
		return []configtest.Edit{
			{Name: "get_stock_info", Do: func() {
				info := h.Call(tb, "get_stock_info", py.Str("AAPL")).(*py.Dict)
				if err := py.SetItem(info, py.Str("price"), py.Float(1.0)); err != nil {
					t.Fatal(err)
				}
				ma, _ := info.GetStr("MA(5)")
				ma.(*py.List).Append(py.Float(2.0))
				if got, _ := h.Call(tb, "get_stock_info", py.Str("AAPL")).(*py.Dict).GetStr("price"); !py.Eq(got, py.Float(1.0)) {
					t.Errorf("the instance does not see the change to its own stock dict: price %s", py.Repr(got))
				}
			}},
			{Name: "place_order", Do: func() { h.Call(tb, "place_order", py.Str("Buy"), py.Str("NVDA"), py.Float(200.0), py.Int(3)) }},
			{Name: "cancel_order", Do: func() { h.Call(tb, "cancel_order", py.Int(12345)) }},
			{Name: "fund_account", Do: func() { h.Call(tb, "fund_account", py.Float(5.0)) }},
			{Name: "remove_stock_from_watchlist", Do: func() { h.Call(tb, "remove_stock_from_watchlist", py.Str("NVDA")) }},
			{Name: "add_to_watchlist", Do: func() { h.Call(tb, "add_to_watchlist", py.Str("NVDA")) }},
			{Name: "state", Do: func() {
				for _, a := range tb.State() {
					if a.Name == "stocks" {
						nvda, _ := a.Value.(*py.Dict).GetStr("NVDA")
						if err := py.SetItem(nvda, py.Str("volume"), py.Float(9.0)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}},
		}
	})
	h.LongContext = true
	info := h.Call(h.Build(), "get_stock_info", py.Str("NVDA")).(*py.Dict)
	if got, _ := info.GetStr("volume"); !py.Eq(got, py.Float(1.5)) {
		t.Errorf("a later long-context instance reads volume %s, want 1.5", py.Repr(got))
	}
}
