package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness/config"
)

// suiteOverrides are the command-line changes to a suite that the suite
// commands share: the checkpoint to start from (over model.checkpoint),
// the RL steps and key=value assignments.
type suiteOverrides struct {
	checkpoint string
	steps      int
	set        []string
}

// bind defines --checkpoint (when withCheckpoint: eval and serve use
// their own), --steps and --set.
func (o *suiteOverrides) bind(fs *pflag.FlagSet, withCheckpoint bool) {
	if withCheckpoint {
		fs.StringVar(&o.checkpoint, "checkpoint", "", "pretrained Hugging Face Qwen2/Qwen3 model directory to start from (model.checkpoint)")
	}
	fs.IntVar(&o.steps, "steps", 0, "RL steps of every run (rl.steps; 0: the suite's)")
	fs.StringArrayVar(&o.set, "set", nil, "suite key=value, e.g. rl.group_size=2 or algorithms=[grpo] (repeatable)")
}

// apply gives the suite the checkpoint (the flag's, else the
// configuration's model.checkpoint) with the configuration's warm-start
// mode, then the steps and assignments.
func (o suiteOverrides) apply(c benchmarks.SuiteConfig, cfg *config.Resolved) (benchmarks.SuiteConfig, error) {
	m := cfg.Model
	if o.checkpoint != "" {
		m.Checkpoint = o.checkpoint
	}
	if err := m.Check(); err != nil {
		if o.checkpoint != "" {
			return c, fmt.Errorf("--checkpoint: %w", err)
		}
		return c, err
	}
	var err error
	if m.Checkpoint != "" {
		if c, err = c.WithCheckpoint(m.Checkpoint, m.WarmStart); err != nil {
			return c, err
		}
	}
	set := o.set
	if o.steps > 0 {
		set = append([]string{"rl.steps=" + strconv.Itoa(o.steps)}, set...)
	}
	if len(set) > 0 {
		return c.Set(set)
	}
	return c, nil
}

// suitePreset is the configuration layer a suite gives: its learning
// rates as algorithm.lr and algorithm.critic_lr.
func suitePreset(c benchmarks.SuiteConfig) *config.Preset {
	p := &config.Preset{Name: "suite " + c.Name, Values: map[string]any{}}
	for key, v := range c.AlgorithmLayer() {
		p.Values["algorithm."+key] = v
	}
	return p
}
