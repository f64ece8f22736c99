// Package servetest starts `seeupo serve` in the test's own process, on a
// loopback port, for the tests of the packages that generate through it.
//
// It is imported by _test.go files only.
package servetest

import (
	"testing"

	"github.com/seeupo/seeupo/harness/serve"
	"github.com/seeupo/seeupo/policy/models"
)

// Start serves the model directory on one CPU thread until the test ends
// and returns the server's API root (http://127.0.0.1:PORT/v1).
func Start(tb testing.TB, dir string) string {
	tb.Helper()
	srv, err := serve.New(serve.Options{Checkpoint: dir, Models: models.CPU(1)})
	if err != nil {
		tb.Fatal(err)
	}
	api, stop, err := serve.ServeLoopback(srv)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("server: %v", err)
		}
	})
	return api
}
