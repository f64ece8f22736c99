package transformer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/seeupo/seeupo/kernels"
)

// Request is one generation request.
type Request struct {
	Prompt    []int
	MaxTokens int // the response's token limit (> 0)
	// Temperature 0 is greedy decoding (ties to the lowest id).
	Temperature float64
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches TopP (0 or ≥ 1: off). TopK keeps the K most likely (0: off).
	TopP float64
	TopK int
	// Seed seeds this request's sampler; 0 draws a seed from the model's
	// generator (which checkpoints save).
	Seed uint64
	// StopTokens end the response after any of them is produced (it is
	// kept). Stop strings end it once the decoded response contains one
	// (the token that completed it is kept); they need a Decoder.
	StopTokens []int
	Stop       []string
}

// Completion is a generated response: token ids with their log-probs
// under the model's full distribution (temperature 1, no top-p/top-k:
// the quantity Score returns) and why generation ended ("stop" or
// "length").
type Completion struct {
	Tokens       []int
	LogProbs     []float64
	FinishReason string
}

// Decoder turns token ids into text, for stop strings.
type Decoder interface {
	Decode(ids []int) (string, error)
}

// kvCache is one batch's key/value cache: per layer [B, Tmax, Hkv, D],
// with the buffers of the last-position head.
type kvCache struct {
	k, v   []kernels.Tensor
	start  kernels.Tensor // [B] I32: the row the next keys go to
	pick   kernels.Tensor // [B] I32: the rows whose logits are wanted
	h      kernels.Tensor // [B, d]: their final hidden states
	logits kernels.Tensor // [B, V]
}

func (kc *kvCache) free(be kernels.Backend) {
	for i := range kc.k {
		be.Free(kc.k[i])
		be.Free(kc.v[i])
	}
	for _, t := range []kernels.Tensor{kc.start, kc.pick, kc.h, kc.logits} {
		be.Free(t)
	}
}

// Generate samples responses for a batch of requests with a KV cache: the
// prompts are run once, then one token per request per step.
func (m *Model) Generate(reqs []Request, dec Decoder) ([]Completion, error) {
	return m.generate(context.Background(), reqs, dec, nil)
}

// GenerateContext is Generate that stops with ctx's error, between two
// tokens, when ctx is cancelled.
func (m *Model) GenerateContext(ctx context.Context, reqs []Request, dec Decoder) ([]Completion, error) {
	return m.generate(ctx, reqs, dec, nil)
}

type genRow struct {
	req    Request
	rng    *rand.Rand
	pos    int // position of the next input token
	next   int // the next input token
	done   bool
	out    Completion
	sample sampler
}

// generate is Generate with a hook that sees every step's logits [B, V]
// (for tests).
func (m *Model) generate(ctx context.Context, reqs []Request, dec Decoder, onLogits func(step int, logits []float32)) ([]Completion, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	c := m.cfg
	rows := make([]*genRow, len(reqs))
	tp, tmax := 0, 0
	for i, r := range reqs {
		if err := m.checkRequest(i, r, dec); err != nil {
			return nil, err
		}
		seed := r.Seed
		if seed == 0 {
			seed = m.rng.Uint64()
		}
		rows[i] = &genRow{req: r, rng: rand.New(rand.NewPCG(seed, 0x9e37)), pos: len(r.Prompt)}
		tp = max(tp, len(r.Prompt))
		tmax = max(tmax, len(r.Prompt)+r.MaxTokens)
	}
	B := len(reqs)
	cache := m.newCache(B, tmax)
	defer cache.free(m.be)
	// Prefill: right-padded prompts from position 0.
	ids, pos := make([]int32, B*tp), make([]int32, B*tp)
	last := make([]int32, B)
	for b, r := range reqs {
		for t := 0; t < tp; t++ {
			pos[b*tp+t] = int32(t)
			if t < len(r.Prompt) {
				ids[b*tp+t] = int32(r.Prompt[t])
			}
		}
		last[b] = int32(b*tp + len(r.Prompt) - 1)
	}
	logits, err := m.decodeStep(cache, batchShape{B: B, T: tp}, ids, pos, make([]int32, B), last)
	if err != nil {
		return nil, err
	}
	for step := 0; ; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if onLogits != nil {
			onLogits(step, logits)
		}
		active := false
		for b, row := range rows {
			if row.done {
				continue
			}
			if err := row.advance(logits[b*c.VocabSize:(b+1)*c.VocabSize], dec); err != nil {
				return nil, err
			}
			active = active || !row.done
		}
		if !active {
			break
		}
		one, p, idx := make([]int32, B), make([]int32, B), make([]int32, B)
		for b, row := range rows {
			one[b], p[b], idx[b] = int32(row.next), int32(row.pos), int32(b)
			if !row.done {
				row.pos++
			}
		}
		// Finished rows are fed their last token again at an unchanged
		// position: they rewrite a cache row nobody reads.
		logits, err = m.decodeStep(cache, batchShape{B: B, T: 1}, one, p, p, idx)
		if err != nil {
			return nil, err
		}
	}
	out := make([]Completion, B)
	for b, row := range rows {
		out[b] = row.out
	}
	return out, nil
}

func (m *Model) checkRequest(i int, r Request, dec Decoder) error {
	switch {
	case len(r.Prompt) == 0:
		return fmt.Errorf("request %d: empty prompt", i)
	case r.MaxTokens <= 0:
		return fmt.Errorf("request %d: MaxTokens is %d: must be positive", i, r.MaxTokens)
	case len(r.Prompt)+r.MaxTokens > m.cfg.MaxPositionEmbeddings:
		return fmt.Errorf("request %d: prompt %d + MaxTokens %d exceed max_position_embeddings %d", i, len(r.Prompt), r.MaxTokens, m.cfg.MaxPositionEmbeddings)
	case r.Temperature < 0 || r.TopP < 0 || r.TopK < 0:
		return fmt.Errorf("request %d: Temperature, TopP and TopK must not be negative", i)
	case len(r.Stop) > 0 && dec == nil:
		return fmt.Errorf("request %d: stop strings need a Decoder", i)
	}
	for _, id := range r.Prompt {
		if id < 0 || id >= m.cfg.VocabSize {
			return fmt.Errorf("request %d: token id %d outside the vocabulary [0, %d)", i, id, m.cfg.VocabSize)
		}
	}
	return nil
}

// advance samples the row's next token from its logits and checks the
// stop conditions.
func (r *genRow) advance(logits []float32, dec Decoder) error {
	tok, logp := r.sample.pick(logits, r.req, r.rng)
	r.out.Tokens = append(r.out.Tokens, tok)
	r.out.LogProbs = append(r.out.LogProbs, logp)
	r.next = tok
	for _, s := range r.req.StopTokens {
		if tok == s {
			r.finish("stop")
			return nil
		}
	}
	if len(r.req.Stop) > 0 {
		text, err := dec.Decode(r.out.Tokens)
		if err != nil {
			return err
		}
		for _, s := range r.req.Stop {
			if s != "" && strings.Contains(text, s) {
				r.finish("stop")
				return nil
			}
		}
	}
	if len(r.out.Tokens) >= r.req.MaxTokens {
		r.finish("length")
	}
	return nil
}

func (r *genRow) finish(reason string) {
	r.done = true
	r.out.FinishReason = reason
}

func (m *Model) newCache(B, tmax int) *kvCache {
	c := m.cfg
	kc := &kvCache{start: m.be.Alloc(kernels.I32, B), pick: m.be.Alloc(kernels.I32, B),
		h: m.be.Alloc(kernels.F32, B, c.HiddenSize), logits: m.be.Alloc(kernels.F32, B, c.VocabSize)}
	for range m.layers {
		kc.k = append(kc.k, m.be.Alloc(kernels.F32, B, tmax, c.NumKeyValueHeads, c.Head()))
		kc.v = append(kc.v, m.be.Alloc(kernels.F32, B, tmax, c.NumKeyValueHeads, c.Head()))
	}
	return kc
}

// decodeStep runs s.T new tokens per row through the model with the cache
// (rows start at start[b]) and returns the logits [B, V] of the rows
// picked by last (indices into the B·T outputs).
func (m *Model) decodeStep(cache *kvCache, s batchShape, ids, pos, start, last []int32) ([]float32, error) {
	c, be := m.cfg, m.be
	n := s.N()
	ws := m.workspace(n)
	be.UploadInt(ws.ids.View(0, n), ids)
	be.UploadInt(ws.pos.View(0, n), pos)
	be.UploadInt(cache.start, start)
	m.forward(ws, s, false, cache)
	be.UploadInt(cache.pick, last)
	be.Embedding(cache.h, mat(ws.fn, n, c.HiddenSize), cache.pick) // a row gather
	m.linear(cache.logits, cache.h, m.lmHead, nil)
	out := make([]float32, s.B*c.VocabSize)
	return out, be.Download(out, cache.logits)
}

// sampler holds scratch space for picking tokens.
type sampler struct {
	idx   []int
	probs []float64
}

// pick chooses the next token and returns it with its log-prob under the
// unmodified distribution.
func (s *sampler) pick(logits []float32, r Request, rng *rand.Rand) (int, float64) {
	mx := math.Inf(-1)
	best := 0
	for i, l := range logits {
		if float64(l) > mx {
			mx, best = float64(l), i
		}
	}
	sum := 0.0
	for _, l := range logits {
		sum += math.Exp(float64(l) - mx)
	}
	lse := mx + math.Log(sum)
	logp := func(i int) float64 { return float64(logits[i]) - lse }
	if r.Temperature == 0 {
		return best, logp(best)
	}
	tok := s.sample(logits, r, rng)
	return tok, logp(tok)
}

// sample draws from softmax(logits/T) restricted to the top-k tokens and
// then to the top-p nucleus.
func (s *sampler) sample(logits []float32, r Request, rng *rand.Rand) int {
	v := len(logits)
	s.idx = s.idx[:0]
	for i := 0; i < v; i++ {
		s.idx = append(s.idx, i)
	}
	byLogit := func(a, b int) bool {
		if logits[a] != logits[b] {
			return logits[a] > logits[b]
		}
		return a < b
	}
	keep := v
	if r.TopK > 0 && r.TopK < v {
		keep = r.TopK
	}
	filterTop(s.idx, keep, byLogit)
	s.idx = s.idx[:keep]
	nucleus := r.TopP > 0 && r.TopP < 1
	if nucleus {
		sortIdx(s.idx, byLogit) // the nucleus is a prefix of the sorted tokens
	}
	mx := math.Inf(-1)
	for _, i := range s.idx {
		mx = math.Max(mx, float64(logits[i]))
	}
	s.probs = s.probs[:0]
	total := 0.0
	for _, i := range s.idx {
		p := math.Exp((float64(logits[i]) - mx) / r.Temperature)
		s.probs = append(s.probs, p)
		total += p
	}
	if nucleus {
		acc := 0.0
		for j, p := range s.probs {
			acc += p / total
			if acc >= r.TopP {
				s.probs, s.idx = s.probs[:j+1], s.idx[:j+1]
				break
			}
		}
		total = 0
		for _, p := range s.probs {
			total += p
		}
	}
	u := rng.Float64() * total
	for j, p := range s.probs {
		u -= p
		if u < 0 {
			return s.idx[j]
		}
	}
	return s.idx[len(s.idx)-1]
}
