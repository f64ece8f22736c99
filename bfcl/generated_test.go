package bfcl

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl/procgen"
	"github.com/seeupo/seeupo/harness/env"
)

// genOptions are the generation options of the generator tests: every
// class, enough tasks that every skill is drawn.
func genOptions(fam string) GeneratedOptions {
	return GeneratedOptions{Family: fam, N: 400, Seed: 1, Heldout: 0.25, Prompt: PromptCompact, Classes: procgen.Classes()}
}

// knownErrorSkills are the skills whose ground truth can give an error
// output, with why; the checker accepts such a task (the model's calls
// must give the same error), so validation keeps it. A skill that errs and
// is not listed fails the test, and so does a listed skill that no longer
// errs (remove it from the list). Fixing these skills changes the
// generated task set, and with it the suites' figures.
var knownErrorSkills = map[string]string{
	"GorillaFileSystem.echo":   "writes into a file that does not exist (echo does not create files)",
	"TravelAPI.exchange":       "asks for EUR rates the backend's table lacks",
	"TicketAPI.close":          "closes the first ticket of the queue, which may be closed already",
	"VehicleControlAPI.refuel": "adds fuel beyond the tank's capacity",
	"GorillaFileSystem.cat":    "reads a file an earlier echo failed to create",
	"GorillaFileSystem.wc":     "counts a file an earlier echo failed to create",
}

// The generator is checked against what it promises, with the executor
// the golden traces verify against upstream (not the verification that
// keeps the tasks): almost every task is kept; the ground truth of every
// kept task runs without an error output outside knownErrorSkills; the
// train and test splits never
// share a task (by id or by content); every skill of the family is the
// skill of some kept task; every task has one of the family's turn counts,
// and each of them occurs.
func TestGeneratedTasksAgainstExecutor(t *testing.T) {
	erring := map[string]int{}
	for _, fam := range procgen.Families() {
		t.Run(fam, func(t *testing.T) {
			o := genOptions(fam)
			s, err := NewGeneratedSuite(o)
			if err != nil {
				t.Fatal(err)
			}
			gen, err := procgen.Generate(procgen.Options{Seed: o.Seed, N: o.N, Family: fam, Classes: o.Classes})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]procgen.Entry{}
			for _, g := range gen {
				byID[g.ID] = g
			}
			logRejected(t, gen, s.Rejected)
			if len(s.Entries) < o.N*95/100 {
				t.Errorf("kept %d of %d", len(s.Entries), o.N)
			}
			checkReplay(t, s.Entries, byID, erring)
			checkSplits(t, s, byID)
			checkSkills(t, fam, o.Classes, s.Entries, byID)
			checkTurns(t, fam, s.Entries)
		})
	}
	t.Logf("ground-truth error outputs by skill (known defects): %v", erring)
	for sk := range knownErrorSkills {
		if erring[sk] == 0 {
			t.Errorf("skill %s no longer gives an error output: remove it from knownErrorSkills", sk)
		}
	}
}

// logRejected logs the rejected tasks' skills and reasons.
func logRejected(t *testing.T, gen []procgen.Entry, rejected map[string]string) {
	bySkill := map[string]int{}
	for _, g := range gen {
		if why, ok := rejected[g.ID]; ok {
			bySkill[strings.Join(g.Skills, "+")+": "+why]++
		}
	}
	var reasons []string
	for k, n := range bySkill {
		reasons = append(reasons, k+" ×"+strconv.Itoa(n))
	}
	sort.Strings(reasons)
	t.Logf("rejected %d of %d: %v", len(rejected), len(gen), reasons)
}

// checkReplay runs every kept task's ground truth on a fresh executor:
// each turn has calls and an output per call, and error outputs come from
// knownErrorSkills only; erring counts them by skill.
func checkReplay(t *testing.T, kept []*Entry, byID map[string]procgen.Entry, erring map[string]int) {
	t.Helper()
	for _, e := range kept {
		ex, err := NewExecutor(ExecutorConfig{Classes: e.InvolvedClasses, InitialConfig: e.InitialConfig,
			ModelName: DefaultModelName, EntryID: e.ID})
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		for ti, calls := range e.GroundTruth {
			outs := ex.Execute(calls)
			if len(calls) == 0 || len(outs) != len(calls) {
				t.Errorf("%s turn %d: %d calls, %d outputs", e.ID, ti, len(calls), len(outs))
			}
			sk := e.InvolvedClasses[0] + "." + byID[e.ID].Skills[ti]
			for i, out := range outs {
				if !isErrorOutput(out) {
					continue
				}
				erring[sk]++
				if _, known := knownErrorSkills[sk]; !known {
					t.Errorf("%s turn %d (skill %s): %s gave %s", e.ID, ti, sk, calls[i], out)
				}
			}
		}
	}
}

// isErrorOutput reports an execution error or a backend's {"error": ...}.
func isErrorOutput(out string) bool {
	if strings.HasPrefix(out, errorPrefix) {
		return true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(out), &obj) != nil {
		return false
	}
	_, bad := obj["error"]
	return bad
}

// checkSplits: train and test are disjoint by id and by content, and
// together are the kept tasks.
func checkSplits(t *testing.T, s *GeneratedSuite, byID map[string]procgen.Entry) {
	t.Helper()
	seen := map[string]string{} // id and fingerprint → split
	n := 0
	for _, split := range []string{SplitTrain, SplitTest} {
		tasks, err := s.Tasks(split)
		if err != nil || len(tasks) == 0 {
			t.Fatalf("split %s: %d tasks, %v", split, len(tasks), err)
		}
		for _, task := range tasks {
			n++
			for _, key := range []string{"id " + task.ID, "content " + byID[task.ID].Fingerprint()} {
				if other, dup := seen[key]; dup {
					t.Errorf("%s is in %s and %s", key, other, split)
				}
				seen[key] = split
			}
		}
	}
	if n != len(s.Entries) {
		t.Errorf("the splits hold %d tasks, %d were kept", n, len(s.Entries))
	}
}

// checkSkills: every skill the family declares is the skill of a turn of
// some kept task, and no kept task uses another.
func checkSkills(t *testing.T, fam string, classes []string, kept []*Entry, byID map[string]procgen.Entry) {
	t.Helper()
	declared, err := procgen.Skills(fam, classes)
	if err != nil || len(declared) == 0 {
		t.Fatalf("skills of %s: %v %v", fam, declared, err)
	}
	used := map[string]int{}
	for _, e := range kept {
		for _, sk := range byID[e.ID].Skills {
			used[e.InvolvedClasses[0]+"."+sk]++
		}
	}
	for _, sk := range declared {
		if used[sk] == 0 {
			t.Errorf("skill %s is in no kept task", sk)
		}
		delete(used, sk)
	}
	for sk := range used {
		t.Errorf("skill %s is used but not declared for %s", sk, fam)
	}
}

// checkTurns: each kept task has one of the family's turn counts, with a
// ground-truth turn per user turn, and every count in the range occurs.
func checkTurns(t *testing.T, fam string, kept []*Entry) {
	t.Helper()
	f, err := procgen.LookupFamily(fam)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, e := range kept {
		n := len(e.Question)
		if n < f.MinTurns || n > f.MaxTurns || len(e.GroundTruth) != n {
			t.Errorf("%s: %d user turns, %d ground-truth turns; %s declares %d to %d",
				e.ID, n, len(e.GroundTruth), fam, f.MinTurns, f.MaxTurns)
		}
		counts[n]++
	}
	for n := f.MinTurns; n <= f.MaxTurns; n++ {
		if counts[n] == 0 {
			t.Errorf("no %s task has %d turns", fam, n)
		}
	}
}

func TestGeneratedSuiteEpisode(t *testing.T) {
	s, err := NewGeneratedSuite(GeneratedOptions{Family: "easy", N: 50, Seed: 3, Heldout: 0.3, Prompt: PromptCompact,
		Classes: []string{"GorillaFileSystem"}})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := s.Tasks(SplitTrain)
	test, _ := s.Tasks(SplitTest)
	if len(train)+len(test) != len(s.Entries) || len(test) == 0 {
		t.Fatalf("split %d/%d of %d", len(train), len(test), len(s.Entries))
	}
	if _, err := s.Tasks("dev"); err == nil || !strings.Contains(err.Error(), "known: test, train") {
		t.Fatalf("unknown split: %v", err)
	}
	// Playing the ground truth succeeds; replying nothing fails.
	for _, play := range []struct {
		name    string
		success bool
	}{{"ground truth", true}, {"no calls", false}} {
		e := s.Entries[0]
		ev, err := s.NewEnv(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := ev.Reset(context.Background(), env.Task{ID: e.ID})
		if err != nil || len(msgs) != 2 || !strings.Contains(msgs[0].Content, "Functions:") {
			t.Fatalf("reset: %v %+v", err, msgs)
		}
		for turn := range e.Question {
			if play.success {
				r, err := ev.Step(context.Background(), "["+strings.Join(e.GroundTruth[turn], ", ")+"]")
				if err != nil || r.Done {
					t.Fatalf("step: %v %+v", err, r)
				}
			}
			if _, err := ev.Step(context.Background(), "Done."); err != nil {
				t.Fatal(err)
			}
		}
		res, err := ev.Evaluate(context.Background())
		if err != nil || res.Success != play.success {
			t.Fatalf("%s: evaluation %+v, %v", play.name, res, err)
		}
	}
}

// TestLabFailedTurn plays a lab task's ground truth up to one turn, then a
// wrong reply at that turn: the evaluation names that turn as the first
// one judged wrong (and none on success); every generated lab task passes
// validation.
func TestLabFailedTurn(t *testing.T) {
	s, err := NewGeneratedSuite(GeneratedOptions{Family: "lab", N: 120, Seed: 5, Heldout: 0.2, Prompt: PromptCompact})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rejected) != 0 {
		t.Fatalf("%d lab tasks rejected: %v", len(s.Rejected), s.Rejected)
	}
	var e *Entry
	for _, x := range s.Entries {
		if len(x.Question) >= 3 {
			e = x
			break
		}
	}
	for wrongAt := 0; wrongAt <= len(e.Question); wrongAt++ { // wrongAt == len: all right
		ev, _ := s.NewEnv(context.Background())
		if _, err := ev.Reset(context.Background(), env.Task{ID: e.ID}); err != nil {
			t.Fatal(err)
		}
		for turn := range e.Question {
			reply := "[" + strings.Join(e.GroundTruth[turn], ", ") + "]"
			if turn == wrongAt {
				reply = "[ls()]"
			}
			if _, err := ev.Step(context.Background(), reply); err != nil {
				t.Fatal(err)
			}
			if _, err := ev.Step(context.Background(), "Done."); err != nil {
				t.Fatal(err)
			}
		}
		res, err := ev.Evaluate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := wrongAt + 1
		if wrongAt == len(e.Question) {
			want = 0
		}
		if res.FailedTurn != want || res.Success != (want == 0) {
			t.Errorf("%s wrong at turn %d: success %v, failed_turn %d, want %d", e.ID, wrongAt+1, res.Success, res.FailedTurn, want)
		}
	}
}
