package algorithms

import (
	"context"
	"fmt"

	"github.com/seeupo/seeupo/policy"
)

// Models are the networks an update may touch: the policy being trained,
// the frozen reference policy for the KL term (nil: no KL term), and the
// critic (PPO only; nil otherwise).
type Models struct {
	Policy policy.Trainable
	Ref    policy.Scorer
	Critic policy.ValueModel
}

// Metrics are an update's figures under verl's names (actor/pg_loss,
// actor/pg_clipfrac, actor/ppo_kl, actor/kl_loss, actor/entropy,
// actor/grad_norm, critic/vf_loss, …) plus perf/optimizer_steps and
// perf/total_num_tokens, which make budgets comparable.
type Metrics map[string]float64

// Algorithm turns one batch of trajectories into parameter updates. It
// owns its schedule: how many optimiser steps, on which samples, in which
// order.
type Algorithm interface {
	Name() string
	Settings() Settings
	Update(ctx context.Context, m Models, b *Batch) (Metrics, error)
}

// CriticUser is implemented by algorithms that need Models.Critic.
type CriticUser interface {
	NeedsCritic() bool
}

// Spec registers an algorithm: its name, one line of description, its
// default settings and its constructor.
type Spec struct {
	Name     string
	Summary  string
	Defaults func() Settings
	New      func(Settings) (Algorithm, error)
}

var algorithmRegistry = newRegistry[Spec]("algorithm")

// Register adds an algorithm; call it from init. A duplicate or empty name,
// or a spec without Defaults or New, panics.
func Register(s Spec) {
	if s.Defaults == nil || s.New == nil {
		panic("algorithms: Register needs a name, Defaults and New")
	}
	algorithmRegistry.add(s.Name, s)
}

// Names lists the registered algorithms, sorted.
func Names() []string { return algorithmRegistry.names() }

// Lookup returns the spec registered under name; an unknown name is an
// error listing the known ones.
func Lookup(name string) (Spec, error) { return algorithmRegistry.lookup(name) }

// Defaults returns the default settings of the named algorithm.
func Defaults(name string) (Settings, error) {
	s, err := Lookup(name)
	if err != nil {
		return Settings{}, err
	}
	return s.Defaults(), nil
}

// New builds the named algorithm with settings (validated first).
func New(name string, settings Settings) (Algorithm, error) {
	s, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if err := settings.Validate(); err != nil {
		return nil, fmt.Errorf("algorithm %s: %w", name, err)
	}
	return s.New(settings)
}
