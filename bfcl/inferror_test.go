package bfcl_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testdata"
)

// failingFor answers like the ground truth except for the entries in
// fail, whose every request fails as a server's would.
type failingFor struct {
	inner bfcl.EntryPolicy
	fail  map[string]bool
}

func (f failingFor) ForEntry(category, id string) (bfcl.Responder, error) {
	if f.fail[id] {
		return serverDown{}, nil
	}
	return f.inner.ForEntry(category, id)
}

type serverDown struct{}

func (serverDown) Respond(context.Context, []bfcl.ChatMessage, []env.Tool) (bfcl.Response, error) {
	return bfcl.Response{}, errors.New("/v1/chat/completions: 400 context_length_exceeded")
}

// An entry whose inference fails is recorded as upstream records it
// ({"id", "result": "Error during inference: …", "traceback"}) and
// generation goes on with the others; evaluate scores the entry as
// failed, except in irrelevance, where a reply without a call is right.
func TestGenerateRecordsInferenceErrors(t *testing.T) {
	data := testdata.Dir(t, "bfcl_v4")
	dir := t.TempDir()
	s := bfcl.NewScorer(bfcl.Upstream{Dir: data})
	policy := failingFor{inner: s.GroundTruthPolicy(),
		fail: map[string]bool{"simple_python_1": true, "multi_turn_base_1": true, "irrelevance_0": true}}
	var log bytes.Buffer
	opts := bfcl.GenerateOptions{ResultDir: filepath.Join(dir, "result"), ModelName: "m",
		Categories: []string{"simple_python", "multi_turn_base", "irrelevance"}, Limit: 3, Log: &log}
	if err := s.Generate(context.Background(), policy, opts); err != nil {
		t.Fatalf("generate stopped at a failed inference: %v", err)
	}
	for _, c := range []struct{ cat, id string }{{"simple_python", "simple_python_1"},
		{"multi_turn_base", "multi_turn_base_1"}, {"irrelevance", "irrelevance_0"}} {
		lines, err := bfcl.ReadJSONLines(filepath.Join(opts.ResultDir, "m", bfcl.GroupDir(c.cat), bfcl.ResultFileName(c.cat)))
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 3 {
			t.Fatalf("%s: %d results, want 3", c.cat, len(lines))
		}
		found := false
		for _, l := range lines {
			id, _ := l.GetStr("id")
			if py.StrOf(id) != c.id {
				continue
			}
			found = true
			res, _ := l.GetStr("result")
			want := "Error during inference: /v1/chat/completions: 400 context_length_exceeded"
			if got, ok := res.(py.Str); !ok || string(got) != want {
				t.Errorf("%s result %v, want %q", c.id, res, want)
			}
			if _, ok := l.GetStr("traceback"); !ok {
				t.Errorf("%s: no traceback field", c.id)
			}
		}
		if !found {
			t.Errorf("%s: no record of %s", c.cat, c.id)
		}
		if !strings.Contains(log.String(), c.id+": error during inference") {
			t.Errorf("log does not name %s:\n%s", c.id, log.String())
		}
	}
	scores, err := s.Evaluate(bfcl.ScoreOptions{ResultDir: opts.ResultDir, ScoreDir: filepath.Join(dir, "score"),
		Categories: opts.Categories, PartialEval: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"simple_python": 2, "multi_turn_base": 2, "irrelevance": 3}
	for _, sc := range scores {
		if sc.Correct != want[sc.Category] || sc.Total != 3 {
			t.Errorf("%s: %d/%d correct, want %d/3", sc.Category, sc.Correct, sc.Total, want[sc.Category])
		}
	}
	if len(scores) != 3 {
		t.Errorf("%d categories scored, want 3", len(scores))
	}
}
