package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/benchmarks"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/policy/remote"
)

// Modes of --policy openai.
const (
	modeTokens = "tokens"
	modeChat   = "chat"
)

// remoteFlags choose the policy of an evaluation: a model directory in
// process, or an OpenAI-compatible server in token or chat mode.
type remoteFlags struct {
	policy, baseURL, model, apiKey, tokenizer string
	concurrency, retries                      int
	mode                                      string
	chat                                      chatFlags
}

// chatFlags are the options of chat mode.
type chatFlags struct {
	toolFormat, systemPrompt, name, out     string
	stripThink, parseToolCallTags, noSystem bool
	temperature                             float64
	maxTokens, maxTurns, seed               int
}

func (f *remoteFlags) bind(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.policy, "policy", "native", "native (--checkpoint in process) or openai (an OpenAI-compatible server)")
	fl.StringVar(&f.baseURL, "base-url", "", "the server's API root, e.g. http://127.0.0.1:8100/v1 (--policy openai)")
	fl.StringVar(&f.model, "model", "", "model name on the server (--policy openai)")
	fl.StringVar(&f.apiKey, "api-key", "", "bearer token for the server (default: $OPENAI_API_KEY)")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "the served model's tokenizer.json, to render contexts as token ids (--mode tokens; default: --checkpoint's)")
	fl.IntVar(&f.concurrency, "max-concurrency", 32, "requests in flight to the server at most (--policy openai)")
	fl.IntVar(&f.retries, "max-retries", 3, "retries of a request on 429, 5xx and connection errors (--policy openai)")
	fl.StringVar(&f.mode, "mode", modeTokens, "tokens (token ids in and out, /v1/completions) or chat (messages and tools, /v1/chat/completions) (--policy openai)")
	ch := &f.chat
	fl.StringVar(&ch.toolFormat, "tool-format", harness.ToolFormatFC, "fc (tools in the request, tool_calls in the answer) or prompt (the environment's prompting mode) (--mode chat)")
	fl.BoolVar(&ch.stripThink, "strip-think", false, "remove <think>…</think> from the answers (--mode chat)")
	fl.BoolVar(&ch.parseToolCallTags, "parse-tool-call-tags", false, "read <tool_call>{\"name\", \"arguments\"}</tool_call> blocks in the content as tool calls (--mode chat --tool-format fc)")
	fl.StringVar(&ch.systemPrompt, "system-prompt", "", "a system message sent before the conversation's own (--mode chat)")
	fl.BoolVar(&ch.noSystem, "no-system", false, "fold system messages into the first user message, for models without a system role (--mode chat)")
	fl.Float64Var(&ch.temperature, "temperature", 0, "sampling temperature (--mode chat; default: the suite's rl.eval_temperature)")
	fl.IntVar(&ch.maxTokens, "max-tokens", 0, "completion tokens per answer at most (--mode chat; 0: the server's default)")
	fl.IntVar(&ch.maxTurns, "max-turns", 0, "AppWorld's turn limit per episode (--mode chat; 0: the suite's rl.max_turns)")
	fl.StringVar(&ch.name, "name", "", "the run's name in the run directory and reports (--mode chat; default: the model name and the tool format)")
	fl.StringVar(&ch.out, "out", "", "root of run directories (--mode chat; default: the configuration's out_dir)")
	fl.IntVar(&ch.seed, "seed", 1, "the run's seed, which seeds the requests (--mode chat)")
}

// client makes the OpenAI-compatible client of --policy openai.
func (f *remoteFlags) client() (*remote.Client, error) {
	if f.baseURL == "" || f.model == "" {
		return nil, fmt.Errorf("--policy openai needs --base-url (e.g. http://127.0.0.1:8100/v1) and --model")
	}
	key := f.apiKey
	if key == "" {
		key = os.Getenv("OPENAI_API_KEY")
	}
	retries := f.retries
	if retries == 0 {
		retries = -1 // none
	}
	return remote.New(remote.Options{BaseURL: f.baseURL, Model: f.model, APIKey: key,
		MaxConcurrency: f.concurrency, MaxRetries: retries})
}

// checkMode validates --policy and --mode; chat reports chat mode.
func (f *remoteFlags) checkMode() (chat bool, err error) {
	switch f.policy {
	case "native", "openai":
	default:
		return false, fmt.Errorf("--policy %q: known policies are native, openai", f.policy)
	}
	switch f.mode {
	case modeTokens:
		return false, nil
	case modeChat:
		if f.policy != "openai" {
			return false, fmt.Errorf("--mode chat needs --policy openai")
		}
		return true, nil
	}
	return false, fmt.Errorf("--mode %q: known modes are %s, %s", f.mode, modeTokens, modeChat)
}

// source turns the flags into the evaluation's policy source (native, or
// openai in token mode).
func (f *remoteFlags) source(checkpoint string, tasks int) (benchmarks.PolicySource, error) {
	src := benchmarks.PolicySource{ModelDir: checkpoint, Tasks: tasks}
	if tasks < 0 {
		return src, fmt.Errorf("--tasks must be >= 0, got %d", tasks)
	}
	if f.policy == "native" {
		if checkpoint == "" {
			return src, fmt.Errorf("--checkpoint: give a model directory, e.g. <run>/checkpoints/step-N/policy")
		}
		return src, nil
	}
	client, err := f.client()
	if err != nil {
		return src, err
	}
	src.Remote, src.Tokenizer = client, f.tokenizer
	if src.Tokenizer == "" && checkpoint != "" {
		src.Tokenizer = checkpoint + "/tokenizer.json"
	}
	return src, nil
}

// chatSource turns the flags into a chat-mode source; temperatureSet
// says whether --temperature was given.
func (f *remoteFlags) chatSource(tasks int, temperatureSet bool) (benchmarks.ChatSource, error) {
	ch := f.chat
	src := benchmarks.ChatSource{BaseURL: f.baseURL, ToolFormat: ch.toolFormat, Tasks: tasks, Workers: f.concurrency,
		Name: ch.name, Seed: ch.seed, MaxTurns: ch.maxTurns,
		Options: remote.ChatOptions{StripThink: ch.stripThink, ParseToolCallTags: ch.parseToolCallTags,
			SystemPrompt: ch.systemPrompt, NoSystem: ch.noSystem, MaxTokens: ch.maxTokens}}
	switch {
	case tasks < 0:
		return src, fmt.Errorf("--tasks must be >= 0, got %d", tasks)
	case ch.toolFormat != harness.ToolFormatFC && ch.toolFormat != harness.ToolFormatPrompt:
		return src, fmt.Errorf("--tool-format %q: allowed: %s, %s", ch.toolFormat, harness.ToolFormatFC, harness.ToolFormatPrompt)
	case ch.parseToolCallTags && ch.toolFormat != harness.ToolFormatFC:
		return src, fmt.Errorf("--parse-tool-call-tags reads tool calls, which only --tool-format %s uses", harness.ToolFormatFC)
	case ch.maxTokens < 0 || ch.maxTurns < 0 || ch.seed < 0:
		return src, fmt.Errorf("--max-tokens, --max-turns and --seed must be >= 0")
	case temperatureSet && ch.temperature < 0:
		return src, fmt.Errorf("--temperature must be >= 0, got %v", ch.temperature)
	}
	if temperatureSet {
		t := ch.temperature
		src.Temperature = &t
	}
	client, err := f.client()
	src.Client = client
	return src, err
}

// usageLine summarises what a remote policy spent.
func usageLine(u remote.Usage) string {
	return fmt.Sprintf("remote policy: %d requests (%d failed, %d retries), %d prompt + %d completion tokens, latency p50 %.3fs p90 %.3fs p99 %.3fs",
		u.Requests, u.Failures, u.Retries, u.PromptTokens, u.CompletionTokens, u.LatencyP50S, u.LatencyP90S, u.LatencyP99S)
}
