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
	"os"
	"path/filepath"
	"time"

	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// demonstrations are the environment's demonstrations of the family's
// warm-start tasks (the demoSuite's); one longer than demoLimit replies is
// an error.
func (f *family) demonstrations() ([]harness.Demonstration, error) {
	out := make([]harness.Demonstration, 0, len(f.demos))
	for _, task := range f.demos {
		replies, err := env.DemonstrationOf(f.demoSuite, task, env.DemoOptions{Closing: closingReply})
		if err != nil {
			return nil, err
		}
		if f.demoLimit > 0 && len(replies) > f.demoLimit {
			return nil, fmt.Errorf("%s task %s: its demonstration has %d replies, more than rl.max_turns %d",
				f.name, task.ID, len(replies), f.demoLimit)
		}
		out = append(out, harness.Demonstration{Task: task, Replies: replies})
	}
	return out, nil
}

// closingReply ends a user turn of a demonstration: a reply without calls.
const closingReply = "Done."

// WarmStart is the shared starting point of every algorithm of a suite:
// the tokenizer and the fine-tuned model, saved in Dir.
type WarmStart struct {
	Dir       string
	Tokenizer *tokenizer.Tokenizer
	Config    transformer.Config
	Samples   int // demonstration samples
	FinalLoss float64
	Seconds   float64
	// Pretrained is set when the start is a checkpoint as it is (no
	// warm start).
	Pretrained bool
}

// Label names the start in logs and tables: "warm start", or "checkpoint"
// for a pretrained one used as it is.
func (ws *WarmStart) Label() string {
	if ws != nil && ws.Pretrained {
		return "checkpoint"
	}
	return "warm start"
}

// modelConfig is the suite's transformer configuration.
func (c SuiteConfig) modelConfig() (transformer.Config, error) {
	if c.Model.Checkpoint != "" {
		return checkpointConfig(c.Model.Checkpoint)
	}
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

// trainWarmStart fine-tunes a fresh model on the family's demonstrations
// with the suite's model and warm-start settings (harness.WarmStart), and
// saves it with the tokenizer in dir.
func trainWarmStart(ctx context.Context, f *family, mf *models.Factory, dir string, log io.Writer) (*WarmStart, error) {
	began := time.Now()
	c := f.cfg
	cfg, err := c.modelConfig()
	if err != nil {
		return nil, err
	}
	demos, err := f.demonstrations()
	if err != nil {
		return nil, err
	}
	w := harness.WarmStart{Suite: f.demoSuite, Demos: demos, Models: mf, Config: cfg, From: c.Model.Checkpoint,
		Options: transformer.Options{MicroBatchTokens: c.Model.MicroBatchTokens}, Seed: uint64(c.Tasks.Seed),
		Tuning: harness.FineTuning{Steps: c.WarmStart.Steps, Batch: c.WarmStart.Batch, Optim: optim(c.WarmStart.LR),
			Seed: uint64(c.Tasks.Seed), Name: "warm start", Log: log},
		Ready: func(samples []policy.Sample, m *transformer.Model) {
			logf(log, "warm start (%s): %d demonstrations (%d samples), %d parameters; %s",
				f.name, len(demos), len(samples), m.NumParams(), sampleLengths(samples, c.RL))
		}}
	res, err := w.Train(ctx, dir)
	if err != nil {
		return nil, err
	}
	ws := &WarmStart{Dir: dir, Tokenizer: res.Tokenizer, Config: cfg, Samples: res.Samples, FinalLoss: res.FinalLoss,
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
	tok, err := models.LoadTokenizer(dir)
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
func prepareWarmStart(ctx context.Context, f *family, o RunOptions) (*WarmStart, error) {
	if f.cfg.Model.Checkpoint != "" && !f.cfg.warmStartOn() {
		return checkpointStart(f, o.Log)
	}
	dir, log := f.warmStartDir(o.Out), o.Log
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
	ws, err := trainWarmStart(ctx, f, o.Models, dir, log)
	if err != nil {
		return nil, fmt.Errorf("warm start (%s): %w", f.name, err)
	}
	return ws, nil
}
