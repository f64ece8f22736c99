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
	"strconv"

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
	seed, ok := tr.loadConfig(cfg).(py.Int)
	if !ok {
		return fmt.Errorf("random_seed: want an int")
	}
	tr.random = pyrandom.New(int64(seed))
	tr.longContext = longContext
	tr.flightCostLookup = &costLookup{}
	if longContext {
		cards, err := tr.addExtension("CREDIT_CARD_EXTENSION", tr.creditCards, tr.bookings)
		if err != nil {
			return err
		}
		tr.creditCards = cards
		bookings, err := tr.addExtension("BOOKING_RECORD_EXTENSION", tr.bookings, tr.creditCards)
		if err != nil {
			return err
		}
		tr.bookings = bookings
	}
	return nil
}

// loadConfig sets the attributes to the config's values, or their
// defaults, in one pass over the config, and returns the random seed
// (the config's or the default).
//
// The config is shared (ReadsConfig): each value kept is a deep copy,
// made by one Copier in the config's order, as the deep copy of the
// whole config would make it.
func (tr *Travel) loadConfig(cfg *py.Dict) (seed py.Value) {
	var copier py.Copier
	seed = py.Int(defaultSeed)
	tr.creditCards, tr.bookings = nil, nil
	tr.accessToken, tr.tokenType, tr.tokenExpiresIn, tr.tokenScope = py.None, py.None, py.None, py.None
	tr.userFirstName, tr.userLastName, tr.budget = py.None, py.None, py.None
	for i := 0; i < cfg.Len(); i++ {
		k, ok := cfg.KeyAt(i).(py.Str)
		if !ok {
			continue
		}
		if k == "random_seed" {
			seed = cfg.ValueAt(i)
		} else if dst := tr.configField(string(k)); dst != nil {
			*dst = copier.Copy(cfg.ValueAt(i))
		}
	}
	if tr.creditCards == nil {
		tr.creditCards = py.NewDict()
	}
	if tr.bookings == nil {
		tr.bookings = py.NewDict()
	}
	return seed
}

// configField is the attribute a config key sets, or nil.
func (tr *Travel) configField(key string) *py.Value {
	switch key {
	case "credit_card_list":
		return &tr.creditCards
	case "booking_record":
		return &tr.bookings
	case "access_token":
		return &tr.accessToken
	case "token_type":
		return &tr.tokenType
	case "token_expires_in":
		return &tr.tokenExpiresIn
	case "token_scope":
		return &tr.tokenScope
	case "user_first_name":
		return &tr.userFirstName
	case "user_last_name":
		return &tr.userLastName
	case "budget_limit":
		return &tr.budget
	}
	return nil
}

// addExtension returns target with each entry of a long-context constant
// that target lacks added, by reference (a new dict with target's items
// first, when target is not also other, the other dict extended).
func (tr *Travel) addExtension(name string, target, other py.Value) (py.Value, error) {
	c, err := tr.proc.Constant(name)
	if err != nil {
		return nil, err
	}
	ext, ok := c.(*py.Dict)
	dst, ok2 := target.(*py.Dict)
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s: want objects", name)
	}
	return tr.mergeExtension(name, ext, dst, py.Is(target, other) || tr.holdsElsewhere(dst))
}

// holdsElsewhere says whether an attribute other than the two dicts
// holds d itself.
func (tr *Travel) holdsElsewhere(d *py.Dict) bool {
	for _, v := range []py.Value{tr.accessToken, tr.tokenType, tr.tokenExpiresIn, tr.tokenScope,
		tr.userFirstName, tr.userLastName, tr.budget} {
		if py.Is(v, d) {
			return true
		}
	}
	return false
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }

// randomID is str(self._random.randint(lo, hi)).
func (tr *Travel) randomID(lo, hi int64) py.Str {
	return py.Str(strconv.FormatInt(tr.random.RandInt(lo, hi), 10))
}
