package serve

import (
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/models"
	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// The fixture is a tiny model taught one reply: to the weather question
// below, with get_weather offered, it answers the call list wantCall.
const (
	wantCall     = "[get_weather(city='Paris')]"
	systemPrompt = "You are a helpful assistant."
	question     = "What is the weather in Paris?"
)

func weatherTool() tool {
	var t tool
	t.Type = "function"
	t.Function.Name = "get_weather"
	t.Function.Description = "The weather of a city."
	t.Function.Parameters = []byte(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)
	return t
}

var (
	fixtureOnce sync.Once
	fixtureDirs [2]string // taught, untaught
	fixtureErr  error
)

// fixture saves the two model directories once per test binary: the
// taught model and the same model before teaching (for weight loads).
func fixture(t *testing.T) (taught, untaught string) {
	t.Helper()
	fixtureOnce.Do(func() { fixtureErr = makeFixture() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureDirs[0], fixtureDirs[1]
}

func makeFixture() error {
	corpus := []string{systemPrompt, question, wantCall, "get_weather", "city", "Paris", "system\n", "user\n", "assistant\n",
		"Functions:", "The weather of a city."}
	tok, err := tokenizer.Train(corpus, 400, nil)
	if err != nil {
		return err
	}
	cfg, err := transformer.Preset("tiny")
	if err != nil {
		return err
	}
	m, err := models.CPU(1).New(cfg, 7, transformer.Options{})
	if err != nil {
		return err
	}
	root, err := tempRoot()
	if err != nil {
		return err
	}
	fixtureDirs = [2]string{filepath.Join(root, "taught"), filepath.Join(root, "untaught")}
	if err := saveModel(m, tok, fixtureDirs[1]); err != nil {
		return err
	}
	req := chatRequest{Messages: []chatMessage{{Role: "system", Content: jsonString(systemPrompt)},
		{Role: "user", Content: jsonString(question)}}, Tools: []tool{weatherTool()}}
	msgs, err := chatMessages(req)
	if err != nil {
		return err
	}
	prompt, err := tok.EncodeChat(msgs, true)
	if err != nil {
		return err
	}
	end, _ := tok.SpecialID(tokenizer.IMEnd)
	reply := append(tok.EncodePlain(wantCall), end)
	if err := teach(m, policy.Sample{Context: prompt, Response: reply}); err != nil {
		return err
	}
	return saveModel(m, tok, fixtureDirs[0])
}

// teach fits one sample until its every token is the most likely.
func teach(m *transformer.Model, s policy.Sample) error {
	nll := func(sc policy.Scores) (float64, [][]float64, [][]float64, error) {
		lp := sc.LogProbs[0]
		d := make([]float64, len(lp))
		loss := 0.0
		for j, x := range lp {
			loss -= x / float64(len(lp))
			d[j] = -1 / float64(len(lp))
		}
		return loss, [][]float64{d}, nil, nil
	}
	opt := policy.Optim{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, MaxGradNorm: 1}
	for step := 0; step < 300; step++ {
		loss, err := m.ForwardBackward([]policy.Sample{s}, false, nll)
		if err != nil {
			return err
		}
		if loss < 0.01 {
			return nil
		}
		if _, err := m.Step(opt); err != nil {
			return err
		}
	}
	return nil
}

func saveModel(m *transformer.Model, tok *tokenizer.Tokenizer, dir string) error {
	if err := m.Save(dir, safetensors.F32); err != nil {
		return err
	}
	return tok.Save(filepath.Join(dir, TokenizerFile))
}

func jsonString(s string) []byte {
	b := []byte{'"'}
	for _, r := range s { // the fixture's strings need no escapes
		b = append(b, string(r)...)
	}
	return append(b, '"')
}

// startServer serves dir on a free port until the test ends; it returns
// the base URL (…/v1) and the server.
func startServer(t *testing.T, dir string, o Options) (string, *Server) {
	t.Helper()
	o.Checkpoint = dir
	if o.Models == nil {
		o.Models = models.CPU(0)
	}
	if o.Model == "" {
		o.Model = "tiny"
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	api, stop, err := ServeLoopback(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return api, srv
}

// fixtureRoot holds the fixture's model directories for the whole test
// binary; TestMain removes it.
var fixtureRoot string

func tempRoot() (string, error) { return fixtureRoot, nil }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "seeupo-serve-test-")
	if err != nil {
		panic(err)
	}
	fixtureRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func netListen(t *testing.T) (net.Listener, error) {
	t.Helper()
	return net.Listen("tcp", "127.0.0.1:0")
}
