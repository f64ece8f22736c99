package benchmarks

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/transformer"
)

// PretrainedSettings are what a suite changes when it starts from a
// pretrained checkpoint (model.checkpoint), as the paper preset does to
// follow the reference release: its tasks, prompt and RL settings.
type PretrainedSettings struct {
	// Tasks of the BFCL family: "generated" (the suite's generated tasks,
	// the default) or "reference" (BFCL v4 multi_turn_base: train on the
	// reference train split, ids 0–99 of splits.json, evaluate on its
	// test split, 100–199; the family is then named bfcl).
	Tasks string `yaml:"tasks,omitempty"`
	// Prompt is the BFCL prompt form of the reference tasks (official,
	// compact; default official).
	Prompt string `yaml:"prompt,omitempty"`
	// RL and AppWorldRL are rl keys given over the suite's rl section
	// and over the appworld family's.
	RL         yaml.Node `yaml:"rl,omitempty"`
	AppWorldRL yaml.Node `yaml:"appworld_rl,omitempty"`
}

// Pretrained task sets.
const (
	TasksGenerated = "generated"
	TasksReference = "reference"
)

// referenceTasks reports whether the BFCL family trains on the reference
// split.
func (c SuiteConfig) referenceTasks() bool {
	return c.Model.Checkpoint != "" && c.Pretrained.Tasks == TasksReference
}

// warmStartOn reports whether the family's warm start runs: mode on, or
// auto (or unset) without a checkpoint.
func (c SuiteConfig) warmStartOn() bool {
	return c.WarmStart.Mode == "on" || (c.WarmStart.Mode != "off" && c.Model.Checkpoint == "")
}

// WithCheckpoint is the suite starting from the Hugging Face model
// directory dir: model.checkpoint is dir, the warm start's mode is
// warmStart ("" and auto: off, as for every checkpoint), and the
// pretrained section's settings replace the suite's. The result is
// validated, its memory estimate included.
func (c SuiteConfig) WithCheckpoint(dir, warmStart string) (SuiteConfig, error) {
	c.Model.Checkpoint, c.AppWorld.Model.Checkpoint = dir, dir
	c.WarmStart.Mode, c.AppWorld.WarmStart.Mode = warmStart, warmStart
	switch c.WarmStart.Mode {
	case "", "auto", "on", "off":
	default:
		return c, fmt.Errorf("suite %s: warm_start.mode %q: allowed values are auto, on, off", c.Name, c.WarmStart.Mode)
	}
	switch c.Pretrained.Tasks {
	case "", TasksGenerated, TasksReference:
	default:
		return c, fmt.Errorf("suite %s: pretrained.tasks %q: allowed values are %s, %s", c.Name, c.Pretrained.Tasks, TasksGenerated, TasksReference)
	}
	switch c.Pretrained.Prompt {
	case "", bfcl.PromptOfficial, bfcl.PromptCompact:
	default:
		return c, fmt.Errorf("suite %s: pretrained.prompt %q: allowed values are %s, %s", c.Name, c.Pretrained.Prompt, bfcl.PromptOfficial, bfcl.PromptCompact)
	}
	for _, l := range []struct {
		key  string
		node *yaml.Node
		dst  *RLSettings
	}{{"pretrained.rl", &c.Pretrained.RL, &c.RL}, {"pretrained.appworld_rl", &c.Pretrained.AppWorldRL, &c.AppWorld.RL}} {
		if l.node.IsZero() {
			continue
		}
		if err := decodeKnown(l.node, l.dst); err != nil {
			return c, fmt.Errorf("suite %s: %s: %w", c.Name, l.key, err)
		}
	}
	if _, err := checkpointConfig(dir); err != nil {
		return c, fmt.Errorf("suite %s: model.checkpoint: %w", c.Name, err)
	}
	return c, c.Validate()
}

// decodeKnown decodes a YAML node over dst, refusing unknown keys.
func decodeKnown(n *yaml.Node, dst any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(dst)
}

// checkpointConfig reads a checkpoint's config.json.
func checkpointConfig(dir string) (transformer.Config, error) {
	return transformer.LoadConfig(filepath.Join(dir, transformer.ConfigFile))
}

// checkpointStart is the family's starting point when a checkpoint is
// given without a warm start: the checkpoint itself, with its tokenizer.
func checkpointStart(f *family, log io.Writer) (*WarmStart, error) {
	dir := f.cfg.Model.Checkpoint
	cfg, err := checkpointConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("model.checkpoint: %w", err)
	}
	tok, err := models.LoadTokenizer(dir)
	if err != nil {
		return nil, fmt.Errorf("model.checkpoint: %w", err)
	}
	if tok.VocabSize() > cfg.VocabSize {
		return nil, fmt.Errorf("model.checkpoint: %s has %d tokens, more than the model's vocab_size %d",
			filepath.Join(dir, models.TokenizerFile), tok.VocabSize(), cfg.VocabSize)
	}
	logf(log, "start (%s): the checkpoint %s (%s, %d parameters), no warm start (model.warm_start on adds one)",
		f.name, dir, cfg.ModelType, cfg.ParamCount())
	return &WarmStart{Dir: dir, Tokenizer: tok, Config: cfg, Pretrained: true}, nil
}

// openReferenceFamily opens the BFCL v4 multi_turn_base reference split:
// training tasks 0–99, evaluation tasks 100–199 (splits.json), in the
// pretrained section's prompt form; a training task is demonstrated by its
// ground truth when a warm start is asked for.
func openReferenceFamily(c SuiteConfig, o RunOptions) (*family, error) {
	dir := filepath.Join(o.DataDir, "bfcl_v4")
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("suite %s with a checkpoint trains on the BFCL reference split, whose data is not at %s: set data_dir (--data-dir or SEEUPO_DATA) or run `seeupo data fetch bfcl --dest %s`",
			c.Name, dir, dir)
	}
	prompt := c.Pretrained.Prompt
	if prompt == "" {
		prompt = bfcl.PromptOfficial
	}
	s, err := env.Open(bfcl.SuiteName, env.Options{DataDir: o.DataDir,
		Params: map[string]string{"category": "base", "prompt": prompt}})
	if err != nil {
		return nil, err
	}
	train, err := s.Tasks(bfcl.SplitTrain)
	if err != nil {
		return nil, err
	}
	test, err := s.Tasks(bfcl.SplitTest)
	if err != nil {
		return nil, err
	}
	c.AppWorld = AppWorldFamily{}
	return &family{
		name: bfcl.SuiteName, cfg: c, suite: s, train: train, test: test, demos: train, demoSuite: s,
		digestTasks: map[string]string{"tasks": TasksReference, "prompt": prompt}, warmDir: "warm-start-bfcl",
		describe: fmt.Sprintf("BFCL v4 multi_turn_base reference split: %d training tasks (%s … %s), %d evaluation tasks (%s … %s), %s prompt",
			len(train), first(train), last(train), len(test), first(test), last(test), prompt),
	}, nil
}

func first(ts []env.Task) string {
	if len(ts) == 0 {
		return "none"
	}
	return ts[0].ID
}

func last(ts []env.Task) string {
	if len(ts) == 0 {
		return "none"
	}
	return ts[len(ts)-1].ID
}
