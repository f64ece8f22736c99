// Package config is the one typed configuration of seeupo. A value is
// resolved from, in increasing order of precedence: the defaults below, a
// preset (Options.Preset: a benchmark suite's values), a YAML file
// (--config), SEEUPO_* environment variables, and command-line flags. The
// source of every value is kept, and it, not the value, tells a value set
// from one left at its default (Resolved.IsSet, Resolved.Explicit).
//
// Every field carries a `key` tag (its name in YAML, the environment variable
// is SEEUPO_ followed by the dotted path upper-cased with dots as
// underscores) and optionally `allowed` (a |-separated list of values),
// `min`/`max` (numeric bounds) and `help` (one line for documentation).
// Unknown keys, wrong types and values outside these bounds are errors that
// name the key, where the value came from (file and line, variable or flag)
// and what is allowed.
//
// It imports the standard library, viper, a YAML parser and, for the names
// the algorithm section allows (algorithms, estimators, losses,
// aggregation modes), the algorithms' registries.
package config

// Config is the fully resolved configuration of one invocation.
type Config struct {
	// DataDir holds the benchmark data (bfcl_v4/, ...).
	DataDir string `key:"data_dir" help:"directory holding benchmark data such as bfcl_v4/ (SEEUPO_DATA also sets it)"`
	// OutDir is the root under which run directories are written.
	OutDir string `key:"out_dir" help:"root directory of run directories"`
	// Device selects the compute backend.
	Device string `key:"device" allowed:"cpu|cuda" help:"compute backend"`
	// Threads is the number of CPU threads for kernels; 0 means all cores.
	Threads int `key:"threads" min:"0" help:"CPU threads for kernels, 0 for all cores"`
	// Seed is the base random seed.
	Seed int64 `key:"seed" min:"0" help:"base random seed"`
	// Log configures diagnostic logging.
	Log LogConfig `key:"log"`
	// Env says where environments run (harness/config/env.go).
	Env EnvConfig `key:"env"`
	// AppWorld configures the AppWorld suite (harness/config/appworld.go).
	AppWorld AppWorldConfig `key:"appworld"`
	// Algorithm selects the training algorithm (harness/config/algorithms.go).
	Algorithm AlgorithmConfig `key:"algorithm"`
	// RL says where rollouts are generated (harness/config/rl.go).
	RL RLConfig `key:"rl"`
	// Model says which model runs start from (harness/config/model.go).
	Model ModelConfig `key:"model"`
}

// LogConfig configures diagnostic logging on stderr.
type LogConfig struct {
	Level  string `key:"level" allowed:"debug|info|warn|error" help:"least severe level printed"`
	Format string `key:"format" allowed:"text|json" help:"log line format"`
}

// Default returns the configuration used when nothing overrides it. The data
// directory is left empty here and resolved by DefaultDataDir at load time.
func Default() Config {
	c := Config{
		OutDir: "runs",
		Device: "cpu",
		Log:    LogConfig{Level: "info", Format: "text"},
	}
	for _, set := range sectionDefaults {
		set(&c)
	}
	return c
}

// sectionDefaults fill in the defaults of sections declared in other files.
var sectionDefaults []func(*Config)

// registerDefaults adds the defaults of a section. A file that declares a
// section calls it from init, so sections are added without editing
// Default.
func registerDefaults(set func(*Config)) { sectionDefaults = append(sectionDefaults, set) }
