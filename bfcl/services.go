package bfcl

import (
	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/backends/websearch"
)

// The agentic categories' services, as callers outside the bfcl
// environment reach them (its backends are its own).
type (
	// Embedder gives the vector memory backend its sentence embeddings.
	Embedder = memory.Embedder
	// SearchProvider answers the web-search backend's queries and fetches.
	SearchProvider = websearch.Provider
)

// DefaultSerpAPIURL is SerpAPI's search endpoint.
const DefaultSerpAPIURL = websearch.DefaultSerpAPIURL

// OpenAIEmbedder embeds through an OpenAI-compatible /v1/embeddings
// endpoint (baseURL ends in /v1), asking for model.
func OpenAIEmbedder(baseURL, model, apiKey string) Embedder {
	return memory.NewOpenAIEmbedder(baseURL, model, apiKey)
}

// OfflineEmbedder is the offline hashed bag-of-words embedder (not
// upstream's model: it finds shared words only).
func OfflineEmbedder() Embedder { return memory.HashEmbedder{} }

// SerpAPISearch searches a SerpAPI-compatible endpoint and fetches live
// pages, retrying a rate-limited search at most maxRetries times.
func SerpAPISearch(url, apiKey string, maxRetries int) SearchProvider {
	return &websearch.SerpAPI{URL: url, APIKey: apiKey, MaxRetries: maxRetries}
}

// LoadSearchCorpus reads a recorded corpus file (docs/bfcl.md, "Agentic
// categories") for offline web search.
func LoadSearchCorpus(path string) (SearchProvider, error) {
	c, err := websearch.LoadCorpus(path)
	if err != nil {
		return nil, err
	}
	return c, nil
}
