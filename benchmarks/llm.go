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
	Name       string `yaml:"name"`
	Experiment string `yaml:"experiment"`
	// Question is what the suite is made to answer; its report opens with
	// it.
	Question   string   `yaml:"question,omitempty"`
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
	// Pretrained replaces settings when the suite starts from a
	// checkpoint (model.checkpoint; see checkpoint.go).
	Pretrained PretrainedSettings `yaml:"pretrained,omitempty"`
	// Budgets, when listed, run every algorithm × seed of a family once
	// per budget (algorithm.budget: rollouts, updates) from the same warm
	// start; the runs of budget b go to the family <family>-<b>. Empty:
	// one pass with the configuration's budget.
	Budgets []string `yaml:"budgets,omitempty"`
	// Budget is the budget of one pass (set per pass from Budgets).
	Budget string `yaml:"budget,omitempty"`
	// Parallel is how many runs train at once (0 or 1: one after the
	// other). A run's figures are the same either way.
	Parallel int `yaml:"parallel,omitempty" range:"[0, 64]"`
}

// ModelSettings choose the native transformer: a preset and the sizes
// that differ from it.
type ModelSettings struct {
	// Checkpoint is a pretrained Hugging Face model directory the suite
	// starts from instead of a fresh model (the sizes below are then
	// unused).
	Checkpoint       string `yaml:"checkpoint,omitempty" json:",omitempty"`
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
	// Mode: auto (on for a fresh model, off for a checkpoint), on, off.
	Mode  string  `yaml:"mode,omitempty" json:",omitempty"`
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
	// CriticLR is the critic's learning rate (nil: the algorithm's own).
	CriticLR         *float64 `yaml:"critic_lr,omitempty" range:"[0, 1]"`
	MaxTurns         int      `yaml:"max_turns" range:"[1, 1000]"`
	MaxTokensPerTurn int      `yaml:"max_tokens_per_turn" range:"[1, 131072]"`
	MaxContext       int      `yaml:"max_context" range:"[0, 1048576]"`
	// GreedyEval adds a greedy evaluation (temperature 0, one sample of
	// every held-out task) after training and of the warm start, reported
	// as greedy/avg@1 beside the sampled figures.
	GreedyEval bool `yaml:"greedy_eval,omitempty"`
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
// it changes. The layers are the defaults (defaultSuite), the preset, then
// the file: a key a layer gives replaces the value below it, whatever it
// is (zero and false included), and a key it leaves out keeps it. The
// appworld section's model, warm_start, rl and seeds are resolved here the
// same way, over the suite's (see AppWorldFamily). Unknown keys are errors.
func LoadSuite(name string) (SuiteConfig, error) {
	layers, err := suiteLayers(name)
	if err != nil {
		return SuiteConfig{}, err
	}
	c := defaultSuite()
	var sections []*yaml.Node
	for i, l := range layers {
		if i > 0 {
			// A file's runs go under its own experiment name unless it says.
			stem := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
			c.Name, c.Experiment = stem, stem
		}
		dec := yaml.NewDecoder(bytes.NewReader(l.data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return SuiteConfig{}, fmt.Errorf("%s: %w", l.where, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(l.data, &doc); err != nil {
			return SuiteConfig{}, fmt.Errorf("%s: %w", l.where, err)
		}
		sections = append(sections, mappingChild(&doc, "appworld"))
	}
	if err := c.resolveAppWorld(sections); err != nil {
		return SuiteConfig{}, err
	}
	if c.Model.Checkpoint != "" {
		return c.WithCheckpoint(c.Model.Checkpoint, c.WarmStart.Mode)
	}
	return c, c.Validate()
}

// suiteLayer is one YAML document of a suite and where it comes from.
type suiteLayer struct {
	where string
	data  []byte
}

// suiteLayers are the documents of a suite: a preset, or the quick preset
// and a file.
func suiteLayers(name string) ([]suiteLayer, error) {
	if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml") && !strings.ContainsRune(name, os.PathSeparator) {
		where := "presets/" + name + ".yaml"
		data, err := presetFiles.ReadFile(where)
		if err != nil {
			return nil, fmt.Errorf("unknown suite %q; known suites: %s, theory (or a YAML file)",
				name, strings.Join(SuiteNames(), ", "))
		}
		return []suiteLayer{{where, data}}, nil
	}
	quick, err := suiteLayers("quick")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return append(quick, suiteLayer{name, data}), nil
}

// defaultSuite is the layer under every preset: the generated tasks'
// defaults (bfcl.DefaultGeneratedOptions); everything else is zero, so a
// preset gives it.
func defaultSuite() SuiteConfig {
	var c SuiteConfig
	o := bfcl.DefaultGeneratedOptions()
	c.Tasks.Family, c.Tasks.N, c.Tasks.Seed, c.Tasks.Heldout, c.Tasks.Prompt = o.Family, o.N, o.Seed, o.Heldout, o.Prompt
	return c
}

// mappingChild is the value of key in the mapping of a YAML document or
// mapping node, or nil.
func mappingChild(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
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
	for _, b := range c.Budgets {
		if b != algorithms.BudgetRollouts && b != algorithms.BudgetUpdates {
			return fmt.Errorf("suite %s: budgets: unknown budget %q; allowed: %s, %s", c.Name, b,
				algorithms.BudgetRollouts, algorithms.BudgetUpdates)
		}
	}
	if err := checkRanges(reflect.ValueOf(c), ""); err != nil {
		return fmt.Errorf("suite %s: %w", c.Name, err)
	}
	if err := checkRanges(reflect.ValueOf(c.AppWorld), "appworld."); err != nil {
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
	t := c.Tasks
	return bfcl.GeneratedOptions{Family: t.Family, N: t.N, Seed: t.Seed, Heldout: t.Heldout, Classes: t.Classes, Prompt: t.Prompt}
}

// AlgorithmLayer is the suite's layer over every algorithm's defaults:
// its learning rate, and its critic's when it gives one.
func (c SuiteConfig) AlgorithmLayer() algorithms.Overrides {
	o := algorithms.Overrides{"lr": c.RL.LR}
	if c.RL.CriticLR != nil {
		o["critic_lr"] = *c.RL.CriticLR
	}
	if c.Budget != "" {
		o["budget"] = c.Budget
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
