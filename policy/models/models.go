// Package models builds the native transformer models and reads their
// tokenizers. It is the one place that opens a compute backend: a command
// opens its Factory once, from the configuration's device, and every
// model of its work (a warm start, a run's policy and critic, a served
// checkpoint, a benchmark's model) is built through that Factory, so all
// of them share the backend.
//
// It may import kernels and the rest of policy, as every policy package.
package models

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// TokenizerFile is the tokenizer's file name in a model directory.
const TokenizerFile = "tokenizer.json"

// Factory builds models on one compute backend.
type Factory struct {
	be kernels.Backend
}

// Open opens the compute backend named device (kernels.Names) with
// threads CPU workers (≤ 0: all cores). An empty or unknown device is an
// error naming the devices this build has.
func Open(device string, threads int) (*Factory, error) {
	have := strings.Join(kernels.Names(), ", ")
	if device == "" {
		return nil, fmt.Errorf("no device given; this build has: %s", have)
	}
	be, err := kernels.Open(device, kernels.Options{Threads: threads})
	if err != nil {
		return nil, fmt.Errorf("device %q: %w", device, err)
	}
	return &Factory{be: be}, nil
}

// CPU is the factory on the CPU backend, which every build has: for tests
// and tools that have no device setting.
func CPU(threads int) *Factory {
	f, err := Open("cpu", threads)
	if err != nil {
		panic("models: the cpu backend is always registered: " + err.Error())
	}
	return f
}

// Backend is the factory's compute backend.
func (f *Factory) Backend() kernels.Backend { return f.be }

// New builds a fresh model of cfg with weights drawn from seed.
func (f *Factory) New(cfg transformer.Config, seed uint64, o transformer.Options) (*transformer.Model, error) {
	return transformer.New(cfg, f.be, seed, o)
}

// Load reads the model of a model directory (config.json and the
// safetensors weights).
func (f *Factory) Load(dir string, o transformer.Options) (*transformer.Model, error) {
	return transformer.Load(dir, f.be, o)
}

// LoadCheckpoint reads a training checkpoint's model with its optimiser
// state.
func (f *Factory) LoadCheckpoint(dir string) (*transformer.Model, error) {
	return transformer.LoadCheckpoint(dir, f.be)
}

// LoadDir reads a model directory with its tokenizer (TokenizerFile).
func (f *Factory) LoadDir(dir string, o transformer.Options) (*transformer.Model, *tokenizer.Tokenizer, error) {
	m, err := f.Load(dir, o)
	if err != nil {
		return nil, nil, err
	}
	tok, err := LoadTokenizer(dir)
	if err != nil {
		return nil, nil, err
	}
	return m, tok, nil
}

// LoadTokenizer reads the tokenizer of a model directory.
func LoadTokenizer(dir string) (*tokenizer.Tokenizer, error) {
	return tokenizer.Load(filepath.Join(dir, TokenizerFile))
}

// Critic builds a value model whose trunk starts from m's weights and
// whose scalar head starts fresh from seed.
func (f *Factory) Critic(m *transformer.Model, seed uint64, o transformer.Options) (*transformer.Model, error) {
	o.ValueHead = true
	critic, err := f.New(m.Config(), seed, o)
	if err != nil {
		return nil, err
	}
	weights, err := m.Weights()
	if err != nil {
		return nil, err
	}
	for name, vals := range weights {
		if err := critic.SetWeight(name, vals); err != nil {
			return nil, err
		}
	}
	return critic, nil
}
