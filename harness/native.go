package harness

import (
	"context"
	"fmt"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// NativePolicy is the native transformer as the trainer sees it: a
// trainable policy that samples replies ending at the chat template's
// end-of-turn token.
type NativePolicy struct {
	*transformer.Model
	Tok *tokenizer.Tokenizer
	// Source is the model directory the policy's tokenizer files come
	// from (a pretrained checkpoint, a warm start): every directory the
	// policy saves copies its tokenizer.json, tokenizer_config.json (with
	// the chat template) and generation_config.json. Empty: they are
	// written from Tok (models.WriteTokenizerFiles).
	Source string
}

// Generate samples replies in one batch; each stops after <|im_end|>.
func (p *NativePolicy) Generate(ctx context.Context, reqs []GenRequest) ([]GenResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	end, ok := p.Tok.SpecialID(tokenizer.IMEnd)
	if !ok {
		return nil, fmt.Errorf("tokenizer lacks %s", tokenizer.IMEnd)
	}
	treqs := make([]transformer.Request, len(reqs))
	for i, r := range reqs {
		seed := r.Seed
		if seed == 0 { // 0 would draw from the model's own generator
			seed = 1
		}
		treqs[i] = transformer.Request{Prompt: r.Context, MaxTokens: r.MaxTokens, Temperature: r.Temperature,
			TopP: r.TopP, TopK: r.TopK, Seed: seed, StopTokens: []int{end}}
	}
	comps, err := p.Model.GenerateContext(ctx, treqs, nil)
	if err != nil {
		return nil, err
	}
	out := make([]GenResult, len(comps))
	for i, c := range comps {
		out[i] = GenResult{Tokens: c.Tokens, LogProbs: c.LogProbs}
	}
	return out, nil
}

// SaveCheckpoint saves the model's training checkpoint with the
// tokenizer's files beside it: a Hugging Face directory (float32 weights)
// that transformers, vLLM and seeupo serve load, plus the optimiser and
// trainer state that resume training.
func (p *NativePolicy) SaveCheckpoint(dir string) error {
	if err := p.Model.SaveCheckpoint(dir); err != nil {
		return err
	}
	return models.WriteTokenizerFiles(dir, p.Tok, p.Config(), p.Source)
}

// SaveWeights saves the weights (float32, as training holds them) with the
// config and the tokenizer's files: a Hugging Face model directory.
func (p *NativePolicy) SaveWeights(dir string) error {
	return models.SaveDir(dir, p.Model, p.Tok, p.Source, safetensors.F32)
}

// TokenizerFile is the tokenizer's file name in model directories.
const TokenizerFile = models.TokenizerFile

// ChatCodec renders messages with the tokenizer's ChatML template.
type ChatCodec struct {
	Tok *tokenizer.Tokenizer
}

// Message encodes one whole message.
func (c ChatCodec) Message(m env.Message) []int {
	ids, err := c.Tok.EncodeChat([]tokenizer.Message{{Role: m.Role, Content: m.Content}}, false)
	if err != nil {
		// Roles come from environments, which use the four known ones;
		// an unknown role is rendered as a user message.
		ids, _ = c.Tok.EncodeChat([]tokenizer.Message{{Role: "user", Content: m.Content}}, false)
	}
	return ids
}

// AssistantStart is "<|im_start|>assistant\n".
func (c ChatCodec) AssistantStart() []int {
	ids, _ := c.Tok.EncodeChat(nil, true)
	return ids
}

// AssistantEnd is the "\n" that follows <|im_end|>.
func (c ChatCodec) AssistantEnd() []int { return c.Tok.EncodePlain("\n") }

// Reply encodes a reply's text as the policy samples it: the plain text's
// tokens, then the end-of-turn token.
func (c ChatCodec) Reply(text string) ([]int, error) {
	end, ok := c.Tok.SpecialID(tokenizer.IMEnd)
	if !ok {
		return nil, fmt.Errorf("tokenizer lacks %s", tokenizer.IMEnd)
	}
	return append(c.Tok.EncodePlain(text), end), nil
}

// Decode renders a reply without its end-of-turn token.
func (c ChatCodec) Decode(ids []int) string {
	if end, ok := c.Tok.SpecialID(tokenizer.IMEnd); ok && len(ids) > 0 && ids[len(ids)-1] == end {
		ids = ids[:len(ids)-1]
	}
	s, err := c.Tok.Decode(ids)
	if err != nil {
		return ""
	}
	return s
}
