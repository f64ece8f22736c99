// Package remote is the policy behind an OpenAI-compatible server (seeupo
// serve, vLLM, SGLang), on the official Go SDK. It has two modes:
//
//   - tokens, for rollouts: Complete sends the context as token ids to
//     /v1/completions with logprobs and a seed per request, and reads back
//     the sampled ids and their log-probabilities. Token ids come from
//     logprobs.tokens written as "token_id:N", which the request asks for
//     with return_tokens_as_token_ids (vLLM's option; seeupo serve honours
//     it), so the trainer sees exactly what was sampled.
//   - chat, for evaluation: Chat sends messages with tool schemas and
//     returns the reply's text and tool calls, with per-model options
//     (strip <think>…</think>, parse <tool_call>{…}</tool_call> blocks in
//     the content, a system prompt of its own or none).
//
// Every request goes through a semaphore (bounded concurrency), has a
// timeout, and is retried by the SDK on 408/409/429/5xx and connection
// errors with exponential backoff; Usage counts requests, retries, tokens
// and latency quantiles.
package remote
