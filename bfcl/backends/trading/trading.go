// Package trading is the BFCL TradingBot backend: a simulated brokerage
// account with orders, a watch list, stock quotes and transactions.
//
// Attributes hold Python values, as upstream's do. Transaction timestamps
// are drawn from the instance's random.Random(1053520) (or the scenario's
// random_seed) within one day after 2024-09-01 10:30 naive local time;
// upstream converts to and from an epoch in local time, which cancels out
// as no time-zone change falls in that window, so the timestamps here are
// computed without a time zone. In long-context mode only outputs change
// (MA lists, order metadata, the watch list as a plain list, the extended
// transaction history and sector lists); the state is not extended.
package trading

import (
	"fmt"
	"time"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pyrandom"
)

// ClassName is the upstream class name.
const ClassName = "TradingBot"

const defaultSeed = 1053520

// currentTime is upstream's CURRENT_TIME, 2024-09-01 10:30 (naive).
var currentTime = time.Date(2024, 9, 1, 10, 30, 0, 0, time.UTC)

// Trading is upstream's TradingBot.
type Trading struct {
	proc   *backend.Process
	random *pyrandom.Random

	orders, accountInfo, authenticated, marketStatus, orderCounter py.Value
	stocks, watchList, transactionHistory                          py.Value
	longContext                                                    bool
	// configStocks is initial_config's stocks dict, read-only and shared
	// by every instance built from it (ReadsConfig), while stocks (a
	// shallow copy of it) may still hold some of its stock dicts: a
	// method hands a stock, or a value of one, on only after ownStock
	// replaced it with a deep copy. It is nil when every stock is the
	// instance's own.
	configStocks *py.Dict
}

// State implements backend.Instance.
func (tb *Trading) State() []py.Attr {
	tb.ownStocks()
	return []py.Attr{
		{Name: "orders", Value: tb.orders},
		{Name: "account_info", Value: tb.accountInfo},
		{Name: "authenticated", Value: tb.authenticated},
		{Name: "market_status", Value: tb.marketStatus},
		{Name: "order_counter", Value: tb.orderCounter},
		{Name: "stocks", Value: tb.stocks},
		{Name: "watch_list", Value: tb.watchList},
		{Name: "transaction_history", Value: tb.transactionHistory},
		{Name: "long_context", Value: py.Bool(tb.longContext)},
	}
}

func order(id int64, kind, symbol string, price float64, amount int64, status string) *py.Dict {
	return py.NewDict().With("id", py.Int(id)).With("order_type", py.Str(kind)).
		With("symbol", py.Str(symbol)).With("price", py.Float(price)).
		With("amount", py.Int(amount)).With("status", py.Str(status))
}

func defaultOrders() *py.Dict {
	d := py.NewDict()
	_ = d.Set(py.Int(12345), order(12345, "Buy", "AAPL", 210.65, 10, "Completed"))
	_ = d.Set(py.Int(12446), order(12446, "Sell", "GOOG", 2840.56, 5, "Pending"))
	return d
}

// defaultStocks is upstream's default quote table: symbol, price,
// percent change, volume, MA(5), MA(20).
var defaultStocks = []struct {
	symbol                           string
	price, change, volume, ma5, ma20 float64
}{
	{"AAPL", 227.16, 0.17, 2.552, 227.11, 227.09},
	{"GOOG", 2840.34, 0.24, 1.123, 2835.67, 2842.15},
	{"TSLA", 667.92, -0.12, 1.654, 671.15, 668.20},
	{"MSFT", 310.23, 0.09, 3.234, 309.88, 310.11},
	{"NVDA", 220.34, 0.34, 1.234, 220.45, 220.67},
	{"ALPH", 1320.45, -0.08, 1.567, 1321.12, 1325.78},
	{"OMEG", 457.23, 0.12, 2.345, 456.78, 458.12},
	{"QUAS", 725.89, -0.03, 1.789, 726.45, 728.00},
	{"NEPT", 88.34, 0.19, 0.654, 88.21, 88.67},
	{"SYNX", 345.67, 0.11, 2.112, 345.34, 346.12},
	{"ZETA", 22.09, -0.05, 0.789, 22.12, 22.34},
}

func stocksDict() *py.Dict {
	d := py.NewDict()
	for _, s := range defaultStocks {
		d.SetStr(s.symbol, py.NewDict().With("price", py.Float(s.price)).
			With("percent_change", py.Float(s.change)).With("volume", py.Float(s.volume)).
			With("MA(5)", py.Float(s.ma5)).With("MA(20)", py.Float(s.ma20)))
	}
	return d
}

// LoadScenario implements backend.Instance (upstream _load_scenario).
//
// The config is shared (ReadsConfig): every value kept is a deep copy
// (one Copier, so aliasing inside the config is kept as a deep copy of
// the whole would), except the stock dicts, copied on first use
// (ownStock). The orders are the config's with their keys converted
// (orderKey), or a deep copy of the default orders.
func (tb *Trading) LoadScenario(cfg *py.Dict, longContext bool) error {
	var copier py.Copier
	orderValue, seedValue := tb.loadConfig(&copier, cfg)
	switch orders := orderValue.(type) {
	case nil:
		tb.orders = py.DeepCopy(defaultOrdersDict)
	case *py.Dict:
		converted, err := tb.loadOrders(&copier, orders)
		if err != nil {
			return err
		}
		tb.orders = converted
	default:
		return fmt.Errorf("orders: want an object")
	}
	tb.longContext = longContext
	seed, ok := seedValue.(py.Int)
	if !ok {
		return fmt.Errorf("random_seed: want an int")
	}
	tb.random = pyrandom.New(int64(seed))
	return nil
}

// loadConfig sets the attributes other than orders to the config's
// values, or their defaults, in one pass over the config, and returns
// the config's orders (nil when absent; to be copied by copier) and the
// random seed, the config's or the default.
func (tb *Trading) loadConfig(copier *py.Copier, cfg *py.Dict) (orders, seed py.Value) {
	tb.accountInfo, tb.authenticated, tb.marketStatus, tb.orderCounter = nil, nil, nil, nil
	tb.stocks, tb.configStocks, tb.watchList, tb.transactionHistory = nil, nil, nil, nil
	for i := 0; i < cfg.Len(); i++ {
		k, ok := cfg.KeyAt(i).(py.Str)
		if !ok {
			continue
		}
		v := cfg.ValueAt(i)
		switch k {
		case "random_seed":
			seed = v // read, not kept
		case "orders":
			orders = v
		case "stocks":
			if shared, isDict := v.(*py.Dict); isDict {
				tb.stocks, tb.configStocks = shared.Copy(), shared
			} else {
				tb.stocks = copier.Copy(v)
			}
		default:
			if dst := tb.configField(string(k)); dst != nil {
				*dst = copier.Copy(v)
			}
		}
	}
	tb.setDefaults()
	if seed == nil {
		seed = py.Int(defaultSeed)
	}
	return orders, seed
}

// defaultAccountInfo is upstream's default account_info, made once and
// read-only: an instance gets a copy of it (its values are scalars).
var defaultAccountInfo = py.NewDict().With("account_id", py.Int(12345)).With("balance", py.Float(10000.0)).
	With("binding_card", py.Int(1974202140965533))

// setDefaults sets each attribute the config did not set to its default.
func (tb *Trading) setDefaults() {
	if tb.accountInfo == nil {
		tb.accountInfo = defaultAccountInfo.Copy()
	}
	if tb.authenticated == nil {
		tb.authenticated = py.Bool(false)
	}
	if tb.marketStatus == nil {
		tb.marketStatus = py.Str("Closed")
	}
	if tb.orderCounter == nil {
		tb.orderCounter = py.Int(12446)
	}
	if tb.stocks == nil {
		tb.stocks = stocksDict()
	}
	if tb.watchList == nil {
		tb.watchList = py.StrList("NVDA")
	}
	if tb.transactionHistory == nil {
		tb.transactionHistory = py.NewList()
	}
}

// configField is the attribute a config key other than orders, stocks
// and random_seed sets, or nil.
func (tb *Trading) configField(key string) *py.Value {
	switch key {
	case "account_info":
		return &tb.accountInfo
	case "authenticated":
		return &tb.authenticated
	case "market_status":
		return &tb.marketStatus
	case "order_counter":
		return &tb.orderCounter
	case "watch_list":
		return &tb.watchList
	case "transaction_history":
		return &tb.transactionHistory
	}
	return nil
}

// transactionTimestamp is upstream's _generate_transaction_timestamp: a
// second drawn uniformly from [CURRENT_TIME, CURRENT_TIME + 1 day].
func (tb *Trading) transactionTimestamp() py.Value {
	const day = 24 * 60 * 60
	offset := tb.random.RandInt(0, day)
	return py.Str(currentTime.Add(time.Duration(offset) * time.Second).Format("2006-01-02 15:04:05"))
}

// ownStock replaces the stock at symbol, when it is still the config's
// dict, with a deep copy, before a method hands it or a value of it on.
func (tb *Trading) ownStock(symbol py.Value) {
	if tb.configStocks == nil {
		return
	}
	stocks := tb.stocks.(*py.Dict)
	v, found, err := stocks.Get(symbol)
	if err != nil || !found {
		return
	}
	if shared, ok, _ := tb.configStocks.Get(symbol); ok && py.Is(v, shared) {
		_ = stocks.Set(symbol, py.DeepCopy(v))
	}
}

// ownStocks gives the instance its own copy of every stock still shared
// with the config.
func (tb *Trading) ownStocks() {
	if tb.configStocks == nil {
		return
	}
	stocks := tb.stocks.(*py.Dict)
	for i := 0; i < stocks.Len(); i++ {
		tb.ownStock(stocks.KeyAt(i))
	}
	tb.configStocks = nil
}

func (tb *Trading) constant(name string) (py.Value, error) {
	return tb.proc.Constant(name)
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }

// dictOf returns v as a dict, or the AttributeError of calling method on it.
func dictOf(v py.Value, method string) (*py.Dict, error) {
	d, ok := v.(*py.Dict)
	if !ok {
		return nil, py.AttributeError(v, method)
	}
	return d, nil
}

// listOf returns v as a list, or the AttributeError of calling method on it.
func listOf(v py.Value, method string) (*py.List, error) {
	l, ok := v.(*py.List)
	if !ok {
		return nil, py.AttributeError(v, method)
	}
	return l, nil
}
