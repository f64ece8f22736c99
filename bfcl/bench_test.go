package bfcl

import (
	"context"
	"testing"
	"time"

	"github.com/seeupo/seeupo/harness/env"
)

// BenchmarkGroundTruthEpisodes executes the ground truth of all 800
// entries, turn by turn on fresh instances, and checks each with the
// multi-turn checker (which replays the ground truth a second time). It
// reports ground-truth episodes per second and the mean time of one
// executor step (one turn's calls).
func BenchmarkGroundTruthEpisodes(b *testing.B) {
	d := loadDataset(b)
	entries := d.All()
	b.ResetTimer()
	var steps int
	var stepTime time.Duration
	for i := 0; i < b.N; i++ {
		for _, e := range entries {
			ex, err := d.NewExecutor(e, "", nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, turn := range e.GroundTruth {
				if len(turn) == 0 {
					continue
				}
				t0 := time.Now()
				ex.Execute(turn)
				stepTime += time.Since(t0)
				steps++
			}
			r, err := d.VerifyGroundTruth(e)
			if err != nil || !r.Valid {
				b.Fatalf("%s: %v %+v", e.ID, err, r)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(entries))/b.Elapsed().Seconds(), "episodes/s")
	b.ReportMetric(float64(stepTime.Microseconds())/float64(steps), "µs/step")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkEnvStep measures one Env.Step (decode the reply, execute, render
// the observation) over the ground-truth turns of all entries.
func BenchmarkEnvStep(b *testing.B) {
	d := loadDataset(b)
	suite := NewSuite(d, SuiteOptions{})
	type step struct {
		id    string
		reply string
	}
	var replies []step
	for _, e := range d.All() {
		for _, turn := range e.GroundTruth {
			if len(turn) > 0 {
				kw := make([]string, len(turn))
				for i, c := range turn {
					kw[i] = keywordForm(b, c)
				}
				replies = append(replies, step{e.ID, "[" + joinCalls(kw) + "]"})
			}
		}
	}
	ctx := context.Background()
	ev, _ := suite.NewEnv(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := replies[i%len(replies)]
		b.StopTimer()
		if _, err := ev.Reset(ctx, env.Task{ID: s.id}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := ev.Step(ctx, s.reply); err != nil {
			b.Fatal(err)
		}
	}
}

func joinCalls(calls []string) string {
	out := ""
	for i, c := range calls {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// BenchmarkGroundTruthRound is the port's side of
// BenchmarkUpstreamGroundTruth alone: one iteration executes the ground
// truth of all 800 entries on fresh instances, without checking.
func BenchmarkGroundTruthRound(b *testing.B) {
	d := loadDataset(b)
	entries := d.All()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		groundTruthRound(b, d, entries, nil)
	}
}
