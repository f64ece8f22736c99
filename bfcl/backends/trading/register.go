package trading

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

func init() {
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(p *backend.Process) backend.Instance { return &Trading{proc: p} },
		Methods:     methods(),
	})
}

func methods() []*backend.Method {
	return []*backend.Method{
		backend.MethodOf("get_current_time", nil, func(tb *Trading, a []py.Value) (py.Value, error) {
			return py.NewDict().With("current_time", py.Str(currentTime.Format("03:04 PM"))), nil
		}),
		backend.MethodOf("get_symbol_by_name", backend.Reqs("name"), func(tb *Trading, a []py.Value) (py.Value, error) { return symbolByName(a[0]) }),
		backend.MethodOf("get_stock_info", backend.Reqs("symbol"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.stockInfo(a[0]) }),
		backend.MethodOf("get_order_details", backend.Reqs("order_id"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.orderDetails(a[0]) }),
		backend.MethodOf("cancel_order", backend.Reqs("order_id"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.cancelOrder(a[0]) }),
		backend.MethodOf("place_order", backend.Reqs("order_type", "symbol", "price", "amount"),
			func(tb *Trading, a []py.Value) (py.Value, error) { return tb.placeOrder(a[0], a[1], a[2], a[3]) }),
		backend.MethodOf("withdraw_funds", backend.Reqs("amount"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.withdrawFunds(a[0]) }),
		backend.MethodOf("get_account_info", nil, func(tb *Trading, a []py.Value) (py.Value, error) { return tb.accountInfoOut() }),
		backend.MethodOf("trading_login", backend.Reqs("username", "password"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.login() }),
		backend.MethodOf("trading_get_login_status", nil, func(tb *Trading, a []py.Value) (py.Value, error) {
			return py.NewDict().With("status", py.Bool(py.Truthy(tb.authenticated))), nil
		}),
		backend.MethodOf("trading_logout", nil, func(tb *Trading, a []py.Value) (py.Value, error) { return tb.logout() }),
		backend.MethodOf("fund_account", backend.Reqs("amount"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.fundAccount(a[0]) }),
		backend.MethodOf("remove_stock_from_watchlist", backend.Reqs("symbol"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.removeFromWatchlist(a[0]) }),
		backend.MethodOf("get_watchlist", nil, func(tb *Trading, a []py.Value) (py.Value, error) { return tb.watchlist() }),
		backend.MethodOf("get_order_history", nil, func(tb *Trading, a []py.Value) (py.Value, error) { return tb.orderHistory() }),
		backend.MethodOf("get_transaction_history", []backend.Param{backend.Opt("start_date", py.None), backend.Opt("end_date", py.None)},
			func(tb *Trading, a []py.Value) (py.Value, error) { return tb.transactionHistoryOut(a[0], a[1]) }),
		backend.MethodOf("get_available_stocks", backend.Reqs("sector"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.availableStocks(a[0]) }),
		backend.MethodOf("filter_stocks_by_price", backend.Reqs("stocks", "min_price", "max_price"),
			func(tb *Trading, a []py.Value) (py.Value, error) { return tb.filterByPrice(a[0], a[1], a[2]) }),
		backend.MethodOf("add_to_watchlist", backend.Reqs("stock"), func(tb *Trading, a []py.Value) (py.Value, error) { return tb.addToWatchlist(a[0]) }),
		backend.MethodOf("notify_price_change", backend.Reqs("stocks", "threshold"),
			func(tb *Trading, a []py.Value) (py.Value, error) { return tb.notifyPriceChange(a[0], a[1]) }),
	}
}
