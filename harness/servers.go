package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seeupo/seeupo/harness/metrics"
	"github.com/seeupo/seeupo/policy/remote"
)

// ServerOptions configure rollouts on OpenAI-compatible servers.
type ServerOptions struct {
	// URLs are the servers' API roots, e.g. http://127.0.0.1:8100/v1.
	URLs []string
	// Model is the model name on the servers ("": each server's only
	// model, from its /v1/models).
	Model string
	// Concurrency bounds the requests in flight per server (default 32).
	Concurrency int
	// MaxRetries are the SDK's retries of a request on one server before
	// the request moves to another (0: the client's default, 3; negative:
	// none).
	MaxRetries int
	// Timeout bounds each attempt of a request (0: the client's default).
	Timeout time.Duration
	// Log receives a line when a server fails, stays out, joins or
	// leaves (nil: none).
	Log io.Writer
	// Members, in place of URLs, gives the servers of a changing set (the
	// tasks of a Swarm service, say); see Servers.
	Members func() []Endpoint
	// FollowEvery is how often the member set is looked at while requests
	// are in flight (default 250 ms).
	FollowEvery time.Duration
	// WaitMembers bounds the wait for a server when none of the set is in
	// use (default 2 minutes).
	WaitMembers time.Duration
}

// Endpoint is one server of a changing set: ID names the server (a new
// server at the address of an old one has another ID), URL is its API
// root.
type Endpoint struct {
	ID  string
	URL string
}

// DefaultServerConcurrency bounds the requests in flight per server.
const DefaultServerConcurrency = 32

// Servers generate in token mode on several servers (seeupo serve, or any
// server that takes token-id prompts and answers with token ids and
// log-probs): a generation's requests are spread over the servers round
// robin, each with its own seed. A request whose server fails (no
// connection, a connection cut, 5xx, after the client's retries) is sent
// again to another server, and the failed server takes no request until a
// weight load succeeds on it; since the request carries its seed, the
// other server samples what the first would have, so a rollout neither
// loses nor repeats a sample. An answer whose system_fingerprint is not
// the one the server gave for its last weight load (seeupo serve's; a
// restarted server's are its starting weights) is such a failure too.
//
// With ServerOptions.Members the servers follow a changing set, looked at
// when a generation starts and every FollowEvery while it runs: a server
// that joins is given the weights of the last load before it takes a
// request (and joins only once it holds them); the requests in flight on
// a server that leaves are cancelled and sent to another server with
// their seeds, as after a failure.
//
// Servers is a RemoteGenerator.
type Servers struct {
	servers []*server
	log     io.Writer
	opts    ServerOptions

	follow  sync.Mutex // one look at the member set at a time, and none during a weight load
	weights string     // the directory of the last weight load; guarded by follow
	joinErr map[string]string

	mu        sync.Mutex
	next      int          // round-robin cursor
	failovers int          // since ResetStats
	latencies []float64    // of the requests answered since ResetStats
	departed  remote.Usage // of the servers that left since ResetStats
}

// server is one server of the pool; out, err and weights are guarded by
// Servers.mu.
type server struct {
	id     string // the member's ID (the URL for a fixed list)
	url    string
	client *remote.Client
	out    bool  // failed: no requests until a weight load succeeds
	err    error // why it is out
	// weights is the fingerprint of the weights it last loaded ("": the
	// server gives none); an answer with another fingerprint came from
	// other weights (a restarted server's), and counts as the server's
	// failure.
	weights string
	// gone is cancelled when the server leaves the member set.
	gone  context.Context
	leave context.CancelFunc
}

// NewServers checks the URLs and makes a client per server; with no model
// name it asks each server for its model. With Members it takes the set's
// current servers.
func NewServers(ctx context.Context, o ServerOptions) (*Servers, error) {
	eps, err := o.endpoints()
	if err != nil {
		return nil, err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultServerConcurrency
	}
	if o.FollowEvery <= 0 {
		o.FollowEvery = 250 * time.Millisecond
	}
	if o.WaitMembers <= 0 {
		o.WaitMembers = 2 * time.Minute
	}
	s := &Servers{log: o.Log, opts: o, joinErr: map[string]string{}}
	for _, e := range eps {
		srv, err := s.newServer(ctx, e)
		if err != nil {
			return nil, err
		}
		s.servers = append(s.servers, srv)
	}
	return s, nil
}

// endpoints are the fixed URLs, or the member set's current servers.
func (o ServerOptions) endpoints() ([]Endpoint, error) {
	if o.Members != nil && len(o.URLs) > 0 {
		return nil, errors.New("remote generation: give server URLs or a member set, not both")
	}
	var eps []Endpoint
	for _, u := range o.URLs {
		eps = append(eps, Endpoint{ID: u, URL: u})
	}
	if o.Members != nil {
		eps = o.Members()
	}
	if len(eps) == 0 {
		return nil, errors.New("remote generation: no server URLs (e.g. http://127.0.0.1:8100/v1)")
	}
	seen := map[string]bool{}
	for _, e := range eps {
		if seen[e.URL] {
			return nil, fmt.Errorf("remote generation: server %s is listed twice", e.URL)
		}
		seen[e.URL] = true
	}
	return eps, nil
}

// newServer makes the client of one server, asking the server for its
// model when the options name none.
func (s *Servers) newServer(ctx context.Context, e Endpoint) (*server, error) {
	if err := checkServerURL(e.URL); err != nil {
		return nil, err
	}
	o := s.opts
	ro := remote.Options{BaseURL: e.URL, Model: o.Model, MaxConcurrency: o.Concurrency, MaxRetries: o.MaxRetries, Timeout: o.Timeout}
	if ro.Model == "" {
		names, err := remote.ServedModels(ctx, ro)
		if err != nil {
			return nil, fmt.Errorf("remote generation: server %s: %w", e.URL, err)
		}
		if len(names) != 1 {
			return nil, fmt.Errorf("remote generation: server %s serves %d models (%s); name one in rl.server_model",
				e.URL, len(names), strings.Join(names, ", "))
		}
		ro.Model = names[0]
	}
	c, err := remote.New(ro)
	if err != nil {
		return nil, fmt.Errorf("remote generation: server %s: %w", e.URL, err)
	}
	gone, leave := context.WithCancel(context.Background())
	return &server{id: e.ID, url: e.URL, client: c, gone: gone, leave: leave}, nil
}

// followMembers takes the member set's changes: servers that left go (their
// requests in flight are cancelled), servers that joined come in, each
// with the last weights loaded when load is set.
func (s *Servers) followMembers(ctx context.Context, load bool) {
	if s.opts.Members == nil {
		return
	}
	current := map[string]Endpoint{}
	for _, e := range s.opts.Members() {
		current[e.ID] = e
	}
	s.mu.Lock()
	var keep []*server
	for _, srv := range s.servers {
		if e, ok := current[srv.id]; ok && e.URL == srv.url {
			keep = append(keep, srv)
			delete(current, srv.id)
			continue
		}
		srv.leave()
		u := srv.client.Usage()
		s.departed.Requests += u.Requests
		s.departed.Retries += u.Retries
		s.departed.Failures += u.Failures
		s.departed.PromptTokens += u.PromptTokens
		s.departed.CompletionTokens += u.CompletionTokens
		s.logf("remote generation: server %s left; its requests go to the other servers\n", srv.url)
	}
	s.servers = keep
	s.mu.Unlock()
	for _, e := range current {
		srv, err := s.join(ctx, e, load)
		if err != nil {
			if s.joinErr[e.ID] != err.Error() {
				s.logf("remote generation: server %s cannot join yet: %v\n", e.URL, err)
			}
			s.joinErr[e.ID] = err.Error()
			continue
		}
		delete(s.joinErr, e.ID)
		s.mu.Lock()
		s.servers = append(s.servers, srv)
		s.mu.Unlock()
		s.logf("remote generation: server %s joined\n", e.URL)
	}
}

// join makes the server of a new member and loads the last weights into
// it when load is set and there are any.
func (s *Servers) join(ctx context.Context, e Endpoint, load bool) (*server, error) {
	srv, err := s.newServer(ctx, e)
	if err != nil || !load || s.weights == "" {
		return srv, err
	}
	w, err := srv.client.LoadWeights(ctx, s.weights)
	if err != nil {
		srv.leave()
		return nil, fmt.Errorf("loading weights %s: %w", s.weights, err)
	}
	srv.weights = w.Fingerprint
	return srv, nil
}

func (s *Servers) logf(format string, args ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, format, args...)
	}
}

// followWhile looks at the member set every FollowEvery until the returned
// function is called.
func (s *Servers) followWhile(ctx context.Context) (stop func()) {
	if s.opts.Members == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.opts.FollowEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			s.follow.Lock()
			s.followMembers(ctx, true)
			s.follow.Unlock()
		}
	}()
	return func() { cancel(); <-done }
}

// checkServerURL accepts an http or https URL with a host.
func checkServerURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("server URL %q is not an http(s) URL with a host, e.g. http://127.0.0.1:8100/v1", u)
	}
	return nil
}

// Generate sends each request to a server, round robin over the servers
// in use, and answers in the order given.
func (s *Servers) Generate(ctx context.Context, reqs []GenRequest) ([]GenResult, error) {
	out := make([]GenResult, len(reqs))
	errs := make([]error, len(reqs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.follow.Lock()
	s.followMembers(ctx, true)
	s.follow.Unlock()
	defer s.followWhile(ctx)()
	first := s.advance(len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = s.generateOne(ctx, first+i, r)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	return out, firstCause(errs)
}

// firstCause is the first error that is not a request cancelled because
// another failed, else the first error.
func firstCause(errs []error) error {
	var first error
	for i, err := range errs {
		if err == nil {
			continue
		}
		e := fmt.Errorf("request %d: %w", i, err)
		if !errors.Is(err, context.Canceled) {
			return e
		}
		if first == nil {
			first = e
		}
	}
	return first
}

// advance moves the round-robin cursor past n requests and returns where
// they start.
func (s *Servers) advance(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := s.next
	s.next += n
	return first
}

// generateOne sends a request to the slot's server, and after a server's
// failure to the next server in use, until one answers or none is left.
func (s *Servers) generateOne(ctx context.Context, slot int, r GenRequest) (GenResult, error) {
	req := remote.TokenRequest{Prompt: r.Context, MaxTokens: r.MaxTokens, Temperature: r.Temperature,
		TopP: r.TopP, TopK: r.TopK, Seed: r.Seed}
	start := time.Now()
	var failed []string
	for {
		srv := s.pick(slot)
		if srv == nil && s.opts.Members != nil && time.Since(start) < s.opts.WaitMembers && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond) // the set's next look may bring a server
			continue
		}
		if srv == nil {
			return GenResult{}, fmt.Errorf("no server left to generate on (%s)", strings.Join(failed, "; "))
		}
		res, err := s.completeOn(ctx, srv, req)
		if err == nil {
			err = s.checkWeights(srv, res.Fingerprint)
		}
		if err == nil {
			s.answered(time.Since(start))
			return GenResult{Tokens: res.Tokens, LogProbs: res.LogProbs}, nil
		}
		if ctx.Err() != nil || !remote.ServerFault(err) && !errors.Is(err, errOtherWeights) && !errors.Is(err, errLeft) {
			return GenResult{}, fmt.Errorf("server %s: %w", srv.url, err)
		}
		failed = append(failed, fmt.Sprintf("server %s: %v", srv.url, err))
		s.failover(srv, err)
	}
}

// errLeft is a request cancelled because its server left the member set.
var errLeft = errors.New("the server left the member set")

// completeOn sends the request to srv, cancelling it if srv leaves the
// member set meanwhile.
func (s *Servers) completeOn(ctx context.Context, srv *server, req remote.TokenRequest) (remote.TokenResult, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(srv.gone, cancel)()
	res, err := srv.client.CompleteOne(rctx, req)
	if err != nil && ctx.Err() == nil && srv.gone.Err() != nil {
		err = fmt.Errorf("%w: %v", errLeft, err)
	}
	return res, err
}

// errOtherWeights is an answer generated with weights other than those
// loaded last.
var errOtherWeights = errors.New("the server answered with other weights than those it loaded (was it restarted?)")

// checkWeights refuses an answer whose fingerprint says it came from other
// weights than the server's last load.
func (s *Servers) checkWeights(srv *server, fingerprint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if srv.weights == "" || fingerprint == srv.weights {
		return nil
	}
	return fmt.Errorf("%w: system_fingerprint %q, loaded %q", errOtherWeights, fingerprint, srv.weights)
}

// pick is the slot's server among those in use (nil: none is).
func (s *Servers) pick(slot int) *server {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []*server
	for _, srv := range s.servers {
		if !srv.out {
			live = append(live, srv)
		}
	}
	if len(live) == 0 {
		return nil
	}
	return live[slot%len(live)]
}

// failover takes a failed server out of use and counts the request that
// moves to another.
func (s *Servers) failover(srv *server, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failovers++
	if srv.out {
		return
	}
	srv.out, srv.err = true, err
	if s.log != nil && !errors.Is(err, errLeft) { // a server that left was logged leaving
		fmt.Fprintf(s.log, "remote generation: server %s failed, its requests go to the other servers until a weight load succeeds on it: %v\n", srv.url, err)
	}
}

func (s *Servers) answered(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, d.Seconds())
}

// LoadWeights loads the model directory into every server, those out of
// use too: a server that takes the weights is in use (again). A server
// that cannot be reached or fails (ServerFault, after the client's
// retries) is out of use until a later load succeeds on it, which is
// logged; a server that refuses the weights (it cannot read the directory,
// say) is an error naming it, and so is no server holding the weights.
func (s *Servers) LoadWeights(ctx context.Context, dir string) error {
	s.follow.Lock()
	defer s.follow.Unlock()
	s.followMembers(ctx, false)
	s.mu.Lock()
	servers := slices.Clone(s.servers)
	s.mu.Unlock()
	errs := make([]error, len(servers))
	loaded := make([]remote.Weights, len(servers))
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loaded[i], errs[i] = srv.client.LoadWeights(ctx, dir)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var refused, all []error
	live := 0
	for i, srv := range servers {
		err := errs[i]
		if err == nil {
			srv.out, srv.err, srv.weights = false, nil, loaded[i].Fingerprint
			live++
			continue
		}
		err = fmt.Errorf("loading weights %s into server %s: %w", dir, srv.url, err)
		all = append(all, err)
		if !remote.ServerFault(errs[i]) {
			refused = append(refused, err)
			continue
		}
		srv.out, srv.err = true, err
		if s.log != nil {
			fmt.Fprintf(s.log, "remote generation: server %s is out of use until it takes the weights: %v\n", srv.url, err)
		}
	}
	if err := errors.Join(refused...); err != nil {
		return err
	}
	if live == 0 {
		return fmt.Errorf("no server holds the weights: %w", errors.Join(all...))
	}
	s.weights = dir
	return nil
}

// ResetStats starts the counts of Stats afresh (call it while no request
// is in flight).
func (s *Servers) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.servers {
		srv.client.ResetUsage()
	}
	s.failovers, s.latencies, s.departed = 0, nil, remote.Usage{}
}

// Stats are the figures since ResetStats, in the metrics' names.
func (s *Servers) Stats() metrics.Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.departed
	live := 0
	for _, srv := range s.servers {
		su := srv.client.Usage()
		u.Requests += su.Requests
		u.Retries += su.Retries
		u.Failures += su.Failures
		u.PromptTokens += su.PromptTokens
		u.CompletionTokens += su.CompletionTokens
		if !srv.out {
			live++
		}
	}
	p50, p90, p99 := remote.LatencyQuantiles(s.latencies)
	return metrics.Data{
		metrics.RolloutRemoteRequests:         float64(u.Requests),
		metrics.RolloutRemoteRetries:          float64(u.Retries),
		metrics.RolloutRemoteFailures:         float64(u.Failures),
		metrics.RolloutRemoteFailovers:        float64(s.failovers),
		metrics.RolloutRemotePromptTokens:     float64(u.PromptTokens),
		metrics.RolloutRemoteCompletionTokens: float64(u.CompletionTokens),
		metrics.RolloutRemoteLatencyP50:       p50,
		metrics.RolloutRemoteLatencyP90:       p90,
		metrics.RolloutRemoteLatencyP99:       p99,
		metrics.RolloutRemoteServers:          float64(live),
	}
}
