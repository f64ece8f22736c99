package bfcl

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/harness/env"
)

// keywordForm rewrites a ground-truth call with positional arguments into
// keyword form (the decoder keeps keyword arguments only, as upstream).
func keywordForm(t testing.TB, call string) string {
	x, err := ParseExpr(call, "<string>")
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	c := x.(*Call)
	name := c.Func.(*Name).ID
	var params []backend.Param
	for _, cn := range backend.Names() {
		cl, _ := backend.Lookup(cn)
		if m := cl.Method(name); m != nil {
			params = m.Params
		}
	}
	var parts []string
	for i, a := range c.Args {
		parts = append(parts, params[i].Name+"="+Unparse(a))
	}
	for _, k := range c.Keywords {
		parts = append(parts, k.Name+"="+Unparse(k.Value))
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

func registered(e *Entry) bool {
	for _, c := range e.InvolvedClasses {
		if _, err := backend.Lookup(c); err != nil {
			return false
		}
	}
	return true
}

// TestEnvGroundTruthEpisodes plays every entry's ground truth through the
// suite's Env (one reply per turn, then a reply without calls) and expects
// the tool outputs of the direct executor and a successful evaluation.
func TestEnvGroundTruthEpisodes(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ctx := context.Background()
	played, ok := 0, 0
	for _, e := range d.All() {
		if !registered(e) {
			continue
		}
		played++
		ev, _ := suite.NewEnv(ctx)
		msgs, err := ev.Reset(ctx, env.Task{ID: e.ID})
		if err != nil {
			t.Fatal(err)
		}
		if msgs[0].Role != "system" || !strings.Contains(msgs[0].Content, "Here is a list of functions in json format") {
			t.Fatalf("%s: first message is not the system prompt: %.200q", e.ID, msgs[0].Content)
		}
		direct, _ := d.NewExecutor(e, "", nil)
		for ti, calls := range e.GroundTruth {
			if len(calls) > 0 {
				kw := make([]string, len(calls))
				for i, c := range calls {
					kw[i] = keywordForm(t, c)
				}
				res, err := ev.Step(ctx, "["+strings.Join(kw, ", ")+"]")
				if err != nil {
					t.Fatal(err)
				}
				want := ToolResultsMessage(kw, direct.Execute(calls))
				if len(res.Messages) != 1 || res.Messages[0].Content != want {
					t.Errorf("%s turn %d: observation\n got %.300q\nwant %.300q", e.ID, ti, res.Messages, want)
				}
			}
			res, err := ev.Step(ctx, "Done.")
			if err != nil {
				t.Fatal(err)
			}
			if res.Done != (ti == len(e.GroundTruth)-1) {
				t.Fatalf("%s turn %d: done = %v", e.ID, ti, res.Done)
			}
		}
		r, err := ev.Evaluate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Success {
			ok++
		} else {
			var det EvalDetails
			_ = json.Unmarshal(r.Details, &det)
			t.Errorf("%s: not solved: %+v", e.ID, det.Result)
		}
	}
	t.Logf("ground truth through the Env: %d/%d solved (entries whose classes are all registered)", ok, played)
}

func TestEnvForceQuitAndSplits(t *testing.T) {
	d := loadDataset(t)
	s, err := env.Open(SuiteName, env.Options{DataDir: filepath.Dir(d.Dir), Params: map[string]string{"category": "base", "prompt": "compact"}})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := s.Tasks(SplitTrain)
	test, _ := s.Tasks(SplitTest)
	all, _ := s.Tasks(SplitAll)
	if len(train)+len(test) != len(all) || len(all) != 200 || len(train) == 0 {
		t.Fatalf("split sizes train %d test %d all %d", len(train), len(test), len(all))
	}
	if _, err := s.Tasks("dev"); err == nil || !strings.Contains(err.Error(), "train, test, all") {
		t.Fatalf("unknown split error: %v", err)
	}
	ev, _ := s.NewEnv(context.Background())
	msgs, err := ev.Reset(context.Background(), env.Task{ID: "multi_turn_base_0"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Content, "- cd(folder: string): Change the current working directory") {
		t.Fatalf("compact prompt: %.400s", msgs[0].Content)
	}
	var res env.StepResult
	steps := 0
	for !res.Done {
		if res, err = ev.Step(context.Background(), "[pwd()]"); err != nil {
			t.Fatal(err)
		}
		steps++
	}
	if steps != MaxSteps+1 {
		t.Fatalf("force quit after %d steps, want %d", steps, MaxSteps+1)
	}
	r, _ := ev.Evaluate(context.Background())
	var det EvalDetails
	_ = json.Unmarshal(r.Details, &det)
	if r.Success || det.Result.ErrorType != ErrForceTerminated {
		t.Fatalf("force-quit evaluation = %+v", det.Result)
	}
	if _, err := env.Open(SuiteName, env.Options{DataDir: filepath.Dir(d.Dir), Params: map[string]string{"prompt": "fancy"}}); err == nil ||
		!strings.Contains(err.Error(), "allowed: official, compact") {
		t.Fatalf("bad prompt param error: %v", err)
	}
}

// Episodes of one suite run concurrently (the suite is shared, each Env is
// owned by one goroutine); run with -race.
func TestEnvConcurrentEpisodes(t *testing.T) {
	d := loadDataset(t)
	suite := NewSuite(d, SuiteOptions{})
	ids := []string{"multi_turn_base_0", "multi_turn_long_context_0", "multi_turn_base_150", "multi_turn_long_context_150", "multi_turn_miss_func_60", "multi_turn_base_100"}
	errs := make(chan error, len(ids)*2)
	for rep := 0; rep < 2; rep++ {
		for _, id := range ids {
			go func(id string) {
				ctx := context.Background()
				e, _ := d.Entry(id)
				ev, _ := suite.NewEnv(ctx)
				if _, err := ev.Reset(ctx, env.Task{ID: id}); err != nil {
					errs <- err
					return
				}
				for _, calls := range e.GroundTruth {
					if len(calls) > 0 {
						kw := make([]string, len(calls))
						for i, c := range calls {
							kw[i] = keywordForm(t, c)
						}
						if _, err := ev.Step(ctx, "["+strings.Join(kw, ", ")+"]"); err != nil {
							errs <- err
							return
						}
					}
					if _, err := ev.Step(ctx, ""); err != nil {
						errs <- err
						return
					}
				}
				r, err := ev.Evaluate(ctx)
				if err == nil && !r.Success {
					err = fmt.Errorf("%s not solved: %s", id, r.Details)
				}
				errs <- err
			}(id)
		}
	}
	for range len(ids) * 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
