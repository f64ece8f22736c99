package transformer

// Workload is what a model is used for, for Config.Memory: training
// (gradients and AdamW moments), a frozen reference copy, a critic of the
// same shape, batched generation with a KV cache, and the micro-batch size
// of forward and backward passes.
type Workload struct {
	Train     bool
	Reference bool
	Critic    bool
	// MicroBatchTokens bounds one forward pass (0: 8192, as Options).
	MicroBatchTokens int
	// Sequences are generated together, each up to Context tokens in the
	// KV cache (0 and 0: no generation).
	Sequences, Context int
}

// Memory is an estimate, in bytes, of what a model holds for a workload.
// Every buffer is float32, as the model keeps them.
type Memory struct {
	Weights     int64 // the policy's weights
	Gradients   int64
	Optimizer   int64 // the two AdamW moments
	Reference   int64 // the frozen reference's weights
	Critic      int64 // the value model: weights, gradients, moments, activations
	KVCache     int64 // keys and values of every layer for the generated batch
	Activations int64 // one micro-batch's activations kept for backward, and the head's chunk
}

// Total is the sum of the parts.
func (m Memory) Total() int64 {
	return m.Weights + m.Gradients + m.Optimizer + m.Reference + m.Critic + m.KVCache + m.Activations
}

// KVCacheBytes is the KV cache of seqs sequences of tokens tokens:
// keys and values of every layer, float32.
func (c Config) KVCacheBytes(seqs, tokens int) int64 {
	return 2 * 4 * int64(c.NumHiddenLayers) * int64(c.NumKeyValueHeads*c.Head()) * int64(seqs) * int64(tokens)
}

// ActivationBytes is what one forward pass over tokens tokens holds: with
// train, every layer's activations (kept for the backward pass) and the
// gradient buffers; without, one layer's; and the head's chunk of logits
// (at most 2^24 of them, twice with train).
func (c Config) ActivationBytes(tokens int, train bool) int64 {
	d, hd := c.HiddenSize, c.Head()
	hq, hkv := c.NumAttentionHeads, c.NumKeyValueHeads
	q, kv, inter := hq*hd, hkv*hd, c.IntermediateSize
	perLayer := 4*d + 2 + q + 2*kv + q + hq + 3*inter
	if c.QKNorm() {
		perLayer += q + kv + hq + hkv
	}
	work := 4*d + 8 // output, final norm, scratch, per-token scalars
	layers := 1
	head := min(int64(tokens), max(1, defaultHeadBudget/int64(c.VocabSize))) * int64(c.VocabSize)
	if train {
		layers = c.NumHiddenLayers
		work += 2*d + 3*q + 4*kv + 3*inter + 2
		head *= 2
	}
	return 4 * (int64(tokens)*int64(layers*perLayer+work) + head)
}

// Memory estimates what a model of c holds for w.
func (c Config) Memory(w Workload) Memory {
	p := int64(c.ParamCount()) * 4
	mb := w.MicroBatchTokens
	if mb <= 0 {
		mb = 8192
	}
	m := Memory{Weights: p, Activations: c.ActivationBytes(mb, w.Train)}
	if w.Train {
		m.Gradients, m.Optimizer = p, 2*p
	}
	if w.Reference {
		m.Reference = p
	}
	if w.Critic {
		m.Critic = 4*p + c.ActivationBytes(mb, true)
	}
	if w.Sequences > 0 && w.Context > 0 {
		m.KVCache = c.KVCacheBytes(w.Sequences, w.Context)
	}
	return m
}
