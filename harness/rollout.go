package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seeupo/seeupo/harness/env"
)

// GenRequest asks the policy to continue one token context.
type GenRequest struct {
	Context     []int
	MaxTokens   int
	Temperature float64
	TopP        float64
	TopK        int
	Seed        uint64
	// Episode (its Episode.ID) and Turn (0-based) say which turn of which
	// episode asks; a sampling generator has no use for them.
	Episode int
	Turn    int
}

// GenResult is one continuation: the sampled ids and the sampler's own
// log-probs of them. The stop token, when one ended the sample, is the
// last id.
type GenResult struct {
	Tokens   []int
	LogProbs []float64
}

// Generator is what the agent loop needs of a policy: batched sampling.
type Generator interface {
	Generate(ctx context.Context, reqs []GenRequest) ([]GenResult, error)
}

// Codec turns chat messages into token ids and back, with the chat
// template of the policy's tokenizer.
type Codec interface {
	// Message renders one whole message (header, content, terminator).
	Message(m env.Message) []int
	// AssistantStart opens an assistant turn; the policy continues from it.
	AssistantStart() []int
	// AssistantEnd follows the generated tokens (the template's separator
	// after the stop token); it may be empty.
	AssistantEnd() []int
	// Decode renders generated ids as text, without the stop token.
	Decode(ids []int) string
}

// ConversationCodec is an optional interface of a Codec that renders
// whole conversations, as a chat template does (TemplateCodec), where
// message-by-message rendering cannot follow the template: a template may
// group consecutive messages into one block or render earlier messages
// differently once later ones follow. When the Roller's Codec implements
// it, every context is built through Opening and Continue (the per-message
// methods are not used), the sampled ids are still kept as sampled, and
// each finished episode is checked with Retokenize.
type ConversationCodec interface {
	Codec
	// Opening renders an episode's opening messages with the generation
	// prompt: the first turn's context, as ids and as text.
	Opening(msgs []env.Message) (ids []int, text string, err error)
	// Continue renders what follows a sampled reply. text is the text of
	// the context the reply was sampled from, reply the sampled ids, conv
	// the conversation through the reply (its last message is the
	// assistant's, holding the reply's text) and next the environment's
	// new messages.
	Continue(text string, reply []int, conv, next []env.Message) (Continuation, error)
	// Retokenize compares an episode's turns with the rendering of its
	// conversation (the opening messages, then each turn's reply and the
	// messages that followed it).
	Retokenize(conv []env.Message, turns []Turn) Retokenization
}

// Continuation is what a ConversationCodec appends after a sampled reply.
type Continuation struct {
	// IDs follow the reply's ids, up to and including the next generation
	// prompt.
	IDs []int
	// Text is the whole context's text through IDs.
	Text string
	// Extended reports that the rendering of the conversation with the
	// new messages extended the text the policy had seen (its context and
	// reply); when it did not, IDs come from a fallback rendering and the
	// turn that follows cannot match the template's own rendering.
	Extended bool
}

// Retokenization counts where an episode's ids and its chat template's
// rendering of the same conversation disagree
// (chattemplate.CheckRetokenize): the turns compared, the turns whose
// context or response ids differ, and the differing positions.
type Retokenization struct {
	Turns              int `json:"turns"`
	MismatchedTurns    int `json:"mismatched_turns"`
	ContextMismatches  int `json:"context_mismatches"`
	ResponseMismatches int `json:"response_mismatches"`
	MismatchedTokens   int `json:"mismatched_tokens"`
	// Fallbacks counts the observations rendered by the fallback
	// (Continuation.Extended false).
	Fallbacks int `json:"fallbacks,omitempty"`
	// First describes the first difference, or why the check failed
	// (every turn then counts as mismatched).
	First string `json:"first,omitempty"`
}

// Limits bound an episode.
type Limits struct {
	MaxTurns         int // assistant turns
	MaxTokensPerTurn int // generated tokens per turn
	MaxContext       int // total tokens of the context
}

// Turn is one assistant turn of a trajectory: the whole history before it
// (prompt, earlier turns, observations) and the response.
type Turn struct {
	Context      []int     `json:"context"`
	Response     []int     `json:"response"`
	LogProbs     []float64 `json:"logprobs"`
	Text         string    `json:"text"`
	Observation  []int     `json:"observation,omitempty"` // tokens appended after the response (masked; see ConversationCodec)
	GenSeconds   float64   `json:"gen_s"`
	EnvSeconds   float64   `json:"env_s"`
	Garbled      bool      `json:"garbled,omitempty"`
	StoppedEarly bool      `json:"stopped_early,omitempty"` // hit the per-turn token limit
}

// Trajectory is one episode: where an environment and an algorithm meet.
type Trajectory struct {
	ID         int            `json:"id"`
	Group      int            `json:"group"`
	Task       env.Task       `json:"task"`
	Turns      []Turn         `json:"turns"`
	Evaluation env.Evaluation `json:"evaluation"`
	Reward     float64        `json:"reward"`
	Garbled    bool           `json:"garbled,omitempty"`
	EndReason  string         `json:"end_reason"` // done, max_turns, max_context, error
	Err        string         `json:"error,omitempty"`
	// InfraFailed marks an episode lost to an infrastructure failure: its
	// environment failed (could not be made, or Reset, Step or Evaluate
	// returned an error after the client's own retries) while the rollout
	// was not cancelled. The agent's mistakes are observations, never
	// environment errors (see env.Env), so such an episode says nothing
	// about the policy: training leaves it out of the batch and evaluation
	// out of the task's samples; both count it apart.
	InfraFailed bool `json:"infra_failed,omitempty"`
	// Retokenize compares the episode's ids with its chat template's
	// rendering; set only when the Roller's Codec is a ConversationCodec.
	Retokenize *Retokenization `json:"retokenize,omitempty"`
}

// Episode asks for one rollout of a task; Group ties the G rollouts of one
// task together.
type Episode struct {
	ID    int
	Group int
	Task  env.Task
	Seed  uint64
	// MaxTurns bounds this episode's turns below the Roller's
	// Limits.MaxTurns (≤ 0: the Roller's alone).
	MaxTurns int
}

// Roller runs episodes in lock step: every turn, the replies of all live
// episodes are generated in one batched call, then the environments step
// concurrently.
type Roller struct {
	Suite       env.Suite
	Policy      Generator
	Codec       Codec
	Limits      Limits
	Temperature float64
	TopP        float64
	TopK        int
	Rewards     RewardSpec
	// Workers bounds concurrent environment calls (≤ 0: one per episode).
	Workers int
}

// episodeState is a live episode during a rollout.
type episodeState struct {
	ep      Episode
	env     env.Env
	context []int
	traj    Trajectory
	done    bool
	// With a ConversationCodec: the conversation so far, the context's
	// text and the observations rendered by the fallback.
	conv      []env.Message
	text      string
	fallbacks int
}

// Run rolls out every episode and returns their trajectories in the order
// given. An episode whose environment fails is returned with EndReason
// "error", its error, the failure reward and InfraFailed set; it is never
// dropped here. A suite with a capacity
// (env.Bounded) gets its episodes in waves of at most that many, each
// rolled out in lock step.
func (r *Roller) Run(ctx context.Context, eps []Episode) ([]Trajectory, error) {
	wave := len(eps)
	if c := env.CapacityOf(r.Suite); c > 0 && c < wave {
		wave = c
	}
	out := make([]Trajectory, 0, len(eps))
	for start := 0; start < len(eps); start += wave {
		trajs, err := r.runWave(ctx, eps[start:min(start+wave, len(eps))])
		if trajs == nil && err != nil {
			return nil, err // generation failed
		}
		out = append(out, trajs...)
		if err != nil {
			return out, err // cancelled: what was played so far
		}
	}
	return out, ctx.Err()
}

// runWave rolls out episodes in lock step: every live episode's next
// reply comes from one batched generation.
func (r *Roller) runWave(ctx context.Context, eps []Episode) ([]Trajectory, error) {
	states := make([]*episodeState, len(eps))
	for i, ep := range eps {
		states[i] = &episodeState{ep: ep, traj: Trajectory{ID: ep.ID, Group: ep.Group, Task: ep.Task}}
	}
	defer func() {
		for _, s := range states {
			if s.env != nil {
				s.env.Close()
			}
		}
	}()
	r.parallel(states, func(s *episodeState) { r.reset(ctx, s) })
	for turn := 0; ; turn++ {
		live := liveStates(states)
		if len(live) == 0 {
			break
		}
		if err := r.generate(ctx, live, turn); err != nil {
			return nil, err
		}
		r.parallel(live, func(s *episodeState) { r.step(ctx, s, turn) })
	}
	r.parallel(states, func(s *episodeState) { r.evaluate(ctx, s) })
	out := make([]Trajectory, len(states))
	for i, s := range states {
		out[i] = s.traj
	}
	return out, ctx.Err()
}

func liveStates(states []*episodeState) []*episodeState {
	var live []*episodeState
	for _, s := range states {
		if !s.done {
			live = append(live, s)
		}
	}
	return live
}

// parallel calls f for every state with at most Workers at once.
func (r *Roller) parallel(states []*episodeState, f func(*episodeState)) {
	workers := r.Workers
	if workers <= 0 || workers > len(states) {
		workers = len(states)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, s := range states {
		wg.Add(1)
		sem <- struct{}{}
		go func(s *episodeState) {
			defer wg.Done()
			defer func() { <-sem }()
			f(s)
		}(s)
	}
	wg.Wait()
}

// fail ends an episode whose environment failed; unless the rollout was
// cancelled, the failure is the infrastructure's.
func (r *Roller) fail(ctx context.Context, s *episodeState, err error) {
	s.done = true
	s.traj.EndReason = "error"
	s.traj.Err = err.Error()
	s.traj.InfraFailed = ctx.Err() == nil
}

func (r *Roller) reset(ctx context.Context, s *episodeState) {
	e, err := r.Suite.NewEnv(ctx)
	if err != nil {
		r.fail(ctx, s, fmt.Errorf("new environment: %w", err))
		return
	}
	s.env = e
	msgs, err := e.Reset(env.WithSample(ctx, s.ep.ID), s.ep.Task)
	if err != nil {
		r.fail(ctx, s, fmt.Errorf("reset %s: %w", s.ep.Task.ID, err))
		return
	}
	if cc, ok := r.Codec.(ConversationCodec); ok {
		s.conv = append(s.conv, msgs...)
		if s.context, s.text, err = cc.Opening(msgs); err != nil {
			r.fail(ctx, s, fmt.Errorf("render the opening of %s: %w", s.ep.Task.ID, err))
			return
		}
	} else {
		for _, m := range msgs {
			s.context = append(s.context, r.Codec.Message(m)...)
		}
	}
	if r.Limits.MaxTurns <= 0 {
		s.done, s.traj.EndReason = true, "max_turns"
	}
}

// generate samples the next reply of every live episode in one call.
func (r *Roller) generate(ctx context.Context, live []*episodeState, turn int) error {
	reqs := make([]GenRequest, 0, len(live))
	var asking []*episodeState
	for _, s := range live {
		prefix := r.prompt(s)
		budget := r.Limits.MaxTokensPerTurn
		if room := r.Limits.MaxContext - len(prefix); r.Limits.MaxContext > 0 && room < budget {
			budget = room
		}
		if budget <= 0 {
			s.done, s.traj.EndReason = true, "max_context"
			continue
		}
		s.context = prefix
		asking = append(asking, s)
		reqs = append(reqs, GenRequest{Context: prefix, MaxTokens: budget, Temperature: r.Temperature,
			TopP: r.TopP, TopK: r.TopK, Seed: s.ep.Seed*1_000_003 + uint64(turn), Episode: s.ep.ID, Turn: len(s.traj.Turns)})
	}
	if len(reqs) == 0 {
		return nil
	}
	start := time.Now()
	res, err := r.Policy.Generate(ctx, reqs)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if len(res) != len(reqs) {
		return fmt.Errorf("generate returned %d results for %d requests", len(res), len(reqs))
	}
	per := time.Since(start).Seconds() / float64(len(reqs))
	for i, s := range asking {
		t := Turn{Context: s.context, Response: res[i].Tokens, LogProbs: res[i].LogProbs,
			Text: r.Codec.Decode(res[i].Tokens), GenSeconds: per,
			StoppedEarly: len(res[i].Tokens) >= reqs[i].MaxTokens}
		t.Garbled = Garbled(t.Text)
		s.traj.Turns = append(s.traj.Turns, t)
		if _, ok := r.Codec.(ConversationCodec); ok {
			s.conv = append(s.conv, env.Message{Role: "assistant", Content: t.Text})
		}
	}
	return nil
}

// prompt is the context the next reply continues: the context and the
// assistant start (a ConversationCodec's contexts end with it already).
func (r *Roller) prompt(s *episodeState) []int {
	if _, ok := r.Codec.(ConversationCodec); ok {
		return s.context
	}
	return append(append([]int(nil), s.context...), r.Codec.AssistantStart()...)
}

// step sends the newest reply to the environment and appends what follows.
func (r *Roller) step(ctx context.Context, s *episodeState, turn int) {
	if s.done {
		return
	}
	t := &s.traj.Turns[len(s.traj.Turns)-1]
	start := time.Now()
	res, err := s.env.Step(ctx, t.Text)
	t.EnvSeconds = time.Since(start).Seconds()
	if err != nil {
		r.fail(ctx, s, fmt.Errorf("step %d of %s: %w", turn, s.ep.Task.ID, err))
		return
	}
	obs, err := r.observation(s, t.Response, res.Messages)
	if err != nil {
		r.fail(ctx, s, fmt.Errorf("render step %d of %s: %w", turn, s.ep.Task.ID, err))
		return
	}
	t.Observation = obs
	s.context = append(append(append([]int(nil), t.Context...), t.Response...), obs...)
	switch {
	case res.Done:
		s.done, s.traj.EndReason = true, "done"
	case len(s.traj.Turns) >= r.Limits.MaxTurns || s.ep.MaxTurns > 0 && len(s.traj.Turns) >= s.ep.MaxTurns:
		s.done, s.traj.EndReason = true, "max_turns"
	case r.Limits.MaxContext > 0 && len(s.context) >= r.Limits.MaxContext:
		s.done, s.traj.EndReason = true, "max_context"
	}
}

// observation renders what follows a reply: the assistant end and the
// environment's messages, or with a ConversationCodec its continuation
// (which ends with the next assistant start).
func (r *Roller) observation(s *episodeState, reply []int, msgs []env.Message) ([]int, error) {
	cc, ok := r.Codec.(ConversationCodec)
	if !ok {
		obs := append([]int(nil), r.Codec.AssistantEnd()...)
		for _, m := range msgs {
			obs = append(obs, r.Codec.Message(m)...)
		}
		return obs, nil
	}
	c, err := cc.Continue(s.text, reply, s.conv, msgs)
	if err != nil {
		return nil, err
	}
	s.conv = append(s.conv, msgs...)
	s.text = c.Text
	if !c.Extended {
		s.fallbacks++
	}
	return c.IDs, nil
}

func (r *Roller) evaluate(ctx context.Context, s *episodeState) {
	if cc, ok := r.Codec.(ConversationCodec); ok {
		rt := cc.Retokenize(s.conv, s.traj.Turns)
		rt.Fallbacks = s.fallbacks
		s.traj.Retokenize = &rt
	}
	for _, t := range s.traj.Turns {
		s.traj.Garbled = s.traj.Garbled || t.Garbled
	}
	if s.traj.EndReason == "error" || s.env == nil {
		s.traj.Reward = r.Rewards.Failure
		return
	}
	ev, err := s.env.Evaluate(ctx)
	if err != nil {
		r.fail(ctx, s, errors.Join(errors.New("evaluate"), err))
		s.traj.Reward = r.Rewards.Failure
		return
	}
	s.traj.Evaluation = ev
	s.traj.Reward = r.Rewards.Reward(ev, s.traj.Garbled)
}
