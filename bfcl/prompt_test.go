package bfcl_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/backends/websearch"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
)

var updatePrompts = flag.Bool("update-prompts", false,
	"regenerate testdata/prompt_digests.json with testdata/gen_prompt_digests.py and the upstream checkout in SEEUPO_BFCL_UPSTREAM")

// promptDigest is one group of testdata/prompt_digests.json.
type promptDigest struct {
	Entries int    `json:"entries"`
	SHA256  string `json:"sha256"`
	Bytes   int    `json:"bytes"`
}

// readPromptDigests reads testdata/prompt_digests.json (made by
// testdata/gen_prompt_digests.py, which runs upstream's prompt code on the
// data), regenerating it first with -update-prompts.
func readPromptDigests(t *testing.T, dataDir string) map[string]promptDigest {
	t.Helper()
	path := filepath.Join("testdata", "prompt_digests.json")
	if *updatePrompts {
		root := os.Getenv("SEEUPO_BFCL_UPSTREAM")
		if root == "" {
			t.Fatal("-update-prompts needs SEEUPO_BFCL_UPSTREAM: a checkout of ShishirPatil/gorilla at 6ea5797")
		}
		out, err := exec.Command("python3", filepath.Join("testdata", "gen_prompt_digests.py"), root, dataDir).Output()
		if err != nil {
			t.Fatalf("python3 testdata/gen_prompt_digests.py: %v", err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups map[string]promptDigest `json:"groups"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Groups
}

// openingRecorder answers every request with no calls, which ends the
// turn, and records the messages that open each turn in the stream
// gen_prompt_digests.py digests: id NUL, then per turn "turn t" NUL and
// role NUL content NUL per opening message, then \x01.
type openingRecorder struct {
	mu      sync.Mutex
	streams map[string]*strings.Builder
	seen    map[string]int // messages of the conversation so far
	turns   map[string]int
}

func newOpeningRecorder() *openingRecorder {
	return &openingRecorder{streams: map[string]*strings.Builder{}, seen: map[string]int{}, turns: map[string]int{}}
}

type entryRecorder struct {
	r  *openingRecorder
	id string
}

func (r *openingRecorder) ForEntry(_, id string) (bfcl.Responder, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := &strings.Builder{}
	b.WriteString(id + "\x00")
	r.streams[id] = b
	return entryRecorder{r, id}, nil
}

func (e entryRecorder) Respond(_ context.Context, msgs []bfcl.ChatMessage, _ []env.Tool) (bfcl.Response, error) {
	r := e.r
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.streams[e.id]
	start := r.seen[e.id]
	if start > 0 {
		start++ // the reply recorded after the previous request
	}
	fmt.Fprintf(b, "turn %d\x00", r.turns[e.id])
	for _, m := range msgs[start:] {
		b.WriteString(m.Role + "\x00" + m.Content + "\x00")
	}
	r.seen[e.id] = len(msgs)
	r.turns[e.id]++
	return bfcl.Response{}, nil
}

// digest is the sha256 and byte count of the streams of ids, sorted.
func (r *openingRecorder) digest(ids []string) promptDigest {
	sort.Strings(ids)
	h := sha256.New()
	n := 0
	for _, id := range ids {
		s := r.streams[id].String() + "\x01"
		h.Write([]byte(s))
		n += len(s)
	}
	return promptDigest{Entries: len(ids), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}
}

// TestPromptingMessagesMatchUpstream runs `bfcl generate` in prompting mode
// on every entry of each category with a policy that never calls a function,
// and compares the messages that open each turn (the system prompt with the
// function docs, the questions, miss_func's hand-out messages) with what
// upstream's own prompt code builds for the same entries (digests per
// category, and per prompt-format configuration for format sensitivity, in
// testdata/prompt_digests.json, made by
// testdata/gen_prompt_digests.py; its --dump flag prints one entry's stream).
func TestPromptingMessagesMatchUpstream(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	want := readPromptDigests(t, data)
	categories := []string{
		"simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
		"parallel_multiple", "irrelevance", "live_simple", "live_multiple", "live_parallel",
		"live_parallel_multiple", "live_irrelevance", "live_relevance",
		"multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context",
		"format_sensitivity",
		"memory_kv", "memory_vector", "memory_rec_sum", "web_search_base", "web_search_no_snippet",
	}
	s := bfcl.NewScorer(bfcl.Upstream{Dir: data})
	for _, cat := range categories {
		t.Run(cat, func(t *testing.T) {
			rec := newOpeningRecorder()
			err := s.Generate(context.Background(), rec, bfcl.GenerateOptions{
				ResultDir: t.TempDir(), ModelName: "recorder", Categories: []string{cat}, Workers: 2,
				Embedder: memory.HashEmbedder{}, Search: &websearch.Corpus{}})
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string][]string{}
			for id := range rec.streams {
				g := cat
				if cat == "format_sensitivity" {
					g += ":" + bfcl.PromptFormatOfID(id)
				}
				groups[g] = append(groups[g], id)
			}
			for g := range want {
				if g == cat || strings.HasPrefix(g, cat+":") {
					if _, ok := groups[g]; !ok {
						t.Errorf("no entries of group %s generated", g)
					}
				}
			}
			for g, ids := range groups {
				w, ok := want[g]
				if !ok {
					t.Fatalf("testdata/prompt_digests.json has no group %s", g)
				}
				if got := rec.digest(ids); got != w {
					t.Errorf("%s: opening messages: got %+v, upstream %+v", g, got, w)
				}
			}
		})
	}
}
