// Package websearch is the WebSearchAPI backend of BFCL v4's web-search
// categories, ported from upstream: search_engine_query (DuckDuckGo
// through SerpAPI upstream) and fetch_url_content (a live page in raw,
// markdown or truncate mode).
//
// The search engine and the pages come from a Provider set on the
// episode's backend.Process under ProviderKey: SerpAPI (a
// SerpAPI-compatible endpoint; pages fetched live) or Corpus (a recorded
// corpus file, for offline runs).
package websearch

import (
	"context"
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ClassName is the upstream class name.
const ClassName = "WebSearchAPI"

// ProviderKey is the backend.Process service key of the Provider.
const ProviderKey = "websearch.provider"

// Provider answers searches and fetches pages.
type Provider interface {
	// Search returns the engine's response in SerpAPI's JSON shape: an
	// object with "organic_results" (each with "title", "link",
	// "snippet"), or with "error". An error is a failed request.
	Search(ctx context.Context, keywords, region string) (*py.Dict, error)
	// Fetch returns the page at url as text (HTML), or the failed
	// request as an error (its message is shown to the model).
	Fetch(ctx context.Context, url string) (string, error)
}

// WebSearch is upstream's WebSearchAPI.
type WebSearch struct {
	showSnippet bool
	provider    Provider
}

// State implements backend.Instance.
func (w *WebSearch) State() []py.Attr {
	return []py.Attr{{Name: "show_snippet", Value: py.Bool(w.showSnippet)}}
}

// LoadScenario implements backend.Instance: show_snippet from the config
// (upstream requires it; absent here means true).
func (w *WebSearch) LoadScenario(cfg *py.Dict, _ bool) error {
	if v, ok := cfg.GetStr("show_snippet"); ok {
		w.showSnippet = py.Truthy(v)
	}
	return nil
}

// errNoProvider is the failure of a search or fetch without a provider.
func errNoProvider() error {
	return py.Errorf("RuntimeError", "WebSearchAPI has no search provider (a SerpAPI-compatible endpoint or a recorded corpus)")
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }

// searchEngineQuery is search_engine_query: the first max_results organic
// results as {title, href, body} ({title, href} without snippets).
func (w *WebSearch) searchEngineQuery(keywords, maxResults, region py.Value) (py.Value, error) {
	if w.provider == nil {
		return nil, errNoProvider()
	}
	res, err := w.provider.Search(context.Background(), py.StrOf(keywords), py.StrOf(region))
	if err != nil {
		return errDict(err.Error()), nil
	}
	organic, ok := res.GetStr("organic_results")
	if !ok {
		return errDict("Failed to retrieve the search results from server. Please try again later."), nil
	}
	items, err := py.Iterate(organic)
	if err != nil {
		return nil, err
	}
	if items, err = backend.SliceTo(items, maxResults); err != nil {
		return nil, err
	}
	out := &py.List{}
	for _, r := range items {
		title, err := py.Index(r, py.Str("title"))
		if err != nil {
			return nil, err
		}
		link, err := py.Index(r, py.Str("link"))
		if err != nil {
			return nil, err
		}
		d := py.NewDict().With("title", title).With("href", link)
		if w.showSnippet {
			body, err := py.Index(r, py.Str("snippet"))
			if err != nil {
				return nil, err
			}
			d.SetStr("body", body)
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

// fetchURLContent is fetch_url_content: the page in the mode asked for;
// a failed fetch or an unknown mode is an {"error": ...} naming the URL.
func (w *WebSearch) fetchURLContent(url, mode py.Value) (py.Value, error) {
	u, ok := url.(py.Str)
	if !ok {
		return nil, py.AttributeError(url, "startswith")
	}
	if !strings.HasPrefix(string(u), "http://") && !strings.HasPrefix(string(u), "https://") {
		return nil, py.ValueErrorf("Invalid URL: %s", string(u))
	}
	if w.provider == nil {
		return nil, errNoProvider()
	}
	fail := func(msg string) (py.Value, error) {
		return errDict(fmt.Sprintf("An error occurred while fetching %s: %s", string(u), msg)), nil
	}
	page, err := w.provider.Fetch(context.Background(), string(u))
	if err != nil {
		return fail(err.Error())
	}
	var content string
	switch {
	case py.Eq(mode, py.Str("raw")):
		content = page
	case py.Eq(mode, py.Str("markdown")):
		content = Markdown(page)
	case py.Eq(mode, py.Str("truncate")):
		content = Truncate(page)
	default:
		return fail("Unsupported mode: " + py.StrOf(mode))
	}
	return py.NewDict().With("content", py.Str(content)), nil
}

func init() {
	backend.Register(&backend.Class{
		Name: ClassName,
		New: func(p *backend.Process) backend.Instance {
			w := &WebSearch{showSnippet: true}
			if p != nil {
				w.provider, _ = p.Service(ProviderKey).(Provider)
			}
			return w
		},
		Methods: []*backend.Method{
			{Name: "search_engine_query",
				Params: []backend.Param{backend.Req("keywords"), backend.Opt("max_results", py.Int(10)), backend.Opt("region", py.Str("wt-wt"))},
				Call: func(self backend.Instance, a []py.Value) (py.Value, error) {
					return self.(*WebSearch).searchEngineQuery(a[0], a[1], a[2])
				}},
			{Name: "fetch_url_content",
				Params: []backend.Param{backend.Req("url"), backend.Opt("mode", py.Str("raw"))},
				Call: func(self backend.Instance, a []py.Value) (py.Value, error) {
					return self.(*WebSearch).fetchURLContent(a[0], a[1])
				}},
		},
	})
}
