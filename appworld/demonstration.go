package appworld

import (
	"github.com/seeupo/seeupo/harness/env"
)

// Demonstration implements env.Demonstrator: the native task's reference
// solution (see ReferenceSolution), one fenced Python cell per turn; with
// o.Cut its last cell is left out. o.Closing is not used: an AppWorld
// episode ends when the code completes the task.
func (s *Suite) Demonstration(task env.Task, o env.DemoOptions) ([]string, error) {
	cells, err := ReferenceSolution(task.ID)
	if err != nil {
		return nil, err
	}
	if o.Cut {
		cells = cells[:len(cells)-1]
	}
	replies := make([]string, len(cells))
	for i, cell := range cells {
		replies[i] = codeReply(cell)
	}
	return replies, nil
}

// codeReply is a reply that runs code: one fenced Python block.
func codeReply(code string) string { return "```python\n" + code + "\n```" }
