package native

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/pyexec"
	"github.com/seeupo/seeupo/appworld/tasks"
)

// benchBackends are the two ways of reaching a native server: in-process
// and through the protocol over HTTP on the loopback interface.
func benchBackends(b *testing.B) map[string]protocol.Backend {
	srv := New(Options{})
	b.Cleanup(srv.Shutdown)
	ts := httptest.NewServer(protocol.Handler(New(Options{})))
	b.Cleanup(ts.Close)
	return map[string]protocol.Backend{"direct": srv, "http": protocol.NewClient(ts.URL, time.Minute)}
}

// BenchmarkInitialize measures task initialisation: loading the start
// state, starting the API server and attaching a python3 interpreter (the
// task's build is cached after the first call, as in a training run).
// "spare" takes an interpreter started ahead of time, as consecutive
// episodes do; "cold" starts python3 inside the measured time.
func BenchmarkInitialize(b *testing.B) {
	ids, _ := tasks.IDs("train")
	ctx := context.Background()
	defer func(n int) { pyexec.SpareProcesses = n }(pyexec.SpareProcesses)
	for _, mode := range []string{"spare", "cold"} {
		for name, be := range benchBackends(b) {
			b.Run(mode+"/"+name, func(b *testing.B) {
				pyexec.SpareProcesses = map[string]int{"spare": 1, "cold": 0}[mode]
				for i := 0; b.Loop(); i++ {
					if mode == "spare" {
						b.StopTimer()
						if !pyexec.WaitSpare(Options{}.merged(protocol.InitRequest{}).interpreter(), 10*time.Second) {
							b.Fatal("no spare interpreter")
						}
						b.StartTimer()
					}
					id := ids[i%len(ids)]
					if _, err := be.Initialize(ctx, protocol.InitRequest{TaskID: id}); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					be.Close(ctx, id)
					b.StartTimer()
				}
			})
		}
	}
}

// BenchmarkExecute measures one execute round trip: a cell without API
// calls, and a cell with one API call.
func BenchmarkExecute(b *testing.B) {
	ids, _ := tasks.IDs("train")
	ctx := context.Background()
	cells := map[string]string{"print": "print(1)", "one_api_call": "apis.supervisor.show_profile()"}
	for name, be := range benchBackends(b) {
		if _, err := be.Initialize(ctx, protocol.InitRequest{TaskID: ids[0]}); err != nil {
			b.Fatal(err)
		}
		if _, err := be.Execute(ctx, ids[0], cells["one_api_call"]); err != nil { // warm the imports
			b.Fatal(err)
		}
		for cname, code := range cells {
			b.Run(name+"/"+cname, func(b *testing.B) {
				for b.Loop() {
					if _, err := be.Execute(ctx, ids[0], code); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		be.Close(ctx, ids[0])
	}
}

// BenchmarkBuildTask measures building one task's start state from the
// base world (done once per task and process).
func BenchmarkBuildTask(b *testing.B) {
	ids, _ := tasks.IDs("dev")
	for i := 0; b.Loop(); i++ {
		c := &tasks.Catalogue{}
		if _, err := c.Get(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
