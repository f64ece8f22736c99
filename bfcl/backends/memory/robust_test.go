package memory_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backends/replaytest"
)

// Every method with every kind of argument, and long random sequences,
// without a panic or an error that is not a Python exception.
func TestRobustness(t *testing.T) {
	for _, c := range []string{"MemoryAPI_kv", "MemoryAPI_vector", "MemoryAPI_rec_sum"} {
		replaytest.Robustness(t, c)
	}
}
