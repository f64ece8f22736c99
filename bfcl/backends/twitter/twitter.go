// Package twitter is the TwitterAPI backend of BFCL v4 (upstream file
// posting_api.py): tweets, comments, retweets and a following list, ported
// from upstream, including post_tweet's shared mutable default lists.
package twitter

import (
	"fmt"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ClassName is the upstream class name.
const ClassName = "TwitterAPI"

// Twitter is upstream's TwitterAPI.
type Twitter struct {
	proc          *backend.Process
	username      py.Value
	password      py.Value
	authenticated py.Value
	tweets        py.Value
	comments      py.Value
	retweets      py.Value
	followingList py.Value
	tweetCounter  py.Value
	// configTweets is initial_config's tweets dict, read-only and shared
	// by every instance built from it (ReadsConfig), while tweets may
	// still hold some of its tweet dicts: a method hands a tweet on, or
	// changes it, only after ownTweet replaced it with a deep copy. It is
	// nil when every tweet is the instance's own.
	configTweets *py.Dict
}

// State implements backend.Instance.
func (t *Twitter) State() []py.Attr {
	t.ownTweets()
	return []py.Attr{
		{Name: "username", Value: t.username},
		{Name: "password", Value: t.password},
		{Name: "authenticated", Value: t.authenticated},
		{Name: "tweets", Value: t.tweets},
		{Name: "comments", Value: t.comments},
		{Name: "retweets", Value: t.retweets},
		{Name: "following_list", Value: t.followingList},
		{Name: "tweet_counter", Value: t.tweetCounter},
	}
}

// LoadScenario implements backend.Instance; tweet ids become ints.
//
// The config is shared (ReadsConfig): every value kept is a deep copy
// (one Copier, so aliasing inside the config is kept as a deep copy of
// the whole would), except the tweet dicts, copied on first use
// (ownTweet).
func (t *Twitter) LoadScenario(cfg *py.Dict, _ bool) error {
	rawTweets := t.loadConfig(cfg)
	if rawTweets == nil {
		rawTweets = py.NewDict()
	}
	raw, err := py.DictOf(rawTweets, "items")
	if err != nil {
		return err
	}
	t.configTweets = raw
	tweets, err := t.loadTweets(raw)
	if err != nil {
		return err
	}
	t.tweets = tweets
	return nil
}

// loadConfig sets the attributes other than tweets to deep copies of the
// config's values (one Copier), or their defaults, in one pass over the
// config, and returns the config's tweets (nil when absent).
func (t *Twitter) loadConfig(cfg *py.Dict) (rawTweets py.Value) {
	var copier py.Copier
	t.username, t.password, t.authenticated = nil, nil, nil
	t.comments, t.retweets, t.followingList, t.tweetCounter = nil, nil, nil, nil
	for i := 0; i < cfg.Len(); i++ {
		k, ok := cfg.KeyAt(i).(py.Str)
		if !ok {
			continue
		}
		if k == "tweets" {
			rawTweets = cfg.ValueAt(i)
		} else if dst := t.configField(string(k)); dst != nil {
			*dst = copier.Copy(cfg.ValueAt(i))
		}
	}
	// A default is made only when its key is absent.
	for _, d := range []struct {
		dst *py.Value
		def func() py.Value
	}{
		{&t.username, func() py.Value { return py.Str("john") }},
		{&t.password, func() py.Value { return py.Str("john123") }},
		{&t.authenticated, func() py.Value { return py.Bool(false) }},
		{&t.comments, func() py.Value { return py.NewDict() }},
		{&t.retweets, func() py.Value { return py.NewDict() }},
		{&t.followingList, func() py.Value { return py.StrList("alice", "bob") }},
		{&t.tweetCounter, func() py.Value { return py.Int(0) }},
	} {
		if *d.dst == nil {
			*d.dst = d.def()
		}
	}
	return rawTweets
}

// configField is the attribute a config key other than tweets sets, or
// nil.
func (t *Twitter) configField(key string) *py.Value {
	switch key {
	case "username":
		return &t.username
	case "password":
		return &t.password
	case "authenticated":
		return &t.authenticated
	case "comments":
		return &t.comments
	case "retweets":
		return &t.retweets
	case "following_list":
		return &t.followingList
	case "tweet_counter":
		return &t.tweetCounter
	}
	return nil
}

// ownTweetAt returns the i-th tweet of the instance, first replacing it
// with a deep copy when it is still one of the config's tweet dicts.
func (t *Twitter) ownTweetAt(i int) py.Value {
	tweets := t.tweets.(*py.Dict)
	v := tweets.ValueAt(i)
	if t.configTweets == nil {
		return v
	}
	for j := 0; j < t.configTweets.Len(); j++ {
		if py.Is(v, t.configTweets.ValueAt(j)) {
			v = py.DeepCopy(v)
			tweets.SetValueAt(i, v)
			break
		}
	}
	return v
}

// ownTweet is ownTweetAt for the tweet with id, which must exist.
func (t *Twitter) ownTweet(id py.Value) {
	tweets := t.tweets.(*py.Dict)
	for i := 0; i < tweets.Len(); i++ {
		if py.Eq(tweets.KeyAt(i), id) {
			t.ownTweetAt(i)
			return
		}
	}
}

// ownTweets gives the instance its own copy of every tweet still shared
// with the config.
func (t *Twitter) ownTweets() {
	if t.configTweets == nil {
		return
	}
	for i := 0; i < t.tweets.(*py.Dict).Len(); i++ {
		t.ownTweetAt(i)
	}
	t.configTweets = nil
}

func errDict(format string, args ...any) *py.Dict {
	return py.NewDict().With("error", py.Str(fmt.Sprintf(format, args...)))
}

func (t *Twitter) authenticate(username, password py.Value) (py.Value, error) {
	if py.Eq(username, t.username) && py.Eq(password, t.password) {
		t.authenticated = py.Bool(true)
		return py.NewDict().With("authentication_status", py.Bool(true)), nil
	}
	return py.NewDict().With("authentication_status", py.Bool(false)), nil
}

func (t *Twitter) loginStatus() (py.Value, error) {
	return py.NewDict().With("login_status", py.Bool(py.Truthy(t.authenticated))), nil
}

// sharedDefault is post_tweet's default list for a parameter: one list per
// process, as Python evaluates a default once per function definition.
func (t *Twitter) sharedDefault(param string) py.Value {
	return t.proc.Module("TwitterAPI.post_tweet."+param, func() any { return &py.List{Items: []py.Value{}} }).(*py.List)
}

func (t *Twitter) postTweet(content, tags, mentions py.Value) (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before posting."), nil
	}
	if tags == nil {
		tags = t.sharedDefault("tags")
	}
	if mentions == nil {
		mentions = t.sharedDefault("mentions")
	}
	tweet := py.NewDict().With("id", t.tweetCounter).With("username", t.username).With("content", content).
		With("tags", tags).With("mentions", mentions)
	if err := py.SetItem(t.tweets, t.tweetCounter, tweet); err != nil {
		return nil, err
	}
	var err error
	if t.tweetCounter, err = py.Add(t.tweetCounter, py.Int(1)); err != nil {
		return nil, err
	}
	return tweet, nil
}

func (t *Twitter) hasTweet(id py.Value) (bool, error) {
	return py.Contains(t.tweets, id)
}

func (t *Twitter) retweet(id py.Value) (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before retweeting."), nil
	}
	if ok, err := t.hasTweet(id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return errDict("Tweet with ID %s not found.", py.StrOf(id)), nil
	}
	has, err := py.Contains(t.retweets, t.username)
	if err != nil {
		return nil, err
	}
	if !has {
		if err := py.SetItem(t.retweets, t.username, &py.List{Items: []py.Value{}}); err != nil {
			return nil, err
		}
	}
	mine, err := py.Index(t.retweets, t.username)
	if err != nil {
		return nil, err
	}
	if in, err := py.Contains(mine, id); err != nil {
		return nil, err
	} else if in {
		return py.NewDict().With("retweet_status", py.Str("Already retweeted")), nil
	}
	if err := py.ListAppend(mine, id); err != nil {
		return nil, err
	}
	return py.NewDict().With("retweet_status", py.Str("Successfully retweeted")), nil
}

func (t *Twitter) comment(id, content py.Value) (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before commenting."), nil
	}
	if ok, err := t.hasTweet(id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return errDict("Tweet with ID %s not found.", py.StrOf(id)), nil
	}
	has, err := py.Contains(t.comments, id)
	if err != nil {
		return nil, err
	}
	if !has {
		if err := py.SetItem(t.comments, id, &py.List{Items: []py.Value{}}); err != nil {
			return nil, err
		}
	}
	list, err := py.Index(t.comments, id)
	if err != nil {
		return nil, err
	}
	if err := py.ListAppend(list, py.NewDict().With("username", t.username).With("content", content)); err != nil {
		return nil, err
	}
	return py.NewDict().With("comment_status", py.Str("Comment added successfully")), nil
}

func (t *Twitter) mention(id, names py.Value) (py.Value, error) {
	if ok, err := t.hasTweet(id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return errDict("Tweet with ID %s not found.", py.StrOf(id)), nil
	}
	t.ownTweet(id)
	tweet, err := py.Index(t.tweets, id)
	if err != nil {
		return nil, err
	}
	mentions, err := py.Index(tweet, py.Str("mentions"))
	if err != nil {
		return nil, err
	}
	if err := py.ListExtend(mentions, names); err != nil {
		return nil, err
	}
	return py.NewDict().With("mention_status", py.Str("Users mentioned successfully")), nil
}

func (t *Twitter) follow(name py.Value) (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before following."), nil
	}
	if in, err := py.Contains(t.followingList, name); err != nil {
		return nil, err
	} else if in {
		return py.NewDict().With("follow_status", py.Bool(false)), nil
	}
	if err := py.ListAppend(t.followingList, name); err != nil {
		return nil, err
	}
	return py.NewDict().With("follow_status", py.Bool(true)), nil
}

func (t *Twitter) listFollowing() (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before listing following."), nil
	}
	return py.NewDict().With("following_list", t.followingList), nil
}

func (t *Twitter) unfollow(name py.Value) (py.Value, error) {
	if !py.Truthy(t.authenticated) {
		return errDict("User not authenticated. Please authenticate before unfollowing."), nil
	}
	if in, err := py.Contains(t.followingList, name); err != nil {
		return nil, err
	} else if !in {
		return py.NewDict().With("unfollow_status", py.Bool(false)), nil
	}
	if err := py.ListRemove(t.followingList, name); err != nil {
		return nil, err
	}
	return py.NewDict().With("unfollow_status", py.Bool(true)), nil
}

func (t *Twitter) getTweet(id py.Value) (py.Value, error) {
	if ok, err := t.hasTweet(id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return errDict("Tweet with ID %s not found.", py.StrOf(id)), nil
	}
	t.ownTweet(id)
	return py.Index(t.tweets, id)
}

func (t *Twitter) tweetValues() ([]py.Value, error) {
	d, err := py.DictOf(t.tweets, "values")
	if err != nil {
		return nil, err
	}
	return d.Values(), nil
}

// byUser lists the tweets whose "username" equals username.
func (t *Twitter) byUser(username py.Value) ([]py.Value, error) {
	tweets, err := t.tweetValues()
	if err != nil {
		return nil, err
	}
	var out []py.Value
	for i, tw := range tweets {
		u, err := py.Index(tw, py.Str("username"))
		if err != nil {
			return nil, err
		}
		if py.Eq(u, username) {
			out = append(out, t.ownTweetAt(i))
		}
	}
	return out, nil
}

func (t *Twitter) userTweets(username py.Value) (py.Value, error) {
	out, err := t.byUser(username)
	if err != nil {
		return nil, err
	}
	return &py.List{Items: append([]py.Value{}, out...)}, nil
}

func (t *Twitter) search(keyword py.Value) (py.Value, error) {
	tweets, err := t.tweetValues()
	if err != nil {
		return nil, err
	}
	out := &py.List{Items: []py.Value{}}
	for i, tw := range tweets {
		ok, err := tweetMatches(tw, keyword)
		if err != nil {
			return nil, err
		}
		if ok {
			out.Append(t.ownTweetAt(i))
		}
	}
	return out, nil
}

// tweetMatches is `keyword.lower() in tweet["content"].lower() or
// keyword.lower() in [tag.lower() for tag in tweet["tags"]]`.
func tweetMatches(tw, keyword py.Value) (bool, error) {
	kw, err := py.StrMethodLower(keyword)
	if err != nil {
		return false, err
	}
	content, err := py.Index(tw, py.Str("content"))
	if err != nil {
		return false, err
	}
	lc, err := py.StrMethodLower(content)
	if err != nil {
		return false, err
	}
	if in, _ := py.Contains(py.Str(lc), py.Str(kw)); in {
		return true, nil
	}
	tags, err := py.Index(tw, py.Str("tags"))
	if err != nil {
		return false, err
	}
	items, err := py.Iterate(tags)
	if err != nil {
		return false, err
	}
	lowered := make([]string, len(items))
	for i, tag := range items {
		if lowered[i], err = py.StrMethodLower(tag); err != nil {
			return false, err
		}
	}
	for _, lt := range lowered {
		if lt == kw {
			return true, nil
		}
	}
	return false, nil
}

func (t *Twitter) tweetComments(id py.Value) (py.Value, error) {
	if ok, err := t.hasTweet(id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return errDict("Tweet with ID %s not found.", py.StrOf(id)), nil
	}
	return py.DictGet(t.comments, id, &py.List{Items: []py.Value{}})
}

func (t *Twitter) userStats(username py.Value) (py.Value, error) {
	mine, err := t.byUser(username)
	if err != nil {
		return nil, err
	}
	following := 0
	if py.Eq(username, t.username) {
		if following, err = py.Len(t.followingList); err != nil {
			return nil, err
		}
	}
	rts, err := py.DictGet(t.retweets, username, &py.List{Items: []py.Value{}})
	if err != nil {
		return nil, err
	}
	n, err := py.Len(rts)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("tweet_count", py.Int(len(mine))).With("following_count", py.Int(following)).
		With("retweet_count", py.Int(n)), nil
}

func init() {
	req := backend.Req
	self := func(s backend.Instance) *Twitter { return s.(*Twitter) }
	call0 := func(f func(*Twitter) (py.Value, error)) func(backend.Instance, []py.Value) (py.Value, error) {
		return func(s backend.Instance, _ []py.Value) (py.Value, error) { return f(self(s)) }
	}
	call1 := func(f func(*Twitter, py.Value) (py.Value, error)) func(backend.Instance, []py.Value) (py.Value, error) {
		return func(s backend.Instance, a []py.Value) (py.Value, error) { return f(self(s), a[0]) }
	}
	call2 := func(f func(*Twitter, py.Value, py.Value) (py.Value, error)) func(backend.Instance, []py.Value) (py.Value, error) {
		return func(s backend.Instance, a []py.Value) (py.Value, error) { return f(self(s), a[0], a[1]) }
	}
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(p *backend.Process) backend.Instance { return &Twitter{proc: p} },
		Methods: []*backend.Method{
			{Name: "authenticate_twitter", Params: []backend.Param{req("username"), req("password")}, Call: call2((*Twitter).authenticate)},
			{Name: "posting_get_login_status", Call: call0((*Twitter).loginStatus)},
			{Name: "post_tweet", Params: []backend.Param{req("content"), backend.OptShared("tags"), backend.OptShared("mentions")},
				Call: func(s backend.Instance, a []py.Value) (py.Value, error) { return self(s).postTweet(a[0], a[1], a[2]) }},
			{Name: "retweet", Params: []backend.Param{req("tweet_id")}, Call: call1((*Twitter).retweet)},
			{Name: "comment", Params: []backend.Param{req("tweet_id"), req("comment_content")}, Call: call2((*Twitter).comment)},
			{Name: "mention", Params: []backend.Param{req("tweet_id"), req("mentioned_usernames")}, Call: call2((*Twitter).mention)},
			{Name: "follow_user", Params: []backend.Param{req("username_to_follow")}, Call: call1((*Twitter).follow)},
			{Name: "list_all_following", Call: call0((*Twitter).listFollowing)},
			{Name: "unfollow_user", Params: []backend.Param{req("username_to_unfollow")}, Call: call1((*Twitter).unfollow)},
			{Name: "get_tweet", Params: []backend.Param{req("tweet_id")}, Call: call1((*Twitter).getTweet)},
			{Name: "get_user_tweets", Params: []backend.Param{req("username")}, Call: call1((*Twitter).userTweets)},
			{Name: "search_tweets", Params: []backend.Param{req("keyword")}, Call: call1((*Twitter).search)},
			{Name: "get_tweet_comments", Params: []backend.Param{req("tweet_id")}, Call: call1((*Twitter).tweetComments)},
			{Name: "get_user_stats", Params: []backend.Param{req("username")}, Call: call1((*Twitter).userStats)},
		},
	})
}
