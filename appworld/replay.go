package appworld

import (
	"context"
	"fmt"
	"strings"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/tasks"
)

// Replay runs code cells as one episode of taskID on backend and returns
// the evaluation. A cell whose observation is a failure is an error, since
// replayed cells (reference solutions) are meant to succeed.
func Replay(ctx context.Context, b protocol.Backend, taskID, experiment string, cells []string) (protocol.Evaluation, error) {
	if _, err := b.Initialize(ctx, protocol.InitRequest{TaskID: taskID, ExperimentName: experiment}); err != nil {
		return protocol.Evaluation{}, err
	}
	defer b.Close(ctx, taskID)
	for i, code := range cells {
		obs, err := b.Execute(ctx, taskID, code)
		if err != nil {
			return protocol.Evaluation{}, err
		}
		if strings.HasPrefix(obs, "Execution failed") {
			return protocol.Evaluation{}, fmt.Errorf("%s: cell %d failed: %s", taskID, i+1, obs)
		}
	}
	return b.Evaluate(ctx, taskID)
}

// ReferenceSolution returns the code cells of a native task's reference
// solution (a login cell, then the solution's cells), one per turn.
func ReferenceSolution(taskID string) ([]string, error) {
	t, err := tasks.Default.Get(taskID)
	if err != nil {
		return nil, err
	}
	return t.Solution(), nil
}
