package bfcl

import (
	"context"
	"reflect"
	"testing"

	"github.com/seeupo/seeupo/harness/env"
)

var (
	_ env.Demonstrator = (*Suite)(nil)
	_ env.Demonstrator = (*GeneratedSuite)(nil)
)

func TestGroundTruthReplies(t *testing.T) {
	cases := []struct {
		name  string
		turns [][]string
		o     env.DemoOptions
		want  []string
	}{
		{"one call per turn", [][]string{{"cd(folder='a')"}, {"ls()"}}, env.DemoOptions{},
			[]string{"[cd(folder='a')]", "", "[ls()]", ""}},
		{"calls of a turn in one reply", [][]string{{"cd(folder='a')", "ls(a=True)"}}, env.DemoOptions{Closing: "Done."},
			[]string{"[cd(folder='a'), ls(a=True)]", "Done."}},
		{"a turn without calls only closes", [][]string{{"pwd()"}, {}, {"ls()"}}, env.DemoOptions{Closing: "Done."},
			[]string{"[pwd()]", "Done.", "Done.", "[ls()]", "Done."}},
		{"cut drops the last call", [][]string{{"pwd()"}, {"cd(folder='a')", "ls()"}}, env.DemoOptions{Cut: true},
			[]string{"[pwd()]", "", "[cd(folder='a')]", ""}},
		{"cut can empty the last turn", [][]string{{"pwd()"}, {"ls()"}}, env.DemoOptions{Cut: true, Closing: "ok"},
			[]string{"[pwd()]", "ok", "ok"}},
	}
	for _, c := range cases {
		if got := GroundTruthReplies(c.turns, c.o); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestGeneratedDemonstrations plays the demonstrations of generated tasks:
// whole they succeed, cut short they fail (validation keeps only tasks
// whose last call matters); an unknown task is an error.
func TestGeneratedDemonstrations(t *testing.T) {
	s, err := NewGeneratedSuite(GeneratedOptions{Family: "multi", N: 40, Seed: 3, Heldout: 0.25, Prompt: PromptCompact})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tasks, _ := s.Tasks(SplitTrain)
	for _, task := range tasks {
		for _, cut := range []bool{false, true} {
			replies, err := env.DemonstrationOf(s, task, env.DemoOptions{Cut: cut, Closing: "Done."})
			if err != nil {
				t.Fatal(err)
			}
			ev, _ := s.NewEnv(ctx)
			if _, err := ev.Reset(ctx, task); err != nil {
				t.Fatal(err)
			}
			for _, r := range replies {
				if _, err := ev.Step(ctx, r); err != nil {
					t.Fatalf("%s: step %q: %v", task.ID, r, err)
				}
			}
			res, err := ev.Evaluate(ctx)
			if err != nil || res.Success == cut {
				t.Errorf("%s (cut %v): evaluation %+v, %v", task.ID, cut, res, err)
			}
		}
	}
	if _, err := s.Demonstration(env.Task{ID: "no_such_task"}, env.DemoOptions{}); err == nil {
		t.Error("demonstration of an unknown task: no error")
	}
}
