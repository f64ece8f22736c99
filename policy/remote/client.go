package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Options configure a client.
type Options struct {
	BaseURL string // e.g. http://127.0.0.1:8100/v1
	APIKey  string // sent as a bearer token ("" sends a placeholder)
	Model   string
	// MaxConcurrency bounds requests in flight (default 8).
	MaxConcurrency int
	// MaxRetries is the SDK's retry count on 408/409/429/5xx and
	// connection errors (default 3; negative: none).
	MaxRetries int
	// Timeout bounds each attempt of a request (default 10 minutes).
	Timeout time.Duration
	// HTTPClient replaces the SDK's default client (tests).
	HTTPClient *http.Client
}

// Client talks to one OpenAI-compatible server.
type Client struct {
	sdk   openai.Client
	model string
	sem   chan struct{}
	usage *usageCounter
}

// New makes a client; nothing is sent until the first request.
func New(o Options) (*Client, error) {
	if o.BaseURL == "" {
		return nil, errors.New("remote policy: no base URL (e.g. http://127.0.0.1:8100/v1)")
	}
	if o.Model == "" {
		return nil, errors.New("remote policy: no model name (the server's /v1/models lists them)")
	}
	return newClient(o), nil
}

// newClient fills in the defaults and makes the SDK client.
func newClient(o Options) *Client {
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = 8
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = 3
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.APIKey == "" {
		o.APIKey = "none"
	}
	u := &usageCounter{}
	opts := []option.RequestOption{option.WithBaseURL(strings.TrimSuffix(o.BaseURL, "/") + "/"),
		option.WithAPIKey(o.APIKey), option.WithMaxRetries(o.MaxRetries), option.WithRequestTimeout(o.Timeout),
		option.WithMiddleware(u.countAttempt)}
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	return &Client{sdk: openai.NewClient(opts...), model: o.Model, sem: make(chan struct{}, o.MaxConcurrency), usage: u}
}

// Model is the model name requests name.
func (c *Client) Model() string { return c.model }

// acquire takes a slot of the semaphore.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.sem }

// uncounted marks the context of a request that is no generation (a weight
// load): its attempts stay out of the usage.
type uncounted struct{}

// Usage is what a client has spent so far.
type Usage struct {
	Requests         int     `json:"requests"`
	Failures         int     `json:"failures"`
	Retries          int     `json:"retries"` // attempts beyond the first
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	LatencyP50S      float64 `json:"latency_p50_s"`
	LatencyP90S      float64 `json:"latency_p90_s"`
	LatencyP99S      float64 `json:"latency_p99_s"`
}

// Usage returns the counts so far (since the last ResetUsage).
func (c *Client) Usage() Usage { return c.usage.snapshot() }

// ResetUsage returns the counts so far and starts counting afresh, so a
// caller can count per period (a training step's rollout); call it while
// no request is in flight.
func (c *Client) ResetUsage() Usage {
	c.usage.mu.Lock()
	defer c.usage.mu.Unlock()
	out := c.usage.snapshotLocked()
	c.usage.u, c.usage.attempts, c.usage.latencies = Usage{}, 0, nil
	return out
}

type usageCounter struct {
	mu        sync.Mutex
	u         Usage
	attempts  int
	latencies []float64
}

// countAttempt is SDK middleware: it sees every attempt, retries too.
func (u *usageCounter) countAttempt(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	if req.Context().Value(uncounted{}) != nil {
		return next(req)
	}
	u.mu.Lock()
	u.attempts++
	u.mu.Unlock()
	return next(req)
}

// record counts one finished request (all its attempts).
func (u *usageCounter) record(start time.Time, prompt, completion int, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.u.Requests++
	if err != nil {
		u.u.Failures++
	}
	u.u.PromptTokens += prompt
	u.u.CompletionTokens += completion
	u.latencies = append(u.latencies, time.Since(start).Seconds())
}

func (u *usageCounter) snapshot() Usage {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.snapshotLocked()
}

func (u *usageCounter) snapshotLocked() Usage {
	out := u.u
	out.Retries = max(0, u.attempts-out.Requests)
	out.LatencyP50S, out.LatencyP90S, out.LatencyP99S = LatencyQuantiles(u.latencies)
	return out
}

// LatencyQuantiles are the p50, p90 and p99 of latencies (nearest rank;
// 0 for none), as Usage reports them.
func LatencyQuantiles(latencies []float64) (p50, p90, p99 float64) {
	lat := append([]float64(nil), latencies...)
	sort.Float64s(lat)
	return quantile(lat, 0.5), quantile(lat, 0.9), quantile(lat, 0.99)
}

// quantile of sorted values (nearest rank); 0 for none.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// describe wraps an SDK error with the request's endpoint; errors.As still
// finds the SDK's *openai.Error in it.
func describe(endpoint string, err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return &statusError{endpoint: endpoint, err: apiErr}
	}
	return fmt.Errorf("%s: %w", endpoint, err)
}

// statusError is a server's error answer to a request.
type statusError struct {
	endpoint string
	err      *openai.Error
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.endpoint, e.err.StatusCode, e.err.Code, e.err.Message)
}

func (e *statusError) Unwrap() error { return e.err }

// ServerFault reports whether a failed request failed because of the
// server rather than the request: no connection, a connection cut, an
// attempt that timed out, or a status the SDK retries (408, 409, 429,
// 5xx), each after the SDK's retries. Such a request may succeed on
// another server; one the server refused (another 4xx) would fail on every
// server. A request cancelled by its caller is neither.
func ServerFault(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooManyRequests || s >= 500
	}
	return true
}
