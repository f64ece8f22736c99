package benchmarks

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/policy"
)

// SuiteConfig is an LLM benchmark suite (quick, paper): which algorithms
// and seeds, on which tasks, with which model, warm start and RL budget.
// The presets live in presets/<name>.yaml.
type SuiteConfig struct {
	Name       string   `yaml:"name"`
	Experiment string   `yaml:"experiment"`
	Algorithms []string `yaml:"algorithms"`
	Seeds      []int    `yaml:"seeds"`
	Tasks      struct {
		Family  string   `yaml:"family"`
		N       int      `yaml:"n"`
		Seed    int64    `yaml:"seed"`
		Heldout float64  `yaml:"heldout"`
		Classes []string `yaml:"classes"`
		Prompt  string   `yaml:"prompt"`
	} `yaml:"tasks"`
	// Reference evaluates the final policies on the BFCL reference test
	// split too (multi_turn_base_100…199) when the data directory holds it.
	Reference bool              `yaml:"reference"`
	Model     ModelSettings     `yaml:"model"`
	WarmStart WarmStartSettings `yaml:"warm_start"`
	RL        RLSettings        `yaml:"rl"`
	// AppWorld adds the AppWorld task family (see AppWorldFamily).
	AppWorld AppWorldFamily `yaml:"appworld,omitempty"`
}

// ModelSettings choose the native transformer: a preset and the sizes
// that differ from it.
type ModelSettings struct {
	Preset           string `yaml:"preset"`
	HiddenSize       int    `yaml:"hidden_size"`
	Layers           int    `yaml:"layers"`
	Heads            int    `yaml:"heads"`
	KVHeads          int    `yaml:"kv_heads"`
	IntermediateSize int    `yaml:"intermediate_size"`
	Vocab            int    `yaml:"vocab"`
	Context          int    `yaml:"context"`
	MicroBatchTokens int    `yaml:"micro_batch_tokens"`
}

// WarmStartSettings are the supervised fine-tune on demonstrations.
type WarmStartSettings struct {
	Steps int     `yaml:"steps"`
	Batch int     `yaml:"batch"`
	LR    float64 `yaml:"lr"`
}

// RLSettings are the RL budget, evaluation and episode limits.
type RLSettings struct {
	Steps            int     `yaml:"steps"`
	TasksPerStep     int     `yaml:"tasks_per_step"`
	GroupSize        int     `yaml:"group_size"`
	EvalEvery        int     `yaml:"eval_every"`
	EvalSamples      int     `yaml:"eval_samples"`
	EvalTasks        int     `yaml:"eval_tasks"`
	CheckpointEvery  int     `yaml:"checkpoint_every"`
	KeepTrajectories int     `yaml:"keep_trajectories"`
	Temperature      float64 `yaml:"temperature"`
	EvalTemperature  float64 `yaml:"eval_temperature"`
	LR               float64 `yaml:"lr"`
	CriticLR         float64 `yaml:"critic_lr"`
	MaxTurns         int     `yaml:"max_turns"`
	MaxTokensPerTurn int     `yaml:"max_tokens_per_turn"`
	MaxContext       int     `yaml:"max_context"`
}

//go:embed presets/*.yaml
var presetFiles embed.FS

// SuiteNames lists the LLM suite presets.
func SuiteNames() []string {
	entries, _ := presetFiles.ReadDir("presets")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadSuite reads a preset by name, or a YAML file when name is a path: a
// file's settings apply on top of the quick preset, so it names only what
// it changes. Unknown keys are errors.
func LoadSuite(name string) (SuiteConfig, error) {
	var data []byte
	var err error
	where := name
	var c SuiteConfig
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || strings.ContainsRune(name, os.PathSeparator) {
		if c, err = LoadSuite("quick"); err != nil {
			return c, err
		}
		// A file's runs go under its own experiment name unless it says.
		stem := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		c.Name, c.Experiment = stem, stem
		data, err = os.ReadFile(name)
	} else {
		where = "presets/" + name + ".yaml"
		data, err = presetFiles.ReadFile(where)
		if err != nil {
			return SuiteConfig{}, fmt.Errorf("unknown suite %q; known suites: %s, theory (or a YAML file)",
				name, strings.Join(SuiteNames(), ", "))
		}
	}
	if err != nil {
		return SuiteConfig{}, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return SuiteConfig{}, fmt.Errorf("%s: %w", where, err)
	}
	return c, c.Validate()
}

// Validate names the first bad setting and what it must be.
func (c SuiteConfig) Validate() error {
	if len(c.Algorithms) == 0 {
		return fmt.Errorf("suite %s: algorithms: list at least one of %s", c.Name, strings.Join(algorithms.Names(), ", "))
	}
	for _, a := range c.Algorithms {
		if _, err := algorithms.Lookup(a); err != nil {
			return fmt.Errorf("suite %s: algorithms: %w", c.Name, err)
		}
	}
	if len(c.Seeds) == 0 {
		return fmt.Errorf("suite %s: seeds: list at least one seed", c.Name)
	}
	positive := []struct {
		key string
		v   int
	}{{"tasks.n", c.Tasks.N}, {"warm_start.batch", c.WarmStart.Batch}, {"rl.tasks_per_step", c.RL.TasksPerStep},
		{"rl.group_size", c.RL.GroupSize}, {"rl.eval_samples", c.RL.EvalSamples}, {"rl.max_turns", c.RL.MaxTurns},
		{"rl.max_tokens_per_turn", c.RL.MaxTokensPerTurn}, {"model.vocab", c.Model.Vocab}, {"model.context", c.Model.Context}}
	for _, p := range positive {
		if p.v < 1 {
			return fmt.Errorf("suite %s: %s must be a positive integer, got %d", c.Name, p.key, p.v)
		}
	}
	if c.RL.LR <= 0 || c.WarmStart.LR <= 0 {
		return fmt.Errorf("suite %s: rl.lr and warm_start.lr must be > 0", c.Name)
	}
	if err := c.AppWorld.validate(c.Name); err != nil {
		return err
	}
	if c.AppWorld.Enabled {
		fc := c.appWorldConfig()
		fc.AppWorld.Enabled = false
		if err := fc.Validate(); err != nil {
			return fmt.Errorf("%w (with the appworld section's settings)", err)
		}
	}
	return nil
}

// taskOptions are the generated-task options of the suite.
func (c SuiteConfig) taskOptions() bfcl.GeneratedOptions {
	o := bfcl.DefaultGeneratedOptions()
	if c.Tasks.Family != "" {
		o.Family = c.Tasks.Family
	}
	o.N, o.Seed, o.Classes = c.Tasks.N, c.Tasks.Seed, c.Tasks.Classes
	if c.Tasks.Heldout > 0 {
		o.Heldout = c.Tasks.Heldout
	}
	if c.Tasks.Prompt != "" {
		o.Prompt = c.Tasks.Prompt
	}
	return o
}

// optim is AdamW with the suite's learning rate and the reference's other
// settings.
func optim(lr float64) policy.Optim {
	o := algorithms.ReferenceOptim()
	o.LR = lr
	return o
}

// logf writes a line when w is not nil.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
