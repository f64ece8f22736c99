package serve

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
)

// maxEmbeddingInputs bounds the inputs of one /v1/embeddings request (the
// OpenAI API's limit).
const maxEmbeddingInputs = 2048

// embeddingRequest is the body of POST /v1/embeddings.
type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
	User           string          `json:"user"`
}

type embeddingData struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"` // []float32, or a base64 string
}

type embeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

type embeddingResponse struct {
	Object string          `json:"object"`
	Data   []embeddingData `json:"data"`
	Model  string          `json:"model"`
	Usage  embeddingUsage  `json:"usage"`
}

// embeddings serves POST /v1/embeddings: each input's sentence embedding
// (transformer.Model.Embed: mean-pooled final-norm hidden states at unit
// length), as float lists or, with encoding_format "base64", as
// little-endian float32 bytes in base64.
func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := s.embed(r, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) embed(r *http.Request, req embeddingRequest) (*embeddingResponse, error) {
	if err := s.checkModel(req.Model); err != nil {
		return nil, err
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		return nil, badRequest("encoding_format", "", "encoding_format %q: allowed values are float and base64", req.EncodingFormat)
	}
	ld := s.current.Load()
	if req.Dimensions != nil && *req.Dimensions != ld.cfg.HiddenSize {
		return nil, badRequest("dimensions", "", "dimensions %d: this model's embeddings have %d dimensions (hidden_size) and are not truncated", *req.Dimensions, ld.cfg.HiddenSize)
	}
	inputs, err := embeddingInputs(ld, req.Input)
	if err != nil {
		return nil, err
	}
	tokens := 0
	for _, ids := range inputs {
		if err := checkLimits(ld, ids, 0, "input"); err != nil {
			return nil, err
		}
		tokens += len(ids)
	}
	res, err := s.enqueue(r.Context(), &job{ctx: r.Context(), embed: inputs, done: make(chan jobResult, 1)})
	if err != nil {
		return nil, err
	}
	resp := &embeddingResponse{Object: "list", Model: s.name, Usage: embeddingUsage{PromptTokens: tokens, TotalTokens: tokens}}
	for i, v := range res.vectors {
		d := embeddingData{Object: "embedding", Index: i, Embedding: v}
		if req.EncodingFormat == "base64" {
			d.Embedding = base64Floats(v)
		}
		resp.Data = append(resp.Data, d)
	}
	return resp, nil
}

// embeddingInputs reads "input": a string, a list of strings, a list of
// token ids, or a list of token-id lists.
func embeddingInputs(ld *loaded, raw json.RawMessage) ([][]int, error) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return checkInputCount([][]int{ld.tok.Encode(text)})
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil {
		out := make([][]int, len(texts))
		for i, t := range texts {
			out[i] = ld.tok.Encode(t)
		}
		return checkInputCount(out)
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil {
		return checkInputCount([][]int{ids})
	}
	var lists [][]int
	if json.Unmarshal(raw, &lists) == nil {
		return checkInputCount(lists)
	}
	return nil, badRequest("input", "", "input must be a string, a list of strings, a list of token ids, or a list of token-id lists")
}

func checkInputCount(inputs [][]int) ([][]int, error) {
	if len(inputs) == 0 {
		return nil, badRequest("input", "", "input is an empty list")
	}
	if len(inputs) > maxEmbeddingInputs {
		return nil, badRequest("input", "", "input has %d items; at most %d per request", len(inputs), maxEmbeddingInputs)
	}
	return inputs, nil
}

// embedJob embeds every input with the loaded weights.
func embedJob(ld *loaded, inputs [][]int) jobResult {
	res := jobResult{version: ld.version, fingerprint: ld.fingerprint}
	for _, ids := range inputs {
		v, err := ld.model.Embed(ids)
		if err != nil {
			return jobResult{err: err}
		}
		res.vectors = append(res.vectors, v)
	}
	return res
}

// base64Floats is OpenAI's base64 encoding of an embedding.
func base64Floats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
