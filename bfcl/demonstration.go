package bfcl

import (
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/harness/env"
)

// Demonstration implements env.Demonstrator: the task's ground truth as
// the model's replies (see GroundTruthReplies).
func (s *Suite) Demonstration(task env.Task, o env.DemoOptions) ([]string, error) {
	e, ok := s.data.Entry(task.ID)
	if !ok {
		return nil, fmt.Errorf("bfcl: no entry %q in the dataset", task.ID)
	}
	return GroundTruthReplies(e.GroundTruth, o), nil
}

// Demonstration implements env.Demonstrator for the generated tasks.
func (s *GeneratedSuite) Demonstration(task env.Task, o env.DemoOptions) ([]string, error) {
	return s.inner.Demonstration(task, o)
}

// GroundTruthReplies renders per-turn call lists as the model's replies:
// per user turn, one reply listing the turn's calls ("[f(a=1), g(b='x')]")
// when it has any, then o.Closing, a reply without calls that ends the
// turn. With o.Cut the entry's last call is left out.
func GroundTruthReplies(turns [][]string, o env.DemoOptions) []string {
	if o.Cut {
		turns = DropLastCall(turns)
	}
	var replies []string
	for _, calls := range turns {
		if len(calls) > 0 {
			replies = append(replies, "["+strings.Join(calls, ", ")+"]")
		}
		replies = append(replies, o.Closing)
	}
	return replies
}
