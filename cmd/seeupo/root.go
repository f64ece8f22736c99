package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/seeupo/seeupo/harness/config"
)

// app carries what every command shares: the output streams and the
// global flags from which the configuration is resolved.
type app struct {
	stdout, stderr io.Writer
	args           []string // the command line, for messages that repeat it
	configFile     string
	root           *cobra.Command
	// bound maps configuration keys to the flags that set them.
	bound map[string]*pflag.Flag
	// cleanups run, last first, when the command has ended (services a
	// run started for itself, say).
	cleanups []func()
}

// commandFactory builds one command; each command's file registers its
// factory in init, so adding a command touches no other file.
type commandFactory func(*app) *cobra.Command

type registration struct {
	parent  string // "" for a top-level command, else the name of its group
	factory commandFactory
}

var registrations []registration

// register adds a command under parent ("" for the top level). A group
// named by parent is created on first use; groupHelp describes it.
func register(parent string, f commandFactory) {
	registrations = append(registrations, registration{parent, f})
}

// groupHelp holds the one-line description of each command group.
var groupHelp = map[string]string{}

// groupSetup lets a group command do work of its own (beyond listing its
// subcommands): the function sets its flags and RunE.
var groupSetup = map[string]func(*app, *cobra.Command){}

// registerGroupRun gives the group called name its own behaviour.
func registerGroupRun(name string, setup func(*app, *cobra.Command)) {
	if _, dup := groupSetup[name]; dup {
		panic("command group " + name + " given behaviour twice")
	}
	groupSetup[name] = setup
}

// registerGroup describes a command group; call it from the init function
// of a file that registers commands under the group.
func registerGroup(name, short string) {
	if prev, ok := groupHelp[name]; ok && prev != short {
		panic("command group " + name + " described twice")
	}
	groupHelp[name] = short
}

// run executes the CLI with args and the given streams; it is the whole
// program apart from process wiring.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a := &app{stdout: stdout, stderr: stderr, args: args, bound: map[string]*pflag.Flag{}}
	root := a.newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	defer func() {
		for i := len(a.cleanups) - 1; i >= 0; i-- {
			a.cleanups[i]()
		}
	}()
	return root.ExecuteContext(ctx)
}

func (a *app) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "seeupo",
		Short: "Reinforcement-learning benchmarks for multi-turn LLM agents",
		Long: `seeupo trains and evaluates multi-turn LLM agents with SeeUPO (sequence-level,
turn-by-turn reverse-order updates) side by side with PPO, GRPO, GSPO and the
REINFORCE family, on BFCL v4 and AppWorld environments, and turns the runs
into comparative tables, stability plots and reports.

Settings come from defaults < a YAML file (--config) < SEEUPO_* environment
variables < flags. "seeupo config show" prints the resolved result and where
each value came from.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	a.root = root
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "YAML configuration file")
	a.bindFlag(pf, "data_dir", "data-dir", "", "data directory (also SEEUPO_DATA); default ../shared/data beside a checkout, else the user cache")
	a.bindFlag(pf, "device", "device", "", "compute backend: cpu or cuda")
	a.bindFlag(pf, "threads", "threads", 0, "CPU threads for kernels (0: all cores)")
	a.bindFlag(pf, "log.level", "log-level", "", "log level: debug, info, warn or error")
	groups := map[string]*cobra.Command{}
	for _, r := range registrations {
		parent := root
		if r.parent != "" {
			parent = a.group(root, groups, r.parent)
		}
		parent.AddCommand(r.factory(a))
	}
	sortCommands(root)
	return root
}

// group returns the command group called name, creating it on first use.
func (a *app) group(root *cobra.Command, groups map[string]*cobra.Command, name string) *cobra.Command {
	if g, ok := groups[name]; ok {
		return g
	}
	g := &cobra.Command{Use: name, Short: groupHelp[name], Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	if setup, ok := groupSetup[name]; ok {
		setup(a, g)
	}
	groups[name] = g
	root.AddCommand(g)
	return g
}

func sortCommands(c *cobra.Command) {
	sub := c.Commands()
	sort.Slice(sub, func(i, j int) bool { return sub[i].Name() < sub[j].Name() })
	for _, s := range sub {
		sortCommands(s)
	}
}

// bindFlag defines a flag on fs that sets the configuration key. The
// default shown is the flag type's zero value; the configuration supplies
// the real default.
func (a *app) bindFlag(fs *pflag.FlagSet, key, name string, zero any, usage string) {
	switch zero.(type) {
	case string:
		fs.String(name, "", usage)
	case int:
		fs.Int(name, 0, usage)
	case int64:
		fs.Int64(name, 0, usage)
	case float64:
		fs.Float64(name, 0, usage)
	case bool:
		fs.Bool(name, false, usage)
	default:
		panic(fmt.Sprintf("bindFlag %s: unsupported type %T", name, zero))
	}
	a.bound[key] = fs.Lookup(name)
}

// config resolves the configuration for the running command.
func (a *app) config() (*config.Resolved, error) { return a.configWith(nil) }

// configWith resolves the configuration with a preset layer between the
// defaults and the file (nil: none).
func (a *app) configWith(p *config.Preset) (*config.Resolved, error) {
	return config.Load(config.Options{File: a.configFile, Flags: a.bound, Preset: p})
}

// printf writes to the command's standard output.
func (a *app) printf(format string, args ...any) {
	fmt.Fprintf(a.stdout, format, args...)
}
