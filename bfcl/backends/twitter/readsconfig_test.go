package twitter_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/twitter"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The twitter backend is built from initial_config itself (ReadsConfig),
// its tweet dicts copied on first use, so changes through one instance (by
// its methods, or by a caller to a tweet a method handed out) never reach
// the config nor another instance built from it, while the instance itself
// sees them.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	cfg, err := py.FromJSON([]byte(`{"TwitterAPI": {"username": "john", "password": "pw", "authenticated": true,
		"tweets": {"0": {"id": 0, "username": "john", "content": "first post", "tags": ["#a"], "mentions": []},
			"1": {"id": 1, "username": "alice", "content": "second post", "tags": [], "mentions": ["john"]},
			"2": {"id": 2, "username": "bob", "content": "third", "tags": [], "mentions": []}},
		"comments": {"1": [{"username": "bob", "content": "hi"}]}, "retweets": {"john": [1]},
		"following_list": ["alice"], "tweet_counter": 3}}`))
	if err != nil {
		t.Fatal(err)
	}
	config := cfg.(*py.Dict)
	before := py.EncodeState(config)
	c, err := backend.Lookup(twitter.ClassName)
	if err != nil {
		t.Fatal(err)
	}
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(nil), config, false)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	call := func(inst backend.Instance, name string, args ...py.Value) py.Value {
		t.Helper()
		v, err := c.Call(inst, name, args, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	fresh := backend.EncodeState(build())
	inst := build()
	edits := []struct {
		name string
		do   func()
	}{
		{"get_tweet", func() {
			tw := call(inst, "get_tweet", py.Int(0)).(*py.Dict)
			if err := py.SetItem(tw, py.Str("content"), py.Str("edited")); err != nil {
				t.Fatal(err)
			}
			if got, _ := call(inst, "get_tweet", py.Int(0)).(*py.Dict).GetStr("content"); !py.Eq(got, py.Str("edited")) {
				t.Errorf("the instance does not see the change to its own tweet: %s", py.Repr(got))
			}
		}},
		{"search_tweets", func() {
			l := call(inst, "search_tweets", py.Str("second")).(*py.List)
			tags, err := py.Index(l.Items[0], py.Str("tags"))
			if err != nil {
				t.Fatal(err)
			}
			if err := py.ListAppend(tags, py.Str("#b")); err != nil {
				t.Fatal(err)
			}
		}},
		{"get_user_tweets", func() {
			l := call(inst, "get_user_tweets", py.Str("bob")).(*py.List)
			_ = py.SetItem(l.Items[0], py.Str("content"), py.Str("bob edited"))
		}},
		{"methods", func() {
			call(inst, "mention", py.Int(2), py.StrList("carol"))
			call(inst, "comment", py.Int(1), py.Str("reply"))
			call(inst, "retweet", py.Int(2))
			call(inst, "follow_user", py.Str("dave"))
			call(inst, "post_tweet", py.Str("new"))
		}},
		{"state", func() {
			for _, a := range inst.State() {
				if a.Name == "tweets" {
					tw, _, _ := a.Value.(*py.Dict).Get(py.Int(1))
					_ = py.SetItem(tw, py.Str("username"), py.Str("eve"))
				}
			}
		}},
	}
	for _, e := range edits {
		e.do()
		if got := py.EncodeState(config); got != before {
			t.Errorf("%s: the config changed:\n%s\nwant\n%s", e.name, got, before)
		}
		if got := backend.EncodeState(build()); got != fresh {
			t.Errorf("%s: a later instance starts from\n%s\nwant\n%s", e.name, got, fresh)
		}
	}
}
