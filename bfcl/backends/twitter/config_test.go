package twitter

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadByProbe is LoadScenario's attributes other than tweets read as one
// look-up per key, the reference the one-pass loadConfig must equal.
func loadByProbe(t *Twitter, cfg *py.Dict) {
	var copier py.Copier
	kept := func(key string, def py.Value) py.Value {
		if v, ok := cfg.GetStr(key); ok {
			return copier.Copy(v)
		}
		return def
	}
	t.username = kept("username", py.Str("john"))
	t.password = kept("password", py.Str("john123"))
	t.authenticated = kept("authenticated", py.Bool(false))
	t.comments = kept("comments", py.NewDict())
	t.retweets = kept("retweets", py.NewDict())
	t.followingList = kept("following_list", py.StrList("alice", "bob"))
	t.tweetCounter = kept("tweet_counter", py.Int(0))
	t.tweets = py.NewDict()
}

// loadConfig sets every attribute as one look-up per key does, for
// configs with each key alone, all keys, unknown and non-str keys, and a
// list held by two keys (the copies share one list, as a deep copy of the
// whole config would).
func TestLoadConfigMatchesProbes(t *testing.T) {
	keys := []string{"username", "password", "authenticated", "comments", "retweets",
		"following_list", "tweet_counter", "tweets", "unknown"}
	configs := configtest.KeyConfigs(t, keys...)
	shared := py.StrList("x")
	aliased := py.NewDict().With("comments", shared).With("following_list", shared)
	configs = append(configs, aliased)
	for _, cfg := range configs {
		got, want := &Twitter{}, &Twitter{}
		got.loadConfig(cfg)
		got.tweets = py.NewDict()
		loadByProbe(want, cfg)
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			t.Errorf("config %s: state\n%s\nwant\n%s", py.Repr(cfg), g, w)
		}
	}
	got := &Twitter{}
	got.loadConfig(aliased)
	if got.comments != got.followingList || got.comments == py.Value(shared) {
		t.Error("the two keys' list is not one copy")
	}
}
