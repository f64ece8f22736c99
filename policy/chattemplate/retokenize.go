package chattemplate

import (
	"encoding/json"
	"fmt"
)

// Encoder turns rendered text into token ids (a *tokenizer.Tokenizer
// does, matching the added tokens the template writes).
type Encoder interface {
	Encode(text string) []int
}

// Turn is one policy step of a multi-turn rollout: the context ids the
// policy sampled from and the response ids it sampled.
type Turn struct {
	Context  []int
	Response []int
}

// RetokenizeReport counts where a rollout's ids and the template's
// rendering of the same conversation disagree. The trainer reports
// MismatchedTurns (or Fraction) as rollout/retokenize_mismatch.
type RetokenizeReport struct {
	Turns              int // turns compared
	MismatchedTurns    int // turns whose context or response ids differ
	ContextMismatches  int // turns whose context ids differ
	ResponseMismatches int // turns whose response ids differ
	// MismatchedTokens counts positions whose ids differ, over all turns;
	// an id present on one side only counts as one.
	MismatchedTokens int
	// First describes the first difference, for a log line.
	First *Mismatch
}

// Fraction is MismatchedTurns / Turns (0 with no turns).
func (r RetokenizeReport) Fraction() float64 {
	if r.Turns == 0 {
		return 0
	}
	return float64(r.MismatchedTurns) / float64(r.Turns)
}

// Mismatch locates one difference: the turn, "context" or "response",
// the first differing position and the ids from there on (at most 8 of
// each).
type Mismatch struct {
	Turn     int
	Part     string
	Position int
	Sampled  []int
	Rendered []int
}

func (m Mismatch) String() string {
	return fmt.Sprintf("turn %d %s differs at id %d: sampled %v, rendered %v", m.Turn, m.Part, m.Position, m.Sampled, m.Rendered)
}

// CheckRetokenize renders the conversation the rollout produced and
// compares ids turn by turn: turn k belongs to the k-th assistant message;
// its context must be the encoding of the messages before that message
// rendered with a generation prompt, and its response the ids the
// rendering of the conversation through that message continues that
// context with (the rendering may go on after the response, with the
// "\n" after <|im_end|>, and the response may stop early). messages must
// hold one assistant message per turn.
func (t *Template) CheckRetokenize(enc Encoder, messages []Message, tools []json.RawMessage, turns []Turn, o Options) (RetokenizeReport, error) {
	var assistant []int
	for i, m := range messages {
		if m.Role == "assistant" {
			assistant = append(assistant, i)
		}
	}
	if len(assistant) != len(turns) {
		return RetokenizeReport{}, fmt.Errorf("retokenize: %d turns but %d assistant messages", len(turns), len(assistant))
	}
	var r RetokenizeReport
	for k, turn := range turns {
		po := o
		po.AddGenerationPrompt = true
		prompt, err := t.Render(messages[:assistant[k]], tools, po)
		if err != nil {
			return RetokenizeReport{}, fmt.Errorf("retokenize: turn %d: %w", k, err)
		}
		fo := o
		fo.AddGenerationPrompt = false
		full, err := t.Render(messages[:assistant[k]+1], tools, fo)
		if err != nil {
			return RetokenizeReport{}, fmt.Errorf("retokenize: turn %d: %w", k, err)
		}
		wantCtx, fullIDs := enc.Encode(prompt), enc.Encode(full)
		var wantResp []int
		if hasPrefix(fullIDs, wantCtx) {
			wantResp = fullIDs[len(wantCtx):]
			wantResp = wantResp[:min(len(wantResp), len(turn.Response))]
		}
		r.Turns++
		nc := r.compare(k, "context", turn.Context, wantCtx)
		nr := r.compare(k, "response", turn.Response, wantResp)
		if nc > 0 {
			r.ContextMismatches++
		}
		if nr > 0 {
			r.ResponseMismatches++
		}
		if nc+nr > 0 {
			r.MismatchedTurns++
		}
	}
	return r, nil
}

// compare counts the positions where sampled and rendered differ, noting
// the first difference of the report.
func (r *RetokenizeReport) compare(turn int, part string, sampled, rendered []int) int {
	n, first := 0, -1
	for i := 0; i < max(len(sampled), len(rendered)); i++ {
		if i >= len(sampled) || i >= len(rendered) || sampled[i] != rendered[i] {
			n++
			if first < 0 {
				first = i
			}
		}
	}
	r.MismatchedTokens += n
	if n > 0 && r.First == nil {
		r.First = &Mismatch{Turn: turn, Part: part, Position: first,
			Sampled: window(sampled, first), Rendered: window(rendered, first)}
	}
	return n
}

func window(ids []int, from int) []int {
	if from >= len(ids) {
		return nil
	}
	return append([]int(nil), ids[from:min(len(ids), from+8)]...)
}

func hasPrefix(ids, prefix []int) bool {
	if len(prefix) > len(ids) {
		return false
	}
	for i, id := range prefix {
		if ids[i] != id {
			return false
		}
	}
	return true
}
