package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/transformer"
)

// The SDK's embeddings call gets one unit-length vector per input, in
// order, each the model's Embed of the input's tokens (Embed itself is
// checked against PyTorch in policy/transformer), with the tokens counted.
func TestEmbeddingsThroughSDK(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	texts := []string{question, "Paris", systemPrompt}
	client := sdkClient(base)
	res, err := client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "tiny", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.CPU(1).Load(taught, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := models.LoadTokenizer(taught)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != len(texts) || res.Model != "tiny" || res.Object != "list" {
		t.Fatalf("%d vectors, model %q, object %q; want %d, tiny, list", len(res.Data), res.Model, res.Object, len(texts))
	}
	tokens := 0
	for i, text := range texts {
		ids := tok.Encode(text)
		tokens += len(ids)
		want, err := m.Embed(ids)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Data[i]
		if got.Index != int64(i) || len(got.Embedding) != len(want) {
			t.Fatalf("vector %d: index %d, %d components; want %d", i, got.Index, len(got.Embedding), len(want))
		}
		norm := 0.0
		for j, v := range got.Embedding {
			norm += v * v
			if float32(v) != want[j] { // float32 values written in their shortest form
				t.Fatalf("vector %d component %d: %g, want %g", i, j, v, want[j])
			}
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Errorf("vector %d: squared norm %g, want 1", i, norm)
		}
	}
	if res.Usage.PromptTokens != int64(tokens) || res.Usage.TotalTokens != int64(tokens) {
		t.Errorf("usage %+v, want %d prompt and total tokens", res.Usage, tokens)
	}
}

// base64 answers carry the same float32 values as float answers.
func TestEmbeddingsBase64(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	asFloats := postEmbeddings(t, base, `{"model":"tiny","input":[5,9,12]}`, http.StatusOK)
	asBase64 := postEmbeddings(t, base, `{"model":"tiny","input":[[5,9,12]],"encoding_format":"base64"}`, http.StatusOK)
	var floats []float32
	if err := json.Unmarshal(asFloats.Data[0].Embedding, &floats); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := json.Unmarshal(asBase64.Data[0].Embedding, &text); err != nil {
		t.Fatalf("base64 embedding is not a string: %s", asBase64.Data[0].Embedding)
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != 4*len(floats) {
		t.Fatalf("base64 embedding: %d bytes (%v), want %d", len(raw), err, 4*len(floats))
	}
	for i, want := range floats {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); got != want {
			t.Fatalf("component %d: %g, float answer %g", i, got, want)
		}
	}
	if asFloats.Usage.PromptTokens != 3 {
		t.Errorf("usage %+v, want 3 prompt tokens", asFloats.Usage)
	}
}

// Bad requests are OpenAI-style 400/404 errors that name the field.
func TestEmbeddingsRejectBadInput(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{"model":"tiny","input":"x","encoding_format":"int8"}`, "allowed values are float and base64", 400},
		{`{"model":"tiny","input":"x","dimensions":3}`, "not truncated", 400},
		{`{"model":"tiny","input":[]}`, "empty list", 400},
		{`{"model":"tiny","input":{"a":1}}`, "input must be", 400},
		{`{"model":"tiny","input":[99999]}`, "outside the vocabulary", 400},
		{`{"model":"tiny","input":[[]]}`, "input is empty", 400},
		{`{"model":"other","input":"x"}`, "other", 404},
	} {
		res, err := http.Post(base+"/embeddings", "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error apiError `json:"error"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != c.status || !strings.Contains(body.Error.Message, c.want) {
			t.Errorf("%s: status %d, error %q (%v); want %d with %q", c.body, res.StatusCode, body.Error.Message, err, c.status, c.want)
		}
	}
}

// Embeddings and completions share the model's goroutine: asked together
// they all succeed, and an input embeds the same alone and among others.
func TestEmbeddingsAlongsideCompletions(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	alone := postEmbeddings(t, base, `{"model":"tiny","input":"Paris"}`, http.StatusOK)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				got, status, err := fetchEmbeddings(base, `{"model":"tiny","input":["Paris","city"]}`)
				if err != nil || status != http.StatusOK {
					t.Errorf("embeddings alongside completions: status %d (%v)", status, err)
				} else if !bytes.Equal(got.Data[0].Embedding, alone.Data[0].Embedding) {
					t.Errorf("Paris embeds differently among other inputs")
				}
				return
			}
			res, err := http.Post(base+"/completions", "application/json",
				strings.NewReader(`{"model":"tiny","prompt":"Paris","max_tokens":4,"temperature":0}`))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("completion alongside embeddings: status %d", res.StatusCode)
			}
		}()
	}
	wg.Wait()
}

type rawEmbeddings struct {
	Data []struct {
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Usage embeddingUsage `json:"usage"`
}

func postEmbeddings(t *testing.T, base, body string, status int) rawEmbeddings {
	t.Helper()
	out, got, err := fetchEmbeddings(base, body)
	if err != nil || got != status {
		t.Fatalf("%s: status %d (%v), want %d", body, got, err, status)
	}
	return out
}

func fetchEmbeddings(base, body string) (rawEmbeddings, int, error) {
	var out rawEmbeddings
	res, err := http.Post(base+"/embeddings", "application/json", strings.NewReader(body))
	if err != nil {
		return out, 0, err
	}
	defer res.Body.Close()
	return out, res.StatusCode, json.NewDecoder(res.Body).Decode(&out)
}
