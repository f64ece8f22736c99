package trading

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

var symbolMap = []struct{ name, symbol string }{
	{"Apple", "AAPL"}, {"Google", "GOOG"}, {"Tesla", "TSLA"}, {"Microsoft", "MSFT"},
	{"Nvidia", "NVDA"}, {"Zeta Corp", "ZETA"}, {"Alpha Tech", "ALPH"},
	{"Omega Industries", "OMEG"}, {"Quasar Ltd.", "QUAS"}, {"Neptune Systems", "NEPT"},
	{"Synex Solutions", "SYNX"}, {"Amazon", "AMZN"}, {"Gorilla", "GORI"},
}

func symbolByName(name py.Value) (py.Value, error) {
	if _, err := py.HashKey(name); err != nil {
		return nil, err
	}
	for _, s := range symbolMap {
		if py.EqStr(name, s.name) {
			return py.NewDict().With("symbol", py.Str(s.symbol)), nil
		}
	}
	return py.NewDict().With("symbol", py.Str("Stock not found")), nil
}

// has is `key in container` for the instance's dict attributes.
func has(container, key py.Value) (bool, error) {
	return py.Contains(container, key)
}

func (tb *Trading) stockInfo(symbol py.Value) (py.Value, error) {
	ok, err := has(tb.stocks, symbol)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Stock with symbol '" + py.StrOf(symbol) + "' not found."), nil
	}
	tb.ownStock(symbol)
	stock, err := py.Index(tb.stocks, symbol)
	if err != nil || !tb.longContext {
		return stock, err
	}
	d, err := dictOf(stock, "copy")
	if err != nil {
		return nil, err
	}
	cp := d.Copy()
	for _, k := range []string{"MA_5_EXTENSION", "MA_20_EXTENSION"} {
		c, err := tb.constant(k)
		if err != nil {
			return nil, err
		}
		key := "MA(5)"
		if k == "MA_20_EXTENSION" {
			key = "MA(20)"
		}
		cp.SetStr(key, c)
	}
	return cp, nil
}

func (tb *Trading) orderKeysText() (string, error) {
	d, err := dictOf(tb.orders, "keys")
	if err != nil {
		return "", err
	}
	return py.Repr(py.NewList(d.Keys()...)), nil
}

func (tb *Trading) orderDetails(id py.Value) (py.Value, error) {
	ok, err := has(tb.orders, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		keys, err := tb.orderKeysText()
		if err != nil {
			return nil, err
		}
		return errDict("Order with ID " + py.StrOf(id) + " not found." + "Here is the list of orders_id: " + keys), nil
	}
	o, err := py.Index(tb.orders, id)
	if err != nil || !tb.longContext {
		return o, err
	}
	d, err := dictOf(o, "copy")
	if err != nil {
		return nil, err
	}
	cp := d.Copy()
	symbol, err := py.Index(cp, py.Str("symbol"))
	if err != nil {
		return nil, err
	}
	c, err := tb.constant("ORDER_DETAIL_EXTENSION")
	if err != nil {
		return nil, err
	}
	ext := c.(*py.Dict)
	texts, err := tb.orderMetadata(ext, py.StrOf(symbol))
	if err != nil {
		return nil, err
	}
	formatted := py.NewDict()
	for i := 0; i < ext.Len(); i++ {
		_ = formatted.Set(ext.KeyAt(i), texts[i])
	}
	cp.SetStr("metadata", formatted)
	return cp, nil
}

// metadataTexts are the values of ORDER_DETAIL_EXTENSION with one
// symbol put in: made once per constants and symbol, and shared (a str
// never changes).
type metadataTexts struct {
	// from are the extension's texts the values were made from.
	from []py.Str
	out  []py.Value
}

// orderMetadata returns the values of ext, the process's copy of
// ORDER_DETAIL_EXTENSION, with "{symbol}" replaced by symbol, in order.
func (tb *Trading) orderMetadata(ext *py.Dict, symbol string) ([]py.Value, error) {
	for i := 0; i < ext.Len(); i++ {
		if _, ok := ext.ValueAt(i).(py.Str); !ok {
			return nil, py.AttributeError(ext.ValueAt(i), "format")
		}
	}
	build := func() any {
		m := &metadataTexts{from: make([]py.Str, ext.Len()), out: make([]py.Value, ext.Len())}
		for i := range m.from {
			m.from[i] = ext.ValueAt(i).(py.Str)
			m.out[i] = py.Str(strings.ReplaceAll(string(m.from[i]), "{symbol}", symbol))
		}
		return m
	}
	m := tb.proc.ConstantsMemo("trading.order_detail\x00"+symbol, build).(*metadataTexts)
	if !m.madeFrom(ext) {
		// The process's copy differs from the one the kept texts were
		// made from.
		m = build().(*metadataTexts)
	}
	return m.out, nil
}

// madeFrom says whether ext holds the texts m was made from.
func (m *metadataTexts) madeFrom(ext *py.Dict) bool {
	if ext.Len() != len(m.from) {
		return false
	}
	for i, text := range m.from {
		if v, ok := ext.ValueAt(i).(py.Str); !ok || v != text {
			return false
		}
	}
	return true
}

func (tb *Trading) cancelOrder(id py.Value) (py.Value, error) {
	ok, err := has(tb.orders, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Order with ID " + py.StrOf(id) + " not found."), nil
	}
	o, err := py.Index(tb.orders, id)
	if err != nil {
		return nil, err
	}
	status, err := py.Index(o, py.Str("status"))
	if err != nil {
		return nil, err
	}
	if py.Eq(status, py.Str("Completed")) {
		return errDict("Can't cancel order " + py.StrOf(id) + ". Order is already completed."), nil
	}
	if err := setItem(o, py.Str("status"), py.Str("Cancelled")); err != nil {
		return nil, err
	}
	return py.NewDict().With("order_id", id).With("status", py.Str("Cancelled")), nil
}

// setItem is container[key] = value.
func setItem(container, key, value py.Value) error {
	switch c := container.(type) {
	case *py.Dict:
		return c.Set(key, value)
	case *py.List:
		i, ok := key.(py.Int)
		if !ok {
			return py.TypeErrorf("list indices must be integers or slices, not %s", key.TypeName())
		}
		if i < 0 {
			i += py.Int(len(c.Items))
		}
		if i < 0 || int(i) >= len(c.Items) {
			return py.Errorf("IndexError", "list assignment index out of range")
		}
		c.Own()
		c.Items[i] = value
		return nil
	}
	return py.TypeErrorf("'%s' object does not support item assignment", container.TypeName())
}

func (tb *Trading) placeOrder(orderType, symbol, price, amount py.Value) (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return errDict("User not authenticated. Please log in to place an order."), nil
	}
	ok, err := has(tb.stocks, symbol)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Invalid stock symbol: " + py.StrOf(symbol)), nil
	}
	bad, err := py.Compare("<=", price, py.Int(0))
	if err == nil && !bad {
		bad, err = py.Compare("<=", amount, py.Int(0))
	}
	if err != nil {
		return nil, err
	}
	if bad {
		return errDict("Price and amount must be positive values."), nil
	}
	kind, ok := orderType.(py.Str)
	if !ok {
		return nil, py.AttributeError(orderType, "lower")
	}
	if py.Lower(string(kind)) == "buy" {
		if res, err := tb.checkFunds(price, amount); res != nil || err != nil {
			return res, err
		}
	}
	price, err = pynum.ToFloat(price)
	if err != nil {
		return nil, err
	}
	id := tb.orderCounter
	newOrder := py.NewDict().With("id", id).With("order_type", orderType).With("symbol", symbol).
		With("price", price).With("amount", amount).With("status", py.Str("Open"))
	if err := setItem(tb.orders, id, newOrder); err != nil {
		return nil, err
	}
	if tb.orderCounter, err = py.Add(tb.orderCounter, py.Int(1)); err != nil {
		return nil, err
	}
	return py.NewDict().With("order_id", id).With("order_type", orderType).With("status", py.Str("Pending")).
		With("price", price).With("amount", amount), nil
}

// checkFunds returns the insufficient-funds error of a buy order, or nil.
func (tb *Trading) checkFunds(price, amount py.Value) (py.Value, error) {
	p, err := pynum.ToFloat(price)
	if err != nil {
		return nil, err
	}
	n, err := pynum.ToInt(amount)
	if err != nil {
		return nil, err
	}
	total, err := py.Mul(p, n)
	if err != nil {
		return nil, err
	}
	balance, err := tb.balanceOr0()
	if err != nil {
		return nil, err
	}
	short, err := py.Compare(">", total, balance)
	if err != nil || !short {
		return nil, err
	}
	need, err := pynum.FormatSpecFixed(total, 2)
	if err != nil {
		return nil, err
	}
	have, err := pynum.FormatSpecFixed(balance, 2)
	if err != nil {
		return nil, err
	}
	return errDict("Insufficient funds: required $" + need + " but only $" + have + " available."), nil
}

// balanceOr0 is account_info.get("balance", 0).
func (tb *Trading) balanceOr0() (py.Value, error) {
	d, err := dictOf(tb.accountInfo, "get")
	if err != nil {
		return nil, err
	}
	v, ok, _ := d.Get(py.Str("balance"))
	if !ok {
		return py.Int(0), nil
	}
	return v, nil
}

// moveFunds is shared by withdraw_funds (sign -1) and fund_account (+1)
// after their own checks.
func (tb *Trading) moveFunds(amount py.Value, withdraw bool) (py.Value, error) {
	balance, err := py.Index(tb.accountInfo, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	var nb py.Value
	if withdraw {
		nb, err = py.Sub(balance, amount)
	} else {
		nb, err = inplaceAdd(balance, amount)
	}
	if err != nil {
		return nil, err
	}
	if err := setItem(tb.accountInfo, py.Str("balance"), nb); err != nil {
		return nil, err
	}
	history, err := listOf(tb.transactionHistory, "append")
	if err != nil {
		return nil, err
	}
	kind, status := "deposit", "Account funded successfully"
	if withdraw {
		kind, status = "withdrawal", "Withdrawal successful"
	}
	history.Append(py.NewDict().With("type", py.Str(kind)).With("amount", amount).
		With("timestamp", tb.transactionTimestamp()))
	newBalance, err := py.Index(tb.accountInfo, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("status", py.Str(status)).With("new_balance", newBalance), nil
}

// inplaceAdd is a += b (lists extend in place).
func inplaceAdd(a, b py.Value) (py.Value, error) {
	if l, ok := a.(*py.List); ok {
		items, err := pynum.Iter(b)
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, items...)
		return l, nil
	}
	return py.Add(a, b)
}

func (tb *Trading) withdrawFunds(amount py.Value) (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return errDict("User not authenticated. Please log in to make a transaction."), nil
	}
	if !py.Eq(tb.marketStatus, py.Str("Open")) {
		return errDict("Market is closed. Transactions are not allowed."), nil
	}
	bad, err := py.Compare("<=", amount, py.Int(0))
	if err != nil {
		return nil, err
	}
	if bad {
		return errDict("Transaction amount must be positive."), nil
	}
	balance, err := py.Index(tb.accountInfo, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	over, err := py.Compare(">", amount, balance)
	if err != nil {
		return nil, err
	}
	if over {
		return errDict("Insufficient funds for withdrawal."), nil
	}
	return tb.moveFunds(amount, true)
}

func (tb *Trading) fundAccount(amount py.Value) (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return errDict("User not authenticated. Please log in to fund the account."), nil
	}
	bad, err := py.Compare("<=", amount, py.Int(0))
	if err != nil {
		return nil, err
	}
	if bad {
		return errDict("Funding amount must be positive."), nil
	}
	return tb.moveFunds(amount, false)
}

func (tb *Trading) accountInfoOut() (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return errDict("User not authenticated. Please log in to view account information."), nil
	}
	return tb.accountInfo, nil
}

func (tb *Trading) login() (py.Value, error) {
	if py.Truthy(tb.authenticated) {
		return py.NewDict().With("status", py.Str("Already logged in")), nil
	}
	tb.authenticated = py.Bool(true)
	return py.NewDict().With("status", py.Str("Logged in successfully")), nil
}

func (tb *Trading) logout() (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return py.NewDict().With("status", py.Str("No user is currently logged in")), nil
	}
	tb.authenticated = py.Bool(false)
	return py.NewDict().With("status", py.Str("Logged out successfully")), nil
}

func (tb *Trading) removeFromWatchlist(symbol py.Value) (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return errDict("User not authenticated. Please log in to modify the watchlist."), nil
	}
	in, err := py.Contains(tb.watchList, symbol)
	if err != nil {
		return nil, err
	}
	if !in {
		return errDict("Stock " + py.StrOf(symbol) + " not found in watchlist."), nil
	}
	l, err := listOf(tb.watchList, "remove")
	if err != nil {
		return nil, err
	}
	for i, it := range l.Items {
		if py.Is(it, symbol) || py.Eq(it, symbol) {
			l.Own()
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			break
		}
	}
	return py.NewDict().With("status", py.Str("Stock "+py.StrOf(symbol)+" removed from watchlist successfully.")), nil
}

func (tb *Trading) watchlist() (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return py.StrList("Error: User not authenticated. Please log in to view the watchlist."), nil
	}
	if tb.longContext {
		l, err := listOf(tb.watchList, "copy")
		if err != nil {
			return nil, err
		}
		if head, ok := strItems(l.Items); ok {
			if joined, ok := tb.proc.JoinedConstant(head, "WATCH_LIST_EXTENSION"); ok {
				return joined, nil
			}
		}
		ext, err := tb.proc.ConstantItems("WATCH_LIST_EXTENSION")
		if err != nil {
			return nil, err
		}
		items := make([]py.Value, 0, len(l.Items)+len(ext))
		return py.NewList(append(append(items, l.Items...), ext...)...), nil
	}
	return py.NewDict().With("watchlist", tb.watchList), nil
}

// strItems returns the items as Go strings when every one is a str.
func strItems(items []py.Value) ([]string, bool) {
	out := make([]string, len(items))
	for i, v := range items {
		s, ok := v.(py.Str)
		if !ok {
			return nil, false
		}
		out[i] = string(s)
	}
	return out, true
}

func (tb *Trading) orderHistory() (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return py.NewList(errDict("User not authenticated. Please log in to view order history.")), nil
	}
	d, err := dictOf(tb.orders, "keys")
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("history", py.NewList(d.Keys()...)), nil
}

// dateBound is the bound of a transaction-history filter: the parsed date,
// or datetime.min / datetime.max when the argument is falsy.
func dateBound(v py.Value) (t int64, unbounded bool, err error) {
	if !py.Truthy(v) {
		return 0, true, nil
	}
	d, err := pynum.Strptime(v, "%Y-%m-%d")
	return d.Unix(), false, err
}

func (tb *Trading) transactionHistoryOut(startDate, endDate py.Value) (py.Value, error) {
	if !py.Truthy(tb.authenticated) {
		return py.NewList(errDict("User not authenticated. Please log in to view transaction history.")), nil
	}
	start, noStart, err := dateBound(startDate)
	if err != nil {
		return nil, err
	}
	end, noEnd, err := dateBound(endDate)
	if err != nil {
		return nil, err
	}
	items, err := pynum.Iter(tb.transactionHistory)
	if err != nil {
		return nil, err
	}
	filtered := py.NewList()
	for _, tr := range items {
		ts, err := py.Index(tr, py.Str("timestamp"))
		if err != nil {
			return nil, err
		}
		when, err := pynum.Strptime(ts, "%Y-%m-%d %H:%M:%S")
		if err != nil {
			return nil, err
		}
		if (noStart || start <= when.Unix()) && (noEnd || when.Unix() <= end) {
			filtered.Append(tr)
		}
	}
	if tb.longContext {
		ext, err := tb.constant("TRANSACTION_HISTORY_EXTENSION")
		if err != nil {
			return nil, err
		}
		filtered.Items = append(filtered.Items, ext.(*py.List).Items...)
	}
	return py.NewDict().With("transaction_history", filtered), nil
}

func (tb *Trading) availableStocks(sector py.Value) (py.Value, error) {
	tech, err := tb.sectorList(techStocks, "TECHNOLOGY_EXTENSION")
	if err != nil {
		return nil, err
	}
	auto, err := tb.sectorList(autoStocks, "AUTOMOBILE_EXTENSION")
	if err != nil {
		return nil, err
	}
	sectors := py.NewDict().With("Technology", tech).With("Automobile", auto)
	v, ok, err := sectors.Get(sector)
	if err != nil {
		return nil, err
	}
	if !ok {
		v = py.NewList()
	}
	return py.NewDict().With("stock_list", v), nil
}

// The stocks of each sector in get_available_stocks.
var (
	techStocks = []string{"AAPL", "GOOG", "MSFT", "NVDA"}
	autoStocks = []string{"TSLA", "F", "GM"}
)

// sectorList is a fresh list of a sector's stocks, followed in long-context
// mode by the items of the sector's extension constant.
func (tb *Trading) sectorList(stocks []string, extension string) (*py.List, error) {
	if !tb.longContext {
		return py.StrList(stocks...), nil
	}
	if l, ok := tb.proc.JoinedConstant(stocks, extension); ok {
		return l, nil
	}
	ext, err := tb.proc.ConstantItems(extension)
	if err != nil {
		return nil, err
	}
	l := py.StrList(stocks...)
	l.Items = append(l.Items, ext...)
	return l, nil
}

// priceOf is self.stocks.get(symbol, {}).get("price", 0).
func (tb *Trading) priceOf(symbol py.Value) (py.Value, error) {
	stocks, err := dictOf(tb.stocks, "get")
	if err != nil {
		return nil, err
	}
	tb.ownStock(symbol)
	s, ok, err := stocks.Get(symbol)
	if err != nil {
		return nil, err
	}
	if !ok {
		return py.Int(0), nil
	}
	d, err := dictOf(s, "get")
	if err != nil {
		return nil, err
	}
	p, ok, _ := d.Get(py.Str("price"))
	if !ok {
		return py.Int(0), nil
	}
	return p, nil
}

func (tb *Trading) filterByPrice(stocks, minPrice, maxPrice py.Value) (py.Value, error) {
	items, err := pynum.Iter(stocks)
	if err != nil {
		return nil, err
	}
	out := py.NewList()
	for _, symbol := range items {
		p, err := tb.priceOf(symbol)
		if err != nil {
			return nil, err
		}
		ok, err := py.Compare(">=", p, minPrice)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if p, err = tb.priceOf(symbol); err != nil {
			return nil, err
		}
		if ok, err = py.Compare("<=", p, maxPrice); err != nil {
			return nil, err
		}
		if ok {
			out.Append(symbol)
		}
	}
	return py.NewDict().With("filtered_stocks", out), nil
}

func (tb *Trading) addToWatchlist(stock py.Value) (py.Value, error) {
	in, err := py.Contains(tb.watchList, stock)
	if err != nil {
		return nil, err
	}
	if !in {
		valid, err := has(tb.stocks, stock)
		if err != nil {
			return nil, err
		}
		if valid {
			l, err := listOf(tb.watchList, "append")
			if err != nil {
				return nil, err
			}
			l.Append(stock)
		}
	}
	return py.NewDict().With("watchlist", tb.watchList), nil
}

func (tb *Trading) notifyPriceChange(stocks, threshold py.Value) (py.Value, error) {
	items, err := pynum.Iter(stocks)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, symbol := range items {
		in, err := has(tb.stocks, symbol)
		if err != nil {
			return nil, err
		}
		if !in {
			continue
		}
		s, err := py.Index(tb.stocks, symbol)
		if err != nil {
			return nil, err
		}
		pc, err := py.Index(s, py.Str("percent_change"))
		if err != nil {
			return nil, err
		}
		a, err := pynum.Abs(pc)
		if err != nil {
			return nil, err
		}
		big, err := py.Compare(">=", a, threshold)
		if err != nil {
			return nil, err
		}
		if big {
			name, ok := symbol.(py.Str)
			if !ok {
				return nil, py.TypeErrorf("sequence item %d: expected str instance, %s found", len(changed), symbol.TypeName())
			}
			changed = append(changed, string(name))
		}
	}
	if len(changed) > 0 {
		return py.NewDict().With("notification", py.Str("Stocks "+strings.Join(changed, ", ")+" have significant price changes.")), nil
	}
	return py.NewDict().With("notification", py.Str("No significant price changes in the selected stocks.")), nil
}
