// Package serve is `seeupo serve`: an OpenAI-compatible HTTP server over a
// native checkpoint. It answers /v1/models, /v1/chat/completions (with
// tools, tool calls and server-sent events), /v1/completions (token-id
// prompts in, token ids and log-probabilities out, per-request seeds),
// /v1/embeddings (sentence embeddings: the mean of the final-norm hidden
// states at unit length), /health and POST /v1/load_weights (a trainer
// pushes new weights).
//
// Concurrent requests are queued and generated together: one worker takes
// every request waiting (up to MaxBatch) into one call of the batched
// generator with its KV cache. Each request samples with its own random
// generator seeded from its seed, so what it samples does not depend on
// which requests share its batch.
//
// Token ids come back in logprobs.tokens as "token_id:N" strings, the form
// vLLM uses with return_tokens_as_token_ids; without that option the
// tokens are their text.
package serve
