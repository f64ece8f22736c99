package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// countDemos are n demonstrations of countSuite's tasks t0, t1, … with
// the given replies each.
func countDemos(n int, replies ...string) []Demonstration {
	out := make([]Demonstration, n)
	for i := range out {
		out[i] = Demonstration{Task: env.Task{ID: fmt.Sprintf("t%d", i)}, Replies: replies}
	}
	return out
}

// testCodec is a chat codec whose tokenizer was trained on text like
// countSuite's.
func testCodec(t *testing.T) ChatCodec {
	t.Helper()
	tok, err := tokenizer.Train([]string{"system\nS", "user\nt0", "assistant\nok", "tool\n1", "tool\n2"}, 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ChatCodec{Tok: tok}
}

func TestPlayDemonstrationsKeepsTheTranscript(t *testing.T) {
	played, err := PlayDemonstrations(context.Background(), countSuite{steps: 2}, countDemos(2, "ok", "ok"))
	if err != nil {
		t.Fatal(err)
	}
	want := Transcript{
		Demonstration: Demonstration{Task: env.Task{ID: "t1"}, Replies: []string{"ok", "ok"}},
		Opening:       []env.Message{{Role: "system", Content: "S"}, {Role: "user", Content: "t1"}},
		After:         [][]env.Message{{{Role: "tool", Content: "1"}}, {{Role: "tool", Content: "2"}}},
	}
	if len(played) != 2 || !reflect.DeepEqual(played[1], want) {
		t.Fatalf("transcripts = %+v\nwant the second %+v", played, want)
	}
	corpus := Corpus(played[1:])
	wantCorpus := []string{"system\nS", "user\nt1", "assistant\nok", "tool\n1", "assistant\nok", "tool\n2"}
	if !slices.Equal(corpus, wantCorpus) {
		t.Errorf("corpus = %q, want %q", corpus, wantCorpus)
	}
}

// TestDemonstrationSamplesLayOutContextsAsTheAgentLoop states the layout
// the warm start trains on: the opening messages, then per turn the
// assistant header, the reply ending in <|im_end|>, the separator and the
// environment's messages.
func TestDemonstrationSamplesLayOutContextsAsTheAgentLoop(t *testing.T) {
	codec := testCodec(t)
	samples, err := DemonstrationSamples(context.Background(), countSuite{steps: 2}, codec, countDemos(2, "ok", "ok"))
	if err != nil {
		t.Fatal(err)
	}
	end, _ := codec.Tok.SpecialID(tokenizer.IMEnd)
	reply := append(codec.Tok.EncodePlain("ok"), end)
	var want []policy.Sample
	for task := range 2 {
		ctx := append(codec.Message(env.Message{Role: "system", Content: "S"}),
			codec.Message(env.Message{Role: "user", Content: fmt.Sprintf("t%d", task)})...)
		for turn := range 2 {
			ctx = append(ctx, codec.AssistantStart()...)
			want = append(want, policy.Sample{Context: slices.Clone(ctx), Response: reply})
			ctx = append(append(ctx, reply...), codec.AssistantEnd()...)
			ctx = append(ctx, codec.Message(env.Message{Role: "tool", Content: fmt.Sprint(turn + 1)})...)
		}
	}
	if !reflect.DeepEqual(samples, want) {
		t.Errorf("samples =\n%v\nwant\n%v", samples, want)
	}
}

// TestDemonstrationsThatDoNotFit: both the play (for the corpus) and the
// teacher-forced rollout (for the samples) refuse a demonstration that
// fails or that the environment cuts short, naming why.
func TestDemonstrationsThatDoNotFit(t *testing.T) {
	codec := testCodec(t)
	cases := []struct {
		name          string
		steps         int
		demos         []Demonstration
		play, samples string // the errors' gist ("": not a case for it)
	}{
		{"fails", 2, countDemos(1, "ok", "no"), "does not succeed", "does not succeed"},
		{"too long", 1, countDemos(1, "ok", "ok"), "after 1 of its 2 replies", "after 1 of its demonstration's 2 replies"},
		{"no replies", 1, countDemos(1), "", "has no replies"},
		{"environment error", 1, []Demonstration{{Task: env.Task{ID: "bad"}, Replies: []string{"ok"}}}, "backend crashed", "backend crashed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			suite := countSuite{steps: c.steps}
			_, samplesErr := DemonstrationSamples(context.Background(), suite, codec, c.demos)
			_, playErr := PlayDemonstrations(context.Background(), suite, c.demos)
			for _, e := range []struct {
				what, want string
				err        error
			}{{"DemonstrationSamples", c.samples, samplesErr}, {"PlayDemonstrations", c.play, playErr}} {
				if e.want != "" && (e.err == nil || !strings.Contains(e.err.Error(), e.want)) {
					t.Errorf("%s: error %v, want one saying %q", e.what, e.err, e.want)
				}
			}
		})
	}
}

func TestTeacherForcingAnswersByEpisodeAndTurn(t *testing.T) {
	codec := testCodec(t)
	g := &TeacherForcing{Codec: codec, Replies: map[int][]string{3: {"ok", "S"}, 4: {"t0"}}}
	res, err := g.Generate(context.Background(), []GenRequest{{Episode: 3, Turn: 1}, {Episode: 4, Turn: 0}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"S", "t0"} {
		if got := codec.Decode(res[i].Tokens); got != want || len(res[i].LogProbs) != len(res[i].Tokens) {
			t.Errorf("result %d = %q with %d log-probs for %d tokens, want %q", i, got, len(res[i].LogProbs), len(res[i].Tokens), want)
		}
	}
	if _, err := g.Generate(context.Background(), []GenRequest{{Episode: 4, Turn: 1}}); err == nil ||
		!strings.Contains(err.Error(), "asks for turn 2, its demonstration has 1 replies") {
		t.Errorf("a turn past the demonstration: error %v", err)
	}
}

// recordingModel records the batches of a fine-tune and answers a loss
// that falls with the steps.
type recordingModel struct {
	batches [][]policy.Sample
	steps   int
}

func (m *recordingModel) ForwardBackward(batch []policy.Sample, _ bool, _ policy.LossFunc) (float64, error) {
	m.batches = append(m.batches, batch)
	return 1 / float64(len(m.batches)), nil
}

func (m *recordingModel) Step(policy.Optim) (policy.StepStats, error) {
	m.steps++
	return policy.StepStats{}, nil
}

// TestFineTuneDrawsEverySampleOncePerEpoch: 5 samples in batches of 2
// over 5 steps are two whole permutations.
func TestFineTuneDrawsEverySampleOncePerEpoch(t *testing.T) {
	var samples []policy.Sample
	for i := range 5 {
		samples = append(samples, policy.Sample{Context: []int{i}, Response: []int{i}})
	}
	m := &recordingModel{}
	loss, err := FineTune(context.Background(), m, samples, FineTuning{Steps: 5, Batch: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if m.steps != 5 || len(m.batches) != 5 || loss != 1.0/5 {
		t.Fatalf("%d steps, %d batches, loss %v; want 5, 5, 0.2", m.steps, len(m.batches), loss)
	}
	var drawn []int
	for _, b := range m.batches {
		for _, s := range b {
			drawn = append(drawn, s.Context[0])
		}
	}
	for epoch := range 2 {
		got := slices.Sorted(slices.Values(drawn[epoch*5 : epoch*5+5]))
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("epoch %d drew %v, want every sample once", epoch, drawn[epoch*5:epoch*5+5])
		}
	}
	if _, err := FineTune(context.Background(), m, nil, FineTuning{Steps: 1, Batch: 1, Name: "sft"}); err == nil {
		t.Error("a fine-tune without samples: no error")
	}
}

// TestFineTuneLearnsTheDemonstrations: a few steps on a tiny transformer
// lower the loss of the demonstrated replies.
func TestFineTuneLearnsTheDemonstrations(t *testing.T) {
	codec := testCodec(t)
	samples, err := DemonstrationSamples(context.Background(), countSuite{steps: 2}, codec, countDemos(3, "ok", "ok"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = codec.Tok.VocabSize()
	m, err := models.CPU(1).New(cfg, 3, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ft := FineTuning{Steps: 1, Batch: len(samples), Optim: policy.Optim{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}}
	first, err := FineTune(context.Background(), m, samples, ft)
	if err != nil {
		t.Fatal(err)
	}
	ft.Steps = 20
	last, err := FineTune(context.Background(), m, samples, ft)
	if err != nil {
		t.Fatal(err)
	}
	if !(last < first/2) {
		t.Errorf("loss %.4f after 21 steps, %.4f after the first; want it at least halved", last, first)
	}
}

// TestDemonstrationsOfDifferentLengths: each episode lasts its own
// demonstration's turns, whether or not the environment is done then.
func TestDemonstrationsOfDifferentLengths(t *testing.T) {
	demos := append(countDemos(1, "ok"), countDemos(1, "ok", "ok")...)
	samples, err := DemonstrationSamples(context.Background(), countSuite{steps: 3}, testCodec(t), demos)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 3 {
		t.Errorf("%d samples, want 1 + 2", len(samples))
	}
}

// TestWarmStartSavesAModelDirectory: the warm start's directory loads
// back as a model with the tokenizer it trained, and the model is the
// fine-tuned one (its loss on the samples is the fine-tune's last).
func TestWarmStartSavesAModelDirectory(t *testing.T) {
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = 300
	var ready int
	w := WarmStart{Suite: countSuite{steps: 2}, Demos: countDemos(3, "ok", "ok"), Models: models.CPU(1), Config: cfg, Seed: 4,
		Tuning: FineTuning{Steps: 3, Batch: 6, Optim: policy.Optim{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		Ready:  func(samples []policy.Sample, _ *transformer.Model) { ready = len(samples) }}
	dir := t.TempDir()
	res, err := w.Train(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples != 6 || ready != 6 {
		t.Errorf("%d samples, %d before the fine-tune; want 6 (3 demonstrations × 2 turns)", res.Samples, ready)
	}
	m, tok, err := models.CPU(1).LoadDir(dir, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != res.Tokenizer.VocabSize() || m.Config().VocabSize != cfg.VocabSize {
		t.Errorf("loaded a %d-token tokenizer and a %d-token model; trained %d and %d",
			tok.VocabSize(), m.Config().VocabSize, res.Tokenizer.VocabSize(), cfg.VocabSize)
	}
	samples, err := DemonstrationSamples(context.Background(), countSuite{steps: 2}, ChatCodec{Tok: tok}, w.Demos)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Score(samples, false)
	if err != nil {
		t.Fatal(err)
	}
	if loss, _, _, _ := transformer.MeanNLL(sc); loss >= res.FinalLoss {
		t.Errorf("the saved model's loss %.4f is not below the last step's %.4f (taken before that step's update)", loss, res.FinalLoss)
	}
}

// TestWarmStartFromCheckpoint fine-tunes a saved model directory (as a
// pretrained checkpoint is) with its own tokenizer: the result keeps the
// source's tokenizer and tokenizer files, and its loss on the
// demonstrations is below the source's.
func TestWarmStartFromCheckpoint(t *testing.T) {
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = 300
	demos := countDemos(3, "ok", "ok")
	tok, _, err := DemonstrationData(context.Background(), countSuite{steps: 2}, demos, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.CPU(1).New(cfg, 9, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := (&NativePolicy{Model: m, Tok: tok}).SaveWeights(src); err != nil {
		t.Fatal(err)
	}
	marker := []byte(`{"chat_template": "{{ messages }}", "eos_token": "<|im_end|>"}`)
	if err := os.WriteFile(filepath.Join(src, models.TokenizerConfigFile), marker, 0o644); err != nil {
		t.Fatal(err)
	}
	w := WarmStart{Suite: countSuite{steps: 2}, Demos: demos, Models: models.CPU(1), From: src,
		Tuning: FineTuning{Steps: 5, Batch: 6, Optim: policy.Optim{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}}}
	dir := t.TempDir()
	res, err := w.Train(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tokenizer.VocabSize() != tok.VocabSize() {
		t.Errorf("warm start tokenizer has %d tokens, the source's %d", res.Tokenizer.VocabSize(), tok.VocabSize())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, models.TokenizerConfigFile)); !bytes.Equal(b, marker) {
		t.Errorf("tokenizer_config.json is not the source's: %s", b)
	}
	samples, err := DemonstrationSamples(context.Background(), countSuite{steps: 2}, ChatCodec{Tok: tok}, demos)
	if err != nil {
		t.Fatal(err)
	}
	loss := func(d string) float64 {
		mm, _, err := models.CPU(1).LoadDir(d, transformer.Options{Inference: true})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := mm.Score(samples, false)
		if err != nil {
			t.Fatal(err)
		}
		l, _, _, _ := transformer.MeanNLL(sc)
		return l
	}
	if before, after := loss(src), loss(dir); after >= before {
		t.Errorf("loss on the demonstrations %.4f after the warm start, %.4f before", after, before)
	}
}
