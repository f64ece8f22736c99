package memory

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/seeupo/seeupo/bfcl/py"
)

// EmbedderKey is the backend.Process service key of the vector backend's
// Embedder.
const EmbedderKey = "memory.embedder"

// Embedder turns texts into vectors, one per text, all of one dimension.
// The vector backend L2-normalises them (upstream asks its model for
// normalised embeddings).
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// HashEmbedder is the offline embedder: a hashed bag of words. Each
// lower-cased word (a run of letters and digits) adds ±1 to one of Dim
// coordinates, both chosen by its FNV-1a hash. Texts sharing words get a
// positive cosine similarity. It is deterministic and needs no model; it
// is not upstream's all-MiniLM-L6-v2 and ranks by shared words only.
type HashEmbedder struct {
	// Dim is the vector length (256 when 0).
	Dim int
}

// Embed implements Embedder.
func (h HashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	dim := h.Dim
	if dim <= 0 {
		dim = 256
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, dim)
		words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, w := range words {
			f := fnv.New64a()
			_, _ = f.Write([]byte(w))
			x := f.Sum64()
			sign := float32(1)
			if x>>63 == 1 {
				sign = -1
			}
			v[x%uint64(dim)] += sign
		}
		out[i] = v
	}
	return out, nil
}

// OpenAIEmbedder asks an OpenAI-compatible /v1/embeddings endpoint.
type OpenAIEmbedder struct {
	client  openai.Client
	model   string
	timeout time.Duration
}

// NewOpenAIEmbedder talks to the endpoint at baseURL (".../v1") with the
// model name and API key given (key may be empty for local servers).
func NewOpenAIEmbedder(baseURL, model, apiKey string) *OpenAIEmbedder {
	if apiKey == "" {
		apiKey = "none"
	}
	c := openai.NewClient(option.WithBaseURL(baseURL), option.WithAPIKey(apiKey), option.WithMaxRetries(3))
	return &OpenAIEmbedder{client: c, model: model, timeout: 2 * time.Minute}
}

// Embed implements Embedder.
func (o *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
		Model: o.model,
	})
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	if len(res.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings: %d vectors for %d texts", len(res.Data), len(texts))
	}
	data := append(res.Data[:0:0], res.Data...)
	sort.SliceStable(data, func(a, b int) bool { return data[a].Index < data[b].Index })
	out := make([][]float32, len(data))
	for i, d := range data {
		if int(d.Index) != i {
			return nil, fmt.Errorf("embeddings: indexes are not 0..%d", len(texts)-1)
		}
		v := make([]float32, len(d.Embedding))
		for j, x := range d.Embedding {
			v[j] = float32(x)
		}
		out[i] = v
	}
	return out, nil
}

// normalize L2-normalises vectors in float32, as
// normalize_embeddings=True does (a zero vector stays zero).
func normalize(vs [][]float32) [][]float32 {
	for _, v := range vs {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		n := math.Sqrt(s)
		if n == 0 {
			continue
		}
		for j := range v {
			v[j] = float32(float64(v[j]) / n)
		}
	}
	return vs
}

// errNoEmbedder is raised when the vector backend has no Embedder.
func errNoEmbedder() error {
	return py.Errorf("RuntimeError", "MemoryAPI_vector has no embedding service (an OpenAI-compatible /v1/embeddings endpoint or the offline hash embedder)")
}
