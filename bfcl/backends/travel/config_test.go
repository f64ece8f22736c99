package travel

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadByProbe is loadConfig written as one look-up per key, the
// reference the one-pass loadConfig must equal.
func loadByProbe(tr *Travel, cfg *py.Dict) (seed py.Value) {
	get := func(key string, def py.Value) py.Value {
		if x, ok := cfg.GetStr(key); ok {
			return x
		}
		return def
	}
	seed = get("random_seed", py.Int(defaultSeed))
	tr.creditCards = get("credit_card_list", py.NewDict())
	tr.bookings = get("booking_record", py.NewDict())
	tr.accessToken = get("access_token", py.None)
	tr.tokenType = get("token_type", py.None)
	tr.tokenExpiresIn = get("token_expires_in", py.None)
	tr.tokenScope = get("token_scope", py.None)
	tr.userFirstName = get("user_first_name", py.None)
	tr.userLastName = get("user_last_name", py.None)
	tr.budget = get("budget_limit", py.None)
	return seed
}

// loadConfig sets every attribute and the seed as one look-up per key
// does, for configs with each key alone, all keys, unknown and non-str
// keys.
func TestLoadConfigMatchesProbes(t *testing.T) {
	keys := []string{"random_seed", "credit_card_list", "booking_record", "access_token", "token_type",
		"token_expires_in", "token_scope", "user_first_name", "user_last_name", "budget_limit", "unknown"}
	configs := configtest.KeyConfigs(t, keys...)
	for _, cfg := range configs {
		got, want := &Travel{}, &Travel{}
		gotSeed, wantSeed := got.loadConfig(cfg), loadByProbe(want, cfg)
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			t.Errorf("config %s: state\n%s\nwant\n%s", py.Repr(cfg), g, w)
		}
		if g, w := py.Repr(gotSeed), py.Repr(wantSeed); g != w {
			t.Errorf("config %s: seed %s, want %s", py.Repr(cfg), g, w)
		}
	}
}
