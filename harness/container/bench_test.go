package container_test

import (
	"context"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/harness/env/counter"
)

// benchConcurrency is the number of episodes in flight in every backend.
const benchConcurrency = 4

// runBench runs b.N scripted counter episodes on backends and reports
// episodes per second.
func runBench(b *testing.B, backends []env.Backend) {
	b.Helper()
	local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
	tasks, _ := local.Tasks("train")
	eps := make([]env.Episode, b.N)
	for i := range eps {
		eps[i] = env.Episode{Task: tasks[i%len(tasks)], Actions: counter.Actions(tasks[i%len(tasks)], int64(i))}
	}
	b.ResetTimer()
	recs, err := env.RunEpisodes(context.Background(), backends, eps, env.RunOptions{Concurrency: benchConcurrency})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if r.Status == env.StatusErrored {
			b.Fatalf("episode %d: %s", r.Index, r.Error)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "episodes/s")
}

// BenchmarkEpisodes compares the backends on the same scripted counter
// episodes, 4 in flight: in process, one env-service server on loopback
// HTTP, and four containers.
func BenchmarkEpisodes(b *testing.B) {
	b.Run("inproc", func(b *testing.B) {
		local, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
		runBench(b, []env.Backend{{Name: "inproc", Suite: local}})
	})
	b.Run("http-loopback", func(b *testing.B) {
		s, _ := counter.Open(env.Options{Params: map[string]string{"tasks": "16"}})
		c, stop, err := env.ServeLoopback(s)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		rs, err := env.OpenRemote(context.Background(), c, counter.Name)
		if err != nil {
			b.Fatal(err)
		}
		runBench(b, []env.Backend{{Name: "loopback", Suite: rs, Check: c.Health}})
	})
	b.Run("docker-4", func(b *testing.B) {
		p := startPool(b, 4, nil)
		runBench(b, p.Backends(counter.Name))
	})
}
