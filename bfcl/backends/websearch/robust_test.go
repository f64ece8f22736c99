package websearch_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backends/replaytest"
)

// Every method with every kind of argument, and long random sequences,
// without a panic or an error that is not a Python exception.
func TestRobustness(t *testing.T) {
	replaytest.Robustness(t, "WebSearchAPI")
}
