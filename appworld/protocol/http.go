package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type envelope struct {
	Output json.RawMessage `json:"output"`
}

// Handler serves b with AppWorld's server protocol. When b is a Server it
// serves the whole protocol; otherwise the episode routes alone.
func Handler(b Backend) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]string{"message": "Welcome to the AppWorld-protocol environment server of seeupo."})
	})
	route(mux, "/initialize", func(ctx context.Context, r InitRequest) (any, error) { return b.Initialize(ctx, r) })
	route(mux, "/execute", func(ctx context.Context, r executeRequest) (any, error) { return b.Execute(ctx, r.TaskID, r.Code) })
	route(mux, "/task_completed", func(ctx context.Context, r taskOnly) (any, error) { return b.TaskCompleted(ctx, r.TaskID) })
	route(mux, "/close", func(ctx context.Context, r taskOnly) (any, error) { return nil, b.Close(ctx, r.TaskID) })
	route(mux, "/evaluate_all", func(ctx context.Context, r evaluateAllRequest) (any, error) {
		out, err := b.EvaluateAll(ctx, r.TaskIDs, r.ExperimentName)
		if r.IncludeDetails != nil && !*r.IncludeDetails {
			out.Individual = nil
		}
		return out, err
	})
	s, full := b.(Server)
	route(mux, "/evaluate", func(ctx context.Context, r evaluateRequest) (any, error) {
		var ev Evaluation
		var err error
		switch {
		case r.ExperimentName != nil && full:
			ev, err = s.EvaluateSaved(ctx, r.TaskID, *r.ExperimentName)
		case r.ExperimentName != nil:
			err = errors.New("this server does not evaluate saved experiments")
		default:
			ev, err = b.Evaluate(ctx, r.TaskID)
		}
		if err == nil && r.Report {
			return ev.Report(r.TaskID), nil
		}
		return ev, err
	})
	if full {
		serveRest(mux, s)
	}
	return mux
}

// serveRest adds the routes beyond an episode's to mux.
func serveRest(mux *http.ServeMux, s Server) {
	route(mux, "/batch_execute", func(ctx context.Context, r batchRequest) (any, error) {
		return s.BatchExecute(ctx, r.TaskID, r.Codes)
	})
	route(mux, "/save", func(ctx context.Context, r taskOnly) (any, error) { return nil, s.Save(ctx, r.TaskID) })
	route(mux, "/save_logs", func(ctx context.Context, r taskOnly) (any, error) { return nil, s.SaveLogs(ctx, r.TaskID) })
	route(mux, "/save_state", func(ctx context.Context, r stateRequest) (any, error) {
		id, err := s.SaveState(ctx, r.TaskID, r.StateID)
		if id == "" {
			return nil, err
		}
		return id, err
	})
	route(mux, "/load_state", func(ctx context.Context, r stateRequest) (any, error) {
		return nil, s.LoadState(ctx, r.TaskID, r.StateID)
	})
	mux.HandleFunc("POST /close_all", func(w http.ResponseWriter, r *http.Request) {
		answer(w, nil, s.CloseAll(r.Context()))
	})
	mux.HandleFunc("GET /tasks/{task_id}", func(w http.ResponseWriter, r *http.Request) {
		out, err := s.ShowTask(r.Context(), r.PathValue("task_id"))
		answer(w, out, err)
	})
	mux.HandleFunc("GET /api_docs", func(w http.ResponseWriter, r *http.Request) {
		docs, err := s.APIDocs(r.Context())
		if err != nil {
			reply(w, 500, err.Error())
			return
		}
		writeJSON(w, 200, docs) // the official server sends the docs without the envelope
	})
}

// The request bodies, with the official server's field names.
type (
	taskOnly struct {
		TaskID string `json:"task_id"`
	}
	executeRequest struct {
		TaskID string `json:"task_id"`
		Code   string `json:"code"`
	}
	batchRequest struct {
		TaskID string   `json:"task_id"`
		Codes  []string `json:"codes"`
	}
	stateRequest struct {
		TaskID  string `json:"task_id"`
		StateID string `json:"state_id"`
	}
	evaluateRequest struct {
		TaskID         string  `json:"task_id"`
		SuppressErrors bool    `json:"suppress_errors"`
		Report         bool    `json:"report"`
		ExperimentName *string `json:"experiment_name,omitempty"`
	}
	evaluateAllRequest struct {
		TaskIDs        []string `json:"task_ids"`
		ExperimentName string   `json:"experiment_name"`
		SuppressErrors *bool    `json:"suppress_errors,omitempty"`
		IncludeDetails *bool    `json:"include_details,omitempty"`
	}
)

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

func route[T any](mux *http.ServeMux, path string, fn func(context.Context, T) (any, error)) {
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var req T
		if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&req); err != nil {
			reply(w, 422, "invalid request body: "+err.Error())
			return
		}
		out, err := fn(r.Context(), req)
		answer(w, out, err)
	})
}

// answer replies with out, or with err's status: 400 for another task
// than the active one, 422 for a request the server refuses, 404 for an
// unknown state or task, 500 otherwise.
func answer(w http.ResponseWriter, out any, err error) {
	switch {
	case errors.Is(err, ErrWrongTask):
		reply(w, 400, err.Error())
	case errors.Is(err, ErrInvalid):
		reply(w, 422, err.Error())
	case errors.Is(err, ErrNotFound):
		reply(w, 404, err.Error())
	case err != nil:
		reply(w, 500, err.Error())
	default:
		reply(w, 200, out)
	}
}

func reply(w http.ResponseWriter, status int, output any) {
	writeJSON(w, status, map[string]any{"output": output})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
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
	raw, err := c.send(req, path)
	if err != nil {
		return err
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

// send makes the request and returns the body of a 200 answer; any other
// status is a *StatusError (wrapped in ErrWrongTask for 400).
func (c *Client) send(req *http.Request, path string) ([]byte, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		serr := &StatusError{Path: path, Status: resp.StatusCode, Body: string(raw)}
		if resp.StatusCode == 400 {
			return nil, fmt.Errorf("%w: %w", ErrWrongTask, serr)
		}
		return nil, serr
	}
	return raw, nil
}

// Health calls GET / and returns the welcome message (the official
// server's {"message": ...}, or an {"output": ...}).
func (c *Client) Health(ctx context.Context) (string, error) {
	var msg struct {
		Message string          `json:"message"`
		Output  json.RawMessage `json:"output"`
	}
	if err := c.get(ctx, "/", &msg); err != nil {
		return "", err
	}
	if msg.Message == "" && len(msg.Output) > 0 {
		json.Unmarshal(msg.Output, &msg.Message)
	}
	return msg.Message, nil
}

// get calls GET path and decodes the whole reply into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.URL+path, nil)
	if err != nil {
		return err
	}
	raw, err := c.send(req, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("appworld server %s: decoding the reply: %w", path, err)
	}
	return nil
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
	err := c.post(ctx, "/execute", executeRequest{TaskID: taskID, Code: code}, &out)
	return out, err
}

// BatchExecute implements Server.
func (c *Client) BatchExecute(ctx context.Context, taskID string, codes []string) ([]string, error) {
	var out []string
	if codes == nil {
		codes = []string{}
	}
	err := c.post(ctx, "/batch_execute", batchRequest{TaskID: taskID, Codes: codes}, &out)
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
	err := c.post(ctx, "/evaluate", evaluateRequest{TaskID: taskID, SuppressErrors: true}, &out)
	return out, err
}

// EvaluateSaved implements Server.
func (c *Client) EvaluateSaved(ctx context.Context, taskID, experiment string) (Evaluation, error) {
	var out Evaluation
	err := c.post(ctx, "/evaluate", evaluateRequest{TaskID: taskID, SuppressErrors: true, ExperimentName: &experiment}, &out)
	return out, err
}

// Close implements Backend.
func (c *Client) Close(ctx context.Context, taskID string) error {
	return c.post(ctx, "/close", taskOnly{taskID}, nil)
}

// CloseAll implements Server.
func (c *Client) CloseAll(ctx context.Context) error {
	return c.post(ctx, "/close_all", struct{}{}, nil)
}

// EvaluateAll implements Backend.
func (c *Client) EvaluateAll(ctx context.Context, taskIDs []string, experiment string) (AllResult, error) {
	var out AllResult
	if taskIDs == nil {
		taskIDs = []string{}
	}
	err := c.post(ctx, "/evaluate_all", evaluateAllRequest{TaskIDs: taskIDs, ExperimentName: experiment,
		SuppressErrors: Bool(true), IncludeDetails: Bool(true)}, &out)
	return out, err
}

// Save implements Server.
func (c *Client) Save(ctx context.Context, taskID string) error {
	return c.post(ctx, "/save", taskOnly{taskID}, nil)
}

// SaveLogs implements Server.
func (c *Client) SaveLogs(ctx context.Context, taskID string) error {
	return c.post(ctx, "/save_logs", taskOnly{taskID}, nil)
}

// SaveState implements Server.
func (c *Client) SaveState(ctx context.Context, taskID, stateID string) (string, error) {
	var out *string
	err := c.post(ctx, "/save_state", stateRequest{TaskID: taskID, StateID: stateID}, &out)
	if out == nil {
		return "", err
	}
	return *out, err
}

// LoadState implements Server.
func (c *Client) LoadState(ctx context.Context, taskID, stateID string) error {
	return c.post(ctx, "/load_state", stateRequest{TaskID: taskID, StateID: stateID}, nil)
}

// ShowTask implements Server.
func (c *Client) ShowTask(ctx context.Context, taskID string) (InitResponse, error) {
	var env struct {
		Output InitResponse `json:"output"`
	}
	err := c.get(ctx, "/tasks/"+url.PathEscape(taskID), &env)
	return env.Output, err
}

// APIDocs implements Server.
func (c *Client) APIDocs(ctx context.Context) (map[string]map[string]any, error) {
	var out map[string]map[string]any
	err := c.get(ctx, "/api_docs", &out)
	return out, err
}
