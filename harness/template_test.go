package harness

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/chattemplate"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
)

// qwen3Codec is a TemplateCodec with Qwen3's published chat template and
// a small tokenizer trained on the test's words, which encodes "weather"
// as one id.
func qwen3Codec(t *testing.T) *TemplateCodec {
	t.Helper()
	src, err := os.ReadFile("../policy/chattemplate/testdata/templates/qwen3.jinja")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := chattemplate.New(string(src), map[string]string{"eos_token": tokenizer.IMEnd, "pad_token": tokenizer.EndOfText})
	if err != nil {
		t.Fatal(err)
	}
	var corpus []string
	for range 20 {
		corpus = append(corpus, "weather", "call weather", "<think>\nlook\n</think>\n\n", "<tool_response>\nsunny\n</tool_response>",
			"system\nS", "user\nQ", "assistant\n")
	}
	tok, err := tokenizer.Train(corpus, 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Encode("weather")) != 1 {
		t.Fatalf("the tokenizer encodes \"weather\" as %v; the split-reply cases need one id", tok.Encode("weather"))
	}
	return &TemplateCodec{ChatCodec: ChatCodec{Tok: tok}, Template: tmpl}
}

// spelled is a reply's ids with its last word, "weather", sampled one
// character at a time: the same text, other ids.
func spelled(t *testing.T, tok *tokenizer.Tokenizer, ids []int) []int {
	t.Helper()
	w := tok.Encode("weather")
	body := ids[:len(ids)-1]
	if !slices.Equal(body[len(body)-len(w):], w) {
		t.Fatalf("reply %v does not end with the ids of \"weather\" %v", ids, w)
	}
	var chars []int
	for _, c := range "weather" {
		chars = append(chars, tok.EncodePlain(string(c))...)
	}
	return slices.Concat(body[:len(body)-len(w)], chars, ids[len(ids)-1:])
}

// talkSuite opens with a system prompt and a user query; every step
// answers with its replies (a tool result each, or a new user query),
// and the episode ends after steps steps.
type talkSuite struct {
	steps   int
	replies []env.Message
}

func (talkSuite) Name() string                     { return "talk" }
func (talkSuite) Splits() []string                 { return []string{"train"} }
func (talkSuite) Tasks(string) ([]env.Task, error) { return nil, nil }
func (s talkSuite) NewEnv(context.Context) (env.Env, error) {
	return &talkEnv{suite: s}, nil
}

type talkEnv struct {
	suite talkSuite
	n     int
}

func (e *talkEnv) Reset(context.Context, env.Task) ([]env.Message, error) {
	return []env.Message{{Role: "system", Content: "S"}, {Role: "user", Content: "Q"}}, nil
}

func (e *talkEnv) Step(context.Context, string) (env.StepResult, error) {
	e.n++
	if e.n >= e.suite.steps {
		return env.StepResult{Done: true}, nil
	}
	return env.StepResult{Messages: e.suite.replies}, nil
}

func (e *talkEnv) Evaluate(context.Context) (env.Evaluation, error) { return env.Evaluation{}, nil }
func (e *talkEnv) Close() error                                     { return nil }

// idGen replies with the ids of its script, one reply per turn.
type idGen struct{ replies [][]int }

func (g idGen) Generate(_ context.Context, reqs []GenRequest) ([]GenResult, error) {
	out := make([]GenResult, len(reqs))
	for i, r := range reqs {
		ids := g.replies[r.Turn]
		out[i] = GenResult{Tokens: ids, LogProbs: make([]float64, len(ids))}
	}
	return out, nil
}

// TestTemplateCodecRollout rolls out episodes through Qwen3's template and
// compares the contexts, id by id, with the encoding of the text the
// template renders (written out here), and the retokenisation counts
// with the mismatches each case makes.
func TestTemplateCodecRollout(t *testing.T) {
	codec := qwen3Codec(t)
	tok := codec.Tok
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	reply := func(text string) []int { return append(tok.Encode(text), end) }
	think := func(thought string) string { return "<think>\n" + thought + "\n</think>\n\nweather" }
	const opening = "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"
	tools := []env.Message{{Role: "tool", Content: "sunny"}, {Role: "tool", Content: "warm"}}
	// Qwen3 groups consecutive tool results in one user block.
	const toolBlock = "\n<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<tool_response>\nwarm\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
	query := []env.Message{{Role: "user", Content: "again"}}
	const queryBlock = "\n<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n"
	clean := [][]int{reply(think("look")), reply(think("more")), reply(think("done"))}
	// The clean replies' text, <|im_end|> included.
	said := []string{think("look") + tokenizer.IMEnd, think("more") + tokenizer.IMEnd}
	cases := []struct {
		name    string
		suite   talkSuite
		replies [][]int
		// contexts are the texts of the turns' contexts, as rendered.
		contexts []string
		want     Retokenization // MismatchedTokens -1: not compared
	}{
		{"clean tool loop", talkSuite{3, tools}, clean,
			[]string{opening, opening + said[0] + toolBlock, opening + said[0] + toolBlock + said[1] + toolBlock},
			Retokenization{Turns: 3}},
		// The same text as the clean loop; only the last response's ids
		// differ: sampled w e a t h e r <|im_end|>, rendered weather
		// <|im_end|> \n.
		{"last reply split otherwise", talkSuite{3, tools}, [][]int{clean[0], clean[1], spelled(t, tok, clean[2])},
			[]string{opening, opening + said[0] + toolBlock, opening + said[0] + toolBlock + said[1] + toolBlock},
			Retokenization{Turns: 3, MismatchedTurns: 1, ResponseMismatches: 1, MismatchedTokens: 8}},
		// Turn 0's response differs, and so does every later context,
		// which holds it.
		{"first reply split otherwise", talkSuite{3, tools}, [][]int{spelled(t, tok, clean[0]), clean[1], clean[2]},
			[]string{opening},
			Retokenization{Turns: 3, MismatchedTurns: 3, ContextMismatches: 2, ResponseMismatches: 1, MismatchedTokens: -1}},
		// A new user query makes Qwen3 drop the <think> blocks of the
		// replies before it: each later context keeps what was sampled,
		// so it differs from the template's rendering, and every later
		// observation (the one after the last reply included) comes from
		// the fallback.
		{"new queries drop earlier thinking", talkSuite{3, query}, clean,
			[]string{opening, opening + said[0] + queryBlock, opening + said[0] + queryBlock + said[1] + queryBlock},
			Retokenization{Turns: 3, MismatchedTurns: 2, ContextMismatches: 2, MismatchedTokens: -1, Fallbacks: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Roller{Suite: c.suite, Policy: idGen{c.replies}, Codec: codec,
				Limits: Limits{MaxTurns: 5, MaxTokensPerTurn: 64, MaxContext: 1000}, Rewards: DefaultRewards()}
			trajs, err := r.Run(context.Background(), []Episode{{Task: env.Task{ID: "t"}}})
			if err != nil {
				t.Fatal(err)
			}
			tr := trajs[0]
			if tr.EndReason != "done" || len(tr.Turns) != len(c.replies) {
				t.Fatalf("trajectory: end %q, %d turns, want done after %d", tr.EndReason, len(tr.Turns), len(c.replies))
			}
			for k, want := range c.contexts {
				if got := tr.Turns[k].Context; !slices.Equal(got, tok.Encode(want)) {
					s, _ := tok.Decode(got)
					t.Errorf("turn %d context %v (%q),\nwant the ids of %q", k, got, s, want)
				}
			}
			for k, ids := range c.replies {
				if !slices.Equal(tr.Turns[k].Response, ids) {
					t.Errorf("turn %d response %v, sampled %v", k, tr.Turns[k].Response, ids)
				}
				if k+1 < len(tr.Turns) {
					next := slices.Concat(tr.Turns[k].Context, ids, tr.Turns[k].Observation)
					if !slices.Equal(tr.Turns[k+1].Context, next) {
						t.Errorf("turn %d context is not turn %d's context, response and observation", k+1, k)
					}
				}
			}
			if tr.Retokenize == nil {
				t.Fatal("no retokenization")
			}
			got := *tr.Retokenize
			if c.want.MismatchedTokens < 0 {
				got.MismatchedTokens = -1
			}
			if got.MismatchedTurns > 0 && got.First == "" {
				t.Error("no first mismatch described")
			}
			got.First = ""
			if got != c.want {
				t.Errorf("retokenization %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestRolloutRetokenizeMetric: the step's fraction of mismatched turns
// over the episodes that ran, logged only when episodes carry a
// retokenization; a trajectory without one is written as before.
func TestRolloutRetokenizeMetric(t *testing.T) {
	ran := func(turns, bad int) Trajectory {
		return Trajectory{Turns: make([]Turn, turns), Retokenize: &Retokenization{Turns: turns, MismatchedTurns: bad}}
	}
	lost := ran(4, 4)
	lost.InfraFailed = true
	cases := []struct {
		name  string
		trajs []Trajectory
		want  float64
		has   bool
	}{
		{"chat codec", []Trajectory{{Turns: make([]Turn, 2)}}, 0, false},
		{"clean", []Trajectory{ran(3, 0), ran(2, 0)}, 0, true},
		{"lost episodes left out", []Trajectory{ran(3, 1), ran(1, 0), lost}, 0.25, true},
		{"no turn compared", []Trajectory{ran(0, 0)}, 0, true},
	}
	for _, c := range cases {
		got, has := RolloutMetrics(c.trajs)[metrics.RolloutRetokenizeMismatch]
		if has != c.has || got != c.want {
			t.Errorf("%s: %s = %v (present %v), want %v (present %v)", c.name, metrics.RolloutRetokenizeMismatch, got, has, c.want, c.has)
		}
	}
	b, err := json.Marshal(Trajectory{Turns: []Turn{{}}})
	if err != nil || strings.Contains(string(b), "retokenize") {
		t.Errorf("a trajectory without a retokenization marshals as %s (%v)", b, err)
	}
	var back Trajectory
	if b, _ := json.Marshal(ran(2, 1)); json.Unmarshal(b, &back) != nil || !reflect.DeepEqual(back.Retokenize, ran(2, 1).Retokenize) {
		t.Errorf("retokenization does not survive JSON: %s", b)
	}
}

// TestNewCodec: a model directory's own chat template renders its
// contexts, except the project's ChatML, which ChatCodec renders.
func TestNewCodec(t *testing.T) {
	tok := toyTokenizer(t)
	config := func(template string) string {
		b, _ := json.Marshal(map[string]any{"eos_token": tokenizer.IMEnd, "chat_template": template})
		return string(b)
	}
	cases := []struct {
		name     string
		files    map[string]string
		template bool
		err      string
	}{
		{"no files", nil, false, ""},
		{"no template", map[string]string{chattemplate.TokenizerConfigFile: `{"eos_token": "<|im_end|>"}`}, false, ""},
		{"the project's ChatML", map[string]string{chattemplate.TokenizerConfigFile: config(models.ChatMLTemplate)}, false, ""},
		{"another template", map[string]string{chattemplate.TokenizerConfigFile: config(models.ChatMLTemplate + " ")}, true, ""},
		{"chat_template.jinja", map[string]string{chattemplate.TokenizerConfigFile: config(models.ChatMLTemplate),
			chattemplate.TemplateFile: "{{ messages[0].content }}"}, true, ""},
		{"broken template", map[string]string{chattemplate.TemplateFile: "{% if %}"}, false, chattemplate.TemplateFile},
	}
	for _, c := range cases {
		dir := t.TempDir()
		for name, body := range c.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		codec, err := NewCodec(dir, tok)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: NewCodec: %v, want an error naming %s", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tc, isTemplate := codec.(*TemplateCodec)
		if _, isChat := codec.(ChatCodec); isTemplate != c.template || isChat == c.template {
			t.Errorf("%s: codec %T, want a template codec: %v", c.name, codec, c.template)
		}
		if isTemplate && tc.Tok != tok {
			t.Errorf("%s: the template codec has another tokenizer", c.name)
		}
	}
}
