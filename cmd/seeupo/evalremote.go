package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/policy/remote"
)

// remoteFlags choose the policy of an evaluation: a model directory in
// process, or an OpenAI-compatible server.
type remoteFlags struct {
	policy, baseURL, model, apiKey, tokenizer string
	concurrency, retries                      int
}

func (f *remoteFlags) bind(c *cobra.Command) {
	c.Flags().StringVar(&f.policy, "policy", "native", "native (--checkpoint in process) or openai (an OpenAI-compatible server in token mode)")
	c.Flags().StringVar(&f.baseURL, "base-url", "", "the server's API root, e.g. http://127.0.0.1:8100/v1 (--policy openai)")
	c.Flags().StringVar(&f.model, "model", "", "model name on the server (--policy openai)")
	c.Flags().StringVar(&f.apiKey, "api-key", "", "bearer token for the server (default: $OPENAI_API_KEY)")
	c.Flags().StringVar(&f.tokenizer, "tokenizer", "", "the served model's tokenizer.json, to render contexts as token ids (--policy openai; default: --checkpoint's)")
	c.Flags().IntVar(&f.concurrency, "max-concurrency", 32, "requests in flight to the server at most (--policy openai)")
	c.Flags().IntVar(&f.retries, "max-retries", 3, "retries of a request on 429, 5xx and connection errors (--policy openai)")
}

// source turns the flags into the evaluation's policy source.
func (f *remoteFlags) source(checkpoint string, tasks int) (benchmarks.PolicySource, error) {
	src := benchmarks.PolicySource{ModelDir: checkpoint, Tasks: tasks}
	if tasks < 0 {
		return src, fmt.Errorf("--tasks must be >= 0, got %d", tasks)
	}
	switch f.policy {
	case "native":
		if checkpoint == "" {
			return src, fmt.Errorf("--checkpoint: give a model directory, e.g. <run>/checkpoints/step-N/policy")
		}
		return src, nil
	case "openai":
	default:
		return src, fmt.Errorf("--policy %q: known policies are native, openai", f.policy)
	}
	if f.baseURL == "" || f.model == "" {
		return src, fmt.Errorf("--policy openai needs --base-url (e.g. http://127.0.0.1:8100/v1) and --model")
	}
	key := f.apiKey
	if key == "" {
		key = os.Getenv("OPENAI_API_KEY")
	}
	retries := f.retries
	if retries == 0 {
		retries = -1 // none
	}
	client, err := remote.New(remote.Options{BaseURL: f.baseURL, Model: f.model, APIKey: key,
		MaxConcurrency: f.concurrency, MaxRetries: retries})
	if err != nil {
		return src, err
	}
	src.Remote, src.Tokenizer = client, f.tokenizer
	if src.Tokenizer == "" && checkpoint != "" {
		src.Tokenizer = checkpoint + "/tokenizer.json"
	}
	return src, nil
}

// usageLine summarises what a remote policy spent.
func usageLine(u remote.Usage) string {
	return fmt.Sprintf("remote policy: %d requests (%d failed, %d retries), %d prompt + %d completion tokens, latency p50 %.3fs p90 %.3fs p99 %.3fs",
		u.Requests, u.Failures, u.Retries, u.PromptTokens, u.CompletionTokens, u.LatencyP50S, u.LatencyP90S, u.LatencyP99S)
}
