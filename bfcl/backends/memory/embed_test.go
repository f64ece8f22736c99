package memory_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backends/memory"
)

// An OpenAI-compatible /v1/embeddings server: the client sends the model
// and the texts, and takes the vectors back in index order (the server
// answers them reversed).
func TestOpenAIEmbedder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer secret" {
			t.Errorf("request %s with %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "all-MiniLM-L6-v2" {
			t.Errorf("body: %+v, %v", req, err)
		}
		var data []map[string]any
		for i := len(req.Input) - 1; i >= 0; i-- {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": []float64{float64(len(req.Input[i])), 0.5}})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
			"usage": map[string]any{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	defer srv.Close()
	e := memory.NewOpenAIEmbedder(srv.URL+"/v1", "all-MiniLM-L6-v2", "secret")
	vs, err := e.Embed(context.Background(), []string{"a", "bbb"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0][0] != 1 || vs[1][0] != 3 || vs[1][1] != 0.5 {
		t.Errorf("vectors %v, want [[1 0.5] [3 0.5]]", vs)
	}
	// The vector store normalises what the service returns.
	ex := executor(t, memory.VectorClassName, nil, e)
	out := ex.ExecuteOne("archival_memory_add(text='bbb')")
	if out != `{"id": 0}` {
		t.Fatalf("add: %s", out)
	}
	_, scores := retrieved(t, ex.ExecuteOne("archival_memory_retrieve(query='bbb')"))
	if len(scores) != 1 || math.Abs(scores[0]-1) > 1e-6 {
		t.Errorf("self-similarity %v, want 1", scores)
	}
	bad := memory.NewOpenAIEmbedder("http://127.0.0.1:1/v1", "m", "")
	if _, err := bad.Embed(context.Background(), []string{"a"}); err == nil || !strings.Contains(err.Error(), "embeddings") {
		t.Errorf("unreachable service: %v", err)
	}
}
