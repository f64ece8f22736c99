package twitter_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/backends/twitter"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The twitter backend is built from initial_config itself (ReadsConfig),
// its tweet dicts copied on first use, so changes through one instance (by
// its methods, or by a caller to a tweet a method handed out) never reach
// the config nor another instance built from it, while the instance itself
// sees them.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	// With constants, the layout of the tweets' int keys is kept and
	// shared by the instances (Process.ConstantsMemo).
	consts, err := backend.ParseConstants([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*backend.Constants{nil, consts} {
		h := configtest.New(t, twitter.ClassName, configtest.FromJSON(t, `{"TwitterAPI": {"username": "john",
			"password": "pw", "authenticated": true,
			"tweets": {"0": {"id": 0, "username": "john", "content": "first post", "tags": ["#a"], "mentions": []},
				"1": {"id": 1, "username": "alice", "content": "second post", "tags": [], "mentions": ["john"]},
				"2": {"id": 2, "username": "bob", "content": "third", "tags": [], "mentions": []}},
			"comments": {"1": [{"username": "bob", "content": "hi"}]}, "retweets": {"john": [1]},
			"following_list": ["alice"], "tweet_counter": 3}}`))
		h.Consts = c
		h.CheckEdits(func(inst backend.Instance) []configtest.Edit {
			return []configtest.Edit{
				{Name: "get_tweet", Do: func() {
					tw := h.Call(inst, "get_tweet", py.Int(0)).(*py.Dict)
					if err := py.SetItem(tw, py.Str("content"), py.Str("edited")); err != nil {
						t.Fatal(err)
					}
					if got, _ := h.Call(inst, "get_tweet", py.Int(0)).(*py.Dict).GetStr("content"); !py.Eq(got, py.Str("edited")) {
						t.Errorf("the instance does not see the change to its own tweet: %s", py.Repr(got))
					}
				}},
				{Name: "search_tweets", Do: func() {
					l := h.Call(inst, "search_tweets", py.Str("second")).(*py.List)
					tags, err := py.Index(l.Items[0], py.Str("tags"))
					if err != nil {
						t.Fatal(err)
					}
					if err := py.ListAppend(tags, py.Str("#b")); err != nil {
						t.Fatal(err)
					}
				}},
				{Name: "get_user_tweets", Do: func() {
					l := h.Call(inst, "get_user_tweets", py.Str("bob")).(*py.List)
					_ = py.SetItem(l.Items[0], py.Str("content"), py.Str("bob edited"))
				}},
				{Name: "methods", Do: func() {
					h.Call(inst, "mention", py.Int(2), py.StrList("carol"))
					h.Call(inst, "comment", py.Int(1), py.Str("reply"))
					h.Call(inst, "retweet", py.Int(2))
					h.Call(inst, "follow_user", py.Str("dave"))
					h.Call(inst, "post_tweet", py.Str("new"))
				}},
				{Name: "state", Do: func() {
					for _, a := range inst.State() {
						if a.Name == "tweets" {
							tw, _, _ := a.Value.(*py.Dict).Get(py.Int(1))
							_ = py.SetItem(tw, py.Str("username"), py.Str("eve"))
						}
					}
				}},
			}
		})
	}
}
