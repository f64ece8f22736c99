package remote

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ServerFault tells a server's failure (worth sending the request to
// another server) from the request's (refused by every server) and the
// caller's (cancelled).
func TestServerFault(t *testing.T) {
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(`{"error":{"message":"no","type":"x","param":null,"code":null}}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/v1"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name  string
		url   string
		ctx   context.Context
		fault bool
	}{
		{"no server listening", down, context.Background(), true},
		{"503", status(http.StatusServiceUnavailable), context.Background(), true},
		{"429", status(http.StatusTooManyRequests), context.Background(), true},
		{"400", status(http.StatusBadRequest), context.Background(), false},
		{"404", status(http.StatusNotFound), context.Background(), false},
		{"cancelled", down, cancelled, false},
	}
	for _, c := range cases {
		cl, err := New(Options{BaseURL: c.url, Model: "m", MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.CompleteOne(c.ctx, TokenRequest{Prompt: []int{1}, MaxTokens: 1})
		if err == nil || ServerFault(err) != c.fault {
			t.Errorf("%s: error %v, ServerFault %v, want %v", c.name, err, ServerFault(err), c.fault)
		}
	}
}

// LoadWeights posts the path to /v1/load_weights and stays out of the
// usage; ResetUsage starts the counts afresh.
func TestLoadWeightsAndResetUsage(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v1/load_weights" {
			w.Write([]byte(`{"choices":[{"index":0,"text":"","finish_reason":"stop","logprobs":{"tokens":["token_id:3"],"token_logprobs":[-1]}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}`))
			return
		}
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		path = body["path"]
		w.Write([]byte(`{"success":true,"path":"x","weights_version":4,"system_fingerprint":"fp_1_w4"}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/v1", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteOne(context.Background(), TokenRequest{Prompt: []int{1}, MaxTokens: 1}); err != nil {
		t.Fatal(err)
	}
	v, err := c.LoadWeights(context.Background(), "/ckpt/step-3")
	if err != nil || v != (Weights{Version: 4, Fingerprint: "fp_1_w4"}) || path != "/ckpt/step-3" {
		t.Fatalf("LoadWeights: %+v, error %v, path sent %q", v, err, path)
	}
	if u := c.ResetUsage(); u.Requests != 1 || u.Retries != 0 || u.CompletionTokens != 1 {
		t.Errorf("usage %+v: want the one completion, no retry", u)
	}
	if u := c.Usage(); u.Requests != 0 || u.PromptTokens != 0 {
		t.Errorf("usage after the reset %+v: want none", u)
	}
}
