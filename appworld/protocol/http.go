package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type envelope struct {
	Output json.RawMessage `json:"output"`
}

// Handler serves b with AppWorld's server protocol.
func Handler(b Backend) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, 200, "Welcome to the AppWorld-protocol environment server of seeupo.")
	})
	route(mux, "/initialize", func(ctx context.Context, r InitRequest) (any, error) { return b.Initialize(ctx, r) })
	route(mux, "/execute", func(ctx context.Context, r struct {
		TaskID string `json:"task_id"`
		Code   string `json:"code"`
	}) (any, error) {
		return b.Execute(ctx, r.TaskID, r.Code)
	})
	route(mux, "/task_completed", func(ctx context.Context, r taskOnly) (any, error) { return b.TaskCompleted(ctx, r.TaskID) })
	route(mux, "/evaluate", func(ctx context.Context, r taskOnly) (any, error) { return b.Evaluate(ctx, r.TaskID) })
	route(mux, "/close", func(ctx context.Context, r taskOnly) (any, error) { return nil, b.Close(ctx, r.TaskID) })
	route(mux, "/evaluate_all", func(ctx context.Context, r struct {
		TaskIDs        []string `json:"task_ids"`
		ExperimentName string   `json:"experiment_name"`
	}) (any, error) {
		return b.EvaluateAll(ctx, r.TaskIDs, r.ExperimentName)
	})
	return mux
}

// NewServer is an HTTP server for handler that cuts slow clients: a
// request's headers and body must arrive within readTimeout (headers
// within at most 10 s), and a kept-alive connection is closed after two
// idle minutes. Responses are not limited, as a code cell may run long.
func NewServer(handler http.Handler, readTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(readTimeout, 10*time.Second),
		ReadTimeout:       readTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

type taskOnly struct {
	TaskID string `json:"task_id"`
}

func route[T any](mux *http.ServeMux, path string, fn func(context.Context, T) (any, error)) {
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var req T
		if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&req); err != nil {
			reply(w, 422, "invalid request body: "+err.Error())
			return
		}
		out, err := fn(r.Context(), req)
		switch {
		case errors.Is(err, ErrWrongTask):
			reply(w, 400, err.Error())
		case err != nil:
			reply(w, 500, err.Error())
		default:
			reply(w, 200, out)
		}
	})
}

func reply(w http.ResponseWriter, status int, output any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"output": output})
}

// Client speaks the protocol to one server. It implements Backend.
type Client struct {
	// URL is the server's base address, e.g. http://127.0.0.1:8000.
	URL string
	// HTTP is the client used; a client with Timeout when nil.
	HTTP *http.Client
}

// NewClient makes a client for the server at url; timeout bounds each
// request (it must exceed the server's per-cell timeout).
func NewClient(url string, timeout time.Duration) *Client {
	return &Client{URL: strings.TrimSuffix(url, "/"), HTTP: &http.Client{Timeout: timeout}}
}

// StatusError is a non-200 answer from the server.
type StatusError struct {
	Path   string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("appworld server %s: HTTP %d: %s", e.Path, e.Status, e.Body)
}

func (c *Client) post(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.URL+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, path, out)
}

func (c *Client) do(req *http.Request, path string, out any) error {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		serr := &StatusError{Path: path, Status: resp.StatusCode, Body: string(raw)}
		if resp.StatusCode == 400 {
			return fmt.Errorf("%w: %w", ErrWrongTask, serr)
		}
		return serr
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("appworld server %s: reply is not {\"output\": ...}: %w", path, err)
	}
	if out == nil || len(env.Output) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Output, out); err != nil {
		return fmt.Errorf("appworld server %s: decoding output: %w", path, err)
	}
	return nil
}

// Health calls GET / and returns the welcome message.
func (c *Client) Health(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.URL+"/", nil)
	if err != nil {
		return "", err
	}
	var msg string
	err = c.do(req, "/", &msg)
	return msg, err
}

// Initialize implements Backend.
func (c *Client) Initialize(ctx context.Context, r InitRequest) (InitResponse, error) {
	var out InitResponse
	err := c.post(ctx, "/initialize", r, &out)
	return out, err
}

// Execute implements Backend.
func (c *Client) Execute(ctx context.Context, taskID, code string) (string, error) {
	var out string
	err := c.post(ctx, "/execute", map[string]string{"task_id": taskID, "code": code}, &out)
	return out, err
}

// TaskCompleted implements Backend.
func (c *Client) TaskCompleted(ctx context.Context, taskID string) (bool, error) {
	var out bool
	err := c.post(ctx, "/task_completed", taskOnly{taskID}, &out)
	return out, err
}

// Evaluate implements Backend.
func (c *Client) Evaluate(ctx context.Context, taskID string) (Evaluation, error) {
	var out Evaluation
	err := c.post(ctx, "/evaluate", map[string]any{"task_id": taskID, "suppress_errors": true, "report": false}, &out)
	return out, err
}

// Close implements Backend.
func (c *Client) Close(ctx context.Context, taskID string) error {
	return c.post(ctx, "/close", taskOnly{taskID}, nil)
}

// EvaluateAll implements Backend.
func (c *Client) EvaluateAll(ctx context.Context, taskIDs []string, experiment string) (AllResult, error) {
	var out AllResult
	err := c.post(ctx, "/evaluate_all", map[string]any{"task_ids": taskIDs, "experiment_name": experiment}, &out)
	return out, err
}
