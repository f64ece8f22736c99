package harness

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
)

// flakySuite makes countEnvs whose infrastructure fails by task: "down"
// at every Reset, "no-verdict" at every Evaluate, "flaky" at its first
// Evaluate only (a container that dies once), "bad" at every Step (as
// countEnv does); "cancel" cancels the rollout at its first Step. Other
// tasks run as countEnv does.
type flakySuite struct {
	countSuite
	cancel context.CancelFunc
	mu     sync.Mutex
	evals  map[string]int
}

func newFlakySuite(steps int) *flakySuite {
	return &flakySuite{countSuite: countSuite{steps: steps}, evals: map[string]int{}}
}

func (s *flakySuite) NewEnv(context.Context) (env.Env, error) {
	return &flakyEnv{countEnv: countEnv{steps: s.steps}, suite: s}, nil
}

type flakyEnv struct {
	countEnv
	suite *flakySuite
}

var errContainerDown = errors.New("container exited")

func (e *flakyEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	if t.ID == "down" {
		return nil, errContainerDown
	}
	return e.countEnv.Reset(ctx, t)
}

func (e *flakyEnv) Step(ctx context.Context, action string) (env.StepResult, error) {
	if e.task.ID == "cancel" {
		e.suite.cancel()
		return env.StepResult{}, ctx.Err()
	}
	return e.countEnv.Step(ctx, action)
}

func (e *flakyEnv) Evaluate(ctx context.Context) (env.Evaluation, error) {
	e.suite.mu.Lock()
	e.suite.evals[e.task.ID]++
	n := e.suite.evals[e.task.ID]
	e.suite.mu.Unlock()
	if e.task.ID == "no-verdict" || (e.task.ID == "flaky" && n == 1) {
		return env.Evaluation{}, errContainerDown
	}
	return e.countEnv.Evaluate(ctx)
}

func flakyRoller(s *flakySuite, reply string) *Roller {
	return &Roller{Suite: s, Policy: &scriptGen{reply: func(GenRequest) string { return reply }}, Codec: byteCodec{},
		Limits: Limits{MaxTurns: 3, MaxTokensPerTurn: 10}, Rewards: DefaultRewards()}
}

func TestRollerMarksInfrastructureFailures(t *testing.T) {
	cases := []struct {
		task      string
		infra     bool
		end       string
		turns     int
		errSubstr string
	}{
		{"t", false, "done", 2, ""},
		{"down", true, "error", 0, "reset down: container exited"},
		{"bad", true, "error", 1, "step 0 of bad: backend crashed"}, // countEnv's Step failure
		{"no-verdict", true, "error", 2, "evaluate"},
	}
	for _, c := range cases {
		trajs, err := flakyRoller(newFlakySuite(2), "ok").Run(context.Background(), []Episode{{Task: env.Task{ID: c.task}}})
		if err != nil {
			t.Fatalf("%s: %v", c.task, err)
		}
		tr := trajs[0]
		if tr.InfraFailed != c.infra || tr.EndReason != c.end || len(tr.Turns) != c.turns || !strings.Contains(tr.Err, c.errSubstr) {
			t.Errorf("%s: infra %v, end %q, %d turns, error %q; want %v, %q, %d, containing %q",
				c.task, tr.InfraFailed, tr.EndReason, len(tr.Turns), tr.Err, c.infra, c.end, c.turns, c.errSubstr)
		}
	}
}

func TestRollerCancelledEpisodeIsNotAnInfrastructureFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newFlakySuite(2)
	s.cancel = cancel
	trajs, err := flakyRoller(s, "ok").Run(ctx, []Episode{{Task: env.Task{ID: "cancel"}}})
	if !errors.Is(err, context.Canceled) || len(trajs) != 1 {
		t.Fatalf("Run = %d trajectories, %v; want 1 and context.Canceled", len(trajs), err)
	}
	if tr := trajs[0]; tr.EndReason != "error" || tr.InfraFailed {
		t.Errorf("cancelled episode: end %q, infra %v; want error, false", tr.EndReason, tr.InfraFailed)
	}
}

// A step of three groups of three: group 0 ("t") runs whole, group 1
// ("flaky") loses one episode at Evaluate, group 2 ("bad") loses all three
// at their first Step. Every lost episode has turns, so only the infra
// mark keeps it out of the batch. Every reply is "ok", so every episode
// that ran succeeds with reward 1.5.
func TestInfrastructureFailuresLeaveTheBatch(t *testing.T) {
	var eps []Episode
	for g, task := range []string{"t", "flaky", "bad"} {
		for range 3 {
			eps = append(eps, Episode{ID: len(eps), Group: g, Task: env.Task{ID: task}})
		}
	}
	trajs, err := flakyRoller(newFlakySuite(2), "ok").Run(context.Background(), eps)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ToBatch(trajs)
	if err != nil {
		t.Fatal(err)
	}
	perGroup := map[string]int{}
	for _, tr := range b.Trajectories {
		perGroup[tr.Group]++
		if tr.Reward != 1.5 {
			t.Errorf("trajectory %s of group %s: reward %v, want 1.5", tr.ID, tr.Group, tr.Reward)
		}
	}
	// Group 0 keeps 3, group 1 keeps 2, group 2 is gone.
	if want := map[string]int{"0": 3, "1": 2}; !reflect.DeepEqual(perGroup, want) {
		t.Errorf("batch groups %v, want %v", perGroup, want)
	}
	m := RolloutMetrics(trajs)
	// 4 of 9 attempted episodes lost; the 5 that ran all scored 1.5 with
	// two turns (with the lost ones as zeros the mean score would have been
	// 7.5/9).
	want := map[string]float64{metrics.RolloutInfraFailedRate: 4.0 / 9, metrics.ScoreMean: 1.5,
		metrics.SuccessMean: 1, metrics.NumTurnsMean: 2}
	for name, v := range want {
		if math.Abs(m[name]-v) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, m[name], v)
		}
	}
}

func TestToBatchWhenEveryEpisodeIsLost(t *testing.T) {
	trajs, err := flakyRoller(newFlakySuite(2), "ok").Run(context.Background(),
		[]Episode{{ID: 0, Task: env.Task{ID: "down"}}, {ID: 1, Task: env.Task{ID: "down"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ToBatch(trajs)
	if err == nil || !strings.Contains(err.Error(), "2 of 2 lost to infrastructure failures: reset down: container exited") {
		t.Errorf("ToBatch error %v, want one naming 2 of 2 lost and the first failure", err)
	}
}

// Evaluation with k = 2 over tasks "t" (both samples succeed), "flaky"
// (one sample lost, the other succeeds) and "down" (both lost).
func TestEvaluateLeavesOutInfrastructureFailures(t *testing.T) {
	tasks := []env.Task{{ID: "t"}, {ID: "flaky"}, {ID: "down"}}
	ev, err := Evaluate(context.Background(), flakyRoller(newFlakySuite(2), "ok"), Sampling{}, tasks, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Tasks[1]; len(got.Success) != 1 || len(got.InfraFailed) != 1 {
		t.Errorf("flaky task: %+v, want one sample run and one lost", got)
	}
	if got := ev.Tasks[2]; len(got.Success) != 0 || !reflect.DeepEqual(got.InfraFailed, []int{0, 1}) {
		t.Errorf("down task: %+v, want samples 0 and 1 lost", got)
	}
	// "t" and "flaky" succeed on every sample that ran; "down" ran none and
	// is left out: avg@2 = pass@2 = pass^2 = 1. Lost: 3 of 6 samples.
	want := metrics.Data{"avg@2": 1, "pass@2": 1, "pass^2": 1, "reward/mean": 1.5, "infra_failed_rate": 0.5}
	if !reflect.DeepEqual(ev.Aggregates, want) {
		t.Errorf("aggregates %v, want %v", ev.Aggregates, want)
	}
	if line := EvalLine(ev); line != "avg@2 1.000 pass@2 1.000 pass^2 1.000 (infra_failed_rate 0.500)" {
		t.Errorf("EvalLine = %q", line)
	}
}
