package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/progress"
	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// transcript is one demonstration episode as text: the opening messages,
// then each assistant reply with the messages that follow it.
type transcript struct {
	opening []env.Message
	replies []string
	after   [][]env.Message
}

// demonstrate plays the environment's demonstration of a task (the
// family's demoSuite's) through a fresh environment, one reply per turn,
// and requires the episode to succeed.
func (f *family) demonstrate(ctx context.Context, task env.Task) (transcript, error) {
	replies, err := env.DemonstrationOf(f.demoSuite, task, env.DemoOptions{Closing: closingReply})
	if err != nil {
		return transcript{}, err
	}
	if f.demoLimit > 0 && len(replies) > f.demoLimit {
		return transcript{}, fmt.Errorf("%s task %s: its demonstration has %d replies, more than rl.max_turns %d",
			f.name, task.ID, len(replies), f.demoLimit)
	}
	ev, err := f.demoSuite.NewEnv(ctx)
	if err != nil {
		return transcript{}, err
	}
	defer ev.Close()
	var tr transcript
	if tr.opening, err = ev.Reset(ctx, task); err != nil {
		return tr, err
	}
	for _, reply := range replies {
		res, err := ev.Step(ctx, reply)
		if err != nil {
			return tr, err
		}
		tr.replies = append(tr.replies, reply)
		tr.after = append(tr.after, res.Messages)
	}
	res, err := ev.Evaluate(ctx)
	if err != nil {
		return tr, err
	}
	if !res.Success {
		return tr, fmt.Errorf("%s: its demonstration does not succeed (%d of %d checks pass)", task.ID, res.Passed, res.Total)
	}
	return tr, nil
}

// closingReply ends a user turn of a demonstration: a reply without calls.
const closingReply = "Done."

// corpus is every text the tokenizer will see.
func (t transcript) corpus() []string {
	var out []string
	for _, m := range t.opening {
		out = append(out, m.Role+"\n"+m.Content)
	}
	for i, r := range t.replies {
		out = append(out, "assistant\n"+r)
		for _, m := range t.after[i] {
			out = append(out, m.Role+"\n"+m.Content)
		}
	}
	return out
}

// samples encodes the transcript exactly as the agent loop builds
// contexts: each reply is a response (ending with the stop token) to the
// whole history before it.
func (t transcript) samples(codec harness.ChatCodec) ([]policy.Sample, error) {
	end, ok := codec.Tok.SpecialID(tokenizer.IMEnd)
	if !ok {
		return nil, fmt.Errorf("tokenizer lacks %s", tokenizer.IMEnd)
	}
	var ctx []int
	for _, m := range t.opening {
		ctx = append(ctx, codec.Message(m)...)
	}
	var out []policy.Sample
	for i, r := range t.replies {
		ctx = append(ctx, codec.AssistantStart()...)
		resp := append(codec.Tok.EncodePlain(r), end)
		out = append(out, policy.Sample{Context: append([]int(nil), ctx...), Response: resp})
		ctx = append(append(ctx, resp...), codec.AssistantEnd()...)
		for _, m := range t.after[i] {
			ctx = append(ctx, codec.Message(m)...)
		}
	}
	return out, nil
}

// WarmStart is the shared starting point of every algorithm of a suite:
// the tokenizer and the fine-tuned model, saved in Dir.
type WarmStart struct {
	Dir       string
	Tokenizer *tokenizer.Tokenizer
	Config    transformer.Config
	Samples   int // demonstration samples
	FinalLoss float64
	Seconds   float64
}

// modelConfig is the suite's transformer configuration.
func (c SuiteConfig) modelConfig() (transformer.Config, error) {
	preset := c.Model.Preset
	if preset == "" {
		preset = "tiny"
	}
	cfg, err := transformer.Preset(preset)
	if err != nil {
		return cfg, fmt.Errorf("suite %s: model.preset: %w", c.Name, err)
	}
	set := func(dst *int, v int) {
		if v > 0 {
			*dst = v
		}
	}
	set(&cfg.HiddenSize, c.Model.HiddenSize)
	set(&cfg.NumHiddenLayers, c.Model.Layers)
	set(&cfg.NumAttentionHeads, c.Model.Heads)
	set(&cfg.NumKeyValueHeads, c.Model.KVHeads)
	set(&cfg.IntermediateSize, c.Model.IntermediateSize)
	set(&cfg.VocabSize, c.Model.Vocab)
	set(&cfg.MaxPositionEmbeddings, c.Model.Context)
	if c.Model.HiddenSize > 0 || c.Model.Heads > 0 {
		cfg.HeadDim = 0 // derived from hidden size and heads
	}
	return cfg, cfg.Validate()
}

// trainWarmStart trains the tokenizer on the family's demonstrations,
// then fine-tunes a fresh model on them, and saves both in dir.
func trainWarmStart(ctx context.Context, f *family, be kernels.Backend, dir string, log io.Writer) (*WarmStart, error) {
	began := time.Now()
	c := f.cfg
	var demos []transcript
	var corpus []string
	for _, task := range f.demos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tr, err := f.demonstrate(ctx, task)
		if err != nil {
			return nil, err
		}
		demos = append(demos, tr)
		corpus = append(corpus, tr.corpus()...)
	}
	cfg, err := c.modelConfig()
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Train(corpus, cfg.VocabSize, nil)
	if err != nil {
		return nil, err
	}
	codec := harness.ChatCodec{Tok: tok}
	var samples []policy.Sample
	for _, d := range demos {
		s, err := d.samples(codec)
		if err != nil {
			return nil, err
		}
		samples = append(samples, s...)
	}
	m, err := transformer.New(cfg, be, uint64(c.Tasks.Seed), transformer.Options{MicroBatchTokens: c.Model.MicroBatchTokens})
	if err != nil {
		return nil, err
	}
	logf(log, "warm start (%s): %d demonstrations (%d samples), %d parameters; %s",
		f.name, len(demos), len(samples), m.NumParams(), sampleLengths(samples, c.RL))
	loss, err := fineTune(ctx, m, samples, c, log)
	if err != nil {
		return nil, err
	}
	if err := m.Save(dir, safetensors.F32); err != nil {
		return nil, err
	}
	if err := tok.Save(filepath.Join(dir, harness.TokenizerFile)); err != nil {
		return nil, err
	}
	ws := &WarmStart{Dir: dir, Tokenizer: tok, Config: cfg, Samples: len(samples), FinalLoss: loss,
		Seconds: time.Since(began).Seconds()}
	return ws, ws.writeStamp(f)
}

// sampleLengths describes the longest demonstrated reply and context in
// tokens beside the episode limits they must fit in.
func sampleLengths(samples []policy.Sample, rl RLSettings) string {
	reply, context := 0, 0
	for _, s := range samples {
		reply = max(reply, len(s.Response))
		context = max(context, len(s.Context)+len(s.Response))
	}
	return fmt.Sprintf("longest reply %d tokens (rl.max_tokens_per_turn %d), longest episode %d tokens (rl.max_context %d)",
		reply, rl.MaxTokensPerTurn, context, rl.MaxContext)
}

// warmStartStamp records which configuration a saved warm start was made
// with, so later invocations reuse it only when nothing changed, and the
// SHA-256 of each of its files, so a damaged copy is never reused.
type warmStartStamp struct {
	Digest    string            `json:"config_sha256"`
	Samples   int               `json:"samples"`
	FinalLoss float64           `json:"final_loss"`
	Seconds   float64           `json:"seconds"`
	Files     map[string]string `json:"files_sha256"`
}

const warmStartStampFile = "warm_start.json"

// warmStartFiles are the files of a warm start the stamp vouches for.
var warmStartFiles = []string{transformer.ConfigFile, transformer.WeightsFile, harness.TokenizerFile}

func (ws *WarmStart) writeStamp(f *family) error {
	files, err := fileDigests(ws.Dir, warmStartFiles)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(warmStartStamp{Digest: f.warmStartDigest(), Samples: ws.Samples,
		FinalLoss: ws.FinalLoss, Seconds: ws.Seconds, Files: files}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ws.Dir, warmStartStampFile), append(b, '\n'), 0o644)
}

// fileDigests are the hex SHA-256 of the named files of dir.
func fileDigests(dir string, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
	}
	return out, nil
}

// loadWarmStart returns the family's warm start saved in dir when it was
// made with the same configuration and its files are intact. Otherwise
// damage says why it cannot be reused ("" when there is none or it was
// made with other settings).
func loadWarmStart(f *family, dir string) (ws *WarmStart, damage string) {
	stampPath := filepath.Join(dir, warmStartStampFile)
	b, err := os.ReadFile(stampPath)
	if err != nil {
		return nil, ""
	}
	var st warmStartStamp
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Sprintf("%s: %v", stampPath, err)
	}
	if st.Digest != f.warmStartDigest() {
		return nil, ""
	}
	if reason := checkWarmStartFiles(dir, st.Files); reason != "" {
		return nil, reason
	}
	tok, err := tokenizer.Load(filepath.Join(dir, harness.TokenizerFile))
	if err != nil {
		return nil, err.Error()
	}
	cfg, err := transformer.LoadConfig(filepath.Join(dir, transformer.ConfigFile))
	if err != nil {
		return nil, err.Error()
	}
	return &WarmStart{Dir: dir, Tokenizer: tok, Config: cfg, Samples: st.Samples, FinalLoss: st.FinalLoss,
		Seconds: st.Seconds}, ""
}

// checkWarmStartFiles compares the warm start's files with the stamp's
// digests; it says what differs, or "".
func checkWarmStartFiles(dir string, want map[string]string) string {
	got, err := fileDigests(dir, warmStartFiles)
	if err != nil {
		return err.Error()
	}
	for _, name := range warmStartFiles {
		if want[name] == "" {
			return fmt.Sprintf("%s has no checksum of %s", filepath.Join(dir, warmStartStampFile), name)
		}
		if got[name] != want[name] {
			return fmt.Sprintf("%s: SHA-256 %s does not match %s's %s (the file is damaged)",
				filepath.Join(dir, name), got[name], warmStartStampFile, want[name])
		}
	}
	return ""
}

// prepareWarmStart reuses the family's saved warm start or trains it; a
// damaged one is trained again, and the log says why.
func prepareWarmStart(ctx context.Context, f *family, be kernels.Backend, out string, log io.Writer) (*WarmStart, error) {
	dir := f.warmStartDir(out)
	ws, damage := loadWarmStart(f, dir)
	if ws != nil {
		logf(log, "warm start (%s): reusing %s (final loss %.4f, files verified)", f.name, dir, ws.FinalLoss)
		return ws, nil
	}
	if damage != "" {
		logf(log, "warm start (%s): cannot reuse %s: %s; training it again", f.name, dir, damage)
	}
	if err := os.Remove(filepath.Join(dir, warmStartStampFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ws, err := trainWarmStart(ctx, f, be, dir, log)
	if err != nil {
		return nil, fmt.Errorf("warm start (%s): %w", f.name, err)
	}
	return ws, nil
}

// fineTune runs the warm start's supervised steps over shuffled batches.
func fineTune(ctx context.Context, m *transformer.Model, samples []policy.Sample, c SuiteConfig, log io.Writer) (float64, error) {
	rng := rand.New(rand.NewPCG(uint64(c.Tasks.Seed), 0x5f7))
	order := rng.Perm(len(samples))
	var bar *progress.Bar
	if log != nil {
		bar = progress.New(log, "warm start", c.WarmStart.Steps)
	}
	m.SetInterrupt(ctx.Err)
	defer m.SetInterrupt(nil)
	loss := 0.0
	for step, pos := 0, 0; step < c.WarmStart.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		batch := make([]policy.Sample, 0, c.WarmStart.Batch)
		for len(batch) < c.WarmStart.Batch {
			if pos == len(order) {
				order, pos = rng.Perm(len(samples)), 0
			}
			batch = append(batch, samples[order[pos]])
			pos++
		}
		var err error
		if loss, err = m.ForwardBackward(batch, false, transformer.MeanNLL); err != nil {
			return 0, err
		}
		if _, err := m.Step(optim(c.WarmStart.LR)); err != nil {
			return 0, err
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	logf(log, "warm start: final loss %.4f", loss)
	return loss, nil
}
