package transformer

import (
	"fmt"
	"math"

	"github.com/seeupo/seeupo/kernels"

	"github.com/seeupo/seeupo/policy"
)

// Logits runs one sequence through the full forward pass and returns its
// next-token logits, [len(ids)][vocab] flattened row by row.
func (m *Model) Logits(ids []int) ([]float32, error) {
	ws, n, err := m.forwardOne(ids)
	if err != nil {
		return nil, err
	}
	c := m.cfg
	logits := m.be.Alloc(kernels.F32, n, c.VocabSize)
	m.linear(logits, mat(ws.fn, n, c.HiddenSize), m.lmHead, nil)
	out := make([]float32, n*c.VocabSize)
	return out, m.be.Download(out, logits)
}

// Embed is a sentence embedding of a sequence: the mean over its
// positions of the final-norm hidden states (the rows the language-model
// head reads), scaled to unit length. A sequence whose mean is the zero
// vector embeds as zeros.
func (m *Model) Embed(ids []int) ([]float32, error) {
	ws, n, err := m.forwardOne(ids)
	if err != nil {
		return nil, err
	}
	d := m.cfg.HiddenSize
	rows := make([]float32, n*d)
	if err := m.be.Download(rows, mat(ws.fn, n, d)); err != nil {
		return nil, err
	}
	mean := make([]float64, d)
	for i := range n {
		for j, v := range rows[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	norm := 0.0
	for j := range mean {
		mean[j] /= float64(n)
		norm += mean[j] * mean[j]
	}
	out := make([]float32, d)
	if norm == 0 {
		return out, nil
	}
	norm = math.Sqrt(norm)
	for j, v := range mean {
		out[j] = float32(v / norm)
	}
	return out, nil
}

// forwardOne runs one sequence through the trunk and returns the
// workspace whose fn rows [0, n) hold its final-norm hidden states.
func (m *Model) forwardOne(ids []int) (*workspace, int, error) {
	if len(ids) == 0 {
		return nil, 0, fmt.Errorf("forward pass of an empty sequence")
	}
	// A sample whose context is ids[:1] and response ids[1:] ++ one dummy
	// token gives a micro-batch whose input row is exactly ids.
	s := policy.Sample{Context: ids[:1], Response: append(append([]int(nil), ids[1:]...), 0)}
	mbs, err := m.split([]policy.Sample{s})
	if err != nil {
		return nil, 0, err
	}
	mb := mbs[0]
	ws := m.workspace(mb.shape.N())
	m.upload(ws, mb)
	m.forward(ws, mb.shape, false, nil)
	return ws, mb.shape.N(), nil
}
