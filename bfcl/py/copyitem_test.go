package py

import (
	"math/big"
	"testing"
)

// copyItem returns what deepCopy returns for every kind of value: the
// scalars it skips the call for, and the containers and others it hands
// on (a container shared twice stays shared once in the copy).
func TestCopyItemMatchesDeepCopy(t *testing.T) {
	shared := NewList(Int(1))
	values := []Value{Str("s"), Str(""), Int(3), Float(2.5), Bool(true), None, nil,
		Ellipsis, MakeInt(new(big.Int).Lsh(big.NewInt(1), 80)), Tuple{Int(1), shared},
		NewList(Str("a"), shared), NewDict().With("k", shared), Bytes("b")}
	for _, v := range values {
		var m1, m2 copyMemo
		_ = deepCopy(shared, &m1)
		_ = deepCopy(shared, &m2)
		got, want := copyItem(v, &m1), deepCopy(v, &m2)
		if Repr(got) != Repr(want) {
			t.Errorf("copyItem(%s) = %s, want %s", Repr(v), Repr(got), Repr(want))
		}
		if identity(v) == 0 && !sameValue(got, v) {
			t.Errorf("copyItem(%s) is a new value, want the same", Repr(v))
		}
		if l, ok := v.(*List); ok && got.(*List).Items[1] != m1.vals[0] {
			t.Errorf("copyItem(%s) did not keep the shared list shared", Repr(l))
		}
	}
}
