package trading

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// defaultOrdersDict is upstream's default orders, made once and read-only:
// an instance gets a deep copy of it, which shares its keys (int keys,
// whose texts are made once).
var defaultOrdersDict = defaultOrders()

// orderKey is upstream's conversion of an order key: a str of digits
// becomes the int it spells; any other key stays.
func orderKey(k py.Value) py.Value {
	if s, ok := k.(py.Str); ok && pynum.IsDigitStr(string(s)) {
		if n, err := pynum.ToInt(s); err == nil {
			return n
		}
	}
	return k
}

// convertOrders is the orders dict of the config's orders: each key
// converted (orderKey), each value a deep copy (by copier).
func convertOrders(copier *py.Copier, orders *py.Dict) (*py.Dict, error) {
	converted := py.NewDict()
	for i := 0; i < orders.Len(); i++ {
		if err := converted.Set(orderKey(orders.KeyAt(i)), copier.Copy(orders.ValueAt(i))); err != nil {
			return nil, err
		}
	}
	return converted, nil
}

// newOrderKeys is the dict of the converted keys of orders, in order,
// each with the value None, or nil when two keys convert to one (then the
// converted dict has fewer keys than orders).
func newOrderKeys(orders *py.Dict) *py.Dict {
	keys := py.NewDict()
	for i := 0; i < orders.Len(); i++ {
		if err := keys.Set(orderKey(orders.KeyAt(i)), py.None); err != nil || keys.Len() != i+1 {
			return nil
		}
	}
	return keys
}

// loadOrders is convertOrders(copier, orders), made from a copy of a
// layout of the converted keys kept once per constants and key set of
// orders (Process.ConstantsMemo, read-only), when there is one.
func (tb *Trading) loadOrders(copier *py.Copier, orders *py.Dict) (*py.Dict, error) {
	key, ok := backend.KeysMemoKey("trading.orders", orders)
	if !ok {
		return convertOrders(copier, orders)
	}
	keys, _ := tb.proc.ConstantsMemo(key, func() any { return newOrderKeys(orders) }).(*py.Dict)
	if keys == nil {
		return convertOrders(copier, orders)
	}
	converted := keys.Copy()
	for i := 0; i < orders.Len(); i++ {
		converted.SetValueAt(i, copier.Copy(orders.ValueAt(i)))
	}
	return converted, nil
}
