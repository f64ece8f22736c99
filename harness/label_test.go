package harness

import (
	"context"
	"reflect"
	"regexp"
	"sort"
	"sync"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/metrics"
)

// labelSuite's environments record the episode label of each Reset.
type labelSuite struct {
	countSuite
	mu     *sync.Mutex
	labels *[]env.EpisodeLabel
}

func (s labelSuite) NewEnv(context.Context) (env.Env, error) {
	return &labelEnv{countEnv: countEnv{steps: 1}, s: s}, nil
}

type labelEnv struct {
	countEnv
	s labelSuite
}

func (e *labelEnv) Reset(ctx context.Context, t env.Task) ([]env.Message, error) {
	l, ok := env.EpisodeLabelOf(ctx)
	if !ok {
		l.Run = "none"
	}
	e.s.mu.Lock()
	*e.s.labels = append(*e.s.labels, l)
	e.s.mu.Unlock()
	return e.countEnv.Reset(ctx, t)
}

// TestEpisodeLabels checks that the roller labels each episode with its
// sample, keeping the run and step of the context, and that the driver
// labels scripted episodes with their index.
func TestEpisodeLabels(t *testing.T) {
	var labels []env.EpisodeLabel
	s := labelSuite{mu: &sync.Mutex{}, labels: &labels}
	r := &Roller{Suite: s, Policy: &scriptGen{reply: func(GenRequest) string { return "ok" }}, Codec: byteCodec{},
		Limits: Limits{MaxTurns: 2, MaxTokensPerTurn: 10, MaxContext: 1000}, Rewards: DefaultRewards()}
	ctx := env.WithEpisodeLabel(context.Background(), env.EpisodeLabel{Run: "r", Step: 4})
	eps := []Episode{{ID: 0, Task: env.Task{ID: "t"}}, {ID: 1, Task: env.Task{ID: "t"}}, {ID: 2, Task: env.Task{ID: "u"}}}
	if _, err := r.Run(ctx, eps); err != nil {
		t.Fatal(err)
	}
	byIndex := func(ls []env.EpisodeLabel) []env.EpisodeLabel {
		sort.Slice(ls, func(i, j int) bool { return ls[i].Sample < ls[j].Sample })
		return ls
	}
	want := []env.EpisodeLabel{{Run: "r", Step: 4, Sample: 0}, {Run: "r", Step: 4, Sample: 1}, {Run: "r", Step: 4, Sample: 2}}
	if got := byIndex(labels); !reflect.DeepEqual(got, want) {
		t.Errorf("roller labels %+v, want %+v", got, want)
	}
	labels = nil
	_, err := env.RunEpisodes(context.Background(), []env.Backend{{Name: "b", Suite: s}},
		[]env.Episode{{Task: env.Task{ID: "t"}, Actions: []string{"ok"}}, {Task: env.Task{ID: "t"}, Actions: []string{"ok"}}}, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := byIndex(labels), []env.EpisodeLabel{{Sample: 0}, {Sample: 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("driver labels %+v, want %+v", got, want)
	}
}

// TestRunLabel checks the trainer's run label: a digest of the run
// directory and the phase, the same for the same directory.
func TestRunLabel(t *testing.T) {
	a := &Trainer{Output: &metrics.Run{Dir: "/runs/x/seed-1"}}
	b := &Trainer{Output: &metrics.Run{Dir: "/runs/x/seed-2"}}
	if !regexp.MustCompile(`^[0-9a-f]{8}-train$`).MatchString(a.runLabel("train")) {
		t.Errorf("label %q, want 8 hex digits and the phase", a.runLabel("train"))
	}
	if a.runLabel("train") == b.runLabel("train") || a.runLabel("train") != a.runLabel("train") {
		t.Errorf("labels %q and %q: want them to differ between runs and stay the same within one", a.runLabel("train"), b.runLabel("train"))
	}
	if got := (&Trainer{}).runLabel("eval"); got != "eval" {
		t.Errorf("without a run directory: %q, want %q", got, "eval")
	}
}
