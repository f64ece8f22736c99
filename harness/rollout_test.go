package harness

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
)

// byteCodec renders messages as bytes: "<role>content;" with role initials.
type byteCodec struct{}

func (byteCodec) Message(m env.Message) []int {
	return bytesOf(fmt.Sprintf("<%c>%s;", m.Role[0], m.Content))
}
func (byteCodec) AssistantStart() []int { return bytesOf("<a>") }
func (byteCodec) AssistantEnd() []int   { return bytesOf("|") }
func (byteCodec) Decode(ids []int) string {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id != stopID {
			b = append(b, byte(id))
		}
	}
	return string(b)
}

const stopID = 0

func bytesOf(s string) []int {
	ids := make([]int, len(s))
	for i := range s {
		ids[i] = int(s[i])
	}
	return ids
}

// scriptGen replies "x<turn>" + stop, counting calls and batch sizes.
type scriptGen struct {
	mu      sync.Mutex
	batches []int
	reply   func(req GenRequest) string
}

func (g *scriptGen) Generate(_ context.Context, reqs []GenRequest) ([]GenResult, error) {
	g.mu.Lock()
	g.batches = append(g.batches, len(reqs))
	g.mu.Unlock()
	out := make([]GenResult, len(reqs))
	for i, r := range reqs {
		ids := append(bytesOf(g.reply(r)), stopID)
		if len(ids) > r.MaxTokens {
			ids = ids[:r.MaxTokens]
		}
		lp := make([]float64, len(ids))
		for j := range lp {
			lp[j] = -0.5
		}
		out[i] = GenResult{Tokens: ids, LogProbs: lp}
	}
	return out, nil
}

// countSuite: an episode lasts Steps steps; task "bad" fails at its first
// step; success when every reply was "ok".
type countSuite struct{ steps int }

func (countSuite) Name() string                     { return "count" }
func (countSuite) Splits() []string                 { return []string{"train"} }
func (countSuite) Tasks(string) ([]env.Task, error) { return nil, nil }
func (s countSuite) NewEnv(context.Context) (env.Env, error) {
	return &countEnv{steps: s.steps}, nil
}

type countEnv struct {
	steps, n int
	task     env.Task
	allOK    bool
	closed   int
}

func (e *countEnv) Reset(_ context.Context, t env.Task) ([]env.Message, error) {
	e.task, e.allOK = t, true
	return []env.Message{{Role: "system", Content: "S"}, {Role: "user", Content: t.ID}}, nil
}

func (e *countEnv) Step(_ context.Context, action string) (env.StepResult, error) {
	if e.task.ID == "bad" {
		return env.StepResult{}, errors.New("backend crashed")
	}
	e.n++
	e.allOK = e.allOK && action == "ok"
	return env.StepResult{Messages: []env.Message{{Role: "tool", Content: fmt.Sprint(e.n)}}, Done: e.n >= e.steps}, nil
}

func (e *countEnv) Evaluate(context.Context) (env.Evaluation, error) {
	return env.Evaluation{Success: e.allOK}, nil
}
func (e *countEnv) Close() error { e.closed++; return nil }

func TestRollerBuildsContextsTokenInTokenOut(t *testing.T) {
	gen := &scriptGen{reply: func(GenRequest) string { return "ok" }}
	r := &Roller{Suite: countSuite{steps: 2}, Policy: gen, Codec: byteCodec{},
		Limits: Limits{MaxTurns: 5, MaxTokensPerTurn: 10, MaxContext: 1000}, Rewards: DefaultRewards()}
	trajs, err := r.Run(context.Background(), []Episode{
		{ID: 0, Group: 0, Task: env.Task{ID: "t1"}}, {ID: 1, Group: 0, Task: env.Task{ID: "t1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gen.batches, []int{2, 2}) {
		t.Errorf("generation batches = %v, want two batches of 2", gen.batches)
	}
	tr := trajs[1]
	codec := byteCodec{}
	if tr.ID != 1 || tr.EndReason != "done" || len(tr.Turns) != 2 || tr.Reward != 1.5 {
		t.Fatalf("trajectory = %+v", tr)
	}
	wantCtx0 := "<s>S;<u>t1;<a>"
	if got := codec.Decode(tr.Turns[0].Context); got != wantCtx0 {
		t.Errorf("turn 0 context = %q, want %q", got, wantCtx0)
	}
	// Turn 1's context is turn 0's context + its response (with the stop
	// id) + the observation + the next assistant start, as ids.
	want1 := append(append(append(append([]int(nil), tr.Turns[0].Context...), tr.Turns[0].Response...),
		tr.Turns[0].Observation...), bytesOf("<a>")...)
	if !reflect.DeepEqual(tr.Turns[1].Context, want1) {
		t.Errorf("turn 1 context = %q", codec.Decode(tr.Turns[1].Context))
	}
	if got := codec.Decode(tr.Turns[0].Observation); got != "|<t>1;" {
		t.Errorf("observation = %q", got)
	}
	if tr.Turns[0].Text != "ok" || len(tr.Turns[0].LogProbs) != len(tr.Turns[0].Response) {
		t.Errorf("turn 0 = %+v", tr.Turns[0])
	}
}

func TestRollerLimitsAndFailures(t *testing.T) {
	gen := &scriptGen{reply: func(GenRequest) string { return "no" }}
	r := &Roller{Suite: countSuite{steps: 100}, Policy: gen, Codec: byteCodec{},
		Limits: Limits{MaxTurns: 3, MaxTokensPerTurn: 10}, Rewards: DefaultRewards(), Workers: 1}
	trajs, err := r.Run(context.Background(), []Episode{{ID: 0, Task: env.Task{ID: "t"}}, {ID: 1, Task: env.Task{ID: "bad"}}})
	if err != nil {
		t.Fatal(err)
	}
	if trajs[0].EndReason != "max_turns" || len(trajs[0].Turns) != 3 || trajs[0].Reward != 0 || trajs[0].InfraFailed {
		t.Errorf("limited episode = %+v", trajs[0])
	}
	if trajs[1].EndReason != "error" || trajs[1].Err == "" || trajs[1].Reward != 0 || !trajs[1].InfraFailed {
		t.Errorf("failed episode = %+v", trajs[1])
	}

	// A context limit cuts the per-turn budget and then ends the episode.
	r.Limits = Limits{MaxTurns: 10, MaxTokensPerTurn: 10, MaxContext: 20}
	trajs, err = r.Run(context.Background(), []Episode{{ID: 0, Task: env.Task{ID: "t"}}})
	if err != nil {
		t.Fatal(err)
	}
	tr := trajs[0]
	if tr.EndReason != "max_context" {
		t.Fatalf("end = %q, turns %d", tr.EndReason, len(tr.Turns))
	}
	for _, turn := range tr.Turns {
		if n := len(turn.Context) + len(turn.Response); n > 20 {
			t.Errorf("turn uses %d tokens, limit 20", n)
		}
	}
}

func TestRollerMarksGarbledReplies(t *testing.T) {
	gen := &scriptGen{reply: func(GenRequest) string { return "ßßßßßß" }}
	r := &Roller{Suite: countSuite{steps: 1}, Policy: gen, Codec: byteCodec{},
		Limits: Limits{MaxTurns: 2, MaxTokensPerTurn: 64}, Rewards: DefaultRewards()}
	trajs, err := r.Run(context.Background(), []Episode{{Task: env.Task{ID: "t"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !trajs[0].Garbled || trajs[0].Reward != -1 {
		t.Fatalf("trajectory = %+v", trajs[0])
	}
}

// boundedSuite is countSuite with a capacity; it records the most
// environments open at once.
type boundedSuite struct {
	countSuite
	capacity int
	mu       sync.Mutex
	open     int
	peak     int
}

func (s *boundedSuite) Capacity() int { return s.capacity }

func (s *boundedSuite) NewEnv(ctx context.Context) (env.Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open++
	s.peak = max(s.peak, s.open)
	e, _ := s.countSuite.NewEnv(ctx)
	return &boundedEnv{Env: e, suite: s}, nil
}

type boundedEnv struct {
	env.Env
	suite *boundedSuite
	once  sync.Once
}

func (e *boundedEnv) Close() error {
	e.once.Do(func() {
		e.suite.mu.Lock()
		e.suite.open--
		e.suite.mu.Unlock()
	})
	return e.Env.Close()
}

func TestRollerRunsBoundedSuitesInWaves(t *testing.T) {
	for _, tc := range []struct{ capacity, episodes, peak int }{{2, 5, 2}, {0, 5, 5}, {8, 5, 5}} {
		s := &boundedSuite{countSuite: countSuite{steps: 2}, capacity: tc.capacity}
		gen := &scriptGen{reply: func(r GenRequest) string { return "ok" }}
		r := &Roller{Suite: s, Policy: gen, Codec: byteCodec{},
			Limits: Limits{MaxTurns: 5, MaxTokensPerTurn: 10, MaxContext: 1000}, Rewards: DefaultRewards()}
		var eps []Episode
		for i := range tc.episodes {
			eps = append(eps, Episode{ID: i, Task: env.Task{ID: fmt.Sprint("t", i)}})
		}
		trajs, err := r.Run(context.Background(), eps)
		if err != nil {
			t.Fatal(err)
		}
		if s.peak != tc.peak || s.open != 0 {
			t.Errorf("capacity %d: %d environments open at most (want %d), %d left open", tc.capacity, s.peak, tc.peak, s.open)
		}
		for i, tr := range trajs {
			if tr.ID != i || tr.Task.ID != fmt.Sprint("t", i) || tr.Reward != 1.5 {
				t.Errorf("capacity %d: trajectory %d = %+v", tc.capacity, i, tr)
			}
		}
		if len(trajs) != tc.episodes {
			t.Errorf("capacity %d: %d trajectories", tc.capacity, len(trajs))
		}
	}
}
