package transformer

import (
	"fmt"
	"math"

	"github.com/seeupo/seeupo/kernels"
	"github.com/seeupo/seeupo/policy"
)

// The model is the policy interface's native implementation; with a value
// head it is also a critic.
var (
	_ policy.Trainable  = (*Model)(nil)
	_ policy.ValueModel = (*Model)(nil)
)

// microBatch is a run of consecutive samples padded to one length T: row r
// holds context ++ response[:len-1] and its targets are the response
// tokens at positions len(context)-1 … .
type microBatch struct {
	first   int // index of the first sample in the batch
	samples []policy.Sample
	shape   batchShape
}

func (m *Model) checkSample(i int, s policy.Sample) error {
	if len(s.Context) == 0 {
		return fmt.Errorf("sample %d: empty context: the first response token needs at least one token before it", i)
	}
	if n := len(s.Context) + len(s.Response); n > m.cfg.MaxPositionEmbeddings {
		return fmt.Errorf("sample %d: %d tokens exceed max_position_embeddings %d", i, n, m.cfg.MaxPositionEmbeddings)
	}
	for _, ids := range [][]int{s.Context, s.Response} {
		for _, id := range ids {
			if id < 0 || id >= m.cfg.VocabSize {
				return fmt.Errorf("sample %d: token id %d outside the vocabulary [0, %d)", i, id, m.cfg.VocabSize)
			}
		}
	}
	return nil
}

// split cuts the batch into micro-batches of at most MicroBatchTokens
// padded tokens (a single longer sample gets a micro-batch of its own).
func (m *Model) split(batch []policy.Sample) ([]microBatch, error) {
	var out []microBatch
	cur := microBatch{}
	for i, s := range batch {
		if err := m.checkSample(i, s); err != nil {
			return nil, err
		}
		t := max(1, len(s.Context)+len(s.Response)-1)
		nt := max(cur.shape.T, t)
		if len(cur.samples) > 0 && (len(cur.samples)+1)*nt > m.opts.MicroBatchTokens {
			out = append(out, cur)
			cur, nt = microBatch{first: i}, t
		}
		cur.samples = append(cur.samples, s)
		cur.shape = batchShape{B: len(cur.samples), T: nt}
	}
	if len(cur.samples) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// upload writes the micro-batch's ids, positions and targets.
func (m *Model) upload(ws *workspace, mb microBatch) {
	n, T := mb.shape.N(), mb.shape.T
	ids, pos, tgt := make([]int32, n), make([]int32, n), make([]int32, n)
	for r, s := range mb.samples {
		row := r * T
		for t := 0; t < T; t++ {
			pos[row+t] = int32(t)
			tgt[row+t] = -1
		}
		seq := append(append([]int(nil), s.Context...), s.Response...)
		for t := 0; t < max(1, len(seq)-1); t++ {
			ids[row+t] = int32(seq[t])
		}
		for j, id := range s.Response {
			tgt[row+len(s.Context)-1+j] = int32(id)
		}
	}
	m.be.UploadInt(ws.ids.View(0, n), ids)
	m.be.UploadInt(ws.pos.View(0, n), pos)
	m.be.UploadInt(ws.tgt.View(0, n), tgt)
}

// gather reads per-response-token values of a [N] tensor into out.
func (m *Model) gather(t kernels.Tensor, mb microBatch, out [][]float64) error {
	host := make([]float32, mb.shape.N())
	if err := m.be.Download(host, t.View(0, mb.shape.N())); err != nil {
		return err
	}
	for r, s := range mb.samples {
		row := make([]float64, len(s.Response))
		for j := range row {
			row[j] = float64(host[r*mb.shape.T+len(s.Context)-1+j])
		}
		out[mb.first+r] = row
	}
	return nil
}

// scatter uploads per-response-token gradients into a [N] tensor.
func (m *Model) scatter(t kernels.Tensor, mb microBatch, grads [][]float64) {
	host := make([]float32, mb.shape.N())
	for r, s := range mb.samples {
		for j := range s.Response {
			host[r*mb.shape.T+len(s.Context)-1+j] = float32(grads[mb.first+r][j])
		}
	}
	m.be.Upload(t.View(0, mb.shape.N()), host)
}

// Score computes the log-prob (and entropy) of every response token.
func (m *Model) Score(batch []policy.Sample, withEntropy bool) (policy.Scores, error) {
	mbs, err := m.split(batch)
	if err != nil {
		return policy.Scores{}, err
	}
	sc := newScores(len(batch), withEntropy)
	for _, mb := range mbs {
		if err := m.interrupted(); err != nil {
			return policy.Scores{}, err
		}
		if err := m.scoreMicroBatch(mb, false, withEntropy, sc); err != nil {
			return policy.Scores{}, err
		}
	}
	return sc, nil
}

func newScores(n int, withEntropy bool) policy.Scores {
	sc := policy.Scores{LogProbs: make([][]float64, n)}
	if withEntropy {
		sc.Entropy = make([][]float64, n)
	}
	return sc
}

func (m *Model) scoreMicroBatch(mb microBatch, keep, withEntropy bool, sc policy.Scores) error {
	ws := m.workspace(mb.shape.N())
	m.upload(ws, mb)
	m.forward(ws, mb.shape, keep, nil)
	m.scoreHead(ws, mb.shape, withEntropy)
	if err := m.gather(ws.logp, mb, sc.LogProbs); err != nil {
		return err
	}
	if withEntropy {
		return m.gather(ws.ent, mb, sc.Entropy)
	}
	return nil
}

// ForwardBackward scores the batch, calls loss once with the whole batch's
// scores and accumulates the gradient of the loss. With several
// micro-batches, all but the last are run forward again for their
// backward pass (activations of one micro-batch are kept at a time).
func (m *Model) ForwardBackward(batch []policy.Sample, withEntropy bool, loss policy.LossFunc) (float64, error) {
	if m.g.IsZero() {
		return 0, fmt.Errorf("a frozen model cannot be trained")
	}
	mbs, err := m.split(batch)
	if err != nil {
		return 0, err
	}
	sc := newScores(len(batch), withEntropy)
	for i, mb := range mbs {
		if err := m.interrupted(); err != nil {
			return 0, err
		}
		if err := m.scoreMicroBatch(mb, i == len(mbs)-1, withEntropy, sc); err != nil {
			return 0, err
		}
	}
	l, dLogp, dEnt, err := loss(sc)
	if err != nil {
		return 0, err
	}
	if err := sameShape("dLogProbs", dLogp, sc.LogProbs); err != nil {
		return 0, err
	}
	if withEntropy && dEnt != nil {
		if err := sameShape("dEntropy", dEnt, sc.Entropy); err != nil {
			return 0, err
		}
	}
	for i := len(mbs) - 1; i >= 0; i-- {
		if err := m.interrupted(); err != nil {
			return 0, err
		}
		mb := mbs[i]
		ws := m.workspace(mb.shape.N())
		if i != len(mbs)-1 {
			m.upload(ws, mb)
			m.forward(ws, mb.shape, true, nil)
			m.scoreHead(ws, mb.shape, withEntropy)
		}
		m.scatter(ws.dLogp, mb, dLogp)
		useEnt := withEntropy && dEnt != nil
		if useEnt {
			m.scatter(ws.dEnt, mb, dEnt)
		}
		m.backwardScore(ws, mb.shape, useEnt)
	}
	return l, m.be.Sync()
}

func sameShape(what string, got, want [][]float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("loss returned %s for %d samples, want %d", what, len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Errorf("loss returned %s[%d] of length %d, want %d", what, i, len(got[i]), len(want[i]))
		}
	}
	return nil
}

// Values predicts the value before each response token (value head).
func (m *Model) Values(batch []policy.Sample) ([][]float64, error) {
	if m.valueW == nil {
		return nil, fmt.Errorf("model has no value head (Options.ValueHead)")
	}
	mbs, err := m.split(batch)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(batch))
	for _, mb := range mbs {
		if err := m.interrupted(); err != nil {
			return nil, err
		}
		if err := m.valuesMicroBatch(mb, false, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (m *Model) valuesMicroBatch(mb microBatch, keep bool, out [][]float64) error {
	ws := m.workspace(mb.shape.N())
	m.upload(ws, mb)
	m.forward(ws, mb.shape, keep, nil)
	m.valueHead(ws, mb.shape)
	return m.gather(ws.values, mb, out)
}

// ForwardBackwardValues predicts values, calls loss once and accumulates
// the gradient of the returned loss.
func (m *Model) ForwardBackwardValues(batch []policy.Sample, loss func(values [][]float64) (float64, [][]float64, error)) (float64, error) {
	if m.valueW == nil || m.g.IsZero() {
		return 0, fmt.Errorf("model has no trainable value head")
	}
	mbs, err := m.split(batch)
	if err != nil {
		return 0, err
	}
	vals := make([][]float64, len(batch))
	for i, mb := range mbs {
		if err := m.interrupted(); err != nil {
			return 0, err
		}
		if err := m.valuesMicroBatch(mb, i == len(mbs)-1, vals); err != nil {
			return 0, err
		}
	}
	l, dv, err := loss(vals)
	if err != nil {
		return 0, err
	}
	if err := sameShape("dValues", dv, vals); err != nil {
		return 0, err
	}
	for i := len(mbs) - 1; i >= 0; i-- {
		if err := m.interrupted(); err != nil {
			return 0, err
		}
		mb := mbs[i]
		ws := m.workspace(mb.shape.N())
		if i != len(mbs)-1 {
			m.upload(ws, mb)
			m.forward(ws, mb.shape, true, nil)
			m.valueHead(ws, mb.shape)
		}
		m.scatter(ws.dValues, mb, dv)
		m.backwardValues(ws, mb.shape)
	}
	return l, m.be.Sync()
}

// Step clips the gradients by global norm, applies AdamW (weight decay on
// matrices only) and zeroes the gradients.
func (m *Model) Step(o policy.Optim) (policy.StepStats, error) {
	if m.g.IsZero() {
		return policy.StepStats{}, fmt.Errorf("a frozen model cannot be trained")
	}
	be := m.be
	if m.sumSq.IsZero() {
		m.sumSq, m.clip = be.Alloc(kernels.F32, 1), be.Alloc(kernels.F32, 1)
	}
	sumSq, scale := m.sumSq, m.clip
	be.SumSquares(sumSq, m.g)
	be.ClipScale(scale, sumSq, float32(o.MaxGradNorm))
	m.step++
	opts := kernels.AdamWOpts{LR: float32(o.LR), Beta1: float32(o.Beta1), Beta2: float32(o.Beta2),
		Eps: float32(o.Eps), WeightDecay: float32(o.WeightDecay), Step: m.step}
	n := m.w.Len()
	be.AdamW(m.w.View(0, m.nDecay), m.g.View(0, m.nDecay), m.m.View(0, m.nDecay), m.v.View(0, m.nDecay), scale, opts)
	opts.WeightDecay = 0
	rest := n - m.nDecay
	be.AdamW(m.w.View(m.nDecay, rest), m.g.View(m.nDecay, rest), m.m.View(m.nDecay, rest), m.v.View(m.nDecay, rest), scale, opts)
	be.Zero(m.g)
	host := make([]float32, 1)
	if err := be.Download(host, sumSq); err != nil {
		return policy.StepStats{}, err
	}
	norm := math.Sqrt(float64(host[0]))
	return policy.StepStats{GradNorm: norm, Clipped: o.MaxGradNorm > 0 && norm > o.MaxGradNorm}, nil
}

// ZeroGrad discards accumulated gradients.
func (m *Model) ZeroGrad() {
	if !m.g.IsZero() {
		m.be.Zero(m.g)
	}
}

// snapshot is a host copy of weights and optimiser state.
type snapshot struct {
	owner   *Model
	w, m, v []float32
	step    int
}

// Snapshot copies weights and AdamW state to host memory.
func (m *Model) Snapshot() policy.Snapshot {
	s := &snapshot{owner: m, step: m.step, w: make([]float32, m.w.Len())}
	must(m.be.Download(s.w, m.w))
	if !m.m.IsZero() {
		s.m, s.v = make([]float32, m.m.Len()), make([]float32, m.v.Len())
		must(m.be.Download(s.m, m.m))
		must(m.be.Download(s.v, m.v))
	}
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Restore puts a snapshot of this model back.
func (m *Model) Restore(snap policy.Snapshot) error {
	s, ok := snap.(*snapshot)
	if !ok || s.owner != m {
		return fmt.Errorf("snapshot does not come from this model")
	}
	m.be.Upload(m.w, s.w)
	if s.m != nil {
		m.be.Upload(m.m, s.m)
		m.be.Upload(m.v, s.v)
	}
	m.step = s.step
	return nil
}

// Frozen returns a copy of the current weights that only scores.
func (m *Model) Frozen() policy.Scorer {
	f, err := build(m.cfg, m.be, m.opts, false)
	if err != nil {
		panic(err) // the config was validated when m was built
	}
	m.be.Copy(f.w, m.w)
	return f
}

// SetInterrupt makes scoring and training call f between micro-batches and
// stop with its error (policy.Interruptible); nil removes it.
func (m *Model) SetInterrupt(f func() error) { m.interrupt = f }

// interrupted is the interrupt function's error, or nil.
func (m *Model) interrupted() error {
	if m.interrupt == nil {
		return nil
	}
	return m.interrupt()
}
