package remote

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
)

// A server that fails the first attempt with 503 is retried by the SDK;
// the retry is counted, the request is counted once, and the request
// carries the token-id prompt, the seed and return_tokens_as_token_ids.
func TestCompleteRetriesAndCounts(t *testing.T) {
	var attempts atomic.Int32
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"message":"busy","type":"server_error","param":null,"code":null}}`))
			return
		}
		json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"c","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"ab",
"finish_reason":"stop","logprobs":{"tokens":["token_id:7","token_id:2"],"token_logprobs":[-0.5,-1.25],"text_offset":[0,1],"top_logprobs":null}}],
"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/v1", Model: "m", MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Complete(context.Background(), []TokenRequest{{Prompt: []int{1, 2, 3}, MaxTokens: 4, Temperature: 1, Seed: 1<<63 + 5}})
	if err != nil {
		t.Fatal(err)
	}
	want := TokenResult{Tokens: []int{7, 2}, LogProbs: []float64{-0.5, -1.25}, FinishReason: "stop"}
	if !reflect.DeepEqual(res[0], want) {
		t.Errorf("result %+v, want %+v", res[0], want)
	}
	u := c.Usage()
	if u.Requests != 1 || u.Retries != 1 || u.PromptTokens != 3 || u.CompletionTokens != 2 || u.Failures != 0 {
		t.Errorf("usage %+v: want 1 request, 1 retry, 3 + 2 tokens", u)
	}
	if !reflect.DeepEqual(body["prompt"], []any{1.0, 2.0, 3.0}) || body["return_tokens_as_token_ids"] != true ||
		body["logprobs"] != 0.0 || body["temperature"] != 1.0 {
		t.Errorf("request body %v", body)
	}
	// The seed's bits travel as an int64.
	if seed, ok := body["seed"].(float64); !ok || seed >= 0 {
		t.Errorf("seed %v: want the negative int64 with the uint64's bits", body["seed"])
	}
}
