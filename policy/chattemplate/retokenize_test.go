package chattemplate

import (
	"slices"
	"testing"

	"github.com/seeupo/seeupo/policy/tokenizer"
)

// rolloutIDs builds a rollout's ids the way a multi-turn loop does: each
// turn's context is the previous context, the sampled response and the
// encoded text the environment and template add; each piece is encoded on
// its own.
func rolloutIDs(tok *tokenizer.Tokenizer, firstPrompt string, steps []struct{ response, between string }) []Turn {
	var turns []Turn
	ctx := tok.Encode(firstPrompt)
	for _, s := range steps {
		resp := tok.Encode(s.response)
		turns = append(turns, Turn{Context: slices.Clone(ctx), Response: resp})
		ctx = append(append(ctx, resp...), tok.Encode(s.between)...)
	}
	return turns
}

func TestCheckRetokenizeComparesIDs(t *testing.T) {
	tok, err := tokenizer.Load("../tokenizer/testdata/fidelity/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := loadPublished(t, "qwen3.jinja")
	if len(tok.Encode("weather")) >= len("weather") {
		t.Fatal("the fixture tokenizer does not merge \"weather\"; the segmentation case needs a merged word")
	}
	type step = struct{ response, between string }
	toolLoop := []Message{
		{Role: "user", Content: Text("Q1")},
		{Role: "assistant", Content: Text("A1"), ReasoningContent: Text("R1")},
		{Role: "tool", Content: Text("obs")},
		{Role: "assistant", Content: Text("weather"), ReasoningContent: Text("R2")},
	}
	toolLoopIDs := rolloutIDs(tok, "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n", []step{
		{"<think>\nR1\n</think>\n\nA1<|im_end|>", "\n<|im_start|>user\n<tool_response>\nobs\n</tool_response><|im_end|>\n<|im_start|>assistant\n"},
		{"<think>\nR2\n</think>\n\nweather<|im_end|>", ""},
	})
	newQuery := []Message{
		{Role: "user", Content: Text("Q1")},
		{Role: "assistant", Content: Text("A1"), ReasoningContent: Text("R1")},
		{Role: "user", Content: Text("Q2")},
		{Role: "assistant", Content: Text("A2"), ReasoningContent: Text("R2")},
	}
	newQueryIDs := rolloutIDs(tok, "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\n", []step{
		{"<think>\nR1\n</think>\n\nA1<|im_end|>", "\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n"},
		{"<think>\nR2\n</think>\n\nA2<|im_end|>", ""},
	})
	// Two ids of turn 0's response trade places: same length, same ids.
	swapped := cloneTurns(toolLoopIDs)
	r := swapped[0].Response
	r[1], r[2] = r[2], r[1]
	// "weather" sampled one character at a time: the same text, other ids.
	spelled := cloneTurns(toolLoopIDs)
	var chars []int
	for _, c := range "weather" {
		chars = append(chars, tok.EncodePlain(string(c))...)
	}
	w := tok.Encode("weather")
	i := indexOf(spelled[1].Response, w)
	spelled[1].Response = slices.Concat(spelled[1].Response[:i], chars, spelled[1].Response[i+len(w):])

	cases := []struct {
		name                      string
		msgs                      []Message
		turns                     []Turn
		turnsBad, ctxBad, respBad int
		tokensBad                 int
	}{
		{"tool loop after one query", toolLoop, toolLoopIDs, 0, 0, 0, 0},
		// Qwen3 drops turn 0's <think> block once a new user query follows,
		// so turn 1's context no longer matches the ids it was sampled from.
		{"new user query drops earlier thinking", newQuery, newQueryIDs, 1, 1, 0, -1},
		{"two ids swapped, lengths equal", toolLoop, swapped, 1, 0, 1, 2},
		{"same text, other segmentation", toolLoop, spelled, 1, 0, 1, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := tmpl.CheckRetokenize(tok, c.msgs, nil, c.turns, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Turns != 2 || rep.MismatchedTurns != c.turnsBad || rep.ContextMismatches != c.ctxBad || rep.ResponseMismatches != c.respBad {
				t.Errorf("report %+v, want 2 turns, %d mismatched (%d context, %d response)", rep, c.turnsBad, c.ctxBad, c.respBad)
			}
			if c.tokensBad >= 0 && rep.MismatchedTokens != c.tokensBad {
				t.Errorf("%d mismatched tokens, want %d", rep.MismatchedTokens, c.tokensBad)
			}
			if c.turnsBad > 0 && rep.First == nil {
				t.Error("no first mismatch noted")
			}
			if c.turnsBad == 0 && (rep.MismatchedTokens != 0 || rep.First != nil) {
				t.Errorf("a clean rollout reports %d mismatched tokens, first %v", rep.MismatchedTokens, rep.First)
			}
		})
	}
	if _, err := tmpl.CheckRetokenize(tok, toolLoop[:2], nil, toolLoopIDs, Options{}); err == nil {
		t.Error("two turns against one assistant message were accepted")
	}
}

func cloneTurns(turns []Turn) []Turn {
	out := make([]Turn, len(turns))
	for i, t := range turns {
		out[i] = Turn{Context: slices.Clone(t.Context), Response: slices.Clone(t.Response)}
	}
	return out
}

func indexOf(ids, sub []int) int {
	for i := 0; i+len(sub) <= len(ids); i++ {
		if slices.Equal(ids[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
