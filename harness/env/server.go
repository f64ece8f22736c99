package env

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// ServerOptions configure an env-service Server. Zero values take the
// defaults named on each field.
type ServerOptions struct {
	// Suites are the suites served, addressed by their Name as env_type.
	Suites []Suite
	// MaxBodyBytes caps a request body (default 1 MiB); larger bodies are
	// answered 413.
	MaxBodyBytes int64
	// CallTimeout bounds one environment call (default 60 s); a call that
	// runs past it is answered 504.
	CallTimeout time.Duration
	// IdleTimeout is how long an instance may go unused before Reap
	// releases it (default 10 min).
	IdleTimeout time.Duration
	// MaxInstances caps the live instances (default 1024); /create past it
	// is answered 503.
	MaxInstances int
	// Logger receives one line per instance event; nil discards them.
	Logger *slog.Logger
}

func (o *ServerOptions) setDefaults() {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	if o.MaxInstances <= 0 {
		o.MaxInstances = 1024
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Server serves the env-service protocol for a set of suites: one episode
// per instance id. It is an http.Handler; Run adds the idle reaper.
type Server struct {
	opts   ServerOptions
	suites map[string]*servedSuite

	mu        sync.Mutex
	instances map[string]*instance
	pending   int // instances being created
	closed    bool
}

type servedSuite struct {
	suite  Suite
	splits []string
	// tasks maps split → task id → task.
	tasks map[string]map[string]Task
}

type instance struct {
	id   string
	task Task

	// mu serialises the calls on env, which is not safe for concurrent use.
	mu   sync.Mutex
	env  Env
	seq  int       // steps applied
	last *EnvState // the answer to step seq, replayed when it is asked again
	done bool
	gone bool // released; calls that were waiting answer 404

	// guarded by Server.mu
	lastUse time.Time
	busy    int
}

// NewServer indexes the tasks of every suite and returns a server for them.
func NewServer(opts ServerOptions) (*Server, error) {
	opts.setDefaults()
	if len(opts.Suites) == 0 {
		return nil, errors.New("env server: no suite to serve")
	}
	s := &Server{opts: opts, suites: map[string]*servedSuite{}, instances: map[string]*instance{}}
	for _, su := range opts.Suites {
		if _, dup := s.suites[su.Name()]; dup {
			return nil, fmt.Errorf("env server: suite %q given twice", su.Name())
		}
		ss := &servedSuite{suite: su, splits: su.Splits(), tasks: map[string]map[string]Task{}}
		for _, split := range ss.splits {
			tasks, err := su.Tasks(split)
			if err != nil {
				return nil, fmt.Errorf("env server: suite %s split %s: %w", su.Name(), split, err)
			}
			byID := make(map[string]Task, len(tasks))
			for _, t := range tasks {
				byID[t.ID] = t
			}
			ss.tasks[split] = byID
		}
		s.suites[su.Name()] = ss
	}
	return s, nil
}

// apiError is an error with the HTTP status it is answered with.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP routes the protocol's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == PathHealth {
		s.health(w, r)
		return
	}
	handler, ok := map[string]func(context.Context, ServiceRequest) (ServiceResponse, error){
		PathCreate:     s.create,
		PathStep:       s.step,
		PathEvaluate:   s.evaluate,
		PathRelease:    s.release,
		PathGetInfo:    s.getInfo,
		PathEnvProfile: s.envProfile,
	}[r.URL.Path]
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "no endpoint %s; endpoints: %s", r.URL.Path,
			strings.Join([]string{PathCreate, PathStep, PathEvaluate, PathRelease, PathGetInfo, PathEnvProfile, PathHealth}, ", ")))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, errorf(http.StatusMethodNotAllowed, "%s takes POST, not %s", r.URL.Path, r.Method))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, errorf(http.StatusUnsupportedMediaType, "content type %q; the body must be application/json", ct))
		return
	}
	body, err := readBody(w, r, s.opts.MaxBodyBytes)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := DecodeRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.CallTimeout)
	defer cancel()
	resp, err := handler(ctx, req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errorf(http.StatusGatewayTimeout, "%s: environment call ran past %s", r.URL.Path, s.opts.CallTimeout)
		}
		writeError(w, err)
		return
	}
	resp.Success = true
	writeJSON(w, http.StatusOK, resp)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errorf(http.StatusRequestEntityTooLarge, "request body over the limit of %d bytes", limit)
	case err != nil:
		return nil, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return body, nil
}

// DecodeRequest parses one request body strictly: a single JSON object with
// only the ServiceRequest fields. Its errors are answered 400.
func DecodeRequest(body []byte) (ServiceRequest, error) {
	var req ServiceRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if errors.Is(err, io.EOF) {
			return req, errorf(http.StatusBadRequest, "empty request body; expected a JSON object")
		}
		return req, errorf(http.StatusBadRequest, "malformed JSON request: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, errorf(http.StatusBadRequest, "malformed JSON request: data after the JSON object")
	}
	return req, nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, errorf(http.StatusMethodNotAllowed, "%s takes GET, not %s", PathHealth, r.Method))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "OK")
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{code: http.StatusInternalServerError, msg: err.Error()}
	}
	writeJSON(w, ae.code, ServiceResponse{Success: false, Detail: ae.msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func encodeData(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Suite data that cannot be encoded breaks the Env contract.
		b, _ = json.Marshal(map[string]string{"encoding_error": err.Error()})
	}
	return b
}

// lookupTask finds a task of suite by id, in split when given.
func (s *Server) lookupTask(req ServiceRequest) (Task, error) {
	if req.EnvType == "" {
		return Task{}, errorf(http.StatusBadRequest, "env_type is required; served suites: %s", strings.Join(s.suiteNames(), ", "))
	}
	ss, ok := s.suites[req.EnvType]
	if !ok {
		return Task{}, errorf(http.StatusNotFound, "unknown suite %q; served suites: %s", req.EnvType, strings.Join(s.suiteNames(), ", "))
	}
	if req.TaskID == "" {
		return Task{}, errorf(http.StatusBadRequest, "task_id is required")
	}
	split, err := stringParam(req.Params, "split")
	if err != nil {
		return Task{}, err
	}
	if split != "" {
		byID, ok := ss.tasks[split]
		if !ok {
			return Task{}, errorf(http.StatusNotFound, "suite %s has no split %q; splits: %s", req.EnvType, split, strings.Join(ss.splits, ", "))
		}
		if t, ok := byID[req.TaskID]; ok {
			return t, nil
		}
		return Task{}, errorf(http.StatusNotFound, "suite %s split %s has no task %q", req.EnvType, split, req.TaskID)
	}
	for _, sp := range ss.splits {
		if t, ok := ss.tasks[sp][req.TaskID]; ok {
			return t, nil
		}
	}
	return Task{}, errorf(http.StatusNotFound, "suite %s has no task %q", req.EnvType, req.TaskID)
}

func (s *Server) suiteNames() []string {
	names := make([]string, 0, len(s.suites))
	for n := range s.suites {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func stringParam(params map[string]any, key string) (string, error) {
	v, ok := params[key]
	if !ok || v == nil {
		return "", nil
	}
	str, ok := v.(string)
	if !ok {
		return "", errorf(http.StatusBadRequest, "params.%s must be a string, not %T", key, v)
	}
	return str, nil
}

// intParam reads an optional non-negative integer parameter; -1 when absent.
func intParam(params map[string]any, key string) (int, error) {
	v, ok := params[key]
	if !ok || v == nil {
		return -1, nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) || f < 0 || f > 1<<30 {
		return 0, errorf(http.StatusBadRequest, "params.%s must be a non-negative integer, not %v", key, v)
	}
	return int(f), nil
}

func validInstanceID(id string) error {
	if len(id) > 128 {
		return errorf(http.StatusBadRequest, "instance_id longer than 128 characters")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return errorf(http.StatusBadRequest, "instance_id %q: only letters, digits, '-', '_' and '.' are allowed", id)
		}
	}
	return nil
}

// NewInstanceID returns a random instance id.
func NewInstanceID() string {
	var b [12]byte
	rand.Read(b[:])
	return "inst-" + hex.EncodeToString(b[:])
}

func (s *Server) create(ctx context.Context, req ServiceRequest) (ServiceResponse, error) {
	task, err := s.lookupTask(req)
	if err != nil {
		return ServiceResponse{}, err
	}
	id := req.InstanceID
	if id == "" {
		id = NewInstanceID()
	} else if err := validInstanceID(id); err != nil {
		return ServiceResponse{}, err
	}
	// A create for a live id starts that episode over (it is how a
	// create whose answer was lost is retried).
	if old := s.remove(id); old != nil {
		s.closeInstance(old, "recreated")
	}
	if err := s.reserve(); err != nil {
		return ServiceResponse{}, err
	}
	e, err := s.suites[task.Suite].suite.NewEnv(ctx)
	if err == nil {
		var msgs []Message
		if msgs, err = e.Reset(ctx, task); err == nil {
			inst := &instance{id: id, task: task, env: e}
			if err = s.add(inst); err == nil {
				s.opts.Logger.Info("instance created", "instance", id, "suite", task.Suite, "task", task.ID)
				return ServiceResponse{Data: encodeData(EnvState{State: nonNil(msgs), Info: StateInfo{InstanceID: id, TaskID: task.ID}})}, nil
			}
		}
		e.Close()
	}
	s.unreserve()
	return ServiceResponse{}, fmt.Errorf("create %s task %s: %w", task.Suite, task.ID, err)
}

func nonNil(m []Message) []Message {
	if m == nil {
		return []Message{}
	}
	return m
}

// reserve counts a slot for an instance being created.
func (s *Server) reserve() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errorf(http.StatusServiceUnavailable, "server is shutting down")
	}
	if len(s.instances)+s.pending >= s.opts.MaxInstances {
		return errorf(http.StatusServiceUnavailable, "%d instances live, the limit; release some or retry later", len(s.instances))
	}
	s.pending++
	return nil
}

func (s *Server) unreserve() {
	s.mu.Lock()
	s.pending--
	s.mu.Unlock()
}

// add turns a reserved slot into a live instance.
func (s *Server) add(inst *instance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errorf(http.StatusServiceUnavailable, "server is shutting down")
	}
	if s.instances[inst.id] != nil {
		return errorf(http.StatusConflict, "instance %s was created twice at once", inst.id)
	}
	s.pending--
	inst.lastUse = time.Now()
	s.instances[inst.id] = inst
	return nil
}

func (s *Server) remove(id string) *instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.instances[id]
	if inst != nil {
		delete(s.instances, id)
	}
	return inst
}

func (s *Server) closeInstance(inst *instance, why string) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.gone {
		return
	}
	inst.gone = true
	if err := inst.env.Close(); err != nil {
		s.opts.Logger.Warn("instance close failed", "instance", inst.id, "err", err)
	}
	s.opts.Logger.Info("instance released", "instance", inst.id, "why", why, "steps", inst.seq)
}

// acquire finds a live instance, marks it busy and locks it; release with
// the returned function.
func (s *Server) acquire(id string) (*instance, func(), error) {
	if id == "" {
		return nil, nil, errorf(http.StatusBadRequest, "instance_id is required")
	}
	s.mu.Lock()
	inst := s.instances[id]
	if inst != nil {
		inst.busy++
		inst.lastUse = time.Now()
	}
	s.mu.Unlock()
	if inst == nil {
		return nil, nil, errorf(http.StatusNotFound, "unknown instance_id %q (never created, released or reaped)", id)
	}
	inst.mu.Lock()
	done := func() {
		inst.mu.Unlock()
		s.mu.Lock()
		inst.busy--
		inst.lastUse = time.Now()
		s.mu.Unlock()
	}
	if inst.gone {
		done()
		return nil, nil, errorf(http.StatusNotFound, "unknown instance_id %q (released)", id)
	}
	return inst, done, nil
}

// stepAction reads the action text from messages: {"role": ..., "content": ...}.
func stepAction(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errorf(http.StatusBadRequest, `messages is required: {"role": "assistant", "content": "<the agent's reply>"}`)
	}
	var m struct {
		Role    string  `json:"role"`
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", errorf(http.StatusBadRequest, `messages must be {"role": "assistant", "content": "<text>"}: %v`, err)
	}
	if m.Content == nil {
		return "", errorf(http.StatusBadRequest, "messages.content is required")
	}
	if m.Role != "" && m.Role != "assistant" {
		return "", errorf(http.StatusBadRequest, "messages.role is %q; an action comes from the assistant", m.Role)
	}
	return *m.Content, nil
}

func (s *Server) step(ctx context.Context, req ServiceRequest) (ServiceResponse, error) {
	action, err := stepAction(req.Messages)
	if err != nil {
		return ServiceResponse{}, err
	}
	seq, err := intParam(req.Params, "seq")
	if err != nil {
		return ServiceResponse{}, err
	}
	inst, done, err := s.acquire(req.InstanceID)
	if err != nil {
		return ServiceResponse{}, err
	}
	defer done()
	if seq >= 0 && seq == inst.seq && inst.last != nil {
		// The answer to this step was lost on the way; send it again.
		return ServiceResponse{Data: encodeData(inst.last)}, nil
	}
	if seq >= 0 && seq != inst.seq+1 {
		return ServiceResponse{}, errorf(http.StatusConflict, "step seq %d out of order: instance %s has applied %d steps", seq, inst.id, inst.seq)
	}
	if inst.done {
		return ServiceResponse{}, errorf(http.StatusConflict, "instance %s: the episode is over; call /evaluate or /release", inst.id)
	}
	res, err := inst.env.Step(ctx, action)
	if err != nil {
		return ServiceResponse{}, fmt.Errorf("step %d of instance %s: %w", inst.seq+1, inst.id, err)
	}
	inst.seq++
	inst.done = res.Done
	inst.last = &EnvState{State: nonNil(res.Messages), IsTerminated: res.Done,
		Info: StateInfo{InstanceID: inst.id, TaskID: inst.task.ID, Seq: inst.seq, Step: res.Info}}
	return ServiceResponse{Data: encodeData(inst.last)}, nil
}

func (s *Server) evaluate(ctx context.Context, req ServiceRequest) (ServiceResponse, error) {
	inst, done, err := s.acquire(req.InstanceID)
	if err != nil {
		return ServiceResponse{}, err
	}
	defer done()
	ev, err := inst.env.Evaluate(ctx)
	if err != nil {
		return ServiceResponse{}, fmt.Errorf("evaluate instance %s: %w", inst.id, err)
	}
	return ServiceResponse{Data: encodeData(ev.Score()), Evaluation: &ev}, nil
}

func (s *Server) release(_ context.Context, req ServiceRequest) (ServiceResponse, error) {
	if req.InstanceID == "" {
		return ServiceResponse{}, errorf(http.StatusBadRequest, "instance_id is required")
	}
	inst := s.remove(req.InstanceID)
	if inst == nil {
		return ServiceResponse{}, errorf(http.StatusNotFound, "unknown instance_id %q (never created, released or reaped)", req.InstanceID)
	}
	s.closeInstance(inst, "released")
	return ServiceResponse{Data: encodeData(true)}, nil
}

func (s *Server) getInfo(_ context.Context, req ServiceRequest) (ServiceResponse, error) {
	inst, done, err := s.acquire(req.InstanceID)
	if err != nil {
		return ServiceResponse{}, err
	}
	defer done()
	info := InstanceInfo{InstanceID: inst.id, Task: inst.task, Steps: inst.seq, Done: inst.done}
	if d, ok := inst.env.(Describer); ok {
		info.Env = d.Describe()
	}
	return ServiceResponse{Data: encodeData(info)}, nil
}

func (s *Server) envProfile(_ context.Context, req ServiceRequest) (ServiceResponse, error) {
	ss, ok := s.suites[req.EnvType]
	if !ok {
		return ServiceResponse{}, errorf(http.StatusNotFound, "unknown suite %q; served suites: %s", req.EnvType, strings.Join(s.suiteNames(), ", "))
	}
	split, err := stringParam(req.Params, "split")
	if err != nil {
		return ServiceResponse{}, err
	}
	if split == "" {
		// The reference defaults to train; a suite without one lists its first split.
		split = "train"
		if _, ok := ss.tasks[split]; !ok && len(ss.splits) > 0 {
			split = ss.splits[0]
		}
	}
	tasks, err := ss.suite.Tasks(split)
	if err != nil {
		return ServiceResponse{}, errorf(http.StatusNotFound, "suite %s: %v", req.EnvType, err)
	}
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	return ServiceResponse{Data: encodeData(ids), Tasks: tasks, Splits: ss.splits}, nil
}

// Live reports the number of live instances.
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.instances)
}

// Reap releases the instances unused since now minus the idle timeout and
// returns how many it released.
func (s *Server) Reap(now time.Time) int {
	var idle []*instance
	s.mu.Lock()
	for id, inst := range s.instances {
		if inst.busy == 0 && now.Sub(inst.lastUse) > s.opts.IdleTimeout {
			idle = append(idle, inst)
			delete(s.instances, id)
		}
	}
	s.mu.Unlock()
	for _, inst := range idle {
		s.closeInstance(inst, "idle")
	}
	return len(idle)
}

// Close releases every instance and refuses new ones.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	var all []*instance
	for id, inst := range s.instances {
		all = append(all, inst)
		delete(s.instances, id)
	}
	s.mu.Unlock()
	for _, inst := range all {
		s.closeInstance(inst, "shutdown")
	}
}

// Serve answers the protocol on ln until ctx is cancelled, reaping idle
// instances every reapEvery (a tenth of the idle timeout when zero), then
// shuts down gracefully and releases every instance.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.opts.CallTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	every := s.opts.IdleTimeout / 10
	if every < time.Second {
		every = time.Second
	}
	stopReaper := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				if n := s.Reap(now); n > 0 {
					s.opts.Logger.Info("reaped idle instances", "count", n)
				}
			case <-stopReaper:
				return
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(sctx)
		cancel()
	case err = <-errc:
	}
	close(stopReaper)
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// ServeLoopback serves suites on a free loopback port in this process and
// returns a client of that server and the function that stops it (and
// waits for its shutdown). Tests and benchmarks use it to put a real HTTP
// hop between a driver and its environments.
func ServeLoopback(suites ...Suite) (c *Client, stop func(), err error) {
	srv, err := NewServer(ServerOptions{Suites: suites})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	if c, err = NewClient(ClientOptions{BaseURL: "http://" + ln.Addr().String()}); err != nil {
		ln.Close()
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return c, func() { cancel(); <-done }, nil
}
