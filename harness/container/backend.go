package container

import (
	"context"
	"sync"

	"github.com/seeupo/seeupo/harness/env"
)

// Backends returns one driver backend per container, for suite. Each
// environment talks to the container's current address, so a restarted
// container (with a new address) serves the next episode.
func (p *Pool) Backends(suite string) []env.Backend {
	return memberBackends(p.Members(), suite)
}

func memberBackends(members []*Member, suite string) []env.Backend {
	bs := make([]env.Backend, len(members))
	for i, m := range members {
		bs[i] = m.backend(suite)
	}
	return bs
}

// backend is the driver backend of the member, for suite.
func (m *Member) backend(suite string) env.Backend {
	return env.Backend{Name: m.Name, Suite: &memberSuite{m: m, name: suite},
		Check: func(ctx context.Context) error { return m.Client().Health(ctx) }}
}

// memberSuite is a suite served by one member of a pool.
type memberSuite struct {
	m    *Member
	name string

	mu     sync.Mutex
	splits []string
	tasks  map[string][]env.Task
}

func (s *memberSuite) Name() string { return s.name }

func (s *memberSuite) Splits() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.splits == nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.m.startTimeout)
		defer cancel()
		if _, splits, err := s.m.Client().Profile(ctx, s.name, ""); err == nil {
			s.splits = splits
		}
	}
	return append([]string(nil), s.splits...)
}

func (s *memberSuite) Tasks(split string) ([]env.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tasks[split]; ok {
		return t, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.m.startTimeout)
	defer cancel()
	tasks, _, err := s.m.Client().Profile(ctx, s.name, split)
	if err != nil {
		return nil, err
	}
	if s.tasks == nil {
		s.tasks = map[string][]env.Task{}
	}
	s.tasks[split] = tasks
	return tasks, nil
}

func (s *memberSuite) NewEnv(context.Context) (env.Env, error) {
	return env.NewRemoteEnv(s.m.Client(), s.name), nil
}
