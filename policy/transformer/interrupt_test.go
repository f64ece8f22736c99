package transformer

import (
	"context"
	"errors"
	"testing"

	"github.com/seeupo/seeupo/policy"
)

// A cancelled generation stops between two tokens with the context's
// error, however many tokens are left.
func TestGenerateStopsWhenCancelled(t *testing.T) {
	m := randomModel(t, testConfigs()["qwen3"], 9, Options{})
	req := Request{Prompt: []int{4, 9, 2}, MaxTokens: 40, Temperature: 1, Seed: 5}
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	_, err := m.generate(ctx, []Request{req}, nil, func(step int, _ []float32) {
		steps++
		if step == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || steps != 3 {
		t.Fatalf("cancelled at step 2: err %v after %d steps; want context.Canceled after 3", err, steps)
	}
	if _, err := m.GenerateContext(ctx, []Request{req}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("GenerateContext with a cancelled context: %v", err)
	}
}

// An interrupt function is called between micro-batches; its error stops
// scoring and training part way (here before the third micro-batch).
func TestInterruptStopsBetweenMicroBatches(t *testing.T) {
	m := randomModel(t, testConfigs()["qwen2"], 10, Options{MicroBatchTokens: 16})
	batch := make([]policy.Sample, 6) // 6 samples of 11 tokens: one micro-batch each
	for i := range batch {
		batch[i] = policy.Sample{Context: []int{1, 2, 3, 4, 5, 6}, Response: []int{7, 8, 9, 10, 11, i + 1}}
	}
	stop := errors.New("stop")
	cases := []struct {
		name string
		call func() error
	}{
		{"Score", func() error { _, err := m.Score(batch, true); return err }},
		{"ForwardBackward", func() error { _, err := m.ForwardBackward(batch, false, MeanNLL); return err }},
	}
	for _, tc := range cases {
		calls := 0
		m.SetInterrupt(func() error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		})
		if err := tc.call(); !errors.Is(err, stop) || calls != 3 {
			t.Errorf("%s: %v after %d interrupt checks, want the interrupt's error at the third", tc.name, err, calls)
		}
	}
	m.SetInterrupt(nil)
	if _, err := m.ForwardBackward(batch, false, MeanNLL); err != nil {
		t.Errorf("without an interrupt: %v", err)
	}
}
