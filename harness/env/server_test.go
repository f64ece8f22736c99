package env_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

func newCounterServer(t testing.TB, opts env.ServerOptions) (*env.Server, *httptest.Server) {
	t.Helper()
	s, err := counter.Open(env.Options{Params: map[string]string{"tasks": "8"}})
	if err != nil {
		t.Fatal(err)
	}
	opts.Suites = []env.Suite{s}
	srv, err := env.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return srv, hs
}

// post sends body to path and decodes the JSON answer.
func post(t *testing.T, url, path, contentType, body string) (int, env.ServiceResponse) {
	t.Helper()
	resp, err := http.Post(url+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out env.ServiceResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s answered %d with a body that is not JSON: %q", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func createInstance(t *testing.T, url, id string) {
	t.Helper()
	code, out := post(t, url, "/create", "application/json", `{"env_type":"counter","task_id":"train-1","instance_id":"`+id+`"}`)
	if code != 200 || !out.Success {
		t.Fatalf("create: %d %+v", code, out)
	}
}

func TestServerRejectsBadRequests(t *testing.T) {
	_, hs := newCounterServer(t, env.ServerOptions{MaxBodyBytes: 4096})
	createInstance(t, hs.URL, "live")
	post(t, hs.URL, "/step", "", `{"instance_id":"live","messages":{"role":"assistant","content":"submit"},"params":{"seq":1}}`)
	big := `{"env_type":"counter","task_id":"` + strings.Repeat("x", 5000) + `"}`
	cases := []struct {
		name, path, ctype, body string
		code                    int
		detail                  string
	}{
		{"malformed JSON", "/create", "application/json", `{"env_type":`, 400, "malformed JSON"},
		{"not an object", "/step", "", `[1,2]`, 400, "malformed JSON"},
		{"trailing data", "/create", "", `{"env_type":"counter"} {}`, 400, "data after the JSON object"},
		{"unknown field", "/create", "", `{"env_typo":"counter"}`, 400, `unknown field "env_typo"`},
		{"empty body", "/evaluate", "", ``, 400, "empty request body"},
		{"oversized body", "/create", "", big, 413, "over the limit of 4096 bytes"},
		{"wrong content type", "/create", "text/plain", `{}`, 415, "must be application/json"},
		{"missing env_type", "/create", "", `{"task_id":"train-1"}`, 400, "env_type is required"},
		{"unknown suite", "/create", "", `{"env_type":"nope","task_id":"x"}`, 404, `unknown suite "nope"; served suites: counter`},
		{"missing task", "/create", "", `{"env_type":"counter"}`, 400, "task_id is required"},
		{"unknown task", "/create", "", `{"env_type":"counter","task_id":"train-99"}`, 404, `has no task "train-99"`},
		{"unknown split", "/create", "", `{"env_type":"counter","task_id":"train-1","params":{"split":"dev"}}`, 404, `no split "dev"`},
		{"split not a string", "/create", "", `{"env_type":"counter","task_id":"train-1","params":{"split":3}}`, 400, "params.split must be a string"},
		{"bad instance id", "/create", "", `{"env_type":"counter","task_id":"train-1","instance_id":"a/b"}`, 400, "only letters"},
		{"step unknown instance", "/step", "", `{"instance_id":"ghost","messages":{"content":"x"}}`, 404, `unknown instance_id "ghost"`},
		{"evaluate unknown instance", "/evaluate", "", `{"instance_id":"ghost"}`, 404, `unknown instance_id "ghost"`},
		{"release unknown instance", "/release", "", `{"instance_id":"ghost"}`, 404, `unknown instance_id "ghost"`},
		{"get_info unknown instance", "/get_info", "", `{"instance_id":"ghost"}`, 404, `unknown instance_id "ghost"`},
		{"step without instance", "/step", "", `{"messages":{"content":"x"}}`, 400, "instance_id is required"},
		{"step without messages", "/step", "", `{"instance_id":"live"}`, 400, "messages is required"},
		{"step with user role", "/step", "", `{"instance_id":"live","messages":{"role":"user","content":"x"}}`, 400, "comes from the assistant"},
		{"step seq not an integer", "/step", "", `{"instance_id":"live","messages":{"content":"x"},"params":{"seq":1.5}}`, 400, "params.seq must be a non-negative integer"},
		{"step seq out of order", "/step", "", `{"instance_id":"live","messages":{"content":"x"},"params":{"seq":5}}`, 409, "out of order"},
		{"step after done", "/step", "", `{"instance_id":"live","messages":{"content":"x"}}`, 409, "the episode is over"},
		{"profile unknown suite", "/get_env_profile", "", `{"env_type":"nope"}`, 404, `unknown suite "nope"`},
		{"profile unknown split", "/get_env_profile", "", `{"env_type":"counter","params":{"split":"dev"}}`, 404, `unknown split "dev"`},
		{"unknown endpoint", "/reset", "", `{}`, 404, "no endpoint /reset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := post(t, hs.URL, c.path, c.ctype, c.body)
			if code != c.code || out.Success || !strings.Contains(out.Detail, c.detail) {
				t.Errorf("got %d %q (success %v), want %d with %q", code, out.Detail, out.Success, c.code, c.detail)
			}
		})
	}
	resp, err := http.Get(hs.URL + "/step")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /step: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestServerProtocolShapes(t *testing.T) {
	_, hs := newCounterServer(t, env.ServerOptions{})
	code, out := post(t, hs.URL, "/get_env_profile", "", `{"env_type":"counter","params":{"split":"test"}}`)
	var ids []string
	json.Unmarshal(out.Data, &ids)
	if code != 200 || len(ids) != 8 || ids[0] != "test-0" || len(out.Tasks) != 8 || out.Tasks[3].Group != "test-g0" ||
		strings.Join(out.Splits, ",") != "train,test" {
		t.Fatalf("profile: %d ids %v tasks %v splits %v", code, ids, out.Tasks, out.Splits)
	}
	// The reference client sends every field, env_type "default" included, on every call.
	code, out = post(t, hs.URL, "/create", "", `{"env_type":"counter","task_id":"test-2","instance_id":"i1","messages":{},"params":{}}`)
	var st env.EnvState
	json.Unmarshal(out.Data, &st)
	if code != 200 || len(st.State) != 2 || st.State[0].Role != "system" || st.Info.InstanceID != "i1" || st.Info.TaskID != "test-2" || st.IsTerminated {
		t.Fatalf("create: %d %+v", code, st)
	}
	code, out = post(t, hs.URL, "/step", "", `{"env_type":"default","instance_id":"i1","messages":{"role":"assistant","content":"add 2"},"params":{}}`)
	st = env.EnvState{}
	json.Unmarshal(out.Data, &st)
	if code != 200 || len(st.State) != 1 || st.State[0].Content != "counter = 2" || st.Info.Seq != 1 || st.Info.Step["counter"] != 2.0 {
		t.Fatalf("step: %d %+v", code, st)
	}
	code, out = post(t, hs.URL, "/get_info", "", `{"instance_id":"i1"}`)
	var info env.InstanceInfo
	json.Unmarshal(out.Data, &info)
	if code != 200 || info.Task.ID != "test-2" || info.Steps != 1 || info.Done || info.Env.(map[string]any)["counter"] != 2.0 {
		t.Fatalf("get_info: %d %+v", code, info)
	}
	code, out = post(t, hs.URL, "/evaluate", "", `{"instance_id":"i1"}`)
	var score float64
	json.Unmarshal(out.Data, &score)
	// Target("test-2") is not 2, so one of the two tests (no bad reply) passes: not solved.
	if code != 200 || score != 0 || out.Evaluation.Success || out.Evaluation == nil || out.Evaluation.Passed != 1 || out.Evaluation.Total != 2 {
		t.Fatalf("evaluate: %d score %v %+v", code, score, out.Evaluation)
	}
	code, out = post(t, hs.URL, "/release", "", `{"instance_id":"i1"}`)
	if code != 200 || !out.Success || string(out.Data) != "true" {
		t.Fatalf("release: %d %+v", code, out)
	}
	resp, err := http.Get(hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "OK" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
}

func TestServerReapsIdleInstances(t *testing.T) {
	srv, hs := newCounterServer(t, env.ServerOptions{IdleTimeout: time.Minute})
	createInstance(t, hs.URL, "a")
	createInstance(t, hs.URL, "b")
	if n := srv.Reap(time.Now()); n != 0 || srv.Live() != 2 {
		t.Fatalf("fresh instances reaped: %d, live %d", n, srv.Live())
	}
	if n := srv.Reap(time.Now().Add(2 * time.Minute)); n != 2 || srv.Live() != 0 {
		t.Fatalf("idle instances: reaped %d, live %d", n, srv.Live())
	}
	code, out := post(t, hs.URL, "/step", "", `{"instance_id":"a","messages":{"content":"add 1"}}`)
	if code != 404 || !strings.Contains(out.Detail, "reaped") {
		t.Fatalf("step on a reaped instance: %d %q", code, out.Detail)
	}
}

func TestServerInstanceLimit(t *testing.T) {
	_, hs := newCounterServer(t, env.ServerOptions{MaxInstances: 2})
	createInstance(t, hs.URL, "a")
	createInstance(t, hs.URL, "b")
	createInstance(t, hs.URL, "a") // re-creating a live id starts it over; no new slot
	code, out := post(t, hs.URL, "/create", "", `{"env_type":"counter","task_id":"train-1","instance_id":"c"}`)
	if code != 503 || !strings.Contains(out.Detail, "the limit") {
		t.Fatalf("create past the limit: %d %q", code, out.Detail)
	}
}

func TestServeShutsDownOnCancel(t *testing.T) {
	s, _ := counter.Open(env.Options{})
	srv, err := env.NewServer(env.ServerOptions{Suites: []env.Suite{s}})
	if err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	c, _ := env.NewClient(env.ClientOptions{BaseURL: "http://" + ln.Addr().String()})
	e := env.NewRemoteEnv(c, "counter")
	if _, err := e.Reset(ctx, env.Task{ID: "train-0", Split: "train"}); err != nil {
		t.Fatal(err)
	}
	if srv.Live() != 1 {
		t.Fatalf("live %d", srv.Live())
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if srv.Live() != 0 {
		t.Fatalf("instances left after shutdown: %d", srv.Live())
	}
}

// slowSuite's environments block in Step until their context ends.
type slowSuite struct{ env.Suite }

func (s slowSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := s.Suite.NewEnv(ctx)
	return slowEnv{e}, err
}

type slowEnv struct{ env.Env }

func (slowEnv) Step(ctx context.Context, _ string) (env.StepResult, error) {
	<-ctx.Done()
	return env.StepResult{}, ctx.Err()
}

func TestServerCallDeadline(t *testing.T) {
	s, _ := counter.Open(env.Options{})
	srv, err := env.NewServer(env.ServerOptions{Suites: []env.Suite{slowSuite{s}}, CallTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	createInstance(t, hs.URL, "slow")
	start := time.Now()
	code, out := post(t, hs.URL, "/step", "", `{"instance_id":"slow","messages":{"content":"add 1"}}`)
	if code != 504 || !strings.Contains(out.Detail, "ran past 50ms") || time.Since(start) > time.Minute {
		t.Fatalf("slow step: %d %q after %s", code, out.Detail, time.Since(start))
	}
}
