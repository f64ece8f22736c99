package env

import "context"

// EpisodeLabel says which episode of a run an environment plays: the
// run, the training step, and the sample (the episode's place in its
// batch). The harness puts it in the context given to Reset; a suite
// whose servers keep each episode's outputs under a name (AppWorld's
// experiment names) derives the name from it, so that episodes of one
// task rolled out at once never share outputs. It never enters what an
// environment answers.
type EpisodeLabel struct {
	Run    string // the run (empty outside a trainer)
	Step   int    // the training step (0 outside training)
	Sample int    // the episode's index in its batch
}

type labelKey struct{}

// WithEpisodeLabel returns ctx carrying l.
func WithEpisodeLabel(ctx context.Context, l EpisodeLabel) context.Context {
	return context.WithValue(ctx, labelKey{}, l)
}

// EpisodeLabelOf returns the label ctx carries, if any.
func EpisodeLabelOf(ctx context.Context) (EpisodeLabel, bool) {
	l, ok := ctx.Value(labelKey{}).(EpisodeLabel)
	return l, ok
}

// WithSample returns ctx carrying its label (or an empty one) with
// Sample set to sample.
func WithSample(ctx context.Context, sample int) context.Context {
	l, _ := EpisodeLabelOf(ctx)
	l.Sample = sample
	return WithEpisodeLabel(ctx, l)
}
