package websearch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/seeupo/seeupo/bfcl/backends/bm25"
	"github.com/seeupo/seeupo/bfcl/py"
)

// SerpAPI searches through a SerpAPI-compatible endpoint with upstream's
// parameters (engine=duckduckgo, q, kl, api_key) and fetches pages live
// with upstream's browser-like headers. A rate-limit answer (HTTP 429, or
// an "error" naming 429) is retried with exponential back-off, as
// upstream does.
type SerpAPI struct {
	// URL is the search endpoint (https://serpapi.com/search.json).
	URL    string
	APIKey string
	Client *http.Client
	// MaxRetries bounds the rate-limit retries (upstream retries
	// forever); Backoff is the first wait (2 s when 0), doubled up to
	// 120 s.
	MaxRetries int
	Backoff    time.Duration
}

// DefaultSerpAPIURL is SerpAPI's search endpoint.
const DefaultSerpAPIURL = "https://serpapi.com/search.json"

func (s *SerpAPI) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// Search implements Provider.
func (s *SerpAPI) Search(ctx context.Context, keywords, region string) (*py.Dict, error) {
	q := url.Values{"engine": {"duckduckgo"}, "q": {keywords}, "kl": {region}, "api_key": {s.APIKey}, "output": {"json"}}
	backoff := s.Backoff
	if backoff <= 0 {
		backoff = 2 * time.Second
	}
	for attempt := 0; ; attempt++ {
		res, status, err := s.searchOnce(ctx, s.URL+"?"+q.Encode())
		limited := status == http.StatusTooManyRequests
		if err == nil && res != nil {
			if e, ok := res.GetStr("error"); ok && strings.Contains(py.StrOf(e), "429") {
				limited = true
			}
		}
		if !limited || attempt >= s.MaxRetries {
			if err == nil && res == nil {
				err = statusError(http.StatusTooManyRequests, s.URL)
			}
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 120*time.Second)
	}
}

func (s *SerpAPI) searchOnce(ctx context.Context, u string) (*py.Dict, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	v, err := py.FromJSON(body)
	if err != nil {
		if resp.StatusCode == http.StatusTooManyRequests {
			return nil, resp.StatusCode, nil
		}
		return nil, resp.StatusCode, fmt.Errorf("search endpoint answered HTTP %d with no JSON object", resp.StatusCode)
	}
	d, ok := v.(*py.Dict)
	if !ok {
		return nil, resp.StatusCode, fmt.Errorf("search endpoint answered HTTP %d with JSON that is no object", resp.StatusCode)
	}
	return d, resp.StatusCode, nil
}

// browserHeaders are the request headers upstream's fetch_url_content sends.
var browserHeaders = [][2]string{
	{"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
	{"Accept-Language", "en-US,en;q=0.9"},
	{"Referer", "https://www.google.com/"},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-Mode", "navigate"},
	{"Sec-Fetch-User", "?1"},
	{"Sec-Fetch-Dest", "document"},
	{"Upgrade-Insecure-Requests", "1"},
}

// Fetch implements Provider: a live GET, following redirects, 20 s
// timeout; an HTTP error status fails as requests' raise_for_status
// words it.
func (s *SerpAPI) Fetch(ctx context.Context, u string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	for _, h := range browserHeaders {
		req.Header.Set(h[0], h[1])
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := statusError(resp.StatusCode, u); err != nil {
		return "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return string(body), err
}

// statusError is requests' raise_for_status message for a 4xx or 5xx.
func statusError(code int, u string) error {
	kind := ""
	switch {
	case code >= 400 && code < 500:
		kind = "Client"
	case code >= 500 && code < 600:
		kind = "Server"
	default:
		return nil
	}
	return fmt.Errorf("%d %s Error: %s for url: %s", code, kind, http.StatusText(code), u)
}

// Corpus is the offline provider: a recorded set of pages. A search ranks
// the documents by BM25+ over the words (lower-cased runs of letters and
// digits) of their title, snippet and text, and returns those sharing a word with
// the query, best first, ties in file order; a fetch returns the document
// whose link is the URL (a "#..." fragment ignored), or fails as a 404.
type Corpus struct {
	Documents []Document `json:"documents"`
}

// Document is one recorded page of a corpus file.
type Document struct {
	Title   string `json:"title"`
	Link    string `json:"link"`
	Snippet string `json:"snippet"`
	// Content is the page as fetched (HTML or text).
	Content string `json:"content"`
}

// LoadCorpus reads a corpus file: {"documents": [{"title", "link",
// "snippet", "content"}, ...]}.
func LoadCorpus(path string) (*Corpus, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Corpus
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("search corpus %s: %w", path, err)
	}
	for i, d := range c.Documents {
		if d.Link == "" {
			return nil, fmt.Errorf("search corpus %s: document %d: no link", path, i)
		}
	}
	return &c, nil
}

// Search implements Provider.
func (c *Corpus) Search(_ context.Context, keywords, _ string) (*py.Dict, error) {
	results := &py.List{}
	out := py.NewDict().With("organic_results", results)
	if len(c.Documents) == 0 {
		return out, nil
	}
	docs := make([][]string, len(c.Documents))
	for i, d := range c.Documents {
		docs[i] = words(d.Title + " " + d.Snippet + " " + Truncate(d.Content))
	}
	query := words(keywords)
	scores, err := bm25.Scores(docs, query)
	if err != nil {
		return nil, err
	}
	var hits []int
	for i, doc := range docs {
		if sharesWord(doc, query) {
			hits = append(hits, i)
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return scores[hits[a]] > scores[hits[b]] })
	for _, i := range hits {
		d := c.Documents[i]
		results.Items = append(results.Items, py.NewDict().With("position", py.Int(len(results.Items)+1)).
			With("title", py.Str(d.Title)).With("link", py.Str(d.Link)).With("snippet", py.Str(d.Snippet)))
	}
	return out, nil
}

// words are the lower-cased runs of letters and digits of s.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func sharesWord(doc, query []string) bool {
	for _, q := range query {
		for _, w := range doc {
			if w == q {
				return true
			}
		}
	}
	return false
}

// Fetch implements Provider.
func (c *Corpus) Fetch(_ context.Context, u string) (string, error) {
	base := u
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	for _, d := range c.Documents {
		if d.Link == u || d.Link == base {
			return d.Content, nil
		}
	}
	return "", statusError(http.StatusNotFound, u)
}
