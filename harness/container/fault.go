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
	steps, kill := new(atomic.Int64), int64(k)
	b.Suite = &beforeStepSuite{Suite: b.Suite, before: func(ctx context.Context, task string) error {
		if steps.Add(1) != kill {
			return nil
		}
		p.opts.Logger.Warn("fault injection: killing the container mid-episode", "container", p.Members()[i].Name,
			"task", task, "step", kill)
		return p.Kill(ctx, i)
	}}
	return b
}

// BeforeStep wraps backend b so that before runs ahead of every step of
// its environments, with the episode's task id; an error from before is
// the step's. It is fault injection's hook: tests and demonstrations cut
// things at a chosen step.
func BeforeStep(b env.Backend, before func(ctx context.Context, task string) error) env.Backend {
	b.Suite = &beforeStepSuite{Suite: b.Suite, before: before}
	return b
}

// beforeStepSuite wraps a suite so that before runs ahead of every step
// of its environments (with the episode's task id); an error from it is
// the step's.
type beforeStepSuite struct {
	env.Suite
	before func(ctx context.Context, task string) error
}

func (s *beforeStepSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return &beforeStepEnv{Env: e, before: s.before}, err
}

type beforeStepEnv struct {
	env.Env
	before func(ctx context.Context, task string) error
	task   string
}

func (e *beforeStepEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	e.task = t.ID
	return e.Env.Reset(ctx, t)
}

func (e *beforeStepEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	if err := e.before(ctx, e.task); err != nil {
		return env.StepResult{}, err
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
		m := ms[i]
		bs[i].Suite = &beforeStepSuite{Suite: bs[i].Suite, before: func(ctx context.Context, task string) error {
			k.maybeKill(ctx, m, task)
			return nil
		}}
	}
	return bs
}

// maybeKill kills m's container when this step is an every-th one and
// fewer than max have been killed; a failed kill is logged, not the step's
// error.
func (k *StepKiller) maybeKill(ctx context.Context, m *Member, task string) {
	n := k.steps.Add(1)
	if n%k.every != 0 {
		return
	}
	c := k.kills.Add(1) // a kill is reserved before it is made
	if c > k.max {
		k.kills.Add(-1)
		return
	}
	if err := k.svc.Kill(ctx, m); err != nil {
		k.kills.Add(-1)
		k.svc.opts.Logger.Warn("fault injection: kill failed", "container", m.Name, "err", err)
		return
	}
	k.svc.opts.Logger.Warn("fault injection: killed the task's container mid-episode", "container", m.Name,
		"task", task, "step", n, "kills", c)
}
