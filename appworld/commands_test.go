package appworld

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/tasks"
)

func TestCheckReportByHand(t *testing.T) {
	dev := &tasks.Scenario{Name: "notes", Split: "dev", Difficulty: 2}
	train := &tasks.Scenario{Name: "mail", Split: "train", Difficulty: 3}
	pass := protocol.Evaluation{Success: true, NumTests: 2, Passes: make([]protocol.Test, 2)}
	half := protocol.Evaluation{NumTests: 2, Passes: make([]protocol.Test, 1), Failures: make([]protocol.Test, 1)}
	results := []checkResult{
		// Scenario aaa of dev: two of three tasks pass, so it fails.
		{task: &tasks.Task{ID: "aaa_1", Scenario: dev}, ev: pass},
		{task: &tasks.Task{ID: "aaa_2", Scenario: dev}, ev: pass},
		{task: &tasks.Task{ID: "aaa_3", Scenario: dev}, ev: half},
		// Scenario bbb of train: one task errs.
		{task: &tasks.Task{ID: "bbb_1", Scenario: train}, ev: pass},
		{task: &tasks.Task{ID: "bbb_2", Scenario: train}, ev: pass},
		{task: &tasks.Task{ID: "bbb_3", Scenario: train}, err: errors.New("cell 2 failed")},
	}
	got := checkReport(results, []string{"dev", "train"}, false)
	// AppWorld's report: 2/3 tasks (66.7 %), no scenario, all at the
	// scenario's level; the task that erred counts as failed, at its level.
	for i, level := range []int{2, 3} {
		r := got.Splits[i].Report
		want := protocol.Aggregate{TaskGoalCompletion: 66.7}
		if r.Overall != want || r.ByDifficulty[level] != want || r.CountByDifficulty[level] != 3 || r.Count != 3 ||
			r.Tasks[2].Evaluation.Difficulty != level || r.Tasks[2].Evaluation.Success {
			t.Errorf("%s: AppWorld's report %+v", got.Splits[i].Split, r)
		}
		got.Splits[i].Report = Report{}
	}
	want := CheckReport{Tasks: 6,
		Splits: []CheckSplit{
			// TGC 2/3; SGC 0/1; rewards 1.5, 1.5, 0.5·1/2.
			{Split: "dev", Tasks: 3, Scenarios: 1, TGC: 100 * 2.0 / 3, SGC: 0, MeanReward: 3.25 / 3},
			{Split: "train", Tasks: 3, Scenarios: 1, TGC: 100 * 2.0 / 3, SGC: 0, MeanReward: 1},
		},
		Unexpected: []string{"aaa_3 (notes): success=false with cut=false", "bbb_3 (mail): cell 2 failed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report\n%+v\nwant\n%+v", got, want)
	}
	// Cut: failures are expected, successes are not.
	cut := checkReport(results[:3], []string{"dev"}, true)
	if want := []string{"aaa_1 (notes): success=true with cut=true", "aaa_2 (notes): success=true with cut=true"}; !reflect.DeepEqual(cut.Unexpected, want) {
		t.Errorf("cut: unexpected %q, want %q", cut.Unexpected, want)
	}
}

func TestCheckNeedsAServer(t *testing.T) {
	_, err := Check(context.Background(), CheckOptions{Splits: []string{"dev"}})
	if err == nil || !strings.Contains(err.Error(), "no server") {
		t.Errorf("got %v, want an error saying there is no server", err)
	}
}
