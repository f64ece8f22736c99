package transformer

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The KV-cache path must give the logits of the full forward pass over
// the prompt and the tokens generated so far.
func TestKVCacheMatchesFullForward(t *testing.T) {
	for name, cfg := range testConfigs() {
		m := randomModel(t, cfg, 7, Options{})
		rng := rand.New(rand.NewPCG(1, 2))
		reqs := []Request{
			{Prompt: randomTokens(rng, 5, cfg.VocabSize), MaxTokens: 6},
			{Prompt: randomTokens(rng, 1, cfg.VocabSize), MaxTokens: 9, Temperature: 1, Seed: 3},
			{Prompt: randomTokens(rng, 11, cfg.VocabSize), MaxTokens: 4, Temperature: 0.7, TopK: 5, TopP: 0.9, Seed: 4},
		}
		var steps [][]float32
		out, err := m.generate(context.Background(), reqs, nil, func(_ int, logits []float32) {
			steps = append(steps, append([]float32(nil), logits...))
		})
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		v := cfg.VocabSize
		for b, r := range reqs {
			if len(out[b].Tokens) != r.MaxTokens || out[b].FinishReason != "length" {
				t.Fatalf("%s request %d: %d tokens, finish %q", name, b, len(out[b].Tokens), out[b].FinishReason)
			}
			seq := append(append([]int(nil), r.Prompt...), out[b].Tokens...)
			full, err := m.Logits(seq[:len(seq)-1])
			if err != nil {
				t.Fatal(err)
			}
			for step := range out[b].Tokens {
				row := len(r.Prompt) - 1 + step
				want := full[row*v : (row+1)*v]
				got := steps[step][b*v : (b+1)*v]
				for i := range want {
					worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
				}
			}
		}
		t.Logf("%s: max |cached - full| logit = %.2e", name, worst)
		if worst > 1e-5 {
			t.Errorf("%s: KV-cache logits differ from the full forward pass by %.2e > 1e-5", name, worst)
		}
	}
}

func TestGenerateLogProbsMatchScore(t *testing.T) {
	cfg := testConfigs()["qwen3"]
	m := randomModel(t, cfg, 8, Options{})
	prompt := []int{4, 9, 2}
	out, err := m.Generate([]Request{{Prompt: prompt, MaxTokens: 8, Temperature: 1, Seed: 11}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Score(samplesOf(prompt, out[0].Tokens), false)
	if err != nil {
		t.Fatal(err)
	}
	for j, lp := range out[0].LogProbs {
		if math.Abs(lp-sc.LogProbs[0][j]) > 1e-5 {
			t.Errorf("token %d: sampler log-prob %g, Score %g", j, lp, sc.LogProbs[0][j])
		}
	}
}

func TestGenerateSeedsAndStops(t *testing.T) {
	cfg := testConfigs()["qwen2"]
	m := randomModel(t, cfg, 9, Options{})
	req := Request{Prompt: []int{1, 2, 3}, MaxTokens: 12, Temperature: 1.5, Seed: 42}
	a, _ := m.Generate([]Request{req, {Prompt: []int{5}, MaxTokens: 3, Temperature: 1}}, nil)
	b, _ := m.Generate([]Request{req}, nil)
	if !reflect.DeepEqual(a[0].Tokens, b[0].Tokens) {
		t.Errorf("same seed, different tokens: %v vs %v (a request's tokens must not depend on its batch)", a[0].Tokens, b[0].Tokens)
	}
	other := req
	other.Seed = 43
	c, _ := m.Generate([]Request{other}, nil)
	if reflect.DeepEqual(a[0].Tokens, c[0].Tokens) {
		t.Errorf("seeds 42 and 43 gave the same 12 tokens %v", a[0].Tokens)
	}
	stopAt := a[0].Tokens[4]
	withStop := req
	withStop.StopTokens = []int{stopAt}
	s, _ := m.Generate([]Request{withStop}, nil)
	first := indexOf(a[0].Tokens, stopAt)
	if s[0].FinishReason != "stop" || len(s[0].Tokens) != first+1 {
		t.Errorf("stop token %d: got %v (%s), want the first %d tokens of %v", stopAt, s[0].Tokens, s[0].FinishReason, first+1, a[0].Tokens)
	}
	// Stop strings on a decoder that spells token i as "<i>".
	dec := spell{}
	text, _ := dec.Decode(a[0].Tokens[:3])
	withStr := req
	withStr.Stop = []string{text}
	s2, err := m.Generate([]Request{withStr}, dec)
	if err != nil || s2[0].FinishReason != "stop" || len(s2[0].Tokens) != 3 {
		t.Errorf("stop string %q: %v %v %v", text, s2, err, err)
	}
	if _, err := m.Generate([]Request{withStr}, nil); err == nil || !strings.Contains(err.Error(), "Decoder") {
		t.Errorf("stop strings without a decoder: %v", err)
	}
}

type spell struct{}

func (spell) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteString("<" + string(rune('a'+id%26)) + ">")
	}
	return sb.String(), nil
}

func indexOf(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// The sampler against known distributions.
func TestSampler(t *testing.T) {
	logits := []float32{0, float32(math.Log(2)), float32(math.Log(4)), float32(math.Log(1))} // probs 1/8 2/8 4/8 1/8
	var s sampler
	rng := rand.New(rand.NewPCG(1, 1))
	if tok, lp := s.pick(logits, Request{}, rng); tok != 2 || math.Abs(lp-math.Log(0.5)) > 1e-6 {
		t.Errorf("greedy: %d %g", tok, lp)
	}
	count := func(r Request) []float64 {
		freq := make([]float64, len(logits))
		const n = 40000
		for i := 0; i < n; i++ {
			tok, _ := s.pick(logits, r, rng)
			freq[tok] += 1.0 / n
		}
		return freq
	}
	cases := []struct {
		name string
		r    Request
		want []float64
	}{
		{"plain", Request{Temperature: 1}, []float64{0.125, 0.25, 0.5, 0.125}},
		{"top-k 2", Request{Temperature: 1, TopK: 2}, []float64{0, 1.0 / 3, 2.0 / 3, 0}},
		{"top-p 0.7", Request{Temperature: 1, TopP: 0.7}, []float64{0, 1.0 / 3, 2.0 / 3, 0}},
		{"top-p 0.4", Request{Temperature: 1, TopP: 0.4}, []float64{0, 0, 1, 0}},
		{"temperature 0.5", Request{Temperature: 0.5}, []float64{1.0 / 22, 4.0 / 22, 16.0 / 22, 1.0 / 22}},
	}
	for _, c := range cases {
		got := count(c.r)
		for i := range got {
			// 40000 draws: standard error ≤ 0.0025, so 0.01 is 4 sigma.
			if math.Abs(got[i]-c.want[i]) > 0.01 {
				t.Errorf("%s: frequencies %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestGenerateRejectsBadRequests(t *testing.T) {
	m := randomModel(t, testConfigs()["qwen2"], 1, Options{})
	cases := []struct {
		r    Request
		want string
	}{
		{Request{MaxTokens: 1}, "empty prompt"},
		{Request{Prompt: []int{1}}, "MaxTokens"},
		{Request{Prompt: []int{1}, MaxTokens: 64}, "max_position_embeddings"},
		{Request{Prompt: []int{99}, MaxTokens: 1}, "vocabulary"},
	}
	for _, c := range cases {
		if _, err := m.Generate([]Request{c.r}, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error with %q", c.r, err, c.want)
		}
	}
}
