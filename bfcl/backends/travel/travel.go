// Package travel is the BFCL TravelAPI backend: authentication, credit
// cards, flight costs and bookings, invoices, insurance and currency
// exchange.
//
// Attributes hold Python values, as upstream's do. Tokens, card ids,
// balances and booking, transaction and insurance ids come from the
// instance's random.Random(141053) (or the scenario's random_seed). In
// long-context mode the cards of CREDIT_CARD_EXTENSION and the bookings of
// BOOKING_RECORD_EXTENSION are added by reference: they are the process's
// dict objects, shared by every instance of the episode (a balance change
// made through one instance shows in the others, as in upstream's checker).
package travel

import (
	"fmt"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pyrandom"
)

// ClassName is the upstream class name.
const ClassName = "TravelAPI"

const defaultSeed = 141053

type route struct {
	from, to string
	cost     int64
}

// Travel is upstream's TravelAPI.
type Travel struct {
	proc   *backend.Process
	random *pyrandom.Random

	creditCards, bookings                           py.Value
	accessToken, tokenType, tokenExpiresIn          py.Value
	tokenScope, userFirstName, userLastName, budget py.Value
	longContext                                     bool
	// flightCostLookup is the private _flight_cost_lookup cache.
	flightCostLookup *costLookup
}

// State implements backend.Instance.
func (tr *Travel) State() []py.Attr {
	return []py.Attr{
		{Name: "credit_card_list", Value: tr.creditCards},
		{Name: "booking_record", Value: tr.bookings},
		{Name: "access_token", Value: tr.accessToken},
		{Name: "token_type", Value: tr.tokenType},
		{Name: "token_expires_in", Value: tr.tokenExpiresIn},
		{Name: "token_scope", Value: tr.tokenScope},
		{Name: "user_first_name", Value: tr.userFirstName},
		{Name: "user_last_name", Value: tr.userLastName},
		{Name: "budget_limit", Value: tr.budget},
		{Name: "long_context", Value: py.Bool(tr.longContext)},
	}
}

// LoadScenario implements backend.Instance (upstream _load_scenario).
func (tr *Travel) LoadScenario(cfg *py.Dict, longContext bool) error {
	get := func(key string, def py.Value) py.Value {
		if x, ok := cfg.GetStr(key); ok {
			return x
		}
		return def
	}
	seed, ok := get("random_seed", py.Int(defaultSeed)).(py.Int)
	if !ok {
		return fmt.Errorf("random_seed: want an int")
	}
	tr.random = pyrandom.New(int64(seed))
	tr.creditCards = getOrEmpty(cfg, "credit_card_list")
	tr.bookings = getOrEmpty(cfg, "booking_record")
	tr.accessToken = get("access_token", py.None)
	tr.tokenType = get("token_type", py.None)
	tr.tokenExpiresIn = get("token_expires_in", py.None)
	tr.tokenScope = get("token_scope", py.None)
	tr.userFirstName = get("user_first_name", py.None)
	tr.userLastName = get("user_last_name", py.None)
	tr.budget = get("budget_limit", py.None)
	tr.longContext = longContext
	tr.flightCostLookup = &costLookup{}
	if longContext {
		if err := tr.addExtension("CREDIT_CARD_EXTENSION", tr.creditCards); err != nil {
			return err
		}
		if err := tr.addExtension("BOOKING_RECORD_EXTENSION", tr.bookings); err != nil {
			return err
		}
	}
	return nil
}

// getOrEmpty is cfg[key], or a new empty dict when key is absent.
func getOrEmpty(cfg *py.Dict, key string) py.Value {
	if x, ok := cfg.GetStr(key); ok {
		return x
	}
	return py.NewDict()
}

// addExtension adds each entry of a long-context constant that target
// lacks, by reference.
func (tr *Travel) addExtension(name string, target py.Value) error {
	c, err := tr.proc.Constant(name)
	if err != nil {
		return err
	}
	ext, ok := c.(*py.Dict)
	dst, ok2 := target.(*py.Dict)
	if !ok || !ok2 {
		return fmt.Errorf("%s: want objects", name)
	}
	for i := 0; i < ext.Len(); i++ {
		has, err := dst.Has(ext.KeyAt(i))
		if err != nil {
			return err
		}
		if !has {
			if err := dst.Set(ext.KeyAt(i), ext.ValueAt(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }

// randomID is str(self._random.randint(lo, hi)).
func (tr *Travel) randomID(lo, hi int64) py.Str {
	return py.Str(fmt.Sprint(tr.random.RandInt(lo, hi)))
}
