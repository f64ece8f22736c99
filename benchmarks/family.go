package benchmarks

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
)

// family is one task family of a suite: the environment its episodes run
// in, its training and evaluation tasks, and how a task is demonstrated
// for the warm start. Every family has its own warm start, runs and
// comparison table; its runs go to <out>/<experiment>/<name>/.
type family struct {
	name  string      // the run directories' suite: bfcl_gen, appworld
	cfg   SuiteConfig // the suite with the family's own settings applied
	suite env.Suite   // where RL and evaluation episodes run
	train []env.Task
	test  []env.Task
	// demos are the tasks demonstrated for the warm start, by the
	// environments of demoSuite (an env.Demonstrator); a demonstration
	// longer than demoLimit replies (0: no limit) is an error.
	demos     []env.Task
	demoSuite env.Suite
	demoLimit int
	// splits gives the tasks of a split name other than train and test
	// for EvaluatePolicy (nil: none).
	splits func(string) ([]env.Task, error)
	// digestTasks is what the warm start depends on besides the model and
	// fine-tuning settings.
	digestTasks any
	warmDir     string // directory name of the warm start under the experiment
	rejected    int    // generated tasks the checker rejected
	describe    string // one log line about the tasks
	close       func() error
}

// Close releases the family's environments (containers of remote mode).
func (f *family) Close() error {
	if f.close == nil {
		return nil
	}
	return f.close()
}

// tasks returns a split for evaluation: train and test are the family's
// training and evaluation tasks; other names go to the environment suite.
func (f *family) tasks(split string) ([]env.Task, error) {
	switch split {
	case bfcl.SplitTrain:
		return f.train, nil
	case bfcl.SplitTest:
		return f.test, nil
	}
	if f.splits == nil {
		return nil, fmt.Errorf("unknown split %q of %s; known: train, test", split, f.name)
	}
	return f.splits(split)
}

// warmStartDigest covers what the family's warm start depends on: its
// tasks, the model and the fine-tuning settings.
func (f *family) warmStartDigest() string {
	b, _ := json.Marshal(struct {
		Family                  string
		Tasks, Model, WarmStart any
	}{f.name, f.digestTasks, f.cfg.Model, f.cfg.WarmStart})
	return metrics.ConfigDigest(b)
}

// warmStartDir is where the family's warm start is saved.
func (f *family) warmStartDir(out string) string {
	return filepath.Join(out, f.cfg.Experiment, f.warmDir)
}

// FamilyNames lists a suite's task families in the order they run.
func (c SuiteConfig) FamilyNames() []string {
	names := []string{bfcl.GeneratedSuiteName}
	if c.referenceTasks() {
		names[0] = bfcl.SuiteName
	}
	if c.AppWorld.Enabled {
		names = append(names, AppWorldFamilyName)
	}
	return names
}

// openFamilies opens every task family of the suite.
func openFamilies(c SuiteConfig, o RunOptions) ([]*family, error) {
	var out []*family
	for _, name := range c.FamilyNames() {
		f, err := openFamily(c, name, o)
		if err != nil {
			for _, g := range out {
				g.Close()
			}
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// openFamily opens one task family of the suite by name.
func openFamily(c SuiteConfig, name string, o RunOptions) (*family, error) {
	known := c.FamilyNames()
	switch {
	case (name == "" || name == bfcl.GeneratedSuiteName || name == bfcl.SuiteName) && c.referenceTasks():
		return openReferenceFamily(c, o)
	case name == "" || name == bfcl.GeneratedSuiteName:
		return openBFCLFamily(c)
	case name == AppWorldFamilyName && c.AppWorld.Enabled:
		return openAppWorldFamily(c, o)
	}
	return nil, fmt.Errorf("suite %s has no task family %q; its families: %s (appworld needs appworld.enabled: true)",
		c.Name, name, strings.Join(known, ", "))
}

// openBFCLFamily generates the suite's BFCL-style tasks; a training task
// is demonstrated by its ground truth.
func openBFCLFamily(c SuiteConfig) (*family, error) {
	gs, err := bfcl.NewGeneratedSuite(c.taskOptions())
	if err != nil {
		return nil, err
	}
	train, _ := gs.Tasks(bfcl.SplitTrain)
	test, _ := gs.Tasks(bfcl.SplitTest)
	// The family's runs do not depend on the AppWorld section, so their
	// recorded configuration leaves it out.
	c.AppWorld = AppWorldFamily{}
	return &family{
		name: bfcl.GeneratedSuiteName, cfg: c, suite: gs, train: train, test: test, demos: train, demoSuite: gs,
		digestTasks: c.Tasks, warmDir: "warm-start", rejected: len(gs.Rejected),
		describe: fmt.Sprintf("%d training and %d held-out generated tasks (%s family, %d rejected by the checker)",
			len(train), len(test), c.Tasks.Family, len(gs.Rejected)),
	}, nil
}
