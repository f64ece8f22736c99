package pynum

import (
	"math/big"
	"sync"
	"testing"
)

// The shared ln 2 values equal fresh computations, stay unchanged by the
// logarithms that use them, and ln(x) = ln(m) + e ln 2 is unchanged by
// the sharing.
func TestLn2CacheShared(t *testing.T) {
	precs := []uint{53, 64, 200, 333, 1000}
	for _, prec := range precs {
		for _, x := range []float64{2, 3.5, 1e-9, 12345.678, 0.3} {
			v := new(big.Float).SetFloat64(x)
			got := lnHigh(v, prec)
			if again := lnHigh(v, prec); got.Cmp(again) != 0 {
				t.Errorf("ln(%g) at %d bits: %s, then %s", x, prec, got.Text('g', 30), again.Text('g', 30))
			}
		}
		if got, want := ln2Big(prec), computeLn2(prec); got.Cmp(want) != 0 || got.Prec() != want.Prec() {
			t.Errorf("ln2 at %d bits: shared %s, fresh %s", prec, got.Text('g', 40), want.Text('g', 40))
		}
	}
	for i := uint(0); i < 2*ln2CacheMax; i++ {
		if got, want := ln2Big(100+i), computeLn2(100+i); got.Cmp(want) != 0 {
			t.Fatalf("ln2 at %d bits differs", 100+i)
		}
	}
	if n := len(ln2Cache.m); n > ln2CacheMax {
		t.Errorf("ln2 cache holds %d precisions, want at most %d", n, ln2CacheMax)
	}
}

// Goroutines share the cached ln 2 values safely (run with -race).
func TestLn2CacheConcurrent(t *testing.T) {
	want := lnHigh(big.NewFloat(12345.678), 777)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if got := lnHigh(big.NewFloat(12345.678), 777); got.Cmp(want) != 0 {
					t.Error("ln differs between goroutines")
				}
				_ = ln2Big(uint(500 + i))
			}
		}()
	}
	wg.Wait()
}
