package twitter

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

// convertTweets is the tweets dict of the config's tweets: each key
// converted to an int, each value the config's (by reference).
func convertTweets(raw *py.Dict) (*py.Dict, error) {
	tweets := py.NewDict()
	for i := 0; i < raw.Len(); i++ {
		k, err := pynum.ToInt(raw.KeyAt(i))
		if err != nil {
			return nil, err
		}
		if err := tweets.Set(k, raw.ValueAt(i)); err != nil {
			return nil, err
		}
	}
	return tweets, nil
}

// newTweetKeys is the dict of the int keys of raw, in order, each with
// the value None, or nil when a key does not convert or two keys convert
// to one.
func newTweetKeys(raw *py.Dict) *py.Dict {
	keys := py.NewDict()
	for i := 0; i < raw.Len(); i++ {
		k, err := pynum.ToInt(raw.KeyAt(i))
		if err != nil {
			return nil
		}
		if err := keys.Set(k, py.None); err != nil || keys.Len() != i+1 {
			return nil
		}
	}
	return keys
}

// loadTweets is convertTweets(raw), made from a copy of a layout of the
// int keys kept once per constants and key set of raw
// (Process.ConstantsMemo, read-only), when there is one.
func (t *Twitter) loadTweets(raw *py.Dict) (*py.Dict, error) {
	if raw.Len() == 0 {
		return py.NewDict(), nil
	}
	key, ok := backend.KeysMemoKey("twitter.tweets", raw)
	if !ok {
		return convertTweets(raw)
	}
	keys, _ := t.proc.ConstantsMemo(key, func() any { return newTweetKeys(raw) }).(*py.Dict)
	if keys == nil {
		return convertTweets(raw)
	}
	tweets := keys.Copy()
	for i := 0; i < raw.Len(); i++ {
		tweets.SetValueAt(i, raw.ValueAt(i))
	}
	return tweets, nil
}
