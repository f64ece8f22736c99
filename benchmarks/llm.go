package benchmarks

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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
		N       int      `yaml:"n" range:"[1, 1000000]"`
		Seed    int64    `yaml:"seed"`
		Heldout float64  `yaml:"heldout" range:"[0, 1)"`
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
	HiddenSize       int    `yaml:"hidden_size" range:"[0, 16384]"`
	Layers           int    `yaml:"layers" range:"[0, 512]"`
	Heads            int    `yaml:"heads" range:"[0, 256]"`
	KVHeads          int    `yaml:"kv_heads" range:"[0, 256]"`
	IntermediateSize int    `yaml:"intermediate_size" range:"[0, 65536]"`
	Vocab            int    `yaml:"vocab" range:"[1, 262144]"`
	Context          int    `yaml:"context" range:"[1, 131072]"`
	MicroBatchTokens int    `yaml:"micro_batch_tokens" range:"[0, 1048576]"`
}

// WarmStartSettings are the supervised fine-tune on demonstrations.
type WarmStartSettings struct {
	Steps int     `yaml:"steps" range:"[0, 10000000]"`
	Batch int     `yaml:"batch" range:"[1, 65536]"`
	LR    float64 `yaml:"lr" range:"(0, 1]"`
}

// RLSettings are the RL budget, evaluation and episode limits.
type RLSettings struct {
	Steps            int     `yaml:"steps" range:"[0, 10000000]"`
	TasksPerStep     int     `yaml:"tasks_per_step" range:"[1, 100000]"`
	GroupSize        int     `yaml:"group_size" range:"[1, 4096]"`
	EvalEvery        int     `yaml:"eval_every" range:"[0, 10000000]"`
	EvalSamples      int     `yaml:"eval_samples" range:"[1, 4096]"`
	EvalTasks        int     `yaml:"eval_tasks" range:"[0, 1000000]"`
	CheckpointEvery  int     `yaml:"checkpoint_every" range:"[0, 10000000]"`
	KeepTrajectories int     `yaml:"keep_trajectories" range:"[0, 1000000]"`
	Temperature      float64 `yaml:"temperature" range:"[0, 100]"`
	EvalTemperature  float64 `yaml:"eval_temperature" range:"[0, 100]"`
	LR               float64 `yaml:"lr" range:"(0, 1]"`
	CriticLR         float64 `yaml:"critic_lr" range:"[0, 1]"`
	MaxTurns         int     `yaml:"max_turns" range:"[1, 1000]"`
	MaxTokensPerTurn int     `yaml:"max_tokens_per_turn" range:"[1, 131072]"`
	MaxContext       int     `yaml:"max_context" range:"[0, 1048576]"`
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

// Validate names the first bad setting, the allowed values and, for a
// model too large for this machine's memory, the estimate; it runs before
// any work.
func (c SuiteConfig) Validate() error {
	return c.validate(hostMemory())
}

// validate is Validate with the memory available (0: not checked).
func (c SuiteConfig) validate(mem uint64) error {
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
	if err := checkRanges(reflect.ValueOf(c), "", false); err != nil {
		return fmt.Errorf("suite %s: %w", c.Name, err)
	}
	if err := checkRanges(reflect.ValueOf(c.AppWorld), "appworld.", true); err != nil {
		return fmt.Errorf("suite %s: %w", c.Name, err)
	}
	if err := c.AppWorld.validate(c.Name); err != nil {
		return err
	}
	if err := c.checkMemory(mem); err != nil {
		return err
	}
	if c.AppWorld.Enabled {
		fc := c.appWorldConfig()
		fc.AppWorld.Enabled = false
		if err := fc.validate(mem); err != nil {
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
