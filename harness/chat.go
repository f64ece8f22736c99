package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/remote"
)

// ChatModel is what the chat-mode agent loop needs of a model: one chat
// completion with the tools offered. remote.Client implements it.
type ChatModel interface {
	Chat(ctx context.Context, msgs []remote.Message, tools []remote.Tool, o remote.ChatOptions) (remote.Reply, error)
}

// Tool formats of the chat loop.
const (
	// ToolFormatFC offers the environment's tools in the request and
	// executes the tool calls of the answer (env.ToolEnv).
	ToolFormatFC = "fc"
	// ToolFormatPrompt sends the environment's own messages (its system
	// prompt describes the functions) and steps it with the reply's text.
	ToolFormatPrompt = "prompt"
)

// ToolFormats lists the tool formats.
var ToolFormats = []string{ToolFormatFC, ToolFormatPrompt}

// ChatRoller runs episodes with a chat model, each at its own pace: the
// conversation goes to the model as messages; in function-calling mode the
// answer's tool calls are executed by the environment and their outputs
// return as tool messages naming their call ids, in prompting mode the
// answer's text is the action. An episode ends when the environment says
// so (BFCL: after the last user turn, a turn ending at the first answer
// without calls, or more than its step limit; AppWorld: complete_task or
// its turn limit) or after MaxReplies answers.
type ChatRoller struct {
	Suite env.Suite
	Model ChatModel
	// Options are the per-model handling and sampling of every request;
	// the seed is set per request from the episode's seed.
	Options    remote.ChatOptions
	ToolFormat string
	// MaxReplies bounds the answers of one episode (≤ 0: only the
	// environment ends it).
	MaxReplies int
	Rewards    RewardSpec
	// Workers bounds the episodes played at once (≤ 0: all); a suite with
	// a capacity (env.Bounded) bounds them too.
	Workers int
}

// ChatTrajectory is one episode of the chat loop.
type ChatTrajectory struct {
	ID    int      `json:"id"`
	Group int      `json:"group"`
	Task  env.Task `json:"task"`
	// Messages is the conversation: what the model was sent and its
	// answers.
	Messages   []remote.Message `json:"messages"`
	Replies    int              `json:"replies"`
	ToolCalls  int              `json:"tool_calls"`
	Evaluation env.Evaluation   `json:"evaluation"`
	Reward     float64          `json:"reward"`
	Garbled    bool             `json:"garbled,omitempty"`
	// EndReason is done, max_replies or error.
	EndReason string  `json:"end_reason"`
	Err       string  `json:"error,omitempty"`
	ModelS    float64 `json:"model_s"`
	EnvS      float64 `json:"env_s"`
	// InfraFailed marks an episode lost to a failure outside the agent:
	// the environment failed, or a request to the model failed after the
	// client's retries. Evaluation leaves it out of the task's samples and
	// counts it apart, as Trajectory.InfraFailed.
	InfraFailed bool `json:"infra_failed,omitempty"`
}

// Check reports a bad tool format or a suite that cannot run it.
func (r *ChatRoller) Check() error {
	switch r.ToolFormat {
	case ToolFormatFC, ToolFormatPrompt:
		return nil
	}
	return fmt.Errorf("tool format %q; allowed: %s, %s", r.ToolFormat, ToolFormatFC, ToolFormatPrompt)
}

// Run plays every episode and returns their trajectories in the order
// given; an episode that fails is returned as such, never dropped. The
// error is the context's when the run was cancelled.
func (r *ChatRoller) Run(ctx context.Context, eps []Episode) ([]ChatTrajectory, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	workers := len(eps)
	if r.Workers > 0 && r.Workers < workers {
		workers = r.Workers
	}
	if c := env.CapacityOf(r.Suite); c > 0 && c < workers {
		workers = c
	}
	out := make([]ChatTrajectory, len(eps))
	sem := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = r.play(ctx, ep)
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// chatEpisode is one episode being played.
type chatEpisode struct {
	r    *ChatRoller
	ep   Episode
	env  env.Env
	tenv env.ToolEnv // set in function-calling mode
	tr   ChatTrajectory
}

func (r *ChatRoller) play(ctx context.Context, ep Episode) ChatTrajectory {
	c := &chatEpisode{r: r, ep: ep, tr: ChatTrajectory{ID: ep.ID, Group: ep.Group, Task: ep.Task}}
	if err := c.open(ctx); err != nil {
		c.fail(ctx, err)
	} else {
		c.loop(ctx)
	}
	if c.env != nil {
		c.evaluate(ctx)
		c.env.Close()
	}
	return c.tr
}

// fail ends the episode; unless the run was cancelled, the failure is not
// the agent's.
func (c *chatEpisode) fail(ctx context.Context, err error) {
	c.tr.EndReason, c.tr.Err = "error", err.Error()
	c.tr.InfraFailed = ctx.Err() == nil
	c.tr.Reward = c.r.Rewards.Failure
}

// open makes the environment and starts the episode.
func (c *chatEpisode) open(ctx context.Context) error {
	e, err := c.r.Suite.NewEnv(ctx)
	if err != nil {
		return fmt.Errorf("new environment: %w", err)
	}
	c.env = e
	var msgs []env.Message
	if c.r.ToolFormat == ToolFormatFC {
		te, ok := e.(env.ToolEnv)
		if !ok {
			return fmt.Errorf("suite %s has no function-calling mode (tool format %s); use %s", c.r.Suite.Name(), ToolFormatFC, ToolFormatPrompt)
		}
		c.tenv = te
		msgs, err = te.ResetTools(env.WithSample(ctx, c.ep.ID), c.ep.Task)
	} else {
		msgs, err = e.Reset(env.WithSample(ctx, c.ep.ID), c.ep.Task)
	}
	if err != nil {
		return fmt.Errorf("reset %s: %w", c.ep.Task.ID, err)
	}
	c.tr.Messages = appendEnvMessages(nil, msgs)
	return nil
}

// loop asks the model and steps the environment until the episode ends.
func (c *chatEpisode) loop(ctx context.Context) {
	for {
		if c.r.MaxReplies > 0 && c.tr.Replies >= c.r.MaxReplies {
			c.tr.EndReason = "max_replies"
			return
		}
		reply, err := c.ask(ctx)
		if err != nil {
			c.fail(ctx, err)
			return
		}
		c.tr.Replies++
		c.tr.Garbled = c.tr.Garbled || Garbled(reply.Content)
		start := time.Now()
		done, err := c.step(ctx, reply)
		c.tr.EnvS += time.Since(start).Seconds()
		if err != nil {
			c.fail(ctx, fmt.Errorf("step %d of %s: %w", c.tr.Replies, c.ep.Task.ID, err))
			return
		}
		if done {
			c.tr.EndReason = "done"
			return
		}
	}
}

// ask sends the conversation (and the tools, in function-calling mode)
// with a seed of its own.
func (c *chatEpisode) ask(ctx context.Context) (remote.Reply, error) {
	var tools []remote.Tool
	if c.tenv != nil {
		ts, err := c.tenv.ToolSchemas(ctx)
		if err != nil {
			return remote.Reply{}, fmt.Errorf("tools of %s: %w", c.ep.Task.ID, err)
		}
		for _, t := range ts {
			tools = append(tools, remote.Tool{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
		}
	}
	o := c.r.Options
	seed := int64(mixSeed(c.ep.Seed, uint64(c.tr.Replies)) >> 1)
	o.Seed = &seed
	start := time.Now()
	reply, err := c.r.Model.Chat(ctx, c.tr.Messages, tools, o)
	c.tr.ModelS += time.Since(start).Seconds()
	if err != nil {
		return reply, fmt.Errorf("chat request %d of %s: %w", c.tr.Replies+1, c.ep.Task.ID, err)
	}
	return reply, nil
}

// step records the answer and applies it to the environment.
func (c *chatEpisode) step(ctx context.Context, reply remote.Reply) (bool, error) {
	if c.tenv == nil {
		c.tr.Messages = append(c.tr.Messages, remote.Message{Role: "assistant", Content: reply.Content})
		res, err := c.env.Step(ctx, reply.Content)
		if err != nil {
			return false, err
		}
		c.tr.Messages = appendEnvMessages(c.tr.Messages, res.Messages)
		return res.Done, nil
	}
	calls := make([]env.ToolCall, len(reply.ToolCalls))
	for i, tc := range reply.ToolCalls {
		if tc.ID == "" {
			tc.ID = fmt.Sprintf("call_%d_%d", c.tr.Replies, i)
			reply.ToolCalls[i] = tc
		}
		calls[i] = env.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments}
	}
	c.tr.ToolCalls += len(calls)
	c.tr.Messages = append(c.tr.Messages, remote.Message{Role: "assistant", Content: reply.Content, ToolCalls: reply.ToolCalls})
	res, err := c.tenv.StepTools(ctx, reply.Content, calls)
	if err != nil {
		return false, err
	}
	if len(res.Outputs) != len(calls) {
		return false, fmt.Errorf("the environment answered %d outputs to %d tool calls", len(res.Outputs), len(calls))
	}
	for i, out := range res.Outputs {
		c.tr.Messages = append(c.tr.Messages, remote.Message{Role: "tool", Content: out, ToolCallID: calls[i].ID})
	}
	c.tr.Messages = appendEnvMessages(c.tr.Messages, res.Messages)
	return res.Done, nil
}

func (c *chatEpisode) evaluate(ctx context.Context) {
	if c.tr.EndReason == "error" {
		return
	}
	ev, err := c.env.Evaluate(ctx)
	if err != nil {
		c.fail(ctx, errors.Join(errors.New("evaluate"), err))
		return
	}
	c.tr.Evaluation = ev
	c.tr.Reward = c.r.Rewards.Reward(ev, c.tr.Garbled)
}

func appendEnvMessages(out []remote.Message, msgs []env.Message) []remote.Message {
	for _, m := range msgs {
		out = append(out, remote.Message{Role: m.Role, Content: m.Content})
	}
	return out
}

// ChatEvaluate plays k episodes of each task with the chat loop, with the
// episode seeds Evaluate gives, and aggregates them as Evaluate does
// (samples lost to failures outside the agent are counted apart). It
// fails when every episode was lost, naming the first failure.
func ChatEvaluate(ctx context.Context, r *ChatRoller, tasks []env.Task, k int, seed uint64) (metrics.Eval, []ChatTrajectory, error) {
	eps := make([]Episode, 0, len(tasks)*k)
	for i, task := range tasks {
		for j := 0; j < k; j++ {
			eps = append(eps, Episode{ID: len(eps), Group: i, Task: task, Seed: mixSeed(seed, uint64(i), uint64(j))})
		}
	}
	trajs, err := r.Run(ctx, eps)
	if err != nil {
		return metrics.Eval{}, trajs, err
	}
	lost := 0
	results := make([]metrics.TaskResult, len(tasks))
	for i, task := range tasks {
		results[i].Task, results[i].Group = task.ID, task.Group
		for j, tr := range trajs[i*k : (i+1)*k] {
			if tr.InfraFailed {
				results[i].InfraFailed = append(results[i].InfraFailed, j)
				lost++
				continue
			}
			results[i].Success = append(results[i].Success, tr.Evaluation.Success)
			results[i].Reward = append(results[i].Reward, tr.Reward)
			results[i].Level = max(results[i].Level, tr.Evaluation.Level)
		}
	}
	if len(trajs) > 0 && lost == len(trajs) {
		return metrics.Eval{}, trajs, fmt.Errorf("every one of %d episodes failed; the first: %s", lost, trajs[0].Err)
	}
	return metrics.Eval{K: k, Tasks: results, Aggregates: metrics.Aggregate(results)}, trajs, nil
}

// ChatMetrics summarises chat episodes: answers and tool calls per
// episode, how episodes ended, the time spent in the model and in the
// environment, over the episodes that were not lost.
func ChatMetrics(trajs []ChatTrajectory) metrics.Data {
	var replies, calls, maxed, garbled, modelS, envS, n float64
	for _, tr := range trajs {
		if tr.InfraFailed {
			continue
		}
		n++
		replies += float64(tr.Replies)
		calls += float64(tr.ToolCalls)
		modelS += tr.ModelS
		envS += tr.EnvS
		if tr.EndReason == "max_replies" {
			maxed++
		}
		if tr.Garbled {
			garbled++
		}
	}
	if n == 0 {
		return metrics.Data{}
	}
	d := metrics.Data{"chat/replies_mean": replies / n, "chat/tool_calls_mean": calls / n,
		"chat/max_replies_frac": maxed / n, "chat/garbled_frac": garbled / n,
		"chat/model_s_mean": modelS / n, "chat/env_s_mean": envS / n}
	if replies > 0 {
		d["chat/model_s_per_reply"] = modelS / replies
	}
	return d
}
