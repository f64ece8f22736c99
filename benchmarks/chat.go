package benchmarks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/remote"
)

// ChatSource is a served model evaluated in chat mode: the conversation
// goes to the server's /v1/chat/completions, with the environment's tools
// (ToolFormat fc) or its prompting-mode messages (prompt).
type ChatSource struct {
	Client  *remote.Client
	BaseURL string // recorded in the run
	// ToolFormat is harness.ToolFormatFC or harness.ToolFormatPrompt.
	ToolFormat string
	// Options are the per-model handling (StripThink, ParseToolCallTags,
	// SystemPrompt, NoSystem) and MaxTokens; Temperature is set from
	// Temperature below.
	Options remote.ChatOptions
	// Temperature of the requests (nil: the suite's rl.eval_temperature).
	Temperature *float64
	// MaxTurns replaces the suite's rl.max_turns, AppWorld's turn limit
	// (0: the suite's). BFCL episodes end by its own rules.
	MaxTurns int
	// Tasks keeps the split's first Tasks tasks (0: all).
	Tasks int
	// Workers bounds the episodes played at once (0: 8); the client's
	// concurrency bounds the requests in flight.
	Workers int
	// Name is the run's algorithm name in run directories and reports
	// (default: the model name and the tool format, e.g. Qwen_Qwen3-8B-fc).
	Name string
	// Seed is the run's seed; with the suite's evaluation seed it seeds
	// every request.
	Seed int
}

// ChatResult is a chat-mode evaluation and where it was written.
type ChatResult struct {
	Eval    metrics.Eval
	Dir     string // the run directory
	Usage   remote.Usage
	Metrics metrics.Data // chat/... figures over the episodes
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// RunName is the default run name of a served model: its name with the
// characters a directory name should not hold replaced, and the tool
// format.
func RunName(model, toolFormat string) string {
	return unsafeName.ReplaceAllString(model, "_") + "-" + toolFormat
}

// chatSettings are what config.yaml records of a chat evaluation besides
// the suite.
type chatSettings struct {
	Family            string  `yaml:"family"`
	Split             string  `yaml:"split"`
	Samples           int     `yaml:"samples"`
	Tasks             int     `yaml:"tasks"`
	BaseURL           string  `yaml:"base_url"`
	Model             string  `yaml:"model"`
	ToolFormat        string  `yaml:"tool_format"`
	StripThink        bool    `yaml:"strip_think"`
	ParseToolCallTags bool    `yaml:"parse_tool_call_tags"`
	SystemPrompt      string  `yaml:"system_prompt"`
	NoSystem          bool    `yaml:"no_system"`
	Temperature       float64 `yaml:"temperature"`
	MaxTokens         int     `yaml:"max_tokens"`
	Seed              int     `yaml:"seed"`
}

// EvaluateChat evaluates a served model in chat mode on a split of a task
// family of the suite (the splits of Evaluate; BFCL's reference split in
// its official prompting form) with k samples per task, and writes an
// ordinary run directory — <out>/<experiment>/<family>/<name>/seed-<n>,
// or <family>-<split> for splits other than test — with config.yaml,
// eval.jsonl, the conversations under trajectories/ and summary.json
// (the evaluation's figures, chat/... figures and remote/... usage), so
// that seeupo report shows the model beside trained runs.
func EvaluateChat(ctx context.Context, c SuiteConfig, src ChatSource, spec EvalSpec, o RunOptions) (ChatResult, error) {
	split, samples := spec.Split, spec.Samples
	if src.Client == nil {
		return ChatResult{}, errors.New("chat evaluation: no client")
	}
	if src.MaxTurns > 0 {
		c.RL.MaxTurns, c.AppWorld.RL.MaxTurns = src.MaxTurns, src.MaxTurns
	}
	f, err := openFamily(c, spec.Family, o)
	if err != nil {
		return ChatResult{}, err
	}
	defer f.Close()
	c = f.cfg
	suite, tasks, err := chatTasks(f, split, o.DataDir)
	if err != nil {
		return ChatResult{}, err
	}
	if src.Tasks > 0 && src.Tasks < len(tasks) {
		tasks = tasks[:src.Tasks]
	}
	opts := src.Options
	opts.Temperature = c.RL.EvalTemperature
	if src.Temperature != nil {
		opts.Temperature = *src.Temperature
	}
	name := src.Name
	if name == "" {
		name = RunName(src.Client.Model(), src.ToolFormat)
	}
	id := metrics.ID{Experiment: c.Experiment, Suite: f.name, Algorithm: name, Seed: src.Seed}
	if split != bfcl.SplitTest {
		id.Suite = f.name + "-" + split
	}
	if err := id.Validate(); err != nil {
		return ChatResult{}, fmt.Errorf("--name: %w", err)
	}
	dir := id.Dir(o.Out)
	if _, err := os.Stat(dir); err == nil {
		return ChatResult{}, fmt.Errorf("run directory %s exists: give another --name or --seed, or remove it", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return ChatResult{}, err
	}
	roller := &harness.ChatRoller{Suite: suite, Model: src.Client, Options: opts, ToolFormat: src.ToolFormat,
		Rewards: harness.DefaultRewards(), Workers: cmp.Or(src.Workers, 8)}
	if err := roller.Check(); err != nil {
		return ChatResult{}, fmt.Errorf("--tool-format: %w", err)
	}
	logf(o.Log, "%s: %d tasks × %d samples of %s in chat mode (%s) against %s", name, len(tasks), samples, split,
		src.ToolFormat, src.BaseURL)
	start := time.Now()
	ev, trajs, err := harness.ChatEvaluate(ctx, roller, tasks, samples, mixSeeds(c.evalSeed(), uint64(src.Seed)))
	if err != nil {
		return ChatResult{}, err
	}
	ev.Split = split
	res := ChatResult{Eval: ev, Dir: dir, Usage: src.Client.Usage(), Metrics: harness.ChatMetrics(trajs)}
	settings := chatSettings{Family: f.name, Split: split, Samples: samples, Tasks: len(tasks), BaseURL: src.BaseURL,
		Model: src.Client.Model(), ToolFormat: src.ToolFormat, StripThink: opts.StripThink,
		ParseToolCallTags: opts.ParseToolCallTags, SystemPrompt: opts.SystemPrompt, NoSystem: opts.NoSystem,
		Temperature: opts.Temperature, MaxTokens: opts.MaxTokens, Seed: src.Seed}
	rec := chatRecord{id: id, suite: c, settings: settings, res: res, trajs: trajs, wall: time.Since(start)}
	return res, rec.write(o)
}

// chatTasks are the split's tasks and the suite they run in. The BFCL
// reference split is opened in the official prompting form: a served
// model is measured as upstream measures it.
func chatTasks(f *family, split, dataDir string) (env.Suite, []env.Task, error) {
	if split == SplitReference && f.name == bfcl.GeneratedSuiteName {
		return referenceTasksForm(dataDir, bfcl.PromptOfficial)
	}
	tasks, err := f.tasks(split)
	if err != nil && f.name == bfcl.GeneratedSuiteName {
		err = fmt.Errorf("split: %w (or %s)", err, SplitReference)
	}
	return f.suite, tasks, err
}

// mixSeeds combines two seeds into one (splitmix64 of their sum).
func mixSeeds(a, b uint64) uint64 {
	z := a + b*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// chatRecord is what a chat evaluation's run directory holds.
type chatRecord struct {
	id       metrics.ID
	suite    SuiteConfig
	settings chatSettings
	res      ChatResult
	trajs    []harness.ChatTrajectory
	wall     time.Duration
}

// write writes the evaluation's run directory under o.Out.
func (r chatRecord) write(o RunOptions) error {
	s, res := r.settings, r.res
	cfgYAML, err := yaml.Marshal(struct {
		Suite SuiteConfig  `yaml:"suite"`
		Chat  chatSettings `yaml:"chat_eval"`
	}{r.suite, s})
	if err != nil {
		return err
	}
	meta := metrics.Meta{Versions: o.Versions, Command: os.Args, Extra: map[string]string{"policy": "openai", "mode": "chat",
		"base_url": s.BaseURL, "model": s.Model, "tool_format": s.ToolFormat, "split": s.Split}}
	run, err := metrics.OpenRun(o.Out, r.id, meta)
	if err != nil {
		return err
	}
	if err := run.WriteConfig(cfgYAML); err != nil {
		run.Close()
		return err
	}
	if err := run.LogEval(res.Eval); err != nil {
		run.Close()
		return err
	}
	if err := writeChatTrajectories(run, r.trajs); err != nil {
		run.Close()
		return err
	}
	sum := metrics.Summary{WallClockS: r.wall.Seconds(), Tokens: int64(res.Usage.PromptTokens + res.Usage.CompletionTokens),
		Figures: metrics.Data{}}
	for k, v := range res.Eval.Aggregates {
		sum.Figures[metrics.EvalMetric(k)] = v
	}
	for k, v := range res.Metrics {
		sum.Figures[k] = v
	}
	for k, v := range UsageFigures(res.Usage) {
		sum.Figures[k] = v
	}
	return run.Finish(sum)
}

func writeChatTrajectories(run *metrics.Run, trajs []harness.ChatTrajectory) error {
	w, err := run.Trajectories(0)
	if err != nil {
		return err
	}
	for _, tr := range trajs {
		if err := w.Write(tr); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// UsageFigures are a remote policy's usage as remote/... figures.
func UsageFigures(u remote.Usage) metrics.Data {
	return metrics.Data{"remote/requests": float64(u.Requests), "remote/failures": float64(u.Failures),
		"remote/retries": float64(u.Retries), "remote/prompt_tokens": float64(u.PromptTokens),
		"remote/completion_tokens": float64(u.CompletionTokens), "remote/latency_p50_s": u.LatencyP50S,
		"remote/latency_p90_s": u.LatencyP90S, "remote/latency_p99_s": u.LatencyP99S}
}
