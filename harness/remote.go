package harness

import (
	"context"

	"github.com/seeupo/seeupo/policy/remote"
)

// RemotePolicy generates through an OpenAI-compatible server in token
// mode: the contexts go out as token ids with each request's seed, the
// sampled ids and their log-probs come back. With a server over the same
// weights (seeupo serve), it samples what NativePolicy samples.
type RemotePolicy struct {
	Client *remote.Client
	// Stop strings sent with every request (the server's end-of-turn
	// token stops generation on its own).
	Stop []string
}

// Generate sends the requests concurrently, bounded by the client.
func (p *RemotePolicy) Generate(ctx context.Context, reqs []GenRequest) ([]GenResult, error) {
	treqs := make([]remote.TokenRequest, len(reqs))
	for i, r := range reqs {
		treqs[i] = remote.TokenRequest{Prompt: r.Context, MaxTokens: r.MaxTokens, Temperature: r.Temperature,
			TopP: r.TopP, TopK: r.TopK, Seed: r.Seed, Stop: p.Stop}
	}
	res, err := p.Client.Complete(ctx, treqs)
	if err != nil {
		return nil, err
	}
	out := make([]GenResult, len(res))
	for i, r := range res {
		out[i] = GenResult{Tokens: r.Tokens, LogProbs: r.LogProbs}
	}
	return out, nil
}
