package py

import (
	"fmt"
	"testing"
)

// BenchmarkDeepCopyConfig deep-copies a config-like dict: scalar fields,
// a list of small records and a nested dict.
func BenchmarkDeepCopyConfig(b *testing.B) {
	recs := NewList()
	for i := 0; i < 20; i++ {
		recs.Append(NewDict().With("id", Int(i)).With("name", Str(fmt.Sprint("n", i))).
			With("price", Float(1.5)).With("ok", Bool(true)).With("note", None))
	}
	cfg := NewDict().With("records", recs).With("count", Int(20)).With("owner", Str("x")).
		With("limits", NewDict().With("a", Int(1)).With("b", Float(2)))
	b.ReportAllocs()
	for b.Loop() {
		_ = DeepCopy(cfg)
	}
}
