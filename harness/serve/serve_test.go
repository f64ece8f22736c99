package serve

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/remote"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

func sdkClient(base string) openai.Client {
	return openai.NewClient(option.WithBaseURL(base+"/"), option.WithAPIKey("test"), option.WithMaxRetries(0))
}

func weatherParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model: "tiny",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt),
			openai.UserMessage(question)},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: "get_weather", Description: openai.String("The weather of a city."),
			Parameters: shared.FunctionParameters{"type": "object",
				"properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}}})},
		Temperature: openai.Float(0),
	}
}

// The SDK's chat completion with a tool offered gets the taught call back
// as tool_calls.
func TestChatCompletionToolCall(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	c := sdkClient(base)
	res, err := c.Chat.Completions.New(context.Background(), weatherParams())
	if err != nil {
		t.Fatal(err)
	}
	ch := res.Choices[0]
	if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) != 1 {
		t.Fatalf("finish %q, content %q, %d tool calls; want one tool call", ch.FinishReason, ch.Message.Content, len(ch.Message.ToolCalls))
	}
	tc := ch.Message.ToolCalls[0]
	if tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"city":"Paris"}` || tc.ID == "" {
		t.Errorf("tool call %+v, want get_weather {\"city\":\"Paris\"} with an id", tc.Function)
	}
	if res.Usage.PromptTokens == 0 || res.Usage.CompletionTokens == 0 {
		t.Errorf("usage %+v: want prompt and completion tokens counted", res.Usage)
	}
	// The same request without tools is answered in words: the call list
	// is text.
	p := weatherParams()
	p.Tools = nil
	res, err = c.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices[0].Message.ToolCalls) != 0 || res.Choices[0].FinishReason != "stop" {
		t.Errorf("without tools: %+v, want plain content", res.Choices[0].Message)
	}
}

// A streamed chat completion, accumulated by the SDK, is the answer the
// same request gets without streaming, in several chunks.
func TestChatCompletionStream(t *testing.T) {
	taught, _ := fixture(t)
	base, _ := startServer(t, taught, Options{})
	c := sdkClient(base)
	cases := []struct {
		name  string
		tools bool
	}{{"content", false}, {"tool calls", true}}
	for _, tc := range cases {
		p := weatherParams()
		if !tc.tools {
			p.Tools = nil
		}
		p.Seed = openai.Int(5)
		want, err := c.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		stream := c.Chat.Completions.NewStreaming(context.Background(), p)
		acc := openai.ChatCompletionAccumulator{}
		chunks := 0
		for stream.Next() {
			acc.AddChunk(stream.Current())
			chunks++
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := acc.Choices[0]
		if got.Message.Content != want.Choices[0].Message.Content || got.FinishReason != want.Choices[0].FinishReason {
			t.Errorf("%s: streamed %q (%s), want %q (%s)", tc.name, got.Message.Content, got.FinishReason,
				want.Choices[0].Message.Content, want.Choices[0].FinishReason)
		}
		if tc.tools && (len(got.Message.ToolCalls) != 1 || got.Message.ToolCalls[0].Function.Arguments != `{"city":"Paris"}`) {
			t.Errorf("%s: streamed tool calls %+v", tc.name, got.Message.ToolCalls)
		}
		if chunks < 3 {
			t.Errorf("%s: %d chunks, want role, content and finish chunks", tc.name, chunks)
		}
	}
}

// A token-id completion returns the ids and log-probs the model samples
// in process with the same seed, whichever requests share its batch.
func TestTokenCompletionMatchesInProcess(t *testing.T) {
	_, untaught := fixture(t)
	base, _ := startServer(t, untaught, Options{})
	m, err := models.CPU(1).Load(untaught, transformer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := models.LoadTokenizer(untaught)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	prompts := [][]int{tok.Encode("What is the weather"), tok.Encode("Paris"), tok.Encode(question + " " + systemPrompt)}
	client, err := remote.New(remote.Options{BaseURL: base, Model: "tiny", MaxConcurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	var reqs []remote.TokenRequest
	var want []transformer.Request
	for i := 0; i < 12; i++ {
		p := prompts[i%len(prompts)]
		seed := uint64(1000 + i)
		reqs = append(reqs, remote.TokenRequest{Prompt: p, MaxTokens: 6 + i%5, Temperature: 1, Seed: seed})
		want = append(want, transformer.Request{Prompt: p, MaxTokens: 6 + i%5, Temperature: 1, Seed: seed, StopTokens: []int{end}})
	}
	got, err := client.Complete(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		comp, err := m.Generate([]transformer.Request{w}, nil) // alone: a batch of one
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i].Tokens, comp[0].Tokens) {
			t.Fatalf("request %d: served ids %v, in process %v", i, got[i].Tokens, comp[0].Tokens)
		}
		for j, lp := range comp[0].LogProbs {
			if d := got[i].LogProbs[j] - lp; d > 1e-5 || d < -1e-5 {
				t.Errorf("request %d token %d: served log-prob %v, in process %v", i, j, got[i].LogProbs[j], lp)
			}
		}
	}
	u := client.Usage()
	if u.Requests != 12 || u.Failures != 0 || u.CompletionTokens == 0 || u.PromptTokens == 0 || u.LatencyP50S <= 0 {
		t.Errorf("usage %+v: want 12 requests with tokens and latencies counted", u)
	}
}

// Bad requests get OpenAI-style error bodies with the right status.
func TestBadRequests(t *testing.T) {
	_, untaught := fixture(t)
	base, _ := startServer(t, untaught, Options{})
	ids := make([]int, 250)
	for i := range ids {
		ids[i] = 1
	}
	longIDs, _ := json.Marshal(ids)
	long := string(longIDs)
	cases := []struct {
		name, path, body string
		status           int
		param, code      string
	}{
		{"unknown model", "/chat/completions", `{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}`, 404, "model", "model_not_found"},
		{"unknown model (completions)", "/completions", `{"model":"gpt-9","prompt":[1,2]}`, 404, "model", "model_not_found"},
		{"malformed JSON", "/chat/completions", `{"model":"tiny","messages":[`, 400, "", "invalid_json"},
		{"context too long", "/completions", `{"model":"tiny","prompt":` + long + `,"max_tokens":10}`, 400, "prompt", "context_length_exceeded"},
		{"context too long (chat)", "/chat/completions", `{"model":"tiny","messages":[{"role":"user","content":"` + strings.Repeat("zq ", 300) + `"}]}`, 400, "messages", "context_length_exceeded"},
		{"negative max_tokens", "/completions", `{"model":"tiny","prompt":[1,2],"max_tokens":-3}`, 400, "max_tokens", "invalid_value"},
		{"negative max_tokens (chat)", "/chat/completions", `{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}`, 400, "max_tokens", "invalid_value"},
		{"unknown role", "/chat/completions", `{"model":"tiny","messages":[{"role":"robot","content":"hi"}]}`, 400, "messages[0].role", ""},
		{"token outside the vocabulary", "/completions", `{"model":"tiny","prompt":[1,99999]}`, 400, "prompt", ""},
	}
	for _, c := range cases {
		resp, err := http.Post(base+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error map[string]any `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
			t.Errorf("%s: body %s is not an OpenAI error", c.name, body)
			continue
		}
		for _, k := range []string{"message", "type", "param", "code"} {
			if _, ok := e.Error[k]; !ok {
				t.Errorf("%s: error body %s lacks %q", c.name, body, k)
			}
		}
		param, _ := e.Error["param"].(string)
		code, _ := e.Error["code"].(string)
		if resp.StatusCode != c.status || param != c.param || code != c.code || e.Error["message"] == "" {
			t.Errorf("%s: %d param %q code %q (%s); want %d param %q code %q", c.name, resp.StatusCode, param, code,
				e.Error["message"], c.status, c.param, c.code)
		}
	}
	// The SDK reads them as API errors.
	sdk := sdkClient(base)
	_, err := sdk.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-9",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Errorf("SDK error %v, want a 404 model_not_found", err)
	}
}

// /v1/models lists the served model and /health answers.
func TestModelsAndHealth(t *testing.T) {
	_, untaught := fixture(t)
	base, _ := startServer(t, untaught, Options{Model: "tiny-1"})
	sdk := sdkClient(base)
	page, err := sdk.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].ID != "tiny-1" {
		t.Errorf("models %+v, want tiny-1", page.Data)
	}
	resp, err := http.Get(strings.TrimSuffix(base, "/v1") + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/health: %d", resp.StatusCode)
	}
}

// Pushed weights answer the requests that follow: the untaught model
// loaded over the taught one stops calling the tool, and loading the
// taught one back restores the call. Every load has its own fingerprint,
// which the answers it generates carry.
func TestLoadWeights(t *testing.T) {
	taught, untaught := fixture(t)
	base, _ := startServer(t, taught, Options{})
	c := sdkClient(base)
	fingerprints := map[string]bool{}
	var fp string // of the last load
	calls := func() int {
		res, err := c.Chat.Completions.New(context.Background(), weatherParams())
		if err != nil {
			t.Fatal(err)
		}
		if fp != "" && res.SystemFingerprint != fp {
			t.Errorf("answer's system_fingerprint %q, the load's %q", res.SystemFingerprint, fp)
		}
		return len(res.Choices[0].Message.ToolCalls)
	}
	load := func(dir string) int {
		resp, err := http.Post(base+"/load_weights", "application/json", strings.NewReader(`{"path":`+string(jsonString(dir))+`}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Version     int    `json:"weights_version"`
			Fingerprint string `json:"system_fingerprint"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != 200 {
			t.Fatalf("load_weights %s: %d", dir, resp.StatusCode)
		}
		if out.Fingerprint == "" || fingerprints[out.Fingerprint] {
			t.Errorf("load %d: fingerprint %q, want a new one", out.Version, out.Fingerprint)
		}
		fp, fingerprints[out.Fingerprint] = out.Fingerprint, true
		return out.Version
	}
	if calls() != 1 {
		t.Fatal("the taught model does not call the tool")
	}
	if v := load(untaught); v != 1 || calls() != 0 {
		t.Errorf("after loading the untaught weights (version %d) the tool is still called", v)
	}
	if v := load(taught); v != 2 || calls() != 1 {
		t.Errorf("after loading the taught weights back (version %d) no tool call", v)
	}
	resp, err := http.Post(base+"/load_weights", "application/json", strings.NewReader(`{"path":"/nonexistent"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("loading a missing directory: %d, want 400", resp.StatusCode)
	}
}

// Cancelling the server's context after requests returns without error
// and closes the listener.
func TestGracefulShutdown(t *testing.T) {
	_, untaught := fixture(t)
	srv, err := New(Options{Checkpoint: untaught, Model: "tiny", Models: models.CPU(1)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := netListen(t)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	base := "http://" + ln.Addr().String() + "/v1"
	var wg sync.WaitGroup
	results := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sdk := sdkClient(base)
			_, results[i] = sdk.Completions.New(context.Background(), openai.CompletionNewParams{Model: "tiny",
				Prompt: openai.CompletionNewParamsPromptUnion{OfArrayOfTokens: []int64{1, 2, 3}}, MaxTokens: openai.Int(40)})
		}(i)
	}
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	for i, err := range results {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if _, err := http.Get(base + "/models"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

// TestNewNeedsACheckpointAndAFactory: the server is built on the factory
// the command opened from its device; without one, or without a model
// directory, New says what is missing.
func TestNewNeedsACheckpointAndAFactory(t *testing.T) {
	_, untaught := fixture(t)
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no checkpoint", Options{Models: models.CPU(1)}, "no checkpoint"},
		{"no factory", Options{Checkpoint: untaught}, "no model factory (Options.Models)"},
	}
	for _, c := range cases {
		if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}
