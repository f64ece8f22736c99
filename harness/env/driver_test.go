package env_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

// counterEpisodes scripts every task of the split with counter.Actions.
func counterEpisodes(t testing.TB, s env.Suite, split string, seed int64) []env.Episode {
	t.Helper()
	tasks, err := s.Tasks(split)
	if err != nil {
		t.Fatal(err)
	}
	eps := make([]env.Episode, len(tasks))
	for i, task := range tasks {
		eps[i] = env.Episode{Task: task, Actions: counter.Actions(task, seed)}
	}
	return eps
}

func outcomes(recs []env.EpisodeRecord) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.Outcome())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestRunEpisodesHTTPMatchesInProcess(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "8"}})
	eps := counterEpisodes(t, local, "train", 7)
	ctx := context.Background()
	want, err := env.RunEpisodes(ctx, []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	var backends []env.Backend
	for i := range 3 {
		_, hs := newCounterServer(t, env.ServerOptions{})
		rs, err := env.OpenRemote(ctx, newClient(t, hs.URL, 2), "counter")
		if err != nil {
			t.Fatal(err)
		}
		backends = append(backends, env.Backend{Name: string(rune('a' + i)), Suite: rs, Check: rs.Client().Health})
	}
	got, err := env.RunEpisodes(ctx, backends, eps, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if outcomes(got) != outcomes(want) {
		t.Fatalf("HTTP run differs from in-process:\n%s\nwant\n%s", outcomes(got), outcomes(want))
	}
	statuses := map[string]int{}
	for _, r := range want {
		statuses[r.Status]++
	}
	// The seeded scripts include wrong and unparsable replies, so both verdicts occur.
	if statuses[env.StatusSuccess] == 0 || statuses[env.StatusFailure] == 0 {
		t.Fatalf("statuses %v: the scripts should both solve and fail tasks", statuses)
	}
}

// dying wraps a server: after `after` step requests it answers every
// request with a refused-like 502, as a crashed container behind a proxy.
type dying struct {
	next  http.Handler
	after int32
	steps atomic.Int32
	dead  atomic.Bool
}

func (d *dying) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/step" && d.steps.Add(1) > d.after {
		d.dead.Store(true)
	}
	if d.dead.Load() {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	d.next.ServeHTTP(w, r)
}

func TestRunEpisodesRetriesOnAHealthyBackend(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "8"}})
	eps := counterEpisodes(t, local, "test", 3)
	ctx := context.Background()
	want, _ := env.RunEpisodes(ctx, []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{})

	var backends []env.Backend
	var victim *dying
	for i := range 2 {
		srv, _ := newCounterServer(t, env.ServerOptions{})
		d := &dying{next: srv, after: 1 << 30}
		if i == 0 {
			d.after, victim = 1, d // its first episode has at least two steps
		}
		hs := httptest.NewServer(d)
		t.Cleanup(hs.Close)
		rs, err := env.OpenRemote(ctx, newClient(t, hs.URL, 1), "counter")
		if err != nil {
			t.Fatal(err)
		}
		backends = append(backends, env.Backend{Name: []string{"victim", "healthy"}[i], Suite: rs, Check: rs.Client().Health})
	}
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	got, err := env.RunEpisodes(ctx, backends, eps, env.RunOptions{Concurrency: 2, Backoff: time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if !victim.dead.Load() {
		t.Fatal("the victim backend never died")
	}
	if outcomes(got) != outcomes(want) {
		t.Fatalf("run with a dying backend differs from in-process:\n%s\nwant\n%s", outcomes(got), outcomes(want))
	}
	retried := 0
	for _, r := range got {
		if r.Attempts > 1 {
			retried++
			if r.Backend != "healthy" {
				t.Errorf("episode %d retried on %s", r.Index, r.Backend)
			}
		}
	}
	text := log.String()
	if retried == 0 || !strings.Contains(text, "episode attempt failed") || !strings.Contains(text, "backend down") ||
		strings.Count(text, "episode recorded") != len(eps) {
		t.Fatalf("%d retried; log:\n%s", retried, text)
	}
}

// failingSuite's environments fail every Step.
type failingSuite struct{ env.Suite }

func (s failingSuite) NewEnv(ctx context.Context) (env.Env, error) {
	e, _ := s.Suite.NewEnv(ctx)
	return failingEnv{e}, nil
}

type failingEnv struct{ env.Env }

func (failingEnv) Step(context.Context, string) (env.StepResult, error) {
	return env.StepResult{}, errors.New("broken environment")
}

func TestRunEpisodesRecordsErrorsOnce(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "4"}})
	eps := counterEpisodes(t, local, "train", 1)
	got, err := env.RunEpisodes(context.Background(), []env.Backend{{Name: "broken", Suite: failingSuite{local}}}, eps,
		env.RunOptions{Attempts: 3, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d records", len(got))
	}
	for i, r := range got {
		if r.Index != i || r.Status != env.StatusErrored || r.Attempts != 3 || !strings.Contains(r.Error, "broken environment") {
			t.Errorf("record %+v", r)
		}
	}
}

func TestRunEpisodesStopsOnCancel(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "64"}})
	eps := counterEpisodes(t, local, "train", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := env.RunEpisodes(ctx, []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{})
	if !errors.Is(err, context.Canceled) || len(got) >= len(eps) {
		t.Fatalf("cancelled run: %d records, err %v", len(got), err)
	}
}

// TestRunEpisodesKeepsMessagesWhenAsked: the kept messages are the opening
// and one list per step, as a fresh environment says them; without the
// option none are kept.
func TestRunEpisodesKeepsMessagesWhenAsked(t *testing.T) {
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "2"}})
	eps := counterEpisodes(t, local, "train", 7)
	ctx := context.Background()
	recs, err := env.RunEpisodes(ctx, []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{KeepMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		e, _ := local.NewEnv(ctx)
		want, _ := e.Reset(ctx, eps[i].Task)
		if len(rec.Messages) != rec.Steps+1 || !reflect.DeepEqual(rec.Messages[0], want) {
			t.Fatalf("episode %d: %d steps, kept %d message lists, opening %v; want %d lists opening with %v",
				i, rec.Steps, len(rec.Messages), rec.Messages[0], rec.Steps+1, want)
		}
		for step, action := range eps[i].Actions[:rec.Steps] {
			res, _ := e.Step(ctx, action)
			if !reflect.DeepEqual(rec.Messages[step+1], res.Messages) {
				t.Errorf("episode %d step %d: kept %v, the environment says %v", i, step+1, rec.Messages[step+1], res.Messages)
			}
		}
		e.Close()
	}
	plain, err := env.RunEpisodes(ctx, []env.Backend{{Name: "inproc", Suite: local}}, eps, env.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plain[0].Messages != nil {
		t.Errorf("messages kept without KeepMessages: %v", plain[0].Messages)
	}
}
