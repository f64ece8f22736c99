package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/remote"
)

func init() { register("bfcl", newBfclGenerateCmd) }

// Policies of seeupo bfcl generate besides those of remoteFlags.
const policyGroundTruth = "ground-truth"

func newBfclGenerateCmd(a *app) *cobra.Command {
	var resultDir, name string
	var categories []string
	var overwrite bool
	var limit int
	var rf remoteFlags
	var sf serviceFlags
	c := &cobra.Command{
		Use:   "generate",
		Short: "Run a policy on BFCL v4 categories and write upstream's result files",
		Long: `Run a policy on the entries of BFCL v4 categories and write the result files
upstream's bfcl generate writes: <result-dir>/<name>/<group>/BFCL_v4_<category>_result.json,
one JSON object a line with id, result (the reply text in prompting mode, a
list of {name: arguments} in function-calling mode; per turn a list of step
replies in multi-turn categories), input_token_count, output_token_count and
latency, sorted by id. seeupo bfcl evaluate and upstream's bfcl evaluate
both score them.

Policies: openai (an OpenAI-compatible chat server: seeupo serve, vLLM,
SGLang, a hosted API; --base-url, --model) and ground-truth (answers from the
possible answers, the 100% reference). --tool-format prompt sends upstream's
default prompting system prompt with the function docs and records the
reply text; --tool-format fc offers the functions as tools (names with "."
as "_") and records the tool calls. The result folder's name defaults to
the model name with "/" as "_", with "-FC" added in fc mode (upstream's
evaluator, and seeupo's, decode a folder whose name contains "FC" as
function-calling output).

Entries already in a result file are kept and skipped unless
--allow-overwrite. format_sensitivity runs its 200 entries under each of
upstream's 26 prompt-format configurations (the system prompt and, for the
ground-truth policy, the reply in that configuration's formats); like
upstream, fc mode skips it. A multi-turn episode runs on seeupo's port of the
backends with at most 20 steps a turn, as upstream.

Agentic categories: memory_kv, memory_vector and memory_rec_sum run each
scenario's prerequisite conversations first (results in
BFCL_v4_<category>_prereq_result.json, memory snapshots in
<group>/memory_snapshot/), then the questions on the memory they left.
memory_vector needs embeddings: --embeddings-url (an OpenAI-compatible
/v1/embeddings endpoint, --embeddings-model, default upstream's
all-MiniLM-L6-v2) or --embeddings-offline (a hashed bag of words, not
upstream's model). web_search_base and web_search_no_snippet need a search
provider: --search-provider serpapi (--search-url, default SerpAPI's
endpoint, key from $SERPAPI_API_KEY as upstream; pages fetched live) or
--search-provider corpus --search-corpus FILE (a recorded corpus, offline).
A category whose service is not configured is an error when named, and
skipped with a message inside a collection.`,
		Example: `  seeupo bfcl generate --policy ground-truth --categories all_scoring --result-dir result
  seeupo bfcl generate --policy openai --base-url http://127.0.0.1:8100/v1 --model Qwen/Qwen3-8B --tool-format prompt --categories simple_python,multi_turn_base`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cats, err := bfcl.ParseTestCategories(splitList(categories))
			if err != nil {
				return fmt.Errorf("--categories: %w", err)
			}
			embedder, search, err := sf.services()
			if err != nil {
				return err
			}
			var keep []string
			for _, c := range cats {
				err := bfcl.GeneratableCategories(c)
				if err == nil {
					err = sf.missing(c, embedder, search)
				}
				if err != nil {
					if cmd.Flags().Changed("categories") && !isCollection(categories) {
						return fmt.Errorf("--categories %s: %w", c, err)
					}
					fmt.Fprintf(a.stderr, "skipped %s: %v\n", c, err)
					continue
				}
				keep = append(keep, c)
			}
			fc := rf.chat.toolFormat == harness.ToolFormatFC
			switch rf.chat.toolFormat {
			case harness.ToolFormatFC, harness.ToolFormatPrompt:
			default:
				return fmt.Errorf("--tool-format %q: allowed: %s, %s", rf.chat.toolFormat, harness.ToolFormatPrompt, harness.ToolFormatFC)
			}
			r, err := a.config()
			if err != nil {
				return err
			}
			sc := bfcl.NewScorer(bfcl.Upstream{Dir: filepath.Join(r.DataDir, "bfcl_v4")})
			var policy any
			model := name
			switch rf.policy {
			case policyGroundTruth:
				policy = sc.GroundTruthPolicy()
				if model == "" {
					model = "ground-truth"
				}
			case "openai":
				client, err := rf.client()
				if err != nil {
					return err
				}
				temp := 0.001 // upstream's default
				if cmd.Flags().Changed("temperature") {
					temp = rf.chat.temperature
				}
				policy = chatResponder{client: client, opts: remote.ChatOptions{StripThink: rf.chat.stripThink,
					ParseToolCallTags: rf.chat.parseToolCallTags, SystemPrompt: rf.chat.systemPrompt,
					NoSystem: rf.chat.noSystem, MaxTokens: rf.chat.maxTokens, Temperature: temp}}
				if model == "" {
					model = strings.ReplaceAll(rf.model, "/", "_")
				}
				defer func() { fmt.Fprintln(a.stderr, usageLine(client.Usage())) }()
			case "native":
				return fmt.Errorf("--policy native: generate talks to a chat server; serve the checkpoint with `seeupo serve` and use --policy openai")
			default:
				return fmt.Errorf("--policy %q: known policies are openai, %s", rf.policy, policyGroundTruth)
			}
			if fc && name == "" && !strings.Contains(model, "FC") {
				model += "-FC"
			}
			return sc.Generate(cmd.Context(), policy, bfcl.GenerateOptions{ResultDir: resultDir, ModelName: model,
				Categories: keep, FC: fc, Overwrite: overwrite, Workers: rf.concurrency, Limit: limit, Log: a.stdout,
				Embedder: embedder, Search: search})
		},
	}
	rf.bind(c)
	_ = c.Flags().Set("policy", policyGroundTruth)
	c.Flags().Lookup("policy").DefValue = policyGroundTruth
	c.Flags().Lookup("policy").Usage = "openai (an OpenAI-compatible chat server) or ground-truth (the possible answers)"
	_ = c.Flags().Set("tool-format", harness.ToolFormatPrompt)
	c.Flags().Lookup("tool-format").DefValue = harness.ToolFormatPrompt
	for _, f := range []string{"mode", "tokenizer", "name", "out", "seed", "max-turns"} {
		_ = c.Flags().MarkHidden(f)
	}
	c.Flags().StringVar(&resultDir, "result-dir", "result", "folder that receives <name>/<group>/BFCL_v4_<category>_result.json")
	c.Flags().StringVar(&name, "model-name", "", "the result folder's name (default: the model with / as _, -FC added in fc mode)")
	c.Flags().StringSliceVar(&categories, "categories", []string{"all"}, "categories or collections (all, all_scoring, single_turn, live, non_live, multi_turn, python, ...)")
	c.Flags().BoolVar(&overwrite, "allow-overwrite", false, "regenerate entries already in the result files")
	c.Flags().IntVar(&limit, "limit", 0, "generate only the first N entries of each category (0: all)")
	sf.bind(c)
	return c
}

// serviceFlags configure the agentic categories' services.
type serviceFlags struct {
	embeddingsURL, embeddingsModel, embeddingsKey string
	embeddingsOffline                             bool
	searchProvider, searchURL, searchCorpus       string
}

func (f *serviceFlags) bind(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.embeddingsURL, "embeddings-url", "", "memory_vector: an OpenAI-compatible embeddings endpoint (base URL ending in /v1)")
	fl.StringVar(&f.embeddingsModel, "embeddings-model", "all-MiniLM-L6-v2", "memory_vector: the embedding model to ask for")
	fl.StringVar(&f.embeddingsKey, "embeddings-api-key", "", "memory_vector: API key of the embeddings endpoint")
	fl.BoolVar(&f.embeddingsOffline, "embeddings-offline", false, "memory_vector: offline hashed bag-of-words embeddings (not upstream's model)")
	fl.StringVar(&f.searchProvider, "search-provider", "", "web_search: serpapi (a SerpAPI-compatible endpoint, live pages) or corpus (a recorded corpus file)")
	fl.StringVar(&f.searchURL, "search-url", bfcl.DefaultSerpAPIURL, "web_search: the SerpAPI-compatible search endpoint (key from $SERPAPI_API_KEY)")
	fl.StringVar(&f.searchCorpus, "search-corpus", "", "web_search: the recorded corpus file of --search-provider corpus")
}

// services builds the configured embedder and search provider (nil when
// not configured).
func (f *serviceFlags) services() (bfcl.Embedder, bfcl.SearchProvider, error) {
	var e bfcl.Embedder
	switch {
	case f.embeddingsURL != "" && f.embeddingsOffline:
		return nil, nil, fmt.Errorf("--embeddings-url and --embeddings-offline: give one")
	case f.embeddingsURL != "":
		e = bfcl.OpenAIEmbedder(f.embeddingsURL, f.embeddingsModel, f.embeddingsKey)
	case f.embeddingsOffline:
		e = bfcl.OfflineEmbedder()
	}
	var p bfcl.SearchProvider
	switch f.searchProvider {
	case "":
		if f.searchCorpus != "" {
			return nil, nil, fmt.Errorf("--search-corpus needs --search-provider corpus")
		}
	case "serpapi":
		p = bfcl.SerpAPISearch(f.searchURL, os.Getenv("SERPAPI_API_KEY"), 8)
	case "corpus":
		if f.searchCorpus == "" {
			return nil, nil, fmt.Errorf("--search-provider corpus needs --search-corpus FILE")
		}
		c, err := bfcl.LoadSearchCorpus(f.searchCorpus)
		if err != nil {
			return nil, nil, fmt.Errorf("--search-corpus: %w", err)
		}
		p = c
	default:
		return nil, nil, fmt.Errorf("--search-provider %q: allowed: serpapi, corpus", f.searchProvider)
	}
	return e, p, nil
}

// missing names the flags a category needs when its service is not
// configured.
func (f *serviceFlags) missing(cat string, e bfcl.Embedder, p bfcl.SearchProvider) error {
	switch bfcl.NeededService(cat) {
	case bfcl.ServiceEmbeddings:
		if e == nil {
			return fmt.Errorf("%w: give --embeddings-url URL (an OpenAI-compatible /v1/embeddings endpoint) or --embeddings-offline", bfcl.ErrNoEmbedder)
		}
	case bfcl.ServiceSearch:
		if p == nil {
			return fmt.Errorf("%w: give --search-provider serpapi (with --search-url) or --search-provider corpus --search-corpus FILE", bfcl.ErrNoSearch)
		}
	}
	return nil
}

// isCollection says whether the --categories values name a collection
// (all, live, ...) rather than only single categories.
func isCollection(vals []string) bool {
	for _, v := range splitList(vals) {
		if !contains(bfcl.AllTestCategories, v) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// chatResponder is the openai policy: one chat completion per request.
type chatResponder struct {
	client *remote.Client
	opts   remote.ChatOptions
}

func (c chatResponder) Respond(ctx context.Context, msgs []bfcl.ChatMessage, tools []env.Tool) (bfcl.Response, error) {
	rm := make([]remote.Message, len(msgs))
	for i, m := range msgs {
		rm[i] = remote.Message{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			rm[i].ToolCalls = append(rm[i].ToolCalls, remote.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments})
		}
	}
	var rt []remote.Tool
	for _, t := range tools {
		rt = append(rt, remote.Tool{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
	}
	rep, err := c.client.Chat(ctx, rm, rt, c.opts)
	if err != nil {
		return bfcl.Response{}, err
	}
	out := bfcl.Response{Content: rep.Content, InputTokens: rep.PromptTokens, OutputTokens: rep.CompletionTokens}
	for _, tc := range rep.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, env.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments})
	}
	return out, nil
}
