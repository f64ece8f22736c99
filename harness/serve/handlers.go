package serve

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/seeupo/seeupo/policy/transformer"
)

// Handler routes the server's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("POST /v1/completions", s.completions)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("POST /v1/load_weights", s.loadWeights)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Type: notFound,
			Message: fmt.Sprintf("no endpoint %s %s; known: GET /health, GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /v1/load_weights", r.Method, r.URL.Path)})
	})
	return mux
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	ld := s.current.Load()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "model": s.name, "weights_version": ld.version,
		"system_fingerprint": ld.fingerprint})
}

func (s *Server) models(w http.ResponseWriter, _ *http.Request) {
	ld := s.current.Load()
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{{
		"id": s.name, "object": "model", "created": s.created, "owned_by": "seeupo",
		"max_model_len": ld.cfg.MaxPositionEmbeddings, "root": ld.path}}})
}

func (s *Server) loadWeights(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path      string `json:"path"`
		ModelPath string `json:"model_path"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, err)
		return
	}
	path := body.Path
	if path == "" {
		path = body.ModelPath
	}
	if path == "" {
		writeError(w, badRequest("path", "", "path: give the model directory to load (config.json, model.safetensors)"))
		return
	}
	version, fp, err := s.LoadWeights(path)
	if err != nil {
		writeError(w, badRequest("path", "load_failed", "loading %s: %v", path, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "path": path, "weights_version": version,
		"system_fingerprint": fp})
}

// checkModel answers 404 for a model the server does not serve.
func (s *Server) checkModel(name string) error {
	if name == "" || name == s.name {
		return nil
	}
	return &apiError{Status: http.StatusNotFound, Type: invalidRequest, Param: "model", Code: "model_not_found",
		Message: fmt.Sprintf("The model `%s` does not exist; this server serves `%s`.", name, s.name)}
}

// request turns the shared sampling fields into a generation request;
// defaultMax is used when max_tokens is absent (≤ 0: the rest of the
// context).
func (s *Server) request(ld *loaded, p sampling, prompt []int, maxTokens *int, defaultMax int, param string) (transformer.Request, error) {
	req := transformer.Request{Prompt: prompt, Temperature: 1, StopTokens: []int{ld.end}}
	if p.N != nil && *p.N != 1 {
		return req, badRequest("n", "", "n is %d: this server returns one choice (n = 1)", *p.N)
	}
	switch {
	case maxTokens != nil && *maxTokens < 1:
		return req, badRequest("max_tokens", "invalid_value", "max_tokens is %d: it must be at least 1", *maxTokens)
	case maxTokens != nil:
		req.MaxTokens = *maxTokens
	case defaultMax > 0:
		req.MaxTokens = min(defaultMax, max(1, ld.cfg.MaxPositionEmbeddings-len(prompt)))
	default:
		req.MaxTokens = max(1, ld.cfg.MaxPositionEmbeddings-len(prompt))
	}
	if p.Temperature != nil {
		if *p.Temperature < 0 {
			return req, badRequest("temperature", "invalid_value", "temperature is %g: it must not be negative", *p.Temperature)
		}
		req.Temperature = *p.Temperature
	}
	if p.TopP != nil {
		if *p.TopP <= 0 || *p.TopP > 1 {
			return req, badRequest("top_p", "invalid_value", "top_p is %g: it must be in (0, 1]", *p.TopP)
		}
		req.TopP = *p.TopP
	}
	if p.TopK != nil && *p.TopK > 0 {
		req.TopK = *p.TopK
	}
	req.Seed = requestSeed(p.Seed)
	stops, err := p.stops()
	if err != nil {
		return req, err
	}
	req.Stop = stops
	return req, checkLimits(ld, prompt, req.MaxTokens, param)
}

// requestSeed is the sampler seed of a request: its seed (0 is taken as 1,
// as the in-process policy does, since the generator reads 0 as "draw
// one"), or a fresh random one.
func requestSeed(seed *int64) uint64 {
	switch {
	case seed == nil:
		return rand.Uint64() | 1
	case *seed == 0:
		return 1
	}
	return uint64(*seed)
}

type completionRequest struct {
	sampling
	Prompt          json.RawMessage `json:"prompt"`
	Logprobs        *int            `json:"logprobs"`
	Echo            bool            `json:"echo"`
	TokensAsTokenID bool            `json:"return_tokens_as_token_ids"`
}

// promptIDs reads "prompt": token ids, one list of token ids, a string or
// a one-string list.
func promptIDs(ld *loaded, raw json.RawMessage) ([]int, error) {
	var ids []int
	if json.Unmarshal(raw, &ids) == nil {
		return ids, nil
	}
	var lists [][]int
	if json.Unmarshal(raw, &lists) == nil && len(lists) == 1 {
		return lists[0], nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return ld.tok.Encode(text), nil
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil && len(texts) == 1 {
		return ld.tok.Encode(texts[0]), nil
	}
	return nil, badRequest("prompt", "", "prompt must be a string, a list of token ids, or a list holding one of them (one prompt per request)")
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := s.complete(r, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) complete(r *http.Request, req completionRequest) (*completionResponse, error) {
	if err := s.checkModel(req.Model); err != nil {
		return nil, err
	}
	if req.Echo || req.Stream {
		return nil, badRequest("", "unsupported", "echo and stream are not supported on /v1/completions")
	}
	ld := s.current.Load()
	prompt, err := promptIDs(ld, req.Prompt)
	if err != nil {
		return nil, err
	}
	treq, err := s.request(ld, req.sampling, prompt, req.MaxTokens, 16, "prompt")
	if err != nil {
		return nil, err
	}
	res, err := s.submit(r.Context(), treq)
	if err != nil {
		return nil, err
	}
	c := res.comp
	text := s.decodeReply(ld, c.Tokens)
	choice := completionChoice{Text: text, FinishReason: c.FinishReason}
	if req.Logprobs != nil {
		choice.Logprobs = tokenLogprobs(ld, c, req.TokensAsTokenID)
	}
	return &completionResponse{ID: s.newID("cmpl"), Object: "text_completion", Created: time.Now().Unix(),
		Model: s.name, SystemFingerprint: res.fingerprint, Choices: []completionChoice{choice},
		Usage: newUsage(len(prompt), len(c.Tokens))}, nil
}

// decodeReply is the text of generated ids without the end-of-turn token.
func (s *Server) decodeReply(ld *loaded, ids []int) string {
	if n := len(ids); n > 0 && ids[n-1] == ld.end {
		ids = ids[:n-1]
	}
	text, _ := ld.tok.Decode(ids)
	return text
}

// tokenLogprobs lists every generated token (the stop token included)
// with its log-prob; asIDs writes the tokens as "token_id:N".
func tokenLogprobs(ld *loaded, c transformer.Completion, asIDs bool) *completionLogprobs {
	lp := &completionLogprobs{TokenLogprobs: c.LogProbs, Tokens: make([]string, len(c.Tokens)),
		TextOffset: make([]int, len(c.Tokens))}
	offset := 0
	for i, id := range c.Tokens {
		piece, _ := ld.tok.Decode([]int{id})
		lp.TextOffset[i] = offset
		offset += len(piece)
		lp.Tokens[i] = piece
		if asIDs {
			lp.Tokens[i] = "token_id:" + strconv.Itoa(id)
		}
	}
	return lp
}
