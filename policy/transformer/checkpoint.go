package transformer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy/safetensors"
)

// File names of a model directory (the Hugging Face layout) and of a
// training checkpoint (the same plus optimiser and trainer state).
const (
	ConfigFile     = "config.json"
	WeightsFile    = "model.safetensors"
	WeightsIndex   = "model.safetensors.index.json"
	OptimizerFile  = "optimizer.safetensors"
	TrainStateFile = "trainer_state.json"
)

// Load reads a Hugging Face model directory: config.json and
// model.safetensors (or the shards listed in model.safetensors.index.json),
// in F32, BF16 or F16. Every weight must be present; lm_head.weight is
// ignored when the embeddings are tied. The weights are converted shard by
// shard, tensor by tensor, straight into the model's parameter storage:
// loading holds the model plus one tensor's float32 values, never a second
// copy of the model.
func Load(dir string, be kernels.Backend, o Options) (*Model, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	files, err := WeightFiles(dir)
	if err != nil {
		return nil, err
	}
	m, err := build(cfg, be, o, !o.Inference)
	if err != nil {
		return nil, err
	}
	m.rng = rand.NewPCG(0, 0x5eed)
	if err := m.loadWeights(files, dir); err != nil {
		return nil, err
	}
	return m, nil
}

// WeightFiles lists the safetensors files of a model directory:
// model.safetensors, or the shards model.safetensors.index.json names (in
// sorted order).
func WeightFiles(dir string) ([]string, error) {
	single := filepath.Join(dir, WeightsFile)
	if _, err := os.Stat(single); err == nil {
		return []string{single}, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, WeightsIndex))
	if err != nil {
		return nil, fmt.Errorf("%s: neither %s nor %s is readable", dir, WeightsFile, WeightsIndex)
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, WeightsIndex), err)
	}
	if len(idx.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: weight_map is empty", filepath.Join(dir, WeightsIndex))
	}
	seen := map[string]bool{}
	var files []string
	for _, f := range idx.WeightMap {
		if !seen[f] {
			seen[f] = true
			files = append(files, filepath.Join(dir, f))
		}
	}
	sort.Strings(files)
	return files, nil
}

// loadWeights reads the files' tensors into the model's weights, one at a
// time through a reused host buffer, checking names and shapes.
func (m *Model) loadWeights(files []string, where string) error {
	var buf []float32
	loaded := map[string]bool{}
	var extra []string
	for _, path := range files {
		f, err := safetensors.Open(path)
		if err != nil {
			return err
		}
		for _, name := range f.Names() {
			p, ok := m.byName[name]
			if !ok {
				if !(name == "lm_head.weight" && m.cfg.TieWordEmbeddings) {
					extra = append(extra, name)
				}
				continue
			}
			if loaded[name] {
				f.Close()
				return fmt.Errorf("%s: weight %s appears in two files", where, name)
			}
			_, shape, _ := f.Info(name)
			if !equalShape(shape, p.shape) {
				f.Close()
				return fmt.Errorf("%s: weight %s has shape %v, the config needs %v", where, name, shape, p.shape)
			}
			if cap(buf) < p.size() {
				buf = make([]float32, p.size())
			}
			if err := f.ReadInto(name, buf[:p.size()]); err != nil {
				f.Close()
				return err
			}
			m.be.Upload(p.w, buf[:p.size()])
			loaded[name] = true
		}
		f.Close()
	}
	for _, p := range m.params {
		if !loaded[p.name] {
			return fmt.Errorf("%s: weight %s is missing", where, p.name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%s: %d weights the config does not use, e.g. %s", where, len(extra), extra[0])
	}
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// writeTensors streams the model's tensors of one flat buffer (weights or
// an optimiser moment), named with prefix, to a safetensors file, one
// tensor downloaded at a time.
func (m *Model) writeTensors(path string, flat kernels.Tensor, prefix string, dtype safetensors.DType, meta map[string]string) error {
	specs := make([]safetensors.Spec, len(m.params))
	byName := make(map[string]*param, len(m.params))
	for i, p := range m.params {
		specs[i] = safetensors.Spec{Name: prefix + p.name, Shape: p.shape}
		byName[prefix+p.name] = p
	}
	return safetensors.WriteStream(path, specs, dtype, meta, func(name string, dst []float32) error {
		p := byName[name]
		return m.be.Download(dst, flat.View(p.off, p.shape...))
	})
}

// Save writes the Hugging Face layout: config.json (with the fields
// transformers needs, see Config.HFJSON) and model.safetensors in the
// given dtype, one tensor at a time.
func (m *Model) Save(dir string, dtype safetensors.DType) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := m.cfg.HFJSON(dtype)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), b, 0o644); err != nil {
		return err
	}
	return m.writeTensors(filepath.Join(dir, WeightsFile), m.w, "", dtype, map[string]string{"format": "pt"})
}

type trainState struct {
	Step      int    `json:"step"`
	RNG       []byte `json:"rng"`
	ValueHead bool   `json:"value_head"`
	MicroBat  int    `json:"micro_batch_tokens"`
}

// SaveCheckpoint writes everything training needs to resume exactly: the
// model in F32, the AdamW moments (optimizer.safetensors, exp_avg.NAME and
// exp_avg_sq.NAME), the step count and the generator state.
func (m *Model) SaveCheckpoint(dir string) error {
	if m.g.IsZero() {
		return fmt.Errorf("a frozen model has no optimiser state to checkpoint")
	}
	if err := m.Save(dir, safetensors.F32); err != nil {
		return err
	}
	if err := m.writeMoments(filepath.Join(dir, OptimizerFile)); err != nil {
		return err
	}
	rng, err := m.rng.MarshalBinary()
	if err != nil {
		return err
	}
	st := trainState{Step: m.step, RNG: rng, ValueHead: m.valueW != nil, MicroBat: m.opts.MicroBatchTokens}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, TrainStateFile), append(b, '\n'), 0o644)
}

// LoadCheckpoint restores a model saved by SaveCheckpoint.
func LoadCheckpoint(dir string, be kernels.Backend) (*Model, error) {
	b, err := os.ReadFile(filepath.Join(dir, TrainStateFile))
	if err != nil {
		return nil, err
	}
	var st trainState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", TrainStateFile, err)
	}
	m, err := Load(dir, be, Options{MicroBatchTokens: st.MicroBat, ValueHead: st.ValueHead})
	if err != nil {
		return nil, err
	}
	if err := m.readMoments(filepath.Join(dir, OptimizerFile)); err != nil {
		return nil, err
	}
	m.step = st.Step
	if err := m.rng.UnmarshalBinary(st.RNG); err != nil {
		return nil, fmt.Errorf("%s: rng: %w", TrainStateFile, err)
	}
	return m, nil
}

// writeMoments writes the AdamW moments (exp_avg.NAME, exp_avg_sq.NAME,
// F32), one tensor at a time.
func (m *Model) writeMoments(path string) error {
	var specs []safetensors.Spec
	type src struct {
		p    *param
		flat kernels.Tensor
	}
	byName := map[string]src{}
	for _, p := range m.params {
		for _, mo := range []struct {
			prefix string
			flat   kernels.Tensor
		}{{"exp_avg.", m.m}, {"exp_avg_sq.", m.v}} {
			specs = append(specs, safetensors.Spec{Name: mo.prefix + p.name, Shape: p.shape})
			byName[mo.prefix+p.name] = src{p, mo.flat}
		}
	}
	return safetensors.WriteStream(path, specs, safetensors.F32, nil, func(name string, dst []float32) error {
		s := byName[name]
		return m.be.Download(dst, s.flat.View(s.p.off, s.p.shape...))
	})
}

// readMoments restores the AdamW moments written by writeMoments.
func (m *Model) readMoments(path string) error {
	f, err := safetensors.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var buf []float32
	for _, p := range m.params {
		if cap(buf) < p.size() {
			buf = make([]float32, p.size())
		}
		for _, mo := range []struct {
			name string
			dst  kernels.Tensor
		}{{"exp_avg." + p.name, p.m}, {"exp_avg_sq." + p.name, p.v}} {
			_, shape, ok := f.Info(mo.name)
			if !ok || !equalShape(shape, p.shape) {
				return fmt.Errorf("%s: optimiser state of %s is missing or misshapen", OptimizerFile, p.name)
			}
			if err := f.ReadInto(mo.name, buf[:p.size()]); err != nil {
				return err
			}
			m.be.Upload(mo.dst, buf[:p.size()])
		}
	}
	return nil
}
