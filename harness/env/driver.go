package env

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Backend is one place where episodes run: a suite (in-process, or the
// RemoteSuite of one server) and an optional health probe.
type Backend struct {
	Name  string
	Suite Suite
	// Check reports whether the backend answers; nil means always.
	Check func(context.Context) error
}

// Episode is one scripted episode: the task and the agent's replies in
// order. The episode ends when the environment says done or the replies
// run out; then it is evaluated.
type Episode struct {
	Task    Task
	Actions []string
}

// Episode statuses.
const (
	StatusSuccess = "success" // evaluated, solved
	StatusFailure = "failure" // evaluated, not solved
	StatusErrored = "error"   // every attempt failed; no verdict
)

// EpisodeRecord is the one record of an episode.
type EpisodeRecord struct {
	Index      int         `json:"index"`
	TaskID     string      `json:"task_id"`
	Status     string      `json:"status"`
	Evaluation *Evaluation `json:"evaluation,omitempty"`
	Steps      int         `json:"steps"`
	// Transcript is a SHA-256 of every message, done flag and step info
	// the environment answered, so two runs can be compared exactly.
	Transcript string `json:"transcript,omitempty"`
	Backend    string `json:"backend,omitempty"`
	Attempts   int    `json:"attempts"`
	Error      string `json:"error,omitempty"`
	// Messages are what the environment said, when RunOptions.KeepMessages
	// asks for them: the opening messages, then those of each step.
	Messages [][]Message `json:"-"`
}

// Outcome is what two runs of the same episodes must agree on: everything
// but where and in how many attempts the episode ran.
func (r EpisodeRecord) Outcome() string {
	// FailedTurn and Level repeat what the suite's Details already say (the
	// turn of its verdict, the task's difficulty), so the outcome leaves
	// them out and keeps the digests it had before the fields existed.
	e := r.Evaluation
	if e != nil {
		c := *e
		c.FailedTurn, c.Level = 0, 0
		e = &c
	}
	ev, _ := json.Marshal(e)
	return fmt.Sprintf("%d %s %s steps=%d transcript=%s eval=%s", r.Index, r.TaskID, r.Status, r.Steps, r.Transcript, ev)
}

// RunOptions configure RunEpisodes. Zero values take the defaults named.
type RunOptions struct {
	// Concurrency is the number of episodes run at once (default: the
	// number of backends).
	Concurrency int
	// Attempts is the number of tries per episode (default 3).
	Attempts int
	// Backoff is the wait before a retry, doubled per retry (default 200 ms).
	Backoff time.Duration
	// EpisodeTimeout bounds one attempt (default 5 min).
	EpisodeTimeout time.Duration
	// WaitHealthy is how long an attempt waits for a healthy backend
	// (default 2 min).
	WaitHealthy time.Duration
	// KeepMessages keeps every message of an episode in its record.
	KeepMessages bool
	// Members, when set, lists the backends of a changing set (the tasks
	// of a scaled Swarm service, a fleet's containers). It is asked again
	// every quarter second: backends it adds (by Name) join, backends it
	// no longer lists get no new attempt, and an attempt that fails on
	// one of them is retried on another. An attempt still running on a
	// backend that left and then fails its Check (its engine is gone, or
	// cut off) is cancelled at once and retried elsewhere, rather than
	// waiting for its calls to time out.
	Members func() []Backend
	// Logger receives what happened: failed attempts, backends going down
	// and up, each episode's record.
	Logger *slog.Logger
}

func (o *RunOptions) setDefaults(backends int) {
	if o.Concurrency <= 0 {
		o.Concurrency = backends
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.EpisodeTimeout <= 0 {
		o.EpisodeTimeout = 5 * time.Minute
	}
	if o.WaitHealthy <= 0 {
		o.WaitHealthy = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// RunEpisodes runs every episode on the backends, Concurrency at a time,
// and returns one record per episode in input order. An attempt that fails
// is retried from Reset, on another backend when there is one; a backend
// that failed to answer is taken out until its probe passes again. An
// episode whose attempts all fail is recorded with StatusErrored. The error
// is non-nil only when ctx ends first; the records then hold what
// finished.
func RunEpisodes(ctx context.Context, backends []Backend, episodes []Episode, opts RunOptions) ([]EpisodeRecord, error) {
	if len(backends) == 0 {
		return nil, errors.New("run episodes: no backend")
	}
	opts.setDefaults(len(backends))
	pool := newBackendPool(backends, opts.Logger)
	pool.members = opts.Members
	if pool.members != nil {
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		go pool.follow(wctx)
	}
	records := make([]EpisodeRecord, len(episodes))
	done := make([]bool, len(episodes))
	next := make(chan int)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rec := runWithRetries(ctx, pool, i, episodes[i], opts)
				if ctx.Err() != nil && rec.Status == StatusErrored {
					continue // cancelled, not failed: not recorded
				}
				records[i], done[i] = rec, true
				level := slog.LevelDebug
				if rec.Attempts > 1 || rec.Status == StatusErrored {
					level = slog.LevelInfo
				}
				opts.Logger.Log(ctx, level, "episode recorded", "index", i, "task", rec.TaskID, "status", rec.Status,
					"backend", rec.Backend, "attempts", rec.Attempts, "steps", rec.Steps, "err", rec.Error)
			}
		}()
	}
feed:
	for i := range episodes {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		var finished []EpisodeRecord
		for i, ok := range done {
			if ok {
				finished = append(finished, records[i])
			}
		}
		return finished, fmt.Errorf("run episodes: %d of %d recorded: %w", len(finished), len(episodes), err)
	}
	return records, nil
}

func runWithRetries(ctx context.Context, pool *backendPool, index int, ep Episode, opts RunOptions) EpisodeRecord {
	rec := EpisodeRecord{Index: index, TaskID: ep.Task.ID}
	ctx = WithSample(ctx, index)
	wait := opts.Backoff
	var avoid *backendState
	for attempt := 1; attempt <= opts.Attempts; attempt++ {
		rec.Attempts = attempt
		b, err := pool.pick(ctx, avoid, opts.WaitHealthy)
		if err != nil {
			rec.Status, rec.Error = StatusErrored, err.Error()
			return rec
		}
		actx, stop := b.attemptContext(ctx)
		res, err := runOnce(actx, b.Backend, ep, opts)
		stop()
		pool.finished(b)
		if err != nil && b.isCut() && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", errBackendCut, err)
		}
		if err == nil {
			res.Index, res.TaskID, res.Backend, res.Attempts = index, ep.Task.ID, b.Name, attempt
			return res
		}
		rec.Status, rec.Error, rec.Backend = StatusErrored, err.Error(), b.Name
		if ctx.Err() != nil {
			return rec
		}
		if IsTransient(err) {
			pool.markDown(b, err)
		}
		avoid = b
		opts.Logger.Warn("episode attempt failed", "index", index, "task", ep.Task.ID, "backend", b.Name,
			"attempt", attempt, "of", opts.Attempts, "err", err)
		if attempt < opts.Attempts {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return rec
			}
			wait *= 2
		}
	}
	return rec
}

// runOnce plays the episode from Reset on a fresh environment of b.
func runOnce(ctx context.Context, b Backend, ep Episode, opts RunOptions) (EpisodeRecord, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.EpisodeTimeout)
	defer cancel()
	e, err := b.Suite.NewEnv(ctx)
	if err != nil {
		return EpisodeRecord{}, err
	}
	defer e.Close()
	h := sha256.New()
	msgs, err := e.Reset(ctx, ep.Task)
	if err != nil {
		return EpisodeRecord{}, fmt.Errorf("reset: %w", err)
	}
	hashMessages(h, msgs)
	var kept [][]Message
	keep := func(msgs []Message) {
		if opts.KeepMessages {
			kept = append(kept, msgs)
		}
	}
	keep(msgs)
	steps := 0
	for _, action := range ep.Actions {
		res, err := e.Step(ctx, action)
		if err != nil {
			return EpisodeRecord{}, fmt.Errorf("step %d: %w", steps+1, err)
		}
		steps++
		hashMessages(h, res.Messages)
		keep(res.Messages)
		fmt.Fprintf(h, "done=%t info=%s\x00", res.Done, canonicalJSON(res.Info))
		if res.Done {
			break
		}
	}
	ev, err := e.Evaluate(ctx)
	if err != nil {
		return EpisodeRecord{}, fmt.Errorf("evaluate: %w", err)
	}
	rec := EpisodeRecord{Status: StatusFailure, Evaluation: &ev, Steps: steps, Transcript: hex.EncodeToString(h.Sum(nil)),
		Messages: kept}
	if ev.Success {
		rec.Status = StatusSuccess
	}
	return rec, nil
}

func hashMessages(w io.Writer, msgs []Message) {
	for _, m := range msgs {
		fmt.Fprintf(w, "%s\x00%s\x00", m.Role, m.Content)
	}
	io.WriteString(w, "\x01")
}

// canonicalJSON encodes v with object keys sorted, whatever Go types it
// was built from, so in-process and decoded values hash alike.
func canonicalJSON(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "unencodable: " + err.Error()
	}
	var generic any
	if json.Unmarshal(b, &generic) != nil {
		return string(b)
	}
	if m, ok := generic.(map[string]any); ok && len(m) == 0 {
		return "null"
	}
	b, _ = json.Marshal(generic)
	return string(b)
}

// backendPool tracks which backends answer and how busy they are.
type backendPool struct {
	log *slog.Logger
	mu  sync.Mutex
	all []*backendState

	members     func() []Backend
	lastMembers time.Time
	// departed are backends that left the set, with a check, while
	// attempts ran on them.
	departed []*backendState
}

type backendState struct {
	Backend
	inFlight  int
	down      bool
	lastProbe time.Time
	// cut is closed when the backend left the set and failed its check:
	// the attempts running on it are cancelled.
	cut     chan struct{}
	cutOnce sync.Once
}

func newBackendState(b Backend) *backendState {
	return &backendState{Backend: b, cut: make(chan struct{})}
}

// errBackendCut marks an attempt cancelled because its backend left the
// set and stopped answering.
var errBackendCut = errors.New("the backend left the set and does not answer")

// attemptContext is ctx, cancelled too when the backend is cut; stop
// releases it when the attempt is over.
func (b *backendState) attemptContext(ctx context.Context) (actx context.Context, stop func()) {
	actx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-b.cut:
			cancel()
		case <-actx.Done():
		}
	}()
	return actx, cancel
}

func (b *backendState) isCut() bool {
	select {
	case <-b.cut:
		return true
	default:
		return false
	}
}

func newBackendPool(bs []Backend, log *slog.Logger) *backendPool {
	p := &backendPool{log: log}
	for _, b := range bs {
		p.all = append(p.all, newBackendState(b))
	}
	return p
}

// follow looks at the member set every probeEvery until ctx ends, and
// cuts a backend that left while attempts run on it once it fails its
// check.
func (p *backendPool) follow(ctx context.Context) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.refresh()
		p.checkDeparted(ctx)
	}
}

// checkDeparted probes the backends that left the set with attempts still
// running on them; one that fails is cut.
func (p *backendPool) checkDeparted(ctx context.Context) {
	p.mu.Lock()
	var due []*backendState
	kept := p.departed[:0]
	for _, b := range p.departed {
		if b.inFlight > 0 && !b.isCut() {
			due = append(due, b)
			kept = append(kept, b)
		}
	}
	p.departed = kept
	p.mu.Unlock()
	for _, b := range due {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := b.Check(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			b.cutOnce.Do(func() { close(b.cut) })
			p.log.Warn("backend left and does not answer; its attempts are cancelled", "backend", b.Name, "err", err)
		}
	}
}

const probeEvery = 250 * time.Millisecond

// pick returns the least busy healthy backend, not avoid when another is
// healthy, probing down backends again now and then.
func (p *backendPool) pick(ctx context.Context, avoid *backendState, waitHealthy time.Duration) (*backendState, error) {
	deadline := time.Now().Add(waitHealthy)
	for {
		p.refresh()
		p.reprobe(ctx)
		p.mu.Lock()
		var best *backendState
		for _, b := range p.all {
			if b.down {
				continue
			}
			if best == nil || better(b, best, avoid) {
				best = b
			}
		}
		if best != nil {
			best.inFlight++
			p.mu.Unlock()
			return best, nil
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no healthy backend within %s", waitHealthy)
		}
		select {
		case <-time.After(probeEvery):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func better(b, than, avoid *backendState) bool {
	if (b == avoid) != (than == avoid) {
		return than == avoid
	}
	return b.inFlight < than.inFlight
}

func (p *backendPool) finished(b *backendState) {
	p.mu.Lock()
	b.inFlight--
	p.mu.Unlock()
}

func (p *backendPool) markDown(b *backendState, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b.Check == nil || b.down {
		return
	}
	b.down, b.lastProbe = true, time.Now()
	p.log.Warn("backend down", "backend", b.Name, "err", err)
}

// refresh takes the current list of a changing set of backends: the
// states of those still listed are kept, new ones join, the others leave
// (an attempt running on one finishes or fails there, or is cut by
// checkDeparted).
func (p *backendPool) refresh() {
	if p.members == nil {
		return
	}
	p.mu.Lock()
	if time.Since(p.lastMembers) < probeEvery {
		p.mu.Unlock()
		return
	}
	p.lastMembers = time.Now()
	p.mu.Unlock()
	current := p.members() // outside the lock: it may ask an engine
	p.mu.Lock()
	defer p.mu.Unlock()
	old := make(map[string]*backendState, len(p.all))
	for _, b := range p.all {
		old[b.Name] = b
	}
	all := make([]*backendState, 0, len(current))
	for _, b := range current {
		if s, ok := old[b.Name]; ok {
			all = append(all, s)
			delete(old, b.Name)
			continue
		}
		all = append(all, newBackendState(b))
		p.log.Info("backend joined", "backend", b.Name)
	}
	for name, b := range old {
		p.log.Info("backend left", "backend", name)
		if b.inFlight > 0 && b.Check != nil {
			p.departed = append(p.departed, b)
		}
	}
	p.all = all
}

// reprobe checks the down backends whose last probe is old enough.
func (p *backendPool) reprobe(ctx context.Context) {
	p.mu.Lock()
	var due []*backendState
	for _, b := range p.all {
		if b.down && time.Since(b.lastProbe) >= probeEvery {
			b.lastProbe = time.Now()
			due = append(due, b)
		}
	}
	p.mu.Unlock()
	for _, b := range due {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := b.Check(pctx)
		cancel()
		if err == nil {
			p.mu.Lock()
			b.down = false
			p.mu.Unlock()
			p.log.Info("backend up again", "backend", b.Name)
		}
	}
}
