package trading

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadByProbe is loadConfig written as one look-up per key, the
// reference the one-pass loadConfig must equal.
func loadByProbe(tb *Trading, cfg *py.Dict) (orders, seed py.Value) {
	var copier py.Copier
	get := func(key string, def func() py.Value) py.Value {
		if x, ok := cfg.GetStr(key); ok {
			return copier.Copy(x)
		}
		return def()
	}
	orders = get("orders", func() py.Value { return defaultOrders() })
	tb.accountInfo = get("account_info", func() py.Value {
		return py.NewDict().With("account_id", py.Int(12345)).With("balance", py.Float(10000.0)).
			With("binding_card", py.Int(1974202140965533))
	})
	tb.authenticated = get("authenticated", func() py.Value { return py.Bool(false) })
	tb.marketStatus = get("market_status", func() py.Value { return py.Str("Closed") })
	tb.orderCounter = get("order_counter", func() py.Value { return py.Int(12446) })
	if d, ok := cfg.GetStr("stocks"); ok {
		if shared, isDict := d.(*py.Dict); isDict {
			tb.stocks, tb.configStocks = shared.Copy(), shared
		}
	}
	if tb.stocks == nil {
		tb.stocks = get("stocks", func() py.Value { return stocksDict() })
	}
	tb.watchList = get("watch_list", func() py.Value { return py.StrList("NVDA") })
	tb.transactionHistory = get("transaction_history", func() py.Value { return py.NewList() })
	seed = get("random_seed", func() py.Value { return py.Int(defaultSeed) })
	return orders, seed
}

// loadWithOrders is loadConfig with the orders it returns copied by its
// copier, or the default orders when absent.
func loadWithOrders(tb *Trading, cfg *py.Dict) (orders, seed py.Value) {
	var copier py.Copier
	orders, seed = tb.loadConfig(&copier, cfg)
	if orders == nil {
		return defaultOrders(), seed
	}
	return copier.Copy(orders), seed
}

// loadConfig sets every attribute, the orders and the seed as one
// look-up per key does, for configs with each key alone (stocks as a dict
// and as a list), all keys, unknown and non-str keys, and a list held by
// two keys.
func TestLoadConfigMatchesProbes(t *testing.T) {
	keys := []string{"orders", "account_info", "authenticated", "market_status", "order_counter",
		"stocks", "watch_list", "transaction_history", "random_seed", "unknown"}
	configs := configtest.KeyConfigs(t, keys...)
	shared := py.StrList("x")
	configs = append(configs,
		py.NewDict().With("stocks", py.NewDict().With("AAPL", py.NewDict().With("price", py.Float(1)))),
		py.NewDict().With("orders", py.NewDict().With("1", shared)).With("watch_list", shared).
			With("transaction_history", shared))
	for _, cfg := range configs {
		got, want := &Trading{}, &Trading{}
		gotOrders, gotSeed := loadWithOrders(got, cfg)
		wantOrders, wantSeed := loadByProbe(want, cfg)
		got.orders, want.orders = gotOrders, wantOrders
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			t.Errorf("config %s: state\n%s\nwant\n%s", py.Repr(cfg), g, w)
		}
		if g, w := py.Repr(gotSeed), py.Repr(wantSeed); g != w {
			t.Errorf("config %s: seed %s, want %s", py.Repr(cfg), g, w)
		}
		if (got.configStocks == nil) != (want.configStocks == nil) {
			t.Errorf("config %s: configStocks %v, want %v", py.Repr(cfg), got.configStocks != nil, want.configStocks != nil)
		}
	}
	tb := &Trading{}
	orders, _ := loadWithOrders(tb, configs[len(configs)-1])
	held, _ := orders.(*py.Dict).GetStr("1")
	if held != tb.watchList || held != tb.transactionHistory || held == py.Value(shared) {
		t.Error("the list held by three keys is not one copy")
	}
}
