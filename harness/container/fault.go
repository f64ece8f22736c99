package container

import (
	"context"
	"sync/atomic"

	"github.com/seeupo/seeupo/harness/env"
)

// KillOnStep is fault injection for tests and demonstrations: it wraps
// backend b (of member i) so that member i's container is killed with
// SIGKILL just before the k-th step sent to it, in the middle of an
// episode. The episode then fails on that container and is retried
// elsewhere, and the watchdog restarts the container.
func (p *Pool) KillOnStep(b env.Backend, i, k int) env.Backend {
	b.Suite = &killSuite{Suite: b.Suite, pool: p, member: i, k: int64(k), steps: new(atomic.Int64)}
	return b
}

type killSuite struct {
	env.Suite
	pool   *Pool
	member int
	k      int64
	steps  *atomic.Int64
}

func (s *killSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return &killEnv{Env: e, s: s}, err
}

type killEnv struct {
	env.Env
	s    *killSuite
	task string
}

func (e *killEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	e.task = t.ID
	return e.Env.Reset(ctx, t)
}

func (e *killEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	if e.s.steps.Add(1) == e.s.k {
		m := e.s.pool.members[e.s.member]
		e.s.pool.opts.Logger.Warn("fault injection: killing the container mid-episode", "container", m.Name,
			"task", e.task, "step", e.s.k)
		if err := e.s.pool.Kill(ctx, e.s.member); err != nil {
			return env.StepResult{}, err
		}
	}
	return e.Env.Step(ctx, action)
}

// StepKiller is fault injection for a Service: it kills the container
// that every every-th step (counted over all members) is about to be sent
// to, until it has killed max containers. Swarm replaces each; the episode
// that lost its server is retried on another member.
type StepKiller struct {
	svc        *Service
	every, max int64
	steps      atomic.Int64
	kills      atomic.Int64
}

// StepKiller returns a StepKiller of the service; every and max are at
// least 1.
func (s *Service) StepKiller(every, max int) *StepKiller {
	return &StepKiller{svc: s, every: int64(every), max: int64(max)}
}

// Kills is the number of containers killed so far.
func (k *StepKiller) Kills() int { return int(k.kills.Load()) }

// Backends are the service's current backends, each wrapped so that its
// steps count.
func (k *StepKiller) Backends(suite string) []env.Backend {
	ms := k.svc.Members()
	bs := memberBackends(ms, suite)
	for i := range bs {
		bs[i].Suite = &stepKillSuite{Suite: bs[i].Suite, k: k, m: ms[i]}
	}
	return bs
}

type stepKillSuite struct {
	env.Suite
	k *StepKiller
	m *Member
}

func (s *stepKillSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return &stepKillEnv{Env: e, s: s}, err
}

type stepKillEnv struct {
	env.Env
	s    *stepKillSuite
	task string
}

func (e *stepKillEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	e.task = t.ID
	return e.Env.Reset(ctx, t)
}

func (e *stepKillEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	k := e.s.k
	if n := k.steps.Add(1); n%k.every == 0 {
		if c := k.kills.Add(1); c > k.max { // a kill is reserved before it is made
			k.kills.Add(-1)
		} else if err := k.svc.Kill(ctx, e.s.m); err != nil {
			k.kills.Add(-1)
			k.svc.opts.Logger.Warn("fault injection: kill failed", "container", e.s.m.Name, "err", err)
		} else {
			k.svc.opts.Logger.Warn("fault injection: killed the task's container mid-episode", "container", e.s.m.Name,
				"task", e.task, "step", n, "kills", c)
		}
	}
	return e.Env.Step(ctx, action)
}
