package kernels

// gemmDirect is C = alpha·A·B (+ C when accumulate) for row-major A [m×k]
// (row stride lda) and B [k×n] (row stride ldb) without packing: the
// micro-kernel reads A and B in place. It suits the small GEMMs of
// attention, whose operands are used too few times to repay packing.
// Edge tiles go through zero-padded copies. It runs on one goroutine.
func gemmDirect(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, ws *directWork) {
	ws.grow(k)
	for jr := 0; jr < n; jr += gemmNR {
		nr := min(gemmNR, n-jr)
		bs, bstride := b[jr:], ldb
		// A narrow last sliver is padded to NR columns, unless B's rows
		// are wide enough to read NR columns in place: the columns past
		// n are computed into the tile and dropped, and each column of C
		// depends on its own column of B only, so C is the same.
		if nr < gemmNR && !(k > 0 && jr+(k-1)*ldb+gemmNR <= len(b)) {
			// Pad the last column sliver of B to NR columns.
			bs, bstride = ws.b[:k*gemmNR], gemmNR
			for p := 0; p < k; p++ {
				d := bs[p*gemmNR : (p+1)*gemmNR]
				copy(d, b[p*ldb+jr:p*ldb+jr+nr])
				clear(d[nr:])
			}
		}
		for ir := 0; ir < m; ir += gemmMR {
			mr := min(gemmMR, m-ir)
			as, astride := a[ir*lda:], lda
			if mr < gemmMR {
				as, astride = ws.a[:gemmMR*k], k
				for r := 0; r < gemmMR; r++ {
					d := as[r*k : (r+1)*k]
					if r < mr {
						copy(d, a[(ir+r)*lda:(ir+r)*lda+k])
					} else {
						clear(d)
					}
				}
			}
			off := ir*ldc + jr
			if mr == gemmMR && nr == gemmNR {
				directKernel(k, as, astride, bs, bstride, c[off:], ldc, alpha, accumulate)
				continue
			}
			t := ws.tile[:]
			directKernel(k, as, astride, bs, bstride, t, gemmNR, alpha, false)
			for i := 0; i < mr; i++ {
				dst := c[off+i*ldc : off+i*ldc+nr]
				src := t[i*gemmNR : i*gemmNR+nr]
				if accumulate {
					for j, v := range src {
						dst[j] += v
					}
				} else {
					copy(dst, src)
				}
			}
		}
	}
}

// directWork holds gemmDirect's padded copies.
type directWork struct {
	a, b []float32
	tile [gemmMR * gemmNR]float32
}

func (w *directWork) grow(k int) {
	if len(w.b) < k*gemmNR {
		w.a = make([]float32, gemmMR*k)
		w.b = make([]float32, k*gemmNR)
	}
}

// directKernel is the unpacked micro-kernel: C[MR×NR] = alpha·A·B (+ C).
var directKernel = directKernelGo

func directKernelGo(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha float32, load bool) {
	for i := 0; i < gemmMR; i++ {
		var acc [gemmNR]float32
		for p := 0; p < k; p++ {
			av := a[i*lda+p]
			bp := b[p*ldb : p*ldb+gemmNR : p*ldb+gemmNR]
			for j := range acc {
				acc[j] += av * bp[j]
			}
		}
		row := c[i*ldc : i*ldc+gemmNR : i*ldc+gemmNR]
		for j, v := range acc {
			if load {
				row[j] += alpha * v
			} else {
				row[j] = alpha * v
			}
		}
	}
}
