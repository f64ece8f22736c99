package kernels

import (
	"fmt"
	"math"
	"testing"
)

// Tolerances (relative to the largest reference value):
//   - tolElem 2e-6: one or two float32 roundings per element (float32 unit
//     roundoff 6e-8, expf within 2 ulp), with margin.
//   - tolReduce 5e-5: sums over up to a few hundred float32 terms; the
//     worst-case bound n·u is 3e-5 for n = 512, typical error √n·u.
//   - tolGrad 2e-4: backward passes chain two or three such reductions
//     (e.g. attention: scores, softmax, dP, dS, then dQ/dK/dV) and the
//     finite difference itself is exact to ~1e-10.
const (
	tolElem   = 2e-6
	tolReduce = 5e-5
	tolGrad   = 2e-4
)

// prior is the value gradients hold before a backward pass: backward ops
// accumulate, so the tests check got - prior.
const prior = 0.5

// portable runs fn with the portable Go kernels in place of the assembly
// ones (micro-kernels and row primitives), as on a machine without them.
func portable(fn func()) {
	mk, dk, sk, uv, name := microKernel, directKernel, stepKernel, useVec, microKernelName
	defer func() { microKernel, directKernel, stepKernel, useVec, microKernelName = mk, dk, sk, uv, name }()
	microKernel, directKernel, stepKernel, useVec = microKernelGo, directKernelGo, stepKernelGo, false
	fn()
}

// avx2 runs fn with the AVX2 matmul kernels and the scalar row primitives,
// as on an AVX2 machine without AVX-512.
func avx2(fn func()) {
	portable(func() {
		useAVX2Kernels()
		fn()
	})
}

// bothPaths runs test as subtests "native" (the kernels this machine
// selects), "avx2" (when the machine has AVX2 and FMA) and "portable".
func bothPaths(t *testing.T, test func(t *testing.T)) {
	t.Run("native", test)
	if hasAVX2() {
		avx2(func() { t.Run("avx2", test) })
	}
	portable(func() { t.Run("portable", test) })
}

func TestMatMulAgainstNaive(t *testing.T) { bothPaths(t, testMatMulAgainstNaive) }

func testMatMulAgainstNaive(t *testing.T) {
	h := newHarness(t, 2)
	shapes := [][3]int{{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {13, 33, 17}, {12, 32, 256}, {25, 65, 300},
		{100, 3, 513}, {37, 129, 64}, {200, 70, 260}, {3, 1100, 5}, {1, 64, 1}, {7, 45, 300}, {8, 33, 32}, {4, 5, 17}, {9, 40, 64}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-2, 0.25}} {
				name := fmt.Sprintf("m%d n%d k%d ta%v tb%v α%v β%v", m, n, k, tr[0], tr[1], ab[0], ab[1])
				aShape, bShape := []int{m, k}, []int{k, n}
				if tr[0] {
					aShape = []int{k, m}
				}
				if tr[1] {
					bShape = []int{n, k}
				}
				a, av := h.up(h.randn(m*k, 1), aShape...)
				b, bv := h.up(h.randn(k*n, 1), bShape...)
				c, cv := h.up(h.randn(m*n, 1), m, n)
				h.be.MatMul(c, a, b, MatMulOpts{TransA: tr[0], TransB: tr[1], Alpha: ab[0], Beta: ab[1]})
				want := refMatMul(av, bv, m, n, k, tr[0], tr[1])
				for i := range want {
					want[i] = float64(ab[0])*want[i] + float64(ab[1])*cv[i]
				}
				got := h.down(c)
				if e := relErr(got, want); e > tolReduce {
					t.Errorf("%s: relative error %.3g", name, e)
				}
			}
		}
	}
}

// gemmDirect (the unpacked GEMM of attention) against the reference, with
// both micro-kernels, row strides wider than the rows and both store modes.
func TestGemmDirectAgainstNaive(t *testing.T) {
	kernels := map[string]func(int, []float32, int, []float32, int, []float32, int, float32, bool){"go": directKernelGo}
	if hasAVX512() {
		kernels["avx512"] = directKernelAVX512
	}
	if hasAVX2() {
		kernels["avx2"] = directKernelAVX2
	}
	saved := directKernel
	defer func() { directKernel = saved }()
	h := newHarness(t, 1)
	var ws directWork
	for name, kern := range kernels {
		directKernel = kern
		for _, s := range [][3]int{{12, 32, 1}, {24, 64, 32}, {13, 33, 7}, {1, 1, 0}, {64, 512, 32}, {32, 100, 64}, {5, 70, 300}} {
			m, n, k := s[0], s[1], s[2]
			lda, ldb, ldc := k+3, n+5, n+2
			av, bv := h.randn(m*lda, 1), h.randn(max(k, 1)*ldb, 1)
			for i := range av {
				av[i] = float64(float32(av[i]))
			}
			for i := range bv {
				bv[i] = float64(float32(bv[i]))
			}
			a32, b32 := make([]float32, len(av)), make([]float32, len(bv))
			for i := range av {
				a32[i] = float32(av[i])
			}
			for i := range bv {
				b32[i] = float32(bv[i])
			}
			for _, acc := range []bool{false, true} {
				c := make([]float32, m*ldc)
				for i := range c {
					c[i] = 1
				}
				gemmDirect(m, n, k, 0.5, a32, lda, b32, ldb, c, ldc, acc, &ws)
				var worst float64
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						var want float64
						for p := 0; p < k; p++ {
							want += av[i*lda+p] * bv[p*ldb+j]
						}
						want *= 0.5
						if acc {
							want++
						}
						worst = max(worst, math.Abs(float64(c[i*ldc+j])-want))
					}
					for j := n; j < ldc; j++ {
						if c[i*ldc+j] != 1 {
							t.Fatalf("%s m%d n%d k%d: wrote outside the matrix at column %d", name, m, n, k, j)
						}
					}
				}
				if worst > 1e-4*math.Sqrt(float64(k)+1) {
					t.Errorf("%s m%d n%d k%d accumulate %v: max error %.3g", name, m, n, k, acc, worst)
				}
			}
		}
	}
}

func TestMatMulBatchedBroadcast(t *testing.T) {
	h := newHarness(t, 2)
	const B, m, n, k = 3, 5, 6, 7
	a, av := h.up(h.randn(B*m*k, 1), B, m, k)
	w, wv := h.up(h.randn(n*k, 1), n, k)
	c := h.be.Alloc(F32, B, m, n)
	h.be.MatMul(c, a, w, MatMulOpts{TransB: true})
	got := h.down(c)
	for i := 0; i < B; i++ {
		want := refMatMul(av[i*m*k:(i+1)*m*k], wv, m, n, k, false, true)
		h.close(fmt.Sprintf("batch %d", i), got[i*m*n:(i+1)*m*n], want, tolReduce)
	}
	// Both operands batched, the second transposed in each entry.
	b, bv := h.up(h.randn(B*n*k, 1), B, n, k)
	h.be.MatMul(c, a, b, MatMulOpts{TransB: true})
	got = h.down(c)
	for i := 0; i < B; i++ {
		want := refMatMul(av[i*m*k:(i+1)*m*k], bv[i*n*k:(i+1)*n*k], m, n, k, false, true)
		h.close(fmt.Sprintf("batched both %d", i), got[i*m*n:(i+1)*m*n], want, tolReduce)
	}
}

func TestMatMulThreadCountInvariant(t *testing.T) {
	h := newHarness(t, 1)
	const m, n, k = 77, 90, 600
	av, bv := h.randn(m*k, 1), h.randn(k*n, 1)
	var first []float64
	for _, threads := range []int{1, 2, 3, 7} {
		be := NewCPU(threads)
		h.be = be
		a, _ := h.up(av, m, k)
		b, _ := h.up(bv, k, n)
		c := be.Alloc(F32, m, n)
		be.MatMul(c, a, b, MatMulOpts{})
		got := h.down(c)
		if first == nil {
			first = got
			continue
		}
		for i := range got {
			if got[i] != first[i] && BLAS == "" {
				t.Fatalf("%d threads: element %d is %v, 1 thread gave %v", threads, i, got[i], first[i])
			}
		}
	}
}

func TestLinearGradient(t *testing.T) {
	h := newHarness(t, 2)
	const N, in, out = 9, 13, 6
	x, xv := h.up(h.randn(N*in, 1), N, in)
	w, wv := h.up(h.randn(out*in, 1), out, in)
	r, rv := h.up(h.randn(N*out, 1), N, out)
	loss := func() float64 { return dotf(rv, refMatMul(xv, wv, N, out, in, false, true)) }
	dx, dw := h.filled(N*in, prior, N, in), h.filled(out*in, prior, out, in)
	h.be.MatMul(dx, r, w, MatMulOpts{Beta: 1})
	h.be.MatMul(dw, r, x, MatMulOpts{TransA: true, Beta: 1})
	h.close("linear dx", minus(h.down(dx), prior), fdGrad(xv, nil, loss), tolGrad)
	h.close("linear dW", minus(h.down(dw), prior), fdGrad(wv, nil, loss), tolGrad)
}

func TestEmbedding(t *testing.T) {
	h := newHarness(t, 2)
	const V, C = 11, 5
	ids := []int32{3, 0, 10, 3, 7, 3}
	table, tv := h.up(h.randn(V*C, 1), V, C)
	idT := h.ints(ids, 2, 3)
	out := h.be.Alloc(F32, 2, 3, C)
	h.be.Embedding(out, table, idT)
	ref := func() []float64 {
		o := make([]float64, len(ids)*C)
		for i, id := range ids {
			copy(o[i*C:(i+1)*C], tv[int(id)*C:])
		}
		return o
	}
	h.close("embedding forward", h.down(out), ref(), 0)
	r, rv := h.up(h.randn(len(ids)*C, 1), len(ids), C)
	dt := h.filled(V*C, prior, V, C)
	h.be.EmbeddingBackward(dt, r, idT)
	h.close("embedding dTable", minus(h.down(dt), prior), fdGrad(tv, nil, func() float64 { return dotf(rv, ref()) }), tolGrad)
}

func TestRMSNorm(t *testing.T) {
	h := newHarness(t, 2)
	const rows, C, eps = 7, 48, 1e-6
	x, xv := h.up(h.randn(rows*C, 2), rows, C)
	w, wv := h.up(h.randn(C, 1), C)
	out, rstd := h.be.Alloc(F32, rows, C), h.be.Alloc(F32, rows)
	h.be.RMSNorm(out, rstd, x, w, eps)
	ref := func() []float64 { return refRMSNorm(xv, wv, C, eps) }
	h.close("rmsnorm forward", h.down(out), ref(), tolReduce)
	r, rv := h.up(h.randn(rows*C, 1), rows, C)
	loss := func() float64 { return dotf(rv, ref()) }
	dx, dw := h.filled(rows*C, prior, rows, C), h.filled(C, prior, C)
	h.be.RMSNormBackward(dx, dw, r, x, w, rstd)
	h.close("rmsnorm dx", minus(h.down(dx), prior), fdGrad(xv, nil, loss), tolGrad)
	h.close("rmsnorm dWeight", minus(h.down(dw), prior), fdGrad(wv, nil, loss), tolGrad)
	// In place (out aliases x), as QK-norm uses it.
	h.be.RMSNorm(x, Tensor{}, x, w, eps)
	h.close("rmsnorm in place", h.down(x), ref(), tolReduce)
}

func TestRoPE(t *testing.T) {
	h := newHarness(t, 2)
	const B, T, H, D = 2, 5, 3, 8
	const theta = 10000.0
	pos := []int32{0, 1, 2, 3, 4, 7, 100, 2000, 5, 9}
	x, xv := h.up(h.randn(B*T*H*D, 1), B, T, H, D)
	pt := h.ints(pos, B*T)
	out := h.be.Alloc(F32, B, T, H, D)
	h.be.RoPE(out, x, pt, theta)
	ref := func() []float64 { return refRoPE(xv, pos, theta, H, D) }
	// Angles up to 2000 rad are rounded to float32 (as the Hugging Face
	// models do) before cos/sin: error ≈ 2000·6e-8 ≈ 1e-4 at position 2000.
	h.close("rope forward", h.down(out), ref(), 3e-4)
	r, rv := h.up(h.randn(B*T*H*D, 1), B, T, H, D)
	dx := h.filled(B*T*H*D, prior, B, T, H, D)
	h.be.RoPEBackward(dx, r, pt, theta)
	h.close("rope dx", minus(h.down(dx), prior), fdGrad(xv, nil, func() float64 { return dotf(rv, ref()) }), 3e-4)
}

type attnCase struct{ B, T, Hq, Hkv, D int }

func TestAttention(t *testing.T) {
	for _, c := range []attnCase{{1, 1, 1, 1, 4}, {2, 7, 4, 2, 8}, {1, 70, 2, 1, 16}, {2, 130, 4, 4, 8}, {1, 77, 4, 2, 32}, {2, 40, 2, 1, 64}, {1, 30, 1, 1, 48}} {
		t.Run(fmt.Sprintf("B%d_T%d_Hq%d_Hkv%d_D%d", c.B, c.T, c.Hq, c.Hkv, c.D), func(t *testing.T) {
			bothPaths(t, func(t *testing.T) { testAttention(t, c) })
		})
	}
}

func testAttention(t *testing.T, c attnCase) {
	h := newHarness(t, 2)
	nq, nk := c.B*c.T*c.Hq*c.D, c.B*c.T*c.Hkv*c.D
	q, qv := h.up(h.randn(nq, 1), c.B, c.T, c.Hq, c.D)
	k, kv := h.up(h.randn(nk, 1), c.B, c.T, c.Hkv, c.D)
	v, vv := h.up(h.randn(nk, 1), c.B, c.T, c.Hkv, c.D)
	out, lse := h.be.Alloc(F32, c.B, c.T, c.Hq, c.D), h.be.Alloc(F32, c.B, c.Hq, c.T)
	h.be.Attention(out, lse, q, k, v, AttnOpts{})
	ref := func() []float64 { return refAttention(qv, kv, vv, c.B, c.T, c.T, c.Hq, c.Hkv, c.D, 0) }
	h.close("attention forward", h.down(out), ref(), tolReduce)

	r, rv := h.up(h.randn(nq, 1), c.B, c.T, c.Hq, c.D)
	dq, dk, dv := h.filled(nq, prior, q.Shape()...), h.filled(nk, prior, k.Shape()...), h.filled(nk, prior, k.Shape()...)
	h.be.AttentionBackward(dq, dk, dv, r, q, k, v, out, lse, AttnOpts{})
	loss := func() float64 { return dotf(rv, ref()) }
	for _, g := range []struct {
		name string
		got  Tensor
		x    []float64
	}{{"dq", dq, qv}, {"dk", dk, kv}, {"dv", dv, vv}} {
		idx := h.sample(len(g.x), 40)
		h.close("attention "+g.name, pick(minus(h.down(g.got), prior), idx), pick(fdGrad(g.x, idx, loss), idx), tolGrad)
	}
}

// The KV-cache path (prefill in chunks, then one token at a time) gives
// the full causal attention's outputs.
func TestAttentionDecodeMatchesFull(t *testing.T) {
	for _, D := range []int{8, 32, 40} {
		bothPaths(t, func(t *testing.T) { testDecode(t, D) })
	}
}

func testDecode(t *testing.T, D int) {
	h := newHarness(t, 2)
	const B, T, Hq, Hkv, Tmax = 2, 21, 4, 2, 32
	q, qv := h.up(h.randn(B*T*Hq*D, 1), B, T, Hq, D)
	k, kv := h.up(h.randn(B*T*Hkv*D, 1), B, T, Hkv, D)
	v, vv := h.up(h.randn(B*T*Hkv*D, 1), B, T, Hkv, D)
	full := h.be.Alloc(F32, B, T, Hq, D)
	h.be.Attention(full, Tensor{}, q, k, v, AttnOpts{})
	fullv := h.down(full)

	kc, vc := h.be.Alloc(F32, B, Tmax, Hkv, D), h.be.Alloc(F32, B, Tmax, Hkv, D)
	got := make([]float64, len(fullv))
	for _, chunk := range [][2]int{{0, 9}, {9, 10}, {10, 16}, {16, 17}, {17, 18}, {18, 21}} {
		t0, t1 := chunk[0], chunk[1]
		n := t1 - t0
		sub := func(src []float64, H int) []float64 {
			r := make([]float64, 0, B*n*H*D)
			for b := 0; b < B; b++ {
				r = append(r, src[(b*T+t0)*H*D:(b*T+t1)*H*D]...)
			}
			return r
		}
		qs, _ := h.up(sub(qv, Hq), B, n, Hq, D)
		ks, _ := h.up(sub(kv, Hkv), B, n, Hkv, D)
		vs, _ := h.up(sub(vv, Hkv), B, n, Hkv, D)
		start := h.ints([]int32{int32(t0), int32(t0)}, B)
		h.be.KVAppend(kc, vc, ks, vs, start)
		o := h.be.Alloc(F32, B, n, Hq, D)
		h.be.AttentionDecode(o, qs, kc, vc, start, AttnOpts{})
		ov := h.down(o)
		for b := 0; b < B; b++ {
			copy(got[(b*T+t0)*Hq*D:(b*T+t1)*Hq*D], ov[b*n*Hq*D:(b+1)*n*Hq*D])
		}
	}
	for i := range got {
		if math.Abs(got[i]-fullv[i]) > 1e-5 {
			t.Fatalf("element %d: decode %v, full %v (tolerance 1e-5)", i, got[i], fullv[i])
		}
	}
	// Different start positions per sequence against the reference.
	start := h.ints([]int32{3, 11}, B)
	q1, q1v := h.up(h.randn(B*Hq*D, 1), B, 1, Hq, D)
	o := h.be.Alloc(F32, B, 1, Hq, D)
	h.be.AttentionDecode(o, q1, kc, vc, start, AttnOpts{})
	ov := h.down(o)
	for b, off := range []int{3, 11} {
		kb := make([]float64, Tmax*Hkv*D)
		vb := make([]float64, Tmax*Hkv*D)
		copy(kb, kv[b*T*Hkv*D:(b*T+min(T, Tmax))*Hkv*D])
		copy(vb, vv[b*T*Hkv*D:(b*T+min(T, Tmax))*Hkv*D])
		want := refAttention(q1v[b*Hq*D:(b+1)*Hq*D], kb, vb, 1, 1, Tmax, Hq, Hkv, D, off)
		h.close(fmt.Sprintf("decode at %d", off), ov[b*Hq*D:(b+1)*Hq*D], want, tolReduce)
	}
}

func TestElementwise(t *testing.T) {
	h := newHarness(t, 2)
	const n = 301
	x, xv := h.up(h.randn(n, 2), n)
	y, yv := h.up(h.randn(n, 2), n)
	r, rv := h.up(h.randn(n, 1), n)
	silu := func() []float64 {
		o := make([]float64, n)
		for i, v := range xv {
			o[i] = v * sigmoid64(v)
		}
		return o
	}
	swiglu := func() []float64 {
		o := make([]float64, n)
		for i, v := range xv {
			o[i] = v * sigmoid64(v) * yv[i]
		}
		return o
	}
	out := h.be.Alloc(F32, n)
	h.be.SiLU(out, x)
	h.close("silu forward", h.down(out), silu(), tolElem)
	dx := h.filled(n, prior, n)
	h.be.SiLUBackward(dx, r, x)
	h.close("silu dx", minus(h.down(dx), prior), fdGrad(xv, nil, func() float64 { return dotf(rv, silu()) }), tolGrad)

	h.be.SwiGLU(out, x, y)
	h.close("swiglu forward", h.down(out), swiglu(), tolElem)
	dg, du := h.filled(n, prior, n), h.filled(n, prior, n)
	h.be.SwiGLUBackward(dg, du, r, x, y)
	loss := func() float64 { return dotf(rv, swiglu()) }
	h.close("swiglu dGate", minus(h.down(dg), prior), fdGrad(xv, nil, loss), tolGrad)
	h.close("swiglu dUp", minus(h.down(du), prior), fdGrad(yv, nil, loss), tolGrad)

	h.be.Add(out, x, y)
	sum := make([]float64, n)
	for i := range sum {
		sum[i] = xv[i] + yv[i]
	}
	h.close("add", h.down(out), sum, tolElem)
	h.be.AddScaled(out, x, -1)
	h.close("add scaled", h.down(out), yv, tolElem)
}

func TestBias(t *testing.T) {
	h := newHarness(t, 2)
	const rows, C = 37, 19
	x, xv := h.up(h.randn(rows*C, 1), rows, C)
	b, bv := h.up(h.randn(C, 1), C)
	ref := func() []float64 {
		o := make([]float64, len(xv))
		for i := range o {
			o[i] = xv[i] + bv[i%C]
		}
		return o
	}
	h.be.AddBias(x, b)
	h.close("bias forward", h.down(x), ref(), tolElem)
	r, rv := h.up(h.randn(rows*C, 1), rows, C)
	db := h.filled(C, prior, C)
	h.be.AddBiasBackward(db, r)
	h.close("bias dBias", minus(h.down(db), prior), fdGrad(bv, nil, func() float64 { return dotf(rv, ref()) }), tolGrad)
}

func TestSoftmaxFamily(t *testing.T) {
	h := newHarness(t, 2)
	const rows, C = 6, 33
	x, xv := h.up(h.randn(rows*C, 3), rows, C)
	r, rv := h.up(h.randn(rows*C, 1), rows, C)
	logsm := func() []float64 { return refLogSoftmax(xv, C) }
	sm := func() []float64 {
		o := logsm()
		for i := range o {
			o[i] = math.Exp(o[i])
		}
		return o
	}
	out := h.be.Alloc(F32, rows, C)
	h.be.Softmax(out, x)
	h.close("softmax forward", h.down(out), sm(), tolReduce)
	dx := h.filled(rows*C, prior, rows, C)
	h.be.SoftmaxBackward(dx, r, out)
	h.close("softmax dx", minus(h.down(dx), prior), fdGrad(xv, nil, func() float64 { return dotf(rv, sm()) }), tolGrad)

	h.be.LogSoftmax(out, x)
	h.close("log-softmax forward", h.down(out), logsm(), tolReduce)
	dx = h.filled(rows*C, prior, rows, C)
	h.be.LogSoftmaxBackward(dx, r, out)
	h.close("log-softmax dx", minus(h.down(dx), prior), fdGrad(xv, nil, func() float64 { return dotf(rv, logsm()) }), tolGrad)
}

func TestTokenLogProbsAndEntropy(t *testing.T) {
	h := newHarness(t, 2)
	const N, V = 9, 150
	targets := []int32{3, 0, 149, -1, 7, 7, 120, -1, 11}
	logits, lv := h.up(h.randn(N*V, 3), N, V)
	tt := h.ints(targets, N)
	logp, ent, lse := h.be.Alloc(F32, N), h.be.Alloc(F32, N), h.be.Alloc(F32, N)
	h.be.TokenLogProbs(logp, ent, lse, logits, tt)
	wantLogp, wantEnt := refTokenHead(lv, targets, V)
	h.close("token log-prob forward", h.down(logp), wantLogp, tolReduce)
	h.close("entropy forward", h.down(ent), wantEnt, tolReduce)

	gl, glv := h.up(h.randn(N, 1), N)
	ge, gev := h.up(h.randn(N, 1), N)
	loss := func() float64 {
		lp, e := refTokenHead(lv, targets, V)
		return dotf(glv, lp) + dotf(gev, e)
	}
	d := h.filled(N*V, prior, N, V)
	h.be.TokenLogProbsBackward(d, gl, ge, logits, tt, lse, ent)
	h.close("log-prob+entropy dLogits", minus(h.down(d), prior), fdGrad(lv, nil, loss), tolGrad)

	// Log-prob only (no entropy term).
	d = h.filled(N*V, prior, N, V)
	h.be.TokenLogProbsBackward(d, gl, Tensor{}, logits, tt, lse, Tensor{})
	lossLP := func() float64 { lp, _ := refTokenHead(lv, targets, V); return dotf(glv, lp) }
	h.close("log-prob dLogits", minus(h.down(d), prior), fdGrad(lv, nil, lossLP), tolGrad)

	// Cross-entropy is the negated log-prob.
	ce := h.be.Alloc(F32, N)
	h.be.CrossEntropy(ce, lse, logits, tt)
	neg := make([]float64, N)
	for i, v := range wantLogp {
		neg[i] = -v
	}
	h.close("cross-entropy forward", h.down(ce), neg, tolReduce)
	d = h.filled(N*V, prior, N, V)
	h.be.CrossEntropyBackward(d, gl, logits, tt, lse)
	h.close("cross-entropy dLogits", minus(h.down(d), prior), fdGrad(lv, nil, func() float64 { return -lossLP() }), tolGrad)
}

// Clipping and AdamW against values worked by hand.
func TestClipAndAdamWHandWorked(t *testing.T) {
	h := newHarness(t, 2)
	g1, _ := h.up([]float64{3, 0}, 2)
	g2, _ := h.up([]float64{0, 4, 0}, 3)
	ss, scale := h.be.Alloc(F32, 1), h.be.Alloc(F32, 1)
	h.be.SumSquares(ss, g1, g2)
	h.close("sum of squares 3²+4²", h.down(ss), []float64{25}, 0)
	h.be.ClipScale(scale, ss, 1)
	// ‖g‖ = 5, max 1: factor 1/(5+1e-6).
	h.close("clip factor", h.down(scale), []float64{1 / (5 + 1e-6)}, 1e-7)
	h.be.ClipScale(scale, ss, 10)
	h.close("no clip below max", h.down(scale), []float64{1}, 0)

	// One AdamW step, lr 0.1, β (0.9, 0.999), eps 1e-8, wd 0.01, g = 2·0.5
	// (clip factor 0.5), p = 1:
	//   p ← 1·(1 - 0.1·0.01) = 0.999
	//   m = 0.1·1 = 0.1, v = 0.001·1 = 0.001
	//   m̂ = 0.1/0.1 = 1, v̂ = 0.001/0.001 = 1
	//   p ← 0.999 - 0.1·1/(1 + 1e-8) = 0.899 (to 1e-9)
	p, _ := h.up([]float64{1}, 1)
	g, _ := h.up([]float64{2}, 1)
	m, v := h.be.Alloc(F32, 1), h.be.Alloc(F32, 1)
	half, _ := h.up([]float64{0.5}, 1)
	o := AdamWOpts{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 1}
	h.be.AdamW(p, g, m, v, half, o)
	h.close("adamw step 1 param", h.down(p), []float64{0.899}, 1e-6)
	h.close("adamw step 1 m", h.down(m), []float64{0.1}, 1e-6)
	// β2 = 0.999 is 0.99900001287 in float32, so 1-β2 is off by 1.3e-5
	// relative.
	h.close("adamw step 1 v", h.down(v), []float64{0.001}, 2e-5)
	// Step 2 with g = -1 (no scale):
	//   p ← 0.899·0.999 = 0.898101
	//   m = 0.9·0.1 + 0.1·(-1) = -0.01;  v = 0.999·0.001 + 0.001·1 = 0.001999
	//   m̂ = -0.01/0.19 = -0.0526316;  v̂ = 0.001999/0.001999 = 1
	//   p ← 0.898101 + 0.1·0.0526316/(1+1e-8) = 0.9037326
	h.be.Fill(g, -1)
	o.Step = 2
	h.be.AdamW(p, g, m, v, Tensor{}, o)
	h.close("adamw step 2 param", h.down(p), []float64{0.898101 + 0.1*0.01/0.19}, 1e-6)
}

// AdamW over many elements against the float64 formula.
func TestAdamWMatchesFormula(t *testing.T) {
	h := newHarness(t, 2)
	const n = 1000
	p, pv := h.up(h.randn(n, 1), n)
	g, gv := h.up(h.randn(n, 1), n)
	m, mv := h.up(h.randn(n, 0.1), n)
	v, vv := h.up(h.randn(n, 0.1), n)
	for i := range vv {
		vv[i] = math.Abs(vv[i])
	}
	v, vv = h.up(vv, n)
	o := AdamWOpts{LR: 3e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Step: 7}
	h.be.AdamW(p, g, m, v, Tensor{}, o)
	want := make([]float64, n)
	for i := range want {
		b1, b2, lr := float64(o.Beta1), float64(o.Beta2), float64(o.LR)
		mi := b1*mv[i] + (1-b1)*gv[i]
		vi := b2*vv[i] + (1-b2)*gv[i]*gv[i]
		mh, vh := mi/(1-math.Pow(b1, 7)), vi/(1-math.Pow(b2, 7))
		want[i] = pv[i]*(1-lr*float64(o.WeightDecay)) - lr*mh/(math.Sqrt(vh)+float64(o.Eps))
	}
	h.close("adamw vs formula", h.down(p), want, 1e-6)
}

func TestSumSquaresThreadInvariant(t *testing.T) {
	var first float32
	for _, threads := range []int{1, 2, 5} {
		be := NewCPU(threads)
		x := be.Alloc(F32, 100003)
		vals := make([]float32, x.Len())
		for i := range vals {
			vals[i] = float32(math.Sin(float64(i)))
		}
		be.Upload(x, vals)
		out := be.Alloc(F32, 1)
		be.SumSquares(out, x, x.View(5, 1000))
		got := make([]float32, 1)
		if err := be.Download(got, out); err != nil {
			t.Fatal(err)
		}
		if threads == 1 {
			first = got[0]
		} else if got[0] != first {
			t.Fatalf("%d threads: %v, 1 thread: %v", threads, got[0], first)
		}
	}
}

func TestExpf(t *testing.T) {
	var worst float64
	for x := -87.0; x < 88.7; x += 0.0137 {
		got := float64(expf(float32(x)))
		want := math.Exp(float64(float32(x)))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Fatalf("expf relative error %.3g > 3e-7", worst)
	}
	t.Logf("expf worst relative error %.2g", worst)
	if expf(-100) != 0 || !math.IsInf(float64(expf(100)), 1) || expf(float32(math.Inf(-1))) != 0 {
		t.Fatal("expf limits")
	}
}

// TestGemmDirectNarrowSliverInPlace: reading a narrow last sliver of B in
// place (its rows are wide enough) gives bit for bit what padding a copy
// gives (B cut short so no window fits).
func TestGemmDirectNarrowSliverInPlace(t *testing.T) {
	h := newHarness(t, 1)
	var ws directWork
	for _, s := range [][3]int{{2, 16, 300}, {13, 33, 7}, {5, 70, 64}, {12, 8, 1}} {
		m, n, k := s[0], s[1], s[2]
		lda, ldb := k, n+40
		a, b := make([]float32, m*lda), make([]float32, k*ldb)
		for i, v := range h.randn(len(a), 1) {
			a[i] = float32(v)
		}
		for i, v := range h.randn(len(b), 1) {
			b[i] = float32(v)
		}
		wide, padded := make([]float32, m*n), make([]float32, m*n)
		gemmDirect(m, n, k, 1, a, lda, b, ldb, wide, n, false, &ws)
		gemmDirect(m, n, k, 1, a, lda, b[:(k-1)*ldb+n], ldb, padded, n, false, &ws)
		for i := range wide {
			if math.Float32bits(wide[i]) != math.Float32bits(padded[i]) {
				t.Fatalf("m%d n%d k%d: element %d: in place %v, padded %v", m, n, k, i, wide[i], padded[i])
			}
		}
	}
}
