package transformer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/seeupo/seeupo/kernels"
)

// param is one named weight: a window of the model's flat parameter
// buffer, with the matching windows of the gradient and the AdamW moments.
type param struct {
	name  string
	shape []int
	decay bool // weight decay applies (matrices), not to norms and biases
	off   int
	w, g  kernels.Tensor
	m, v  kernels.Tensor
}

func (p *param) size() int {
	n := 1
	for _, d := range p.shape {
		n *= d
	}
	return n
}

type layer struct {
	ln1, ln2               *param
	wq, wk, wv, wo         *param
	bq, bk, bv             *param // nil without attention bias
	qNorm, kNorm           *param // nil without QK-norm
	wGate, wUp, wDown      *param
	qDim, kvDim, interSize int
}

// Options configure a model beyond its Config.
type Options struct {
	// MicroBatchTokens bounds B·T of one forward pass; longer batches are
	// split. 0 means 8192.
	MicroBatchTokens int
	// ValueHead adds a scalar head (value_head.weight [1, hidden],
	// value_head.bias [1]) for a critic.
	ValueHead bool
	// Inference leaves out the gradient and optimiser buffers (a quarter
	// of a trainable model's memory): the model scores, generates and
	// saves, and refuses to train, as a Frozen copy does. Load only.
	Inference bool
}

// Model is the transformer: weights, gradients and AdamW state live in
// flat backend buffers; params are views of them.
type Model struct {
	cfg    Config
	opts   Options
	be     kernels.Backend
	params []*param
	byName map[string]*param

	embed, lmHead, finalNorm *param // lmHead is embed when tied
	valueW, valueB           *param
	layers                   []layer

	// Flat buffers: [decayed params | the rest]. grads, m and v are
	// absent in a frozen model.
	w, g, m, v kernels.Tensor
	nDecay     int
	step       int            // AdamW steps taken
	sumSq      kernels.Tensor // [1]: squared gradient norm
	clip       kernels.Tensor // [1]: the clipping factor

	rng        *rand.PCG // draws seeds for generation requests that give none
	ws         *workspace
	headBudget int // elements of the logits buffer (defaultHeadBudget)

	interrupt func() error // see SetInterrupt
}

// New builds a model with freshly initialised weights (normal(0, 0.02)
// for matrices, ones for norms, zeros for biases), deterministically from
// seed.
func New(cfg Config, be kernels.Backend, seed uint64, o Options) (*Model, error) {
	m, err := build(cfg, be, o, true)
	if err != nil {
		return nil, err
	}
	m.rng = rand.NewPCG(seed, 0x5eed)
	init := rand.New(rand.NewPCG(seed, 0x1417))
	host := make([]float32, m.w.Len())
	for _, p := range m.params {
		vals := host[p.off : p.off+p.size()]
		switch {
		case len(p.shape) == 2:
			for i := range vals {
				vals[i] = float32(0.02 * init.NormFloat64())
			}
		case isNorm(p.name):
			for i := range vals {
				vals[i] = 1
			}
		}
	}
	be.Upload(m.w, host)
	return m, nil
}

func isNorm(name string) bool { return strings.HasSuffix(name, "norm.weight") }

// build lays out the parameters of cfg; trainable models get gradient and
// optimiser buffers.
func build(cfg Config, be kernels.Backend, o Options, trainable bool) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.MicroBatchTokens <= 0 {
		o.MicroBatchTokens = 8192
	}
	m := &Model{cfg: cfg, opts: o, be: be, byName: map[string]*param{}, headBudget: defaultHeadBudget}
	d, hd, inter := cfg.HiddenSize, cfg.Head(), cfg.IntermediateSize
	q, kv := cfg.NumAttentionHeads*hd, cfg.NumKeyValueHeads*hd
	add := func(name string, decay bool, shape ...int) *param {
		p := &param{name: name, shape: shape, decay: decay}
		m.params = append(m.params, p)
		m.byName[name] = p
		return p
	}
	m.embed = add("model.embed_tokens.weight", true, cfg.VocabSize, d)
	for l := 0; l < cfg.NumHiddenLayers; l++ {
		pre := fmt.Sprintf("model.layers.%d.", l)
		ly := layer{qDim: q, kvDim: kv, interSize: inter}
		ly.ln1 = add(pre+"input_layernorm.weight", false, d)
		ly.wq = add(pre+"self_attn.q_proj.weight", true, q, d)
		ly.wk = add(pre+"self_attn.k_proj.weight", true, kv, d)
		ly.wv = add(pre+"self_attn.v_proj.weight", true, kv, d)
		if cfg.QKVBias() {
			ly.bq = add(pre+"self_attn.q_proj.bias", false, q)
			ly.bk = add(pre+"self_attn.k_proj.bias", false, kv)
			ly.bv = add(pre+"self_attn.v_proj.bias", false, kv)
		}
		if cfg.QKNorm() {
			ly.qNorm = add(pre+"self_attn.q_norm.weight", false, hd)
			ly.kNorm = add(pre+"self_attn.k_norm.weight", false, hd)
		}
		ly.wo = add(pre+"self_attn.o_proj.weight", true, d, q)
		ly.ln2 = add(pre+"post_attention_layernorm.weight", false, d)
		ly.wGate = add(pre+"mlp.gate_proj.weight", true, inter, d)
		ly.wUp = add(pre+"mlp.up_proj.weight", true, inter, d)
		ly.wDown = add(pre+"mlp.down_proj.weight", true, d, inter)
		m.layers = append(m.layers, ly)
	}
	m.finalNorm = add("model.norm.weight", false, d)
	m.lmHead = m.embed
	if !cfg.TieWordEmbeddings {
		m.lmHead = add("lm_head.weight", true, cfg.VocabSize, d)
	}
	if o.ValueHead {
		m.valueW = add("value_head.weight", true, 1, d)
		m.valueB = add("value_head.bias", false, 1)
	}
	m.layout(trainable)
	return m, nil
}

// layout assigns offsets (decayed parameters first) and views.
func (m *Model) layout(trainable bool) {
	off := 0
	for _, decay := range []bool{true, false} {
		for _, p := range m.params {
			if p.decay == decay {
				p.off = off
				off += p.size()
			}
		}
		if decay {
			m.nDecay = off
		}
	}
	m.w = m.be.Alloc(kernels.F32, off)
	if trainable {
		m.g = m.be.Alloc(kernels.F32, off)
		m.m = m.be.Alloc(kernels.F32, off)
		m.v = m.be.Alloc(kernels.F32, off)
	}
	for _, p := range m.params {
		p.w = m.w.View(p.off, p.shape...)
		if trainable {
			p.g = m.g.View(p.off, p.shape...)
			p.m = m.m.View(p.off, p.shape...)
			p.v = m.v.View(p.off, p.shape...)
		}
	}
}

// Config is the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Backend is the kernel backend the model runs on.
func (m *Model) Backend() kernels.Backend { return m.be }

// NumParams is the number of scalar parameters.
func (m *Model) NumParams() int { return m.w.Len() }

// ParamNames lists the Hugging Face names of the weights in layout order.
func (m *Model) ParamNames() []string {
	names := make([]string, len(m.params))
	for i, p := range m.params {
		names[i] = p.name
	}
	return names
}

// Weights downloads every weight by name.
func (m *Model) Weights() (map[string][]float32, error) { return m.download(m.w) }

// Grads downloads every accumulated gradient by name.
func (m *Model) Grads() (map[string][]float32, error) {
	if m.g.IsZero() {
		return nil, fmt.Errorf("a frozen model has no gradients")
	}
	return m.download(m.g)
}

func (m *Model) download(flat kernels.Tensor) (map[string][]float32, error) {
	host := make([]float32, flat.Len())
	if err := m.be.Download(host, flat); err != nil {
		return nil, err
	}
	out := make(map[string][]float32, len(m.params))
	for _, p := range m.params {
		out[p.name] = host[p.off : p.off+p.size()]
	}
	return out, nil
}

// SetWeight uploads one weight by name.
func (m *Model) SetWeight(name string, vals []float32) error {
	p, ok := m.byName[name]
	if !ok {
		return fmt.Errorf("model has no weight %q", name)
	}
	if len(vals) != p.size() {
		return fmt.Errorf("weight %s: %d values, want %d (shape %v)", name, len(vals), p.size(), p.shape)
	}
	m.be.Upload(p.w, vals)
	return nil
}

func sqrt32(x float64) float32 { return float32(math.Sqrt(x)) }
