package env_test

import (
	"context"
	"errors"
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

// blackHole is a suite whose environments' steps hang until their context
// ends, as calls to a host that went away do; it records how the context
// of each hung step ended.
type blackHole struct {
	env.Suite
	ended chan error
}

func (s blackHole) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return hangingEnv{e, s.ended}, err
}

type hangingEnv struct {
	env.Env
	ended chan error
}

func (e hangingEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	<-ctx.Done()
	e.ended <- ctx.Err()
	return env.StepResult{}, ctx.Err()
}

// TestAttemptOnALostBackendCancelled: an episode hangs on backend a, which
// then leaves the set and fails its check (its engine went away). The
// attempt is cancelled at once, not left to its episode timeout, and the
// episode is recorded from a second attempt on b with the outcome of a run
// on a fixed backend.
func TestAttemptOnALostBackendCancelled(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "4"}})
	eps := counterEpisodes(t, local, "train", 4)[:1]
	ctx := context.Background()
	want, err := env.RunEpisodes(ctx, []env.Backend{{Name: "fixed", Suite: local}}, eps, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "4"}})
	sb, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "4"}})
	hole := blackHole{Suite: sa, ended: make(chan error, 1)}
	var lost atomic.Bool
	a := env.Backend{Name: "a", Suite: hole, Check: func(context.Context) error {
		if lost.Load() {
			return errors.New("no route to host")
		}
		return nil
	}}
	b := env.Backend{Name: "b", Suite: sb}
	members := func() []env.Backend {
		if lost.Load() {
			return []env.Backend{b}
		}
		return []env.Backend{a}
	}
	go func() {
		time.Sleep(300 * time.Millisecond) // the attempt on a hangs by now
		lost.Store(true)
	}()
	got, err := env.RunEpisodes(ctx, []env.Backend{a}, eps, env.RunOptions{Members: members, Backoff: time.Millisecond,
		EpisodeTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if outcomes(got) != outcomes(want) || got[0].Backend != "b" || got[0].Attempts != 2 {
		t.Fatalf("record %+v; want the fixed run's outcome from a second attempt on b", got[0])
	}
	if err := <-hole.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the hung step ended with %v; want it cancelled when its backend was lost", err)
	}
}
