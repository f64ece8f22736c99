package benchmarks

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/chattemplate"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// saysTemplate is a chat template other than ChatML: "<role> says:" heads
// each message.
const saysTemplate = "{%- for message in messages %}" +
	"{{- '<|im_start|>' + message['role'] + ' says:\\n' + message['content'] + '<|im_end|>\\n' }}" +
	"{%- endfor %}" +
	"{%- if add_generation_prompt %}{{- '<|im_start|>assistant says:\\n' }}{%- endif %}"

// says renders messages as saysTemplate does, without the generation
// prompt; chatML as the project's ChatML does.
func says(msgs []env.Message) string {
	var s string
	for _, m := range msgs {
		s += tokenizer.IMStart + m.Role + " says:\n" + m.Content + tokenizer.IMEnd + "\n"
	}
	return s
}

func chatML(msgs []env.Message) string {
	var s string
	for _, m := range msgs {
		s += tokenizer.IMStart + m.Role + "\n" + m.Content + tokenizer.IMEnd + "\n"
	}
	return s
}

// checkpointDir saves a fresh model of the suite's sizes with a tokenizer
// trained on the family's demonstrations: a Hugging Face directory with
// the project's ChatML template, and chat_template.jinja when template is
// given.
func checkpointDir(t *testing.T, c SuiteConfig, f *family, template string) (string, *tokenizer.Tokenizer) {
	t.Helper()
	demos, err := f.demonstrations()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.modelConfig()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := harness.DemonstrationData(context.Background(), f.demoSuite, demos, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.CPU(1).New(cfg, 3, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := models.SaveDir(dir, m, tok, "", safetensors.F32); err != nil {
		t.Fatal(err)
	}
	if template != "" {
		if err := os.WriteFile(filepath.Join(dir, chattemplate.TemplateFile), []byte(template), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, tok
}

// readTrajectories reads a step's kept trajectories.
func readTrajectories(t *testing.T, path string) []harness.Trajectory {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	var out []harness.Trajectory
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var tr harness.Trajectory
		if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCheckpointChatTemplate: a run from a checkpoint whose chat template
// is not ChatML builds every context through that template, and logs
// rollout/retokenize_mismatch; one whose template is the project's ChatML
// keeps ChatCodec's contexts and metrics. Each kept trajectory is played
// again in a fresh environment, and every context is compared, id by id,
// with the encoding of the text the template renders (written out here).
// An evaluation of the checkpoint picks the same codec.
func TestCheckpointChatTemplate(t *testing.T) {
	c := microSuite(t)
	c.Algorithms = []string{"grpo"}
	c.Tasks.Family = "multi" // several user turns: observations between replies
	f, err := openFamily(c, "", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := []struct {
		name     string
		template string
		render   func([]env.Message) string
		prompt   string // the generation prompt
		// cut follows a reply cut at the token limit: the template's end
		// of turn, or ChatCodec's "\n" alone.
		cut string
	}{
		{"own template", saysTemplate, says, tokenizer.IMStart + "assistant says:\n", tokenizer.IMEnd + "\n"},
		{"the project's ChatML", "", chatML, tokenizer.IMStart + "assistant\n", "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			own := tc.template != ""
			ckpt, tok := checkpointDir(t, c, f, tc.template)
			end, _ := tok.SpecialID(tokenizer.IMEnd)
			cc, err := c.WithCheckpoint(ckpt, "off")
			if err != nil {
				t.Fatal(err)
			}
			res, err := TrainOne(context.Background(), cc, TrainSpec{Algorithm: "grpo", Seed: 1},
				RunOptions{Out: t.TempDir(), Models: models.CPU(1)})
			if err != nil {
				t.Fatal(err)
			}
			trajs := readTrajectories(t, filepath.Join(res.Dir, metrics.DirTrajectories, "step-000001.jsonl.gz"))
			if len(trajs) == 0 {
				t.Fatal("no trajectory kept")
			}
			compared := 0
			for _, tr := range trajs {
				compared += len(tr.Turns)
				if (tr.Retokenize != nil) != own {
					t.Errorf("trajectory %d: retokenization %v, want one: %v", tr.ID, tr.Retokenize, own)
				}
				e, err := f.suite.NewEnv(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				msgs, err := e.Reset(context.Background(), tr.Task)
				if err != nil {
					t.Fatal(err)
				}
				want := tok.Encode(tc.render(msgs) + tc.prompt)
				for k, turn := range tr.Turns {
					if !slices.Equal(turn.Context, want) {
						text, _ := tok.Decode(turn.Context)
						t.Fatalf("trajectory %d turn %d: context %q,\nwant the ids of the template's rendering", tr.ID, k, text)
					}
					step, err := e.Step(context.Background(), turn.Text)
					if err != nil {
						t.Fatal(err)
					}
					// The "\n" after the reply's <|im_end|> (or what follows
					// a cut reply), the environment's messages, the
					// generation prompt.
					after := "\n"
					if turn.Response[len(turn.Response)-1] != end {
						after = tc.cut
					}
					want = slices.Concat(turn.Context, turn.Response, tok.Encode(after+tc.render(step.Messages)+tc.prompt))
				}
				e.Close()
			}
			if compared <= len(trajs) {
				t.Fatalf("%d turns in %d trajectories: no context after an observation compared", compared, len(trajs))
			}
			recs, _, err := metrics.ReadMetrics(filepath.Join(res.Dir, metrics.FileMetrics))
			if err != nil || len(recs) == 0 {
				t.Fatalf("metrics: %d records, %v", len(recs), err)
			}
			if _, ok := recs[len(recs)-1].Data[metrics.RolloutRetokenizeMismatch]; ok != own {
				t.Errorf("step metrics hold %s: %v, want %v", metrics.RolloutRetokenizeMismatch, ok, own)
			}
			_, codec, err := PolicySource{ModelDir: ckpt}.policy(RunOptions{Models: models.CPU(1)})
			if _, isTemplate := codec.(*harness.TemplateCodec); err != nil || isTemplate != own {
				t.Errorf("evaluation codec %T (%v), want a template codec: %v", codec, err, own)
			}
		})
	}
}
