package remote

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TokenRequest asks for a continuation of a token context.
type TokenRequest struct {
	Prompt      []int
	MaxTokens   int
	Temperature float64
	TopP        float64 // 0: off
	TopK        int     // 0: off
	// Seed makes the server's sampling reproducible; it goes out as the
	// int64 with the same bits.
	Seed uint64
	Stop []string
}

// TokenResult is the sampled ids with the sampler's log-probabilities.
type TokenResult struct {
	Tokens       []int
	LogProbs     []float64
	FinishReason string
	// Fingerprint is the answer's system_fingerprint: the weights that
	// generated it, for servers that say (seeupo serve).
	Fingerprint string
}

// Complete sends the requests concurrently (at most MaxConcurrency at
// once) and returns their results in order; the first failure (after the
// SDK's retries) is the error.
func (c *Client) Complete(ctx context.Context, reqs []TokenRequest) ([]TokenResult, error) {
	out := make([]TokenResult, len(reqs))
	errs := make([]error, len(reqs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out[i], errs[i] = c.CompleteOne(ctx, reqs[i])
			if errs[i] != nil {
				cancel()
			}
		}(i)
	}
	wg.Wait()
	var first error
	for i, err := range errs {
		if err == nil {
			continue
		}
		e := fmt.Errorf("request %d: %w", i, err)
		if !errors.Is(err, context.Canceled) {
			return nil, e // the cause, not a request cancelled because of it
		}
		if first == nil {
			first = e
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// CompleteOne sends one token request.
func (c *Client) CompleteOne(ctx context.Context, r TokenRequest) (TokenResult, error) {
	if err := c.acquire(ctx); err != nil {
		return TokenResult{}, err
	}
	defer c.release()
	prompt := make([]int64, len(r.Prompt))
	for i, id := range r.Prompt {
		prompt[i] = int64(id)
	}
	p := openai.CompletionNewParams{
		Model:       openai.CompletionNewParamsModel(c.model),
		Prompt:      openai.CompletionNewParamsPromptUnion{OfArrayOfTokens: prompt},
		MaxTokens:   openai.Int(int64(r.MaxTokens)),
		Temperature: openai.Float(r.Temperature),
		Seed:        openai.Int(int64(r.Seed)),
		Logprobs:    openai.Int(0),
	}
	if r.TopP > 0 && r.TopP < 1 {
		p.TopP = openai.Float(r.TopP)
	}
	if len(r.Stop) > 0 {
		p.Stop = openai.CompletionNewParamsStopUnion{OfStringArray: r.Stop}
	}
	opts := []option.RequestOption{option.WithJSONSet("return_tokens_as_token_ids", true)}
	if r.TopK > 0 {
		opts = append(opts, option.WithJSONSet("top_k", r.TopK))
	}
	start := time.Now()
	res, err := c.sdk.Completions.New(ctx, p, opts...)
	if err != nil {
		c.usage.record(start, 0, 0, err)
		return TokenResult{}, describe("/v1/completions", err)
	}
	c.usage.record(start, int(res.Usage.PromptTokens), int(res.Usage.CompletionTokens), nil)
	if len(res.Choices) != 1 {
		return TokenResult{}, fmt.Errorf("/v1/completions: %d choices, want 1", len(res.Choices))
	}
	out, err := tokenResult(res.Choices[0])
	out.Fingerprint = res.SystemFingerprint
	return out, err
}

// tokenResult reads the sampled ids out of logprobs.tokens.
func tokenResult(ch openai.CompletionChoice) (TokenResult, error) {
	lp := ch.Logprobs
	if len(lp.Tokens) != len(lp.TokenLogprobs) {
		return TokenResult{}, fmt.Errorf("/v1/completions: %d tokens but %d log-probs", len(lp.Tokens), len(lp.TokenLogprobs))
	}
	out := TokenResult{Tokens: make([]int, len(lp.Tokens)), LogProbs: append([]float64(nil), lp.TokenLogprobs...),
		FinishReason: string(ch.FinishReason)}
	for i, t := range lp.Tokens {
		id, ok := ParseTokenID(t)
		if !ok {
			return TokenResult{}, fmt.Errorf("/v1/completions: logprobs.tokens[%d] is %q, not token_id:N: the server must honour return_tokens_as_token_ids (seeupo serve and vLLM do)", i, t)
		}
		out.Tokens[i] = id
	}
	return out, nil
}

// ParseTokenID reads a "token_id:N" token.
func ParseTokenID(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, "token_id:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}
