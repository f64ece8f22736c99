package tasks

import (
	"bytes"
	"regexp"
	"testing"
)

func TestCatalogueShape(t *testing.T) {
	want := map[string]int{"train": 18, "dev": 9, "test_normal": 12, "test_challenge": 11}
	seen := map[string]bool{}
	hex7 := regexp.MustCompile(`^[0-9a-f]{7}_[123]$`)
	for split, n := range want {
		ids, err := IDs(split)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 3*n {
			t.Errorf("split %s: %d tasks, want %d", split, len(ids), 3*n)
		}
		for _, id := range ids {
			if !hex7.MatchString(id) || seen[id] {
				t.Errorf("task id %q malformed or duplicated", id)
			}
			seen[id] = true
		}
	}
	if _, err := IDs("validation"); err == nil {
		t.Error("unknown split accepted")
	}
}

// TestChallengeUsesUnseenApps checks the challenge split's defining
// property: each of its scenarios uses an app no train scenario uses.
func TestChallengeUsesUnseenApps(t *testing.T) {
	trainApps := map[string]bool{}
	for _, s := range Scenarios() {
		if s.Split == "train" {
			for _, a := range s.Apps {
				trainApps[a] = true
			}
		}
	}
	for _, s := range Scenarios() {
		if s.Split != "test_challenge" {
			continue
		}
		unseen := false
		for _, a := range s.Apps {
			unseen = unseen || !trainApps[a]
		}
		if !unseen {
			t.Errorf("challenge scenario %s uses only train apps %v", s.Name, s.Apps)
		}
	}
}

func TestVariantsDiffer(t *testing.T) {
	for _, s := range Scenarios() {
		sups := map[int64]bool{}
		starts := map[string]bool{}
		for n := 1; n <= 3; n++ {
			task, err := Default.Get(s.ID() + "_" + string(rune('0'+n)))
			if err != nil {
				t.Fatal(err)
			}
			sups[task.Supervisor.ID] = true
			starts[task.Instruction()+string(task.Start)] = true
		}
		if len(sups) != 3 {
			t.Errorf("%s: variants share supervisors", s.Name)
		}
		if len(starts) != 3 {
			t.Errorf("%s: two variants have the same instruction and start state", s.Name)
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	ids, _ := IDs("dev")
	a, err := (&Catalogue{}).Get(ids[4])
	if err != nil {
		t.Fatal(err)
	}
	b, err := (&Catalogue{}).Get(ids[4])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Start, b.Start) || a.Instruction() != b.Instruction() {
		t.Error("building a task twice gives different start states")
	}
}

func TestAnswerMatches(t *testing.T) {
	cases := []struct {
		got, want any
		ok        bool
	}{
		{3.0, 3, true}, {"3", 3, true}, {"$12.50", 12.5, true}, {12.509, 12.5, true}, {12.52, 12.5, false},
		{" Hello ", "hello", true}, {"hell", "hello", false}, {nil, 3, false}, {nil, "x", false},
	}
	for _, c := range cases {
		if AnswerMatches(c.got, c.want) != c.ok {
			t.Errorf("AnswerMatches(%v, %v) != %v", c.got, c.want, c.ok)
		}
	}
}
