package main

import (
	"fmt"
	"hash/fnv"

	"github.com/seeupo/seeupo/appworld"
	"github.com/seeupo/seeupo/harness/env"
)

func init() { episodeScripts[appworld.SuiteName] = newAppWorldScript }

// newAppWorldScript scripts native AppWorld tasks with their reference
// solutions, one fenced code cell per reply. For a seeded third of the
// tasks the last cell is left out, so the verdicts are not all successes.
func newAppWorldScript(env.Options) (scriptFunc, error) {
	return func(task env.Task, seed int64) ([]string, error) {
		cells, err := appworld.ReferenceSolution(task.ID)
		if err != nil {
			return nil, fmt.Errorf("appworld script: %w", err)
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s", seed, task.ID)
		if h.Sum64()%3 == 0 {
			cells = cells[:len(cells)-1]
		}
		replies := make([]string, len(cells))
		for i, c := range cells {
			replies[i] = "```python\n" + c + "\n```"
		}
		return replies, nil
	}, nil
}
