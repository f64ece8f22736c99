package harness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/chattemplate"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
)

// TemplateCodec renders an episode's contexts with a checkpoint's own chat
// template (policy/chattemplate, as transformers' apply_chat_template
// does) and encodes the text with the checkpoint's tokenizer, added tokens
// included. It is a ConversationCodec: the template sees the whole
// conversation every time, so it may group messages (Qwen's consecutive
// tool results in one user block) and render earlier turns anew (Qwen3
// drops the <think> block of replies before the latest user query). The
// environment's messages reach the template as OpenAI-format messages of
// their role (system, user, assistant, tool; any other role as user),
// without a tools list: environments describe their functions in the
// messages. Replies end with <|im_end|>, as NativePolicy samples them.
//
// Its per-message methods (Message, AssistantStart, AssistantEnd) are the
// embedded ChatCodec's; the Roller does not use them.
type TemplateCodec struct {
	ChatCodec
	Template *chattemplate.Template
	// Options are the template's arguments (EnableThinking, Now);
	// AddGenerationPrompt is set for each rendering.
	Options chattemplate.Options
}

// NewCodec is the codec for the policy whose model directory is dir: a
// TemplateCodec with the directory's chat template (chattemplate.Load),
// or ChatCodec when the directory has none or its template is the
// project's ChatML (models.ChatMLTemplate, written for the project's own
// tokenizers), whose text ChatCodec renders message by message.
func NewCodec(dir string, tok *tokenizer.Tokenizer) (Codec, error) {
	t, err := chattemplate.Load(dir)
	switch {
	case errors.Is(err, chattemplate.ErrNoTemplate):
		return ChatCodec{Tok: tok}, nil
	case err != nil:
		return nil, err
	case t.Source == models.ChatMLTemplate:
		return ChatCodec{Tok: tok}, nil
	}
	if _, ok := tok.SpecialID(tokenizer.IMEnd); !ok {
		return nil, fmt.Errorf("%s: the tokenizer lacks %s, which ends every reply", dir, tokenizer.IMEnd)
	}
	return &TemplateCodec{ChatCodec: ChatCodec{Tok: tok}, Template: t}, nil
}

// Opening renders the opening messages with the generation prompt.
func (c *TemplateCodec) Opening(msgs []env.Message) ([]int, string, error) {
	text, err := c.render(msgs, true)
	if err != nil {
		return nil, "", err
	}
	return c.Tok.Encode(text), text, nil
}

// Continue renders the conversation with the new messages and the
// generation prompt, and appends the text that rendering adds after the
// text the policy has seen (the context and the reply as sampled, its
// <|im_end|> included): for Qwen's templates the "\n" after <|im_end|>,
// the new messages and "<|im_start|>assistant\n".
//
// When the rendering does not extend that text (the template renders an
// earlier reply otherwise, as Qwen3 does with <think> once a new user
// query follows, or does not render the reply as it was sampled), the
// sampled text stays as it is and the fallback appends what the template
// writes after a stand-in reply in the same conversation: its end of
// turn (less the <|im_end|> the reply sampled), the new messages and the
// generation prompt. The next turn's context then differs from the
// template's rendering, which Retokenize counts; as the text kept no
// longer is the template's, every later observation of the episode comes
// from the fallback too.
func (c *TemplateCodec) Continue(text string, reply []int, conv, next []env.Message) (Continuation, error) {
	sampled, err := c.Tok.Decode(reply)
	if err != nil {
		return Continuation{}, err
	}
	seen := text + sampled
	full, err := c.render(slices.Concat(conv, next), true)
	if err != nil {
		return Continuation{}, err
	}
	if rest, ok := strings.CutPrefix(full, seen); ok {
		return Continuation{IDs: c.Tok.Encode(rest), Text: full, Extended: true}, nil
	}
	rest, err := c.afterReply(reply, conv, next)
	if err != nil {
		return Continuation{}, err
	}
	return Continuation{IDs: c.Tok.Encode(rest), Text: seen + rest}, nil
}

// replyStandIn takes the last reply's place in the fallback rendering.
const replyStandIn = "[seeupo: reply]"

// afterReply is the text the template writes after the last reply of conv
// when next follows, found by rendering a stand-in in the reply's place.
func (c *TemplateCodec) afterReply(reply []int, conv, next []env.Message) (string, error) {
	if len(conv) == 0 || conv[len(conv)-1].Role != "assistant" {
		return "", errors.New("the conversation does not end with a reply")
	}
	stand := slices.Clone(conv)
	stand[len(stand)-1].Content = replyStandIn
	full, err := c.render(slices.Concat(stand, next), true)
	if err != nil {
		return "", err
	}
	i := strings.LastIndex(full, replyStandIn)
	if i < 0 {
		return "", errors.New("the chat template does not render a reply as it is written")
	}
	rest := full[i+len(replyStandIn):]
	if end, ok := c.Tok.SpecialID(tokenizer.IMEnd); ok && len(reply) > 0 && reply[len(reply)-1] == end {
		rest = strings.TrimPrefix(rest, tokenizer.IMEnd)
	}
	return rest, nil
}

// Retokenize compares the turns' ids with the template's rendering of the
// conversation (chattemplate.CheckRetokenize); a check that cannot render
// counts every turn as mismatched and says why in First.
func (c *TemplateCodec) Retokenize(conv []env.Message, turns []Turn) Retokenization {
	ct := make([]chattemplate.Turn, len(turns))
	for i, t := range turns {
		ct[i] = chattemplate.Turn{Context: t.Context, Response: t.Response}
	}
	rep, err := c.Template.CheckRetokenize(c.Tok, templateMessages(conv), nil, ct, c.Options)
	if err != nil {
		n := len(turns)
		return Retokenization{Turns: n, MismatchedTurns: n, First: err.Error()}
	}
	out := Retokenization{Turns: rep.Turns, MismatchedTurns: rep.MismatchedTurns, ContextMismatches: rep.ContextMismatches,
		ResponseMismatches: rep.ResponseMismatches, MismatchedTokens: rep.MismatchedTokens}
	if rep.First != nil {
		out.First = rep.First.String()
	}
	return out
}

func (c *TemplateCodec) render(msgs []env.Message, generationPrompt bool) (string, error) {
	o := c.Options
	o.AddGenerationPrompt = generationPrompt
	return c.Template.Render(templateMessages(msgs), nil, o)
}

// templateMessages are the environment's messages in the OpenAI format.
func templateMessages(msgs []env.Message) []chattemplate.Message {
	out := make([]chattemplate.Message, len(msgs))
	for i, m := range msgs {
		role := m.Role
		switch role {
		case "system", "user", "assistant", "tool":
		default:
			role = "user"
		}
		out[i] = chattemplate.Message{Role: role, Content: chattemplate.Text(m.Content)}
	}
	return out
}
