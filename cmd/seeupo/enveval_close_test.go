package main

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/seeupo/seeupo/harness/config"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

// closingSuite is the counter suite with a Close that counts its calls,
// as a suite holding resources (AppWorld's server containers) has.
type closingSuite struct {
	env.Suite
	closed *atomic.Int32
}

func (s closingSuite) Close() error { s.closed.Add(1); return nil }

var suiteCloses atomic.Int32

func init() {
	env.Register("test-closing-counter", func(o env.Options) (env.Suite, error) {
		s, err := env.Open(counter.Name, o)
		return closingSuite{Suite: s, closed: &suiteCloses}, err
	})
}

// env eval's in-process backend closes the suite it opened when the
// evaluation ends (AppWorld's remote mode left its containers running
// before).
func TestEnvEvalClosesTheInprocSuite(t *testing.T) {
	cfg := config.Config{Env: config.EnvConfig{Backend: "inproc"}}
	set, err := openBackends(context.Background(), cfg, evalFlags{suite: "test-closing-counter"}, env.Options{},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	before := suiteCloses.Load()
	set.close()
	if got := suiteCloses.Load() - before; got != 1 {
		t.Errorf("the suite was closed %d times, want 1", got)
	}
}
