package benchmarks

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/appworld"
	"github.com/seeupo/seeupo/harness/env"
)

// AppWorldFamilyName is the AppWorld family's name in run directories.
const AppWorldFamilyName = appworld.SuiteName

// AppWorldFamily is a suite's AppWorld task family: the agent writes one
// Python cell per turn against AppWorld's apps and is scored by state
// checks. The warm start fine-tunes on the native world's reference
// solutions played through the environment.
type AppWorldFamily struct {
	Enabled bool `yaml:"enabled"`
	// Mode: native (this project's AppWorld-style world, in-process),
	// remote (AppWorld environment servers: the configuration's
	// appworld.urls or appworld.image), or auto (remote when one of those
	// is set, else native). Default auto.
	Mode string `yaml:"mode"`
	// Train is the split trained on (default train). Eval is the split
	// evaluated on, or heldout (the default): the third variant of every
	// scenario of the training split, which is then trained on the first
	// two variants only.
	Train string `yaml:"train"`
	Eval  string `yaml:"eval"`
	// Seeds are the seeds of the family's runs. Seeds, Model, WarmStart
	// and RL are the family's settings: LoadSuite starts them from the
	// suite's and applies the keys the section gives on top, so a key
	// left out is the suite's and a key given wins, zero included.
	Seeds     []int             `yaml:"seeds"`
	Model     ModelSettings     `yaml:"model"`
	WarmStart WarmStartSettings `yaml:"warm_start"`
	RL        RLSettings        `yaml:"rl"`
}

// AppWorld family modes and the held-out evaluation.
const (
	AppWorldAuto    = "auto"
	AppWorldNative  = "native"
	AppWorldRemote  = "remote"
	AppWorldHeldout = "heldout"
)

func (a AppWorldFamily) trainSplit() string { return cmp.Or(a.Train, "train") }
func (a AppWorldFamily) evalSplit() string  { return cmp.Or(a.Eval, AppWorldHeldout) }
func (a AppWorldFamily) mode() string       { return cmp.Or(a.Mode, AppWorldAuto) }

// validate names the first bad setting of the section.
func (a AppWorldFamily) validate(suite string) error {
	if !a.Enabled {
		return nil
	}
	switch a.mode() {
	case AppWorldAuto, AppWorldNative, AppWorldRemote:
	default:
		return fmt.Errorf("suite %s: appworld.mode %q; allowed: auto, native, remote", suite, a.Mode)
	}
	if a.trainSplit() == a.evalSplit() {
		return fmt.Errorf("suite %s: appworld.train and appworld.eval are both %q; evaluate on another split or on heldout", suite, a.trainSplit())
	}
	return nil
}

// appWorldConfig is the suite with the AppWorld family's settings.
func (c SuiteConfig) appWorldConfig() SuiteConfig {
	fc := c
	fc.Model, fc.WarmStart, fc.RL, fc.Seeds = c.AppWorld.Model, c.AppWorld.WarmStart, c.AppWorld.RL, c.AppWorld.Seeds
	return fc
}

// resolveAppWorld sets the AppWorld family's seeds, model, warm start and
// RL settings: the suite's, then the keys of each layer's appworld
// section (nil where a layer has none) in order.
func (c *SuiteConfig) resolveAppWorld(sections []*yaml.Node) error {
	a := &c.AppWorld
	a.Seeds, a.Model, a.WarmStart, a.RL = slices.Clone(c.Seeds), c.Model, c.WarmStart, c.RL
	if c.RL.CriticLR != nil {
		lr := *c.RL.CriticLR
		a.RL.CriticLR = &lr // the family's own, so a section's value leaves the suite's alone
	}
	for _, sec := range sections {
		if sec == nil {
			continue
		}
		for key, dst := range map[string]any{"seeds": &a.Seeds, "model": &a.Model, "warm_start": &a.WarmStart, "rl": &a.RL} {
			if n := mappingChild(sec, key); n != nil {
				if err := n.Decode(dst); err != nil {
					return fmt.Errorf("appworld.%s: %w", key, err)
				}
			}
		}
	}
	return nil
}

// remote reports whether the family runs against AppWorld servers, given
// the configuration's appworld params.
func (a AppWorldFamily) remote(params map[string]string) (bool, error) {
	configured := params["urls"] != "" || params["image"] != ""
	switch a.mode() {
	case AppWorldNative:
		return false, nil
	case AppWorldRemote:
		if !configured {
			return false, fmt.Errorf("appworld.mode of the suite is remote, but neither appworld.urls nor appworld.image is configured (SEEUPO_APPWORLD_URLS, SEEUPO_APPWORLD_IMAGE)")
		}
		return true, nil
	}
	return configured, nil
}

// openAppWorldFamily opens the AppWorld family. Demonstrations always
// come from the native world (its reference solutions); RL and evaluation
// episodes run where the mode says.
func openAppWorldFamily(c SuiteConfig, o RunOptions) (*family, error) {
	fc := c.appWorldConfig()
	if err := fc.Validate(); err != nil {
		return nil, err
	}
	params := maps.Clone(o.AppWorld)
	if params == nil {
		params = map[string]string{}
	}
	remote, err := c.AppWorld.remote(params)
	if err != nil {
		return nil, err
	}
	// The demonstrations run in the native world with room for every
	// reference solution; the episodes with the family's turn limit.
	demoParams := nativeParams(params)
	demoParams["max_turns"] = "1000"
	demoSuite, err := appworld.Open(env.Options{Params: demoParams})
	if err != nil {
		return nil, err
	}
	runParams := nativeParams(params)
	where := "the native world"
	if remote {
		runParams = maps.Clone(params)
		runParams["mode"] = AppWorldRemote
		where = "AppWorld servers at " + cmp.Or(params["urls"], "containers of "+params["image"])
	}
	runParams["max_turns"] = strconv.Itoa(fc.RL.MaxTurns)
	runSuite, err := appworld.Open(env.Options{DataDir: o.DataDir, Params: runParams})
	if err != nil {
		return nil, err
	}
	train, test, err := appWorldSplits(runSuite, c.AppWorld)
	var demos []env.Task
	if err == nil {
		demos, _, err = appWorldSplits(demoSuite, c.AppWorld)
	}
	if err != nil {
		runSuite.(*appworld.Suite).Close()
		return nil, err
	}
	return &family{
		name: AppWorldFamilyName, cfg: fc, suite: runSuite, train: train, test: test, demos: demos,
		demoSuite: demoSuite, demoLimit: fc.RL.MaxTurns,
		splits: runSuite.Tasks,
		digestTasks: struct {
			Train, Eval string
			Seed        int64
		}{c.AppWorld.trainSplit(), c.AppWorld.evalSplit(), c.Tasks.Seed},
		warmDir: "warm-start-" + AppWorldFamilyName,
		describe: fmt.Sprintf("%d training and %d evaluation AppWorld tasks (%s → %s) in %s",
			len(train), len(test), c.AppWorld.trainSplit(), c.AppWorld.evalSplit(), where),
		close: runSuite.(*appworld.Suite).Close,
	}, nil
}

// nativeParams are the configuration's appworld params for the native
// world: its interpreter and per-cell limits.
func nativeParams(params map[string]string) map[string]string {
	out := map[string]string{"mode": AppWorldNative}
	for _, k := range []string{"python", "max_api_calls", "timeout_seconds", "max_output", "experiment"} {
		if v, ok := params[k]; ok && v != "" {
			out[k] = v
		}
	}
	return out
}

// appWorldSplits are the family's training and evaluation tasks in a
// suite: with eval heldout, the training split's third variants are held
// out and the others trained on.
func appWorldSplits(s env.Suite, a AppWorldFamily) (train, test []env.Task, err error) {
	all, err := s.Tasks(a.trainSplit())
	if err != nil {
		return nil, nil, fmt.Errorf("appworld.train: %w", err)
	}
	if a.evalSplit() != AppWorldHeldout {
		if test, err = s.Tasks(a.evalSplit()); err != nil {
			return nil, nil, fmt.Errorf("appworld.eval: %w (or %s)", err, AppWorldHeldout)
		}
		return all, test, nil
	}
	for _, t := range all {
		if strings.HasSuffix(t.ID, "_3") {
			test = append(test, t)
		} else {
			train = append(train, t)
		}
	}
	if len(train) == 0 || len(test) == 0 {
		return nil, nil, fmt.Errorf("appworld.eval %s: split %s has no task ids ending in _1/_2 and _3 to hold out", AppWorldHeldout, a.trainSplit())
	}
	return train, test, nil
}
