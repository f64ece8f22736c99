package harness

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/progress"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// Demonstration is a task with the replies that solve it, one per agent
// turn (env.Demonstrator's).
type Demonstration struct {
	Task    env.Task
	Replies []string
}

// Transcript is a demonstration as its environment played it: the opening
// messages, and after each reply the messages that followed it.
type Transcript struct {
	Demonstration
	Opening []env.Message
	After   [][]env.Message
}

// PlayDemonstrations plays each demonstration through a fresh environment
// of suite, as `seeupo env eval` scripts episodes (env.RunEpisodes), and
// returns their transcripts. Every demonstration must succeed, and the
// environment must take all of its replies.
func PlayDemonstrations(ctx context.Context, suite env.Suite, demos []Demonstration) ([]Transcript, error) {
	eps := make([]env.Episode, len(demos))
	for i, d := range demos {
		eps[i] = env.Episode{Task: d.Task, Actions: d.Replies}
	}
	recs, err := env.RunEpisodes(ctx, []env.Backend{{Name: suite.Name(), Suite: suite}}, eps,
		env.RunOptions{Attempts: 1, KeepMessages: true})
	if err != nil {
		return nil, err
	}
	out := make([]Transcript, len(demos))
	for i, rec := range recs {
		d := demos[i]
		switch {
		case rec.Status == env.StatusErrored:
			return nil, fmt.Errorf("demonstration of %s: %s", d.Task.ID, rec.Error)
		case rec.Status != env.StatusSuccess:
			return nil, fmt.Errorf("%s: its demonstration does not succeed (%d of %d checks pass)",
				d.Task.ID, rec.Evaluation.Passed, rec.Evaluation.Total)
		case rec.Steps != len(d.Replies):
			return nil, fmt.Errorf("%s: the environment ended its demonstration after %d of its %d replies",
				d.Task.ID, rec.Steps, len(d.Replies))
		}
		out[i] = Transcript{Demonstration: d, Opening: rec.Messages[0], After: rec.Messages[1:]}
	}
	return out, nil
}

// Corpus is every text of the transcripts as a tokenizer trained for the
// chat template should see it: each message as its role, a newline and
// its content, the replies as the assistant's.
func Corpus(trs []Transcript) []string {
	var out []string
	add := func(msgs []env.Message) {
		for _, m := range msgs {
			out = append(out, m.Role+"\n"+m.Content)
		}
	}
	for _, t := range trs {
		add(t.Opening)
		for i, r := range t.Replies {
			out = append(out, "assistant\n"+r)
			add(t.After[i])
		}
	}
	return out
}

// TeacherForcing is a Generator that answers every turn with the reply
// the demonstration gives for it, encoded with Codec and ended with the
// end-of-turn token, as the policy would have to sample it. The agent loop
// run with it builds the contexts of a demonstration exactly as it builds
// those of the policy's own episodes.
type TeacherForcing struct {
	Codec ChatCodec
	// Replies are each episode's replies (by Episode.ID) in turn order.
	Replies map[int][]string
}

// Generate returns each request's demonstrated reply; a turn past the
// demonstration's end is an error.
func (g *TeacherForcing) Generate(ctx context.Context, reqs []GenRequest) ([]GenResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]GenResult, len(reqs))
	for i, r := range reqs {
		replies := g.Replies[r.Episode]
		if r.Turn >= len(replies) {
			return nil, fmt.Errorf("teacher forcing: episode %d asks for turn %d, its demonstration has %d replies",
				r.Episode, r.Turn+1, len(replies))
		}
		ids, err := g.Codec.Reply(replies[r.Turn])
		if err != nil {
			return nil, err
		}
		out[i] = GenResult{Tokens: ids, LogProbs: make([]float64, len(ids))}
	}
	return out, nil
}

// DemonstrationSamples rolls the demonstrations out through the agent
// loop (Roller) on suite with a TeacherForcing generator and returns one
// supervised sample per turn: the context the agent loop built and the
// demonstrated reply as the response, in demonstration and turn order.
// Each episode lasts as many turns as its demonstration has replies
// (fewer when the environment ends it, which is an error), and every
// demonstration must succeed.
func DemonstrationSamples(ctx context.Context, suite env.Suite, codec ChatCodec, demos []Demonstration) ([]policy.Sample, error) {
	teacher := &TeacherForcing{Codec: codec, Replies: map[int][]string{}}
	eps := make([]Episode, len(demos))
	// The replies are what they are: no limit on their length or on the
	// context's; each episode's turns are its demonstration's.
	limits := Limits{MaxTokensPerTurn: math.MaxInt}
	for i, d := range demos {
		if len(d.Replies) == 0 {
			return nil, fmt.Errorf("demonstration of %s has no replies", d.Task.ID)
		}
		eps[i] = Episode{ID: i, Group: i, Task: d.Task, MaxTurns: len(d.Replies)}
		teacher.Replies[i] = d.Replies
		limits.MaxTurns = max(limits.MaxTurns, len(d.Replies))
	}
	roller := &Roller{Suite: suite, Policy: teacher, Codec: codec, Limits: limits}
	trajs, err := roller.Run(ctx, eps)
	if err != nil {
		return nil, err
	}
	var out []policy.Sample
	for i, tr := range trajs {
		switch {
		case tr.Err != "":
			return nil, fmt.Errorf("demonstration of %s: %s", tr.Task.ID, tr.Err)
		case len(tr.Turns) != len(demos[i].Replies):
			return nil, fmt.Errorf("%s: the episode ended (%s) after %d of its demonstration's %d replies",
				tr.Task.ID, tr.EndReason, len(tr.Turns), len(demos[i].Replies))
		case !tr.Evaluation.Success:
			return nil, fmt.Errorf("%s: its demonstration does not succeed (%d of %d checks pass)",
				tr.Task.ID, tr.Evaluation.Passed, tr.Evaluation.Total)
		}
		for _, t := range tr.Turns {
			out = append(out, policy.Sample{Context: t.Context, Response: t.Response})
		}
	}
	return out, nil
}

// FineTuning is a supervised fine-tune: Steps optimiser steps, each on
// Batch samples drawn without replacement from a permutation (a new one
// whenever the last is used up) seeded by Seed.
type FineTuning struct {
	Steps int
	Batch int
	Optim policy.Optim
	Seed  uint64
	// Name labels the progress bar and the final log line (Log nil:
	// neither).
	Name string
	Log  io.Writer
}

// Supervised is what a fine-tune needs of a model (policy.Trainable has
// it): a forward and backward pass with a loss, and an optimiser step.
type Supervised interface {
	ForwardBackward(batch []policy.Sample, withEntropy bool, loss policy.LossFunc) (float64, error)
	Step(o policy.Optim) (policy.StepStats, error)
}

// FineTune trains m to maximise the likelihood of the samples' responses
// (the mean token negative log-likelihood, transformer.MeanNLL) and
// returns the last step's loss. A model that is policy.Interruptible stops
// part way through a step when ctx ends.
func FineTune(ctx context.Context, m Supervised, samples []policy.Sample, ft FineTuning) (float64, error) {
	if len(samples) == 0 && ft.Steps > 0 {
		return 0, fmt.Errorf("%s: no samples to fine-tune on", ft.Name)
	}
	rng := rand.New(rand.NewPCG(ft.Seed, 0x5f7))
	order := rng.Perm(len(samples))
	var bar *progress.Bar
	if ft.Log != nil {
		bar = progress.New(ft.Log, ft.Name, ft.Steps)
	}
	if im, ok := m.(policy.Interruptible); ok {
		im.SetInterrupt(ctx.Err)
		defer im.SetInterrupt(nil)
	}
	loss := 0.0
	for step, pos := 0, 0; step < ft.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		batch := make([]policy.Sample, 0, ft.Batch)
		for len(batch) < ft.Batch {
			if pos == len(order) {
				order, pos = rng.Perm(len(samples)), 0
			}
			batch = append(batch, samples[order[pos]])
			pos++
		}
		var err error
		if loss, err = m.ForwardBackward(batch, false, transformer.MeanNLL); err != nil {
			return 0, err
		}
		if _, err := m.Step(ft.Optim); err != nil {
			return 0, err
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
		fmt.Fprintf(ft.Log, "%s: final loss %.4f\n", ft.Name, loss)
	}
	return loss, nil
}

// DemonstrationData is what a warm start learns from: the demonstrations
// played through suite (PlayDemonstrations), a tokenizer of vocab tokens
// trained on their text (Corpus), and their samples rendered with it
// (DemonstrationSamples).
func DemonstrationData(ctx context.Context, suite env.Suite, demos []Demonstration, vocab int) (*tokenizer.Tokenizer, []policy.Sample, error) {
	played, err := PlayDemonstrations(ctx, suite, demos)
	if err != nil {
		return nil, nil, err
	}
	tok, err := tokenizer.Train(Corpus(played), vocab, nil)
	if err != nil {
		return nil, nil, err
	}
	samples, err := DemonstrationSamples(ctx, suite, ChatCodec{Tok: tok}, demos)
	return tok, samples, err
}

// WarmStart is a supervised start for RL: a fresh model, fine-tuned on
// demonstrations, saved with its tokenizer as a model directory.
type WarmStart struct {
	Suite env.Suite // where the demonstrations are played
	Demos []Demonstration
	// Models builds the model: Config with Options, its weights drawn
	// from Seed; the tokenizer has Config.VocabSize tokens.
	Models  *models.Factory
	Config  transformer.Config
	Options transformer.Options
	Seed    uint64
	Tuning  FineTuning
	// Ready, when set, is called with the samples and the fresh model
	// before the fine-tune starts (a log line).
	Ready func(samples []policy.Sample, m *transformer.Model)
	// From, when set, is a model directory (a pretrained checkpoint) the
	// fine-tune starts from, with its own tokenizer and tokenizer files;
	// Config and Seed are then unused.
	From string
}

// WarmStartResult is a trained warm start.
type WarmStartResult struct {
	Tokenizer *tokenizer.Tokenizer
	Samples   int
	FinalLoss float64
}

// Train makes the warm start and saves it in dir (NativePolicy.SaveWeights:
// config, float32 weights, tokenizer).
func (w WarmStart) Train(ctx context.Context, dir string) (WarmStartResult, error) {
	var (
		tok     *tokenizer.Tokenizer
		samples []policy.Sample
		m       *transformer.Model
		err     error
	)
	if w.From != "" {
		if m, tok, err = w.Models.LoadDir(w.From, w.Options); err != nil {
			return WarmStartResult{}, err
		}
		if samples, err = DemonstrationSamples(ctx, w.Suite, ChatCodec{Tok: tok}, w.Demos); err != nil {
			return WarmStartResult{}, err
		}
	} else {
		if tok, samples, err = DemonstrationData(ctx, w.Suite, w.Demos, w.Config.VocabSize); err != nil {
			return WarmStartResult{}, err
		}
		if m, err = w.Models.New(w.Config, w.Seed, w.Options); err != nil {
			return WarmStartResult{}, err
		}
	}
	if w.Ready != nil {
		w.Ready(samples, m)
	}
	loss, err := FineTune(ctx, m, samples, w.Tuning)
	if err != nil {
		return WarmStartResult{}, err
	}
	res := WarmStartResult{Tokenizer: tok, Samples: len(samples), FinalLoss: loss}
	return res, (&NativePolicy{Model: m, Tok: tok, Source: w.From}).SaveWeights(dir)
}
