package twitter

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadTweets, from a kept layout of the int keys or not, makes the dict
// convertTweets makes (the same int keys, the config's tweet dicts), or
// its error, on the first build of a key set and on later ones.
func TestLoadTweetsMatchesConvert(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	tweet := py.NewDict().With("id", py.Int(0))
	many := py.NewDict()
	for i := range 40 {
		many.SetStr(py.StrOf(py.Int(int64(39-i))), py.NewDict())
	}
	intKeyed := py.NewDict()
	if err := intKeyed.Set(py.Int(5), tweet); err != nil {
		t.Fatal(err)
	}
	cases := map[string]*py.Dict{
		"empty":     py.NewDict(),
		"dataset":   py.NewDict().With("0", tweet).With("1", py.NewDict()).With("2", tweet),
		"one int":   py.NewDict().With("01", tweet).With("1", py.NewDict()).With(" 2 ", tweet),
		"big":       py.NewDict().With("123456789012345678901234567890", tweet).With("-1", tweet),
		"not int":   py.NewDict().With("1", tweet).With("x", tweet),
		"int key":   intKeyed,
		"many":      many,
		"other int": py.NewDict().With("١٢", tweet).With("+7", tweet).With("1_0", tweet),
	}
	for _, proc := range []*backend.Process{backend.NewProcess(nil), backend.NewProcess(consts)} {
		for name, raw := range cases {
			for build := range 2 {
				want, wantErr := convertTweets(raw)
				got, gotErr := (&Twitter{proc: proc}).loadTweets(raw)
				if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
					t.Fatalf("%s, build %d: error %v, want %v", name, build, gotErr, wantErr)
				}
				if wantErr != nil {
					continue
				}
				if g, w := py.Repr(got), py.Repr(want); g != w {
					t.Errorf("%s, build %d: %s, want %s", name, build, g, w)
				}
				for i := 0; i < want.Len(); i++ {
					if !py.Is(got.ValueAt(i), want.ValueAt(i)) {
						t.Errorf("%s, build %d: value %d is not the config's", name, build, i)
					}
				}
			}
		}
	}
}

// Instances built at once from one config, with one constants (so one
// kept layout of the tweet keys), change their own tweets only.
func TestConcurrentInstances(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	h := configtest.New(t, ClassName, configtest.FromJSON(t, `{"TwitterAPI": {"username": "john", "authenticated": true,
		"tweets": {"0": {"id": 0, "username": "john", "content": "first", "tags": [], "mentions": []},
			"1": {"id": 1, "username": "alice", "content": "second", "tags": [], "mentions": []}},
		"tweet_counter": 2}}`))
	h.Consts = consts
	h.CheckConcurrent(8, func(inst backend.Instance) error {
		for _, c := range []struct {
			name string
			args []py.Value
		}{
			{"post_tweet", []py.Value{py.Str("new")}},
			{"mention", []py.Value{py.Int(1), py.StrList("carol")}},
			{"comment", []py.Value{py.Int(0), py.Str("reply")}},
		} {
			if _, err := h.Class.Call(inst, c.name, c.args, nil); err != nil {
				return err
			}
		}
		inst.State()
		return nil
	})
}
