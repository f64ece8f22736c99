package env_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

// countingSuite counts the environments made of it and takes a while to make
// each, so that a run lasts long enough for its member list to change.
type countingSuite struct {
	env.Suite
	made *atomic.Int32
}

func (s countingSuite) NewEnv(ctx context.Context) (env.Env, error) {
	s.made.Add(1)
	time.Sleep(30 * time.Millisecond)
	return s.Suite.NewEnv(ctx)
}

// TestRunEpisodesFollowsChangingMembers replaces the one backend of a run
// by two others while it runs: the newcomers take episodes, the backend
// that left gets none once it has left, and every episode is recorded once
// with the outcome of a run on a fixed backend.
func TestRunEpisodesFollowsChangingMembers(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "32"}})
	eps := counterEpisodes(t, local, "train", 4)
	ctx := context.Background()
	want, err := env.RunEpisodes(ctx, []env.Backend{{Name: "fixed", Suite: local}}, eps, env.RunOptions{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]*atomic.Int32{}
	backend := func(name string) env.Backend {
		made[name] = new(atomic.Int32)
		s, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "32"}})
		return env.Backend{Name: name, Suite: countingSuite{Suite: s, made: made[name]}}
	}
	a, b, c := backend("a"), backend("b"), backend("c")
	var mu sync.Mutex
	calls, madeOnAAtSwitch := 0, int32(-1)
	members := func() []env.Backend {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls < 2 {
			return []env.Backend{a}
		}
		if madeOnAAtSwitch < 0 {
			madeOnAAtSwitch = made["a"].Load()
		}
		return []env.Backend{b, c}
	}
	got, err := env.RunEpisodes(ctx, []env.Backend{a}, eps, env.RunOptions{Concurrency: 2, Members: members})
	if err != nil {
		t.Fatal(err)
	}
	if outcomes(got) != outcomes(want) {
		t.Fatalf("changing members:\n%s\nwant\n%s", outcomes(got), outcomes(want))
	}
	perBackend := map[string]int{}
	for _, r := range got {
		perBackend[r.Backend]++
		if r.Attempts != 1 {
			t.Errorf("episode %d took %d attempts", r.Index, r.Attempts)
		}
	}
	if perBackend["a"] == 0 || perBackend["b"] == 0 || perBackend["c"] == 0 || len(got) != len(eps) {
		t.Errorf("episodes per backend %v (of %d); want some on each", perBackend, len(eps))
	}
	// Two attempts may have picked a just before it left.
	if n := made["a"].Load(); madeOnAAtSwitch < 0 || n > madeOnAAtSwitch+2 {
		t.Errorf("a made %d environments, %d when it left", n, madeOnAAtSwitch)
	}
}
