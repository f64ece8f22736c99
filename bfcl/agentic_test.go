package bfcl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/backends/memory"
	"github.com/seeupo/seeupo/bfcl/backends/websearch"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
)

// possibleAnswers reads a possible-answer file: id → answers.
func possibleAnswers(t *testing.T, data, file string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "possible_answer", file))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e struct {
			ID          string   `json:"id"`
			GroundTruth []string `json:"ground_truth"`
			Scenario    string   `json:"scenario"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		out[e.ID] = e.GroundTruth
	}
	return out
}

// safeAnswer says whether an answer survives json.dumps and repr
// unchanged, so that the scripted policy can read it back from a tool
// output between its markers.
func safeAnswer(a string) bool {
	for _, r := range a {
		if r > 126 || r < 32 || r == '"' || r == '\'' || r == '\\' {
			return false
		}
	}
	return a != ""
}

// scriptedAgent is a ground-truth-like policy for the agentic
// categories. A scenario's first prerequisite conversation stores every
// question's answer in the memory (between << and >>) and one item in
// core memory; a question reads its answer back from the memory (or, in
// web search, searches the corpus, fetches the page in truncate mode) and
// answers with what the tool output holds. With wrong set, the final
// answer is wrong.
type scriptedAgent struct {
	cat     string
	answers map[string]string // question number → answer (memory: per scenario)
	wrong   bool

	mu      sync.Mutex
	systems []string // first system message of each question entry
}

var questionNumber = regexp.MustCompile(`_(\d+)(-[a-z]+-\d+)?$`)

func (a *scriptedAgent) ForEntry(cat, id string) (bfcl.Responder, error) {
	m := questionNumber.FindStringSubmatch(id)
	if m == nil {
		return nil, fmt.Errorf("id %s", id)
	}
	r := &scriptedEntry{agent: a, id: id, n: m[1]}
	if strings.Contains(id, "prereq") {
		r.kind = "prereq"
		r.first = strings.HasSuffix(id, "-0")
	}
	return r, nil
}

type scriptedEntry struct {
	agent *scriptedAgent
	id, n string
	kind  string
	first bool
	step  int
}

type call struct {
	name string
	args map[string]any
}

// reply answers with calls (as text in prompting mode, tool calls in
// function-calling mode) or with text.
func reply(tools []env.Tool, calls []call, text string) (bfcl.Response, error) {
	if len(calls) == 0 {
		return bfcl.Response{Content: text}, nil
	}
	if tools != nil {
		var out []env.ToolCall
		for i, c := range calls {
			b, err := json.Marshal(c.args)
			if err != nil {
				return bfcl.Response{}, err
			}
			out = append(out, env.ToolCall{ID: fmt.Sprint("call_", i), Name: c.name, Arguments: string(b)})
		}
		return bfcl.Response{ToolCalls: out}, nil
	}
	var parts []string
	for _, c := range calls {
		var args []string
		for k, v := range c.args {
			b, _ := json.Marshal(v)
			args = append(args, k+"="+string(b))
		}
		parts = append(parts, c.name+"("+strings.Join(args, ", ")+")")
	}
	return bfcl.Response{Content: "[" + strings.Join(parts, ", ") + "]"}, nil
}

var between = regexp.MustCompile(`<<([^<>]*)>>`)
var pageURL = regexp.MustCompile(`https://example\.test/page\d+`)

func lastContent(msgs []bfcl.ChatMessage) string {
	return msgs[len(msgs)-1].Content
}

func (r *scriptedEntry) Respond(_ context.Context, msgs []bfcl.ChatMessage, tools []env.Tool) (bfcl.Response, error) {
	defer func() { r.step++ }()
	if r.kind == "prereq" {
		if !r.first || r.step > 0 {
			return reply(tools, nil, "Noted.")
		}
		return reply(tools, r.agent.storeCalls(), "")
	}
	if r.step == 0 {
		r.agent.mu.Lock()
		r.agent.systems = append(r.agent.systems, msgs[0].Content)
		r.agent.mu.Unlock()
	}
	cat := r.agent.cat
	var next []call
	switch {
	case strings.Contains(cat, "web_search") && r.step == 0:
		next = []call{{"search_engine_query", map[string]any{"keywords": "qmarker" + r.n}}}
	case strings.Contains(cat, "web_search") && r.step == 1:
		u := pageURL.FindString(lastContent(msgs))
		if u == "" {
			return bfcl.Response{}, fmt.Errorf("%s: no page in the search output %q", r.id, lastContent(msgs))
		}
		next = []call{{"fetch_url_content", map[string]any{"url": u, "mode": "truncate"}}}
	case r.step == 0 && strings.Contains(cat, "kv"):
		next = []call{{"archival_memory_retrieve", map[string]any{"key": "answer_q" + r.n}}}
	case r.step == 0 && strings.Contains(cat, "vector"):
		next = []call{{"archival_memory_retrieve", map[string]any{"query": "qmarker" + r.n, "top_k": 1}}}
	case r.step == 0 && strings.Contains(cat, "rec_sum"):
		next = []call{{"memory_retrieve", map[string]any{}}}
	}
	if next != nil {
		return reply(tools, next, "")
	}
	out := lastContent(msgs)
	answer := ""
	if strings.Contains(cat, "rec_sum") {
		if m := regexp.MustCompile(`\[q` + r.n + `=<<([^<>]*)>>\]`).FindStringSubmatch(out); m != nil {
			answer = m[1]
		}
	} else if m := between.FindStringSubmatch(out); m != nil {
		answer = m[1]
	}
	if answer == "" {
		return bfcl.Response{}, fmt.Errorf("%s: no answer in the tool output %q", r.id, out)
	}
	if r.agent.wrong {
		answer = "zzz unknown"
	}
	return reply(tools, nil, bfcl.AgenticAnswer(answer, "read back from the tools"))
}

// storeCalls store the scenario's answers and one core-memory item.
func (a *scriptedAgent) storeCalls() []call {
	var calls []call
	switch {
	case strings.Contains(a.cat, "kv"):
		calls = append(calls, call{"core_memory_add", map[string]any{"key": "core_marker", "value": "core-visible"}})
		for n, ans := range a.answers {
			calls = append(calls, call{"archival_memory_add", map[string]any{"key": "answer_q" + n, "value": "<<" + ans + ">>"}})
		}
	case strings.Contains(a.cat, "vector"):
		calls = append(calls, call{"core_memory_add", map[string]any{"text": "core-visible"}})
		for n, ans := range a.answers {
			calls = append(calls, call{"archival_memory_add", map[string]any{"text": "qmarker" + n + " <<" + ans + ">>"}})
		}
	default:
		text := "core-visible "
		for n, ans := range a.answers {
			text += "[q" + n + "=<<" + ans + ">>]"
		}
		calls = append(calls, call{"memory_append", map[string]any{"text": text}})
	}
	return calls
}

// memoryAnswers are the answers of the limit first questions of a
// memory category (all in the customer scenario), by question number.
func memoryAnswers(t *testing.T, data string, limit int) map[string]string {
	gt := possibleAnswers(t, data, "BFCL_v4_memory.json")
	out := map[string]string{}
	for i := 0; i < limit; i++ {
		id := fmt.Sprintf("memory_%d-customer-%d", i, i)
		ans, ok := gt[id]
		if !ok || !safeAnswer(ans[0]) {
			t.Fatalf("possible answer of %s: %q (want a plain ASCII answer for this test)", id, ans)
		}
		out[fmt.Sprint(i)] = ans[0]
	}
	return out
}

// webCorpus writes a search corpus for the first limit web-search
// questions: one page each, holding the answer (a decoy inside a script
// that truncate mode drops), and an unrelated page.
func webCorpus(t *testing.T, data, dir string, limit int) (string, map[string]string) {
	gt := possibleAnswers(t, data, "BFCL_v4_web_search.json")
	c := websearch.Corpus{}
	answers := map[string]string{}
	for i := 0; i < limit; i++ {
		ans := gt[fmt.Sprintf("web_search_%d", i)]
		if len(ans) == 0 || !safeAnswer(ans[0]) {
			t.Fatalf("possible answer of web_search_%d: %q", i, ans)
		}
		answers[fmt.Sprint(i)] = ans[0]
		c.Documents = append(c.Documents, websearch.Document{
			Title: fmt.Sprintf("Page qmarker%d", i), Link: fmt.Sprintf("https://example.test/page%d", i),
			Snippet: "A recorded page.",
			Content: fmt.Sprintf("<html><head><script>var decoy = '<<decoy>>';</script></head><body><p>Recorded answer: &lt;&lt;%s&gt;&gt;</p></body></html>", ans[0]),
		})
	}
	c.Documents = append(c.Documents, websearch.Document{Title: "Unrelated", Link: "https://example.test/other", Snippet: "nothing", Content: "<p>nothing</p>"})
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "corpus.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, answers
}

// Each agentic category runs end to end on the offline services, in both
// tool formats: the scripted agent's memory survives the prerequisite
// conversations into the questions (through the snapshot files), the
// web-search agent finds and reads its page, and the scorer gives 100%;
// the same run with a wrong final answer scores 0.
func TestAgenticGenerateEndToEnd(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	const limit = 2
	for _, cat := range []string{"memory_kv", "memory_vector", "memory_rec_sum", "web_search_base", "web_search_no_snippet"} {
		for _, run := range []struct{ fc, wrong bool }{{false, false}, {true, false}, {false, true}} {
			name := fmt.Sprintf("%s/fc=%v/wrong=%v", cat, run.fc, run.wrong)
			t.Run(name, func(t *testing.T) {
				runAgentic(t, data, cat, run.fc, run.wrong, limit)
			})
		}
	}
}

func runAgentic(t *testing.T, data, cat string, fc, wrong bool, limit int) {
	dir := t.TempDir()
	opts := bfcl.GenerateOptions{ResultDir: filepath.Join(dir, "result"), ModelName: "agent", Categories: []string{cat},
		FC: fc, Limit: limit, Workers: 2, Embedder: memory.HashEmbedder{}}
	if fc {
		opts.ModelName = "agent-FC"
	}
	agent := &scriptedAgent{cat: cat, wrong: wrong}
	if strings.HasPrefix(cat, "memory") {
		agent.answers = memoryAnswers(t, data, limit)
	} else {
		corpus, answers := webCorpus(t, data, dir, limit)
		c, err := websearch.LoadCorpus(corpus)
		if err != nil {
			t.Fatal(err)
		}
		opts.Search, agent.answers = c, answers
	}
	s := bfcl.NewScorer(bfcl.Upstream{Dir: data})
	if err := s.Generate(context.Background(), agent, opts); err != nil {
		t.Fatal(err)
	}
	scores, err := s.Evaluate(bfcl.ScoreOptions{ResultDir: opts.ResultDir, ScoreDir: filepath.Join(dir, "score"),
		Categories: []string{cat}, PartialEval: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 1 || scores[0].Total != limit {
		t.Fatalf("scores %+v, want one category with %d entries", scores, limit)
	}
	want := limit
	if wrong {
		want = 0
	}
	if scores[0].Correct != want {
		t.Errorf("correct %d/%d, want %d", scores[0].Correct, scores[0].Total, want)
	}
	if strings.HasPrefix(cat, "memory") {
		for _, sys := range agent.systems {
			if !strings.Contains(sys, "core-visible") || !strings.Contains(sys, "Here is the content of your") {
				t.Errorf("question system prompt without the memory from the prerequisites:\n%s", sys)
			}
		}
		group := filepath.Join(opts.ResultDir, opts.ModelName, filepath.FromSlash(bfcl.GroupDir(cat)))
		for _, f := range []string{"memory_snapshot/customer_final.json", "memory_snapshot/prereq_checkpoints/" + cat + "_prereq_0-customer-0.json",
			bfcl.ResultFileName(cat + "_prereq")} {
			if _, err := os.Stat(filepath.Join(group, f)); err != nil {
				t.Errorf("missing %s: %v", f, err)
			}
		}
	}
	if len(agent.systems) != limit {
		t.Errorf("%d questions played, want %d", len(agent.systems), limit)
	}
}

// A category whose service is not configured is refused with the
// service's error.
func TestAgenticGenerateNeedsServices(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	s := bfcl.NewScorer(bfcl.Upstream{Dir: data})
	tests := []struct {
		cat  string
		want error
	}{
		{"memory_vector", bfcl.ErrNoEmbedder},
		{"web_search_base", bfcl.ErrNoSearch},
		{"web_search_no_snippet", bfcl.ErrNoSearch},
	}
	for _, tc := range tests {
		err := s.Generate(context.Background(), &scriptedAgent{cat: tc.cat}, bfcl.GenerateOptions{
			ResultDir: t.TempDir(), ModelName: "m", Categories: []string{tc.cat}})
		if err == nil || !strings.Contains(err.Error(), tc.want.Error()) {
			t.Errorf("%s: error %v, want %v", tc.cat, err, tc.want)
		}
	}
}
