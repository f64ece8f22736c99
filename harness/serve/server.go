package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// TokenizerFile is the tokenizer's file name in a model directory.
const TokenizerFile = models.TokenizerFile

// DefaultMaxBatch bounds how many queued requests one generation takes.
const DefaultMaxBatch = 32

// Options configure a server.
type Options struct {
	// Checkpoint is a model directory: config.json, model.safetensors and
	// tokenizer.json (a training checkpoint's policy directory is one).
	Checkpoint string
	// Model is the name the server answers to (default: the checkpoint
	// directory's base name).
	Model string
	// MaxBatch bounds the requests generated together (default 32).
	MaxBatch int
	// Models builds the served models (the first and every pushed one)
	// on the backend the command opened from its device.
	Models *models.Factory
	// Log receives one line per weight load and at shutdown (nil: none).
	Log io.Writer
}

// Server is an OpenAI-compatible server over one native model.
type Server struct {
	name     string
	maxBatch int
	factory  *models.Factory
	log      io.Writer
	created  int64
	instance string // random, names this process in fingerprints
	current  atomic.Pointer[loaded]
	loadMu   sync.Mutex // one weight load at a time
	queue    chan *job
	ids      atomic.Int64
	batches  atomic.Int64 // generator calls
	batched  atomic.Int64 // requests they generated
}

// loaded is one set of weights with its tokenizer; it never changes once
// published, and a weight load publishes a new one.
type loaded struct {
	model   *transformer.Model
	tok     *tokenizer.Tokenizer
	end     int // <|im_end|>
	cfg     transformer.Config
	path    string
	version int
	// fingerprint names these weights in this process; answers carry it
	// as system_fingerprint, so a client can tell a restarted server (its
	// starting weights) from one holding the weights it loaded.
	fingerprint string
}

// job is one request waiting for the generator: a completion, or the
// embeddings of inputs (embed non-nil). The model runs on the generator's
// goroutine alone, so embeddings queue with completions.
type job struct {
	ctx   context.Context
	req   transformer.Request
	embed [][]int
	done  chan jobResult
}

type jobResult struct {
	comp        transformer.Completion
	vectors     [][]float32 // of an embedding job, one per input
	version     int
	fingerprint string // of the weights that generated it
	err         error
}

// New loads the checkpoint.
func New(o Options) (*Server, error) {
	if o.Checkpoint == "" {
		return nil, errors.New("serve: no checkpoint: give a model directory (config.json, model.safetensors, tokenizer.json)")
	}
	if o.Models == nil {
		return nil, errors.New("serve: no model factory (Options.Models): open the device's with models.Open")
	}
	s := &Server{name: o.Model, maxBatch: o.MaxBatch, factory: o.Models, log: o.Log,
		created: time.Now().Unix(), instance: fmt.Sprintf("%016x", rand.Uint64()), queue: make(chan *job, 1024)}
	if s.name == "" {
		s.name = filepath.Base(filepath.Clean(o.Checkpoint))
	}
	if s.maxBatch <= 0 {
		s.maxBatch = DefaultMaxBatch
	}
	ld, err := s.load(o.Checkpoint, nil)
	if err != nil {
		return nil, err
	}
	s.current.Store(ld)
	return s, nil
}

// Name is the model name the server answers to.
func (s *Server) Name() string { return s.name }

// load reads a model directory; its tokenizer.json replaces prev's when
// present and is required when there is no prev.
func (s *Server) load(dir string, prev *loaded) (*loaded, error) {
	m, err := s.factory.Load(dir, transformer.Options{})
	if err != nil {
		return nil, err
	}
	ld := &loaded{model: m, cfg: m.Config(), path: dir}
	tokPath := filepath.Join(dir, TokenizerFile)
	switch _, statErr := os.Stat(tokPath); {
	case statErr == nil:
		if ld.tok, err = models.LoadTokenizer(dir); err != nil {
			return nil, err
		}
	case prev != nil:
		ld.tok = prev.tok
	default:
		return nil, fmt.Errorf("%s: %w", dir, statErr)
	}
	if ld.tok.VocabSize() > ld.cfg.VocabSize {
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens, the model's vocab_size is %d", dir, ld.tok.VocabSize(), ld.cfg.VocabSize)
	}
	end, ok := ld.tok.SpecialID(tokenizer.IMEnd)
	if !ok {
		return nil, fmt.Errorf("%s: the tokenizer lacks %s", tokPath, tokenizer.IMEnd)
	}
	ld.end = end
	if prev != nil {
		ld.version = prev.version + 1
	}
	ld.fingerprint = fmt.Sprintf("fp_%s_w%d", s.instance, ld.version)
	return ld, nil
}

// LoadWeights replaces the weights with a model directory's; requests
// queued after it returns are generated with the new weights. It returns
// their version and fingerprint.
func (s *Server) LoadWeights(dir string) (version int, fingerprint string, err error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	ld, err := s.load(dir, s.current.Load())
	if err != nil {
		return 0, "", err
	}
	s.current.Store(ld)
	s.logf("serve: weights version %d from %s", ld.version, dir)
	return ld.version, ld.fingerprint, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, format+"\n", args...)
	}
}

// Run serves on the listener until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets requests in flight finish (at
// most a minute) and stops the generator.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	workCtx, stopWork := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.work(workCtx) }()
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err = hs.Shutdown(sctx)
		cancel()
		s.logf("serve: shut down")
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// work takes every queued request (up to maxBatch) into one generation.
func (s *Server) work(ctx context.Context) {
	for {
		var batch []*job
		select {
		case <-ctx.Done():
			return
		case j := <-s.queue:
			batch = append(batch, j)
		}
	drain:
		for len(batch) < s.maxBatch {
			select {
			case j := <-s.queue:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		s.generate(batch)
	}
}

// generate runs one batch; requests whose client left are skipped, and a
// request the current weights cannot take fails alone.
func (s *Server) generate(batch []*job) {
	ld := s.current.Load()
	var live []*job
	var reqs []transformer.Request
	for _, j := range batch {
		if j.ctx.Err() != nil {
			j.done <- jobResult{err: j.ctx.Err()}
			continue
		}
		if j.embed != nil {
			j.done <- embedJob(ld, j.embed)
			continue
		}
		if err := checkLimits(ld, j.req.Prompt, j.req.MaxTokens, "prompt"); err != nil {
			j.done <- jobResult{err: err}
			continue
		}
		live = append(live, j)
		reqs = append(reqs, j.req)
	}
	if len(live) == 0 {
		return
	}
	s.batches.Add(1)
	s.batched.Add(int64(len(reqs)))
	comps, err := ld.model.Generate(reqs, ld.tok)
	for i, j := range live {
		if err != nil {
			j.done <- jobResult{err: err}
			continue
		}
		j.done <- jobResult{comp: comps[i], version: ld.version, fingerprint: ld.fingerprint}
	}
}

// GenerationStats counts the generator's calls so far and the requests
// they generated; requests / batches is the mean batch the queue formed.
func (s *Server) GenerationStats() (batches, requests int64) {
	return s.batches.Load(), s.batched.Load()
}

// submit queues a request and waits for its completion.
func (s *Server) submit(ctx context.Context, req transformer.Request) (jobResult, error) {
	return s.enqueue(ctx, &job{ctx: ctx, req: req, done: make(chan jobResult, 1)})
}

// enqueue queues a job and waits for its result.
func (s *Server) enqueue(ctx context.Context, j *job) (jobResult, error) {
	select {
	case s.queue <- j:
	case <-ctx.Done():
		return jobResult{}, ctx.Err()
	}
	select {
	case r := <-j.done:
		return r, r.err
	case <-ctx.Done():
		return jobResult{}, ctx.Err()
	}
}

// checkLimits rejects prompts the model cannot take.
func checkLimits(ld *loaded, prompt []int, maxTokens int, param string) error {
	if len(prompt) == 0 {
		return badRequest(param, "", "%s is empty", param)
	}
	for _, id := range prompt {
		if id < 0 || id >= ld.cfg.VocabSize {
			return badRequest(param, "", "token id %d is outside the vocabulary [0, %d)", id, ld.cfg.VocabSize)
		}
	}
	if n := len(prompt) + maxTokens; n > ld.cfg.MaxPositionEmbeddings {
		return badRequest(param, "context_length_exceeded",
			"This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the %s, %d for the completion). Please reduce the length of the %s or the max_tokens.",
			ld.cfg.MaxPositionEmbeddings, n, len(prompt), param, maxTokens, param)
	}
	return nil
}

func (s *Server) newID(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, s.created, s.ids.Add(1))
}

// ServeLoopback runs srv on a free loopback port of this process and
// returns its API root (http://127.0.0.1:PORT/v1) and the function that
// stops it and returns what Run returned. Benchmarks and tests use it to
// put a real HTTP hop in front of the server.
func ServeLoopback(srv *Server) (api string, stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	return "http://" + ln.Addr().String() + "/v1", func() error { cancel(); return <-done }, nil
}
