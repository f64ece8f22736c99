package kernels

import (
	"fmt"
	"sync"
)

// The pure-Go sgemm is BLIS-style: C is computed in MR×NR tiles by a
// micro-kernel over K blocks of KC steps, with B packed in NR-column
// slivers and A read in place (MR rows per tile; only a last, shorter
// sliver is packed). Threads split C into row (or column) blocks; each
// output element sums its K products in the same order whatever the split,
// so the result does not depend on the thread count.
const (
	gemmMR = 12
	gemmNR = 32
	gemmKC = 256
	gemmMC = 12 * 16
	gemmNC = 1024
)

// microKernel computes C[0:MR, 0:NR] = A·B (+ C when load) over k steps of
// packed panels: a holds MR values per step, b NR values per step; C has
// row stride ldc.
var microKernel = microKernelGo

// microKernelName names the micro-kernel in use (for benchmark reports).
var microKernelName = "go 12x32"

// gemmArgs is C = alpha·op(A)·op(B) + beta·C on row-major matrices with
// leading dimensions.
type gemmArgs struct {
	transA, transB bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	beta           float32
	c              []float32
	ldc            int
}

var packPool = sync.Pool{New: func() any {
	return &packBuf{a: make([]float32, gemmMC*gemmKC), b: make([]float32, gemmKC*gemmNC), tile: make([]float32, gemmMR*gemmNR)}
}}

type packBuf struct{ a, b, tile []float32 }

// sgemm runs g on up to threads workers.
func sgemm(g gemmArgs, threads int) {
	if g.m == 0 || g.n == 0 {
		return
	}
	if blasSgemm(g, threads) {
		return
	}
	if g.transB && !g.transA && g.m <= smallM && g.k > 0 {
		gemmSmallTransB(g, threads)
		return
	}
	flops := g.m * g.n * g.k
	if threads > 1 && flops < 1<<18 {
		threads = 1
	}
	if g.m >= g.n {
		blocks := (g.m + gemmMR - 1) / gemmMR
		parallelFor(threads, blocks, 1, func(lo, hi int) {
			sub := g
			sub.m = min(hi*gemmMR, g.m) - lo*gemmMR
			sub.c = g.c[lo*gemmMR*g.ldc:]
			if g.transA {
				sub.a = g.a[lo*gemmMR:]
			} else {
				sub.a = g.a[lo*gemmMR*g.lda:]
			}
			sgemmSerial(sub)
		})
		return
	}
	blocks := (g.n + gemmNR - 1) / gemmNR
	parallelFor(threads, blocks, 1, func(lo, hi int) {
		sub := g
		sub.n = min(hi*gemmNR, g.n) - lo*gemmNR
		sub.c = g.c[lo*gemmNR:]
		if g.transB {
			sub.b = g.b[lo*gemmNR*g.ldb:]
		} else {
			sub.b = g.b[lo*gemmNR:]
		}
		sgemmSerial(sub)
	})
}

// sgemmSerial is the blocked algorithm on one goroutine.
func sgemmSerial(g gemmArgs) {
	if g.k == 0 || g.alpha == 0 || (g.beta != 0 && g.beta != 1) {
		scaleC(g)
		if g.k == 0 || g.alpha == 0 {
			return
		}
		g.beta = 1
	}
	buf := packPool.Get().(*packBuf)
	defer packPool.Put(buf)
	for jc := 0; jc < g.n; jc += gemmNC {
		nc := min(gemmNC, g.n-jc)
		for pc := 0; pc < g.k; pc += gemmKC {
			kc := min(gemmKC, g.k-pc)
			packB(buf.b, g, pc, kc, jc, nc)
			for ic := 0; ic < g.m; ic += gemmMC {
				mc := min(gemmMC, g.m-ic)
				if g.transA && g.alpha != 1 {
					packA(buf.a, g, ic, mc, pc, kc)
				}
				macroKernel(g, buf, ic, mc, jc, nc, pc, kc, pc > 0 || g.beta == 1)
			}
		}
	}
}

func scaleC(g gemmArgs) {
	if g.beta == 1 {
		return
	}
	for i := 0; i < g.m; i++ {
		row := g.c[i*g.ldc : i*g.ldc+g.n]
		if g.beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= g.beta
		}
	}
}

// macroKernel runs the micro-kernel over one block of C; load says whether
// C already holds values to add to (false: the first K block of a beta = 0
// product, stored without reading C). A transposed A comes packed in
// buf.a; a row-major A is read in place by the unpacked micro-kernel (as
// fast as the packed one, without the packing pass), except a last sliver
// of fewer than MR rows, which is packed with zero padding.
func macroKernel(g gemmArgs, buf *packBuf, ic, mc, jc, nc, pc, kc int, load bool) {
	packed := g.transA && g.alpha != 1
	if edge := mc % gemmMR; !packed && edge != 0 {
		last := mc - edge
		packA(buf.a[last*kc:], g, ic+last, edge, pc, kc)
	}
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		bp := buf.b[jr*kc : jr*kc+kc*gemmNR]
		for ir := 0; ir < mc; ir += gemmMR {
			mr := min(gemmMR, mc-ir)
			off := (ic+ir)*g.ldc + jc + jr
			inPlace := !packed && mr == gemmMR
			ap := buf.a[ir*kc : ir*kc+kc*gemmMR]
			dst, ldc, ld := g.c[off:], g.ldc, load
			if mr != gemmMR || nr != gemmNR {
				dst, ldc, ld = buf.tile, gemmNR, false
			}
			switch {
			case inPlace && g.transA:
				stepKernel(kc, g.a[pc*g.lda+ic+ir:], g.lda, bp, dst, ldc, ld)
			case inPlace:
				directKernel(kc, g.a[(ic+ir)*g.lda+pc:], g.lda, bp, gemmNR, dst, ldc, g.alpha, ld)
			default:
				microKernel(kc, ap, bp, dst, ldc, ld)
			}
			if mr == gemmMR && nr == gemmNR {
				continue
			}
			t := buf.tile
			for i := 0; i < mr; i++ {
				dst := g.c[off+i*g.ldc : off+i*g.ldc+nr]
				src := t[i*gemmNR : i*gemmNR+nr]
				if !load {
					copy(dst, src)
					continue
				}
				for j, v := range src {
					dst[j] += v
				}
			}
		}
	}
}

// packA stores rows ic..ic+mc, columns pc..pc+kc of alpha·op(A) as
// slivers of MR rows, step-major, padding the last sliver with zeros.
func packA(dst []float32, g gemmArgs, ic, mc, pc, kc int) {
	for ir := 0; ir < mc; ir += gemmMR {
		mr := min(gemmMR, mc-ir)
		s := dst[ir*kc : ir*kc+kc*gemmMR]
		if g.transA {
			// op(A) rows are A's columns: each step p reads mr
			// contiguous values.
			for p := 0; p < kc; p++ {
				src := g.a[(pc+p)*g.lda+ic+ir : (pc+p)*g.lda+ic+ir+mr]
				d := s[p*gemmMR : (p+1)*gemmMR]
				if g.alpha == 1 && mr == gemmMR {
					*(*[gemmMR]float32)(d) = [gemmMR]float32(src)
				} else if g.alpha == 1 {
					copy(d, src)
				} else {
					for r, v := range src {
						d[r] = g.alpha * v
					}
				}
				clear(d[mr:])
			}
			continue
		}
		if mr == gemmMR && g.alpha == 1 {
			packA12(s, g.a[(ic+ir)*g.lda+pc:], g.lda, kc)
			continue
		}
		for r := 0; r < gemmMR; r++ {
			if r >= mr {
				for p := 0; p < kc; p++ {
					s[p*gemmMR+r] = 0
				}
				continue
			}
			i := ic + ir + r
			row := g.a[i*g.lda+pc : i*g.lda+pc+kc]
			for p, v := range row {
				s[p*gemmMR+r] = g.alpha * v
			}
		}
	}
}

// packA12 interleaves 12 full rows of a (row stride lda, kc columns) into
// dst step by step: 12 read streams, one contiguous write stream.
func packA12(dst, a []float32, lda, kc int) {
	r0, r1, r2, r3 := a[0*lda:][:kc], a[1*lda:][:kc], a[2*lda:][:kc], a[3*lda:][:kc]
	r4, r5, r6, r7 := a[4*lda:][:kc], a[5*lda:][:kc], a[6*lda:][:kc], a[7*lda:][:kc]
	r8, r9, r10, r11 := a[8*lda:][:kc], a[9*lda:][:kc], a[10*lda:][:kc], a[11*lda:][:kc]
	dst = dst[:kc*gemmMR]
	for p := range kc {
		d := dst[p*gemmMR : p*gemmMR+gemmMR : p*gemmMR+gemmMR]
		d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
		d[8], d[9], d[10], d[11] = r8[p], r9[p], r10[p], r11[p]
	}
}

// packB stores rows pc..pc+kc, columns jc..jc+nc of op(B) as slivers of
// NR columns, step-major, padding the last sliver with zeros.
func packB(dst []float32, g gemmArgs, pc, kc, jc, nc int) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		s := dst[jr*kc : jr*kc+kc*gemmNR]
		if g.transB {
			for j := 0; j < gemmNR; j++ {
				if j >= nr {
					for p := 0; p < kc; p++ {
						s[p*gemmNR+j] = 0
					}
					continue
				}
				col := g.b[(jc+jr+j)*g.ldb+pc : (jc+jr+j)*g.ldb+pc+kc]
				for p, v := range col {
					s[p*gemmNR+j] = v
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			d := s[p*gemmNR : (p+1)*gemmNR]
			src := g.b[(pc+p)*g.ldb+jc+jr : (pc+p)*g.ldb+jc+jr+nr]
			copy(d, src)
			clear(d[nr:])
		}
	}
}

// stepKernel is the micro-kernel with A's steps astep floats apart: a
// transposed A (A[i][p] at a[p·lda+i]) is read in place with astep = lda.
// The portable one computes one row of C at a time, the row's NR
// accumulators kept in an array the compiler holds in registers where it
// can.
var stepKernel = stepKernelGo

func stepKernelGo(k int, a []float32, astep int, b, c []float32, ldc int, load bool) {
	for i := 0; i < gemmMR; i++ {
		var acc [gemmNR]float32
		for p := 0; p < k; p++ {
			av := a[p*astep+i]
			bp := b[p*gemmNR : p*gemmNR+gemmNR : p*gemmNR+gemmNR]
			for j := range acc {
				acc[j] += av * bp[j]
			}
		}
		row := c[i*ldc : i*ldc+gemmNR : i*ldc+gemmNR]
		if !load {
			copy(row, acc[:])
			continue
		}
		for j, v := range acc {
			row[j] += v
		}
	}
}

// microKernelGo is the portable micro-kernel on a packed A panel (steps
// MR floats apart).
func microKernelGo(k int, a, b, c []float32, ldc int, load bool) {
	stepKernelGo(k, a, gemmMR, b, c, ldc, load)
}

// MatMul is the batched GEMM of the Ops interface.
func (c *CPU) MatMul(out, a, b Tensor, o MatMulOpts) {
	if a.Rank() < 2 || b.Rank() < 2 || out.Rank() < 2 {
		panic(fmt.Sprintf("kernels: MatMul: operands must be at least 2-D: %s × %s → %s", a, b, out))
	}
	am, ak := a.Dim(-2), a.Dim(-1)
	if o.TransA {
		am, ak = ak, am
	}
	bk, bn := b.Dim(-2), b.Dim(-1)
	if o.TransB {
		bk, bn = bn, bk
	}
	batch := out.Len() / max(1, out.Dim(-2)*out.Dim(-1))
	aBatch, bBatch := a.Len()/max(1, am*ak), b.Len()/max(1, bk*bn)
	if ak != bk || out.Dim(-2) != am || out.Dim(-1) != bn ||
		(aBatch != batch && aBatch != 1) || (bBatch != batch && bBatch != 1) {
		panic(fmt.Sprintf("kernels: MatMul: shapes do not match: %s × %s → %s (transA %v, transB %v)", a, b, out, o.TransA, o.TransB))
	}
	alpha := o.Alpha
	if alpha == 0 {
		alpha = 1
	}
	as, bs, cs := c.f32(a, "MatMul"), c.f32(b, "MatMul"), c.f32(out, "MatMul")
	g := gemmArgs{transA: o.TransA, transB: o.TransB, m: am, n: bn, k: ak, alpha: alpha, beta: o.Beta,
		lda: a.Dim(-1), ldb: b.Dim(-1), ldc: bn}
	for i := 0; i < batch; i++ {
		g.a = as[(i%aBatch)*am*ak:]
		g.b = bs[(i%bBatch)*bk*bn:]
		g.c = cs[i*am*bn:]
		sgemm(g, c.threads)
	}
}
