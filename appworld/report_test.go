package appworld

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/harness/env"
)

// evalOf is a task's evaluation with one test, passed or failed.
func evalOf(id string, difficulty int, ok bool) TaskEvaluation {
	ev := protocol.Evaluation{Success: ok, Difficulty: difficulty, NumTests: 1}
	if ok {
		ev.Passes = []protocol.Test{{Requirement: "assert the note exists", Label: "no_op_fail"}}
	} else {
		ev.Failures = []protocol.Test{{Requirement: "assert the note exists", Trace: "AssertionError: <x> ≠ y", Label: "no_op_fail"}}
	}
	return TaskEvaluation{TaskID: id, Evaluation: ev}
}

// TestReportGoalsByDifficulty checks TGC and SGC overall and per
// difficulty, and the text table, against figures worked out by hand for
// three scenarios of three variants: aaaaaaa (level 1) all pass, bbbbbbb
// (level 2) two of three, ccccccc (level 3) one of three. Overall 6/9
// tasks (66.7 %) and 1/3 scenarios (33.3 %); level 1 100/100, level 2
// 2/3 tasks and no scenario (66.7/0.0), level 3 1/3 and none (33.3/0.0).
// With one failed level-1 task, levels 2 and 3 have no tasks: AppWorld
// writes their cells as 0.
func TestReportGoalsByDifficulty(t *testing.T) {
	cases := []struct {
		name      string
		evals     []TaskEvaluation
		overall   protocol.Aggregate
		byLevel   map[int]protocol.Aggregate
		text      []string
		wantCount map[int]int
	}{
		{
			name: "three scenarios",
			evals: []TaskEvaluation{
				evalOf("aaaaaaa_1", 1, true), evalOf("aaaaaaa_2", 1, true), evalOf("aaaaaaa_3", 1, true),
				evalOf("bbbbbbb_1", 2, true), evalOf("bbbbbbb_2", 2, false), evalOf("bbbbbbb_3", 2, true),
				evalOf("ccccccc_1", 3, false), evalOf("ccccccc_2", 3, false), evalOf("ccccccc_3", 3, true),
			},
			overall: protocol.Aggregate{TaskGoalCompletion: 66.7, ScenarioGoalCompletion: 33.3},
			byLevel: map[int]protocol.Aggregate{1: {TaskGoalCompletion: 100, ScenarioGoalCompletion: 100},
				2: {TaskGoalCompletion: 66.7}, 3: {TaskGoalCompletion: 33.3}},
			wantCount: map[int]int{1: 3, 2: 3, 3: 3},
			text: []string{
				"    type     | task_goal_completion | scenario_goal_completion",
				"-------------+----------------------+-------------------------",
				" aggregate   |         66.7         |           33.3          ",
				"difficulty_1 |        100.0         |          100.0          ",
				"difficulty_2 |         66.7         |           0.0           ",
				"difficulty_3 |         33.3         |           0.0           ",
			},
		},
		{
			name:      "one level only",
			evals:     []TaskEvaluation{evalOf("aaaaaaa_1", 1, false)},
			overall:   protocol.Aggregate{},
			byLevel:   map[int]protocol.Aggregate{1: {}, 2: {}, 3: {}},
			wantCount: map[int]int{1: 1, 2: 0, 3: 0},
			text: []string{
				"    type     | task_goal_completion | scenario_goal_completion",
				"-------------+----------------------+-------------------------",
				" aggregate   |         0.0          |           0.0           ",
				"difficulty_1 |         0.0          |           0.0           ",
				"difficulty_2 |          0           |            0            ",
				"difficulty_3 |          0           |            0            ",
			},
		},
	}
	for _, c := range cases {
		r := NewReport("dev", c.evals)
		if r.Overall != c.overall {
			t.Errorf("%s: overall %+v, want %+v", c.name, r.Overall, c.overall)
		}
		for _, d := range Difficulties {
			if r.ByDifficulty[d] != c.byLevel[d] || r.CountByDifficulty[d] != c.wantCount[d] {
				t.Errorf("%s: difficulty %d: %+v over %d tasks, want %+v over %d", c.name, d, r.ByDifficulty[d],
					r.CountByDifficulty[d], c.byLevel[d], c.wantCount[d])
			}
		}
		if got, want := r.Text(), strings.Join(c.text, "\n")+"\n"; got != want {
			t.Errorf("%s: text report\n%s\nwant\n%s", c.name, got, want)
		}
	}
}

// TestReportJSON checks the official report file byte for byte against
// AppWorld's layout: json.dumps(indent=4) of aggregate then individual,
// floats as Python writes them, failures' fields in AppWorld's order,
// non-ASCII escaped and '<' kept.
func TestReportJSON(t *testing.T) {
	r := NewReport("test_normal", []TaskEvaluation{evalOf("bbbbbbb_2", 2, false), evalOf("aaaaaaa_1", 1, true)})
	want := `{
    "aggregate": {
        "task_goal_completion": 50.0,
        "scenario_goal_completion": 50.0
    },
    "individual": {
        "bbbbbbb_2": {
            "success": false,
            "difficulty": 2,
            "num_tests": 1,
            "passes": [],
            "failures": [
                {
                    "requirement": "assert the note exists",
                    "trace": "AssertionError: <x> \u2260 y",
                    "label": "no_op_fail"
                }
            ]
        },
        "aaaaaaa_1": {
            "success": true,
            "difficulty": 1,
            "num_tests": 1,
            "passes": [
                {
                    "requirement": "assert the note exists",
                    "label": "no_op_fail"
                }
            ],
            "failures": []
        }
    }
}`
	dir := t.TempDir()
	jsonPath, textPath, err := r.Write(filepath.Join(dir, "evaluations"))
	if err != nil {
		t.Fatal(err)
	}
	if jsonPath != filepath.Join(dir, "evaluations", "test_normal.json") || textPath != filepath.Join(dir, "evaluations", "test_normal.txt") {
		t.Errorf("report paths %s, %s", jsonPath, textPath)
	}
	got, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("report JSON\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(got) {
		t.Error("the report is not valid JSON")
	}
	empty, _ := NewReport("dev", nil).JSON()
	if want := "{\n    \"aggregate\": {\n        \"task_goal_completion\": 0.0,\n        \"scenario_goal_completion\": 0.0\n    },\n    \"individual\": {}\n}"; string(empty) != want {
		t.Errorf("empty report %s", empty)
	}
}

// TestReportOfEpisodes reads the tasks' AppWorld evaluations from the
// suite's episode results, in the tasks' order.
func TestReportOfEpisodes(t *testing.T) {
	tasks := []env.Task{{ID: "bbbbbbb_1"}, {ID: "aaaaaaa_1"}, {ID: "ccccccc_1"}}
	results := map[env.Task]env.Evaluation{}
	for i, e := range []TaskEvaluation{evalOf("bbbbbbb_1", 3, false), evalOf("aaaaaaa_1", 3, true)} {
		d, _ := json.Marshal(Details{TaskID: e.TaskID, Evaluation: e.Evaluation})
		results[tasks[i]] = env.Evaluation{Success: e.Evaluation.Success, Details: d}
	}
	r, err := ReportOf("dev", tasks, results)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tasks) != 2 || r.Tasks[0].TaskID != "bbbbbbb_1" || r.Tasks[1].TaskID != "aaaaaaa_1" {
		t.Fatalf("tasks %+v", r.Tasks)
	}
	if want := (protocol.Aggregate{TaskGoalCompletion: 50, ScenarioGoalCompletion: 50}); r.Overall != want || r.ByDifficulty[3] != want || r.CountByDifficulty[1] != 0 {
		t.Errorf("report %+v", r)
	}
}
